"""``/fragments?subject=&predicate=&object=``: the graph as Triple Pattern Fragments.

One page (``page=N``, 100 triples, in a stable order) of the triples that match the pattern, with
the number of matches and the Hydra controls to ask for any other pattern
(``kggraph.dataset.fragment_controls``), so a client such as Comunica answers SPARQL queries from
them. The pattern is read by ``kggraph.dataset.fragments`` (a bad part is a ``400`` that names
it); the triples and their count come from two queries run as any other, from the answer cache
or a query worker within the client's budget, with the endpoint's time limit.

Formats by ``Accept``: Turtle (also for ``*/*`` or no ``Accept``), TriG, N-Quads, N-Triples,
JSON-LD, and an HTML page with the pattern form for browsers. A client that accepts none of them
gets Turtle, as the specification asks, not ``406``. Every answer carries validators (a ``304``
costs no query), ``Vary: Accept`` and ``Access-Control-Allow-Origin: *``, errors too.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kggraph.core.errors import InvalidArgument, KggraphError, NotAcceptable
from kggraph.core.formats import BY_NAME, HTML, Format
from kggraph.core.namespaces import shorten
from kggraph.dataset import fragment_controls as controls
from kggraph.dataset import fragments as tpf
from kggraph.query.negotiate import choose
from kggraph.web.http.conditional import not_modified, not_modified_response, validators
from kggraph.web.http.errors import error_answer
from kggraph.web.http.lookup import fetch
from kggraph.web.http.public_url import public_url
from kggraph.web.http.state import AppState, state_of
from kggraph.web.http.templating import template_environment
from kggraph.web.runtime import Runtime

OFFERED: tuple[Format, ...] = (
    BY_NAME["turtle"],
    BY_NAME["trig"],
    BY_NAME["n-quads"],
    BY_NAME["n-triples"],
    BY_NAME["json-ld"],
    HTML,
)
"""What a fragment answers in, the default (for ``*/*``, no ``Accept``, or none fits) first."""
PARAMETERS = (*tpf.POSITIONS, "page", "lang")
"""The parameters a fragment takes; ``lang``, which every page of the site takes, is ignored:
the page is in English, its literals marked with their own languages."""
CORS = {"Access-Control-Allow-Origin": "*"}
STYLESHEET = "/static/kggraph/publishing.css"

_ENVIRONMENT = template_environment()


def router(state: AppState) -> APIRouter:
    found = APIRouter()
    found.add_route(controls.PATH, fragments, methods=["GET"], name="fragments")
    return found


async def fragments(request: Request) -> Response:
    """One page of a fragment, or an error in the route's shape, with CORS either way."""
    try:
        return await _answer(request)
    except KggraphError as err:
        failed = error_answer(err, request.scope)
        failed.headers.update(CORS)
        return failed


@dataclass(frozen=True)
class _Asked:
    pattern: tpf.Pattern
    page: int
    given: dict[str, str]


def _asked(request: Request) -> _Asked:
    """The pattern and page of the request; an unknown or repeated parameter is refused."""
    given: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        if name not in PARAMETERS:
            raise InvalidArgument(
                f"unknown parameter {name!r}; a fragment takes {', '.join(PARAMETERS)}"
            )
        if name in given:
            raise InvalidArgument(f"{name}: given more than once")
        given[name] = value
    pattern = tpf.read_pattern(*(given.get(p, "") for p in tpf.POSITIONS))
    return _Asked(pattern, tpf.read_page(given.get("page")), given)


def _format(accept: str | None) -> Format:
    try:
        return choose(accept, OFFERED, what="a triple pattern fragment")
    except NotAcceptable:
        return OFFERED[0]


async def _answer(request: Request) -> Response:
    runtime = state_of(request).runtime
    asked = _asked(request)
    fmt = _format(request.headers.get("accept"))
    server = public_url(request, runtime)
    query = request.url.query
    found = validators(runtime, server, controls.PATH, query, fmt.name)
    headers = {
        "Vary": "Accept",
        "Cache-Control": f"public, max-age={runtime.settings.cache_max_age}",
        **CORS,
        **found.headers,
    }
    if not_modified(request, found):
        return not_modified_response(headers)
    counted, paged = await asyncio.gather(
        fetch(runtime, tpf.count_task(asked.pattern)),
        fetch(runtime, tpf.page_task(asked.pattern, asked.page)),
    )
    address = _page_iri(server, query)
    fragment = controls.Fragment(
        server, address, asked.pattern, asked.page, tpf.read_count(counted.body)
    )
    triples = tpf.read_triples(paged.body)
    if fmt is HTML:
        body = _page(runtime, fragment, triples, asked)
    else:
        body = controls.serialize(fragment, triples, fmt)
    return Response(body, media_type=fmt.content_type, headers=headers)


IRI_SAFE = "!#$%&'()*+,/:;=?@[]~"
"""What stays as it is when the address asked for becomes the page's IRI: the characters a URL's
query may hold. Anything else (a space, a double quote sent unencoded) is percent-encoded."""


def _page_iri(server: str, query: str) -> str:
    """The page's IRI: the address asked for, as the client wrote it when that is an IRI."""
    address = server + controls.PATH + (f"?{quote(query, safe=IRI_SAFE)}" if query else "")
    try:
        ox.NamedNode(address)
    except ValueError as err:
        raise InvalidArgument(f"the address asked for is not a valid IRI: {err}") from None
    return address


@dataclass(frozen=True)
class Cell:
    """One term of a triple as the page shows it, linked to the fragment of that term in the
    same position."""

    text: str
    title: str
    href: str
    lang: str = ""
    note: str = ""


def _cell(server: str, position: str, term: object) -> Cell:
    if isinstance(term, ox.Literal):
        kind = "" if term.language else shorten(term.datatype.value)
        note = f"@{term.language}" if term.language else ("" if kind == "xsd:string" else kind)
        value = tpf.spec_text(term)
        return Cell(term.value, value, _link(server, position, value), term.language or "", note)
    iri = term.value if isinstance(term, ox.NamedNode) else str(term)
    return Cell(shorten(iri), iri, _link(server, position, iri))


def _link(server: str, position: str, value: str) -> str:
    return f"{server}{controls.PATH}?{position}={quote(value, safe='')}"


def _page(
    runtime: Runtime, fragment: controls.Fragment, triples: list[ox.Triple], asked: _Asked
) -> bytes:
    """The HTML page: the pattern form (as it was filled in), the triples, the page links."""
    server = fragment.server
    rows = [
        tuple(
            _cell(server, p, term)
            for p, term in zip(tpf.POSITIONS, (t.subject, t.predicate, t.object), strict=True)
        )
        for t in triples
    ]
    first = (fragment.page - 1) * tpf.PAGE_SIZE + 1
    page = _ENVIRONMENT.get_template("fragments.html").render(
        server=server,
        stylesheet=server + STYLESHEET,
        version=runtime.version,
        fragment=fragment,
        rows=rows,
        first=first,
        last=first + len(rows) - 1,
        page_size=tpf.PAGE_SIZE,
        form=[(p, asked.given.get(p, "")) for p in tpf.POSITIONS],
    )
    return page.encode("utf-8")
