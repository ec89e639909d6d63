"""Resource pages page their incoming links, and show the links graph apart.

The paging arithmetic and the reading of ``?in=``/``?page=`` are tested on their own; the pages
on a small project of their own, built and served for real: 120 projects located in one
country and carried out by one city's government (so the country pages its ``kg:location``
links, and the city its government's ``kg:implementer`` links), and a ``data/links.ttl`` that
the build loads into the links graph. Expectations come from the project's data as written
here or from the server's SPARQL endpoint, never from what the pages print.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import httpx
import pytest

from kggraph.core.config import Settings
from kggraph.core.errors import InvalidArgument
from kggraph.core.namespaces import ID_IRI, KG, PROV
from kggraph.pages.paging import PAGE_SIZE, Asked, Window, anchor, choose, read_params
from kggraph.publish.build import build
from tests.conftest import Server, start_server, stop_server, write_small_project

HTML = {"Accept": "text/html"}
TURTLE = {"Accept": "text/turtle"}
PROJECTS = 120
COUNTRY = "/id/country/testland"
CITY = "/id/city/testville"
LOCATION = str(KG.location)

PREFIXES = """\
@prefix kg: <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
@prefix wgs84: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
"""
PLACES = """\
kgid:city\\/testville a kg:City ; rdfs:label "Testville"@en , "試験市"@ja ;
    kg:containedInPlace kgid:country\\/testland ; prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:org\\/testville-government a kg:MunicipalGovernment ;
    rdfs:label "Testville government"@en , "試験市役所"@ja ;
    kg:governmentOf kgid:city\\/testville ; prov:wasDerivedFrom kgid:source\\/small\\/s1 .
"""
LINKS = """\
kgid:country\\/testland skos:exactMatch <http://www.wikidata.org/entity/Q999999991> ;
    schema:sameAs <http://www.wikidata.org/entity/Q999999991> ; kg:iso3166Code "TL" .
kgid:city\\/testville skos:exactMatch <https://sws.geonames.org/999999992/> ;
    schema:sameAs <https://sws.geonames.org/999999992/> ;
    wgs84:lat 12.5 ; wgs84:long -3.25 ; geo:hasGeometry kgid:geometry\\/city\\/testville .
kgid:geometry\\/city\\/testville a geo:Geometry ; geo:asWKT "POINT(-3.25 12.5)"^^geo:wktLiteral .
kgid:link-source\\/test a prov:Entity ;
    rdfs:label "A test gazetteer"@en , "試験用の地名辞典"@ja .
