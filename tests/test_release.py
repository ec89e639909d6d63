"""When ``kggraph serve`` rebuilds first: ``is_stale`` against inputs and the release format."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

from kggraph.build import BuildResult
from kggraph.config import Settings
from kggraph.release import CURRENT, MANIFEST, RELEASE_FORMAT, is_stale
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
