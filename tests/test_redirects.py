"""Identifiers that moved (301) or went (410): the table, its build check, and the server.

The real table (``data/redirects.tsv``) may hold no row, so every case runs on a small project
written into a temporary folder: the real ontology and shapes, a few nodes of its own, and a
table that moves one old identifier to a node of the graph and retires another.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kggraph.core.config import Settings
from kggraph.core.errors import SourceError, ValidationFailed
from kggraph.core.namespaces import ID_IRI
from kggraph.publish.build import build, check
from kggraph.validation.redirects import CHECK, COLUMNS, FILE, read_redirects
from kggraph.validation.shapes import ValidationReport
from tests.conftest import ROOT, Server, start_server, stop_server
from tests.test_editorial import ADDED, NODES, NOTES, PREFIXES, SOURCE

pytestmark = pytest.mark.slow

HEADER = "\t".join(COLUMNS) + "\n"
MOVED = (
    f"{ID_IRI}org/old-company\t301\t{ID_IRI}org/test-company\t"
    "Renamed: the company's established English name\t英語の正式名称に合わせて改名\n"
)
GONE = (
    f"{ID_IRI}project/merged-account\t410\t\t"
    "Two accounts were joined in one node by mistake\t二つの記述を誤って一つの節点にしていた\n"
)


def _write(folder: Path, text: str) -> Path:
    path = folder / FILE
    path.write_text(text, encoding="utf-8")
    return path


# --- Reading the table ----------------------------------------------------------------------


def test_a_header_alone_is_an_empty_table(tmp_path: Path) -> None:
    assert read_redirects(_write(tmp_path, HEADER)) == []
    assert read_redirects(tmp_path / "absent.tsv") == []


def test_rows_are_read(tmp_path: Path) -> None:
    moved, gone = read_redirects(_write(tmp_path, HEADER + MOVED + GONE))
    assert (moved.path, moved.status, moved.target) == (
        "org/old-company",
        301,
        ID_IRI + "org/test-company",
    )
    assert (gone.status, gone.target) == (410, "")
    assert gone.reason("ja") == "二つの記述を誤って一つの節点にしていた"
    assert gone.reason("en").startswith("Two accounts")


@pytest.mark.parametrize(
    ("row", "says"),
    [
        (f"{ID_IRI}org/x\t302\t{ID_IRI}org/y\tr\tr\n", "301 or 410"),
        (f"{ID_IRI}org/x\t301\t\tr\tr\n", "successor"),
        (f"{ID_IRI}org/x\t410\t{ID_IRI}org/y\tr\tr\n", "no target"),
        ("https://example.org/x\t410\t\tr\tr\n", "identifier under"),
        (f"{ID_IRI}org/x\t410\t\tr\t\n", "English and in Japanese"),
        (f"{ID_IRI}org/x\t410\n", "5 tab-separated cells"),
        (GONE.replace("project/merged-account", "org/x") * 2, "listed twice"),
    ],
)
def test_a_bad_row_is_refused_with_its_line(tmp_path: Path, row: str, says: str) -> None:
    path = _write(tmp_path, HEADER + GONE + row)
    with pytest.raises(SourceError) as caught:
        read_redirects(path)
    assert says in caught.value.message
    assert caught.value.location is not None and caught.value.location.startswith(f"{path}:")
    assert caught.value.location.split(":")[-1] in {"3", "4"}


def test_a_missing_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SourceError) as caught:
        read_redirects(_write(tmp_path, GONE))
    assert "header" in caught.value.message and str(caught.value.location).endswith(":1")


# --- The build check ------------------------------------------------------------------------


def _project(root: Path, table: str) -> Settings:
    for folder in ("ontology", "shapes"):
        if not (root / folder).exists():
            shutil.copytree(ROOT / folder, root / folder)
    data = root / "data"
    data.mkdir(exist_ok=True)
    (data / "source.ttl").write_text(PREFIXES + SOURCE, encoding="utf-8")
    (data / "nodes.ttl").write_text(PREFIXES + NODES, encoding="utf-8")
    (data / "editorial.ttl").write_text(PREFIXES + ADDED + NOTES, encoding="utf-8")
    _write(data, table)
    return Settings(root=root, output=root / "dist")


def _findings(settings: Settings) -> list[str]:
    report = check(settings).report
    return [r.message for r in report.violations if r.shape == CHECK]


def test_a_good_table_passes_and_is_copied_into_the_release(tmp_path: Path) -> None:
    settings = _project(tmp_path, HEADER + MOVED + GONE)
    assert _findings(settings) == []
    release = build(settings).release
    assert (release / FILE).read_bytes() == (settings.data_dir / FILE).read_bytes()


def test_a_project_without_a_table_publishes_an_empty_one(tmp_path: Path) -> None:
    settings = _project(tmp_path, HEADER)
    (settings.data_dir / FILE).unlink()
    assert (build(settings).release / FILE).read_text(encoding="utf-8") == HEADER


@pytest.mark.parametrize(
    ("row", "says"),
    [
        (MOVED.replace("org/old-company", "country/testland"), "still has triples"),
        (GONE.replace("project/merged-account", "org/test-company"), "still has triples"),
        (MOVED.replace("org/test-company", "org/nobody"), "not in the graph"),
    ],
)
def test_the_build_refuses_a_row_that_does_not_hold(tmp_path: Path, row: str, says: str) -> None:
    settings = _project(tmp_path, HEADER + row)
    (message,) = _findings(settings)
    assert says in message
    with pytest.raises(ValidationFailed) as caught:
        build(settings)
    assert isinstance(caught.value.report, ValidationReport)
    assert "data/redirects.tsv" in caught.value.report.text()


# --- Over HTTP ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("redirects-project")
    settings = _project(root, HEADER + MOVED + GONE)
    build(settings)
    running = start_server(settings.output_dir, root / "server.log")
    yield running
    stop_server(running)


def _get(server: Server, path: str, **headers: str) -> httpx.Response:
    return httpx.get(server.url + path, headers=headers, follow_redirects=False, timeout=30)


@pytest.mark.parametrize(
    ("path", "accept", "target"),
    [
        ("/id/org/old-company", "text/html", "/id/org/test-company"),
        ("/id/org/old-company", "text/turtle", "/id/org/test-company"),
        ("/id/org/old-company.ttl", "text/html", "/id/org/test-company.ttl"),
        ("/id/org/old-company.jsonld", "*/*", "/id/org/test-company.jsonld"),
        ("/id/org/old-company.html?lang=ja", "*/*", "/id/org/test-company.html?lang=ja"),
    ],
)
def test_a_moved_identifier_answers_301_in_every_form(
    served: Server, path: str, accept: str, target: str
) -> None:
    answer = _get(served, path, Accept=accept)
    assert answer.status_code == 301
    assert answer.headers["location"] == served.url + target
    assert httpx.get(answer.headers["location"], timeout=30).status_code == 200


@pytest.mark.parametrize(
    ("lang", "reason"),
    [("en", "Two accounts were joined"), ("ja", "二つの記述を誤って一つの節点にしていた")],
)
def test_a_retired_identifier_answers_410_with_its_reason(
    served: Server, lang: str, reason: str
) -> None:
    page = _get(served, f"/id/project/merged-account?lang={lang}", Accept="text/html")
    assert page.status_code == 410
    assert page.headers["content-type"].startswith("text/html")
    assert reason in page.text and f"{served.url}/search" in page.text
    text = _get(served, "/id/project/merged-account.ttl")
    assert text.status_code == 410 and text.headers["content-type"].startswith("text/plain")
    assert "Two accounts were joined" in text.text and "/search" in text.text


def test_listed_identifiers_are_in_no_index(served: Server) -> None:
    sitemap = _get(served, "/sitemap.xml").text
    assert "/id/org/test-company.html" in sitemap
    assert "old-company" not in sitemap and "merged-account" not in sitemap
    companies = _get(served, "/id/org/", Accept="text/html").text
    assert "test-company" in companies and "old-company" not in companies


def test_an_unlisted_unknown_identifier_is_still_404(served: Server) -> None:
    assert _get(served, "/id/org/never-was", Accept="text/html").status_code == 404
