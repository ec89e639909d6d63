"""Shared fixtures: the repository root, a copy of the project to break, and one real build."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from kggraph.build import BuildResult, build
from kggraph.config import Settings

ROOT = Path(__file__).resolve().parents[1]
SOURCE_TEXT = ROOT.parent / "shared" / "source" / "000_5b69d3d5bab7a4e9.txt"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One build of the real project into a temporary output folder."""
    out = tmp_path_factory.mktemp("dist")
    return build(Settings(root=ROOT, output=out))


@pytest.fixture
def project_copy(tmp_path: Path) -> Callable[..., Path]:
    """A copy of ontology/, shapes/ and (optionally) data/ that a test may change."""

    def make(*, with_data: bool = True) -> Path:
        root = tmp_path / "project"
        for folder in ("ontology", "shapes") + (("data",) if with_data else ()):
            shutil.copytree(ROOT / folder, root / folder)
        (root / "data").mkdir(exist_ok=True)
        return root

    return make
