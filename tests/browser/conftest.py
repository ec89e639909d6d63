"""A real headless Chromium, driven through chromedriver (Debian's ``chromium`` and
``chromium-driver``, which ``.ci/run`` installs). Missing, the tests skip with a reason naming
them, except under ``KGGRAPH_REQUIRE_ALL=1`` (set by ``.ci/run``), where they fail."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

from tests.conftest import ROOT, require

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = ROOT / "tests" / "artifacts"
"""Screenshots of each browser test (git-ignored)."""

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
    "--window-size=1280,1024",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
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
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def screenshot(browser: webdriver.Chrome, request: pytest.FixtureRequest) -> Iterator[Path]:
    """Where this test's screenshot goes; taken when the test ends, passed or failed."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{request.node.name}.png"
    yield path
    browser.save_screenshot(str(path))
