"""The real ``kggraph`` command in a subprocess: exit codes, progress, and readable reports."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _kggraph(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "kggraph", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=300,
        check=False,
    )


def test_build_publishes_and_summarises(repo_root: Path, tmp_path: Path) -> None:
    done = _kggraph("build", "--root", str(repo_root), "--output", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert "Validating against the SHACL shapes" in done.stdout
    assert "Published" in done.stdout and "kggraph.nt" in done.stdout
    assert "kg:City" in done.stdout
    assert (tmp_path / "out" / "current" / "manifest.json").is_file()


def test_validate_writes_nothing(repo_root: Path, tmp_path: Path) -> None:
    done = _kggraph("validate", "--root", str(repo_root), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "The graph conforms" in done.stdout
    assert not list(tmp_path.iterdir())


def test_non_conforming_data_exits_1_with_a_report(project_copy: Callable[..., Path]) -> None:
    root = project_copy()
    (root / "data" / "bad-city.ttl").write_text(
        "@prefix kg: <https://w3id.org/kggraph/ontology#> .\n"
        "@prefix kgid: <https://w3id.org/kggraph/id/> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        'kgid:city\\/nowhere a kg:City ; rdfs:label "Nowhere"@en .\n',
        encoding="utf-8",
    )
    done = _kggraph("build", "--root", str(root), "--output", str(root / "out"))
    assert done.returncode == 1
    assert "kgid:city/nowhere" in done.stderr
    assert "Nowhere" in done.stderr
    assert "data/bad-city.ttl" in done.stderr
    assert "rdfs:label" in done.stderr
    assert not (root / "out" / "current").exists()


def test_unparseable_data_exits_2_with_file_line_column(project_copy: Callable[..., Path]) -> None:
    root = project_copy()
    (root / "data" / "typo.ttl").write_text("<a> <b> <c> <d> .\n", encoding="utf-8")
    done = _kggraph("validate", "--root", str(root))
    assert done.returncode == 2
    assert "typo.ttl:1:" in done.stderr


def test_missing_data_folder_exits_2(tmp_path: Path) -> None:
    done = _kggraph("validate", "--root", str(tmp_path))
    assert done.returncode == 2
    assert "does not exist" in done.stderr


def test_bad_setting_exits_2(repo_root: Path) -> None:
    env_done = subprocess.run(
        [sys.executable, "-m", "kggraph", "build", "--root", str(repo_root)],
        capture_output=True,
        text=True,
        env={**os.environ, "KGGRAPH_KEEP_RELEASES": "lots"},
        timeout=60,
        check=False,
    )
    assert env_done.returncode == 2
    assert "KGGRAPH_KEEP_RELEASES" in env_done.stderr


def test_version() -> None:
    done = _kggraph("version")
    assert done.returncode == 0 and done.stdout.strip()


def test_summary_rewrites_a_readme_block(repo_root: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _kggraph("build", "--root", str(repo_root), "--output", str(out)).returncode == 0
    readme = tmp_path / "README.md"
    readme.write_text((repo_root / "README.md").read_text(encoding="utf-8"), encoding="utf-8")
    done = _kggraph(
        "summary", "--root", str(repo_root), "--output", str(out), "--readme", str(readme)
    )
    assert done.returncode == 0, done.stderr
    assert "| `kg:City` |" in readme.read_text(encoding="utf-8")


def test_summary_without_a_build_exits_2(tmp_path: Path) -> None:
    done = _kggraph("summary", "--root", str(tmp_path))
    assert done.returncode == 2
    assert "kggraph build" in done.stderr
