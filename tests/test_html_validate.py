"""The HTML the server writes is valid: html-validate (the npm development dependency, run with
node from ``node_modules/.bin``) over every page type in English and in Japanese, with the rule
set of ``.htmlvalidate.json`` (``html-validate:recommended`` less the rules the README's
"Accessibility" section names, each with its reason). What scripts add in the browser is axe-core's
to check (``tests/browser/test_accessibility.py``)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kggraph.core.language import LANGUAGES
from tests.conftest import ROOT, Server, require, stop_server
from tests.site_pages import (
    BROWSER,
    GONE_PATH,
    PAGES,
    RESOURCE_KINDS,
    STATUS,
    in_language,
    richest_resource,
    serve_withdrawn,
)

HTML_VALIDATE = ROOT / "node_modules" / ".bin" / "html-validate"
CONFIG = ROOT / ".htmlvalidate.json"


def _validate(files: list[Path]) -> subprocess.CompletedProcess[str]:
    """html-validate over ``files`` at once, with our rule set; its text report names each
    file, line, rule and message."""
    require(
        HTML_VALIDATE,
        f"{HTML_VALIDATE.relative_to(ROOT)} is missing (the npm dev dependency html-validate)",
    )
    command = [str(HTML_VALIDATE), "--config", str(CONFIG), "--formatter", "text"]
    return subprocess.run(
        [*command, *map(str, files)], capture_output=True, text=True, timeout=300, check=False
    )


def _save(server: Server, pages: dict[str, str], folder: Path, status: int = 200) -> list[Path]:
    """Each page in each language as the server writes it, to ``<name>.<lang>.html``."""
    saved = []
    with httpx.Client(base_url=server.url, headers=BROWSER, timeout=60) as client:
        for name, path in pages.items():
            for lang in LANGUAGES:
                answer = client.get(in_language(path, lang))
                expected = STATUS.get(name, status)
                assert answer.status_code == expected, (name, lang, answer.status_code)
                assert answer.headers["content-type"].startswith("text/html"), (name, lang)
                file = folder / f"{name}.{lang}.html"
                file.write_text(answer.text, encoding="utf-8")
                saved.append(file)
    return saved


def test_every_page_type_is_valid_html(server: Server, tmp_path: Path) -> None:
    resources = {f"resource-{k}": richest_resource(server, k) for k in RESOURCE_KINDS}
    files = _save(server, {**PAGES, **resources}, tmp_path)
    checked = _validate(files)
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.fixture(scope="module")
def withdrawing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = serve_withdrawn(tmp_path_factory.mktemp("withdrawn"))
    yield running
    stop_server(running)


@pytest.mark.slow
def test_the_withdrawn_page_is_valid_html(withdrawing: Server, tmp_path: Path) -> None:
    files = _save(withdrawing, {"withdrawn": GONE_PATH}, tmp_path, status=410)
    checked = _validate(files)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_check_finds_what_it_should(tmp_path: Path) -> None:
    """Our rule set still fails a page with a duplicate id and a stray end tag."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bad</title></head>'
        '<body><p id="x">one</p><p id="x">two</div></body></html>\n',
        encoding="utf-8",
    )
    checked = _validate([bad])
    assert checked.returncode != 0
    assert "no-dup-id" in checked.stdout and "bad.html" in checked.stdout, checked.stdout
