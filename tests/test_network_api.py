"""The network API (``kggraph.web.explore.network_api``) on a real server: every route and filter
agrees with ``kggraph.network.graph.build_network`` on the same release, the five exports read back
with networkx's own readers, path evidence exists in the graph, bad parameters are ``400`` and
unknown agents ``404`` (problem documents), and a new build is followed. Facts named below are the
source's (the source document, 000_5b69d3d5bab7a4e9.txt), cited by line.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import networkx as nx
import pyoxigraph as ox
import pytest

from kggraph.core.config import Settings
from kggraph.graph.release import Release
from kggraph.graph.store import OxigraphStore
from kggraph.network.analysis import ego_network, shortest_paths, simple_paths, summarise
from kggraph.network.facts import KINDS, Facts, load_facts
from kggraph.network.filters import NetworkFilter
from kggraph.network.graph import Network, build_network
from kggraph.publish.build import BuildResult, build
from tests.conftest import Server, start_server, stop_server
from tests.errorshapes import problem_of

pytestmark = pytest.mark.slow

ID = "https://w3id.org/kggraph/id/"
CITY = ID + "org/kitakyushu-city-government"
HAIPHONG = ID + "org/haiphong-peoples-committee"
JICA = ID + "org/jica"
J_FILS = ID + "company/j-fils"
SISTER_CITY_2014 = ID + "agreement/kitakyushu-haiphong-sister-city-2014"
JICA_PARTNERSHIP_2013 = ID + "agreement/kitakyushu-jica-partnership-2013"
EXPORTS = ("graphml", "gexf", "json", "nodes.csv", "edges.csv")

FILTERS: list[dict[str, Any]] = [
    {},
    {"from_year": 2015},
    {"to_year": 2012},
    {"from_year": 2014, "to_year": 2016},
    {"from_year": 2014, "to_year": 2016, "include_undated": True},
    {"country": "vietnam"},
    {"country": "https://w3id.org/kggraph/id/country/cambodia"},
    {"sector": "sewerage"},
    {"kind": ["agreement"]},
    {"kind": ["project", "membership"]},
    {"country": "ベトナム", "kind": ["project"], "to_year": 2020},
]
"""Each filter parameter alone and combined; names by slug, IRI and Japanese label."""


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    return Release(built.release).open_store()


@pytest.fixture(scope="module")
def facts(store: ox.Store) -> Facts:
    return load_facts(OxigraphStore(store))


def _expected(facts: Facts, params: dict[str, Any]) -> Network:
    """The network ``build_network`` makes for the API's query parameters."""
    return build_network(
        facts,
        NetworkFilter(
            from_year=params.get("from_year"),
            to_year=params.get("to_year"),
            country=params.get("country"),
            sector=params.get("sector"),
            kinds=tuple(params.get("kind", ())),
            include_undated=params.get("include_undated", False),
        ),
    )


def _get(server: Server, path: str, **params: Any) -> httpx.Response:
    return httpx.get(server.url + path, params=params, timeout=30)


def _ok(server: Server, path: str, **params: Any) -> httpx.Response:
    answer = _get(server, path, **params)
    assert answer.status_code == 200, answer.text
    return answer


def _edge_keys(network: Network) -> set[tuple[str, str, str]]:
    return {(e.source, e.target, e.kind) for e in network.edges}


def _json_edge_keys(document: dict[str, Any]) -> set[tuple[str, str, str]]:
    """(source, target, kind) of each edge of a Cytoscape JSON answer, the pair sorted."""
    keys = set()
    for edge in document["elements"]["edges"]:
        first, second = sorted((edge["data"]["source"], edge["data"]["target"]))
        keys.add((first, second, edge["data"]["key"]))
    return keys


# --- /network and its filters -----------------------------------------------------------------


@pytest.mark.parametrize(
    "params", FILTERS, ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items())
)
def test_network_follows_every_filter(server: Server, facts: Facts, params: dict[str, Any]) -> None:
    expected = _expected(facts, params)
    document = _ok(server, "/network", **params).json()
    nodes = {n["data"]["id"] for n in document["elements"]["nodes"]}
    assert nodes == {a.iri for a in expected.agents}
    assert _json_edge_keys(document) == _edge_keys(expected)
    assert document["data"]["nodes"] == len(expected.agents)
    assert document["data"]["edges"] == len(expected.edges)
    shown = document["data"]["filter"]
    assert shown["kinds"] == list(expected.filter.kinds)
    assert shown["from_year"] == expected.filter.from_year
    assert shown["to_year"] == expected.filter.to_year
    assert (shown["country"] or {}).get("iri") == expected.filter.country
    assert (shown["sector"] or {}).get("iri") == expected.filter.sector


