"""The map in a real browser: ``/explore/map`` draws one point per place of ``map.json`` with the
world's shapes from this server and nothing from another host; the year slider shows that year's
counts; a click on a point, or Enter on it, opens the place's page; axe-core finds nothing serious
once it is drawn. A city's page draws its locator globe the same way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import POLL
from tests.browser.test_accessibility import _blocking
from tests.conftest import Server

WAIT_SECONDS = 30
ID = "https://w3id.org/kggraph/id/"


def _api(server: Server, **params: Any) -> dict[str, Any]:
    answer = httpx.get(server.url + "/explore/map.json", params=params, timeout=60)
    assert answer.status_code == 200, answer.text
    document: dict[str, Any] = answer.json()
    return document


def _open(browser: webdriver.Chrome, server: Server) -> None:
    browser.get(server.url + "/explore/map")
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: b.execute_script("return Boolean(window.kggraphMap && window.kggraphMap.ready)")
    )


def _points(browser: webdriver.Chrome) -> dict[str, tuple[int, float]]:
    """Each point drawn: IRI → (count it shows, radius)."""
    found = browser.execute_script(
        "return [...document.querySelectorAll('#map a.place')].map((a) => "
        "[a.dataset.iri, Number(a.dataset.count),"
        " Number(a.querySelector('circle').getAttribute('r'))]);"
    )
    return {iri: (count, r) for iri, count, r in found}


def _requests(browser: webdriver.Chrome) -> set[str]:
    return {
        message["params"]["request"]["url"]
        for entry in browser.get_log("performance")
        if (message := json.loads(entry["message"])["message"])["method"]
        == "Network.requestWillBeSent"
    }


def _offline(browser: webdriver.Chrome, server: Server) -> set[str]:
    """The pages' requests (all of them on this server), after asserting it."""
    web = {u for u in _requests(browser) if urlsplit(u).scheme in ("http", "https", "ws", "wss")}
    assert [u for u in web if urlsplit(u).netloc != urlsplit(server.url).netloc] == []
    problems = [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert problems == []  # a Content-Security-Policy violation or a 404 would show here
    return web


def test_the_map_draws_a_point_per_place_from_this_server_only(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get_log("performance")  # drop what earlier tests left
    browser.get_log("browser")
    _open(browser, server)
    document = _api(server)
    points = _points(browser)
    assert set(points) == {p["iri"] for p in document["places"]}
    assert {iri: c for iri, (c, _) in points.items()} == {
        p["iri"]: p["count"] for p in document["places"]
    }
    countries = browser.find_elements(By.CSS_SELECTOR, "#map path.country")
    assert len(countries) > 100  # the world's shapes, from world-atlas
    most = max(document["places"], key=lambda p: p["count"])
    assert points[most["iri"]][1] == max(r for _, r in points.values())
    legend = browser.find_elements(By.CSS_SELECTOR, "#legend-countries li")
    assert len(legend) == len(document["countries"])
    web = _offline(browser, server)
    assert server.url + "/static/world-atlas/countries-50m.json" in web
    assert server.url + "/static/d3-geo/d3-geo.min.js" in web


def test_the_year_slider_shows_that_years_counts(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    _open(browser, server)
    every = _api(server)
    first, last = every["years"]["first"], every["years"]["last"]
    slider = browser.find_element(By.ID, "year-slider")
    assert (slider.get_attribute("min"), slider.get_attribute("max")) == (str(first), str(last + 1))
    before = _points(browser)
    slider.send_keys(Keys.HOME)
    then = {p["iri"]: p["count"] for p in _api(server, to_year=first)["places"]}
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: {iri: c for iri, (c, _) in _points(b).items()} == then
    )
    assert browser.find_element(By.ID, "year-label").text == str(first)
    after = _points(browser)
    assert sum(r for _, r in after.values()) < sum(r for _, r in before.values())
    active = sum(1 for c in then.values() if c > 0)
    assert browser.find_element(By.ID, "place-count").text == str(active)
    assert active < sum(1 for c, _ in before.values() if c > 0)
    assert len(browser.find_elements(By.CSS_SELECTOR, "#map a.place.empty")) == len(then) - active
    row = browser.find_element(By.CSS_SELECTOR, '#places tbody tr [data-column="count"]')
    assert row.text in {str(c) for c in then.values()}
    slider.send_keys(Keys.END)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: _points(b) == before)
    assert browser.find_element(By.ID, "year-label").text == "all years"


def _uncovered(browser: webdriver.Chrome) -> str:
    """The IRI of a point with at least one activity whose centre no other point covers."""
    iri: str = browser.execute_script(
        "for (const a of document.querySelectorAll('#map a.place:not(.empty)')) {"
        "  const box = a.querySelector('circle').getBoundingClientRect();"
        "  const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);"
        "  if (top && top.closest('a.place') === a) return a.dataset.iri; }"
        "return null;"
    )
    assert iri, "every point lies under another"
    return iri


def test_a_click_on_a_point_opens_its_page(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    _open(browser, server)
    iri = _uncovered(browser)
    browser.find_element(By.CSS_SELECTOR, f'#map a.place[data-iri="{iri}"]').click()
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: "/explore/" not in b.current_url)
    assert browser.current_url == server.url + "/id/" + iri.removeprefix(ID)


def test_enter_on_a_point_opens_its_page(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    _open(browser, server)
    link = browser.find_element(By.CSS_SELECTOR, f'#map a.place[data-iri="{ID}city/dalian"]')
    browser.execute_script("arguments[0].focus()", link)
    assert browser.find_element(By.ID, "selected-place").text == "Dalian"  # focus describes it
    link.send_keys(Keys.ENTER)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: "/explore/" not in b.current_url)
    assert browser.current_url == server.url + "/id/city/dalian"


def test_the_drawn_map_has_no_serious_accessibility_violation(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    _open(browser, server)
    browser.find_element(By.CSS_SELECTOR, 'input[name="view"][value="asia"]').click()
    problems = _blocking(browser, "/explore/map (drawn, Asia)")
    assert not problems, "\n".join(problems)


def test_a_city_page_draws_its_locator_from_this_server_only(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get_log("performance")
    browser.get_log("browser")
    browser.get(server.url + "/id/city/dalian")
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, "#locator svg circle.place")
    )
    svg = browser.find_element(By.CSS_SELECTOR, "#locator svg")
    assert svg.get_attribute("role") == "img"
    assert "Dalian" in (svg.get_attribute("aria-label") or "")
    assert svg.size["width"] > 100
    web = _offline(browser, server)
    assert server.url + "/static/world-atlas/countries-110m.json" in web
    problems = _blocking(browser, "/id/city/dalian (locator drawn)")
    assert not problems, "\n".join(problems)
