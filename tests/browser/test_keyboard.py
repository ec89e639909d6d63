"""Keyboard-only use of the query page, a resource page and the network page (issue 17): only
Tab, Shift, Enter, Escape and typed keys, never a click. Each step checks which element has the
focus, and that the focus can be seen: the focused element's computed outline or box-shadow is
not ``none`` (the browser's own ring counts; our pages draw a 3 px outline in their accent
colour, ``:focus-visible`` in pages.css and explore.css)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from selenium import webdriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import POLL
from tests.conftest import Server

WAIT_SECONDS = 30
MOST_TABS = 400
"""Far more stops than any of our pages has: a loop that gets here is a keyboard trap."""
FOCUSABLE = (
    "a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), "
    "select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])"
)
RESOURCE = "/id/city/dalian"


def _press(browser: webdriver.Chrome, *keys: str) -> WebElement:
    ActionChains(browser).send_keys(*keys).perform()
    return browser.switch_to.active_element


def _focus_ring(browser: webdriver.Chrome, element: WebElement) -> dict[str, Any]:
    """What the focused element looks like: its outline and box-shadow, and whether the
    browser counts it as keyboard focus (``:focus-visible``). CodeMirror's input is a hidden
    textarea; there the editor's own focused state (its cursor shows) is what counts."""
    found: dict[str, Any] = browser.execute_script(
        "const e = arguments[0], s = getComputedStyle(e);"
        "const editor = e.matches('.CodeMirror textarea') ? e.closest('.CodeMirror') : null;"
        "return {outline: s.outlineStyle, width: parseFloat(s.outlineWidth),"
        " shadow: s.boxShadow, visible: e.matches(':focus-visible'),"
        " editor: editor ? editor.classList.contains('CodeMirror-focused') : null,"
        " html: e.outerHTML.slice(0, 160)};",
        element,
    )
    return found


def _assert_visible_focus(browser: webdriver.Chrome, element: WebElement) -> None:
    ring = _focus_ring(browser, element)
    if ring["editor"] is not None:
        assert ring["editor"], f"the editor does not show its focus: {ring['html']}"
        return
    assert ring["visible"], f"not keyboard focus: {ring['html']}"
    outline = ring["outline"] != "none" and ring["width"] > 0
    assert outline or ring["shadow"] != "none", f"no visible focus: {ring}"


def _tab_to(browser: webdriver.Chrome, wanted: str, *, back: bool = False) -> WebElement:
    """Tab (or Shift+Tab) until the element matching the CSS ``wanted`` has the focus,
    checking that every stop on the way shows its focus."""
    for _ in range(MOST_TABS):
        focused = _shift_tab(browser) if back else _press(browser, Keys.TAB)
        if focused.tag_name != "body":
            _assert_visible_focus(browser, focused)
        if browser.execute_script("return arguments[0].matches(arguments[1])", focused, wanted):
            return focused
    raise AssertionError(f"{'Shift+Tab' if back else 'Tab'} never reached {wanted}")


def _shift_tab(browser: webdriver.Chrome) -> WebElement:
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    return browser.switch_to.active_element


# --- a resource page ---------------------------------------------------------------------------


def test_every_link_of_a_resource_page_is_reached_by_tab(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get(server.url + RESOURCE + "?lang=en")
    wanted = browser.find_elements(By.CSS_SELECTOR, FOCUSABLE)
    links = [e for e in wanted if e.tag_name == "a"]
    assert len(links) > 10
    reached: list[WebElement] = []
    for _ in range(len(wanted) + 5):
        focused = _press(browser, Keys.TAB)
        if focused.tag_name == "body" or (reached and focused == reached[0]):
            break  # out of the page, or round to the first stop again
        _assert_visible_focus(browser, focused)
        reached.append(focused)
    missing = [e.get_attribute("outerHTML") for e in wanted if e not in reached]
    assert missing == []
    assert len(reached) == len(wanted)  # every stop once, in one pass


def test_the_language_switch_works_from_the_keyboard(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get(server.url + RESOURCE + "?lang=en")
    switch = _tab_to(browser, "nav.lang a[hreflang='ja']")
    assert switch.text == "日本語" and switch.get_attribute("lang") == "ja"
    _press(browser, Keys.ENTER)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: b.find_element(By.TAG_NAME, "html").get_attribute("lang") == "ja"
    )
    assert browser.current_url.endswith(RESOURCE + "?lang=ja")
    back = _tab_to(browser, "nav.lang a[hreflang='en']")
    assert back.get_attribute("lang") == "en"


def test_search_from_the_keyboard(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get(server.url + RESOURCE + "?lang=en")
    box = _tab_to(browser, "input#q")
    assert box.get_attribute("type") == "search"
    _press(browser, "Dalian", Keys.ENTER)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: "/search?" in b.current_url)
    hit = _tab_to(browser, "ol.hits a")
    address = hit.get_attribute("href") or ""
    assert address.startswith(server.url + "/id/") and address.endswith("?lang=en")
    _press(browser, Keys.ENTER)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: b.current_url == address)