def test_filters_change_the_network(facts: Facts) -> None:
    """The filters above are not all the same network: each narrows the full one."""
    full = _expected(facts, {})
    counts = {
        str(p): (len(_expected(facts, p).agents), len(_expected(facts, p).edges)) for p in FILTERS
    }
    assert len(set(counts.values())) >= len(FILTERS) - 2
    assert all(n <= len(full.agents) and e <= len(full.edges) for n, e in counts.values())


def test_network_json_reads_back_with_networkx(server: Server, facts: Facts) -> None:
    document = _ok(server, "/network").json()
    graph = nx.cytoscape_graph(document)
    expected = _expected(facts, {})
    assert graph.number_of_nodes() == len(expected.agents)
    assert graph.number_of_edges() == len(expected.edges)
    measures = {c.agent.iri: c for c in summarise(expected).centrality}
    assert graph.nodes[CITY]["degree"] == measures[CITY].degree
    assert document["data"]["years"]["first"] == min(
        a.first_year for a in facts.activities if a.first_year is not None
    )


def test_the_network_is_cacheable_and_versioned(server: Server, built: BuildResult) -> None:
    answer = _ok(server, "/network")
    assert answer.headers["kggraph-version"] == built.release.name
    assert answer.json()["data"]["version"] == built.release.name
    assert "max-age=" in answer.headers["cache-control"]


# --- /network/stats ---------------------------------------------------------------------------


def test_stats_agree_with_the_analysis(server: Server, facts: Facts) -> None:
    expected = summarise(_expected(facts, {"to_year": 2018}))
    stats = _ok(server, "/network/stats", to_year=2018, top=3).json()
    assert (stats["nodes"], stats["edges"]) == (expected.nodes, expected.edges)
    assert stats["edges_by_kind"] == dict(expected.edges_by_kind)
    assert sum(stats["edges_by_kind"].values()) == stats["edges"]
    assert (stats["pairs"], stats["components"]) == (expected.pairs, expected.components)
    assert [a["iri"] for a in stats["top"]["degree"]] == [
        c.agent.iri for c in expected.top("degree", 3)
    ]
    assert [a["iri"] for a in stats["top"]["betweenness"]] == [
        c.agent.iri for c in expected.top("betweenness", 3)
    ]
    members = [m["iri"] for c in stats["communities"] for m in c["members"]]
    assert sorted(members) == sorted(a.agent.iri for a in expected.centrality)
    assert stats["top"]["degree"][0]["iri"] == CITY  # the city is party to every agreement


# --- /network/path ----------------------------------------------------------------------------


def _exists(store: ox.Store, iri: str) -> bool:
    return bool(store.query(f"ASK {{ <{iri}> a ?type }}"))


def _involves(store: ox.Store, activity: str, agent: str) -> bool:
    """The activity names the agent (as party, participant, member…), or is the agent itself
    (a bare ``kg:memberOf``, where the organisation stands as the evidence)."""
    if activity == agent:
        return True
    return bool(store.query(f"ASK {{ <{activity}> ?role <{agent}> }}"))


def test_path_evidence_exists_in_the_graph(server: Server, facts: Facts, store: ox.Store) -> None:
    answer = _ok(server, "/network/path", **{"from": "JICA", "to": "haiphong-peoples-committee"})
    found = answer.json()
    expected = shortest_paths(_expected(facts, {}), JICA, HAIPHONG)
    assert (found["from"]["iri"], found["to"]["iri"]) == (JICA, HAIPHONG)
    assert [[a["iri"] for a in p["agents"]] for p in found["paths"]] == [
        [a.iri for a in p.agents] for p in expected
    ]
    assert found["paths"], "JICA and Haiphong are connected through the city"
    evidence = 0
    for path in found["paths"]:
        for hop in path["hops"]:
            assert hop["edges"], hop
            for edge in hop["edges"]:
                assert edge["count"] == len(edge["evidence"]) >= 1
                for activity in edge["evidence"]:
                    evidence += 1
                    assert _exists(store, activity["iri"]), activity["iri"]
                    assert _involves(store, activity["iri"], hop["source"])
                    assert _involves(store, activity["iri"], hop["target"])
    assert evidence >= 2


