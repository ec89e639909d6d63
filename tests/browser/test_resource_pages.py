"""The resource pages in a real browser: from a city to one of its agreements, in both
languages, on a desktop and on a phone-sized window, and from the 404 page to a search hit.

Every name the test looks for is read from the published dump, not from the pages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import URIRef
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kggraph.core.namespaces import BASE_IRI, ID_IRI, KG, RDFS
from kggraph.publish.build import BuildResult
from tests.browser.conftest import ARTIFACTS, POLL
from tests.conftest import Server

WAIT_SECONDS = 30
HAIPHONG = ID_IRI + "city/haiphong"
AGREEMENT = ID_IRI + "agreement/kitakyushu-haiphong-sister-city-2014"
DALIAN = ID_IRI + "city/dalian"


@pytest.fixture(scope="module")
def dump(built: BuildResult) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph.parse(Path(built.release) / "kggraph.nt", format="nt")
    return graph


def label(dump: rdflib.Graph, iri: str | URIRef, lang: str) -> str:
    return next(str(o) for o in dump.objects(URIRef(iri), RDFS.label) if o.language == lang)


def heading(browser: webdriver.Chrome) -> str:
    return str(browser.find_element(By.TAG_NAME, "h1").text)


def wait_for_path(browser: webdriver.Chrome, path: str) -> None:
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: path in b.current_url)


def test_a_city_page_leads_to_its_agreement_in_both_languages(
    browser: webdriver.Chrome, server: Server, dump: rdflib.Graph, screenshot: Path
) -> None:
    browser.set_window_size(1280, 1024)
    browser.get(f"{server.url}/id/city/haiphong?lang=en")
    assert heading(browser) == label(dump, HAIPHONG, "en")
    browser.save_screenshot(str(ARTIFACTS / "resource_page_city.png"))

    # the agreement is signed by the city's government: the city page links it all the same
    browser.find_element(By.LINK_TEXT, label(dump, AGREEMENT, "en")).click()
    wait_for_path(browser, "/id/agreement/kitakyushu-haiphong-sister-city-2014")
    assert heading(browser) == label(dump, AGREEMENT, "en")
    dates = browser.find_element(By.CSS_SELECTOR, "section.dates").text
    assert str(dump.value(URIRef(AGREEMENT), KG.date)) in dates
    assert str(dump.value(URIRef(AGREEMENT), KG.dateText)) in dates
    own = browser.find_element(By.CSS_SELECTOR, "section.own").text
    for party in dump.objects(URIRef(AGREEMENT), KG.party):
        assert label(dump, party, "en") in own

    browser.find_element(By.LINK_TEXT, "日本語").click()
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
    )
    assert heading(browser) == label(dump, AGREEMENT, "ja")
    own = browser.find_element(By.CSS_SELECTOR, "section.own").text
    for party in dump.objects(URIRef(AGREEMENT), KG.party):
        assert label(dump, party, "ja") in own
    section = dump.value(URIRef(AGREEMENT), URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
    source = browser.find_element(By.CSS_SELECTOR, "section.source").text
    assert str(dump.value(section, KG.sectionNumber)) in source
    assert label(dump, section, "ja") in source

    # the choice holds while browsing: on to a party of the agreement, still in Japanese
    party = browser.find_element(By.CSS_SELECTOR, "section.own a[href*='/id/org/']")
    party.click()
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: "/id/org/" in b.current_url)
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"


def test_a_page_fits_a_phone(browser: webdriver.Chrome, server: Server, screenshot: Path) -> None:
    browser.set_window_size(390, 844)  # the screenshot, taken when the test ends, is phone-sized
    browser.get(f"{server.url}/id/city/haiphong?lang=ja")
    width = browser.execute_script("return window.innerWidth")
    assert width < 500, f"the window did not shrink to a phone's width ({width}px)"
    wide = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert wide <= 0, f"the page is {wide}px wider than the phone's window"
    term = browser.find_element(By.CSS_SELECTOR, "dl.properties dt")
    value = browser.find_element(By.CSS_SELECTOR, "dl.properties dd")
    assert value.location["y"] > term.location["y"]  # one column: the values below the name


def test_the_404_page_searches_in_japanese(
    browser: webdriver.Chrome, server: Server, dump: rdflib.Graph, screenshot: Path
) -> None:
    browser.set_window_size(1280, 1024)
    browser.get(f"{server.url}/id/city/atlantis?lang=en")
    assert heading(browser).startswith("404")
    box = browser.find_element(By.ID, "q404")
    box.send_keys(label(dump, DALIAN, "ja")[:2])  # 大連: a part of the Japanese name
    box.submit()
    wait_for_path(browser, "/search")
    hit = browser.find_element(By.CSS_SELECTOR, f"ol.hits a[href^='{server.url}/id/city/dalian']")
    hit.click()
    wait_for_path(browser, DALIAN.removeprefix(BASE_IRI))
    assert heading(browser) == label(dump, DALIAN, "en")


def test_the_describe_link_opens_the_query_editor_with_the_query(
    browser: webdriver.Chrome, server: Server, screenshot: Path
) -> None:
    browser.set_window_size(1280, 1024)
    browser.get(f"{server.url}/id/city/dalian?lang=en")
    browser.find_element(By.CSS_SELECTOR, "a.describe").click()
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: any(e.is_displayed() for e in b.find_elements(By.CSS_SELECTOR, ".CodeMirror"))
    )
    editors = [e for e in browser.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror")]
    shown = [e for e in editors if e.is_displayed()]
    assert len(shown) == 1
    text = browser.execute_script("return arguments[0].CodeMirror.getValue()", shown[0])
    assert text == f"DESCRIBE <{DALIAN}>"
