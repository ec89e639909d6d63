"""``/sparql``: the SPARQL 1.1 Protocol query operation, with caching no peer offers.

The request path is kept short because every microsecond counts on small lookups: read the
protocol request, read the query's form (no full parse: pyoxigraph parses it in the worker),
choose the format, answer ``304`` or from the cache when possible, else ask a worker. Answers
come back from the workers already serialised and are sent as they are. A browser's query (its
``Accept`` ranks ``text/html`` first, and no ``format`` is named) gets the answer as a page
(``kggraph.web.http.results_page``); the fast path hands those on to this view.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kggraph.core.errors import PayloadTooLarge
from kggraph.core.formats import BY_NAME, AnswerKind
from kggraph.dataset.service_description import SD_FORMATS, description, serialize
from kggraph.query.executor import Answer
from kggraph.query.negotiate import choose, negotiate
from kggraph.query.protocol import QueryRequest, read_query_request
from kggraph.web.http.conditional import holds, matches
from kggraph.web.http.prepared import TRUNCATED_HEADER, VARY, answer_of, prepare_request
from kggraph.web.http.public_url import public_url
from kggraph.web.http.query_editor import prefers_html
from kggraph.web.http.results_page import results_page, wants_page
from kggraph.web.http.state import AppState, state_of
from kggraph.web.runtime import Runtime


def router(state: AppState) -> APIRouter:
    found = APIRouter()
    found.add_route("/sparql", sparql, methods=["GET", "POST"], name="sparql")
    return found


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refusing more than ``limit`` bytes before reading them all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body is {declared} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def sparql(request: Request) -> Response:
    """The endpoint, as a plain Starlette route: no FastAPI parameter handling per request."""
    state = state_of(request)
    runtime = state.runtime
    body = b""
    if request.method == "POST":
        body = await read_body(request, runtime.settings.max_body_bytes)
    asked = read_query_request(
        request.method,
        request.query_params.multi_items(),
        request.headers.get("content-type"),
        body,
        max_query_bytes=runtime.settings.max_query_bytes,
    )
    if asked.query is None:
        return _no_query(request, state, asked)
    if wants_page(asked, request.headers.get("accept")):
        return await results_page(request, runtime, asked)
    prepared = await prepare_request(runtime, asked, request.headers.get("accept"))
    if_none_match = request.headers.get("if-none-match")
    if holds(if_none_match, prepared.headers["ETag"]):
        return Response(status_code=304, headers=prepared.headers)
    answer = await answer_of(runtime, prepared)
    if matches(if_none_match, prepared.headers["ETag"]):  # `*`, now that the answer exists
        return Response(status_code=304, headers=prepared.headers)
    return _send(answer, prepared.headers, runtime)


def _send(answer: Answer, headers: dict[str, str], runtime: Runtime) -> Response:
    if answer.truncated:
        headers = {**headers, TRUNCATED_HEADER: str(runtime.settings.max_rows)}
    return Response(answer.body, headers=headers, media_type=BY_NAME[answer.format].content_type)


def _no_query(request: Request, state: AppState, asked: QueryRequest) -> Response:
    """No query: the query page for browsers, else the service description."""
    runtime = state.runtime
    accept = request.headers.get("accept")
    if not asked.formats and prefers_html(accept):
        return state.query_page.response(runtime)
    choices = SD_FORMATS
    if asked.formats:
        fmt = negotiate(AnswerKind.GRAPH, accept=None, format_param=asked.formats)
        if fmt not in choices:
            fmt = choose(fmt.media_type, choices, what="the service description")
    else:
        fmt = choose(accept, choices, what="the service description")
    endpoint = public_url(request, runtime) + "/sparql"
    manifest = runtime.manifest
    triples = description(
        endpoint,
        void=public_url(request, runtime) + "/.well-known/void",
        version=runtime.version,
        graphs=manifest.graphs,
        total_triples=manifest.triples.total,
        service_allowlist=runtime.settings.service_allowlist,
    )
    return Response(
        serialize(triples, fmt.name),
        media_type=fmt.content_type,
        headers={
            "Vary": VARY,
            "Cache-Control": f"public, max-age={runtime.settings.cache_max_age}",
        },
    )