def test_a_direct_hop_cites_the_sister_city_agreement(server: Server) -> None:
    """Line 69: Kitakyushu and Haiphong signed a sister-city agreement in April 2014."""
    found = _ok(server, "/network/path", **{"from": "City of Kitakyushu", "to": HAIPHONG}).json()
    assert [p["length"] for p in found["paths"]] == [1]
    (hop,) = found["paths"][0]["hops"]
    agreements = next(e for e in hop["edges"] if e["kind"] == "agreement")
    cited = {a["iri"]: a for a in agreements["evidence"]}
    assert SISTER_CITY_2014 in cited
    assert cited[SISTER_CITY_2014]["first_year"] == 2014


def test_all_paths_up_to_a_length(server: Server, facts: Facts) -> None:
    params = {"from": "jica", "to": HAIPHONG, "all": "true", "max_length": 3, "kind": "agreement"}
    found = _ok(server, "/network/path", **params).json()
    network = _expected(facts, {"kind": ["agreement"]})
    expected = simple_paths(network, JICA, HAIPHONG, max_length=3)
    assert found["all"] is True and found["max_length"] == 3
    assert len(found["paths"]) == len(expected) >= 1
    assert all(1 <= p["length"] <= 3 for p in found["paths"])
    lengths = [p["length"] for p in found["paths"]]
    assert lengths == sorted(lengths)
    kinds = {e["kind"] for p in found["paths"] for h in p["hops"] for e in h["edges"]}
    assert kinds == {"agreement"}


# --- /network/ego -----------------------------------------------------------------------------


@pytest.mark.parametrize("radius", [0, 1, 2])
def test_ego_matches_the_analysis(server: Server, facts: Facts, radius: int) -> None:
    expected = ego_network(_expected(facts, {}), JICA, radius=radius)
    by_query = _ok(server, "/network/ego", agent="JICA", radius=radius).json()
    by_path = _ok(server, "/network/ego/org/jica", radius=radius).json()
    for document in (by_query, by_path):
        assert {n["data"]["id"] for n in document["elements"]["nodes"]} == set(expected.by_iri)
        assert _json_edge_keys(document) == _edge_keys(expected)
        assert document["data"]["center"]["iri"] == JICA
        assert document["data"]["radius"] == radius


# --- /network/export.{fmt} --------------------------------------------------------------------


def _read_export(fmt: str, body: bytes) -> tuple[int, int]:
    """Node and edge counts of an export, read with the standard readers."""
    if fmt == "graphml":
        graph = nx.read_graphml(io.BytesIO(body))
    elif fmt == "gexf":
        graph = nx.read_gexf(io.BytesIO(body))
    elif fmt == "json":
        graph = nx.cytoscape_graph(json.loads(body))
    else:
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
        return (len(rows), 0) if fmt == "nodes.csv" else (0, len(rows))
    return graph.number_of_nodes(), graph.number_of_edges()


@pytest.mark.parametrize("fmt", EXPORTS)
@pytest.mark.parametrize("params", [{}, {"country": "vietnam", "kind": ["agreement", "project"]}])
def test_exports_read_back_with_the_counts_of_the_network(
    server: Server, facts: Facts, fmt: str, params: dict[str, Any]
) -> None:
    answer = _ok(server, f"/network/export.{fmt}", **params)
    expected = _expected(facts, params)
    nodes, edges = _read_export(fmt, answer.content)
    if fmt != "edges.csv":
        assert nodes == len(expected.agents)
    if fmt != "nodes.csv":
        assert edges == len(expected.edges)
    assert "attachment" in answer.headers["content-disposition"]


def test_export_media_types_and_graph_content(server: Server) -> None:
    types = {fmt: _ok(server, f"/network/export.{fmt}").headers["content-type"] for fmt in EXPORTS}
    assert types["graphml"].startswith("application/graphml+xml")
    assert types["gexf"].startswith("application/gexf+xml")
    assert types["json"].startswith("application/json")
    assert types["nodes.csv"].startswith("text/csv")
    gexf = nx.read_gexf(io.BytesIO(_ok(server, "/network/export.gexf").content))
    keys = {k for u, v, k in gexf.edges(keys=True) if {u, v} == {CITY, JICA}}
    assert "agreement" in keys  # line 359-361 and the 2013 partnership agreement
    edges = csv.DictReader(io.StringIO(_ok(server, "/network/export.edges.csv").text))
    cited = [r for r in edges if {r["source"], r["target"]} == {CITY, JICA}]
    assert any(JICA_PARTNERSHIP_2013 in r["evidence"].split(" ") for r in cited)


