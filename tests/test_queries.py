"""Canned queries in queries/: each has its header, and answers with the source's facts.

Every ``.rq`` file starts with a header, which ``kggraph.canned.catalogue`` reads and
``/queries`` serves as an HTTP API::

    # title: <short title>
    # description: <one or two sentences>
    # param: <name> <IRI | xsd:type> = <default> — <what it does>      (zero or more)

A parameter is a SPARQL variable bound through pyoxigraph ``substitutions`` (never pasted
into the text). Oxigraph only substitutes variables that the query projects, so each
parameter is also a result column. The expected answers below were counted in the source
(the source document, 000_5b69d3d5bab7a4e9.txt), not read back from the data.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from kggraph.core.eras import FiscalYear, parse
from kggraph.core.namespaces import KG, KGID, XSD
from kggraph.publish.build import BuildResult

ROOT = Path(__file__).resolve().parents[1]
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
HEADER = re.compile(r"^# (\w+): (.+)$", re.MULTILINE)
PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*) (?P<type>IRI|xsd:[A-Za-z]+) = "
    r"(?P<default><[^<>\s]+>|\"[^\"]*\"|[^\s\"<>]+) — (?P<doc>\S.*)$"
)
LITERAL_TYPES = {"xsd:integer", "xsd:string", "xsd:decimal", "xsd:boolean", "xsd:date"}
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
"""What pyoxigraph accepts as a substituted value."""

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    default: str
    doc: str


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    title: str
    description: str
    params: tuple[Param, ...]


def _header_lines(text: str) -> list[str]:
    """The comment lines at the very top of a query, before the first non-comment line."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def _parse(path: Path) -> Query:
    text = path.read_text(encoding="utf-8")
    fields = [HEADER.fullmatch(line) for line in _header_lines(text)]
    assert all(fields), f"{path.name}: every header line is '# <field>: <value>'"
    pairs = [(m.group(1), m.group(2)) for m in fields if m]
    keys = [key for key, _ in pairs]
    assert keys[:2] == ["title", "description"], f"{path.name}: title, then description"
    assert set(keys[2:]) <= {"param"}, f"{path.name}: only param lines follow"
    params = []
    for _, value in pairs[2:]:
        match = PARAM.fullmatch(value)
        assert match, f"{path.name}: malformed param line {value!r}"
        params.append(Param(**match.groupdict()))
    return Query(path.stem, text, pairs[0][1], pairs[1][1], tuple(params))


def _term(param: Param, value: object) -> Term:
    """A value for a parameter as the RDF term of its declared type."""
    if param.type == "IRI":
        return ox.NamedNode(str(value))
    if param.type == "xsd:string":
        return ox.Literal(str(value))
    return ox.Literal(str(value), datatype=ox.NamedNode(str(XSD[param.type[4:]])))


def _default(param: Param) -> Term:
    raw = param.default
    if param.type == "IRI":
        assert raw.startswith("<") and raw.endswith(">"), f"{param.name}: IRI default in <>"
        return _term(param, raw[1:-1])
    if param.type == "xsd:string":
        assert raw.startswith('"') and raw.endswith('"'), f"{param.name}: quoted default"
        return _term(param, raw[1:-1])
    return _term(param, raw)


def _load(name: str) -> Query:
    return _parse(ROOT / "queries" / f"{name}.rq")


