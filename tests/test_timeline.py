"""The timeline (``kggraph.network.timeline``, ``kggraph.web.explore.timeline_svg`` and its routes
in ``kggraph.web.explore.views``) on a real server: its counts per year, kind and country agree with
SPARQL counts on the same release, written here with aggregates and property paths rather than the
module's queries; its CSV and chart say the same. Facts named below are the source's (the source
document, 000_5b69d3d5bab7a4e9.txt), cited by line.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from kggraph.core.namespaces import sparql_prologue
from kggraph.graph.release import Release
from kggraph.network.timeline import HOME_COUNTRY, KINDS, QUERIES, query_text, timeline_from_rows
from kggraph.publish.build import BuildResult
from tests.conftest import Server

pytestmark = pytest.mark.slow

ID = "https://w3id.org/kggraph/id/"
VIETNAM = ID + "country/vietnam"
SISTER_CITY_2014 = ID + "agreement/kitakyushu-haiphong-sister-city-2014"
EXPERT_DISPATCH = ID + "project/kitakyushu-expert-dispatch"
SVG = "{http://www.w3.org/2000/svg}"

FIRST_YEARS = """
SELECT ?activity ?kind (MIN(?y) AS ?year) WHERE {
  VALUES (?base ?kind) { (kg:Agreement "agreement") (kg:Project "project") }
  ?activity a ?class . ?class rdfs:subClassOf* ?base .
  OPTIONAL {
    { ?activity kg:date|kg:startDate ?d }
    UNION { ?activity (kg:fiscalYear|kg:startFiscalYear)/kg:startDate ?d }
    BIND(xsd:integer(SUBSTR(STR(?d), 1, 4)) AS ?y)
  }
} GROUP BY ?activity ?kind"""
"""Every agreement and project with the first year of any of its dates (unbound: undated)."""

TOTALS = (
    "SELECT ?kind ?year (COUNT(?activity) AS ?n) WHERE { {"
    + FIRST_YEARS
    + "} FILTER(BOUND(?year)) } GROUP BY ?kind ?year"
)
UNDATED = (
    "SELECT ?kind (COUNT(?activity) AS ?n) WHERE { {"
    + FIRST_YEARS
    + "} FILTER(!BOUND(?year)) } GROUP BY ?kind"
)
COUNTRIES = """
SELECT DISTINCT ?activity ?country WHERE {
  VALUES ?base { kg:Agreement kg:Project }
  ?activity a/rdfs:subClassOf* ?base .
  {
    ?activity kg:location/kg:containedInPlace* ?country .
  } UNION {
    FILTER NOT EXISTS { ?activity kg:location [] }
    VALUES ?roleBase { kg:party kg:participant kg:funder kg:organizer }
    ?role rdfs:subPropertyOf* ?roleBase . ?activity ?role ?agent .
    { ?agent (kg:basedIn|kg:governmentOf)/kg:containedInPlace* ?country . }
    UNION {
      FILTER NOT EXISTS { ?agent kg:basedIn|kg:governmentOf [] }
      ?agent kg:unitOf+/(kg:basedIn|kg:governmentOf)/kg:containedInPlace* ?country .
    }
  }
  ?country a kg:Country .
}"""
"""Where each activity is: its places' countries, else its agents' (a unit, its parents')."""


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    return Release(built.release).open_store()


@pytest.fixture(scope="module")
def timeline(server: Server) -> dict[str, Any]:
    answer = httpx.get(server.url + "/explore/timeline.json", timeout=30)
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


def _select(store: ox.Store, body: str) -> list[dict[str, str]]:
    answer = store.query(sparql_prologue() + body)
    assert isinstance(answer, ox.QuerySolutions)
    names = [v.value for v in answer.variables]
    return [
        {name: term.value for name in names if (term := row[name]) is not None} for row in answer
    ]


def _first_years(store: ox.Store) -> dict[str, tuple[str, int | None]]:
    found = {}
    for row in _select(store, FIRST_YEARS):
        assert row["activity"] not in found, "an activity both an agreement and a project"
        year = row.get("year")
        found[row["activity"]] = (row["kind"], int(year) if year else None)
    return found


def test_totals_per_year_and_kind_agree_with_sparql(
    store: ox.Store, timeline: dict[str, Any]
) -> None:
    expected = {(r["kind"], int(r["year"])): int(r["n"]) for r in _select(store, TOTALS)}
    shown = {(t["kind"], t["year"]): t["count"] for t in timeline["totals"]}
    assert shown == expected
    assert timeline["years"] == sorted({year for _, year in expected})
    undated = {r["kind"]: int(r["n"]) for r in _select(store, UNDATED)}
    assert timeline["undated"] == {kind: undated.get(kind, 0) for kind in KINDS}


def test_counts_per_year_and_country_agree_with_sparql(
    store: ox.Store, timeline: dict[str, Any]
) -> None:
    years = _first_years(store)
    countries: dict[str, set[str]] = defaultdict(set)
    for row in _select(store, COUNTRIES):
        countries[row["activity"]].add(row["country"])
    expected: Counter[tuple[int, str, str | None]] = Counter()
    for activity, (kind, year) in years.items():
        if year is None:
            continue
        found = countries[activity]
        abroad = found - {HOME_COUNTRY} or found  # Japan only when no other country is left
        for country in abroad or {None}:
            expected[(year, kind, country)] += 1
    shown = {(c["year"], c["kind"], c["country"]): c["count"] for c in timeline["counts"]}
    assert shown == dict(expected)
    for cell in timeline["counts"]:
        assert len(cell["activities"]) == cell["count"]
        assert all(years[a] == (cell["kind"], cell["year"]) for a in cell["activities"])


def test_the_sister_city_agreement_is_vietnam_2014(timeline: dict[str, Any]) -> None:
    """Line 69: 平成26年4月, the sister-city agreement with Haiphong (Vietnam)."""
    cells = [c for c in timeline["counts"] if SISTER_CITY_2014 in c["activities"]]
    assert [(c["year"], c["kind"], c["country"]) for c in cells] == [(2014, "agreement", VIETNAM)]


def test_experts_sent_to_no_single_country_since_1975(timeline: dict[str, Any]) -> None:
    """Lines 89-91: experts sent since the mid-1970s (昭和50年) to Asia and Latin America."""
    cells = [c for c in timeline["counts"] if EXPERT_DISPATCH in c["activities"]]
    assert [(c["year"], c["country"]) for c in cells] == [(1975, None)]
    assert timeline["years"][0] == 1975


def test_the_csv_holds_the_same_cells(server: Server, timeline: dict[str, Any]) -> None:
    answer = httpx.get(server.url + "/explore/timeline.csv", timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [
        (int(r["year"]), r["kind"], r["country"] or None, int(r["count"]), r["activities"].split())
        for r in rows
    ] == [
        (c["year"], c["kind"], c["country"], c["count"], c["activities"])
        for c in timeline["counts"]
    ]


def test_the_chart_has_a_bar_per_year_and_segment_per_cell(
    server: Server, timeline: dict[str, Any]
) -> None:
    answer = httpx.get(server.url + "/explore/timeline.svg", timeout=30)
    assert answer.headers["content-type"].startswith("image/svg+xml")
    svg = ET.fromstring(answer.text)  # noqa: S314 - our own server's answer
    groups = svg.findall(f"{SVG}g[@class='year']")
    assert [int(g.get("data-year", "")) for g in groups] == timeline["years"]
    segments = {
        (int(g.get("data-year", "")), r.get("class", "").split()[1], r.get("data-country") or None):
        int(r.get("data-count", ""))
        for g in groups
        for r in g.findall(f"{SVG}rect")
    }  # fmt: skip
    assert segments == {
        (c["year"], c["kind"], c["country"]): c["count"] for c in timeline["counts"]
    }
    legend = [
        i.get("data-country") or None
        for i in svg.iter(f"{SVG}g")
        if i.get("class") == "legend-item"
    ]
    assert legend == [c["iri"] for c in timeline["countries"]]


def test_the_page_embeds_the_chart_and_links_its_data(server: Server) -> None:
    page = httpx.get(server.url + "/explore/timeline", timeout=30)
    assert page.status_code == 200
    assert "<svg" in page.text and 'class="year"' in page.text
    assert "<script" not in page.text  # a picture with no script at all
    for twin in ("timeline.json", "timeline.csv", "timeline.svg"):
        assert f'href="{twin}"' in page.text
        assert f"<{twin}>" in page.headers["link"]


def test_rows_in_any_order_give_the_same_timeline(store: ox.Store) -> None:
    """``timeline_from_rows`` does not depend on the order the workers return rows in."""
    rows = {name: _select(store, QUERIES[name]) for name in QUERIES}
    assert query_text("places").startswith(sparql_prologue())
    forward = timeline_from_rows(rows)
    backward = timeline_from_rows({name: list(reversed(found)) for name, found in rows.items()})
    assert forward.as_json() == backward.as_json()
    assert forward.as_csv() == backward.as_csv()
