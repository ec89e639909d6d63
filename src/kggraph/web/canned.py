"""``/queries``: every canned query of ``queries/`` as a documented GET API.

At start, each ``.rq`` file becomes one route, ``GET /queries/<name>``, generated from its
header: the title and description are the operation's, and each ``# param:`` line a query
parameter with its RDF type, an OpenAPI schema and its default, so ``/docs`` and
``/openapi.json`` show them. FastAPI does not validate the values: ``kggraph.canned.params`` makes
them RDF terms (a ``400`` naming the parameter, the type and the value), and the query
worker binds them with pyoxigraph substitutions; the query text is never changed. ``GET
/queries`` lists the queries as JSON.

Answers and caching are the SPARQL endpoint's (``kggraph.web.http.prepared``): SPARQL JSON by
default, CSV or TSV by ``format=`` or ``Accept`` (Turtle, JSON-LD… for a CONSTRUCT), an ``ETag``
from the release, the query, the bindings and the format, ``304`` for a matching
``If-None-Match``, and the shared answer cache. Errors are problem documents (RFC 9457,
``kggraph.web.http.errors``), as for every JSON API of the server.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kggraph.canned.catalogue import CannedQuery, Parameter
from kggraph.canned.params import EXPECTED, bind
from kggraph.core.errors import InvalidArgument, NotFound
from kggraph.core.formats import BY_NAME, AnswerKind, formats_for, kind_of_form
from kggraph.query.cache import answer_key
from kggraph.query.executor import QueryTask
from kggraph.query.negotiate import negotiate
from kggraph.query.reader import classify
from kggraph.web.http.conditional import matches
from kggraph.web.http.errors import problem_responses
from kggraph.web.http.prepared import TRUNCATED_HEADER, VARY, Prepared, answer_of
from kggraph.web.http.public_url import public_url
from kggraph.web.http.state import AppState, state_of

PREFIX = "/queries"
TAG = "canned queries"
FORMAT = "format"
SCHEMAS: dict[str, dict[str, Any]] = {
    "IRI": {"type": "string", "format": "iri"},
    "xsd:string": {"type": "string"},
    "xsd:integer": {"type": "integer"},
    "xsd:decimal": {"type": "number"},
    "xsd:boolean": {"type": "boolean"},
    "xsd:date": {"type": "string", "format": "date"},
    "xsd:gYear": {"type": "string", "pattern": r"^-?\d{4,}$"},
}
"""The OpenAPI schema of each declared parameter type."""
RESPONSES: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified: the `If-None-Match` ETag is still current"},
    **problem_responses(
        {
            400: "A parameter of the wrong type, or an unknown one",
            406: "None of the accepted formats fits the answer",
            429: "This client is over its query-time budget or has too many queries running; "
            "`Retry-After` says when to come back",
            503: "The query ran past the time limit; `Retry-After` says when to try again",
        }
    ),
}
"""What every canned query may answer besides its results; errors are problem documents."""

Endpoint = Callable[[Request], Awaitable[Response]]


def router(state: AppState) -> APIRouter:
    """``GET /queries`` and one ``GET /queries/<name>`` per canned query the server started
    with (``AppState.canned_queries``), so the routes and ``/docs`` hold the same ones."""
    found = APIRouter(tags=[TAG], responses=RESPONSES)
    found.add_api_route(
        PREFIX,
        catalogue,
        methods=["GET"],
        summary="Every canned query, with its parameters",
        response_model=None,
    )
    for query in state.canned_queries:
        kind = answer_kind(query)
        found.add_api_route(
            f"{PREFIX}/{query.slug}",
            _endpoint(query, kind),
            methods=["GET"],
            name=f"canned-{query.slug}",
            operation_id=operation_id(query),
            summary=query.title,
            description=_description(query, kind),
            response_model=None,
            response_class=Response,
            responses={200: _success(kind)},
            openapi_extra={"parameters": parameters_doc(query, kind)},
        )
    found.add_api_route(
        PREFIX + "/{name}", unknown, methods=["GET"], include_in_schema=False, response_model=None
    )
    return found


def answer_kind(query: CannedQuery) -> AnswerKind:
    return kind_of_form(classify(query.text).kind)


def operation_id(query: CannedQuery) -> str:
    return "canned_" + query.slug.replace("-", "_")


def _endpoint(query: CannedQuery, kind: AnswerKind) -> Endpoint:
    async def run_canned_query(request: Request) -> Response:
        return await answer(request, query, kind)

    return run_canned_query


async def answer(request: Request, query: CannedQuery, kind: AnswerKind) -> Response:
    """Bind the request's parameters, then answer like ``/sparql``: 304, cache, or a worker."""
    runtime = state_of(request).runtime
    given, formats = read_parameters(request.query_params.multi_items())
    bindings = bind(query, given)
    fmt = negotiate(kind, accept=request.headers.get("accept"), format_param=formats)
    task = QueryTask(query.text, fmt.name, bindings=bindings)
    key = answer_key(runtime.version, task)
    headers = {
        "ETag": f'W/"{key}"',
        "Cache-Control": f"public, max-age={runtime.settings.cache_max_age}",
        "Vary": VARY,
        "Kggraph-Version": runtime.version,
    }
    if matches(request.headers.get("if-none-match"), headers["ETag"]):
        return Response(status_code=304, headers=headers)
    found = await answer_of(runtime, Prepared(task, key, headers, fmt.content_type))
    if found.truncated:
        headers[TRUNCATED_HEADER] = str(runtime.settings.max_rows)
    return Response(found.body, headers=headers, media_type=BY_NAME[found.format].content_type)