# --- Errors -----------------------------------------------------------------------------------


BAD = [
    ("/network", {"from_year": "soon"}, "from_year"),
    ("/network", {"to_year": "2020.5"}, "to_year"),
    ("/network", {"from_year": 2020, "to_year": 2010}, "period is empty"),
    ("/network", {"country": "atlantis"}, "atlantis"),
    ("/network", {"sector": "no-such-sector"}, "no-such-sector"),
    ("/network", {"kind": "friendship"}, "kind"),
    ("/network", {"include_undated": "perhaps"}, "include_undated"),
    ("/network/stats", {"top": 0}, "top"),
    ("/network/path", {"from": "jica"}, "to"),
    ("/network/path", {"from": "jica", "to": CITY, "max_length": 9}, "max_length"),
    ("/network/ego", {"agent": "jica", "radius": -1}, "radius"),
    ("/network/ego", {}, "agent"),
    ("/network/export.xls", {}, "fmt"),
    ("/network/export.gexf", {"country": "atlantis"}, "atlantis"),
]


@pytest.mark.parametrize(("path", "params", "named"), BAD)
def test_a_bad_parameter_is_a_400_problem_naming_it(
    server: Server, path: str, params: dict[str, Any], named: str
) -> None:
    answer = _get(server, path, **params)
    assert answer.status_code == 400, answer.text
    detail = problem_of(answer)
    assert named in detail and "Traceback" not in detail


UNKNOWN = [
    ("/network/path", {"from": "jica", "to": "Nobody Inc."}, "Nobody Inc."),
    ("/network/path", {"from": "zzz-unknown", "to": "jica"}, "zzz-unknown"),
    ("/network/ego", {"agent": "Nobody Inc."}, "Nobody Inc."),
    ("/network/ego/org/nobody", {}, "org/nobody"),
    # an agent that exists, but whose only activity (line 139, 令和4年度) is after the period
    ("/network/path", {"from": "jica", "to": "j-fils", "to_year": 2010}, "not in this network"),
    ("/network/ego", {"agent": "j-fils", "to_year": 2010}, "not in this network"),
]


@pytest.mark.parametrize(("path", "params", "named"), UNKNOWN)
def test_an_unknown_agent_is_404(
    server: Server, path: str, params: dict[str, Any], named: str
) -> None:
    answer = _get(server, path, **params)
    assert answer.status_code == 404, answer.text
    assert named in problem_of(answer)


def test_the_api_is_described_in_openapi(server: Server) -> None:
    paths = _ok(server, "/openapi.json").json()["paths"]
    for route in ("/network", "/network/stats", "/network/path", "/network/ego"):
        assert route in paths
        names = {p["name"] for p in paths[route]["get"]["parameters"]}
        assert {"from_year", "to_year", "country", "sector", "kind", "include_undated"} <= names
    assert "/network/export.{fmt}" in paths


# --- The page without JavaScript, and a new build ----------------------------------------------


def test_the_page_links_to_the_data_without_javascript(server: Server) -> None:
    page = _ok(server, "/explore/network")
    html = page.text
    noscript = html[html.index("<noscript>") : html.index("</noscript>")]
    for fmt in ("graphml", "gexf", "nodes.csv", "edges.csv"):
        assert f'href="../network/export.{fmt}"' in noscript
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert 'src="../static/cytoscape/cytoscape.min.js"' in html
    script = _ok(server, "/static/cytoscape/cytoscape.min.js")
    assert "cytoscape" in script.text[:2000].lower()


