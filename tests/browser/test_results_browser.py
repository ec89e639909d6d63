"""The answer page in a real browser (issue 14): Chromium, with its own ``Accept``, gets a table
for a query sent to ``/sparql``, and the page's link opens that query in the query editor,
where it runs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import POLL
from tests.conftest import Server

WAIT_SECONDS = 30
QUERY = """\
PREFIX kgid: <https://w3id.org/kggraph/id/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?city ?label WHERE {
  VALUES ?city { kgid:city\\/haiphong }
  ?city rdfs:label ?label
} ORDER BY ?label
"""


def test_chromium_gets_a_table_and_the_query_opens_in_the_editor(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get(server.sparql + "?" + urlencode({"query": QUERY}))
    cells = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "table.results td")]
    assert "kgid:city/haiphong Haiphong" in cells  # the IRI, and its label beside it
    assert "ハイフォン市 @ja" in cells and "Haiphong @en" in cells
    link = browser.find_element(By.CSS_SELECTOR, "table.results td a")
    assert link.get_attribute("href") == server.url + "/id/city/haiphong"
    browser.find_element(By.LINK_TEXT, "Open it in the query editor").click()
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: any(e.is_displayed() for e in b.find_elements(By.CSS_SELECTOR, ".CodeMirror"))
    )
    shown = [e for e in browser.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror")]
    editor = next(e for e in shown if e.is_displayed())
    text = browser.execute_script("return arguments[0].CodeMirror.getValue()", editor)
    assert text == QUERY
    next(
        e for e in browser.find_elements(By.CSS_SELECTOR, ".yasqe_queryButton") if e.is_displayed()
    ).click()
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: any(e.is_displayed() for e in b.find_elements(By.CSS_SELECTOR, ".yasr tbody td"))
    )
    answer = [c.text for c in browser.find_elements(By.CSS_SELECTOR, ".yasr tbody td") if c.text]
    assert '"ハイフォン市"@ja' in answer and '"Haiphong"@en' in answer
