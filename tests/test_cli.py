"""The ``kggraph`` command: exit codes, progress and readable reports. In this process through
``CliRunner`` (``tests/clirun.py``); one smoke test runs the real ``python -m kggraph``."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kggraph.publish.build import BuildResult
from tests.clirun import kggraph

pytestmark = pytest.mark.slow


def test_build_publishes_and_summarises(small_root: Path, tmp_path: Path) -> None:
    """The small project (the real project's build is the session's ``built``, made by the
    same ``build`` function this command calls)."""
    done = kggraph("build", "--root", str(small_root), "--output", str(tmp_path / "out"))
    assert done.exit_code == 0, done.stderr
    assert "Validating against the SHACL shapes" in done.stdout
    assert "Published" in done.stdout and "kggraph.nt" in done.stdout
    assert "kg:Country" in done.stdout
    assert (tmp_path / "out" / "current" / "manifest.json").is_file()


def test_validate_writes_nothing(
    small_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = kggraph("validate", "--root", str(small_root))
    assert done.exit_code == 0, done.stderr
    assert "The graph conforms" in done.stdout
    assert not list(tmp_path.iterdir())


def test_non_conforming_data_exits_1_with_a_report(small_project: Callable[..., Path]) -> None:
    root = small_project()
    (root / "data" / "bad-city.ttl").write_text(
        "@prefix kg: <https://w3id.org/kggraph/ontology#> .\n"
        "@prefix kgid: <https://w3id.org/kggraph/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'kgid:city\\/nowhere a kg:City ; rdfs:label "Nowhere"@en .\n',
        encoding="utf-8",
    )
    done = kggraph("build", "--root", str(root), "--output", str(root / "out"))
    assert done.exit_code == 1
    assert "kgid:city/nowhere" in done.stderr
    assert "Nowhere" in done.stderr
    assert "data/bad-city.ttl" in done.stderr
    assert "rdfs:label" in done.stderr
    assert not (root / "out" / "current").exists()


def test_unparseable_data_exits_2_with_file_line_column(project_copy: Callable[..., Path]) -> None:
    root = project_copy()
    (root / "data" / "typo.ttl").write_text("<a> <b> <c> <d> .\n", encoding="utf-8")
    done = kggraph("validate", "--root", str(root))
    assert done.exit_code == 2
    assert "typo.ttl:1:" in done.stderr


def test_missing_data_folder_exits_2(tmp_path: Path) -> None:
    done = kggraph("validate", "--root", str(tmp_path))
    assert done.exit_code == 2
    assert "does not exist" in done.stderr


def test_bad_setting_exits_2(repo_root: Path) -> None:
    done = kggraph("build", "--root", str(repo_root), env={"KGGRAPH_KEEP_RELEASES": "lots"})
    assert done.exit_code == 2
    assert "KGGRAPH_KEEP_RELEASES" in done.stderr


def test_version() -> None:
    done = kggraph("version")
    assert done.exit_code == 0 and done.stdout.strip()


def test_summary_rewrites_a_readme_block(
    repo_root: Path, built: BuildResult, tmp_path: Path
) -> None:
    out = built.release.parent.parent
    readme = tmp_path / "README.md"
    readme.write_text((repo_root / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    done = kggraph(
        "summary", "--root", str(repo_root), "--output", str(out), "--readme", str(readme)
    )
    assert done.exit_code == 0, done.stderr
    assert "| `kg:City` |" in readme.read_text(encoding="utf-8")


def test_summary_without_a_build_exits_2(tmp_path: Path) -> None:
    done = kggraph("summary", "--root", str(tmp_path))
    assert done.exit_code == 2
    assert "kggraph build" in done.stderr


def test_summary_into_a_readme_that_cannot_be_read_or_has_no_block(
    repo_root: Path, built: BuildResult, tmp_path: Path
) -> None:
    out = ["--root", str(repo_root), "--output", str(built.release.parent.parent)]
    missing = kggraph("summary", *out, "--readme", str(tmp_path / "nowhere.md"))
    assert missing.exit_code == 2 and "cannot read it" in missing.stderr
    folder = tmp_path / "README.md"
    folder.mkdir()
    not_a_file = kggraph("summary", *out, "--readme", str(folder))
    assert not_a_file.exit_code == 2 and "cannot read it" in not_a_file.stderr
    blockless = tmp_path / "notes.md"
    blockless.write_text("# Notes\n", encoding="utf-8")
    no_block = kggraph("summary", *out, "--readme", str(blockless))
    assert no_block.exit_code == 2 and "no summary block" in no_block.stderr
    assert blockless.read_text(encoding="utf-8") == "# Notes\n"


def test_the_real_command_starts_and_fails_with_its_code(tmp_path: Path) -> None:
    """The one smoke test of ``python -m kggraph`` in a process of its own."""

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "kggraph", *args]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    helped = run("--help")
    assert helped.returncode == 0, helped.stderr
    assert "Exit codes:" in helped.stdout and "4 query failed" in helped.stdout
    failed = run("validate", "--root", str(tmp_path))
    assert failed.returncode == 2
    assert "does not exist" in failed.stderr and "Traceback" not in failed.stderr