"""


def project_label(i: int, lang: str) -> str:
    """Labels whose order differs by language: English by number, Japanese in reverse."""
    return f"Project {i:03d}" if lang == "en" else f"事業{PROJECTS + 1 - i:03d}"


def projects() -> str:
    return "".join(
        f'kgid:project\\/p{i:03d} a kg:Project ; rdfs:label "{project_label(i, "en")}"@en , '
        f'"{project_label(i, "ja")}"@ja ; kg:location kgid:country\\/testland ; '
        "kg:implementer kgid:org\\/testville-government ; "
        "prov:wasDerivedFrom kgid:source\\/small\\/s1 .\n"
        for i in range(1, PROJECTS + 1)
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = write_small_project(
        tmp_path_factory.mktemp("paging") / "project",
        many=PREFIXES + PLACES + projects(),
        links=PREFIXES + LINKS,
    )
    build(Settings(root=root, output=root / "dist"))
    running = start_server(root / "dist", root / "server.log")
    yield running
    stop_server(running)


def get(server: Server, path: str, **params: str) -> httpx.Response:
    return httpx.get(server.url + path, params=params, headers=HTML, timeout=30)


def section(text: str, name: str) -> str:
    found = re.search(rf'<section class="{name}">(.*?)</section>', text, re.DOTALL)
    assert found is not None, f"no {name} section"
    return html.unescape(found.group(1))


def shown_projects(text: str) -> list[str]:
    """The projects an incoming section lists, in the order shown."""
    return re.findall(r"/id/project/(p\d{3})", section(text, "incoming"))


def rel(text: str, kind: str) -> str | None:
    found = re.search(rf'rel="{kind}" href="([^"]+)"', text)
    return html.unescape(found.group(1)) if found else None


# --- the arithmetic and the parameters


@pytest.mark.parametrize(
    ("count", "page", "pages", "first", "last", "previous", "following"),
    [
        (0, 1, 1, 0, 0, False, False),
        (1, 1, 1, 1, 1, False, False),
        (50, 1, 1, 1, 50, False, False),
        (51, 1, 2, 1, 50, False, True),
        (51, 2, 2, 51, 51, True, False),
        (168, 3, 4, 101, 150, True, True),
        (168, 4, 4, 151, 168, True, False),
    ],
)
def test_a_window_knows_its_place(
    count: int, page: int, pages: int, first: int, last: int, previous: bool, following: bool
) -> None:
    window = Window(count, page)
    assert (window.pages, window.first, window.last) == (pages, first, last)
    assert (window.has_previous, window.has_next) == (previous, following)
    assert window.offset == (page - 1) * PAGE_SIZE
    assert window.paged == (count > PAGE_SIZE)


def test_the_parameters_name_a_property_and_a_page() -> None:
    assert read_params({}) == Asked()
    assert read_params({"in": "kg:location"}) == Asked("kg:location", 1)
    assert read_params({"in": " kg:location ", "page": "3"}) == Asked("kg:location", 3)


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"in": "kg:location", "page": "0"}, "from 1"),
        ({"in": "kg:location", "page": "-2"}, "from 1"),
        ({"in": "kg:location", "page": "two"}, "'two'"),
        ({"in": "kg:location", "page": "1e3"}, "'1e3'"),
        ({"in": "kg:location", "page": "9" * 40}, "from 1"),
        ({"page": "2"}, "in="),
        ({"in": "  "}, "name the property"),
    ],
)
def test_parameters_that_name_no_page_are_refused(params: dict[str, str], says: str) -> None:
    with pytest.raises(InvalidArgument, match=re.escape(says)):
        read_params(params)


def test_the_property_is_named_by_prefix_or_iri_and_the_page_must_exist() -> None:
    counts = {LOCATION: 120, str(PROV.wasDerivedFrom): 3}
    assert choose(Asked("kg:location", 3), counts) == (LOCATION, Window(120, 3))
    assert choose(Asked(LOCATION, 1), counts) == (LOCATION, Window(120, 1))
    assert choose(Asked(), counts) is None
    with pytest.raises(InvalidArgument, match="no page 4"):
        choose(Asked("kg:location", 4), counts)
    with pytest.raises(InvalidArgument, match="kg:location, prov:wasDerivedFrom"):
        choose(Asked("kg:party", 1), counts)
    assert anchor(LOCATION) == "in-kg-location"


# --- the pages


def test_the_first_page_shows_fifty_the_count_and_a_next_link(served: Server) -> None:
    answer = get(served, COUNTRY)
    assert answer.status_code == 200
    incoming = section(answer.text, "incoming")
    assert f"(1–{PAGE_SIZE} of {PROJECTS})" in incoming
    assert shown_projects(answer.text) == [f"p{i:03d}" for i in range(1, PAGE_SIZE + 1)]
    assert rel(answer.text, "prev") is None
    assert (
        rel(answer.text, "next") == f"{served.url}{COUNTRY}?in=kg%3Alocation&page=2#in-kg-location"
    )
    assert 'id="in-kg-location"' in answer.text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_next_links_walk_every_link_once_in_the_page_order(served: Server, lang: str) -> None:
    address: str | None = f"{served.url}{COUNTRY}?lang={lang}"
    walked: list[str] = []
    pages = 0
    while address is not None:
        answer = httpx.get(address, headers=HTML, timeout=30)
        assert answer.status_code == 200, answer.text
        walked += shown_projects(answer.text)
        address = rel(answer.text, "next")
        pages += 1
    expected = sorted(range(1, PROJECTS + 1), key=lambda i: project_label(i, lang).casefold())
    assert walked == [f"p{i:03d}" for i in expected]
    assert pages == 3


def test_a_later_page_links_back_and_says_where_it_is(served: Server) -> None:
    answer = get(served, COUNTRY, **{"in": "kg:location", "page": "3", "lang": "ja"})
    assert answer.status_code == 200
    incoming = section(answer.text, "incoming")
    assert f"(全{PROJECTS}件中 101–{PROJECTS}件)" in incoming
    assert "3ページ中3ページ目" in incoming
    assert rel(answer.text, "next") is None
    assert rel(answer.text, "prev") == (
        f"{served.url}{COUNTRY}?in=kg%3Alocation&page=2&lang=ja#in-kg-location"
    )
    assert len(shown_projects(answer.text)) == PROJECTS - 2 * PAGE_SIZE


def test_the_count_is_the_graphs_count(served: Server) -> None:
    query = f"SELECT (COUNT(?s) AS ?n) WHERE {{ ?s <{LOCATION}> <{ID_IRI}country/testland> }}"
    answer = httpx.get(served.sparql, params={"query": query, "format": "json"}, timeout=30)
    (row,) = answer.json()["results"]["bindings"]
    assert f"of {row['n']['value']})" in section(get(served, COUNTRY).text, "incoming")


def test_a_property_used_a_few_times_is_not_paged(served: Server) -> None:
    text = get(served, COUNTRY).text
    containing = section(text, "incoming").split('title="kg:containedInPlace"')[1]
    assert "/id/city/testville" in containing.split("</dd>")[0]
    assert "<nav" not in containing.split("</dd>")[0]
    assert text.count('class="paging"') == 1


def test_the_government_step_is_paged_on_the_governments_own_page(served: Server) -> None:
    text = get(served, CITY).text
    via = section(text, "via")
    assert len(re.findall(r"/id/project/p\d{3}", via)) == PAGE_SIZE
    assert f"(1–{PAGE_SIZE} of {PROJECTS})" in via
    more = re.search(r'<p class="paging"><a href="([^"]+)"', via)
    assert more is not None
    target = f"{served.url}/id/org/testville-government?in=kg%3Aimplementer&page=2"
    assert more.group(1) == f"{target}#in-kg-implementer"
    second = httpx.get(more.group(1), headers=HTML, timeout=30)
    assert second.status_code == 200
    assert f"(51–100 of {PROJECTS})" in section(second.text, "incoming")


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"in": "kg:location", "page": "4"}, "there is no page 4"),
        ({"in": "kg:location", "page": "0"}, "a page number is a whole number from 1"),
        ({"in": "kg:party"}, "nothing links to this resource with kg:party"),
        ({"page": "2"}, "say which property to page"),
    ],
)
def test_a_page_that_cannot_be_is_a_400_that_says_why(
    served: Server, params: dict[str, str], says: str
) -> None:
    answer = get(served, COUNTRY, **params)
    assert answer.status_code == 400
    assert says in answer.text


def test_an_unknown_resource_is_still_a_404_with_paging_parameters(served: Server) -> None:
    answer = get(served, "/id/country/nowhere", **{"in": "kg:location", "page": "2"})
    assert answer.status_code == 404


def test_pages_have_validators_of_their_own(served: Server) -> None:
    first, second = get(served, COUNTRY), get(served, COUNTRY, **{"in": "kg:location", "page": "2"})
    assert first.headers["etag"] != second.headers["etag"]
    again = httpx.get(
        f"{served.url}{COUNTRY}?in=kg:location&page=2",
        headers={**HTML, "If-None-Match": second.headers["etag"]},
        timeout=30,
    )
    assert again.status_code == 304
    assert second.headers["content-location"].endswith(f"{COUNTRY}.html?in=kg%3Alocation&page=2")


def test_the_rdf_description_is_never_paged(served: Server) -> None:
    answer = httpx.get(
        served.url + COUNTRY, params={"in": "kg:location", "page": "2"}, headers=TURTLE, timeout=30
    )
    assert answer.status_code == 200
    found = set(re.findall(r"project\\?/(p\d{3})", answer.text))
    assert found == {f"p{i:03d}" for i in range(1, PROJECTS + 1)}


# --- the links graph


def test_the_links_graph_has_a_section_of_its_own(served: Server) -> None:
    text = get(served, COUNTRY).text
    outside = section(text, "outside")
    assert "https://w3id.org/kggraph/graph/links" in outside
    assert 'href="http://www.wikidata.org/entity/Q999999991"' in outside
    assert "Wikidata Q999999991" in outside
    assert ">TL<" in outside
    assert "A test gazetteer" in outside
    own = section(text, "own") if '<section class="own">' in text else ""
    assert "exactMatch" not in own and "iso3166Code" not in own


def test_a_city_shows_its_coordinates_from_the_links_graph(served: Server) -> None:
    outside = section(get(served, CITY, lang="ja").text, "outside")
    assert "他のデータセットへのリンク" in outside
    assert '<data value="12.5">12.5</data>' in outside
    assert '<data value="-3.25">-3.25</data>' in outside
    assert "POINT(-3.25 12.5)" in outside
    assert 'href="https://sws.geonames.org/999999992/"' in outside
    assert "試験用の地名辞典" in outside


def test_a_page_without_links_out_has_no_such_section(served: Server) -> None:
    assert '<section class="outside">' not in get(served, "/id/project/p001").text


def test_the_description_keeps_the_links_graph(served: Server) -> None:
    answer = httpx.get(served.url + COUNTRY, headers=TURTLE, timeout=30)
    assert "Q999999991" in answer.text and '"TL"' in answer.text
