"""Run one query on a pyoxigraph store and serialise its answer, cut off at the row limit.

SELECT answers are written by pyoxigraph's own result serialisers (JSON, XML, CSV, TSV), so
every format follows the W3C specifications exactly as pyoxigraph implements them. The row limit
is kept without walking the rows in Python (which cost more than the query itself on a lookup,
measured): the serialiser writes into ``_RowCounter``, which counts a mark that every row but
the first adds (an upper bound on the rows, see ``ROW_MARKS``). Only when that bound passes the
limit is the query run again and its rows taken one by one up to the limit
(``serialize_solutions``). Graph answers go through ``ox.serialize`` (Turtle, N-Triples,
JSON-LD, RDF/XML, and N-Quads/TriG with the triples in the default graph).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from itertools import islice
from typing import IO, cast

import pyoxigraph as ox

from kggraph.bindings import substitutions
from kggraph.executor import Answer, QueryTask
from kggraph.formats import BY_NAME, AnswerKind, Format, default_format
from kggraph.namespaces import PREFIXES
from kggraph.sparql import syntax_error

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

RESULT_FORMATS = {
    "sparql-json": ox.QueryResultsFormat.JSON,
    "sparql-xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "n-triples": ox.RdfFormat.N_TRIPLES,
    "json-ld": ox.RdfFormat.JSON_LD,
    "rdf-xml": ox.RdfFormat.RDF_XML,
    "n-quads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
}
_WITH_PREFIXES = {"turtle", "trig", "rdf-xml"}
_QUAD_FORMATS = {"n-quads", "trig"}

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples


def run_query(store: ox.Store, task: QueryTask) -> Result:
    """Parse and start the query over the task's dataset (by default the store's default graph,
    which ``Release.open_store`` fills with the merged graph, and all its named graphs), its
    ``bindings`` substituted as RDF terms (SEP-0007)."""
    bound = substitutions(task.bindings) or None
    try:
        if task.has_dataset:
            return store.query(
                task.query,
                default_graph=[ox.NamedNode(g) for g in task.default_graphs],
                named_graphs=[ox.NamedNode(g) for g in task.named_graphs],
                substitutions=bound,
            )
        return store.query(task.query, substitutions=bound)
    except SyntaxError as err:
        raise syntax_error(err) from None


def execute(store: ox.Store, task: QueryTask, *, max_rows: int) -> Answer:
    """Run the task and serialise its answer in the task's format (or its kind's default)."""
    result = run_query(store, task)
    wanted = BY_NAME[task.format]
    if isinstance(result, ox.QueryTriples):
        return write_triples(store, task, result, _fit(wanted, AnswerKind.GRAPH), max_rows=max_rows)
    fmt = _fit(wanted, AnswerKind.RESULTS)
    if isinstance(result, ox.QueryBoolean):
        return Answer(as_bytes(result.serialize(format=RESULT_FORMATS[fmt.name])), fmt.name, rows=1)
    return write_solutions(store, task, result, fmt, max_rows=max_rows)


def _fit(wanted: Format, kind: AnswerKind) -> Format:
    return wanted if wanted.kind is kind else default_format(kind)


ROW_MARKS = {
    "sparql-json": b"},{",
    "sparql-xml": b"<result>",
    "csv": b"\n",
    "tsv": b"\n",
}
"""Bytes each serialiser writes at least once per row (pyoxigraph writes JSON without spaces,
so ``},{`` joins two rows; XML escapes ``<`` in text; CSV and TSV end each line with a newline).
A literal may hold a mark too, so the count is an upper bound: never fewer rows than counted."""


class _TooManyRows(Exception):
    """Raised from inside the serialiser once the answer may pass the row limit."""


class _RowCounter:
    """A file-like sink for pyoxigraph's serialisers that collects the bytes and counts marks."""

    __slots__ = ("chunks", "marks", "_mark", "_limit", "_tail")

    def __init__(self, mark: bytes, limit: int) -> None:
        self.chunks: list[bytes] = []
        self.marks = 0
        self._mark = mark
        self._limit = limit
        self._tail = b""

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        joined = self._tail + chunk  # a mark may straddle two writes
        self.marks += joined.count(self._mark)
        if self.marks >= self._limit:
            raise _TooManyRows
        self._tail = joined[len(joined) - len(self._mark) + 1 :]
        self.chunks.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        """pyoxigraph flushes its sink when done; the bytes are already kept."""


