"""The map (``kggraph.network.places``, ``/explore/map``): which places are points, what their
counts are, how the year filter and the country colours work, on a small project with links
data of its own; then the JSON, the page and a place page's locator on the real build."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from kggraph.core.config import Settings
from kggraph.core.namespaces import ID_IRI, sparql_prologue
from kggraph.graph.release import Release
from kggraph.graph.store import OxigraphStore
from kggraph.network.places import COLOURS, NO_COUNTRY_COLOUR, PlaceMap, load_places
from kggraph.publish.build import build
from tests.conftest import Server, write_small_project
from tests.htmltree import parse

PREFIXES = """\
@prefix kg:    <https://w3id.org/kggraph/ontology#> .
@prefix kgid:  <https://w3id.org/kggraph/id/> .
@prefix rdfs:  <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov:  <http://www.w3.org/ns/prov#> .
@prefix xsd:   <http://www.w3.org/2001/XMLSchema#> .
@prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix geo:   <http://www.opengis.net/ont/geosparql#> .
"""

PLACES = (
    PREFIXES
    + """
kgid:country\\/otherland a kg:Country ; rdfs:label "Otherland"@en , "他国"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:area\\/north a kg:AdministrativeArea ; rdfs:label "North Province"@en , "北州"@ja ;
    kg:containedInPlace kgid:country\\/testland ; prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:city\\/alpha a kg:City ; rdfs:label "Alpha"@en , "アルファ"@ja ;
    kg:containedInPlace kgid:area\\/north ; prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:city\\/gamma a kg:City ; rdfs:label "Gamma"@en , "ガンマ"@ja ;
    kg:containedInPlace kgid:country\\/testland ; prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:city\\/beta a kg:City ; rdfs:label "Beta"@en , "ベータ"@ja ;
    kg:containedInPlace kgid:country\\/otherland ; prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:city\\/delta a kg:City ; rdfs:label "Delta"@en , "デルタ"@ja ;
    kg:containedInPlace kgid:country\\/otherland ; prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:facility\\/plant a kg:Facility ; rdfs:label "Alpha plant"@en , "アルファ工場"@ja ;
    kg:containedInPlace kgid:city\\/alpha ; prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:org\\/alpha-city a kg:MunicipalGovernment ; rdfs:label "Alpha City"@en , "アルファ市"@ja ;
    kg:governmentOf kgid:city\\/alpha ; kg:basedIn kgid:city\\/alpha ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:org\\/beta-city a kg:MunicipalGovernment ; rdfs:label "Beta City"@en , "ベータ市"@ja ;
    kg:governmentOf kgid:city\\/beta ; kg:basedIn kgid:city\\/beta ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:city\\/alpha kg:sisterCity kgid:city\\/beta .

kgid:project\\/plant-upgrade a kg:Project ; rdfs:label "Plant upgrade"@en , "工場改修"@ja ;
    kg:implementer kgid:org\\/alpha-city ; kg:location kgid:facility\\/plant ;
    kg:startDate "2010-04-01"^^xsd:date ; kg:startDateText "平成22年4月1日"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:event\\/alpha-forum a kg:Event ; rdfs:label "Alpha forum"@en , "アルファ会議"@ja ;
    kg:location kgid:city\\/alpha ; kg:date "2015"^^xsd:gYear ; kg:dateText "平成27年"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:project\\/beta-water a kg:Project ; rdfs:label "Beta water"@en , "ベータ水道"@ja ;
    kg:implementer kgid:org\\/alpha-city ; kg:location kgid:city\\/beta ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:agreement\\/sisters a kg:Agreement ;
    rdfs:label "Sister city agreement"@en , "姉妹都市協定"@ja ;
    kg:party kgid:org\\/alpha-city , kgid:org\\/beta-city ;
    kg:agreementType kgid:concept\\/agreement-type\\/joint-statement ;
    kg:date "2012-05-01"^^xsd:date ; kg:dateText "平成24年5月1日"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:project\\/delta-waste a kg:Project ; rdfs:label "Delta waste"@en , "デルタ廃棄物"@ja ;
    kg:implementer kgid:org\\/alpha-city ; kg:location kgid:city\\/delta ;
    kg:startDate "2011-01-01"^^xsd:date ; kg:startDateText "平成23年1月1日"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
"""
)
"""Two countries; Alpha (in a province of Testland) with a plant, Gamma (Testland), Beta
(Otherland) with coordinates; Delta (Otherland) without. Alpha: a project at its plant (2010),
a forum (2015) and the sister-city agreement of its government (2012); Beta: an undated project
and the same agreement; Delta: a project (2011), at no point."""


def _point(slug: str, lat: str, long: str) -> str:
    return f"""
