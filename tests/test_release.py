"""Releases: when ``kggraph serve`` rebuilds first (``is_stale`` against inputs and the release
format), and which earlier releases a build keeps (``prune``)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from kggraph.core.config import Settings
from kggraph.graph.release import CURRENT, MANIFEST, RELEASE_FORMAT, current_release, is_stale
from kggraph.publish.build import BuildResult
from kggraph.publish.promote import RELEASES, prune
from tests.conftest import ROOT


def _published_copy(built: BuildResult, out: Path) -> Path:
    """A copy of the session's release in its own output folder, ``current`` pointing to it."""
    release = out / "releases" / built.release.name
    shutil.copytree(built.release, release)
    (out / CURRENT).symlink_to(Path("releases") / release.name)
    return release


def _with_format(release: Path, fmt: object) -> None:
    manifest_path = release / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    if fmt is None:
        manifest.pop("format", None)
    else:
        manifest["format"] = fmt
    stamp = manifest_path.stat().st_mtime
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    os.utime(manifest_path, (stamp, stamp))  # only the content changes, not the build time


def test_a_fresh_build_is_not_stale(built: BuildResult, tmp_path: Path) -> None:
    release = _published_copy(built, tmp_path)
    assert json.loads((release / MANIFEST).read_text())["format"] == RELEASE_FORMAT
    assert not is_stale(Settings(root=ROOT, output=tmp_path))


def test_no_build_is_stale(tmp_path: Path) -> None:
    assert is_stale(Settings(root=ROOT, output=tmp_path / "nothing"))


def test_a_release_of_another_format_is_stale(built: BuildResult, tmp_path: Path) -> None:
    release = _published_copy(built, tmp_path)
    settings = Settings(root=ROOT, output=tmp_path)
    for other in (None, RELEASE_FORMAT - 1, str(RELEASE_FORMAT)):
        _with_format(release, other)
        assert is_stale(settings), other
    _with_format(release, RELEASE_FORMAT)
    assert not is_stale(settings)
    (release / MANIFEST).write_text("{not json", encoding="utf-8")
    assert is_stale(settings)


def test_an_input_changed_after_the_build_makes_it_stale(
    built: BuildResult, tmp_path: Path, project_copy: Callable[..., Path]
) -> None:
    root = project_copy()
    out = tmp_path / "out"
    release = _published_copy(built, out)
    settings = Settings(root=root, output=out)
    built_at = (release / MANIFEST).stat().st_mtime
    for path in root.rglob("*.ttl"):
        os.utime(path, (built_at - 10, built_at - 10))
    assert not is_stale(settings)
    changed = next(iter(sorted((root / "data").glob("*.ttl"))))
    os.utime(changed, (built_at + 10, built_at + 10))
    assert is_stale(settings)


def _releases(out: Path, count: int, *, current: int) -> list[str]:
    """``count`` release folders (oldest first), ``current`` pointing to the one at ``current``."""
    names = [f"20261201T00000{n}Z-{n:08x}" for n in range(count)]
    for name in names:
        (out / RELEASES / name).mkdir(parents=True)
    (out / CURRENT).symlink_to(Path(RELEASES) / names[current])
    return names


def _output_as(kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The same output folder named three ways: relative to the working directory, absolute,
    and absolute through a symlinked parent (the resolved path is then another string)."""
    real = tmp_path / "real"
    real.mkdir()
    if kind == "relative":
        monkeypatch.chdir(real)
        return Path("dist")
    if kind == "symlinked":
        (tmp_path / "alias").symlink_to(real)
        return tmp_path / "alias" / "dist"
    return real / "dist"


@pytest.mark.parametrize("kind", ["relative", "absolute", "symlinked"])
@pytest.mark.parametrize("keep", [0, 1, 3])
@pytest.mark.parametrize("current", [4, 2])
def test_pruning_keeps_current_and_the_newest_earlier_releases(
    kind: str, keep: int, current: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _output_as(kind, tmp_path, monkeypatch)
    names = _releases(out, 5, current=current)
    prune(out, keep=keep)
    others = [n for n in reversed(names) if n != names[current]]
    expected = sorted([names[current], *others[:keep]])
    assert sorted(p.name for p in (out / RELEASES).iterdir()) == expected
    assert current_release(out) == (out / RELEASES / names[current]).resolve()


@pytest.mark.slow
def test_a_build_keeping_no_release_leaves_current_in_place(
    small_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``KGGRAPH_KEEP_RELEASES=0 kggraph build`` with a relative output folder (issue 13, 6)."""
    root = small_project()
    monkeypatch.chdir(root)
    env = {
        **os.environ,
        "KGGRAPH_KEEP_RELEASES": "0",
        "KGGRAPH_ROOT": ".",
        "KGGRAPH_OUTPUT": "dist",
    }
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-m", "kggraph", "build"], env=env, capture_output=True, check=False
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")
    current = current_release(root / "dist")
    assert current is not None, "dist/current is dangling"
    assert (current / MANIFEST).is_file()
    assert [p.name for p in (root / "dist" / RELEASES).iterdir()] == [current.name]
