"""Every page type, in English and in Japanese, checked by axe-core in Chromium against WCAG 2.1
A and AA (issue 17): a serious or critical violation fails the test, which names each rule,
impact, element and page. The widgets (YASGUI, Swagger UI, the network drawing) are checked
once they have rendered, and the query editor once more with an answer on screen.

axe-core is the npm development dependency in ``node_modules/axe-core`` (``make install``),
read from disk and injected into each page: nothing comes from another host."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from selenium import webdriver
from selenium.common.exceptions import (
    ElementClickInterceptedException,
    StaleElementReferenceException,
    TimeoutException,
)
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from kggraph.core.language import LANGUAGES
from tests.browser.conftest import POLL
from tests.conftest import ROOT, Server, require, stop_server
from tests.site_pages import (
    GONE_PATH,
    PAGES,
    RESOURCE_KINDS,
    in_language,
    richest_resource,
    serve_withdrawn,
)

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""The rules of WCAG 2.0 and 2.1, levels A and AA (JIS X 8341-3:2016 is WCAG 2.0)."""
BLOCKING = ("serious", "critical")
WAIT_SECONDS = 30
CLICKS = 3
"""Tries of a click that a widget should take at once (``Step.started``)."""
STILL = """
const element = arguments[0];
element.scrollIntoView({block: "center", inline: "nearest"});
const box = element.getBoundingClientRect();
return [box.x, box.y, box.width, box.height, window.scrollX, window.scrollY];
"""
"""Bring an element into the middle of the window; where it is then."""

RUN_AXE = """
const [tags, done] = arguments;
axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]})
  .then((results) => done(results.violations.map((v) => ({
    id: v.id, help: v.help,
    nodes: v.nodes.map((n) => ({
      impact: n.impact,
      target: n.target.map((t) => Array.isArray(t) ? t.join(" >>> ") : t).join(" | "),
    })),
  }))))
  .catch((error) => done({error: String(error)}));
"""


@dataclass(frozen=True)
class Step:
    """A click on a widget, and what is true once it has drawn what the click asked for."""

    click: str
    """A CSS selector: the one element to click."""
    drawn: str
    """A script expression, true once the click's outcome is drawn."""
    started: str | None = None
    """For a click whose outcome takes a while (a query sent): true as soon as the widget has
    taken the click. Until it is, the click is tried again: a click the widget missed would
    otherwise be waited on for the whole of ``WAIT_SECONDS``."""


@dataclass(frozen=True)
class Visit:
    """How to open a page and wait until its widgets have drawn it, then open parts of them."""

    path: str
    ready: str = "true"
    """A script expression that is true once the page is drawn."""
    steps: tuple[Step, ...] = ()
    """Then, in turn, each click and what it draws."""


EDITOR = "document.querySelector('.yasqe .CodeMirror') !== null"
SWAGGER = "document.querySelector('.opblock-summary-path') !== null"
OPEN = "document.querySelector('.opblock.is-open .try-out__btn') !== null"
TRY_IT_OUT = Step(
    ".opblock.is-open .try-out__btn", "document.querySelector('.opblock.is-open .execute')"
)
ANSWER_STATUS = (
    "document.querySelector('.opblock.is-open .live-responses-table tbody .response-col_status')"
)
EXECUTE = Step(
    ".opblock.is-open .execute",
    # Swagger UI draws the answer's status code once the answer is there
    f"/^[0-9]{{3}}$/.test(({ANSWER_STATUS}?.textContent ?? '').trim())",
    # while the request is out it shows a spinner; the answer replaces it
    "document.querySelector('.opblock.is-open .loading-container') !== null"
    f" || {ANSWER_STATUS} !== null",
)
VISITS = {
    **{name: Visit(path) for name, path in PAGES.items()},
    "query": Visit(PAGES["query"], EDITOR),
    "sparql": Visit(PAGES["sparql"], EDITOR),
    "query-answer": Visit(
        PAGES["query"],
        EDITOR,
        steps=(
            Step(
                ".tabPanel.active .yasqe_queryButton",
                "document.querySelector('.tabPanel.active .yasr tbody td')",
            ),
        ),
    ),
    "query-two-tabs": Visit(
        PAGES["query"],
        EDITOR,
        # YASGUI keeps its tabs in the browser's storage: this makes one more than it had
        steps=(Step("button.addTab", "document.querySelectorAll('.tabsList .tab').length >= 2"),),
    ),
    "docs": Visit(PAGES["docs"], SWAGGER),
    "docs-operation": Visit(
        PAGES["docs"],
        SWAGGER,
        steps=(
            Step(
                ".opblock .opblock-summary-control",
                "document.querySelector('.opblock.is-open .opblock-body')",
            ),
        ),
    ),
    "docs-form": Visit(PAGES["docs"] + "#/SPARQL%20endpoint/sparql_post", OPEN, (TRY_IT_OUT,)),
    "docs-answer": Visit(
        PAGES["docs"] + "#/canned%20queries/canned_partner_cities",
        OPEN,
        (TRY_IT_OUT, EXECUTE),
    ),
    "network": Visit(
        PAGES["network"],
        "/^[0-9]+$/.test(document.getElementById('node-count')?.textContent ?? '')",
    ),
    # checked once drawn: before, axe could run while the points were still being drawn
    "map": Visit(PAGES["map"], "window.kggraphMap && window.kggraphMap.ready"),
}


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


