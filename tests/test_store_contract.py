"""The store contract (issue 16, 2): kggraph answers alike on every store it runs on.

One set of tests, parametrised over the stores (``SITES``): a kggraph server on the embedded
store (the session's ``server``) and ``kggraph serve --store`` on each remote store, all on the
same real build. Each test asks a site and the embedded server the same thing and compares the
answers: the SPARQL protocol's answers (SELECT as JSON, XML and CSV, ASK, CONSTRUCT, the
default graph's size and the named graphs), a resource page, a canned query, the network's
counts and VoID's statistics. On the embedded site the comparison is with itself; there each
test's own assertion about the graph (rows found, the manifest's triple count) still holds.

Another store joins by one line in ``SITES`` naming a module-scoped fixture that gives a
``Server`` on it (e.g. ``"virtuoso": "virtuoso_site"``, with ``served_on`` from
``tests/stores.py``). Servers are module-scoped: the whole module starts one Oxigraph server
and three kggraph servers, and sends a few requests per test.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from kggraph.core.formats import BY_NAME, HTML
from kggraph.core.namespaces import GEO, ID_IRI
from kggraph.network import facts, timeline
from kggraph.publish.build import BuildResult
from kggraph.publish.to_store import RELEASE_GRAPH
from tests.conftest import ROOT, Server
from tests.stores import (
    OxigraphStore,
    oxigraph_store_fixture,  # noqa: F401 - the fixture oxigraph_store
    served_on_fixture,  # noqa: F401 - the fixture served_on
)
from tests.virtuoso import Virtuoso, virtuoso_store_fixture  # noqa: F401 - virtuoso_store

pytestmark = pytest.mark.slow

SITES = {
    "embedded": "server",
    "oxigraph": "oxigraph_site",
    "virtuoso": "virtuoso_site",
}
"""Each store the contract runs on, and the fixture that gives a kggraph server on it."""

PREFIXES = """PREFIX kg: <https://w3id.org/kggraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
COUNTRIES = (
    PREFIXES
    + """SELECT ?country ?label WHERE {
  ?country a kg:Country ; rdfs:label ?label } ORDER BY ?country ?label"""
)
LABELS = (
    PREFIXES
    + """CONSTRUCT { ?city rdfs:label ?label } WHERE {
  ?city a kg:City ; rdfs:label ?label }"""
)
ALL_TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
PAGE = "city/kitakyushu"
"""A resource page: the city at the centre of the graph."""
CANNED = "agreements-per-type"
TIMEOUT = 60
HOST = "data.example.org"
"""The ``Host`` every page is asked with, as a reverse proxy passes the client's on: a page's
links are made from it, so servers on different ports write the same pages."""


@pytest.fixture(scope="module")
def oxigraph_site(oxigraph_store: OxigraphStore, served_on: Callable[[str], Server]) -> Server:
    return served_on(oxigraph_store.query)


@pytest.fixture(scope="module")
def virtuoso_site(virtuoso_store: Virtuoso, served_on: Callable[[str], Server]) -> Server:
    return served_on(virtuoso_store.sparql)


@pytest.fixture(scope="module", params=list(SITES))
def site(request: pytest.FixtureRequest) -> Server:
    """A kggraph server on each store in turn."""
    served: Server = request.getfixturevalue(SITES[request.param])
    return served


def ask(server: Server, query: str, fmt: str) -> httpx.Response:
    answer = httpx.get(
        server.sparql,
        params={"query": query},
        headers={"Accept": BY_NAME[fmt].content_type},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text
    return answer


def rows(server: Server, query: str, fmt: str) -> list[tuple[str | None, ...]]:
    """A SELECT's rows in ``fmt``, read by pyoxigraph (each term in N-Triples form)."""
    answer = ask(server, query, fmt)
    read = ox.parse_query_results(answer.content, format=BY_NAME[fmt].results_format)
    assert isinstance(read, ox.QuerySolutions)
    names = read.variables
    return [tuple(None if row[v] is None else str(row[v]) for v in names) for row in read]


def triples(body: bytes, fmt: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(body, format=BY_NAME[fmt].rdf_format)}


def get(server: Server, path: str, **headers: str) -> httpx.Response:
    answer = httpx.get(server.url + path, headers={"Host": HOST, **headers}, timeout=TIMEOUT)
    assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:300]}"
    return answer


@pytest.mark.parametrize("fmt", ["sparql-json", "sparql-xml"])
def test_select(site: Server, server: Server, fmt: str) -> None:
    found = rows(site, COUNTRIES, fmt)
    assert len(found) > 10
    assert found == rows(server, COUNTRIES, fmt)


