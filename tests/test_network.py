"""The organisation network (kggraph.network.graph, netanalysis, netexport, cli_network) on the real
build. Expected links are facts of the source (the source document, 000_5b69d3d5bab7a4e9.txt),
cited by line, not read back from the data files.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest
from click.testing import Result
from typer.testing import CliRunner

from kggraph.core.errors import InvalidArgument, NotFound
from kggraph.graph.release import Release
from kggraph.graph.store import OxigraphStore
from kggraph.network.analysis import (
    centrality,
    communities,
    ego_network,
    shortest_paths,
    simple_paths,
    summarise,
)
from kggraph.network.export import FORMATS, edge_rows, export, node_rows
from kggraph.network.facts import KINDS, Activity, Agent, Facts, Role, Term, load_facts
from kggraph.network.filters import NetworkFilter
from kggraph.network.graph import Network, build_network, resolve_agent
from kggraph.network.names import resolve
from kggraph.publish.build import BuildResult

pytestmark = pytest.mark.slow

ID = "https://w3id.org/kggraph/id/"
CITY = ID + "org/kitakyushu-city-government"
HAIPHONG = ID + "org/haiphong-peoples-committee"
HAIPHONG_WATER = ID + "org/haiphong-water-supply-company"
JICA = ID + "org/jica"
J_FILS = ID + "company/j-fils"
PHNOM_PENH = ID + "org/phnom-penh-capital-administration"
DAVAO = ID + "org/davao-city-government"
UNNAMED_DAVAO_COMPANY = ID + "company/unnamed-kitakyushu-company-davao-waste-to-energy"
SISTER_CITY_2014 = ID + "agreement/kitakyushu-haiphong-sister-city-2014"
FRIENDSHIP_2009 = ID + "agreement/kitakyushu-haiphong-friendship-cooperation-2009"
WATER_MEMORANDUM_2011 = ID + "agreement/kitakyushu-haiphong-water-sewerage-2011"
HAIPHONG_DEMONSTRATION = ID + "project/haiphong-seafood-market-wastewater-demonstration-2022"
PHNOM_PENH_GRASSROOTS = ID + "project/phnom-penh-waste-management-grassroots"


@pytest.fixture(scope="module")
def facts(built: BuildResult) -> Facts:
    return load_facts(OxigraphStore(Release(built.release).open_store()))


@pytest.fixture(scope="module")
def network(facts: Facts) -> Network:
    return build_network(facts)


def _edge(network: Network, first: str, second: str, kind: str) -> set[str]:
    """The evidence IRIs of the edge of ``kind`` between two agents (empty if none)."""
    found = [e for e in network.edges_between(first, second) if e.kind == kind]
    return {a.iri for a in found[0].evidence} if found else set()


# --- The network itself ---------------------------------------------------------------------


def test_edges_are_one_per_pair_and_kind_between_nodes(network: Network) -> None:
    keys = [(e.source, e.target, e.kind) for e in network.edges]
    assert len(keys) == len(set(keys))
    assert all(e.source < e.target for e in network.edges)
    assert {e.source for e in network.edges} | {e.target for e in network.edges} <= set(
        network.by_iri
    )
    assert all(e.count == len(e.evidence) >= 1 for e in network.edges)
    assert all(len({a.iri for a in e.evidence}) == e.count for e in network.edges)
    assert {e.kind for e in network.edges} == set(KINDS)


def test_nodes_are_the_agents_that_take_part(network: Network) -> None:
    city = network.by_iri[CITY]
    assert (city.label, city.label_ja, city.kind) == (
        "City of Kitakyushu",
        "北九州市",
        "Municipal government",
    )
    assert city.countries == (ID + "country/japan",)
    assert network.by_iri[HAIPHONG].countries == (ID + "country/vietnam",)
    # Line 33: the OECD only selected the city as a model (recognitions), sharing no activity.
    assert ID + "org/oecd" not in network.by_iri
    # Line 161: Nishihara Shoji runs its Surabaya plants alone: a node without edges.
    nishihara = ID + "company/nishihara-shoji"
    assert nishihara in network.by_iri
    assert not [e for e in network.edges if nishihara in (e.source, e.target)]


def test_haiphong_agreements_join_the_two_city_governments(network: Network) -> None:
    # Source lines 69 and 419: friendship 2009, water memorandum Oct 2011, sister city Apr 2014.
    agreements = [e for e in network.edges_between(CITY, HAIPHONG) if e.kind == "agreement"]
    assert len(agreements) == 1
    edge = agreements[0]
    assert {a.iri for a in edge.evidence} == {
        FRIENDSHIP_2009,
        WATER_MEMORANDUM_2011,
        SISTER_CITY_2014,
    }
    assert (edge.count, edge.first_year, edge.last_year) == (3, 2009, 2014)
    assert [a.first_year for a in edge.evidence] == [2009, 2011, 2014]
    # §4(2)ア(ア): the FY2014 Green Growth plan support is a project shared by the two.
    assert ID + "project/haiphong-green-growth-plan-support-2014" in _edge(
        network, CITY, HAIPHONG, "project"
    )


def test_jica_funding_connects_the_city_to_its_partners(network: Network) -> None:
    # Lines 79–81 (Davao, both phases), 139 (Haiphong with J-FILS), 227 (Phnom Penh).
    funded = _edge(network, CITY, JICA, "project")
    assert {
        ID + "project/davao-waste-management-grassroots-1",
        ID + "project/davao-waste-management-grassroots-2",
        PHNOM_PENH_GRASSROOTS,
        HAIPHONG_DEMONSTRATION,
    } <= funded
    assert HAIPHONG_DEMONSTRATION in _edge(network, J_FILS, JICA, "project")
    assert PHNOM_PENH_GRASSROOTS in _edge(network, JICA, PHNOM_PENH, "project")
    demo = next(a for a in network.facts.activities if a.iri == HAIPHONG_DEMONSTRATION)
    assert demo.roles_of(JICA) == ("funder",)
    assert demo.roles_of(J_FILS) == ("partner",)
    # Line 361 and §6(3)ア: the 2013 partnership agreement between the city and JICA.
    assert _edge(network, CITY, JICA, "agreement") == {
        ID + "agreement/kitakyushu-jica-partnership-2013"
    }


def test_memberships_make_edges_with_the_organisation(network: Network) -> None:
    memberships = {(e.source, e.target) for e in network.edges if e.kind == "membership"}
    kuc = ID + "org/iges-kitakyushu-urban-centre"
    assert memberships == {
        (ID + "org/iclei", CITY),  # §6(3)ウ: member since 1990, on the board
        (kuc, ID + "org/kitakyushu-gx-consortium"),  # §6(2)イ
        (kuc, ID + "org/kitakyushu-circular-economy-vision-council"),  # §6(2)イ
    }
    assert all(e.count == 1 for e in network.edges if e.kind == "membership")


# --- Filters ----------------------------------------------------------------------------------


def test_year_filter_removes_later_activities(facts: Facts, network: Network) -> None:
    early = build_network(facts, NetworkFilter(to_year=2010))
    assert _edge(early, CITY, HAIPHONG, "agreement") == {FRIENDSHIP_2009}
    assert J_FILS not in early.by_iri  # its only activity is of FY2022
    assert all(a.first_year and a.first_year <= 2010 for e in early.edges for a in e.evidence)
    assert len(early.edges) < len(network.edges)


def test_year_filter_keeps_open_ended_and_drops_undated(facts: Facts) -> None:
    recent = build_network(facts, NetworkFilter(from_year=2020))
    surabaya = ID + "org/surabaya-city-government"
    # Line 55: composting "from 2004" (平成16年から) has no end, so it reaches into 2020.
    assert ID + "project/surabaya-composting-2004" in _edge(recent, CITY, surabaya, "project")
    assert ID + "project/surabaya-waste-survey-2002" not in _edge(recent, CITY, surabaya, "project")
    rayong = ID + "project/rayong-eco-industrial-town-cooperation"  # line 207 gives no date
    irpc = ID + "company/irpc"
    assert rayong not in _edge(recent, CITY, irpc, "project")
    undated = build_network(facts, NetworkFilter(from_year=2020, include_undated=True))
    assert rayong in _edge(undated, CITY, irpc, "project")
    assert rayong in {a.iri for e in build_network(facts).edges for a in e.evidence}


def test_country_filter_keeps_activities_in_that_country(facts: Facts) -> None:
    by_slug = build_network(facts, NetworkFilter(country="vietnam"))
    by_label = build_network(facts, NetworkFilter(country="ベトナム"))
    assert by_slug == by_label
    assert {HAIPHONG, HAIPHONG_WATER, J_FILS, CITY, JICA} <= set(by_slug.by_iri)
    assert DAVAO not in by_slug.by_iri and PHNOM_PENH not in by_slug.by_iri
    evidence = {a for e in by_slug.edges for a in e.evidence}
    assert all(ID + "country/vietnam" in a.countries for a in evidence)
    # Agreements have no place: the Haiphong party, based in Vietnam, brings them in.
    assert SISTER_CITY_2014 in _edge(by_slug, CITY, HAIPHONG, "agreement")
    # The Davao projects of JICA are in the Philippines, so only the Haiphong one remains.
    assert _edge(by_slug, CITY, JICA, "project") == {HAIPHONG_DEMONSTRATION}


def test_sector_filter_keeps_activities_of_that_sector(facts: Facts) -> None:
    waste_to_energy = build_network(facts, NetworkFilter(sector="Waste to energy"))
    # Line 79: the 2014 JICA project of a Kitakyushu company in Davao; §4(2)ウ: the city's
    # support, under the 2017 memorandum with Davao, for the plant Davao plans to build.
    assert [(e.source, e.target, e.kind) for e in waste_to_energy.edges] == [
        (UNNAMED_DAVAO_COMPANY, JICA, "project"),
        (DAVAO, CITY, "project"),
    ]
    assert _edge(waste_to_energy, CITY, DAVAO, "project") == {
        ID + "project/davao-waste-to-energy-support"
    }
    sewerage = build_network(facts, NetworkFilter(sector="sector/sewerage"))
    assert not [e for e in sewerage.edges if e.kind == "membership"]
    assert ID + "agreement/kitakyushu-phnom-penh-sewerage-2017" in _edge(
        sewerage, CITY, PHNOM_PENH, "agreement"
    )


def test_sector_filter_takes_narrower_concepts() -> None:
    # The sector scheme is flat today; this small hand-made graph of facts has a hierarchy.
    agents = {
        iri: Agent(iri, iri[-1], iri[-1], "Company", "kg:Company", (), None, None, ())
        for iri in (ID + "company/a", ID + "company/b", ID + "company/c")
    }
    waste, compost = ID + "concept/sector/waste", ID + "concept/sector/compost"
    sectors = {
        waste: Term(waste, "Waste", "廃棄物"),
        compost: Term(compost, "Compost", "堆肥", (waste,)),
    }

    def project(name: str, sector: str, *members: str) -> Activity:
        roles = tuple(Role(ID + m, "implementer") for m in members)
        return Activity(
            ID + name, name, name, "project", "Project", roles, 2020, 2020, False, (sector,), ()
        )

    facts = Facts(
        agents=agents,
        activities=(
            project("p1", compost, "company/a", "company/b"),
            project("p2", waste, "company/b", "company/c"),
        ),
        countries={},
        sectors=sectors,
    )
    broad = build_network(facts, NetworkFilter(sector="Waste"))
    narrow = build_network(facts, NetworkFilter(sector="堆肥"))
    assert len(broad.edges) == 2 and [e.evidence[0].iri for e in narrow.edges] == [ID + "p1"]


def test_kind_filter_and_bad_filters(facts: Facts) -> None:
    only = build_network(facts, NetworkFilter(kinds=("membership",)))
    assert {e.kind for e in only.edges} == {"membership"} and len(only.edges) == 3
    with pytest.raises(InvalidArgument, match="period is empty"):
        NetworkFilter(from_year=2020, to_year=2010)
    with pytest.raises(InvalidArgument, match="unknown kind"):
        NetworkFilter(kinds=("project", "event"))
    with pytest.raises(InvalidArgument, match=r"close matches: Vietnam \(country/vietnam\)"):
        build_network(facts, NetworkFilter(country="Vietnm"))


def test_a_blank_country_or_sector_is_no_filter(facts: Facts) -> None:
    """An empty form field (``country=``) means any country, as leaving it out does (issue 13)."""
    everything = build_network(facts, NetworkFilter())
    blank = build_network(facts, NetworkFilter(country="", sector="  "))
    assert blank.filter == everything.filter and blank.edges == everything.edges


# --- Names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        JICA,
        "jica",
        "org/jica",
        "JICA",
        "独立行政法人国際協力機構",
        " japan international cooperation agency ",
    ],
)
def test_agents_are_found_by_iri_slug_or_label(network: Network, name: str) -> None:
    assert resolve_agent(network, name).iri == JICA


def test_unknown_agent_lists_close_matches(network: Network) -> None:
    with pytest.raises(NotFound) as caught:
        resolve_agent(network, "Haiphong")
    message = str(caught.value)
    assert "no agent is called 'Haiphong'" in message
    for slug in ("org/haiphong-peoples-committee", "org/haiphong-water-supply-company"):
        assert slug in message
    with pytest.raises(NotFound, match="not in this network"):
        resolve_agent(network, "OECD")


def test_ambiguous_name_names_every_candidate() -> None:
    candidates = {ID + "org/a": ("Water Bureau",), ID + "company/b": ("water bureau",)}
    with pytest.raises(NotFound, match=r"ambiguous.*org/a.*company/b|ambiguous.*company/b.*org/a"):
        resolve("Water Bureau", candidates, "agent")
    assert resolve("org/a", candidates, "agent") == ID + "org/a"


# --- Analyses ---------------------------------------------------------------------------------


def test_the_city_is_the_hub(network: Network) -> None:
    summary = summarise(network)
    assert summary.top("degree", 1)[0].agent.iri == CITY
    assert summary.top("betweenness", 1)[0].agent.iri == CITY
    ranks = {c.agent.iri: c for c in centrality(network)}
    assert ranks[CITY].degree == len({e.source for e in network.edges if e.target == CITY}) + len(
        {e.target for e in network.edges if e.source == CITY}
    )
    assert ranks[ID + "company/nishihara-shoji"].betweenness == 0.0
    assert summary.edges_by_kind == tuple(
        (k, sum(e.kind == k for e in network.edges)) for k in KINDS
    )


def test_communities_partition_the_nodes_reproducibly(network: Network) -> None:
    first, second = communities(network), communities(network)
    assert first == second
    members = [a.iri for c in first for a in c.members]
    assert sorted(members) == sorted(network.by_iri)
    assert [len(c.members) for c in first] == sorted((len(c.members) for c in first), reverse=True)


def test_shortest_paths_carry_evidence_per_hop(network: Network) -> None:
    paths = shortest_paths(network, "j-fils", "Phnom Penh Capital Administration")
    assert [[a.iri for a in p.agents] for p in paths] == [
        [J_FILS, CITY, PHNOM_PENH],
        [J_FILS, JICA, PHNOM_PENH],
    ]
    via_jica = paths[1]
    assert [{a.iri for e in hop.edges for a in e.evidence} for hop in via_jica.hops] == [
        {HAIPHONG_DEMONSTRATION},
        {PHNOM_PENH_GRASSROOTS},
    ]
    assert shortest_paths(network, "jica", "jica") == ()


def test_simple_paths_up_to_a_length(network: Network) -> None:
    direct = simple_paths(network, CITY, PHNOM_PENH, max_length=1)
    assert [p.length for p in direct] == [1]
    paths = simple_paths(network, J_FILS, PHNOM_PENH, max_length=3, limit=500)
    lengths = [p.length for p in paths]
    assert lengths == sorted(lengths) and max(lengths) == 3 and lengths[:2] == [2, 2]
    assert all(len({a.iri for a in p.agents}) == len(p.agents) for p in paths)
    assert all(hop.edges for p in paths for hop in p.hops)
    assert len(simple_paths(network, J_FILS, PHNOM_PENH, max_length=3, limit=3)) == 3


def test_ego_network(network: Network) -> None:
    ego = ego_network(network, "JICA", radius=1)
    neighbours = {
        e.target if e.source == JICA else e.source
        for e in network.edges
        if JICA in (e.source, e.target)
    }
    assert set(ego.by_iri) == neighbours | {JICA}
    assert {J_FILS, PHNOM_PENH, CITY} <= neighbours
    assert all(e.source in ego.by_iri and e.target in ego.by_iri for e in ego.edges)
    assert set(ego_network(network, JICA, radius=0).by_iri) == {JICA}
    assert set(ego.by_iri) < set(ego_network(network, JICA, radius=2).by_iri)


# --- Exports ----------------------------------------------------------------------------------


def _read_back(fmt: str, out: Path) -> nx.MultiGraph:
    """The export read with networkx's own readers (or the csv module), as a MultiGraph."""
    if fmt == "graphml":
        return nx.read_graphml(out)
    if fmt == "gexf":
        return nx.read_gexf(out)
    if fmt == "cytoscape":
        return nx.cytoscape_graph(json.loads(out.read_text(encoding="utf-8")))
    graph = nx.MultiGraph()
    with (out / "nodes.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            graph.add_node(row.pop("id"), **row)
    with (out / "edges.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            graph.add_edge(row["source"], row["target"], key=row["kind"], **row)
    return graph


@pytest.mark.parametrize("fmt", FORMATS)
def test_exports_read_back_with_the_same_graph(network: Network, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / ("csv" if fmt == "csv" else f"network.{fmt}")
    written = export(network, fmt, out)
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)
    graph = _read_back(fmt, out)
    assert graph.number_of_nodes() == len(network.agents)
    assert graph.number_of_edges() == len(network.edges)
    assert set(graph.nodes) == set(network.by_iri)
    keys = {(*sorted((u, v)), k) for u, v, k in graph.edges(keys=True)}
    assert keys == {(e.source, e.target, e.kind) for e in network.edges}
    city = graph.nodes[CITY]
    assert (city["label"], city["label_ja"]) == ("City of Kitakyushu", "北九州市")
    edge = graph.edges[CITY, HAIPHONG, "agreement"]
    assert int(edge["count"]) == 3 and int(edge["first_year"]) == 2009
    assert SISTER_CITY_2014 in str(edge["evidence"]).split(" ")


def test_export_rows_are_scalar_and_deterministic(network: Network, tmp_path: Path) -> None:
    rows = node_rows(network) + edge_rows(network)
    assert all(isinstance(v, str | int | float | bool) for row in rows for v in row.values())
    for fmt in FORMATS:
        first = export(network, fmt, tmp_path / "a" / fmt)
        second = export(network, fmt, tmp_path / "b" / fmt)
        assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]
    assert b"lastmodifieddate" not in (tmp_path / "a" / "gexf").read_bytes()


# --- Command line (the sub-app that kggraph.cli.app mounts as `kggraph network`) -----------------


@pytest.fixture(scope="module")
def output_dir(built: BuildResult) -> Path:
    out = built.release.parent.parent
    assert (out / "current").resolve() == built.release.resolve()
    return out


def _cli(*args: str) -> Result:
    from kggraph.cli.network import app

    return CliRunner().invoke(app, list(args), env={"COLUMNS": "250", "NO_COLOR": "1"})


def test_cli_stats(output_dir: Path, network: Network) -> None:
    done = _cli("stats", "--top", "3", "--output", str(output_dir))
    assert done.exit_code == 0, done.output
    assert f"{len(network.agents)} agents, {len(network.edges)} edges" in done.stdout
    assert "Top 3 by betweenness" in done.stdout and "City of Kitakyushu" in done.stdout
    assert "Communities" in done.stdout


def test_cli_path_prints_evidence(output_dir: Path) -> None:
    done = _cli(
        "path", "j-fils", "org/phnom-penh-capital-administration", "--output", str(output_dir)
    )
    assert done.exit_code == 0, done.output
    assert "J-FILS Co., Ltd. → Japan International Cooperation Agency → Phnom Penh" in done.stdout
    assert "project/phnom-penh-waste-management-grassroots" in done.stdout
    every = _cli(
        "path",
        "jica",
        "ハイフォン市人民委員会",
        "--all",
        "--max-length",
        "2",
        "--output",
        str(output_dir),
    )
    assert every.exit_code == 0, every.output
    assert "Path 1 (2 hop(s))" in every.stdout and "(3 hop(s))" not in every.stdout


def test_cli_agent_outside_the_period_is_bad_input(output_dir: Path) -> None:
    done = _cli("path", "jica", "j-fils", "--to-year", "2010", "--output", str(output_dir))
    assert done.exit_code == 2
    assert "J-FILS Co., Ltd." in done.stderr and "not in this network" in done.stderr


def test_cli_agents_in_different_components_have_no_path(output_dir: Path) -> None:
    done = _cli("path", "nishihara-shoji", "jica", "--output", str(output_dir))
    assert done.exit_code == 0, done.output
    assert "No path between Nishihara Shoji Co., Ltd. and Japan International" in done.stdout


def test_cli_unknown_agent_is_bad_input(output_dir: Path) -> None:
    done = _cli("ego", "Haiphong", "--output", str(output_dir))
    assert done.exit_code == 2
    assert "no agent is called 'Haiphong'" in done.stderr
    assert "org/haiphong-peoples-committee" in done.stderr


def test_cli_ego_with_filters(output_dir: Path) -> None:
    done = _cli("ego", "jica", "--country", "vietnam", "--output", str(output_dir))
    assert done.exit_code == 0, done.output
    assert "J-FILS Co., Ltd." in done.stdout and "Davao" not in done.stdout
    assert "in Vietnam" in done.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_cli_export(output_dir: Path, tmp_path: Path, network: Network, fmt: str) -> None:
    out = tmp_path / ("csv" if fmt == "csv" else f"network.{fmt}")
    done = _cli("export", fmt, "--out", str(out), "--output", str(output_dir))
    assert done.exit_code == 0, done.output
    assert _read_back(fmt, out).number_of_edges() == len(network.edges)
    assert f"Wrote {out}" in done.stdout


def test_cli_bad_input_exits_2(output_dir: Path, tmp_path: Path) -> None:
    no_build = _cli("stats", "--output", str(tmp_path / "empty"))
    assert no_build.exit_code == 2 and "kggraph build" in no_build.stderr
    period = _cli("stats", "--from-year", "2020", "--to-year", "2010", "--output", str(output_dir))
    assert period.exit_code == 2 and "period is empty" in period.stderr
    fmt = _cli("export", "pdf", "--out", str(tmp_path / "x"), "--output", str(output_dir))
    assert fmt.exit_code == 2