def _blocking(browser: webdriver.Chrome, where: str) -> list[str]:
    """Run axe-core on the page in ``browser``; one line per serious or critical violation."""
    require(AXE, f"{AXE.relative_to(ROOT)} is missing (the npm dev dependency axe-core)")
    browser.execute_script(_axe_source())
    browser.set_script_timeout(120)
    found: Any = browser.execute_async_script(RUN_AXE, list(TAGS))
    assert isinstance(found, list), found  # {"error": ...} when axe itself failed
    return [
        f"{where}: {v['id']} ({node['impact']}) at {node['target']}: {v['help']}"
        for v in found
        for node in v["nodes"]
        if node["impact"] in BLOCKING
    ]


def _visit(browser: webdriver.Chrome, url: str, visit: Visit) -> None:
    browser.get(url)
    _wait(browser, visit.ready)
    for step in visit.steps:
        _take(browser, step)


def _take(browser: webdriver.Chrome, step: Step) -> None:
    """Click once the element is shown, enabled and still (Swagger UI scrolls to the operation
    of the address, and a click computed while the page moves lands beside the button), then
    wait until the widget has drawn the outcome; click again while the widget has not taken it."""
    for _ in range(CLICKS):
        try:
            _steady(browser, step.click).click()
        except (StaleElementReferenceException, ElementClickInterceptedException):
            continue  # redrawn or covered between the last look and the click: look again
        if step.started is None or _holds(browser, f"({step.started}) || ({step.drawn})", 5):
            break
    _wait(browser, step.drawn)


def _steady(browser: webdriver.Chrome, selector: str) -> WebElement:
    """The element ``selector`` finds, in view, once it is shown, enabled and has not moved
    between two looks."""
    seen: list[object] = []

    def still(b: webdriver.Chrome) -> WebElement | None:
        found = b.find_elements(By.CSS_SELECTOR, selector)
        if not found or not (found[0].is_displayed() and found[0].is_enabled()):
            return None
        place = b.execute_script(STILL, found[0])
        settled = bool(seen) and seen[-1] == place
        seen.append(place)
        return found[0] if settled else None

    waiting = WebDriverWait(
        browser, WAIT_SECONDS, POLL, ignored_exceptions=(StaleElementReferenceException,)
    )
    element: WebElement = waiting.until(still)
    return element


def _holds(browser: webdriver.Chrome, expression: str, seconds: float) -> bool:
    try:
        WebDriverWait(browser, seconds, POLL).until(
            lambda b: b.execute_script(f"return Boolean({expression})")
        )
    except TimeoutException:
        return False
    return True


def _wait(browser: webdriver.Chrome, expression: str) -> None:
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: b.execute_script(f"return Boolean({expression})")
    )


def _check(browser: webdriver.Chrome, server: Server, name: str, visit: Visit, lang: str) -> None:
    path, _, fragment = visit.path.partition("#")
    path = in_language(path, lang) + (f"#{fragment}" if fragment else "")
    _visit(browser, server.url + path, visit)
    problems = _blocking(browser, f"{name} {path}")
    assert not problems, f"{len(problems)} serious or critical:\n" + "\n".join(problems)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("name", sorted(VISITS))
def test_a_page_has_no_serious_violation(
    browser: webdriver.Chrome, server: Server, name: str, lang: str, screenshot: Path
) -> None:
    _check(browser, server, name, VISITS[name], lang)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("kind", RESOURCE_KINDS)
def test_a_resource_page_has_no_serious_violation(
    browser: webdriver.Chrome, server: Server, kind: str, lang: str, screenshot: Path
) -> None:
    _check(browser, server, f"resource:{kind}", Visit(richest_resource(server, kind)), lang)


@pytest.fixture(scope="module")
def withdrawing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = serve_withdrawn(tmp_path_factory.mktemp("withdrawn"))
    yield running
    stop_server(running)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_withdrawn_page_has_no_serious_violation(
    browser: webdriver.Chrome, withdrawing: Server, lang: str, screenshot: Path
) -> None:
    _check(browser, withdrawing, "withdrawn", Visit(GONE_PATH), lang)


def test_the_check_finds_what_it_should(browser: webdriver.Chrome) -> None:
    """A page without a language and with an unlabelled field fails the same check."""
    page = "<title>bad</title><form><input type=text name=q></form>"
    browser.get("data:text/html," + quote(page))
    problems = _blocking(browser, "bad page")
    assert any(p.startswith("bad page: label (critical) at input") for p in problems), problems
    assert any(p.startswith("bad page: html-has-lang (serious)") for p in problems), problems
