"""The explore pages in a real browser: the network page draws the API's network with
cytoscape.js from this server, its year slider shows what the API gives for that year, its
search box finds an agent, a click opens the agent's page; the timeline page draws one bar per
year that the graph has. Counts are checked against the API and a SPARQL query on the release.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from kggraph.core.namespaces import sparql_prologue
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from tests.browser.conftest import POLL
from tests.conftest import Server
from tests.test_timeline import FIRST_YEARS

WAIT_SECONDS = 30
ID = "https://w3id.org/kggraph/id/"
JICA = ID + "org/jica"
CITY = ID + "org/kitakyushu-city-government"
SLIDER_YEAR = 2012


def _api(server: Server, **params: Any) -> dict[str, Any]:
    answer = httpx.get(server.url + "/network", params=params, timeout=30)
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


def _open(browser: webdriver.Chrome, server: Server) -> None:
    """Load the network page and wait until the drawing is there and the counts are shown."""
    browser.get(server.url + "/explore/network")
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: (
            b.find_element(By.ID, "node-count").text.isdigit()
            and b.execute_script("return Boolean(window.kggraphNetwork)")
        )
    )


def _shown(browser: webdriver.Chrome) -> tuple[int, int]:
    return (
        int(browser.find_element(By.ID, "node-count").text),
        int(browser.find_element(By.ID, "edge-count").text),
    )


def _drawn(browser: webdriver.Chrome) -> tuple[int, int]:
    """Agents and ties visible on the canvas (the slider hides the others)."""
    found = browser.execute_script(
        "const cy = window.kggraphNetwork;"
        "return [cy.nodes(':visible').length, cy.edges(':visible').length];"
    )
    return int(found[0]), int(found[1])


def test_the_page_draws_the_apis_network_from_this_server(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get_log("performance")  # drop what earlier tests left
    browser.get_log("browser")
    _open(browser, server)
    data = _api(server)["data"]
    assert _shown(browser) == (data["nodes"], data["edges"])
    assert _drawn(browser) == (data["nodes"], data["edges"])
    legend = browser.find_elements(By.CSS_SELECTOR, "#legend-nodes .n")
    assert sum(int(n.text) for n in legend) == data["nodes"]
    requested = {
        message["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if (message := json.loads(entry["message"])["message"])["method"]
        == "Network.requestWillBeSent"
    }
    web = {u for u in requested if urlsplit(u).scheme in ("http", "https", "ws", "wss")}
    assert server.url + "/static/cytoscape/cytoscape.min.js" in web
    assert server.url + "/network" in web
    assert [u for u in web if urlsplit(u).netloc != urlsplit(server.url).netloc] == []
    problems = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert problems == []  # a Content-Security-Policy violation or a 404 would show here


def test_the_year_slider_shows_the_network_of_that_year(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    _open(browser, server)
    full = _api(server)["data"]
    slider = browser.find_element(By.ID, "year-slider")
    first, last = full["years"]["first"], full["years"]["last"]
    assert (int(slider.get_attribute("min") or 0), int(slider.get_attribute("max") or 0)) == (
        first,
        last + 1,
    )
    every = (full["nodes"], full["edges"])
    slider.send_keys(Keys.HOME)
    _expect_year(browser, server, first)
    slider.send_keys(Keys.END)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: _shown(b) == every)
    assert _drawn(browser) == every
    assert browser.find_element(By.ID, "year-label").text == "all years"
    slider.send_keys(*[Keys.ARROW_LEFT] * (last + 1 - SLIDER_YEAR))
    _expect_year(browser, server, SLIDER_YEAR)
    assert _shown(browser) != every


def _expect_year(browser: webdriver.Chrome, server: Server, year: int) -> None:
    """The page comes to show the API's network for ``to_year=year``, drawn and counted."""
    expected = _api(server, to_year=year)["data"]
    counts = (expected["nodes"], expected["edges"])
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: _shown(b) == counts)
    assert _drawn(browser) == counts
    assert browser.find_element(By.ID, "year-label").text == str(year)
    gexf = browser.find_element(By.CSS_SELECTOR, '#downloads a[data-export="gexf"]')
    assert (gexf.get_attribute("href") or "").endswith(f"/network/export.gexf?to_year={year}")