EXTRA_AGREEMENT = """\
@prefix kg: <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .

kgid:agreement\\/test-jica-haiphong-2013 a kg:Agreement ;
    rdfs:label "Test agreement between JICA and Haiphong"@en , "試験用の協定"@ja ;
    kg:agreementType kgid:concept\\/agreement-type\\/cooperation-agreement ;
    kg:party kgid:org\\/jica , kgid:org\\/haiphong-peoples-committee ;
    kg:date "2013-02"^^xsd:gYearMonth ;
    kg:dateText "平成25年2月"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
"""
SMALL_NETWORK = """\
@prefix kg: <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .

kgid:org\\/kitakyushu-city-government a kg:Organization ;
    rdfs:label "City of Kitakyushu"@en , "北九州市"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:org\\/jica a kg:Organization ;
    rdfs:label "JICA"@en , "国際協力機構"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:org\\/haiphong-peoples-committee a kg:Organization ;
    rdfs:label "Haiphong People's Committee"@en , "ハイフォン市人民委員会"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .

kgid:agreement\\/kitakyushu-jica-partnership-2013 a kg:Agreement ;
    rdfs:label "Kitakyushu–JICA partnership"@en , "北九州市・JICA連携協定"@ja ;
    kg:agreementType kgid:concept\\/agreement-type\\/cooperation-agreement ;
    kg:party kgid:org\\/kitakyushu-city-government , kgid:org\\/jica ;
    kg:date "2013-02"^^xsd:gYearMonth ;
    kg:dateText "平成25年2月"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
kgid:agreement\\/kitakyushu-haiphong-sister-city-2014 a kg:Agreement ;
    rdfs:label "Kitakyushu–Haiphong sister city agreement"@en ,
        "北九州市・ハイフォン市姉妹都市協定"@ja ;
    kg:agreementType kgid:concept\\/agreement-type\\/sister-city-agreement ;
    kg:party kgid:org\\/kitakyushu-city-government , kgid:org\\/haiphong-peoples-committee ;
    kg:date "2014-04"^^xsd:gYearMonth ;
    kg:dateText "平成26年4月"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
"""
"""Three agents of the source and the two agreements between them (JICA and the Haiphong
committee two steps apart), as data of the small project (``conftest.SMALL_DATA``)."""


def _wait_for_version(url: str, old: str) -> httpx.Response:
    deadline = time.monotonic() + 30
    answer = httpx.get(url, timeout=30)
    while answer.headers.get("kggraph-version") == old and time.monotonic() < deadline:
        time.sleep(0.3)
        answer = httpx.get(url, timeout=30)
    return answer


def test_a_new_build_is_followed(tmp_path: Path, small_project: Callable[..., Path]) -> None:
    root = small_project(network=SMALL_NETWORK)
    output = tmp_path / "dist"
    first_build = build(Settings(root=root, output=output))
    running = start_server(output, tmp_path / "server.log", root=str(root))
    try:
        before = httpx.get(running.url + "/network", timeout=30)
        assert before.status_code == 200, before.text
        path = {"from": "jica", "to": HAIPHONG}
        assert (
            httpx.get(running.url + "/network/path", params=path).json()["paths"][0]["length"] == 2
        )
        # this server's root has no node_modules/: the page says so and links to the data
        page = httpx.get(running.url + "/explore/network").text
        assert 'id="not-installed"' in page and 'href="../network/export.gexf"' in page
        (root / "data" / "zz-test-agreement.ttl").write_text(EXTRA_AGREEMENT, encoding="utf-8")
        second_build = build(Settings(root=root, output=output))
        after = _wait_for_version(running.url + "/network", first_build.release.name)
        assert after.headers["kggraph-version"] == second_build.release.name
        expected = build_network(
            load_facts(OxigraphStore(Release(second_build.release).open_store()))
        )
        assert after.json()["data"]["edges"] == len(expected.edges)
        assert after.json()["data"]["edges"] == before.json()["data"]["edges"] + 1
        # the old release's tag no longer holds: the new numbers come in full, with a new tag
        stale = {"If-None-Match": before.headers["ETag"]}
        renewed = httpx.get(running.url + "/network", headers=stale, timeout=30)
        assert renewed.status_code == 200 and renewed.headers["ETag"] != before.headers["ETag"]
        direct = httpx.get(running.url + "/network/path", params=path).json()
        assert [p["length"] for p in direct["paths"]] == [1]
        cited = direct["paths"][0]["hops"][0]["edges"][0]["evidence"]
        assert [a["iri"] for a in cited] == [ID + "agreement/test-jica-haiphong-2013"]
        stats = httpx.get(running.url + "/network/stats").json()
        assert stats["version"] == second_build.release.name
    finally:
        stop_server(running)
        shutil.rmtree(output, ignore_errors=True)


def test_kinds_are_the_networks(server: Server) -> None:
    """The API's ``kind`` choices are the network's kinds, no more, no fewer."""
    schemas = _ok(server, "/openapi.json").json()["components"]["schemas"]
    assert schemas["Kind"]["enum"] == list(KINDS)
