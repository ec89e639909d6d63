"""``/graph/…``: each named graph of the N-Quads dump answers with its triples.

The endpoint's dataset has one named graph per source file (``…/graph/data/s2-city-cooperation``,
``…/graph/derived/fiscal-years``), and the N-Quads dump and the service description name them,
so their IRIs must answer like every other IRI of the dump: a client that dereferences one gets
the triples of that graph, in Turtle (also for ``*/*``, so browsers show it), JSON-LD,
N-Triples or RDF/XML by ``Accept`` or by extension (``.ttl``, ``.jsonld``, ``.nt``, ``.rdf``).
The triples are read through the query workers (the graph IRI bound, never pasted), so the
row limit holds (a cut-off answer says so in ``Kggraph-Truncated``) and new builds are
followed; an IRI under ``/graph/`` that names no graph gets ``404``.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kggraph.core.errors import NotFound
from kggraph.core.formats import BY_NAME, Format, by_extension
from kggraph.core.namespaces import BASE_IRI
from kggraph.query.executor import QueryTask
from kggraph.query.negotiate import choose
from kggraph.web.http.conditional import not_modified, not_modified_response, validators
from kggraph.web.http.lookup import fetch
from kggraph.web.http.prepared import TRUNCATED_HEADER
from kggraph.web.http.state import AppState, state_of

PREFIX = "graph/"
OFFERED: tuple[Format, ...] = tuple(
    BY_NAME[name] for name in ("turtle", "json-ld", "n-triples", "rdf-xml")
)
"""What a named graph answers in; the first for ``*/*`` or no ``Accept``."""
CONTENT = "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?graph { ?s ?p ?o } }"
VARY = "Accept"


def router(state: AppState) -> APIRouter:
    found = APIRouter()
    found.add_route("/graph/{path:path}", named_graph, methods=["GET", "HEAD"])
    return found


def split_extension(path: str) -> tuple[str, str | None]:
    """``data/agents.ttl`` → (``data/agents``, ``ttl``); a path without one is kept whole."""
    stem, dot, extension = path.rpartition(".")
    if dot and "/" not in extension and by_extension(extension, OFFERED) is not None:
        return stem, extension
    return path, None


async def named_graph(request: Request) -> Response:
    runtime = state_of(request).runtime
    path, extension = split_extension(request.path_params["path"])
    named = by_extension(extension, OFFERED) if extension is not None else None
    fmt = named or choose(request.headers.get("accept"), OFFERED, what="a named graph")
    iri = BASE_IRI + PREFIX + path
    found = validators(runtime, "graph", path, fmt.name)
    headers = {
        **found.headers,
        "Cache-Control": f"public, max-age={runtime.settings.cache_max_age}",
    }
    if extension is None:
        headers["Vary"] = VARY
        headers["Content-Location"] = f"{request.url.path}.{fmt.extension}"
    if not_modified(request, found):
        return not_modified_response(headers)
    task = QueryTask(CONTENT, fmt.name, bindings=(("graph", f"<{iri}>"),))
    answer = await fetch(runtime, task)
    if answer.rows == 0:
        raise NotFound(f"there is no named graph {iri} in this release")
    if answer.truncated:
        headers[TRUNCATED_HEADER] = str(runtime.settings.max_rows)
    return Response(answer.body, media_type=fmt.content_type, headers=headers)
