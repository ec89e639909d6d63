"""The map's joins made in Python (``kggraph.network.place_rows``, issue 16) give the rows the
same joins give when SPARQL makes them with property paths.

``PATH_JOINS`` below states what each joined row set means, as the map once asked it (a store
that evaluates property paths well, such as pyoxigraph, answers it right; Virtuoso 7.2 lost
rows there). Each test runs those queries and the map's own (plain patterns, then
``map_rows``) on one pyoxigraph store and compares the rows as sets: on the real build and on a
small graph made to have every case of the hierarchies (a place two levels within a country, a
country with a point, a government of a district whose agreement counts for its city, a
sub-class and a sub-property two levels down, a narrower partnership beside a broader one, an
agreement class with a cycle above it).
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kggraph.core.namespaces import sparql_prologue
from kggraph.network.facts import Row
from kggraph.network.place_queries import SCHEMA, data_queries, schema_text
from kggraph.network.place_rows import Hierarchy, map_rows, schema_from_rows
from kggraph.publish.build import BuildResult

_LABELS = """
  OPTIONAL { ?{v} rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?{v} rdfs:label ?labelJa . FILTER(LANG(?labelJa) = "ja") }"""

PATH_JOINS = {
    "places": """
SELECT DISTINCT ?place ?class ?lat ?long ?country ?label ?labelJa WHERE {
  ?place wgs84:lat ?lat ; wgs84:long ?long ; a ?class .
  ?class rdfs:subClassOf* kg:Place .
  FILTER NOT EXISTS { ?place a ?narrower . ?narrower rdfs:subClassOf+ ?class .
                      FILTER(?narrower != ?class) }
  OPTIONAL { ?place kg:containedInPlace* ?country . ?country a kg:Country }"""
    + _LABELS.replace("{v}", "place")
    + "\n}",
    "ties": """
SELECT DISTINCT ?place ?activity ?label ?labelJa WHERE {
  ?place wgs84:lat ?lat ; wgs84:long ?long ; a ?placeClass .
  { ?activity kg:location ?where . ?where kg:containedInPlace* ?place }
  UNION
  { ?government kg:governmentOf/kg:containedInPlace* ?place .
    ?role rdfs:subPropertyOf* kg:party .
    ?activity a/rdfs:subClassOf* kg:Agreement ; ?role ?government }"""
    + _LABELS.replace("{v}", "activity")
    + "\n}",
    "located": "SELECT DISTINCT ?activity ?label ?labelJa WHERE {\n  ?activity kg:location ?w ."
    + _LABELS.replace("{v}", "activity")
    + "\n}",
    "partners": """
SELECT DISTINCT ?city ?partner ?prop WHERE {
  ?prop rdfs:subPropertyOf* kg:partnerCity .
  ?city ?prop ?partner .
  FILTER NOT EXISTS { ?city ?narrower ?partner . ?narrower rdfs:subPropertyOf+ ?prop .
                      FILTER(?narrower != ?prop) }
}""",
    "organisations": """
SELECT DISTINCT ?place ?org WHERE {
  ?place wgs84:lat ?lat ; wgs84:long ?long ; a ?placeClass .
  ?org (kg:basedIn|kg:governmentOf)/kg:containedInPlace* ?place .
}""",
}
"""Each joined row set as SPARQL with property paths (a point is a place with coordinates and
a class, as ``map_rows`` counts them)."""

SMALL = """
@prefix kg: <https://w3id.org/kggraph/ontology#> .
@prefix id: <https://w3id.org/kggraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> .

kg:City rdfs:subClassOf kg:Settlement . kg:Settlement rdfs:subClassOf kg:Place .
kg:Country rdfs:subClassOf kg:Place . kg:District rdfs:subClassOf kg:Place .
kg:Treaty rdfs:subClassOf kg:Accord . kg:Accord rdfs:subClassOf kg:Agreement , kg:Pact .
kg:Pact rdfs:subClassOf kg:Accord .
kg:signatory rdfs:subPropertyOf kg:mainParty . kg:mainParty rdfs:subPropertyOf kg:party .
kg:sisterCity rdfs:subPropertyOf kg:partnerCity .
kg:greenSisterCity rdfs:subPropertyOf kg:sisterCity .

id:land a kg:Country ; rdfs:label "Land"@en , "ランド"@ja ; wgs84:lat "1.0" ; wgs84:long "2.0" .
id:province kg:containedInPlace id:land .
id:alpha a kg:City , kg:Settlement ; kg:containedInPlace id:province ;
  rdfs:label "Alpha"@en , "Alpha"@en-GB ; wgs84:lat "10.5" ; wgs84:long "100.25" .
id:beta a kg:City ; rdfs:label "Beta"@en ; wgs84:lat "20" , "20.0" ; wgs84:long "30" .
id:ward a kg:District ; kg:containedInPlace id:alpha .
id:plant kg:containedInPlace id:ward .
id:gov-ward kg:governmentOf id:ward . id:gov-beta kg:governmentOf id:beta .
id:office kg:basedIn id:plant .
id:project kg:location id:plant ; rdfs:label "Project"@en , "プロジェクト"@ja .
id:elsewhere kg:location id:province ; rdfs:label "Elsewhere"@en .
id:treaty a kg:Treaty ; kg:signatory id:gov-ward , id:gov-beta ; rdfs:label "Treaty"@en .
id:note kg:party id:gov-beta .
id:alpha kg:greenSisterCity id:beta ; kg:sisterCity id:beta .
id:beta kg:partnerCity id:alpha .
"""


def _rows(store: ox.Store, text: str) -> list[Row]:
    answer = store.query(text)
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    return [
        {n: t.value for n in names if isinstance(t := row[n], ox.NamedNode | ox.Literal)}
        for row in answer
    ]


def _joined(store: ox.Store) -> dict[str, list[Row]]:
    schema = schema_from_rows({n: _rows(store, schema_text(n)) for n in SCHEMA})
    texts = data_queries(schema.roles, schema.agreements, schema.partnerships)
    return map_rows(schema, {name: _rows(store, text) for name, text in texts.items()})


def _as_set(rows: list[Row]) -> set[tuple[tuple[str, str], ...]]:
    return {tuple(sorted(row.items())) for row in rows}


def _compare(store: ox.Store) -> dict[str, list[Row]]:
    joined = _joined(store)
    for name, text in PATH_JOINS.items():
        expected = _as_set(_rows(store, sparql_prologue() + text))
        assert _as_set(joined[name]) == expected, name
        assert len(joined[name]) == len(expected), f"{name}: a row twice"
    return joined


def test_the_real_build_joins_as_the_paths_do(built: BuildResult) -> None:
    store = ox.Store()
    store.bulk_load(path=built.release / "kggraph.nt", format=ox.RdfFormat.N_TRIPLES)
    joined = _compare(store)
    assert len(joined["places"]) > 20 and len(joined["ties"]) > 50


@pytest.fixture(scope="module")
def small() -> dict[str, list[Row]]:
    store = ox.Store()
    store.load(SMALL.encode(), format=ox.RdfFormat.TURTLE)
    return _compare(store)


def test_every_case_of_the_hierarchies_joins_as_the_paths_do(small: dict[str, list[Row]]) -> None:
    ids = "https://w3id.org/kggraph/id/"
    kg = "https://w3id.org/kggraph/ontology#"
    places = {(r["place"], r["class"], r.get("country")) for r in small["places"]}
    assert (ids + "alpha", kg + "City", ids + "land") in places  # two levels up, narrowest class
    assert (ids + "alpha", kg + "Settlement", ids + "land") not in places
    assert (ids + "land", kg + "Country", ids + "land") in places  # a country is in itself
    assert (ids + "beta", kg + "City", None) in places  # in no country
    ties = {(r["place"], r["activity"]) for r in small["ties"]}
    # the ward's government signs for Alpha, the district's city; a bare kg:party note is no
    # agreement; a project at a plant in the ward counts for Alpha and the land
    assert ties == {
        (ids + "alpha", ids + "treaty"),
        (ids + "beta", ids + "treaty"),
        (ids + "alpha", ids + "project"),
        (ids + "land", ids + "project"),
        (ids + "land", ids + "elsewhere"),
        (ids + "land", ids + "treaty"),
    }
    partners = {(r["city"], r["partner"], r["prop"]) for r in small["partners"]}
    assert partners == {
        (ids + "alpha", ids + "beta", kg + "greenSisterCity"),
        (ids + "beta", ids + "alpha", kg + "partnerCity"),
    }


def test_a_hierarchy_closes_over_cycles() -> None:
    found = Hierarchy([("a", "b"), ("b", "c"), ("c", "b")])
    assert found.above("a") == {"b", "c"}
    assert found.at_or_above("a") == {"a", "b", "c"}
    assert found.at_or_under("c") == {"a", "b", "c"}
    assert found.above("z") == frozenset() and found.at_or_under("z") == {"z"}
