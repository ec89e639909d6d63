"""The query page in a real browser: YASGUI renders, runs queries on this server, shows the rows,
opens the canned queries, and loads nothing from any other host."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.expected_conditions import staleness_of
from selenium.webdriver.support.ui import Select, WebDriverWait

from kggraph.canned.catalogue import read_canned_query
from kggraph.core.namespaces import sparql_prologue
from tests.browser.conftest import POLL
from tests.conftest import ROOT, Server

WAIT_SECONDS = 30
HAIPHONG_LABELS = """\
PREFIX kgid: <https://w3id.org/kggraph/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE { kgid:city\\/haiphong rdfs:label ?label } ORDER BY ?label
"""


def _visible(browser: webdriver.Chrome, css: str) -> WebElement:
    """The one visible element matching ``css`` (YASGUI keeps hidden tabs in the page)."""
    shown = [e for e in browser.find_elements(By.CSS_SELECTOR, css) if e.is_displayed()]
    assert len(shown) == 1, f"{len(shown)} visible elements match {css!r}"
    return shown[0]


def _open(browser: webdriver.Chrome, url: str) -> WebElement:
    """Load the page and wait until YASGUI has drawn its editor; return the editor."""
    browser.get(url)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: any(e.is_displayed() for e in b.find_elements(By.CSS_SELECTOR, ".CodeMirror"))
    )
    return _visible(browser, ".yasqe .CodeMirror")


def _editor_text(browser: webdriver.Chrome) -> str:
    editor = _visible(browser, ".yasqe .CodeMirror")
    return str(browser.execute_script("return arguments[0].CodeMirror.getValue()", editor))


def _run(browser: webdriver.Chrome) -> list[str]:
    """Click the run button; wait for a new result table; return the text of its cells."""
    shown = [e for e in browser.find_elements(By.CSS_SELECTOR, ".yasr tbody") if e.is_displayed()]
    _visible(browser, ".yasqe_queryButton").click()
    if shown:  # the tab's earlier results: wait until YASR has replaced them
        WebDriverWait(browser, WAIT_SECONDS, POLL).until(staleness_of(shown[0]))
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: any(e.is_displayed() for e in b.find_elements(By.CSS_SELECTOR, ".yasr tbody td"))
    )
    return [c.text for c in browser.find_elements(By.CSS_SELECTOR, ".yasr tbody td") if c.text]


def test_a_query_set_in_the_editor_runs_and_shows_its_rows(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    editor = _open(browser, server.sparql)
    start = _editor_text(browser)
    assert start.startswith(sparql_prologue()), start[:200]
    assert "SELECT ?city ?name ?nameJa ?country" in start
    browser.execute_script(
        "arguments[0].CodeMirror.setValue(arguments[1])", editor, HAIPHONG_LABELS
    )
    cells = _run(browser)
    # data/places.ttl, from the source's ハイフォン市 (ベトナム)
    assert '"Haiphong"@en' in cells
    assert '"ハイフォン市"@ja' in cells
    assert len(cells) == 4, cells  # two rows: a row number and the label each


def test_an_example_opens_in_its_own_tab_and_runs(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    example = read_canned_query(ROOT / "queries" / "partner-cities.rq")
    _open(browser, server.url + "/")
    Select(browser.find_element(By.ID, "example-select")).select_by_value(example.slug)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: _editor_text(b) == example.text)
    active = browser.find_element(By.CSS_SELECTOR, ".yasgui .tabsList .tab.active a span")
    assert active.text == example.title
    assert example.description in browser.find_element(By.ID, "example-description").text
    cells = _run(browser)
    # a sister city since April 2014 (平成26年4月 in the source)
    assert '"Haiphong"@en' in cells


def test_the_page_talks_to_this_server_only(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get_log("performance")  # drop what earlier tests left
    browser.get_log("browser")
    _open(browser, server.sparql)
    assert _run(browser)
    requested = {
        message["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if (message := json.loads(entry["message"])["message"])["method"]
        == "Network.requestWillBeSent"
    }
    web = {u for u in requested if urlsplit(u).scheme in ("http", "https", "ws", "wss")}
    here = urlsplit(server.url).netloc
    assert {server.sparql, server.url + "/static/yasgui/yasgui.min.js"} <= web
    assert [u for u in web if urlsplit(u).netloc != here] == []
    problems = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert problems == []  # a Content-Security-Policy violation or a 404 would show here