kgid:city\\/{slug} wgs84:lat {lat} ; wgs84:long {long} ;
    geo:hasGeometry kgid:geometry\\/city\\/{slug} .
kgid:geometry\\/city\\/{slug} a geo:Geometry ;
    geo:asWKT "POINT({long} {lat})"^^geo:wktLiteral .
"""


LINKS = PREFIXES + "".join(
    _point(*p)
    for p in (("alpha", "10.5", "100.25"), ("beta", "-20.0", "30.0"), ("gamma", "12.0", "101.0"))
)
ALPHA, BETA, GAMMA = (ID_IRI + f"city/{c}" for c in ("alpha", "beta", "gamma"))
TESTLAND, OTHERLAND = ID_IRI + "country/testland", ID_IRI + "country/otherland"


@pytest.fixture(scope="module")
def small_map(tmp_path_factory: pytest.TempPathFactory) -> PlaceMap:
    root = write_small_project(tmp_path_factory.mktemp("map"), places=PLACES, links=LINKS)
    result = build(Settings(root=root, output=root / "dist"))
    return load_places(OxigraphStore(Release(result.release).open_store()))


def _by_iri(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    places = document["places"]
    assert isinstance(places, list)
    return {p["iri"]: p for p in places}


def test_the_points_are_the_places_with_coordinates(small_map: PlaceMap) -> None:
    assert [p.iri for p in small_map.places] == [ALPHA, BETA, GAMMA]  # by label; Delta has none
    alpha = small_map.places[0]
    assert (alpha.lat, alpha.long, alpha.kind) == (10.5, 100.25, "City")
    assert (alpha.label, alpha.label_ja) == ("Alpha", "アルファ")


def test_a_place_counts_what_happens_in_it_or_within_it_and_its_governments_agreements(
    small_map: PlaceMap,
) -> None:
    places = _by_iri(small_map.as_json())
    assert places[ALPHA]["activities"] == [
        ID_IRI + "agreement/sisters",
        ID_IRI + "event/alpha-forum",
        ID_IRI + "project/plant-upgrade",  # at the plant, which is in Alpha
    ]
    assert places[BETA]["activities"] == [
        ID_IRI + "agreement/sisters",
        ID_IRI + "project/beta-water",
    ]
    assert [places[c]["count"] for c in (ALPHA, BETA, GAMMA)] == [3, 2, 0]
    assert (places[ALPHA]["organisations"], places[GAMMA]["organisations"]) == (1, 0)
    assert small_map.as_json()["elsewhere"] == 1  # Delta's project, at no point


def test_up_to_a_year_keeps_what_began_by_then_and_drops_the_undated(small_map: PlaceMap) -> None:
    assert small_map.years() == (2010, 2015)
    counts = {
        year: [p["count"] for p in _by_iri(small_map.as_json(year)).values()]
        for year in (2009, 2010, 2012, 2015)
    }
    assert counts == {2009: [0, 0, 0], 2010: [1, 0, 0], 2012: [2, 1, 0], 2015: [3, 1, 0]}
    assert small_map.as_json(2012)["to_year"] == 2012
    assert [small_map.elsewhere(y) for y in (2010, 2011, None)] == [0, 1, 1]


def test_points_are_coloured_by_country_the_country_with_most_points_first(
    small_map: PlaceMap,
) -> None:
    document = small_map.as_json()
    places = _by_iri(document)
    assert [places[c]["country"] for c in (ALPHA, BETA, GAMMA)] == [TESTLAND, OTHERLAND, TESTLAND]
    assert places[ALPHA]["colour"] == places[GAMMA]["colour"] == COLOURS[0]  # Testland: 2 points
    assert places[BETA]["colour"] == COLOURS[1]
    legend = [(c["label"], c["colour"], c["places"]) for c in document["countries"]]
    assert legend == [("Testland", COLOURS[0], 2), ("Otherland", COLOURS[1], 1)]
    assert NO_COUNTRY_COLOUR not in COLOURS


def test_partnerships_are_read_both_ways(small_map: PlaceMap) -> None:
    places = _by_iri(small_map.as_json())
    assert places[ALPHA]["partners"] == [
        {"iri": BETA, "label": "Beta", "kind": "sisterCity", "kind_label": "sister city"}
    ]
    assert [p["iri"] for p in places[BETA]["partners"]] == [ALPHA]
    assert places[GAMMA]["partners"] == []


# --- On the real build ----------------------------------------------------------------------


def _select(server: Server, query: str) -> list[dict[str, str]]:
    answer = httpx.get(
        server.sparql, params={"query": sparql_prologue() + query, "format": "json"}, timeout=60
    )
    answer.raise_for_status()
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def _map(server: Server, **params: str | int) -> httpx.Response:
    return httpx.get(server.url + "/explore/map.json", params=params, timeout=60)


def test_the_json_has_every_place_with_coordinates_and_sparqls_counts(server: Server) -> None:
    answer = _map(server)
    assert answer.status_code == 200
    assert answer.headers["Kggraph-Version"] == answer.json()["version"]
    places = _by_iri(answer.json())
    pointed = _select(server, "SELECT DISTINCT ?p WHERE { ?p wgs84:lat ?lat ; wgs84:long ?long }")
    assert set(places) == {r["p"] for r in pointed} and len(places) >= 20
    # Dalian, asked the documented rule in one query of our own
    (row,) = _select(
        server,
        """SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {
          { ?a kg:location/kg:containedInPlace* kgid:city\\/dalian }
          UNION { ?a a/rdfs:subClassOf* kg:Agreement ; ?r ?g . ?r rdfs:subPropertyOf* kg:party .
                  ?g kg:governmentOf/kg:containedInPlace* kgid:city\\/dalian } }""",
    )
    dalian = places[ID_IRI + "city/dalian"]
    assert dalian["count"] == int(row["n"]) > 0
    assert dalian["country"] == ID_IRI + "country/china"
    kitakyushu = places[ID_IRI + "city/kitakyushu"]
    assert {p["iri"] for p in kitakyushu["partners"]} >= {ID_IRI + "city/dalian"}


def test_the_json_counts_up_to_a_year(server: Server) -> None:
    every = _by_iri(_map(server).json())
    document = _map(server, to_year=2000).json()
    assert document["to_year"] == 2000
    then = _by_iri(document)
    assert set(then) == set(every)  # the same points; fewer activities
    assert all(then[p]["count"] <= every[p]["count"] for p in every)
    assert sum(p["count"] for p in then.values()) < sum(p["count"] for p in every.values())


def test_the_json_has_validators_and_answers_304(server: Server) -> None:
    first = _map(server, to_year=2010)
    etag = first.headers["etag"]
    again = httpx.get(
        f"{server.url}/explore/map.json?to_year=2010", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304 and again.headers["etag"] == etag and not again.content
    other = _map(server, to_year=2011)
    assert other.headers["etag"] != etag  # each year is its own answer


@pytest.mark.parametrize("value", ["abc", "0", "2012.5", ""])
def test_a_bad_year_is_a_400_that_says_why(server: Server, value: str) -> None:
    answer = _map(server, to_year=value)
    assert answer.status_code == 400
    assert "to_year" in answer.text


def test_the_page_lists_every_point_in_its_table_and_serves_its_scripts(server: Server) -> None:
    answer = httpx.get(server.url + "/explore/map", timeout=60)
    assert answer.status_code == 200
    assert "script-src 'self'" in answer.headers["Content-Security-Policy"]
    page = parse(answer.text)
    rows = page.by_id("places").iter("tr")
    assert {r.get("data-id") for r in rows} - {""} == set(_by_iri(_map(server).json()))
    sources = [s.get("src") for s in page.iter("script") if s.get("src")]
    assert all(not s.startswith(("http:", "https:", "//")) for s in sources)
    for source in [*sources, "../static/world-atlas/countries-50m.json"]:
        address = httpx.URL(server.url + "/explore/").join(source)
        assert httpx.get(address, timeout=30).status_code == 200, source


def test_a_city_page_has_a_locator_map_and_a_country_page_none(server: Server) -> None:
    city = parse(httpx.get(server.url + "/id/city/dalian", timeout=60).text)
    figure = city.by_id("locator")
    assert (figure.get("data-lat"), figure.get("data-long")) == ("38.91222", "121.60222")
    assert httpx.get(figure.get("data-atlas"), timeout=30).status_code == 200
    scripts = [s.get("src") for s in city.iter("script")]
    assert scripts[-1] == server.url + "/static/kggraph/locator.js"
    assert all(httpx.get(s, timeout=30).status_code == 200 for s in scripts)
    country = parse(httpx.get(server.url + "/id/country/china", timeout=60).text)
    assert country.having("figure", id="locator") == []
