"""``/docs`` in a real browser: Swagger UI renders the API from this server's own files."""

from __future__ import annotations

from pathlib import Path

import httpx
from selenium import webdriver
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.conftest import POLL
from tests.conftest import Server


def test_swagger_ui_lists_every_documented_route(
    browser: webdriver.Chrome, server: Server, screenshot: Path
) -> None:
    spec = httpx.get(server.url + "/openapi.json").json()
    expected = {path for path, methods in spec["paths"].items() if "get" in methods}
    browser.get(server.url + "/docs")
    WebDriverWait(browser, 30, POLL).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    )
    shown = {
        e.get_attribute("data-path") or e.text
        for e in browser.find_elements(By.CSS_SELECTOR, ".opblock-summary-path")
    }
    assert expected <= shown, expected - shown
    assert "kggraph API" in browser.title