def test_select_csv(site: Server, server: Server) -> None:
    text = ask(site, COUNTRIES, "csv").text
    assert text.splitlines()[0] == "country,label" and len(text.splitlines()) > 10
    assert text == ask(server, COUNTRIES, "csv").text


def test_ask(site: Server) -> None:
    def boolean(query: str) -> Any:
        return ask(site, query, "sparql-json").json()["boolean"]

    assert boolean(f"ASK {{ <{ID_IRI}{PAGE}> ?p ?o }}") is True
    assert boolean(f"ASK {{ <{ID_IRI}city/atlantis> ?p ?o }}") is False


def test_construct(site: Server, server: Server) -> None:
    found = triples(ask(site, LABELS, "n-triples").content, "n-triples")
    assert len(found) > 10
    assert found == triples(ask(server, LABELS, "n-triples").content, "n-triples")


def test_the_default_graph_and_the_named_graphs(
    site: Server, server: Server, built: BuildResult
) -> None:
    """The default graph is the release's distinct triples, as the embedded store has it; the
    named graphs are the release's (a store also has its release graph)."""
    assert rows(site, ALL_TRIPLES, "sparql-json") == rows(server, ALL_TRIPLES, "sparql-json")
    assert rows(site, ALL_TRIPLES, "sparql-json")[0][0] == (
        f'"{built.manifest.triples.total}"^^<http://www.w3.org/2001/XMLSchema#integer>'
    )
    graphs = {row[0] for row in rows(site, GRAPHS, "sparql-json")} - {f"<{RELEASE_GRAPH}>"}
    assert graphs == {row[0] for row in rows(server, GRAPHS, "sparql-json")}


def test_a_resource_page(site: Server, server: Server) -> None:
    html = get(site, f"/id/{PAGE}", Accept=HTML.content_type)
    assert "Kitakyushu" in html.text
    assert html.text == get(server, f"/id/{PAGE}", Accept=HTML.content_type).text
    turtle = BY_NAME["turtle"].content_type
    found = triples(get(site, f"/id/{PAGE}", Accept=turtle).content, "turtle")
    assert len(found) > 10
    assert found == triples(get(server, f"/id/{PAGE}", Accept=turtle).content, "turtle")


GEOMETRIES = """PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?geometry ?wkt WHERE { ?geometry geo:asWKT ?wkt } ORDER BY ?geometry"""


def geometries(server: Server) -> dict[str, tuple[str, str]]:
    """Each geometry's ``geo:asWKT``: its text and its datatype, as SPARQL JSON says them."""
    found = ask(server, GEOMETRIES, "sparql-json").json()["results"]["bindings"]
    return {r["geometry"]["value"]: (r["wkt"]["value"], r["wkt"]["datatype"]) for r in found}


def test_every_geometry(site: Server, server: Server) -> None:
    """Every store gives each point back as a geo:wktLiteral with the text published (on
    Virtuoso since the release writes each number in its shortest form and ``kggraph publish``
    hands its loader ``POINT (x y)``, which it keeps in doubles)."""
    ours = geometries(server)
    assert len(ours) >= 25 and {dt for _, dt in ours.values()} == {str(GEO.wktLiteral)}
    assert geometries(site) == ours


@pytest.mark.parametrize(
    "page",
    [
        "city/kitakyushu",
        "geometry/city/kitakyushu",
        "city/davao",
        "geometry/city/davao",
        "geometry/city/cilegon",
    ],
)
@pytest.mark.parametrize("fmt", ["html", "turtle"])
def test_a_page_with_a_geometry(site: Server, server: Server, page: str, fmt: str) -> None:
    """A city's page and its point's page (HTML and Turtle) are ours on every store, the
    point's text and datatype too."""
    accept = HTML.content_type if fmt == "html" else BY_NAME[fmt].content_type
    geometry = ID_IRI + ("" if page.startswith("geometry/") else "geometry/") + page
    text = geometries(server)[geometry][0]
    ours = get(server, f"/id/{page}", Accept=accept).text
    assert text in ours or (fmt == "turtle" and page.startswith("city/"))
    found = get(site, f"/id/{page}", Accept=accept).text
    if fmt == "html":
        assert found == ours
    else:
        assert triples(found.encode(), fmt) == triples(ours.encode(), fmt)


