"""``kggraph network`` on a SPARQL store (issue 16): with ``--store`` or ``KGGRAPH_STORE`` it
reads the network from the store, as ``kggraph serve --store`` does, and needs no build.

The store is a real Oxigraph server with the session build loaded (``tests.stores``); each
command is given an output folder with no build in it, so an answer can only come from the
store, and is compared with the same command on the session build. A store that cannot be
reached, or that holds no release, ends the command with its exit code and a message.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from kggraph.publish.build import BuildResult
from tests.conftest import free_port
from tests.stores import (
    OxigraphStore,
    oxigraph_store_fixture,  # noqa: F401 - the fixture oxigraph_store
    start_oxigraph,
    stop_oxigraph,
)

pytestmark = pytest.mark.slow


def _cli(*args: str, store: str | None = None) -> Result:
    from kggraph.cli.network import app

    env = {"COLUMNS": "250", "NO_COLOR": "1", "KGGRAPH_STORE": store or ""}
    return CliRunner().invoke(app, list(args), env=env)


@pytest.fixture(scope="module")
def output_dir(built: BuildResult) -> Path:
    return built.release.parent.parent


@pytest.fixture
def no_build(tmp_path: Path) -> str:
    return str(tmp_path / "no-build")


def test_stats_from_the_store_are_the_builds(
    oxigraph_store: OxigraphStore, output_dir: Path, no_build: str
) -> None:
    local = _cli("stats", "--top", "5", "--output", str(output_dir))
    assert local.exit_code == 0, local.output
    remote = _cli("stats", "--top", "5", "--output", no_build, "--store", oxigraph_store.query)
    assert remote.exit_code == 0, remote.output
    assert "City of Kitakyushu" in remote.stdout and remote.stdout == local.stdout


def test_the_store_setting_is_read_from_the_environment(
    oxigraph_store: OxigraphStore, output_dir: Path, no_build: str, tmp_path: Path
) -> None:
    args = ("path", "j-fils", "org/phnom-penh-capital-administration", "--from-year", "2000")
    remote = _cli(*args, "--output", no_build, store=oxigraph_store.query)
    assert remote.exit_code == 0, remote.output
    assert "J-FILS Co., Ltd. → Japan International Cooperation Agency" in remote.stdout
    assert remote.stdout == _cli(*args, "--output", str(output_dir)).stdout
    out = tmp_path / "csv"
    exported = _cli("export", "csv", "--out", str(out), "--output", no_build,
                    store=oxigraph_store.query)  # fmt: skip
    assert exported.exit_code == 0, exported.output
    local = _cli("export", "csv", "--out", str(tmp_path / "local"), "--output", str(output_dir))
    assert local.exit_code == 0, local.output
    for name in ("nodes.csv", "edges.csv"):
        assert (out / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_a_store_that_cannot_be_reached_is_exit_4(no_build: str) -> None:
    down = f"http://127.0.0.1:{free_port()}/query"
    done = _cli("ego", "jica", "--output", no_build, "--store", down)
    assert done.exit_code == 4, done.output
    assert "cannot be reached" in done.stderr and down in done.stderr


@pytest.fixture
def empty_store(tmp_path: Path) -> Iterator[OxigraphStore]:
    store = start_oxigraph(tmp_path / "empty.log")
    yield store
    stop_oxigraph(store)


def test_a_store_without_a_release_is_exit_2(empty_store: OxigraphStore, no_build: str) -> None:
    done = _cli("stats", "--output", no_build, "--store", empty_store.query)
    assert done.exit_code == 2, done.output
    assert "holds no release" in done.stderr and "kggraph publish --to" in done.stderr


def test_a_bad_store_url_is_exit_2(no_build: str) -> None:
    done = _cli("stats", "--output", no_build, "--store", "ftp://example.org/sparql")
    assert done.exit_code == 2
    assert "http(s) URL" in done.stderr
