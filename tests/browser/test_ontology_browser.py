"""The ontology documentation in a real browser: a term IRI opens its entry, the diagram's links
lead to entries, and the downloads page offers every file.

Names are read from the session build's graph, not from the pages.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kggraph.core.namespaces import ONTOLOGY_IRI, VOCAB_IRI
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from tests.browser.conftest import ARTIFACTS, POLL
from tests.conftest import Server

WAIT_SECONDS = 30


def _labels(built: BuildResult, term: str) -> dict[str, str]:
    store = Release(built.release).open_store()
    solutions = store.query(
        f"SELECT ?l WHERE {{ <{term}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
    )
    assert isinstance(solutions, ox.QuerySolutions)
    found = {}
    for row in solutions:
        literal = row[0]
        assert isinstance(literal, ox.Literal)
        found[literal.language or ""] = literal.value
    return found


@pytest.mark.parametrize("term", ["City", "partnerCity", "startDate"])
def test_a_term_iri_opens_its_entry(
    browser: webdriver.Chrome, server: Server, built: BuildResult, term: str, screenshot: Path
) -> None:
    # the term IRI …/ontology#City, with this server in place of https://w3id.org/kggraph
    browser.get(server.url + (VOCAB_IRI + term).removeprefix("https://w3id.org/kggraph"))
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: b.execute_script("return document.querySelector(':target') !== null")
    )
    target = browser.execute_script("return document.querySelector(':target').id")
    assert target == term
    entry = browser.find_element(By.ID, term)
    labels = _labels(built, VOCAB_IRI + term)
    assert labels["en"] in entry.text and labels["ja"] in entry.text
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", entry)
    assert 0 <= top < 200, "the entry is scrolled into view"


def test_a_class_in_the_diagram_links_to_its_entry(
    browser: webdriver.Chrome, server: Server, screenshot: Path
) -> None:
    browser.set_window_size(1280, 1024)
    browser.get(server.url + "/ontology")
    box = browser.find_element(By.CSS_SELECTOR, f'a.class-box[data-iri="{VOCAB_IRI}Country"]')
    browser.save_screenshot(str(ARTIFACTS / "ontology_page.png"))
    browser.execute_script("arguments[0].scrollIntoView()", box)
    box.click()
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: b.current_url.endswith("#Country"))
    assert browser.execute_script("return document.querySelector(':target').id") == "Country"
    assert ONTOLOGY_IRI in browser.page_source


def test_the_downloads_page_offers_every_file(
    browser: webdriver.Chrome, server: Server, built: BuildResult, screenshot: Path
) -> None:
    browser.get(server.url + "/dumps/")
    links = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "table.files a")}
    dumps = {p.name for p in built.release.iterdir() if p.name.startswith("kggraph.")}
    assert links == dumps
