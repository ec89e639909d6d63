"""Take the README's screenshots: the network page (``docs/network.png``) and the map
(``docs/map.png``), each 1280 × 800.

    .venv/bin/python docs/make_screenshots.py [--output dist] [--out docs/network.png]
        [--map-out docs/map.png]

Serves the current build (``kggraph build`` makes it) on a free local port with the real
server, opens ``/explore/network`` in headless Chromium (Debian's ``chromium`` and
``chromium-driver``, as the browser tests use), waits until the drawing has settled, points at
one agent so the details panel and its neighbourhood show, and saves the picture; then opens
``/explore/map`` in its East and South-East Asia view, points at Kitakyushu so the panel gives
its numbers, and saves that picture. Japanese
labels need a CJK font (Debian's ``fonts-ipafont-gothic`` or ``fonts-noto-cjk``).
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[1]
SIZE = (1280, 800)
HIGHLIGHT = "https://w3id.org/kggraph/id/org/jica"
"""The agent pointed at in the picture: JICA, with its partners highlighted."""
MAP_HIGHLIGHT = "https://w3id.org/kggraph/id/city/kitakyushu"
"""The place pointed at on the map: Kitakyushu, with its partner cities' lines."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(output: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {**os.environ, "KGGRAPH_ROOT": str(ROOT), "KGGRAPH_OUTPUT": str(output.resolve())}
    app = "kggraph.web.app:create_app_from_env"
    command = [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
               "--port", str(port), "--no-access-log"]  # fmt: skip
    process = subprocess.Popen(command, env=env)  # noqa: S603 - our own server
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return process, url
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the server did not start")


def _browser() -> webdriver.Chrome:
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    flags = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--force-device-scale-factor=1", f"--window-size={SIZE[0]},{SIZE[1]}")  # fmt: skip
    for flag in flags:
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def take(url: str, out: Path) -> None:
    browser = _browser()
    try:
        browser.set_window_size(*SIZE)
        inner = browser.execute_script("return [window.innerWidth, window.innerHeight]")
        browser.set_window_size(2 * SIZE[0] - inner[0], 2 * SIZE[1] - inner[1])
        browser.get(url + "/explore/network")
        WebDriverWait(browser, 30).until(
            lambda b: b.find_element(By.ID, "node-count").text.isdigit()
        )
        position = browser.execute_script(
            "const n = window.kggraphNetwork.getElementById(arguments[0]);"
            "return [n.renderedPosition().x, n.renderedPosition().y];",
            HIGHLIGHT,
        )
        canvas = browser.find_element(By.ID, "network")
        box = canvas.rect
        ActionChains(browser).move_to_element_with_offset(
            canvas, int(position[0] - box["width"] / 2), int(position[1] - box["height"] / 2)
        ).perform()
        time.sleep(0.3)  # a picture, not a test: let the highlight paint
        out.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(out))
    finally:
        browser.quit()


def take_map(url: str, out: Path) -> None:
    browser = _browser()
    try:
        browser.set_window_size(*SIZE)
        inner = browser.execute_script("return [window.innerWidth, window.innerHeight]")
        browser.set_window_size(2 * SIZE[0] - inner[0], 2 * SIZE[1] - inner[1])
        browser.get(url + "/explore/map")
        WebDriverWait(browser, 30).until(
            lambda b: b.execute_script("return Boolean(window.kggraphMap?.ready)")
        )
        browser.find_element(By.CSS_SELECTOR, 'input[name="view"][value="asia"]').click()
        point = browser.find_element(By.CSS_SELECTOR, f'#map a.place[data-iri="{MAP_HIGHLIGHT}"]')
        ActionChains(browser).move_to_element(point).perform()
        browser.execute_script("window.scrollTo(0, 0)")
        time.sleep(0.3)  # a picture, not a test: let the panel paint
        out.parent.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(out))
    finally:
        browser.quit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "dist", help="folder of builds")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "network.png")
    parser.add_argument("--map-out", type=Path, default=ROOT / "docs" / "map.png")
    args = parser.parse_args()
    process, url = _serve(args.output)
    try:
        take(url, args.out)
        take_map(url, args.map_out)
    finally:
        process.terminate()
        process.wait(timeout=10)
    print(f"Wrote {args.out} and {args.map_out}")


if __name__ == "__main__":
    main()
