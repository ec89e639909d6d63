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
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from kggraph.core.language import LANGUAGES
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
class Visit:
    """How to open a page and wait until its widgets have drawn it, then open parts of them."""

    path: str
    ready: str = "true"
    """A script expression that is true once the page is drawn."""
    steps: tuple[tuple[str, str], ...] = ()
    """Then, in turn: a CSS selector to click, and what is true once that has been drawn."""


EDITOR = "document.querySelector('.yasqe .CodeMirror') !== null"
SWAGGER = "document.querySelector('.opblock-summary-path') !== null"
OPEN = "document.querySelector('.opblock.is-open .try-out__btn') !== null"
TRY_IT_OUT = (
    ".opblock.is-open .try-out__btn",
    "document.querySelector('.opblock.is-open .execute')",
)
VISITS = {
    **{name: Visit(path) for name, path in PAGES.items()},
    "query": Visit(PAGES["query"], EDITOR),
    "sparql": Visit(PAGES["sparql"], EDITOR),
    "query-answer": Visit(
        PAGES["query"],
        EDITOR,
        steps=(
            (
                ".tabPanel.active .yasqe_queryButton",
                "document.querySelector('.tabPanel.active .yasr tbody td')",
            ),
        ),
    ),
    "query-two-tabs": Visit(
        PAGES["query"],
        EDITOR,
        # YASGUI keeps its tabs in the browser's storage: this makes one more than it had
        steps=(("button.addTab", "document.querySelectorAll('.tabsList .tab').length >= 2"),),
    ),
    "docs": Visit(PAGES["docs"], SWAGGER),
    "docs-operation": Visit(
        PAGES["docs"],
        SWAGGER,
        steps=(
            (
                ".opblock .opblock-summary-control",
                "document.querySelector('.opblock.is-open .opblock-body')",
            ),
        ),
    ),
    "docs-form": Visit(PAGES["docs"] + "#/SPARQL%20endpoint/sparql_post", OPEN, (TRY_IT_OUT,)),
    "docs-answer": Visit(
        PAGES["docs"] + "#/canned%20queries/canned_partner_cities",
        OPEN,
        (
            TRY_IT_OUT,
            (
                ".opblock.is-open .execute",
                "document.querySelector('.opblock.is-open .live-responses-table')",
            ),
        ),
    ),
    "network": Visit(
        PAGES["network"],
        "/^[0-9]+$/.test(document.getElementById('node-count')?.textContent ?? '')",
    ),
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
    for selector, drawn in visit.steps:
        browser.find_element(By.CSS_SELECTOR, selector).click()
        _wait(browser, drawn)


def _wait(browser: webdriver.Chrome, expression: str) -> None:
    WebDriverWait(browser, WAIT_SECONDS).until(
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
