"""SELECT answers written natively with the row limit kept (``kggraph.results``).

The native path counts a mark per row in the serialiser's output and falls back to taking
rows one by one when the count may pass the limit. These tests put the marks inside literals
too (where they inflate the count) and check every format at, below and above the limit
against pyoxigraph's own reading of the answer.
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from kggraph.executor import QueryTask
from kggraph.results import RESULT_FORMATS, ROW_MARKS, execute

ROWS = 40
SELECT = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"
TRICKY = ["},{", "<result>", "a\nb", "a\r\nb", 'x","y', "plain"]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """``ROWS`` subjects whose literals hold every format's row mark, and newlines."""
    found = ox.Store()
    for i in range(ROWS):
        subject = ox.NamedNode(f"http://example.org/s{i:03}")
        text = TRICKY[i % len(TRICKY)]
        found.add(ox.Quad(subject, ox.NamedNode("http://example.org/p"), ox.Literal(text)))
    return found


def _read(body: bytes, fmt: str) -> list[tuple[str, str]]:
    """The rows of an answer as read back: (subject, literal) pairs (CSV by the csv module,
    since pyoxigraph reads no CSV results: the format is lossy)."""
    if fmt == "csv":
        lines = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        assert lines[0] == ["s", "o"]
        return [(s, o) for s, o in lines[1:]]
    solutions = ox.parse_query_results(body, format=RESULT_FORMATS[fmt])
    assert isinstance(solutions, ox.QuerySolutions)
    return [(row["s"].value, row["o"].value) for row in solutions]  # type: ignore[union-attr]


@pytest.mark.parametrize("fmt", sorted(ROW_MARKS))
@pytest.mark.parametrize("limit", [1, 7, ROWS - 1, ROWS, ROWS + 1, 10_000])
def test_every_format_keeps_the_row_limit(store: ox.Store, fmt: str, limit: int) -> None:
    expected = [
        (row["s"].value, row["o"].value)  # type: ignore[union-attr]
        for row in store.query(SELECT)  # type: ignore[union-attr]
    ]
    answer = execute(store, QueryTask(SELECT, fmt), max_rows=limit)
    rows = _read(answer.body, fmt)
    assert rows == expected[:limit]
    assert answer.truncated == (limit < ROWS)
    assert answer.rows >= len(rows)


def test_an_empty_answer_and_an_ask(store: ox.Store) -> None:
    empty = execute(store, QueryTask("SELECT ?s WHERE { ?s ?p 42 }", "sparql-json"), max_rows=5)
    assert _read_vars(empty.body) == []
    assert not empty.truncated
    ask = execute(store, QueryTask("ASK { ?s ?p ?o }", "sparql-json"), max_rows=1)
    assert ask.body.replace(b" ", b"").endswith(b'"boolean":true}')


def _read_vars(body: bytes) -> list[object]:
    solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    return list(solutions)


def test_the_native_path_writes_what_pyoxigraph_writes(store: ox.Store) -> None:
    """Within the limit, the answer is pyoxigraph's serialisation byte for byte."""
    for fmt, native in RESULT_FORMATS.items():
        answer = execute(store, QueryTask(SELECT, fmt), max_rows=ROWS)
        result = store.query(SELECT)
        assert isinstance(result, ox.QuerySolutions)
        assert answer.body == result.serialize(format=native)


CONSTRUCT = "CONSTRUCT { ?s <http://example.org/q> ?o } WHERE { ?s <http://example.org/p> ?o }"
GRAPH_FORMATS = {"n-triples": ox.RdfFormat.N_TRIPLES, "n-quads": ox.RdfFormat.N_QUADS}


@pytest.mark.parametrize("fmt", sorted(GRAPH_FORMATS) + ["turtle"])
@pytest.mark.parametrize("limit", [1, ROWS - 1, ROWS, ROWS + 1, 10_000])
def test_graph_answers_keep_the_triple_limit(store: ox.Store, fmt: str, limit: int) -> None:
    """Literals with newlines stay one line each, so counting lines counts triples exactly."""
    answer = execute(store, QueryTask(CONSTRUCT, fmt), max_rows=limit)
    parsed = list(ox.parse(answer.body, format=GRAPH_FORMATS.get(fmt, ox.RdfFormat.TURTLE)))
    assert len(parsed) == min(limit, ROWS)
    assert answer.truncated == (limit < ROWS)
    assert answer.rows == len(parsed)
    if limit >= ROWS:  # all of them: the same triples as the query gives
        expected = {(t.subject, t.object) for t in store.query(CONSTRUCT)}  # type: ignore[union-attr]
        assert {(t.subject, t.object) for t in parsed} == expected