def _solutions(
    store: ox.Store, query: Query, bindings: dict[str, object] | None
) -> list[dict[str, str]]:
    """Rows of a query; ``bindings`` None runs it with no substitution at all."""
    substitutions: dict[ox.Variable, Term] = {}
    if bindings is not None:
        params = {p.name: p for p in query.params}
        assert set(bindings) <= set(params), f"{query.name}: unknown parameter"
        substitutions = {
            ox.Variable(p.name): _term(p, bindings[p.name]) if p.name in bindings else _default(p)
            for p in query.params
        }
    solutions = store.query(
        query.text, substitutions=substitutions or None, use_default_graph_as_union=True
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


def _rows(store: ox.Store, name: str, **bindings: object) -> list[dict[str, str]]:
    """Rows of ``queries/<name>.rq``, every parameter bound (to its default unless given)."""
    return _solutions(store, _load(name), bindings)


def _iri(path: str) -> str:
    return str(KGID[path])


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    """The release's named graphs (N-Quads), queried as the endpoint does: the default graph is
    their union, and a query may still read one graph or leave one out (``GRAPH ?g``)."""
    store = ox.Store()
    store.load(path=built.release / "kggraph.nq", format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def union_store(built: BuildResult) -> ox.Store:
    """The published graph in one named graph, to be queried as the union default graph (the
    queries that name graphs, ``GRAPH ?g``, are about the release's graphs and left out)."""
    store = ox.Store()
    store.load(
        path=built.release / "kggraph.nt",
        format=ox.RdfFormat.N_TRIPLES,
        to_graph=ox.NamedNode("https://w3id.org/kggraph/graph/test"),
    )
    return store


# --- Every query: header, parameters, determinism ------------------------------------------


def test_there_are_at_least_twenty_queries() -> None:
    assert len(QUERIES) >= 20


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_every_query_has_a_title_and_description(path: Path) -> None:
    header = dict(HEADER.findall(path.read_text(encoding="utf-8")))
    assert header.get("title") and header.get("description")


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_header_is_well_formed(path: Path) -> None:
    query = _parse(path)
    assert len(query.title) <= 80 and not query.title.endswith(".")
    sentences = len(SENTENCE_END.findall(query.description))
    assert sentences in (1, 2), sentences
    assert query.description.endswith(".")
    names = [p.name for p in query.params]
    assert len(names) == len(set(names))
    for param in query.params:
        assert param.type == "IRI" or param.type in LITERAL_TYPES, param.type
        _default(param)
        # Oxigraph substitutes only projected variables: each parameter is a result column.
        projection = query.text.split("WHERE", 1)[0]
        assert re.search(rf"\?{param.name}\b", projection), f"?{param.name} not projected"
        assert len(re.findall(rf"\?{param.name}\b", query.text)) >= 2, "parameter unused"


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.stem)
def test_query_runs_with_its_defaults_and_is_sorted(store: ox.Store, path: Path) -> None:
    query = _parse(path)
    assert re.search(r"^ORDER BY ", query.text, re.MULTILINE), "results must be sorted"
    rows = _solutions(store, query, {})
    assert rows, "the defaults give an answer"
    assert _solutions(store, query, {}) == rows


@pytest.mark.parametrize(
    "path",
    [p for p in QUERIES if "GRAPH " not in p.read_text(encoding="utf-8")],
    ids=lambda p: p.stem,
)
def test_query_gives_the_same_answer_over_the_union_default_graph(
    store: ox.Store, union_store: ox.Store, path: Path
) -> None:
    query = _parse(path)
    defaults: dict[ox.Variable, Term] = {ox.Variable(p.name): _default(p) for p in query.params}
    solutions = union_store.query(
        query.text, substitutions=defaults or None, use_default_graph_as_union=True
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows = [{n: s[n].value for n in names if s[n] is not None} for s in solutions]
    assert rows == _solutions(store, query, {})


@pytest.mark.parametrize(
    "path",
    [p for p in QUERIES if "\n# param: " in p.read_text(encoding="utf-8")],
    ids=lambda p: p.stem,
)
def test_parameterised_query_also_runs_unbound(store: ox.Store, path: Path) -> None:
    """Without substitutions a parameter is no restriction: the bound answer is a subset."""
    query = _parse(path)
    literal_params = {p.name for p in query.params if p.type != "IRI"}

    def key(row: dict[str, str]) -> tuple[tuple[str, str], ...]:
        return tuple(sorted((k, v) for k, v in row.items() if k not in literal_params))

    unbound = {key(row) for row in _solutions(store, query, None)}
    bound = [key(row) for row in _solutions(store, query, {})]
    assert bound and set(bound) <= unbound


# --- Agreements -------------------------------------------------------------------------


def test_agreements_come_in_date_order_with_their_parties(store: ox.Store) -> None:
    rows = _rows(store, "agreements-in-date-order")
    # §2: 7 (Haiphong 2, Surabaya 2, Jinghai, Davao 2); §4: Thailand, Phnom Penh, Ramky;
    # §6: JICA, JBIC, World Bank; §7(2): the 10 main memoranda.
    assert len(rows) == 23
    dates = [r["date"] for r in rows]
    assert dates == sorted(dates)
    haiphong = [r for r in rows if "People's Committee of Haiphong City" in r["parties"]]
    assert [(r["kind"], r["date"], r["dateText"]) for r in haiphong] == [
        ("Friendship and cooperation agreement", "2009", "平成21年"),
        ("Memorandum of understanding", "2011-10", "平成23年10月"),
        ("Sister city agreement", "2014-04", "平成26年4月"),
    ]
    surabaya = [r for r in rows if "Surabaya" in r["parties"]]
    assert sorted(r["date"] for r in surabaya) == ["2011-03", "2012-11"]
    jbic = [r for r in rows if "Japan Bank for International Cooperation" in r["parties"]]
    assert [(r["date"], r["dateText"]) for r in jbic] == [("2009-12-21", "平成21年12月21日")]
    thailand = next(r for r in rows if "IRPC" in r["parties"])
    assert (thailand["date"], thailand["dateText"]) == ("2014-04-01", "平成26年度")
    assert len(thailand["parties"].split(" / ")) == 4


def test_agreements_with_vietnamese_partners_in_date_order(store: ox.Store) -> None:
    rows = _rows(store, "agreements-with-partners-in-country", country=_iri("country/vietnam"))
    assert {r["countryLabel"] for r in rows} == {"Vietnam"}
    # §2(4): 2009 friendship, 2014 sister city; §7(2): six memoranda with Haiphong bodies.
    assert [(r["date"], r["dateText"]) for r in rows] == [
        ("2009", "平成21年"),
        ("2010-11", "平成22年11月"),
        ("2011-10", "平成23年10月"),
        ("2013-05", "平成25年5月"),
        ("2014-04", "平成26年4月"),
        ("2014-10", "平成26年10月"),
        ("2024-01", "令和6年1月"),
        ("2024-05", "令和6年5月"),
    ]
    assert rows[0]["kind"] == "Friendship and cooperation agreement"
    assert rows[4]["kind"] == "Sister city agreement"
    assert "Phu Tho Water Supply Company" in rows[6]["parties"]
    assert "Kitakyushu Water and Sewer Bureau" in rows[7]["parties"]


def test_agreements_with_partners_in_another_country(store: ox.Store) -> None:
    rows = _rows(store, "agreements-with-partners-in-country", country=_iri("country/philippines"))
    assert [(r["kind"], r["date"]) for r in rows] == [
        ("Joint statement", "2016-11"),
        ("Memorandum on an environmental sister city partnership", "2017-11"),
    ]


def test_agreements_per_type(store: ox.Store) -> None:
    rows = {r["typeLabel"]: r for r in _rows(store, "agreements-per-type")}
    counts = {label: int(r["agreements"]) for label, r in rows.items()}
    assert sum(counts.values()) == 23
    assert counts["Joint statement"] == 2  # Surabaya 2011, Davao 2016
    assert counts["Memorandum on an environmental sister city partnership"] == 2
    assert counts["Sister city agreement"] == 2  # Haiphong 2014, Phnom Penh FY2015
    assert counts["Friendship and cooperation agreement"] == 1
    assert counts["Framework agreement"] == 1
    # The source calls the rest 覚書 or 協定; 10 memoranda and 5 cooperation agreements.
    assert counts["Memorandum of understanding"] + counts["Cooperation agreement"] == 15
    sister = rows["Sister city agreement"]
    assert (sister["firstYear"], sister["latestYear"]) == ("2014", "2015")
    assert rows["Joint statement"]["typeLabelJa"] == "共同声明"


# --- Water business ---------------------------------------------------------------------

# 【主な水ビジネス案件の受注】 in §7(2), counted by the year of each order.
WATER_CONTRACTS_BY_YEAR = {
    "Cambodia": {
        2011: 1, 2012: 3, 2013: 4, 2014: 4, 2015: 3, 2016: 2, 2017: 2,
        2018: 2, 2019: 2, 2020: 3, 2021: 2, 2022: 1, 2023: 1, 2024: 1,
    },
    "Vietnam": {2011: 1, 2012: 1, 2013: 2, 2014: 2, 2015: 1, 2016: 2, 2017: 1, 2018: 1},
    "Indonesia": {2012: 1, 2013: 1, 2014: 2, 2016: 1},
}  # fmt: skip


def test_water_contracts_per_country_per_year(store: ox.Store) -> None:
    rows = _rows(store, "water-contracts-per-country-per-year")
    found: dict[str, dict[int, int]] = {}
    for r in rows:
        found.setdefault(r["countryLabel"], {})[int(r["year"])] = int(r["contracts"])
    assert found == WATER_CONTRACTS_BY_YEAR
    era = {(r["countryLabel"], int(r["year"])): r["eraYears"] for r in rows}
    assert era["Cambodia", 2012] == "平成24年"
    # March 2019 is still 平成31年, November 2019 is 令和元年.
    assert set(era["Cambodia", 2019].split(" / ")) == {"平成31年", "令和元年"}


def test_water_contracts_in_cambodia(store: ox.Store) -> None:
    rows = _rows(store, "water-contracts-in-country", country=_iri("country/cambodia"))
    assert len(rows) == 31
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    assert (rows[0]["date"], rows[0]["dateText"], rows[0]["cities"]) == (
        "2011-03",
        "平成23年3月",
        "Siem Reap",
    )
    assert (rows[-1]["date"], rows[-1]["dateText"]) == ("2024-11", "令和6年11月")
    in_2012 = [r for r in rows if r["dateText"].startswith("平成24年")]
    assert [(r["date"], set(r.get("cities", "").split(" / "))) for r in in_2012] == [
        ("2012-01", {"Kampot", "Kep"}),
        ("2012-05", {"Battambang", "Kampong Cham"}),
        ("2012-06", {"Sen Monorom"}),
    ]
    # The training in Japan for Cambodia names no city.
    training = next(r for r in rows if r["dateText"] == "平成25年10月")
    assert "cities" not in training
    sen_monorom = [r for r in rows if r.get("cities") == "Sen Monorom"]
    assert [r["dateText"] for r in sen_monorom] == ["平成24年6月", "平成28年3月"]


@pytest.mark.parametrize(("country", "count"), [("vietnam", 11), ("indonesia", 5)])
def test_water_contracts_in_vietnam_and_indonesia(
    store: ox.Store, country: str, count: int
) -> None:
    rows = _rows(store, "water-contracts-in-country", country=_iri(f"country/{country}"))
    assert len(rows) == count
    assert {r["country"] for r in rows} == {_iri(f"country/{country}")}


def test_haiphong_water_contracts(store: ox.Store) -> None:
    rows = _rows(store, "water-contracts-in-country", country=_iri("country/vietnam"))
    haiphong = [r["dateText"] for r in rows if "Haiphong" in r.get("cities", "")]
    assert haiphong == [
        "平成23年11月",
        "平成24年2月",
        "平成25年5月",
        "平成26年7月",
        "平成27年3月",
        "平成28年7月",
        "平成29年2月",
        "平成30年8月",
    ]
    assert next(r for r in rows if r["dateText"] == "平成26年6月")["cities"] == ("Ho Chi Minh City")


# --- Companies --------------------------------------------------------------------------


def test_companies_active_in_indonesia(store: ox.Store) -> None:
    rows = _rows(store, "companies-in-country", country=_iri("country/indonesia"))
    # §4(2)エ: Nishihara Shoji (Surabaya), Shabondama Soap (peatland fires), and Amita,
    # Daiseki and Beetle Engineering (cement industry study in Banten and West Java).
    assert {r["companyLabel"] for r in rows} == {
        "Amita Holdings Co., Ltd.",
        "Beetle Engineering Co., Ltd.",
        "Daiseki Co., Ltd.",
        "Nishihara Shoji Co., Ltd.",
        "Shabondama Soap Co., Ltd.",
    }
    shabondama = [r for r in rows if r["companyLabel"] == "Shabondama Soap Co., Ltd."]
    # §4(2)エ(イ) (selected by JICA in FY2017) and §6(2)ア (the JICA project in Central
    # Kalimantan that IGES works on in FY2024) are reported apart, so they are two nodes.
    assert len(shabondama) == 2
    assert {r["funders"] for r in shabondama} == {"Japan International Cooperation Agency"}
    assert any("IGES Kitakyushu Urban Centre" in r.get("partners", "") for r in shabondama)
    assert {r.get("dateText") for r in shabondama} == {"平成29年度", "令和6年度"}
    cement = next(r for r in rows if r["companyLabel"] == "Daiseki Co., Ltd.")
    assert cement["dateText"] == "令和5年度から"
    assert cement["funders"] == "Ministry of the Environment, Japan"
    assert set(cement["partners"].split(" / ")) >= {
        "Amita Holdings Co., Ltd.",
        "Beetle Engineering Co., Ltd.",
        "City of Kitakyushu",
    }


def test_companies_and_the_countries_they_worked_in(store: ox.Store) -> None:
    rows = _rows(store, "companies-and-countries")
    countries: dict[str, set[str]] = {}
    for r in rows:
        countries.setdefault(r["companyLabel"], set()).add(r["countryLabel"])
    assert countries["Amita Holdings Co., Ltd."] == {"Indonesia", "Malaysia", "Palau"}
    assert countries["Shabondama Soap Co., Ltd."] == {"Indonesia"}
    assert countries["Nishihara Shoji Co., Ltd."] == {"Indonesia"}
    assert countries["J-FILS Co., Ltd."] == {"Vietnam"}
    assert countries["EV Motors Japan Co., Ltd."] == {"Palau"}
    assert countries["Well Create Co., Ltd."] == {"Malaysia"}
    assert countries["IRPC Public Company Limited"] == {"Thailand"}
    palau = next(
        r
        for r in rows
        if r["companyLabel"] == "Amita Holdings Co., Ltd." and r["countryLabel"] == "Palau"
    )
    assert palau["projectCount"] == "2"


# --- Cities and places ------------------------------------------------------------------


def test_partner_cities_by_kind(store: ox.Store) -> None:
    rows = _rows(store, "partner-cities")
    links = {(r["cityLabel"], r["link"].rsplit("#", 1)[1]) for r in rows}
    assert ("Dalian", "friendshipCity") in links
    assert ("Haiphong", "sisterCity") in links
    assert ("Phnom Penh", "sisterCity") in links
    assert ("Surabaya", "environmentalSisterCity") in links
    assert ("Davao", "environmentalSisterCity") in links
    countries = {r["cityLabel"]: r["countryLabel"] for r in rows}
    assert countries["Haiphong"] == "Vietnam" and countries["Davao"] == "Philippines"
    since = {r["cityLabel"]: r.get("dateText") for r in rows}
    assert since == {
        "Dalian": None,
        "Davao": "平成29年11月",
        "Haiphong": "平成26年4月",
        "Phnom Penh": "平成27年度",
        "Surabaya": "平成24年11月",
    }


def test_haiphong_timeline(store: ox.Store) -> None:
    rows = _rows(store, "city-relations-timeline", city=_iri("city/haiphong"))
    first = rows[0]
    assert (first["label"], first["date"], first["dateText"]) == (
        "Kitakyushu–Haiphong Friendship and Cooperation Agreement",
        "2009",
        "平成21年",
    )
    sister = _iri("agreement/kitakyushu-haiphong-sister-city-2014")
    assert [(r["date"], r["dateText"]) for r in rows if r["item"] == sister] == [
        ("2014-04", "平成26年4月")
    ]
    dated = [r["date"] for r in rows if "date" in r]
    assert dated == sorted(dated)
    assert all("date" not in r for r in rows[len(dated) :])
    kinds = Counter(r["kind"] for r in rows)
    assert kinds["Agreement"] == 8  # 2 in §2(4), 6 in §7(2)
    assert kinds["Water business contract"] == 8  # the Haiphong orders of §7(2)
    texts = [r.get("dateText") for r in rows]
    assert texts.index("平成26年度") > texts.index("平成26年4月")  # green growth plan
    assert "令和4年度" in texts  # wastewater demonstration with J-FILS


def test_who_funded_the_projects_in_davao(store: ox.Store) -> None:
    rows = _rows(store, "project-funders-in-place", place=_iri("city/davao"))
    funded = [r for r in rows if "funder" in r]
    assert {r["funderLabel"] for r in funded} == {"Japan International Cooperation Agency"}
    # §2(6): the 2014 private-sector dissemination project and the two grassroots phases.
    assert [r["dateText"] for r in funded] == ["平成26年", "平成28年度", "令和2年3月"]


def test_events_and_meetings_held_in_kitakyushu(store: ox.Store) -> None:
    rows = _rows(store, "events-in-place", place=_iri("city/kitakyushu"))
    meetings = [(r["label"], r["dateText"]) for r in rows if r["kind"] == "Meeting"]
    # §1: the Tripartite Environment Ministers Meeting twice and the G7 energy ministerial.
    assert meetings == [
        ("Tripartite Environment Ministers Meeting among Japan, China and Korea, 2013", "平成25年"),
        ("G7 Kitakyushu Energy Ministerial Meeting", "平成28年"),
        ("Tripartite Environment Ministers Meeting among Japan, China and Korea, 2019", "令和元年"),
    ]
    g7 = next(r for r in rows if r["label"].startswith("G7"))
    assert g7["generated"] == "Kitakyushu Initiative on Energy Security for Global Growth"
    forum = next(r for r in rows if r["label"] == "4th International Forum on Low Carbon Cities")
    assert forum["dateText"] == "令和6年10月"
    assert {
        "United Nations Economic and Social Commission for Asia and the Pacific",
        "IGES Kitakyushu Urban Centre",
    } <= set(forum["organizers"].split(" / "))
    rio = _rows(store, "events-in-place", place=_iri("city/rio-de-janeiro"))
    assert [r["dateText"] for r in rio] == ["平成4年"]


def test_projects_per_country(store: ox.Store) -> None:
    rows = {r["countryLabel"]: r for r in _rows(store, "projects-per-country")}
    cambodia = rows["Cambodia"]
    # 31 water orders, the FY2016 climate action plan and the JICA grassroots project.
    assert (cambodia["projects"], cambodia["waterContracts"]) == ("33", "31")
    assert cambodia["grassrootsProjects"] == "1"
    assert rows["Vietnam"]["waterContracts"] == "11"
    assert rows["Indonesia"]["waterContracts"] == "5"
    assert rows["Philippines"]["grassrootsProjects"] == "2"  # Davao phases 1 and 2
    counts = [int(r["projects"]) for r in _rows(store, "projects-per-country")]
    assert counts == sorted(counts, reverse=True)


# --- Projects, funders, sectors ---------------------------------------------------------


def test_projects_in_the_composting_sector(store: ox.Store) -> None:
    rows = _rows(store, "projects-by-sector", sector=_iri("concept/sector/composting"))
    # §2(2) community composting in Surabaya, §4(2)エ(ア) Nishihara Shoji's plants in
    # Surabaya, §4(2)オ(ア) Well Create in Cameron Highlands.
    assert sorted((r["label"], r["countries"]) for r in rows) == [
        ("Community composting cooperation project in Surabaya", "Indonesia"),
        ("Vegetable waste composting project in Cameron Highlands", "Malaysia"),
        ("Waste treatment and recycling business in Surabaya", "Indonesia"),
    ]
    assert rows[0]["dateText"] == "平成16年から"


def test_projects_funded_by_jica(store: ox.Store) -> None:
    rows = _rows(store, "projects-funded-by", funder=_iri("org/jica"))
    # §2(6) Davao 2014 and phases 1-2, §4(2)ア(イ) Haiphong wastewater, §4(2)キ Phnom Penh
    # grassroots, and Shabondama's foam: the FY2017 selection in Indonesia (§4(2)エ(イ)) and the
    # FY2024 JICA project in Central Kalimantan (§6(2)ア), reported apart.
    assert len(rows) == 7
    assert Counter(r["places"] for r in rows) == Counter(
        {
            "Davao": 3,
            "Haiphong": 1,
            "Phnom Penh": 1,
            "Indonesia": 1,
            "Central Kalimantan": 1,
        }
    )
    phnom_penh = next(r for r in rows if r["places"] == "Phnom Penh")
    assert phnom_penh["dateText"] == "平成31年1月から"
    dated = [r["date"] for r in rows if "date" in r]
    assert dated == sorted(dated)


def test_outcomes_with_values(store: ox.Store) -> None:
    rows = _rows(store, "outcomes-with-values")
    values = {(int(float(r["value"])), r["unitLabel"], r.get("places")) for r in rows}
    assert values == {
        (32, "percent", "Surabaya"),  # §2(2) composting
        (70, "percent", "Surabaya"),  # §4(2)エ(ア) Nishihara Shoji
        (67, "person", "Dalian"),  # §2(1) experts sent
        (5, "case", "Dalian"),  # §2(1) yen loans
        (23, "course", "Kitakyushu"),  # §6(1)ア KITA's JICA courses
        (193, "person", "Kitakyushu"),  # §6(1)ア trainees
        (70, "person", "Kitakyushu"),  # §6(3)エ World Bank training, about 70
        (14, "country or region", "Kitakyushu"),  # §6(3)エ 14 countries
        (3, "case", "Kitakyushu"),  # §4(3) FS applications accepted in FY2024
    }
    reductions = [r for r in rows if r["measureLabel"] == "Waste reduction"]
    assert [int(float(r["value"])) for r in reductions] == [70, 32]


def test_training_statistics_as_of_march_2025(store: ox.Store) -> None:
    rows = _rows(store, "training-statistics")
    values = sorted(int(float(r["value"])) for r in rows)
    assert values == [30, 169, 246, 11107]
    assert {r["asOf"] for r in rows} == {"2025-03"}
    assert {r["asOfText"] for r in rows} == {"令和7年3月現在"}


# --- Organisations ----------------------------------------------------------------------


def test_awards_and_recognitions_of_kitakyushu(store: ox.Store) -> None:
    rows = _rows(store, "recognitions-received")
    assert [(r["date"], r["dateText"]) for r in rows] == [
        ("1990", "平成2年"),
        ("1992", "平成4年"),
        ("2002", "平成14年"),
        ("2011", "平成23年"),
        ("2012-04", "平成24年4月"),
        ("2018", "平成30年"),
    ]
    conferrers = Counter(r["conferrer"].rsplit("/", 1)[1] for r in rows)
    # §1: OECD twice; "the UN" three times (the Global 500 through UNEP); §7(3): MLIT.
    assert conferrers == Counter({"oecd": 2, "united-nations": 2, "unep": 1, "mlit": 1})
    assert rows[0]["awardLabel"] == "Global 500 Roll of Honour"
    dalian = _rows(
        store,
        "recognitions-received",
        recipient=_iri("org/dalian-municipal-peoples-government"),
    )
    assert [(r["awardLabel"], r["dateText"]) for r in dalian] == [
        ("Global 500 Roll of Honour", "平成13年")
    ]


def test_organisations_that_worked_with_both_jica_and_iges(store: ox.Store) -> None:
    rows = _rows(store, "shared-collaborators", first=_iri("org/jica"), second=_iri("org/iges"))
    labels = {r["orgLabel"] for r in rows}
    # §6(2)ア: the IGES Kitakyushu Urban Centre works with Shabondama Soap on a JICA project;
    # the city has a partnership agreement with JICA (§6(3)ア) and works with IGES (§6(2)).
    assert {"City of Kitakyushu", "Shabondama Soap Co., Ltd."} <= labels
    assert "J-FILS Co., Ltd." not in labels  # JICA only
    assert "The University of Kitakyushu" not in labels  # IGES only
    assert not labels & {"JICA Kyushu", "IGES Kitakyushu Urban Centre"}
    shabondama = next(r for r in rows if r["orgLabel"] == "Shabondama Soap Co., Ltd.")
    assert "Central Kalimantan" in shabondama["withSecond"]
    city = next(r for r in rows if r["orgLabel"] == "City of Kitakyushu")
    assert "Partnership Agreement between the City of Kitakyushu" in city["withFirst"]


def test_history_of_the_asia_carbon_neutral_center(store: ox.Store) -> None:
    rows = _rows(store, "organisation-history")
    # §4(1)ア: opened June 2010 as the Asia Low Carbon Center, renamed January 2023.
    assert [(r["what"], r["date"], r["dateText"]) for r in rows] == [
        ("founded", "2010-06", "平成22年6月"),
        (
            "Renaming of the Asia Low Carbon Center as the Asia Carbon Neutral Center",
            "2023-01",
            "令和5年1月",
        ),
    ]
    # Its own English name is the label; the literal translation stays an alternative.
    assert {r["orgLabel"] for r in rows} == {"Kitakyushu Asia Center for Carbon Neutrality"}
    assert "Asia Low Carbon Center" in rows[0]["otherNames"]
    assert "Asia Carbon Neutral Center" in rows[0]["otherNames"]


@pytest.mark.parametrize(
    ("org", "date", "text"),
    [
        ("kita", "1980", "昭和55年"),
        ("jica-kyushu", "1989", "平成元年"),
        ("iclei", "1990", "平成2年"),
        ("iges-kitakyushu-urban-centre", "1999", "平成11年"),
        ("kitakyushu-overseas-water-business-council", "2010-08", "平成22年8月"),
        ("nietr-kitakyushu-office", "2016-10", "平成28年10月"),
    ],
)
def test_founding_dates(store: ox.Store, org: str, date: str, text: str) -> None:
    rows = _rows(store, "organisation-history", org=_iri(f"org/{org}"))
    assert [(r["date"], r["dateText"]) for r in rows if r["what"] == "founded"] == [(date, text)]


def test_organisations_by_type(store: ox.Store) -> None:
    rows = {r["typeLabel"]: r for r in _rows(store, "organisations-by-type")}
    for r in rows.values():
        assert int(r["count"]) == len(r["organisations"].split(" / "))
    companies = set(rows["Company"]["organisations"].split(" / "))
    # The ten companies §4(2) names, plus three it mentions without a name.
    named = {
        "Amita Holdings Co., Ltd.",
        "Beetle Engineering Co., Ltd.",
        "Daiseki Co., Ltd.",
        "EV Motors Japan Co., Ltd.",
        "IRPC Public Company Limited",
        "J-FILS Co., Ltd.",
        "Nishihara Shoji Co., Ltd.",
        "Ramky Group",
        "Shabondama Soap Co., Ltd.",
        "Well Create Co., Ltd.",
    }
    assert named <= companies
    assert len(companies - named) == 3
    assert all("not named" in c for c in companies - named)
    assert rows["University"]["organisations"] == (
        "Kyushu Institute of Technology / The University of Kitakyushu"
    )
    assert set(rows["Public utility"]["organisations"].split(" / ")) == {
        "Haiphong Sewerage and Drainage Company",
        "Haiphong Water Supply Company",
        "Phnom Penh Water Supply Authority",
        "Phu Tho Water Supply Company",
    }
    counts = [int(r["count"]) for r in _rows(store, "organisations-by-type")]
    assert counts == sorted(counts, reverse=True)


def test_memberships_of_kitakyushu(store: ox.Store) -> None:
    rows = _rows(store, "memberships")
    # §6(3)ウ: a member of ICLEI since its founding, serving on its board (理事); §7(3): registered
    # as a constituent member (構成メンバー) of WES Hub in April 2012.
    assert sorted((r["organizationLabel"], r["role"], r["roleJa"]) for r in rows) == [
        ("ICLEI – Local Governments for Sustainability", "board member", "理事"),
        ("Water and Environmental Solution Hub", "constituent member", "構成メンバー"),
    ]
    iges = _rows(store, "memberships", member=_iri("org/iges-kitakyushu-urban-centre"))
    # §6(2)イ: it takes part in the council and helps run it; on the GX consortium's board.
    assert {(r["organizationLabel"], r.get("role")) for r in iges} == {
        (
            "Kitakyushu Circular Economy Vision Promotion Council",
            "participant supporting the council's operation",
        ),
        ("Kitakyushu GX Promotion Consortium", "board member"),
    }
    assert all(r.get("membership") for r in iges)


# --- Provenance, dates, search ----------------------------------------------------------


def test_everything_derived_from_section_2_4(store: ox.Store) -> None:
    rows = _rows(store, "derived-from-section")
    nodes = {r["node"] for r in rows}
    assert {
        _iri("agreement/kitakyushu-haiphong-friendship-cooperation-2009"),
        _iri("agreement/kitakyushu-haiphong-sister-city-2014"),
        _iri("city/haiphong"),
        _iri("org/haiphong-peoples-committee"),
    } <= nodes
    assert {r["citedSections"] for r in rows} == {"§2(4)"}
    # Editorial notes are read as their triple and carry no label; every other node has both.
    notes = [r for r in rows if r["class"] == str(KG.EditorialStatement)]
    assert notes and all(not r.get("label") for r in notes)
    assert all(r.get("label") and r.get("labelJa") for r in rows if r not in notes)


def test_everything_derived_from_section_7_includes_its_subsections(store: ox.Store) -> None:
    rows = _rows(store, "derived-from-section", section=_iri("source/white-paper-2025/s7"))
    classes = Counter(r["class"] for r in rows)
    assert classes[str(KG.WaterBusinessContract)] == 47  # 31 + 11 + 5 orders in §7(2)
    assert classes[str(KG.Agreement)] == 10  # 【主な覚書締結】
    assert classes[str(KG.Recognition)] == 1  # §7(3) MLIT, April 2012
    assert len({r["node"] for r in rows}) == len(rows)
    kowba = next(r for r in rows if r["label"] == "Kitakyushu Overseas Water Business Association")
    assert kowba["citedSections"] == "§7(1) §7(2)"


def test_dates_in_2012_with_their_source_text(store: ox.Store) -> None:
    rows = _rows(store, "dates-with-source-text", fromYear=2012, toYear=2012)
    # 平成24年: Surabaya memorandum (§2(2)), five water orders (§7(2)), MLIT's recognition and
    # the WES Hub registration it brought (§7(3)).
    assert sorted((r["iso"], r["text"]) for r in rows) == [
        ("2012-01", "平成24年1月"),
        ("2012-02", "平成24年2月"),
        ("2012-04", "平成24年4月"),
        ("2012-04", "平成24年4月"),
        ("2012-05", "平成24年5月"),
        ("2012-06", "平成24年6月"),
        ("2012-11", "平成24年11月"),
        ("2012-11", "平成24年11月"),
    ]
    assert {r["fromYear"] for r in rows} == {"2012"}


def test_dates_agree_with_their_era_text(store: ox.Store) -> None:
    rows = _rows(store, "dates-with-source-text", fromYear=1900, toYear=2100)
    assert len(rows) > 100
    for r in rows:
        parsed = parse(r["text"])
        iso = parsed.start.isoformat() if isinstance(parsed, FiscalYear) else parsed.iso
        assert iso == r["iso"], r
    # 2019: March is 平成31年, November 令和元年.
    texts = {r["text"] for r in _rows(store, "dates-with-source-text", fromYear=2019, toYear=2019)}
    assert {"平成31年3月", "令和元年11月"} <= texts


def test_activities_in_fiscal_year_2016(store: ox.Store) -> None:
    rows = _rows(store, "activities-in-fiscal-year", fiscalYear=2016)
    texts = Counter(r["dateText"] for r in rows)
    assert texts["平成28年度"] >= 2  # Davao phase 1 adopted, Phnom Penh climate plan
    assert texts["平成28年4月"] == 2  # water orders: Kampot works, Jakarta training in Japan
    assert texts["平成28年11月"] == 1  # Davao joint statement
    assert texts["平成29年3月"] == 1  # World Bank CPP memorandum: still FY2016
    assert "平成28年3月" not in texts  # March 2016 belongs to FY2015
    assert {r["fiscalYearLabel"] for r in rows} == {"FY2016"}


def test_activities_in_fiscal_year_2024(store: ox.Store) -> None:
    rows = _rows(store, "activities-in-fiscal-year")
    labels = {r["label"] for r in rows}
    assert "JICA training courses run by KITA, FY2024" in labels  # §6(1)ア
    assert "4th International Forum on Low Carbon Cities" in labels  # 令和6年10月
    assert {r["dateText"] for r in rows} >= {"令和6年度", "令和6年5月", "令和6年11月"}
    assert "令和6年1月" not in {r["dateText"] for r in rows}  # January 2024 is FY2023


def test_label_search(store: ox.Store) -> None:
    rows = _rows(store, "label-search", text="HaiPhong")
    assert rows and all("haiphong" in r["matched"].lower() for r in rows)
    assert _iri("city/haiphong") in {r["node"] for r in rows}
    japanese = _rows(store, "label-search", text="ハイフォン")
    assert _iri("city/haiphong") in {r["node"] for r in japanese}
    acronyms = {r["node"] for r in _rows(store, "label-search", text="jica")}
    assert {_iri("org/jica"), _iri("org/jica-kyushu")} <= acronyms
    kita = next(r for r in _rows(store, "label-search", text="kita") if r["node"].endswith("/kita"))
    assert kita["labelJa"] == "公益財団法人北九州国際技術協力協会"


def test_publications(store: ox.Store) -> None:
    rows = _rows(store, "publications")
    oecd = [
        r["dateText"]
        for r in rows
        if r.get("publishers") == "Organisation for Economic Co-operation and Development"
    ]
    assert oecd == ["昭和60年", "平成25年", "令和3年"]  # §1: 1985 report, 2013, 2021
    manga = next(r for r in rows if r["label"].startswith("Our Future"))
    assert manga["url"] == "https://asiangreencamp.net/general/comic/index.html"
    g7 = next(r for r in rows if r.get("generatedBy") == "G7 Kitakyushu Energy Ministerial Meeting")
    assert g7["dateText"] == "平成28年"


# --- The editorial graph: what the source says, apart from what the editors add ----------

EDITORIAL = ox.NamedNode("https://w3id.org/kggraph/graph/editorial")


def test_what_the_source_says_leaves_out_the_editorial_graph_and_nothing_else(
    store: ox.Store,
) -> None:
    query = _load("what-the-source-says")
    resource = ox.NamedNode(_default(query.params[0]).value)
    rows = _rows(store, "what-the-source-says")
    found = {(r["property"], r["value"], r["graph"]) for r in rows}
    quads = list(store.quads_for_pattern(resource, None, None, None))
    expected = {
        (q.predicate.value, q.object.value, q.graph_name.value)
        for q in quads
        if q.graph_name != EDITORIAL
    }
    assert found == expected and len(rows) == len(found)
    added = {(q.predicate.value, q.object.value) for q in quads if q.graph_name == EDITORIAL}
    assert added, "the default resource has a statement the editors added (its EDTF start)"
    assert (str(KG.startDateEDTF), "1975~") in added
    assert not added & {(p, v) for p, v, _ in found}
    assert any(r["property"] == str(KG.startDate) and r["value"] == "1975" for r in rows)


def test_every_editorial_statement_is_listed_with_its_reason(store: ox.Store) -> None:
    rows = _rows(store, "editorial-statements")
    statements = {
        s["s"].value
        for s in store.query(
            "SELECT ?s WHERE { ?s a <https://w3id.org/kggraph/ontology#EditorialStatement> }",
            use_default_graph_as_union=True,
        )  # type: ignore[union-attr]
    }
    assert len(rows) == len(statements) > 0
    assert {r["statement"] for r in rows} == statements
    for row in rows:
        for column in ("reasonLabel", "reasonLabelJa", "reasonComment", "reasonCommentJa"):
            assert row[column].strip(), (row["statement"], column)
        assert row["basis"].startswith(str(KGID) + "concept/editorial-basis/")
        assert row["basisLabel"] and row["basisLabelJa"] and row["sections"]
    dated = [r for r in rows if r["predicate"] == str(KG.startDateEDTF)]
    assert dated and all(r["basisLabel"] == "Date read by the editors" for r in dated)
