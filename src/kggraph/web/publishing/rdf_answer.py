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
from kggraph.core.formats import BY_NAME, HTML, Format
from kggraph.query.negotiate import choose
from kggraph.query.run import as_bytes
from kggraph.web.publishing.context import Context, answer

OFFERED: tuple[Format, ...] = (
    BY_NAME["turtle"],
    BY_NAME["json-ld"],
    BY_NAME["n-triples"],
    BY_NAME["rdf-xml"],
    HTML,
)
"""What a document answers in; the first for ``*/*`` or no ``Accept``."""
EXTENSIONS = {fmt.extension: fmt for fmt in OFFERED}
"""File-extension addresses: ``/catalog.ttl`` is always Turtle."""


def chosen(context: Context, extension: str | None, what: str) -> Format:
    """The format an extension names, else the one ``Accept`` prefers (``406`` if none)."""
    if extension is None:
        return choose(context.request.headers.get("accept"), OFFERED, what=what)
    fmt = EXTENSIONS.get(extension)
    if fmt is None:
        raise NotFound(f"there is no .{extension} form of {what}; try .ttl, .jsonld, .nt, .rdf")
    return fmt


def serialize(triples: Iterable[ox.Triple], fmt: Format, prefixes: dict[str, str]) -> bytes:
    """The triples in ``fmt`` (an RDF format of ``OFFERED``), in a fixed order."""
    ordered = sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    shown = prefixes if fmt.prefixed else None
    return as_bytes(ox.serialize(ordered, format=fmt.rdf_format, prefixes=shown))


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
            f'<{address}.{f.extension}>; rel="alternate"; type="{f.media_type}"'
            for f in OFFERED
            if f is not fmt
        )
    }
    if extension is None:
        headers["Vary"] = "Accept"
        headers["Content-Location"] = f"{address}.{fmt.extension}"
    return answer(context, body, fmt.content_type, headers)