def read_parameters(pairs: Sequence[tuple[str, str]]) -> tuple[dict[str, str], tuple[str, ...]]:
    """The query's parameters (each at most once) and the ``format`` values, from the URL."""
    given: dict[str, str] = {}
    formats: list[str] = []
    for name, value in pairs:
        if name == FORMAT:
            formats.append(value)
        elif name in given:
            raise InvalidArgument(f"parameter {name!r} is given twice; give each parameter once")
        else:
            given[name] = value
    return given, tuple(formats)


async def catalogue(request: Request) -> Response:
    """The canned queries as JSON: name, title, description, parameters, links, SPARQL text."""
    state = state_of(request)
    runtime = state.runtime
    base = public_url(request, runtime)
    return JSONResponse(
        {"queries": [entry(query, base) for query in state.canned_queries]},
        headers={"Cache-Control": f"public, max-age={runtime.settings.cache_max_age}"},
    )


async def unknown(request: Request, name: str) -> Response:
    names = ", ".join(q.slug for q in state_of(request).canned_queries) or "none"
    raise NotFound(f"there is no canned query {name!r}; the canned queries are: {names}")


def entry(query: CannedQuery, base: str) -> dict[str, Any]:
    """One query of ``GET /queries``."""
    url = f"{base}{PREFIX}/{query.slug}"
    kind = answer_kind(query)
    return {
        "name": query.slug,
        "title": query.title,
        "description": query.description,
        "form": classify(query.text).kind,
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "datatype": p.datatype,
                "default": p.default,
                "description": p.doc,
            }
            for p in query.params
        ],
        "links": {
            "self": url,
            **{short: f"{url}?{FORMAT}={short}" for short in _short_names(kind)[1:]},
            "docs": f"{base}/docs#/{TAG.replace(' ', '%20')}/{operation_id(query)}",
        },
        "sparql": query.text,
    }


def parameters_doc(query: CannedQuery, kind: AnswerKind) -> list[dict[str, Any]]:
    """The OpenAPI parameters of a query's route: its own, typed, then ``format``."""
    documented = [_parameter_doc(p) for p in query.params]
    shorts = _short_names(kind)
    documented.append(
        {
            "name": FORMAT,
            "in": "query",
            "required": False,
            "description": "Answer format; overrides `Accept`.",
            "schema": {"type": "string", "enum": shorts, "default": shorts[0]},
        }
    )
    return documented


def _parameter_doc(param: Parameter) -> dict[str, Any]:
    schema = {**SCHEMAS[param.type], "default": _json_default(param)}
    return {
        "name": param.name,
        "in": "query",
        "required": False,
        "description": f"{param.doc[0].upper()}{param.doc[1:]}. "
        f"RDF type {param.type}: {EXPECTED[param.type]}.",
        "schema": schema,
        "x-rdf-type": param.datatype or param.type,
    }


def _json_default(param: Parameter) -> object:
    """The default as the schema's JSON type (a number for ``xsd:integer``)."""
    if param.type == "xsd:integer":
        return int(param.default)
    if param.type == "xsd:decimal":
        return float(param.default)
    if param.type == "xsd:boolean":
        return param.default in ("true", "1")
    return param.default


def _short_names(kind: AnswerKind) -> list[str]:
    """One ``format=`` name per format of ``kind``, the default's first."""
    return [f.short_names[0] for f in formats_for(kind)]


def _success(kind: AnswerKind) -> dict[str, Any]:
    media: dict[str, Any] = {f.media_type: {} for f in formats_for(kind)}
    what = "The results" if kind is AnswerKind.RESULTS else "The graph"
    return {"description": f"{what}, in the format asked for", "content": media}


def _description(query: CannedQuery, kind: AnswerKind) -> str:
    formats = ", ".join(_short_names(kind))
    return (
        f"{query.description}\n\n"
        f"Answers {BY_NAME[formats_for(kind)[0].name].media_type} by default; "
        f"`format=` ({formats}) or `Accept` choose another. "
        f"Parameters are bound as typed RDF terms; a value of the wrong type gets `400`."
    )