@pytest.mark.parametrize(
    ("typed", "iri"),
    [("JICA", JICA), ("北九州市", CITY), ("japan international cooperation", JICA)],
    ids=["other-name", "japanese-label", "part-of-a-label"],
)
def test_the_search_box_finds_an_agent(
    server: Server, browser: webdriver.Chrome, screenshot: Path, typed: str, iri: str
) -> None:
    _open(browser, server)
    label = next(
        n["data"]["label"] for n in _api(server)["elements"]["nodes"] if n["data"]["id"] == iri
    )
    box = browser.find_element(By.ID, "agent-search")
    box.send_keys(typed, Keys.ENTER)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: b.find_element(By.ID, "details").get_attribute("data-iri") == iri
    )
    assert browser.find_element(By.ID, "selected-agent").text == label
    selected = browser.execute_script(
        "return window.kggraphNetwork.$('node:selected').map((n) => n.id())"
    )
    assert selected == [iri]
    link = browser.find_element(By.CSS_SELECTOR, "#details a")
    assert link.get_attribute("href") == server.url + "/id/" + iri.removeprefix(ID)


def test_an_unknown_name_is_said_so(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    _open(browser, server)
    browser.find_element(By.ID, "agent-search").send_keys("Atlantis Water Board", Keys.ENTER)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: "Atlantis Water Board" in b.find_element(By.ID, "search-status").text
    )


def test_clicking_an_agent_opens_its_page(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    _open(browser, server)
    canvas = browser.find_element(By.ID, "network")
    where = browser.execute_script(
        "const cy = window.kggraphNetwork;"
        "const p = cy.getElementById(arguments[0]).renderedPosition();"
        "const covering = cy.nodes().filter((n) => n.id() !== arguments[0]).filter((n) => {"
        "  const b = n.renderedBoundingBox({includeLabels: false});"
        "  return p.x >= b.x1 && p.x <= b.x2 && p.y >= b.y1 && p.y <= b.y2; });"
        "return [p.x, p.y, covering.map((n) => n.id())];",
        JICA,
    )
    assert where[2] == [], "another agent lies on top of JICA in the drawing"
    box = canvas.rect
    ActionChains(browser).move_to_element_with_offset(
        canvas, int(where[0] - box["width"] / 2), int(where[1] - box["height"] / 2)
    ).click().perform()
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: "/explore/" not in b.current_url)
    assert browser.current_url == server.url + "/id/org/jica"


def test_the_timeline_draws_one_bar_per_year_of_the_data(
    server: Server, browser: webdriver.Chrome, screenshot: Path, built: BuildResult
) -> None:
    store = Release(built.release).open_store()
    answer = store.query(
        sparql_prologue() + f"SELECT DISTINCT ?year WHERE {{ {{ {FIRST_YEARS} }} }}"
    )
    assert isinstance(answer, ox.QuerySolutions)
    years = sorted(int(row["year"].value) for row in answer if row["year"] is not None)
    browser.get(server.url + "/explore/timeline")
    chart = browser.find_element(By.CSS_SELECTOR, "#timeline svg")
    assert chart.size["width"] > 600 and chart.size["height"] > 300
    bars = browser.find_elements(By.CSS_SELECTOR, "#timeline svg g.year")
    assert [int(b.get_attribute("data-year") or 0) for b in bars] == years
    assert all(b.size["height"] > 0 for b in bars)
    labels = {t.text for t in browser.find_elements(By.CSS_SELECTOR, "#timeline svg .axis text")}
    assert {str(years[0]), str(years[-1])} <= labels
    browser.set_window_size(1280, 1400)  # the whole chart in the screenshot
