"""Answering with one RDF document in the format the client wants: the ontology, VoID, catalog.

``GET /catalog`` negotiates on ``Accept`` (Turtle for ``*/*`` and for clients that state no
preference, so ``curl`` and harvesters get RDF; JSON-LD, N-Triples, RDF/XML; an HTML page for
browsers, which ask for ``text/html`` first) and says so with ``Vary: Accept`` and a
``Content-Location`` naming the file-extension address of what it sent (``/catalog.ttl``,
``.jsonld``, ``.nt``, ``.rdf``, ``.html``), which answer that format whatever ``Accept`` says.
Every answer links its alternatives with ``Link: rel="alternate"``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import pyoxigraph as ox
from starlette.responses import Response

from kggraph.core.errors import NotFound
from kggraph.core.formats import BY_NAME, AnswerKind, Format
from kggraph.query.negotiate import choose
from kggraph.query.run import as_bytes
from kggraph.web.publishing.context import Context, answer

HTML = Format("html", "text/html", AnswerKind.GRAPH, ("application/xhtml+xml",), ("html",))
OFFERED: tuple[Format, ...] = (
    BY_NAME["turtle"],
    BY_NAME["json-ld"],
    BY_NAME["n-triples"],
    BY_NAME["rdf-xml"],
    HTML,
)
"""What a document answers in; the first for ``*/*`` or no ``Accept``."""
EXTENSIONS = {"ttl": BY_NAME["turtle"], "jsonld": BY_NAME["json-ld"],
              "nt": BY_NAME["n-triples"], "rdf": BY_NAME["rdf-xml"], "html": HTML}  # fmt: skip
SUFFIX = {fmt.name: ext for ext, fmt in EXTENSIONS.items()}
RDF_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "json-ld": ox.RdfFormat.JSON_LD,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "rdf-xml": ox.RdfFormat.RDF_XML,
}


def chosen(context: Context, extension: str | None, what: str) -> Format:
    """The format an extension names, else the one ``Accept`` prefers (``406`` if none)."""
    if extension is None:
        return choose(context.request.headers.get("accept"), OFFERED, what=what)
    fmt = EXTENSIONS.get(extension)
    if fmt is None:
        raise NotFound(f"there is no .{extension} form of {what}; try .ttl, .jsonld, .nt, .rdf")
    return fmt


def serialize(triples: Iterable[ox.Triple], fmt: Format, prefixes: dict[str, str]) -> bytes:
    """The triples in ``fmt`` (an RDF format of ``RDF_FORMATS``), in a fixed order."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    shown = prefixes if fmt.name != "n-triples" else None
    return as_bytes(ox.serialize(ordered, format=RDF_FORMATS[fmt.name], prefixes=shown))


def document(
    context: Context,
    *,
    address: str,
    extension: str | None,
    fmt: Format,
    make: Callable[[], bytes],
) -> Response:
    """The document at ``address`` (``{server}/catalog``) in ``fmt``, made by ``make`` once per
    release and server, with its validators, links and negotiation headers."""
    body = context.body((address, fmt.name), make)
    headers = {
        "Link": ", ".join(
            f'<{address}.{SUFFIX[f.name]}>; rel="alternate"; type="{f.media_type}"'
            for f in OFFERED
            if f is not fmt
        )
    }
    if extension is None:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = f"{address}.{SUFFIX[fmt.name]}"
    media = "text/html; charset=utf-8" if fmt is HTML else fmt.content_type
    return answer(context, body, media, headers)
