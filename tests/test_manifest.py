"""A release's manifest as one typed record (``kggraph.graph.manifest``): read from a real
build, written back byte for byte, and refused as ``ReleaseDamaged`` when it is not one."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kggraph.core.config import Settings
from kggraph.core.errors import ReleaseDamaged
from kggraph.graph.manifest import Manifest
from kggraph.graph.release import MANIFEST, RELEASE_FORMAT, Release
from kggraph.publish.build import BuildResult
from kggraph.web.runtime import Runtime
from tests.conftest import ROOT


def _document(built: BuildResult) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((built.release / MANIFEST).read_text("utf-8"))
    return loaded


def test_a_built_manifest_reads_and_writes_back_byte_for_byte(built: BuildResult) -> None:
    path = built.release / MANIFEST
    manifest = Release(built.release).read_manifest()
    assert manifest.to_json().encode("utf-8") == path.read_bytes()
    assert Manifest.from_json(json.loads(manifest.to_json())) == manifest


def test_the_fields_say_what_the_files_hold(built: BuildResult) -> None:
    manifest = Manifest.read(built.release / MANIFEST)
    assert manifest.format == RELEASE_FORMAT
    assert manifest.built_at.utcoffset() is not None
    assert manifest.triples.total == len((built.release / "kggraph.nt").read_bytes().splitlines())
    assert manifest.triples.of("data") > 0 and manifest.triples.of("no-such-role") == 0
    assert sum(manifest.graphs.values()) == sum(manifest.triples.by_role.values())
    assert {s.role for s in manifest.sources} == {"ontology", "data"}
    listed = {f.name: f for f in manifest.files}
    assert set(listed) == {p.name for p in built.release.iterdir()} - {MANIFEST}
    for name, entry in listed.items():
        assert entry.bytes == (built.release / name).stat().st_size, name


BREAKAGES: dict[str, Callable[[dict[str, Any]], object]] = {
    "no format": lambda d: d.pop("format"),
    "format as text": lambda d: d.update(format=str(d["format"])),
    "format as a boolean": lambda d: d.update(format=True),
    "no total": lambda d: d["triples"].pop("total"),
    "a class count as text": lambda d: d["classes"].update({"kg:City": "5"}),
    "a time without offset": lambda d: d.update(built_at="2026-01-02T03:04:05"),
    "no time at all": lambda d: d.update(built_at="yesterday"),
    "files as a list": lambda d: d.update(files=[]),
    "a file without checksum": lambda d: next(iter(d["files"].values())).pop("sha256"),
    "a source without role": lambda d: d["sources"][0].pop("role"),
}
"""Ways to spoil a real manifest, each changing one thing."""


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_manifest_that_is_not_one_is_a_damaged_release(
    built: BuildResult, tmp_path: Path, breakage: str
) -> None:
    document = _document(built)
    BREAKAGES[breakage](document)
    path = tmp_path / MANIFEST
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(ReleaseDamaged, match="not a release manifest") as raised:
        Manifest.read(path)
    assert raised.value.location == str(path)


def test_a_missing_or_unreadable_manifest_is_a_damaged_release(tmp_path: Path) -> None:
    with pytest.raises(ReleaseDamaged, match="cannot read"):
        Manifest.read(tmp_path / MANIFEST)
    (tmp_path / MANIFEST).write_text("[]", encoding="utf-8")
    with pytest.raises(ReleaseDamaged, match="not a release manifest"):
        Manifest.read(tmp_path / MANIFEST)
    (tmp_path / MANIFEST).write_text("{not json", encoding="utf-8")
    with pytest.raises(ReleaseDamaged, match="no JSON"):
        Manifest.read(tmp_path / MANIFEST)


def test_a_server_reads_the_manifest_when_asked_and_refuses_a_damaged_one(
    built: BuildResult, tmp_path: Path
) -> None:
    """The server starts on a release whatever its manifest; what needs the manifest (the
    service description, the downloads, Last-Modified) gets ``ReleaseDamaged``, a ``503``."""
    output = tmp_path / "dist"
    shutil.copytree(built.release.parent.parent, output, symlinks=True)
    settings = Settings(root=ROOT, output=output)
    assert Runtime.create(settings).manifest.as_json() == built.manifest.as_json()
    (output / "releases" / built.release.name / MANIFEST).write_text("{}", encoding="utf-8")
    runtime = Runtime.create(settings)
    with pytest.raises(ReleaseDamaged) as raised:
        _ = runtime.manifest
    told = str(raised.value)
    assert told.startswith("the published release is damaged: its file manifest.json")
    assert str(tmp_path) not in told, "a client is told no path of the server"
