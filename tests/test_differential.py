"""Generated SPARQL, answered by the endpoint in every format, equals pyoxigraph's own answer.

Hypothesis writes queries from a grammar of a SPARQL subset over the release's own predicates,
classes, IRIs, label words and numbers (``tests/sparqlgen.py``). Each goes to a real server on
127.0.0.1 (the session's) in every format its form has: SELECT as SPARQL JSON, SPARQL XML, CSV
and TSV; ASK as JSON and XML; CONSTRUCT as Turtle and N-Triples, by GET, form POST and
``application/sparql-query`` POST. Each answer is read back with readers that are not
pyoxigraph's (``tests/sparqlanswers.py``) and compared with what pyoxigraph answers on the same
release, loaded as the workers load it: rows as multisets (in order where the query's ORDER BY
fixes it), graphs as sets up to blank node renaming, CSV by lexical forms, which is all it keeps.

Bounded and seeded (``EXAMPLES``, ``derandomize``), so CI runs the same queries every time; a
failure shrinks to a small query and prints it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from typing import Any

import httpx
import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, assume, given, note, settings
from hypothesis import strategies as st

from kggraph.core.config import DEFAULT_MAX_ROWS
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from tests.conftest import Server
from tests.sparqlanswers import (
    Row,
    Shape,
    Term,
    Triple,
    by_value,
    from_oxigraph,
    graph_shape,
    lexical,
    multiset,
    read_csv,
    read_json,
    read_ntriples,
    read_tsv,
    read_turtle,
    read_xml,
)
from tests.sparqlgen import LABEL, Query, Vocabulary, queries

pytestmark = pytest.mark.slow

EXAMPLES = 60
TRUNCATED = "kggraph-truncated"
CAP = 50_000
"""Most rows (or triples) of pyoxigraph's answer worth comparing; a query past this is
discarded (an invalid example to Hypothesis), one past the row limit compared as cut."""


@dataclass(frozen=True)
class Reference:
    """pyoxigraph's answer to a query on the release: rows, a boolean, or triples."""

    names: list[str] | None = None
    rows: list[Row] | None = None
    boolean: bool | None = None
    triples: list[Triple] | None = None


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    """The release as the query workers hold it (``Release.open_store``)."""
    return Release(built.release).open_store()


@pytest.fixture(scope="module")
def vocabulary(store: ox.Store) -> Vocabulary:
    return Vocabulary.of(store)


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=60) as session:
        yield session


def reference(store: ox.Store, query: Query, *, cap: int = CAP) -> Reference | None:
    """pyoxigraph's answer, or ``None`` if it holds more than ``cap`` rows or triples."""
    found = store.query(query.text)
    if isinstance(found, ox.QueryBoolean):
        return Reference(boolean=bool(found))
    if isinstance(found, ox.QueryTriples):
        triples = [_triple(t) for t in islice(found, cap + 1)]
        return Reference(triples=triples) if len(triples) <= cap else None
    names = [v.value for v in found.variables]
    rows = [{n: _maybe(solution[n]) for n in names} for solution in islice(found, cap + 1)]
    return Reference(names=names, rows=rows) if len(rows) <= cap else None


def _triple(triple: ox.Triple) -> Triple:
    return (
        from_oxigraph(triple.subject),
        from_oxigraph(triple.predicate),
        from_oxigraph(triple.object),
    )


def _maybe(term: object) -> Term | None:
    return None if term is None else from_oxigraph(term)


Send = Callable[[httpx.Client, str, str], httpx.Response]


def by_get(client: httpx.Client, query: str, accept: str) -> httpx.Response:
    return client.get("/sparql", params={"query": query}, headers={"Accept": accept})


def by_form(client: httpx.Client, query: str, accept: str) -> httpx.Response:
    return client.post("/sparql", data={"query": query}, headers={"Accept": accept})


def by_body(client: httpx.Client, query: str, accept: str) -> httpx.Response:
    headers = {"Accept": accept, "Content-Type": "application/sparql-query"}
    return client.post("/sparql", content=query.encode(), headers=headers)


@dataclass(frozen=True)
class Answered:
    """The endpoint's answer, and the row limit it was cut at (``None``: it is whole)."""

    body: bytes
    limit: int | None


def answer(client: httpx.Client, query: Query, media_type: str, send: Send) -> Answered:
    """The endpoint's answer in ``media_type``, or the test fails."""
    got = send(client, query.text, media_type)
    assert got.status_code == 200, f"{got.status_code} {got.text[:500]}\n{query}"
    assert got.headers["content-type"].split(";")[0] == media_type, got.headers
    limit = got.headers.get(TRUNCATED)
    return Answered(got.content, int(limit) if limit is not None else None)