def test_a_canned_query(site: Server, server: Server) -> None:
    accept = BY_NAME["sparql-json"].content_type
    found = get(site, f"/queries/{CANNED}", Accept=accept).json()
    assert found["results"]["bindings"]
    assert found == get(server, f"/queries/{CANNED}", Accept=accept).json()


CANNED_ALL = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
VIRTUOSO_CANNED = {
    "activities-near-place": "no GeoSPARQL: 'SR185: Undefined procedure "
    "DB.DBA.http://www.opengis.net/def/function/geosparql/distance' (our 502); Virtuoso 7.2 "
    "has bif:st_distance (km on the virtrdf:Geometry its loader makes of a geo:wktLiteral), "
    "but not as a translation: with it the 38 rows come back, Siem Reap 230.44 km from Phnom "
    "Penh where geof:distance says 230.57 (a sphere of 6367.4 km, not 6371.0), so 230 not 231",
    "shared-collaborators": "refused: 'SQ156: Internal Optimized compiler error' (our 400); "
    "rewritten, it runs and answers wrongly (its class paths spelled out: no rows instead of "
    "2; its first sub-SELECT alone: none instead of 25, kg:unitOf* meeting the parameter), and "
    "the shapes do not bound kg:unitOf's depth, so the query keeps the form that fails loudly",
}
"""What Virtuoso 7.2 answers differently to a canned query (with its default parameters), as
measured; each is checked to still differ, so a fix shows up. The others were rewritten to
answer alike (issue 16): the class hierarchy spelled out (Virtuoso lost rows where
rdfs:subClassOf* met other patterns; tests/test_canned_class_depth.py keeps it exact), joined
English names written as STRLANG(GROUP_CONCAT(STR(...)), "en") (Virtuoso dropped the
language tag), an era year cut out of the source's text rather than joined to a "年" of the
query's (Virtuoso wrote it "?"), projects-per-country's kinds counted over a sub-SELECT
(Virtuoso miscounted its OPTIONAL BINDs), and each ordered list joined right over its ordered
sub-SELECT, without DISTINCT (Virtuoso lost the order after a join, or in a
GROUP_CONCAT(DISTINCT …): Cambodia's 2019 as '令和元年 / 平成31年')."""


@pytest.mark.parametrize(
    ("name", "status", "said"),
    [
        ("activities-near-place", 502, "geosparql/distance"),
        ("shared-collaborators", 400, "SQ156"),
    ],
)
def test_what_virtuoso_cannot_run_is_said(
    virtuoso_site: Server, name: str, status: int, said: str
) -> None:
    """A canned query Virtuoso cannot run is an error of ours that names why, never a 500."""
    answer = httpx.get(
        f"{virtuoso_site.url}/queries/{name}",
        headers={"Accept": BY_NAME["sparql-json"].content_type, "Host": HOST},
        timeout=TIMEOUT,
    )
    assert answer.status_code == status, answer.text[:300]
    assert said in answer.text


def _bindings(server: Server, name: str) -> tuple[int, list[str]]:
    answer = httpx.get(
        f"{server.url}/queries/{name}",
        headers={"Accept": BY_NAME["sparql-json"].content_type, "Host": HOST},
        timeout=TIMEOUT,
    )
    if answer.status_code != 200:
        return answer.status_code, []
    found = answer.json()["results"]["bindings"]
    return 200, sorted(json.dumps(row, sort_keys=True) for row in found)


@pytest.mark.parametrize("name", CANNED_ALL)
def test_every_canned_query(
    site: Server, server: Server, name: str, request: pytest.FixtureRequest
) -> None:
    ours = _bindings(server, name)
    assert ours[0] == 200 and ours[1], name
    same = _bindings(site, name) == ours
    if request.node.callspec.params["site"] == "virtuoso" and name in VIRTUOSO_CANNED:
        assert not same, f"Virtuoso now answers {name} as the embedded store: drop it"
        pytest.xfail(VIRTUOSO_CANNED[name])
    assert same


OTHER_PARAMETERS = [
    "events-in-place?place=country/japan",
    "project-funders-in-place?place=country/cambodia",
    "project-funders-in-place?place=country/indonesia",
    "city-relations-timeline?city=city/davao",
    "city-relations-timeline?city=city/dalian",
    "projects-by-sector?sector=concept/sector/water-supply",
    "agreements-with-partners-in-country?country=country/cambodia",
    "companies-in-country?country=country/malaysia",
    "water-contracts-in-country?country=country/vietnam",
]
"""Canned queries rewritten for Virtuoso (issue 16), asked with other parameters than their
defaults: more places, kinds and hierarchy depths (a country reached through its cities)."""


