"""``VALUES`` blocks bind like pyoxigraph's substitutions: the fallback for a remote store.

Every parameterised canned query runs on the published build twice, once with
``substitutions`` (what the query workers do) and once as the text ``with_values`` writes
(what an executor without substitutions would send): the answers must be the same, for the
defaults and for another value of each parameter.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kggraph.canned.catalogue import CannedQuery, load_canned_queries
from kggraph.canned.params import bind
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from kggraph.query.bindings import Bindings, substitutions
from kggraph.query.values_binding import with_values

ROOT = Path(__file__).resolve().parents[1]
PARAMETERISED = [q for q in load_canned_queries(ROOT / "queries") if q.params]
OTHER_VALUES = {
    "country": "country/vietnam",
    "city": "city/surabaya",
    "place": "country/vietnam",
    "section": "source/white-paper-2025/s7",
    "org": "org/iges",
    "member": "org/iges",
    "recipient": "org/iges",
    "funder": "org/jica",
    "first": "org/iges",
    "second": "org/jica",
    "sector": "concept/sector/water-supply",
    "text": "People's",
    "fiscalYear": "2016",
    "fromYear": "2009",
    "toYear": "2011",
    "resource": "city/haiphong",
    "km": "100",
}
"""Another value for each parameter name the canned queries use."""
INTEGER = "^^<http://www.w3.org/2001/XMLSchema#integer>"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    return Release(built.release).open_store()


def rows(result: object) -> list[tuple[str | None, ...]]:
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [tuple(None if s[n] is None else str(s[n]) for n in names) for s in result]


def test_every_parameter_name_has_another_value() -> None:
    assert {p.name for q in PARAMETERISED for p in q.params} <= set(OTHER_VALUES)
    assert len(PARAMETERISED) >= 2


@pytest.mark.parametrize("query", PARAMETERISED, ids=lambda q: q.slug)
@pytest.mark.parametrize("values", ["defaults", "others"])
def test_values_blocks_answer_like_substitutions(
    store: ox.Store, query: CannedQuery, values: str
) -> None:
    given = {p.name: OTHER_VALUES[p.name] for p in query.params} if values == "others" else {}
    bindings = bind(query, given)
    substituted = rows(store.query(query.text, substitutions=substitutions(bindings)))
    assert rows(store.query(with_values(query.text, bindings))) == substituted


def test_a_single_trailing_values_clause_would_not_do(store: ox.Store) -> None:
    """Why the blocks go into every group: the label search filters in a sub-select."""
    query = next(q for q in PARAMETERISED if q.slug == "label-search")
    bindings = bind(query, {"text": "haiphong"})
    trailing = query.text + "\nVALUES ?text { " + bindings[0][1] + " }"
    substituted = rows(store.query(query.text, substitutions=substitutions(bindings)))
    assert len(rows(store.query(trailing))) > len(substituted) > 0
    assert rows(store.query(with_values(query.text, bindings))) == substituted


def bound(name: str, value: int) -> Bindings:
    return ((name, f'"{value}"{INTEGER}'),)


def test_blocks_skip_data_blocks_templates_and_sub_selects_that_hide_the_variable() -> None:
    query = (
        "CONSTRUCT { ?s <urn:p> ?y } WHERE {\n"
        "  VALUES ?s { <urn:a> <urn:b> }\n"
        "  { SELECT ?s WHERE { ?s <urn:q> ?y } }\n"  # ?y is the sub-select's own
        '  FILTER(?y > 1) # ?y in a comment { "}" }\n'
        "}"
    )
    written = with_values(query, bound("y", 2))
    block = f'VALUES (?y) {{ ("2"{INTEGER}) }}'
    assert written.count(block) == 1
    assert written.index(block) > written.index("WHERE {")
    assert "CONSTRUCT { ?s <urn:p> ?y }" in written
    assert "VALUES ?s { <urn:a> <urn:b> }" in written
    assert "{ SELECT ?s WHERE { ?s <urn:q> ?y } }" in written
    ox.Store().query(written)  # still SPARQL


def test_blocks_go_into_sub_selects_that_project_the_variable() -> None:
    store = ox.Store()
    for number, value in enumerate((3, 4, 4)):
        literal = ox.Literal(str(value), datatype=ox.NamedNode(INTEGER[3:-1]))
        store.add(ox.Quad(ox.NamedNode(f"urn:s{number}"), ox.NamedNode("urn:p"), literal))
    query = "SELECT ?y ?n WHERE { { SELECT ?y (COUNT(*) AS ?n) WHERE { ?s ?p ?y } GROUP BY ?y } }"
    written = with_values(query, bound("y", 4))
    assert written.count("VALUES (?y)") == 2
    solutions = rows(store.query(written))
    assert solutions == [(f'"4"{INTEGER}', f'"2"{INTEGER}')]
    assert solutions == rows(store.query(query, substitutions=substitutions(bound("y", 4))))


def test_without_bindings_the_text_is_unchanged() -> None:
    assert with_values("ASK { ?s ?p ?o }", ()) == "ASK { ?s ?p ?o }"
