"""Text alternatives and languages of the pages (issue 17), read with an HTML parser.

The network page lists the agents and ties its drawing shows, as tables, for any filter: the
rows are checked against ``/network`` (the JSON the drawing is made from) for the same filter.
The timeline chart has a title and a description that label it, and its numbers stand in a
table beside it: checked against the chart's own bars. Every text taken from a label of the
graph is in an element whose language is the label's own (``lang`` on it or an ancestor): the
labels and their languages are read from the published dump, not from the pages.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pyoxigraph as ox
import pytest

from kggraph.core.namespaces import ID_IRI
from kggraph.publish.build import BuildResult
from tests.conftest import Server
from tests.htmltree import Element, parse

LABELS = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
)
FILTERS: list[dict[str, Any]] = [
    {},
    {"to_year": 2012},
    {"kind": ["agreement", "project"], "from_year": 2010},
    {"country": "vietnam"},
]


def _get(server: Server, path: str, **params: Any) -> httpx.Response:
    answer = httpx.get(server.url + path, params=params, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer


def _rows(page: Element, table: str) -> list[Element]:
    body = page.by_id(table)
    return [tr for tr in body.iter("tr") if tr.get("data-id")]


def _cell(row: Element, column: str) -> Element:
    found = [e for e in row.iter() if e.get("data-column") == column]
    assert len(found) == 1, f"row {row.get('data-id')} has {len(found)} {column} cells"
    return found[0]


# --- the network page's tables -------------------------------------------------------------------


@pytest.mark.parametrize("params", FILTERS, ids=lambda p: "&".join(map(str, p.items())) or "all")
def test_the_network_tables_hold_what_the_api_gives_for_the_filter(
    server: Server, params: dict[str, Any]
) -> None:
    expected = _get(server, "/network", **params).json()
    page = parse(_get(server, "/explore/network", **params).text)
    nodes = {n["data"]["id"]: n["data"] for n in expected["elements"]["nodes"]}
    edges = {e["data"]["id"]: e["data"] for e in expected["elements"]["edges"]}
    agents = {r.get("data-id"): r for r in _rows(page, "agents-table")}
    ties = {r.get("data-id"): r for r in _rows(page, "ties-table")}
    assert len(agents) == len(_rows(page, "agents-table"))  # no agent twice
    assert set(agents) == set(nodes)
    assert set(ties) == set(edges)
    assert expected["data"]["nodes"] == len(agents) and expected["data"]["edges"] == len(ties)
    for iri, row in agents.items():
        data = nodes[iri]
        for column in ("degree", "strength", "community"):
            assert int(_cell(row, column).text) == data[column], (iri, column)
        assert float(_cell(row, "betweenness").text) == pytest.approx(data["betweenness"], abs=5e-4)
        name = _cell(row, "agent")
        assert name.having("a")[0].text == data["label"]
        link = name.having("a")[0].get("href")
        assert link == "../id/" + iri.removeprefix(ID_IRI)
    for edge_id, row in ties.items():
        assert int(_cell(row, "count").text) == edges[edge_id]["count"]
        assert _cell(row, "kind").text == edges[edge_id]["kind"]
    counts = page.by_id("table-counts").having("strong")
    assert [int(c.text) for c in counts] == [len(agents), len(ties)]


def test_the_network_page_draws_and_downloads_the_filtered_network(server: Server) -> None:
    page = parse(_get(server, "/explore/network", to_year=2012, country="").text)
    config = page.by_id("kggraph-network-config").children[0]
    assert isinstance(config, str) and '"api": "../network?to_year=2012"' in config
    gexf = [a for a in page.iter("a") if a.get("data-export") == "gexf"]
    assert [a.get("href") for a in gexf] == ["../network/export.gexf?to_year=2012"]
    chosen = page.by_id("to-year").having("option", selected="")
    assert [o.text for o in chosen] == ["2012"]


def test_the_tables_sort_on_the_server_by_any_column(server: Server) -> None:
    default = parse(_get(server, "/explore/network").text)
    degrees = [int(_cell(r, "degree").text) for r in _rows(default, "agents-table")]
    assert degrees == sorted(degrees, reverse=True)
    by_name = parse(_get(server, "/explore/network", sort="agent").text)
    names = [_cell(r, "agent").get("data-value") for r in _rows(by_name, "agents-table")]
    assert names == sorted(names, key=str.casefold)
    assert names != [_cell(r, "agent").get("data-value") for r in _rows(default, "agents-table")]
    headers = {th.text: th.get("aria-sort") for th in by_name.by_id("agents-table").iter("th")
               if th.get("scope") == "col"}  # fmt: skip
    assert headers["Agent"] == "ascending"
    assert sorted(headers.values()).count("none") == len(headers) - 1
    button = by_name.by_id("agents-table").having("button", data_column="agent")[0]
    assert button.get("value") == "-agent"  # the next click sorts the other way
    by_count = parse(_get(server, "/explore/network", ties_sort="count").text)
    counts = [int(_cell(r, "count").text) for r in _rows(by_count, "ties-table")]
    assert counts == sorted(counts) and counts[0] < counts[-1]
    bad = httpx.get(server.url + "/explore/network", params={"sort": "colour"}, timeout=30)
    assert bad.status_code == 400 and "colour" in bad.text


def test_the_drawing_links_to_its_table(server: Server) -> None:
    page = parse(_get(server, "/explore/network").text)
    table = page.by_id("network-table")
    assert "Table of this network" in table.by_id("network-table-title").text
    links = [a for a in page.iter("a") if a.get("href") == "#network-table"]
    assert any(a.text == "Table of this network" for a in links)
    drawing = page.by_id("network")
    assert drawing.get("role") == "img" and "table" in drawing.get("aria-label")


# --- the timeline -----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_timeline_chart_is_labelled_and_described(server: Server, lang: str) -> None:
    for path in ("/explore/timeline", "/explore/timeline.svg"):
        document = parse(_get(server, path, lang=lang).text)
        svg = next(document.iter("svg"))
        assert svg.get("role") == "img" and svg.get("lang") == lang
        title = document.by_id(svg.get("aria-labelledby"))
        desc = document.by_id(svg.get("aria-describedby"))
        assert (title.tag, desc.tag) == ("title", "desc")
        assert title.parent is svg and desc.parent is svg
        assert title.text and desc.text


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_timeline_table_holds_the_charts_numbers(server: Server, lang: str) -> None:
    page = parse(_get(server, "/explore/timeline", lang=lang).text)
    svg = next(page.iter("svg"))
    drawn: dict[tuple[str, str, str], int] = {}
    for year in svg.iter("g"):
        if "year" not in year.classes:
            continue
        for rect in year.iter("rect"):
            kind: str = next(k for k in ("agreement", "project") if k in rect.classes)
            drawn[(year.get("data-year"), kind, rect.get("data-country"))] = int(
                rect.get("data-count")
            )
    table = page.by_id("timeline-table")
    listed: dict[tuple[str, str, str], int] = {}
    for body in table.iter("tbody"):
        for row in body.iter("tr"):
            if "total" in row.classes:
                continue
            for cell in row.iter("td"):
                if int(cell.text):
                    where = (body.get("data-year"), cell.get("data-kind"), row.get("data-country"))
                    listed[where] = int(cell.text)
    assert drawn and listed == drawn
    totals = {
        (str(t["year"]), t["kind"]): t["count"]
        for t in _get(server, "/explore/timeline.json").json()["totals"]
    }
    shown = {
        (body.get("data-year"), cell.get("data-kind")): int(cell.text)
        for body in table.iter("tbody")
        for row in body.iter("tr")
        if "total" in row.classes
        for cell in row.iter("td")
        if int(cell.text)
    }
    assert shown == totals


# --- languages ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def label_languages(built: BuildResult) -> dict[str, set[str]]:
    """Every label of the dump → the language tags it has (a text may be a label in both)."""
    store = ox.Store()
    store.bulk_load(path=str(Path(built.release) / "kggraph.nt"), format=ox.RdfFormat.N_TRIPLES)
    found: dict[str, set[str]] = defaultdict(set)
    for predicate in LABELS:
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
            if isinstance(quad.object, ox.Literal) and quad.object.language:
                found[quad.object.value.strip()].add(quad.object.language)
    return found


PAGES = [
    "/id/city/dalian",
    "/id/agreement/kitakyushu-haiphong-sister-city-2014",
    "/id/org/jica",
    "/id/",
    "/id/city/",
    "/search?q=water",
]


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize("path", PAGES)
def test_every_label_on_a_page_is_in_its_own_language(
    server: Server, label_languages: dict[str, set[str]], path: str, lang: str
) -> None:
    where, _, query = path.partition("?")
    params = dict(parse_qsl(query))
    page = parse(_get(server, where, **params, lang=lang).text)
    html = next(page.iter("html"))
    assert html.get("lang") == lang
    _labels_carry_their_language(page, label_languages)


def test_the_network_page_says_its_language_and_marks_the_other(
    server: Server, label_languages: dict[str, set[str]]
) -> None:
    page = parse(_get(server, "/explore/network", lang="ja").text)
    assert next(page.iter("html")).get("lang") == "en"  # English only, and says so
    note = next(p for p in page.iter("p") if "page-language" in p.classes)
    assert "This page is in English" in note.text
    assert [s.get("lang") for s in note.iter("span")] == ["ja"]
    japanese = _labels_carry_their_language(page, label_languages)
    assert japanese > 10  # the agents' Japanese names are on the page


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_timeline_follows_the_site_language(
    server: Server, label_languages: dict[str, set[str]], lang: str
) -> None:
    answer = _get(server, "/explore/timeline", lang=lang)
    assert answer.headers["content-language"] == lang
    page = parse(answer.text)
    assert next(page.iter("html")).get("lang") == lang
    other = "en" if lang == "ja" else "ja"
    switch = page.having("a", hreflang=other)
    assert [a.get("lang") for a in switch] == [other]
    assert _labels_carry_their_language(page, label_languages) > 10
    by_browser = httpx.get(
        server.url + "/explore/timeline", headers={"Accept-Language": "ja"}, timeout=30
    )
    assert by_browser.headers["content-language"] == "ja"


def _labels_carry_their_language(page: Element, languages: dict[str, set[str]]) -> int:
    """Assert that every text node that is a label in one language only sits in an element of
    that language; return how many Japanese ones there were."""
    body = next(page.iter("body"))
    wrong, japanese = [], 0
    for text, holder in body.texts():
        tags = languages.get(text, set())
        if len(tags) != 1:
            continue  # not a label, or a label in both languages
        (tag,) = tags
        japanese += tag == "ja"
        if holder.lang != tag:
            wrong.append(f"{text!r} @{tag} in <{holder.tag}> of lang {holder.lang!r}")
    assert wrong == []
    return japanese


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_every_kind_of_identifier_has_a_name_in_both_languages(server: Server, lang: str) -> None:
    """A kind without a name of its own would show its slug (``target``), in no language."""
    page = parse(_get(server, "/id/", lang=lang).text)
    rows = [tr for tr in page.iter("tr") if tr.get("id").startswith("kind-")]
    assert len(rows) > 10
    for row in rows:
        slug = row.get("id").removeprefix("kind-")
        name = next(row.iter("a")).text
        assert name and name != slug, f"/id/{slug}/ has no {lang} name in site_text.KINDS"
