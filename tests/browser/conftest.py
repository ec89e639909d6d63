"""A real headless Chromium, driven through chromedriver (Debian's ``chromium`` and
``chromium-driver``, which ``.ci/run`` installs). Missing, the tests skip with a reason naming
them, except under ``KGGRAPH_REQUIRE_ALL=1`` (set by ``.ci/run``), where they fail.

One Chromium serves the whole session (it takes a second or two to start and to quit, which
each of the nine modules paid before); each module gets it as a fresh one would be: a blank page,
the window at its first size, no cookies, no cache, no storage of the sites it was sent to, and
no log entries left by the module before."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.conftest import ROOT, require

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "tests" / "artifacts"
"""Screenshots of each browser test (git-ignored)."""
WINDOW = (1280, 1024)

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium's own background connections are refused on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    f"--window-size={WINDOW[0]},{WINDOW[1]}",
)
LOGS = ("browser", "performance")
POLL = 0.1
"""Seconds between two looks of a wait on the page (Selenium's default, half a second, added a
quarter of a second to each wait on average)."""


class Chromium(webdriver.Chrome):
    """The driver, remembering the sites it was sent to so that their storage can be cleared."""

    origins: set[str]

    def get(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https"):
            self.origins.add(f"{parts.scheme}://{parts.netloc}")
        super().get(url)


@pytest.fixture(scope="session")
def chromium(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Chromium]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    require(
        not missing,
        f"the browser tests need {' and '.join(missing)} "
        "(apt-get install chromium chromium-driver)",
    )
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    profile = tmp_path_factory.mktemp("chromium-profile")
    options.add_argument(f"--user-data-dir={profile}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = Chromium(options=options, service=Service(str(CHROMEDRIVER)))
    driver.origins = set()
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _as_new(driver: Chromium) -> None:
    """Leave ``driver`` as a Chromium just started would be."""
    driver.get("about:blank")
    for origin in sorted(driver.origins):
        everything = {"origin": origin, "storageTypes": "all"}
        driver.execute_cdp_cmd("Storage.clearDataForOrigin", everything)
    driver.origins.clear()
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Network.clearBrowserCache", {})
    driver.set_window_size(*WINDOW)
    for log in LOGS:
        driver.get_log(log)


@pytest.fixture(scope="module")
def browser(chromium: Chromium) -> webdriver.Chrome:
    """The session's Chromium, for this module's tests alone: as new when it starts."""
    _as_new(chromium)
    return chromium


@pytest.fixture
def screenshot(browser: webdriver.Chrome, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Where this test's screenshot goes; taken when the test ends, passed or failed."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{request.node.name}.png"
    yield path
    browser.save_screenshot(str(path))