# --- the network page --------------------------------------------------------------------------


def _table_ids(browser: webdriver.Chrome, table: str) -> list[str]:
    ids: list[str] = browser.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' tbody tr')]"
        ".filter((r) => !r.hidden).map((r) => r.dataset.id)",
        table,
    )
    return ids


def _column(browser: webdriver.Chrome, table: str, column: str) -> list[str]:
    values: list[str] = browser.execute_script(
        "return [...document.querySelectorAll(arguments[0] + ' tbody tr')]"
        ".map((r) => r.querySelector(`[data-column='${arguments[1]}']`).dataset.value)",
        table,
        column,
    )
    return values


def test_the_network_page_filter_and_table_by_keyboard(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get(server.url + "/explore/network")
    _tab_to(browser, "details.filter summary")
    _press(browser, Keys.ENTER)  # unfold the filter
    year = _tab_to(browser, "select#to-year")
    _press(browser, "2012")  # typing picks the option, as in any select
    assert year.get_attribute("value") == "2012"
    _tab_to(browser, "button#apply-filter")
    _press(browser, Keys.ENTER)
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(lambda b: "to_year=2012" in b.current_url)
    expected = httpx.get(server.url + "/network", params={"to_year": 2012}, timeout=30).json()
    nodes = sorted(n["data"]["id"] for n in expected["elements"]["nodes"])
    assert sorted(_table_ids(browser, "#agents-table")) == nodes
    # the drawing's link to its table, then the table's first column button
    _tab_to(browser, "a.table-link")
    _press(browser, Keys.ENTER)
    first = _press(browser, Keys.TAB)
    assert first.get_attribute("data-column") == "agent"
    _assert_visible_focus(browser, first)
    header = first.find_element(By.XPATH, "..")
    assert header.get_attribute("aria-sort") == "none"
    _press(browser, Keys.ENTER)  # sort by name, A first
    assert browser.switch_to.active_element == first  # the focus stays on the button
    assert header.get_attribute("aria-sort") == "ascending"
    names = _column(browser, "#agents-table", "agent")
    assert names == sorted(names, key=str.casefold)
    _press(browser, Keys.ENTER)  # and the other way
    assert header.get_attribute("aria-sort") == "descending"
    assert _column(browser, "#agents-table", "agent") == sorted(names, key=str.casefold)[::-1]
    degree = _tab_to(browser, "#agents-table button[data-column='degree']")
    _press(browser, Keys.ENTER)
    assert degree.find_element(By.XPATH, "..").get_attribute("aria-sort") == "descending"
    assert header.get_attribute("aria-sort") == "none"
    degrees = [int(v) for v in _column(browser, "#agents-table", "degree")]
    assert degrees == sorted(degrees, reverse=True)
    link = _tab_to(browser, "#agents-table tbody a")
    assert (link.get_attribute("href") or "").startswith(server.url + "/id/")


# --- the query page ----------------------------------------------------------------------------


def test_a_query_runs_from_the_keyboard_and_its_results_are_reached(
    server: Server, browser: webdriver.Chrome, screenshot: Path
) -> None:
    browser.get(server.url + "/")
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: any(e.is_displayed() for e in b.find_elements(By.CSS_SELECTOR, ".CodeMirror"))
    )
    editor = _tab_to(browser, ".yasqe .CodeMirror textarea")
    code = editor.find_element(By.XPATH, "ancestor::div[contains(@class, 'CodeMirror')][1]")
    assert "CodeMirror-focused" in (code.get_attribute("class") or "")  # its cursor shows
    # the way out of the editor is told, visibly and to screen readers (WCAG 2.1.2)
    hint = browser.find_element(By.ID, editor.get_attribute("aria-describedby") or "-")
    assert hint.is_displayed() and "Esc" in hint.text and "Ctrl+Enter" in hint.text
    # Ctrl+Enter runs the query (YASQE's key); the default query lists some triples
    ActionChains(browser).key_down(Keys.CONTROL).send_keys(Keys.ENTER).key_up(
        Keys.CONTROL
    ).perform()
    WebDriverWait(browser, WAIT_SECONDS, POLL).until(
        lambda b: any(e.is_displayed() for e in b.find_elements(By.CSS_SELECTOR, ".yasr tbody td"))
    )
    # Tab indents in the editor; Escape leaves it (YASQE's key), then Tab goes on to the results
    _press(browser, Keys.ESCAPE)
    controls = _tab_to(browser, ".yasr a[href], .yasr button, .yasr select, .yasr input")
    assert browser.execute_script("return Boolean(arguments[0].closest('.yasr'))", controls)
    # and on into the result table: a resource of the answer, a link to its page
    cell = _tab_to(browser, ".yasr tbody a[href]")
    address = cell.get_attribute("href") or ""
    assert address.startswith(("https://w3id.org/kggraph/", server.url)), address
