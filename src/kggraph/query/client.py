"""A SPARQL client for any endpoint (ours by default), on SPARQLWrapper.

``ask`` sends one query and returns either a table (SELECT), a boolean (ASK) or the raw bytes
of the requested format, so the CLI can print a rich table or pass the format through.
HTTP and protocol errors become ``QueryError`` with the server's own message.
"""

from __future__ import annotations

import json
import urllib.error
from dataclasses import dataclass, field
from pathlib import Path

from SPARQLWrapper import CSV, JSON, POST, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kggraph import __version__
from kggraph.core.errors import QueryError, RequestError
from kggraph.core.formats import AnswerKind, kind_of_form
from kggraph.query.reader import classify

OUTPUTS = ("table", "csv", "json", "turtle")


@dataclass(frozen=True)
class Table:
    """A SELECT answer: variable names and rows of display strings (``None`` if unbound)."""

    variables: list[str]
    rows: list[list[str | None]] = field(default_factory=list)


@dataclass(frozen=True)
class ClientAnswer:
    """What came back: a table, a boolean, or raw text in the requested format."""

    table: Table | None = None
    boolean: bool | None = None
    text: str | None = None


def read_query(query_or_file: str) -> str:
    """The query text: the argument itself, or the contents of the file it names."""
    candidate = Path(query_or_file)
    if len(query_or_file) < 4096 and "\n" not in query_or_file and candidate.is_file():
        return candidate.read_text(encoding="utf-8")
    if query_or_file.endswith(".rq"):
        raise RequestError(f"no such query file: {query_or_file}")
    return query_or_file


def ask(endpoint: str, query: str, *, output: str = "table", timeout: float = 60) -> ClientAnswer:
    """Run ``query`` at ``endpoint`` and return the answer for ``output``."""
    if output not in OUTPUTS:
        raise RequestError(f"unknown output {output!r}; use one of: {', '.join(OUTPUTS)}")
    graph = kind_of_form(classify(query).kind) is AnswerKind.GRAPH
    wrapper = SPARQLWrapper(endpoint, agent=f"kggraph/{__version__}")
    wrapper.setQuery(query)
    wrapper.setMethod(POST)
    wrapper.setTimeout(int(timeout))
    wanted = {"csv": CSV, "json": JSON, "turtle": TURTLE}.get(output, TURTLE if graph else JSON)
    wrapper.setReturnFormat(wanted)
    try:
        response = wrapper.query().response.read()
    except SPARQLWrapperException as err:
        raise QueryError(_server_message(err)) from None
    except urllib.error.URLError as err:
        raise QueryError(f"cannot reach {endpoint}: {err.reason}") from None
    text = response.decode("utf-8")
    if output != "table" or graph:
        return ClientAnswer(text=text)
    return _tabulate(json.loads(text))


def _server_message(err: SPARQLWrapperException) -> str:
    """SPARQLWrapper's error with the server's answer, without its boilerplate."""
    message = str(err)
    marker = "Response:\n"
    if marker in message:
        body = message.split(marker, 1)[1].strip()
        if body.startswith("b'") or body.startswith('b"'):
            body = body[2:-1].encode().decode("unicode_escape")
        return body.strip()
    return message


def _tabulate(document: dict[str, object]) -> ClientAnswer:
    if "boolean" in document:
        return ClientAnswer(boolean=bool(document["boolean"]))
    head = document.get("head", {})
    variables = list(head.get("vars", [])) if isinstance(head, dict) else []
    results = document.get("results", {})
    bindings = results.get("bindings", []) if isinstance(results, dict) else []
    rows = [[_display(b.get(v)) for v in variables] for b in bindings]
    return ClientAnswer(table=Table(variables, rows))


def _display(term: dict[str, str] | None) -> str | None:
    if term is None:
        return None
    value = term.get("value", "")
    if term.get("type") == "literal" and "xml:lang" in term:
        return f"{value}@{term['xml:lang']}"
    return value
