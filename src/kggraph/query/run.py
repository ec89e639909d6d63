"""Run one query on a pyoxigraph store and serialise its answer, cut off at the row and byte limits.

SELECT answers are written by pyoxigraph's own result serialisers (JSON, XML, CSV, TSV), so
every format follows the W3C specifications exactly as pyoxigraph implements them. The row limit
is kept without walking the rows in Python (which cost more than the query itself on a lookup,
measured): the serialiser writes into ``_RowCounter``, which counts a mark that every row but
the first adds (an upper bound on the rows, see ``ROW_MARKS``). Only when that bound passes the
limit is the query run again and its rows taken one by one up to the limit
(``serialize_solutions``). Graph answers go through ``ox.serialize`` (Turtle, N-Triples,
JSON-LD, RDF/XML, and N-Quads/TriG with the triples in the default graph).

The byte limit (``max_bytes``) is kept the same way: the sink stops the serialiser once it has
been handed more bytes, and the slow path then keeps the whole rows (or triples) that fit. An
answer cut at either limit says so (``Answer.truncated``); no answer is cut inside a row.

XML 1.0 cannot carry most control characters (U+0001…U+001F but tab and newlines) nor U+FFFE
and U+FFFF, which RDF literals may hold; pyoxigraph writes them as they are, which makes the
document malformed. An answer in SPARQL XML or RDF/XML that holds one is refused
(``NotAcceptable``, 406) with the formats that can carry it named, rather than altered.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import IO, TypeVar, cast

import pyoxigraph as ox

from kggraph.core.config import DEFAULT_MAX_ANSWER_BYTES
from kggraph.core.errors import NotAcceptable
from kggraph.core.formats import BY_NAME, AnswerKind, Format, default_format
from kggraph.core.namespaces import PREFIXES, XSD
from kggraph.query.bindings import substitutions
from kggraph.query.executor import Answer, QueryTask
from kggraph.query.reader import syntax_error

XSD_STRING = str(XSD.string)

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
_Item = TypeVar("_Item")
_Binding = dict[str, dict[str, object]]
"""One row of SPARQL JSON results: variable name → term."""


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


def execute(
    store: ox.Store,
    task: QueryTask,
    *,
    max_rows: int,
    max_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
    rows_at_most: int | None = None,
) -> Answer:
    """Run the task and serialise its answer in the task's format (or its kind's default),
    within ``max_rows`` rows (or triples) and ``max_bytes`` bytes. ``rows_at_most``: a bound on
    the rows known before the query runs (``kggraph.query.stars``); under ``max_rows`` the
    answer is written without counting rows on the way, which is the same answer sooner."""
    result = run_query(store, task)
    wanted = BY_NAME[task.format]
    limits = _Limits(max_rows, max_bytes)
    if rows_at_most is not None and rows_at_most < max_rows and _native(result, wanted):
        answer = _written_whole(result, wanted, max_rows, max_bytes)
        if answer is not None:
            return xml_checked(answer)
        result = run_query(store, task)  # past max_bytes: run again, and cut below
    if isinstance(result, ox.QueryTriples):
        fmt = _fit(wanted, AnswerKind.GRAPH)
        return xml_checked(write_triples(store, task, result, fmt, limits=limits))
    fmt = _fit(wanted, AnswerKind.RESULTS)
    if isinstance(result, ox.QueryBoolean):
        return Answer(as_bytes(result.serialize(format=fmt.results_format)), fmt.name, rows=1)
    return xml_checked(write_solutions(store, task, result, fmt, limits=limits))


def _native(result: Result, wanted: Format) -> bool:
    """Whether ``execute`` writes ``result`` with a pyoxigraph serialiser when it fits."""
    if isinstance(result, ox.QueryTriples):
        return _fit(wanted, AnswerKind.GRAPH).line_per_item
    return isinstance(result, ox.QuerySolutions)


def _written_whole(result: Result, wanted: Format, max_rows: int, max_bytes: int) -> Answer | None:
    """The answer as ``execute`` writes it natively, for one that cannot pass ``max_rows``
    (``_native``); ``None`` if it passes ``max_bytes``."""
    if isinstance(result, ox.QueryTriples):
        fmt = _fit(wanted, AnswerKind.GRAPH)
        body = as_bytes(result.serialize(format=ox.RdfFormat.N_TRIPLES))
        rows = body.count(b"\n")
    else:
        fmt = _fit(wanted, AnswerKind.RESULTS)
        body = as_bytes(cast(ox.QuerySolutions, result).serialize(format=fmt.results_format))
        rows = min(body.count(ROW_MARKS[fmt.name]) + 1, max_rows)
    return Answer(body, fmt.name, rows=rows) if len(body) <= max_bytes else None


class _Limits:
    """How much one answer may hold: rows (or triples) and bytes."""

    __slots__ = ("rows", "bytes")

    def __init__(self, rows: int, size: int) -> None:
        self.rows = rows
        self.bytes = size


INSTEAD_OF_XML = {
    AnswerKind.RESULTS: "SPARQL JSON, CSV or TSV (format=json)",
    AnswerKind.GRAPH: "Turtle, N-Triples or JSON-LD (format=ttl)",
}
"""What to ask for instead when an answer cannot be written in its XML format."""
_NOT_IN_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")
"""UTF-8 of the characters XML 1.0 has no place for (§2.2 Char): C0 controls but tab, line feed
and carriage return, and U+FFFE, U+FFFF. No byte of a longer UTF-8 sequence is below 0x80."""


def xml_checked(answer: Answer) -> Answer:
    """``answer`` unchanged, unless it is XML holding a character XML 1.0 cannot carry."""
    fmt = BY_NAME[answer.format]
    found = _NOT_IN_XML.search(answer.body) if fmt.xml else None
    if found is None:
        return answer
    char = found[0].decode("utf-8")
    raise NotAcceptable(
        f"the answer holds U+{ord(char):04X}, a character XML 1.0 cannot carry, so it cannot be "
        f"sent as {answer.format}; ask for it as {INSTEAD_OF_XML[fmt.kind]}"
    )


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


class _TooMuch(Exception):
    """Raised from inside the serialiser once the answer may pass the row or byte limit."""


class _RowCounter:
    """A file-like sink for pyoxigraph's serialisers that collects the bytes, counts marks, and
    stops the serialiser at ``limit`` marks or past ``max_bytes`` bytes."""

    __slots__ = ("chunks", "marks", "size", "_mark", "_limit", "_max_bytes", "_tail")

    def __init__(self, mark: bytes, limit: int, max_bytes: int = DEFAULT_MAX_ANSWER_BYTES) -> None:
        self.chunks: list[bytes] = []
        self.marks = 0
        self.size = 0
        self._mark = mark
        self._limit = limit
        self._max_bytes = max_bytes
        self._tail = b""

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        joined = self._tail + chunk  # a mark may straddle two writes
        self.marks += joined.count(self._mark)
        self.size += len(chunk)
        if self.marks >= self._limit or self.size > self._max_bytes:
            raise _TooMuch
        self._tail = joined[len(joined) - len(self._mark) + 1 :]
        self.chunks.append(chunk)
        return len(chunk)

    def flush(self) -> None:
        """pyoxigraph flushes its sink when done; the bytes are already kept."""


def write_solutions(
    store: ox.Store, task: QueryTask, solutions: ox.QuerySolutions, fmt: Format, *, limits: _Limits
) -> Answer:
    """``solutions`` in ``fmt``, natively written when they fit the limits; else the query is
    run again and cut off at them (``serialize_solutions``)."""
    sink = _RowCounter(ROW_MARKS[fmt.name], limits.rows, limits.bytes)
    if _fits(sink, lambda out: solutions.serialize(out, format=fmt.results_format)):
        return Answer(b"".join(sink.chunks), fmt.name, rows=min(sink.marks + 1, limits.rows))
    again = run_query(store, task)
    if not isinstance(again, ox.QuerySolutions):  # pragma: no cover - the same query
        raise TypeError("a SELECT query answered otherwise when run again")
    return serialize_solutions(again, fmt, max_rows=limits.rows, max_bytes=limits.bytes)


def _fits(sink: _RowCounter, write: Callable[[IO[bytes]], object]) -> bool:
    """Let a pyoxigraph serialiser ``write`` into ``sink``: True if it finished, False if the
    sink stopped it at a limit (pyoxigraph may wrap what the sink raised)."""
    try:
        write(cast(IO[bytes], sink))
    except Exception as err:  # noqa: BLE001 - re-raised unless it is the sink's own stop
        if not _stopped(err):
            raise
        return False
    return True


def _stopped(err: BaseException | None) -> bool:
    """Whether ``err`` is, or was caused by, the sink stopping at a limit."""
    while err is not None:
        if isinstance(err, _TooMuch):
            return True
        err = err.__cause__ or err.__context__
    return False


def serialize_solutions(
    solutions: ox.QuerySolutions,
    fmt: Format,
    *,
    max_rows: int,
    max_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
) -> Answer:
    """At most ``max_rows`` solutions in ``fmt``, taken one by one, as many whole ones as fit
    in ``max_bytes``; ``truncated`` tells if there were more. The slow path, for answers that
    may pass a limit."""
    names = [v.value for v in solutions.variables]
    rows = (
        {n: term_json(term) for n in names if (term := row[n]) is not None} for row in solutions
    )
    bindings, truncated = _take(rows, max_rows=max_rows, max_bytes=max_bytes, size=_text_size)
    body = _solutions_body(names, bindings, fmt)
    while len(body) > max_bytes and bindings:  # the markup around the values
        bindings, truncated = bindings[: _fewer(len(bindings), len(body), max_bytes)], True
        body = _solutions_body(names, bindings, fmt)
    return Answer(body, fmt.name, rows=len(bindings), truncated=truncated)


def _solutions_body(names: list[str], bindings: list[_Binding], fmt: Format) -> bytes:
    document = {"head": {"vars": names}, "results": {"bindings": bindings}}
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt.name == "sparql-json":
        return data  # already the format asked for
    parsed = ox.parse_query_results(data, format=ox.QueryResultsFormat.JSON)
    return as_bytes(parsed.serialize(format=fmt.results_format))


def _text_size(binding: _Binding) -> int:
    """Bytes of the row's values: every format writes at least these (and markup around them),
    so a row this estimate keeps out could not have fitted."""
    return sum(len(str(term["value"]).encode("utf-8")) for term in binding.values())


def _take(
    items: Iterable[_Item], *, max_rows: int, max_bytes: int, size: Callable[[_Item], int]
) -> tuple[list[_Item], bool]:
    """The first items, up to ``max_rows`` of them and while their ``size`` (a lower bound of
    what they take written) adds up to no more than ``max_bytes``; and whether any were left
    out. Memory stays near ``max_bytes`` however big the items are."""
    taken: list[_Item] = []
    total = 0
    for item in items:
        total += size(item)
        if len(taken) == max_rows or total > max_bytes:
            return taken, True
        taken.append(item)
    return taken, False


def _fewer(count: int, size: int, max_bytes: int) -> int:
    """How many of ``count`` items to keep so that ``size`` bytes of them come under
    ``max_bytes``: in proportion, and at least one fewer than now."""
    return min(count - 1, count * max_bytes // size)


def write_triples(
    store: ox.Store, task: QueryTask, triples: ox.QueryTriples, fmt: Format, *, limits: _Limits
) -> Answer:
    """``triples`` in ``fmt``: natively written for formats of one triple per line (the limit is
    kept by counting newlines while pyoxigraph writes) when they fit the limits, else taken one
    by one (``serialize_triples``), running the query again if it was begun."""
    if not fmt.line_per_item:
        return serialize_triples(triples, fmt, max_rows=limits.rows, max_bytes=limits.bytes)
    sink = _RowCounter(b"\n", limits.rows + 1, limits.bytes)
    if _fits(sink, lambda out: triples.serialize(out, format=ox.RdfFormat.N_TRIPLES)):
        return Answer(b"".join(sink.chunks), fmt.name, rows=sink.marks)
    again = run_query(store, task)
    if not isinstance(again, ox.QueryTriples):  # pragma: no cover - the same query
        raise TypeError("a graph query answered otherwise when run again")
    return serialize_triples(again, fmt, max_rows=limits.rows, max_bytes=limits.bytes)


def serialize_triples(
    triples: ox.QueryTriples,
    fmt: Format,
    *,
    max_rows: int,
    max_bytes: int = DEFAULT_MAX_ANSWER_BYTES,
) -> Answer:
    """At most ``max_rows`` triples in ``fmt``, taken one by one, as many as fit in
    ``max_bytes``; ``truncated`` tells if there were more."""
    kept, truncated = _take(triples, max_rows=max_rows, max_bytes=max_bytes, size=_triple_size)
    body = _triples_body(kept, fmt)
    while len(body) > max_bytes and kept:  # prefixes and nesting make some formats longer
        kept, truncated = kept[: _fewer(len(kept), len(body), max_bytes)], True
        body = _triples_body(kept, fmt)
    return Answer(body, fmt.name, rows=len(kept), truncated=truncated)


def _triple_size(triple: ox.Triple) -> int:
    """Bytes of the triple's literal, if any: every format writes at least that (IRIs may be
    written shorter, as prefixed names)."""
    value = triple.object
    return len(value.value.encode("utf-8")) if isinstance(value, ox.Literal) else 0


def _triples_body(kept: list[ox.Triple], fmt: Format) -> bytes:
    items: list[ox.Triple] | list[ox.Quad] = kept
    if fmt.quads:
        items = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in kept]
    prefixes = dict(PREFIXES) if fmt.prefixed else None
    return as_bytes(ox.serialize(items, format=fmt.rdf_format, prefixes=prefixes))


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
