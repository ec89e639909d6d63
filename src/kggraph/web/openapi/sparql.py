"""``/sparql`` described in OpenAPI: its two methods, parameters, bodies, formats and statuses.

The endpoint is a plain route answered in front of the framework (``kggraph.web.fastpath``,
``kggraph.web.sparql``), so FastAPI does not see it; this module writes its path item by hand
from the same sources the endpoint reads (``kggraph.core.formats``, ``kggraph.query.protocol``), and
``kggraph.web.openapi.document`` adds it to ``/openapi.json``. Nothing here changes how queries are
served.
"""

from __future__ import annotations

from typing import Any

from kggraph.core.formats import FORMATS, AnswerKind, formats_for
from kggraph.query.protocol import FORM, SPARQL_QUERY

PATH = "/sparql"
TAG = "SPARQL endpoint"
PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/#query-operation"
EXAMPLE = "SELECT ?type (COUNT(*) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)"
TEXT = "text/plain"
Json = dict[str, Any]

QUERY_DOC = (
    "The SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE). Without it the endpoint answers "
    "its service description (Turtle, JSON-LD, RDF/XML or N-Triples), or the query page to a "
    "browser."
)
GRAPH_DOC = "An absolute IRI; repeatable. The query's {} (SPARQL 1.1 Protocol, §2.1.4)."
FORMAT_DOC = (
    "Answer format by short name; overrides `Accept`. Results (SELECT, ASK): {}. "
    "Graphs (CONSTRUCT, DESCRIBE): {}."
)
ERRORS: dict[str, str] = {
    "400": "The query does not parse (the parser's message, with line and column), is an "
    "update, calls a SERVICE that is not allowed or nests too deeply, or a parameter is bad",
    "403": "A SPARQL Update request: the endpoint is read-only",
    "406": "None of the accepted formats fits the answer",
    "413": "The request body is over the size limit (`KGGRAPH_MAX_BODY_BYTES`)",
    "415": f"A POST body that is neither `{FORM}` nor `{SPARQL_QUERY}`",
    "429": "This client is over its query-time budget or has too many queries running; "
    "`Retry-After` says when to come back",
    "502": "A SERVICE endpoint on the allow-list failed or could not be reached",
    "503": "The query ran past the time limit or over the memory ceiling, all query lanes are "
    "busy with long queries, or no worker is running; `Retry-After` says when to try again",
}
"""Each refusal the endpoint gives, always as one line of ``text/plain``."""


def path_item() -> Json:
    """The OpenAPI path item of ``/sparql``: ``GET`` and ``POST``."""
    return {"get": _operation("get"), "post": _operation("post")}


def _operation(method: str) -> Json:
    operation: Json = {
        "tags": [TAG],
        "operationId": f"sparql_{method}",
        "summary": "Run a SPARQL query" + (" sent in the body" if method == "post" else ""),
        "description": _description(method),
        "externalDocs": {"description": "SPARQL 1.1 Protocol, query operation", "url": PROTOCOL},
        "parameters": _parameters(with_query=method == "get"),
        "responses": _responses(),
    }
    if method == "post":
        operation["requestBody"] = _request_body()
    return operation


def _description(method: str) -> str:
    how = (
        "`query` in the URL"
        if method == "get"
        else f"the query in a `{FORM}` body (with the graph IRIs), or as the whole "
        f"`{SPARQL_QUERY}` body (graph IRIs then go in the URL)"
    )
    return (
        f"The SPARQL 1.1 Protocol's query operation, with {how}. The answer's format comes from "
        "`format`, else from `Accept`; answers carry an `ETag` (a matching `If-None-Match` "
        "gets `304`) and are cached. An answer cut at the row limit carries "
        "`Kggraph-Truncated`. A browser (`Accept` ranks `text/html` above every answer format, "
        "and no `format` is given) gets the answer as an HTML page: a table (at most 1,000 rows "
        "shown) with the labels of the graph's IRIs, the query and links to download the answer "
        "in each format. Every refusal is one line of text naming what is wrong."
    )


def _parameters(*, with_query: bool) -> list[Json]:
    found = [_query_parameter()] if with_query else []
    found += [
        _graph_parameter("default-graph-uri", "default graph, merged from these graphs"),
        _graph_parameter("named-graph-uri", "named graphs (for GRAPH), only these"),
        _format_parameter(),
    ]
    return found


def _query_parameter() -> Json:
    return {
        "name": "query",
        "in": "query",
        "required": False,
        "description": QUERY_DOC,
        "schema": {"type": "string"},
        "example": EXAMPLE,
    }


def _graph_parameter(name: str, what: str) -> Json:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": GRAPH_DOC.format(what),
        "schema": {"type": "array", "items": _iri_schema()},
        "style": "form",
        "explode": True,
    }


def _iri_schema() -> Json:
    return {"type": "string", "format": "iri", "example": "https://w3id.org/kggraph/graph/data"}


def _format_parameter() -> Json:
    results, graphs = (_short_names(kind) for kind in (AnswerKind.RESULTS, AnswerKind.GRAPH))
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": FORMAT_DOC.format(", ".join(results), ", ".join(graphs)),
        "schema": {"type": "string", "enum": list(dict.fromkeys(results + graphs))},
    }


def _short_names(kind: AnswerKind) -> list[str]:
    return [name for fmt in formats_for(kind) for name in fmt.short_names]


def _request_body() -> Json:
    form = {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": QUERY_DOC, "example": EXAMPLE},
            "default-graph-uri": {"type": "array", "items": _iri_schema()},
            "named-graph-uri": {"type": "array", "items": _iri_schema()},
        },
    }
    return {
        "required": True,
        "content": {
            FORM: {
                "schema": form,
                "encoding": {
                    "default-graph-uri": {"style": "form", "explode": True},
                    "named-graph-uri": {"style": "form", "explode": True},
                },
            },
            SPARQL_QUERY: {"schema": {"type": "string", "example": EXAMPLE}},
        },
    }


def _responses() -> Json:
    text = {"description": "", "content": {TEXT: {"schema": {"type": "string"}}}}
    found: Json = {
        "200": {
            "description": "The answer in the format asked for: SPARQL results for SELECT and "
            "ASK, a graph for CONSTRUCT and DESCRIBE, or a page (HTML) showing it to a browser; "
            "without a query, the service description (Turtle, JSON-LD, RDF/XML, N-Triples), or "
            "the query page (HTML) to a browser",
            "headers": _answer_headers(),
            "content": {fmt.media_type: {} for fmt in FORMATS} | {"text/html": {}},
        },
        "304": {"description": "Not modified: the `If-None-Match` ETag is still current"},
    }
    for status, why in ERRORS.items():
        found[status] = {**text, "description": why + " (one line of text)"}
    return found


def _answer_headers() -> Json:
    def header(description: str) -> Json:
        return {"description": description, "schema": {"type": "string"}}

    return {
        "ETag": header("The answer's tag: the release, the query, its graphs and the format"),
        "Kggraph-Version": header("The release that answered"),
        "Kggraph-Truncated": header("Set to the row limit when the answer was cut at it"),
    }
