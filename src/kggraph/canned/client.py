"""A client for a server's canned queries (``GET /queries``, ``GET /queries/<name>``).

``kggraph query --name`` uses it. Parameter names and values are checked here, with the same
typed conversion as the server (``kggraph.canned.params``), before any request is sent, so a typo
or a value of the wrong type is reported at once and the server only ever sees valid calls.
HTTP errors come back as ``QueryError`` carrying the server's own one-line message.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any

from kggraph import __version__
from kggraph.canned.catalogue import CannedQuery, Parameter
from kggraph.canned.params import bind
from kggraph.core.errors import InvalidArgument, QueryError
from kggraph.core.formats import BY_NAME, AnswerKind, default_format, kind_of_form, lookup
from kggraph.query.client import ClientAnswer, Table
from kggraph.query.reader import classify

SPARQL_PATH = "/sparql"
QUERIES_PATH = "/queries"
PROBLEM_JSON = "application/problem+json"
"""How the server's JSON APIs refuse (RFC 9457): ``detail`` says why."""
OUTPUTS = ("table", "csv", "json", "turtle")
"""``--format``: ``table`` asks for the default format of the answer's kind (SPARQL JSON, shown
as a table, or Turtle); the others name a format (``json`` is JSON-LD for a graph)."""


def api_base(endpoint: str) -> str:
    """The server's root from its SPARQL endpoint URL (``…/sparql`` → ``…``)."""
    parts = urllib.parse.urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidArgument(f"the endpoint must be an http(s) URL, not {endpoint!r}")
    path = parts.path.rstrip("/").removesuffix(SPARQL_PATH)
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def parse_params(pairs: Iterable[str]) -> dict[str, str]:
    """``key=value`` options as a mapping; each key once."""
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise InvalidArgument(f"--param takes key=value, not {pair!r}")
        if name in given:
            raise InvalidArgument(f"--param {name} is given twice")
        given[name] = value
    return given


def find(queries: Iterable[CannedQuery], name: str) -> CannedQuery:
    """The query called ``name``, or an error listing the names there are."""
    known = list(queries)
    for query in known:
        if query.slug == name:
            return query
    names = ", ".join(q.slug for q in known) or "none"
    raise InvalidArgument(f"there is no canned query {name!r}; the canned queries are: {names}")


def fetch_catalogue(base: str, *, timeout: float = 60) -> tuple[CannedQuery, ...]:
    """The canned queries a server offers, from its ``GET /queries``."""
    document = json.loads(_get(base + QUERIES_PATH, timeout=timeout)[0])
    return tuple(_from_json(entry) for entry in document.get("queries", []))


def run_canned(
    base: str,
    query: CannedQuery,
    given: Mapping[str, str],
    *,
    output: str = "table",
    timeout: float = 60,
) -> ClientAnswer:
    """Check ``given`` against the query's parameters, then ask the server for the answer."""
    if output not in OUTPUTS:
        raise InvalidArgument(f"unknown output {output!r}; use one of: {', '.join(OUTPUTS)}")
    bind(query, given)  # raises before any request if a name or a value is wrong
    kind = kind_of_form(classify(query.text).kind)
    fmt = default_format(kind) if output == "table" else lookup(output, kind)
    if fmt is None:
        what = "a graph" if kind is AnswerKind.GRAPH else "a results table"
        raise InvalidArgument(f"--format {output} does not fit {query.slug}, which answers {what}")
    asked = {**given, "format": fmt.short_names[0]}
    url = f"{base}{QUERIES_PATH}/{query.slug}?" + urllib.parse.urlencode(asked)
    body, content_type = _get(url, timeout=timeout)
    if output == "table" and content_type.startswith(BY_NAME["sparql-json"].media_type):
        return tabulate(json.loads(body))
    return ClientAnswer(text=body)


def tabulate(document: dict[str, Any]) -> ClientAnswer:
    """A SPARQL JSON answer as a table (or a boolean), language tags kept as ``text@en``."""
    if "boolean" in document:
        return ClientAnswer(boolean=bool(document["boolean"]))
    variables = [str(v) for v in document.get("head", {}).get("vars", [])]
    rows = [[_cell(b.get(v)) for v in variables] for b in document["results"]["bindings"]]
    return ClientAnswer(table=Table(variables, rows))


def _cell(term: dict[str, str] | None) -> str | None:
    if term is None:
        return None
    if "xml:lang" in term:
        return f"{term['value']}@{term['xml:lang']}"
    return term.get("value", "")


def _from_json(entry: dict[str, Any]) -> CannedQuery:
    params = tuple(
        Parameter(str(p["name"]), str(p["type"]), str(p["default"]), str(p.get("description", "")))
        for p in entry.get("parameters", [])
    )
    return CannedQuery(
        str(entry["name"]),
        str(entry.get("title", "")),
        str(entry.get("description", "")),
        params,
        str(entry.get("sparql", "")),
    )


def server_message(status: int, reason: str, content_type: str, body: str) -> str:
    """The server's one line about an error: ``STATUS Title: detail`` from a problem document
    (RFC 9457, how ``/queries`` refuses), else the first line of its text, else the status."""
    fallback = f"{status} {reason}"
    if content_type.startswith(PROBLEM_JSON):
        try:
            document = json.loads(body)
        except ValueError:
            return fallback
        if isinstance(document, dict) and isinstance(document.get("detail"), str):
            title = document.get("title") or reason
            return f"{document.get('status', status)} {title}: {document['detail']}"
        return fallback
    lines = body.strip().splitlines()
    return lines[0] if lines else fallback


def _get(url: str, *, timeout: float) -> tuple[str, str]:
    """The body and ``Content-Type`` of ``GET url``; an error status raises ``QueryError``."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise InvalidArgument(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, headers={"User-Agent": f"kggraph/{__version__}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read().decode("utf-8")
            return body, str(response.headers.get("Content-Type", ""))
    except urllib.error.HTTPError as err:
        text = err.read().decode("utf-8", "replace")
        content_type = err.headers.get("Content-Type", "")
        raise QueryError(server_message(err.code, str(err.reason), content_type, text)) from None
    except urllib.error.URLError as err:
        raise QueryError(f"cannot reach {url}: {err.reason}") from None
    except TimeoutError:
        raise QueryError(f"no answer from {url} within {timeout:g} s") from None