def agree(got: Counter[Any], expected: Counter[Any], limit: int | None) -> bool:
    """The same rows; or, for an answer cut at ``limit`` rows, that many of the expected."""
    if limit is None:
        return got == expected
    return sum(got.values()) == limit and not got - expected


def agree_in_order(got: list[Any], expected: list[Any], limit: int | None) -> bool:
    """Ordered the same way (a cut answer: as the first rows of the whole one)."""
    return got == (expected if limit is None else expected[: len(got)])


TRICKY = "".join(
    f"<https://example.org/a> <https://example.org/p> {term} .\n"
    for term in (
        '"tab\\there, \\"quoted\\", back\\\\slash\\nnew line"',
        '"北九州市"@ja',
        '"Kitakyushu"@en-GB',
        '"42"^^<http://www.w3.org/2001/XMLSchema#integer>',
        '"-1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>',
        '"1.0E3"^^<http://www.w3.org/2001/XMLSchema#double>',
        '"true"^^<http://www.w3.org/2001/XMLSchema#boolean>',
        '"2014-07"^^<http://www.w3.org/2001/XMLSchema#gYearMonth>',
        '""',
        "<https://example.org/b?x=1&y=%C3%A9>",
        "_:node",
    )
)
"""Terms the readers must read as pyoxigraph wrote them: escapes, languages, numbers in
Turtle's short forms, an empty string, an IRI with a query, a blank node."""


@pytest.mark.parametrize(
    ("name", "read"),
    [("JSON", read_json), ("XML", read_xml), ("TSV", read_tsv)],
)
def test_the_readers_read_every_kind_of_term(name: str, read: Callable[[bytes], Any]) -> None:
    """The comparison is only as good as its readers: each reads back every term as it is."""
    store = ox.Store()
    store.load(TRICKY.encode(), format=ox.RdfFormat.N_TRIPLES)
    query = "SELECT ?o ?none WHERE { ?s ?p ?o OPTIONAL { ?o ?p ?none } }"
    expected = reference(store, Query(query, "SELECT"))
    assert expected is not None
    written = store.query(query)
    assert isinstance(written, ox.QuerySolutions)
    names, rows = read(written.serialize(format=getattr(ox.QueryResultsFormat, name)))
    assert names == expected.names and len(expected.rows or ()) == 11
    assert multiset(rows, names) == multiset(expected.rows or [], names)


def test_the_csv_reader_keeps_lexical_forms_and_unbound_cells() -> None:
    store = ox.Store()
    store.load(TRICKY.encode(), format=ox.RdfFormat.N_TRIPLES)
    for query in ("SELECT ?o ?none", "SELECT ?none"):
        text = f"{query} WHERE {{ ?s ?p ?o OPTIONAL {{ ?o ?p ?none }} }}"
        expected = reference(store, Query(text, "SELECT"))
        assert expected is not None and expected.names and expected.rows
        written = store.query(text)
        assert isinstance(written, ox.QuerySolutions)
        names, cells = read_csv(written.serialize(format=ox.QueryResultsFormat.CSV))
        assert names == expected.names
        assert sorted(cells) == sorted(
            tuple(lexical(row[n]) for n in names) for row in expected.rows
        )


def test_the_graph_readers_read_every_kind_of_term() -> None:
    store = ox.Store()
    store.load(TRICKY.encode(), format=ox.RdfFormat.N_TRIPLES)
    whole = reference(store, Query("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"))
    expected = whole.triples if whole is not None else None
    assert expected is not None and len(expected) == 11
    found = store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    assert isinstance(found, ox.QueryTriples)
    triples = list(found)
    ntriples = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    assert graph_shape(read_ntriples(ntriples)) == graph_shape(expected)
    turtle = ox.serialize(triples, format=ox.RdfFormat.TURTLE)
    as_read = graph_shape(by_value(t) for t in read_turtle(turtle))
    assert as_read == graph_shape(by_value(t) for t in expected)