def write_solutions(
    store: ox.Store, task: QueryTask, solutions: ox.QuerySolutions, fmt: Format, *, max_rows: int
) -> Answer:
    """``solutions`` in ``fmt``, natively written when they fit in ``max_rows``; else the query
    is run again and cut off at the limit (``serialize_solutions``)."""
    sink = _RowCounter(ROW_MARKS[fmt.name], max_rows)
    if _fits(sink, lambda out: solutions.serialize(out, format=RESULT_FORMATS[fmt.name])):
        return Answer(b"".join(sink.chunks), fmt.name, rows=min(sink.marks + 1, max_rows))
    again = run_query(store, task)
    if not isinstance(again, ox.QuerySolutions):  # pragma: no cover - the same query
        raise TypeError("a SELECT query answered otherwise when run again")
    return serialize_solutions(again, fmt, max_rows=max_rows)


def _fits(sink: _RowCounter, write: Callable[[IO[bytes]], object]) -> bool:
    """Let a pyoxigraph serialiser ``write`` into ``sink``: True if it finished, False if the
    sink stopped it at the row limit (pyoxigraph may wrap what the sink raised)."""
    try:
        write(cast(IO[bytes], sink))
    except Exception as err:  # noqa: BLE001 - re-raised unless it is the sink's own stop
        if not _stopped(err):
            raise
        return False
    return True


def _stopped(err: BaseException | None) -> bool:
    """Whether ``err`` is, or was caused by, the sink stopping at the row limit."""
    while err is not None:
        if isinstance(err, _TooManyRows):
            return True
        err = err.__cause__ or err.__context__
    return False


def serialize_solutions(solutions: ox.QuerySolutions, fmt: Format, *, max_rows: int) -> Answer:
    """At most ``max_rows`` solutions in ``fmt``, taken one by one; ``truncated`` tells if there
    were more. The slow path, for answers that may pass the limit."""
    names = [v.value for v in solutions.variables]
    rows = list(islice(solutions, max_rows + 1))
    truncated = len(rows) > max_rows
    bindings = [
        {n: term_json(term) for n in names if (term := row[n]) is not None}
        for row in rows[:max_rows]
    ]
    document = {"head": {"vars": names}, "results": {"bindings": bindings}}
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt.name == "sparql-json":
        body = data  # already the format asked for
    else:
        parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
        body = as_bytes(parsed.serialize(format=RESULT_FORMATS[fmt.name]))
    return Answer(body, fmt.name, rows=len(bindings), truncated=truncated)


LINE_FORMATS = {"n-triples", "n-quads"}
"""Graph formats with exactly one triple per line (N-Triples lines are N-Quads lines in the
default graph), so the limit is kept by counting newlines while pyoxigraph writes."""


def write_triples(
    store: ox.Store, task: QueryTask, triples: ox.QueryTriples, fmt: Format, *, max_rows: int
) -> Answer:
    """``triples`` in ``fmt``: natively written for line formats when they fit in ``max_rows``,
    else taken one by one (``serialize_triples``), running the query again if it was begun."""
    if fmt.name not in LINE_FORMATS:
        return serialize_triples(triples, fmt, max_rows=max_rows)
    sink = _RowCounter(b"\n", max_rows + 1)
    if _fits(sink, lambda out: triples.serialize(out, format=ox.RdfFormat.N_TRIPLES)):
        return Answer(b"".join(sink.chunks), fmt.name, rows=sink.marks)
    again = run_query(store, task)
    if not isinstance(again, ox.QueryTriples):  # pragma: no cover - the same query
        raise TypeError("a graph query answered otherwise when run again")
    return serialize_triples(again, fmt, max_rows=max_rows)


def serialize_triples(triples: ox.QueryTriples, fmt: Format, *, max_rows: int) -> Answer:
    """At most ``max_rows`` triples in ``fmt``, taken one by one; ``truncated`` tells if there
    were more."""
    found = list(islice(triples, max_rows + 1))
    kept = found[:max_rows]
    items: list[ox.Triple] | list[ox.Quad] = kept
    if fmt.name in _QUAD_FORMATS:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
    prefixes = dict(PREFIXES) if fmt.name in _WITH_PREFIXES else None
    body = as_bytes(ox.serialize(items, format=GRAPH_FORMATS[fmt.name], prefixes=prefixes))
    return Answer(body, fmt.name, rows=len(kept), truncated=len(found) > max_rows)


def as_bytes(data: bytes | None) -> bytes:
    """pyoxigraph serialisers return bytes when given no output file."""
    if data is None:  # pragma: no cover - only when an output file is passed
        raise TypeError("serialiser wrote to a file instead of returning bytes")
    return data


def term_json(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> dict[str, object]:
    """One RDF term as a SPARQL 1.1 (and SPARQL-star) JSON results term."""
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        parts = {"subject": term.subject, "predicate": term.predicate, "object": term.object}
        return {"type": "triple", "value": {k: term_json(v) for k, v in parts.items()}}
    value: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        value["xml:lang"] = term.language
        if term.direction:
            value["its:dir"] = term.direction.value
    elif term.datatype.value != XSD_STRING:
        value["datatype"] = term.datatype.value
    return value
