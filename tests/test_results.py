"""SELECT answers written natively with the row limit kept (``kggraph.query.run``).

The native path counts a mark per row in the serialiser's output and falls back to taking
rows one by one when the count may pass the limit. These tests put the marks inside literals
too (where they inflate the count) and check every format at, below and above the limit
against pyoxigraph's own reading of the answer.
"""

from __future__ import annotations

import csv
import io
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest

from kggraph.core.errors import NotAcceptable
from kggraph.query.executor import QueryTask
from kggraph.query.run import ROW_MARKS, execute

ROWS = 40
SELECT = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"
TRICKY = ["},{", "<result>", "a\nb", "a\r\nb", 'x","y', "plain"]
RESULT_FORMATS = {
    "sparql-json": ox.QueryResultsFormat.JSON,
    "sparql-xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
"""Each results format and pyoxigraph's reader and writer of it, stated here apart from
``kggraph.core.formats`` so that a wrong entry there shows."""


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


def _full_size(store: ox.Store, fmt: str) -> int:
    return len(execute(store, QueryTask(SELECT, fmt), max_rows=ROWS).body)


@pytest.mark.parametrize("fmt", sorted(ROW_MARKS))
@pytest.mark.parametrize("share", [0.0, 0.3, 0.9])
def test_every_format_keeps_the_byte_limit(store: ox.Store, fmt: str, share: float) -> None:
    """Cut at the byte limit (issue 13, 10): whole rows only, the first ones, flagged as cut."""
    expected = _read(execute(store, QueryTask(SELECT, fmt), max_rows=ROWS).body, fmt)
    limit = max(int(_full_size(store, fmt) * share), 200)  # room for the head at least
    answer = execute(store, QueryTask(SELECT, fmt), max_rows=ROWS, max_bytes=limit)
    rows = _read(answer.body, fmt)
    assert len(answer.body) <= limit
    assert answer.truncated
    assert rows == expected[: len(rows)]
    assert len(rows) < ROWS


def test_an_answer_that_fits_the_byte_limit_is_whole(store: ox.Store) -> None:
    for fmt in sorted(ROW_MARKS):
        size = _full_size(store, fmt)
        answer = execute(store, QueryTask(SELECT, fmt), max_rows=ROWS, max_bytes=size)
        assert not answer.truncated and len(_read(answer.body, fmt)) == ROWS


def test_one_row_bigger_than_the_byte_limit_is_not_sent_in_part(store: ox.Store) -> None:
    """A GROUP_CONCAT row past the limit: no row at all, and the answer says it was cut."""
    query = "SELECT (GROUP_CONCAT(STR(?s)) AS ?all) WHERE { ?s ?p ?o }"
    answer = execute(store, QueryTask(query, "sparql-json"), max_rows=10, max_bytes=300)
    assert answer.truncated
    assert _read_vars(answer.body) == []
    assert len(answer.body) <= 300


@pytest.mark.parametrize("fmt", ["n-triples", "n-quads", "turtle", "json-ld", "rdf-xml", "trig"])
def test_graph_answers_keep_the_byte_limit(store: ox.Store, fmt: str) -> None:
    whole = execute(store, QueryTask(CONSTRUCT, fmt), max_rows=ROWS)
    limit = len(whole.body) // 3
    answer = execute(store, QueryTask(CONSTRUCT, fmt), max_rows=ROWS, max_bytes=limit)
    assert len(answer.body) <= limit
    assert answer.truncated
    native = {
        "n-triples": ox.RdfFormat.N_TRIPLES,
        "n-quads": ox.RdfFormat.N_QUADS,
        "turtle": ox.RdfFormat.TURTLE,
        "json-ld": ox.RdfFormat.JSON_LD,
        "rdf-xml": ox.RdfFormat.RDF_XML,
        "trig": ox.RdfFormat.TRIG,
    }[fmt]
    parsed = list(ox.parse(answer.body, format=native))
    assert 0 < len(parsed) < ROWS
    assert answer.rows == len(parsed)


def _one_literal(text: str) -> ox.Store:
    found = ox.Store()
    found.add(
        ox.Quad(
            ox.NamedNode("http://example.org/s"),
            ox.NamedNode("http://example.org/p"),
            ox.Literal(text),
        )
    )
    return found


XML_ANSWERS = [
    ("SELECT ?o WHERE { ?s ?p ?o }", "sparql-xml", "SPARQL JSON"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "rdf-xml", "Turtle"),
]


@pytest.mark.parametrize(("query", "fmt", "instead"), XML_ANSWERS)
@pytest.mark.parametrize("char", ["\x01", "\x1f", "\x0b", "\ufffe", "\uffff"])
def test_xml_answers_refuse_characters_xml_cannot_carry(
    query: str, fmt: str, instead: str, char: str
) -> None:
    """pyoxigraph would write them as they are, and no XML parser reads the answer (issue 13,
    12): refused with 406, naming the formats that carry them, which do."""
    store = _one_literal(f"a{char}b")
    with pytest.raises(NotAcceptable) as refused:
        execute(store, QueryTask(query, fmt), max_rows=10)
    assert f"U+{ord(char):04X}" in refused.value.message
    assert instead in refused.value.message
    if fmt == "sparql-xml":
        body = execute(store, QueryTask(query, "sparql-json"), max_rows=10).body
        assert [row["o"].value for row in _read_vars(body)] == [f"a{char}b"]  # type: ignore[index]
    else:
        body = execute(store, QueryTask(query, "n-triples"), max_rows=10).body
        triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        assert [t.object.value for t in triples] == [f"a{char}b"]


@pytest.mark.parametrize(("query", "fmt", "instead"), XML_ANSWERS)
def test_xml_answers_with_characters_xml_allows_parse(query: str, fmt: str, instead: str) -> None:
    text = "tab\there, DEL\x7f, NEL\x85, private\ue000, astral\U0001f600, last\ufffd"
    answer = execute(_one_literal(text), QueryTask(query, fmt), max_rows=10)
    document = ElementTree.fromstring(answer.body)  # noqa: S314 - ours; raises if malformed
    assert text in ["".join(node.itertext()) for node in document.iter()]