@pytest.mark.parametrize("asked", OTHER_PARAMETERS)
def test_canned_queries_with_other_parameters(site: Server, server: Server, asked: str) -> None:
    ours = _bindings(server, asked)
    assert ours[0] == 200 and ours[1], asked
    assert _bindings(site, asked) == ours


def test_network_counts(site: Server, server: Server) -> None:
    found = get(site, "/network/stats").json()
    assert found and found == get(server, "/network/stats").json()


NETWORK_QUERIES = {
    **{f"facts/{name}": facts.query_text(name) for name in facts.QUERIES},
    **{f"timeline/{name}": timeline.query_text(name) for name in timeline.QUERIES},
}
"""The SELECTs the network and the timeline are read from. They join property paths with other
patterns (``rdfs:subClassOf*``, ``kg:containedInPlace*``), where Virtuoso 7.2 lost rows of the
map's queries; these it answers alike, and this keeps it so, naming the query that strays."""


@pytest.mark.parametrize("name", sorted(NETWORK_QUERIES))
def test_each_network_query(site: Server, server: Server, name: str) -> None:
    """Each alike, the durations of facts/dates too (Virtuoso 7.2 keeps one as its months, and
    the dialect writes them as the duration published)."""
    text = NETWORK_QUERIES[name]
    ours = sorted(rows(server, text, "sparql-json"), key=str)
    assert ours or name == "facts/bare_memberships", name  # the release has no bare membership
    assert sorted(rows(site, text, "sparql-json"), key=str) == ours


@pytest.mark.parametrize(
    "path",
    [
        "/search?q=Haiphong",
        "/explore/timeline.json",
        "/explore/map.json",
        "/network",
        "/network/stats?from_year=2020",
        f"/fragments?subject={ID_IRI}{PAGE}",
        "/id/city/",
    ],
)
def test_the_other_features(site: Server, server: Server, path: str) -> None:
    """Search, the timeline, the map, the network (with a period), a triple pattern fragment
    and an index page answer the same on every store (the fragment in TriG: its triples and
    its Hydra controls). Virtuoso 7.2 differed twice here: it lost rows of the map where a
    property path joined other patterns (the map now reads each hierarchy's plain edges and
    closes it in Python, ``kggraph.network.place_rows``), and it gave the release's durations
    back as numbers of months, so two Davao projects lost their end year (the dialect now writes
    them as the durations published)."""
    accept = {"/fragments": BY_NAME["trig"].content_type, "/id/city/": HTML.content_type}
    asked = accept.get(path.split("?")[0], "*/*")
    found = get(site, path, Accept=asked).content
    assert len(found) > 200
    assert found == get(server, path, Accept=asked).content


def test_a_browser_gets_the_results_page(site: Server, server: Server) -> None:
    found = httpx.get(
        site.sparql,
        params={"query": COUNTRIES},
        headers={"Accept": HTML.content_type, "Host": HOST},
        timeout=TIMEOUT,
    )
    assert found.status_code == 200 and "<table" in found.text
    ours = httpx.get(
        server.sparql,
        params={"query": COUNTRIES},
        headers={"Accept": HTML.content_type, "Host": HOST},
        timeout=TIMEOUT,
    )
    assert found.text == ours.text


def test_void_statistics(site: Server, server: Server, built: BuildResult) -> None:
    turtle = BY_NAME["turtle"].content_type
    found = triples(get(site, "/.well-known/void", Accept=turtle).content, "turtle")
    counts = {
        int(t.object.value) for t in found if t.predicate.value == "http://rdfs.org/ns/void#triples"
    }
    assert built.manifest.triples.total in counts
    assert found == triples(get(server, "/.well-known/void", Accept=turtle).content, "turtle")


def test_two_web_processes_on_one_store_agree(
    oxigraph_site: Server, oxigraph_store: OxigraphStore, served_on: Callable[[str], Server]
) -> None:
    """A second ``kggraph serve --store`` on the same Oxigraph gives the same ETag for a page
    and a canned query, and a 304 for the first one's."""
    other = served_on(oxigraph_store.query)
    for path in (f"/id/{PAGE}", f"/queries/{CANNED}"):
        first = get(oxigraph_site, path)
        second = get(other, path)
        assert first.headers["ETag"] and first.headers["ETag"] == second.headers["ETag"]
        assert first.content == second.content
        again = httpx.get(
            other.url + path,
            headers={"Host": HOST, "If-None-Match": first.headers["ETag"]},
            timeout=TIMEOUT,
        )
        assert again.status_code == 304 and again.content == b""