@pytest.mark.parametrize("order", ["", " ORDER BY ?o ?s ?p"])
def test_an_answer_cut_at_the_row_limit_is_the_start_of_the_whole(
    store: ox.Store, client: httpx.Client, order: str
) -> None:
    """Past the row limit the endpoint counts and cuts rows its own way (``kggraph.query.run``),
    which plain pyoxigraph does not: a cut answer holds as many of the whole answer's rows as
    the limit, in every format, and with ORDER BY the first of them."""
    text = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o . ?s <{LABEL}> ?label }}{order}"
    query = Query(text, "SELECT", ("o", "s", "p") if order else ())
    expected = reference(store, query)
    assert expected is not None and expected.names and expected.rows is not None
    assert len(expected.rows) > DEFAULT_MAX_ROWS
    cut = answer(client, query, "application/sparql-results+json", by_get)
    assert cut.limit == DEFAULT_MAX_ROWS
    _compare_rows(client, query, expected.names, expected.rows)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    # each example is several requests to a real server: slow by Hypothesis's measure, on purpose
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=st.data())
def test_the_endpoint_answers_as_pyoxigraph_does(
    store: ox.Store, vocabulary: Vocabulary, client: httpx.Client, data: st.DataObject
) -> None:
    query = data.draw(queries(vocabulary), label="query")
    note(f"query: {query.text}")
    expected = reference(store, query)
    assume(expected is not None)
    assert expected is not None
    if expected.boolean is not None:
        _compare_boolean(client, query, expected.boolean)
    elif expected.triples is not None:
        _compare_graph(client, query, expected.triples)
    else:
        assert expected.names is not None and expected.rows is not None
        _compare_rows(client, query, expected.names, expected.rows)


def _compare_boolean(client: httpx.Client, query: Query, expected: bool) -> None:
    as_json = read_json(answer(client, query, "application/sparql-results+json", by_get).body)
    as_xml = read_xml(answer(client, query, "application/sparql-results+xml", by_form).body)
    assert as_json is expected and as_xml is expected, query


def _compare_graph(client: httpx.Client, query: Query, expected: list[Triple]) -> None:
    as_nt = answer(client, query, "application/n-triples", by_get)
    _same_graph(graph_shape(read_ntriples(as_nt.body)), graph_shape(expected), as_nt.limit)
    by_values = graph_shape(by_value(t) for t in expected)
    for media, syntax, send in (
        ("text/turtle", "turtle", by_body),
        ("application/ld+json", "json-ld", by_form),
        ("application/rdf+xml", "xml", by_get),
    ):
        got = answer(client, query, media, send)
        read = graph_shape(by_value(t) for t in read_turtle(got.body, syntax=syntax))
        _same_graph(read, by_values, got.limit)


def _same_graph(got: Shape, expected: Shape, limit: int | None) -> None:
    """The same graph; or, for an answer cut at the row limit, part of it."""
    (ground, around), (whole, whole_around) = got, expected
    if limit is None:
        assert got == expected
    else:
        assert ground <= whole and not around - whole_around


def _compare_rows(client: httpx.Client, query: Query, names: list[str], rows: list[Row]) -> None:
    typed: dict[str, tuple[str, Send, Callable[[bytes], Any]]] = {
        "SPARQL JSON": ("application/sparql-results+json", by_get, read_json),
        "SPARQL XML": ("application/sparql-results+xml", by_form, read_xml),
        "TSV": ("text/tab-separated-values", by_body, read_tsv),
    }
    for what, (media_type, send, read) in typed.items():
        got = answer(client, query, media_type, send)
        got_names, got_rows = read(got.body)
        assert got_names == names, f"{what}: variables {got_names}, not {names}"
        same = agree(multiset(got_rows, names), multiset(rows, names), got.limit)
        assert same, f"{what}: rows differ (cut at {got.limit})"
        in_order = agree_in_order(_keys(got_rows, query), _keys(rows, query), got.limit)
        assert in_order, f"{what}: order differs"
    got = answer(client, query, "text/csv", by_get)
    got_names, got_cells = read_csv(got.body)
    assert got_names == names, f"CSV: variables {got_names}, not {names}"
    cells = [tuple(lexical(row[n]) for n in names) for row in rows]
    assert agree(Counter(got_cells), Counter(cells), got.limit), "CSV: rows differ"
    positions = [names.index(v) for v in query.order]
    in_order = agree_in_order(
        [tuple(c[i] for i in positions) for c in got_cells],
        [tuple(c[i] for i in positions) for c in cells],
        got.limit,
    )
    assert in_order, "CSV: order differs"


def _keys(rows: list[Row], query: Query) -> list[tuple[Term | None, ...]]:
    """The values the query orders by, row after row (nothing when it is unordered)."""
    return [tuple(row[v] for v in query.order) for row in rows] if query.order else []
