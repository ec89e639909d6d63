"""The SPARQL 1.1 Protocol's query operation, read from a request without any web framework.

Three ways to send a query (https://www.w3.org/TR/sparql11-protocol/#query-operation):
GET with ``query`` in the URL; POST form-encoded with ``query`` in the body; POST with the query
as an ``application/sparql-query`` body. Each may add ``default-graph-uri`` and
``named-graph-uri`` (in the URL, or in a form body). Anything else is refused with the
status the protocol implies: an update request (403, the endpoint is read-only), no query or
two (400), a body type the protocol does not define (415).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl

from kggraph.core.errors import PayloadTooLarge, ReadOnly, RequestError, UnsupportedMediaType
from kggraph.query.reader import check_iri

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@dataclass(frozen=True)
class QueryRequest:
    """What the client asked: a query (``None`` if none, i.e. the service description)."""

    query: str | None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    """The ``format`` override parameters, if any (clients such as SPARQLWrapper send several)."""


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";", 1)[0].strip().lower()


def _values(pairs: Sequence[tuple[str, str]], name: str) -> list[str]:
    return [v for k, v in pairs if k == name]


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise RequestError(f"{what} is not UTF-8 (byte {err.start})") from None


def read_query_request(
    method: str,
    url_pairs: Sequence[tuple[str, str]],
    content_type: str | None,
    body: bytes,
    *,
    max_query_bytes: int | None = None,
) -> QueryRequest:
    """Read a protocol request; raise the ``RequestError`` the protocol calls for.

    A query longer than ``max_query_bytes`` is refused (413) here, before anything reads it."""
    params = list(url_pairs)
    if method == "POST":
        media = _media_type(content_type)
        if media == FORM:
            form = parse_qsl(_decode(body, "the form body"), keep_blank_values=True)
            if _values(form, "query") and _values(params, "query"):
                raise RequestError("send the query once: in the URL or in the form body, not both")
            params += form
        elif media == SPARQL_QUERY:
            if _values(params, "query"):
                raise RequestError(
                    "send the query once: as the application/sparql-query body, not also in the URL"
                )
            params.append(("query", _decode(body, "the query")))
        elif media == SPARQL_UPDATE:
            raise ReadOnly("this endpoint is read-only: SPARQL Update requests are not accepted")
        else:
            shown = media or "no Content-Type"
            raise UnsupportedMediaType(f"a POST body must be {FORM} or {SPARQL_QUERY}, not {shown}")
    if _values(params, "update") or _values(params, "using-graph-uri"):
        raise ReadOnly("this endpoint is read-only: SPARQL Update requests are not accepted")
    queries = _values(params, "query")
    if len(queries) > 1:
        raise RequestError(f"a request holds one query; this one holds {len(queries)}")
    formats = _values(params, "format")
    default_graphs = tuple(
        check_iri(v, "default-graph-uri") for v in _values(params, "default-graph-uri")
    )
    named_graphs = tuple(
        check_iri(v, "named-graph-uri") for v in _values(params, "named-graph-uri")
    )
    if not queries:
        if default_graphs or named_graphs:
            raise RequestError("default-graph-uri or named-graph-uri given without a query")
        return QueryRequest(None, formats=tuple(formats))
    if max_query_bytes is not None:
        _check_length(queries[0], max_query_bytes)
    if not queries[0].strip():
        raise RequestError("the query is empty")
    return QueryRequest(queries[0], default_graphs, named_graphs, formats=tuple(formats))


def _check_length(query: str, limit: int) -> None:
    size = len(query) if len(query) * 4 <= limit else len(query.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise PayloadTooLarge(
            f"the query is {size} bytes long; the limit is {limit} (KGGRAPH_MAX_QUERY_BYTES)"
        )
