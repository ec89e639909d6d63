"""Which queries count as a star around one IRI (``kggraph.query.stars``), and the bound on
their work read from a store's indexes. A star is answered in the web process, so what the
reader accepts must be exactly the bounded shape: every refusal here is a query that could cost
more than its data bounds."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kggraph.query.stars import PATTERN_CAP, RDF_TYPE, Star, star_of

E = "https://example.org/e"
P = "PREFIX ex: <https://example.org/>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


@pytest.mark.parametrize(
    ("query", "star"),
    [
        (
            P + "SELECT ?t ?l WHERE { ex:e a ?t ; rdfs:label ?l . }",
            Star(patterns=((E, RDF_TYPE, None), (E, LABEL, None))),
        ),
        (f"select * {{ ?s ?p <{E}> }} limit 10 offset 5", Star(patterns=((None, None, E),))),
        (
            f'ASK {{ <{E}> ?p "x"@en, "y"^^<http://t/t> , 3, true }}',
            Star(patterns=tuple((E, None, None) for _ in range(4))),
        ),
        (
            f"SELECT ?o WHERE {{ <{E}> <http://p/q> ?o ;; . ?s ?p <{E}> }}",
            Star(patterns=((E, "http://p/q", None), (None, None, E))),
        ),
        (
            f"SELECT * {{ <http://a/b> <http://p/q> <{E}> . <{E}> ?p ?o }}",
            Star(patterns=(("http://a/b", "http://p/q", E), (E, None, None))),
        ),
        (f"DESCRIBE <{E}> ex:f", None),  # ex: is not declared
        (P + f"DESCRIBE <{E}> ex:f", Star(described=(E, "https://example.org/f"))),
    ],
)
def test_stars_are_read(query: str, star: Star | None) -> None:
    assert star_of(query) == star


@pytest.mark.parametrize(
    "query",
    [
        f"SELECT DISTINCT ?p {{ <{E}> ?p ?o }}",  # may walk every combination for a few rows
        f"SELECT (COUNT(*) AS ?n) {{ <{E}> ?p ?o }}",
        f"SELECT * {{ <{E}> ?p ?o }} ORDER BY ?o",
        f"SELECT * {{ <{E}> <http://p/q>/<http://p/r> ?o }}",  # a path
        f"SELECT * {{ <{E}> <http://p/q>* ?o }}",
        f"SELECT * {{ <{E}> ^<http://p/q> ?o }}",
        f"SELECT * {{ <{E}> ?p ?o . ?o ?q ?r }}",  # the second pattern is not anchored
        f"SELECT * {{ <{E}> ?p ?o FILTER(?o != 1) }}",
        f"SELECT * {{ <{E}> ?p ?o OPTIONAL {{ ?o ?q ?r }} }}",
        f"SELECT * {{ <{E}> ?p [ ?q ?r ] }}",
        f"SELECT * FROM <http://g/> {{ <{E}> ?p ?o }}",  # noqa: S608 - SPARQL
        f"SELECT * {{ GRAPH ?g {{ <{E}> ?p ?o }} }}",
        f"SELECT * {{ SERVICE <http://s/> {{ <{E}> ?p ?o }} }}",
        f"SELECT * {{ {{ SELECT * {{ <{E}> ?p ?o }} }} }}",
        f"BASE <http://b/> SELECT * {{ <{E}> ?p ?o }}",
        "SELECT * { <e> ?p ?o }",  # relative
        f"CONSTRUCT WHERE {{ <{E}> ?p ?o }}",
        f"DESCRIBE ?x WHERE {{ ?x ?p <{E}> }}",
        f"SELECT * {{ <{E}> ?p ?o }} LIMIT 1 LIMIT 2",
        f"SELECT * {{ <{E}> ?p ?o }} extra",
        f"SELECT * {{ <{E}> ?p ?o ",  # unclosed: the engine says why
        "SELECT * { }",
        f"SELECT * {{ {' . '.join(f'<{E}> ?p{i} ?o{i}' for i in range(9))} }}",  # too many
        f"DESCRIBE {' '.join(f'<{E}{i}>' for i in range(5))}",
    ],
)
def test_anything_else_is_not_a_star(query: str) -> None:
    assert star_of(query) is None


def store_with(edges: int) -> ox.Store:
    store = ox.Store()
    e = ox.NamedNode(E)
    for i in range(edges):
        store.add(ox.Quad(e, ox.NamedNode(f"http://p/{i % 2}"), ox.Literal(str(i))))
    store.add(ox.Quad(ox.NamedNode("http://a/b"), ox.NamedNode("http://p/in"), e))
    return store


def test_the_bound_is_the_product_of_what_each_pattern_matches() -> None:
    store = store_with(10)  # five objects on each of two predicates, one triple in
    star = star_of(f"SELECT * {{ <{E}> <http://p/0> ?a ; <http://p/1> ?b ; ?p ?c }}")
    assert star is not None
    assert star.work(store, cap=10_000) == 5 * 5 * 10
    assert star.work(store, cap=100) == 101  # past the cap, counting stops
    described = star_of(f"DESCRIBE <{E}>")
    assert described is not None and described.work(store, cap=10_000) == 11


def test_a_pattern_past_its_cap_is_never_bounded() -> None:
    store = store_with(PATTERN_CAP + 1)
    star = star_of(f"SELECT * {{ <{E}> ?p ?o }}")
    assert star is not None
    assert star.work(store, cap=10**9) == 10**9 + 1
