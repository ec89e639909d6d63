"""Shared fixtures: the repository root, a project copy to break, a small project to build in a
second, one real build (and one more to compare it with), real servers on it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kggraph.core.config import Settings
from kggraph.publish.build import BuildResult, build

ROOT = Path(__file__).resolve().parents[1]
SOURCE_TEXT = ROOT.parent / "shared" / "source" / "000_5b69d3d5bab7a4e9.txt"
SOURCE_MISSING = f"{SOURCE_TEXT.name} in ../shared/source is missing (the source document)"
REQUIRE_ALL = "KGGRAPH_REQUIRE_ALL"
"""Set to 1 to make a test fail, not skip, when something it needs is missing (e.g. in CI)."""


BROWSER_TESTS = Path(__file__).resolve().parent / "browser"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in ``tests/browser/`` drives Chromium: each is ``slow`` (``make test-fast``
    leaves them out) without a mark in each file."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.slow)


def require(condition: Path | bool, reason: str) -> None:
    """Skip the calling test or fixture with ``reason`` unless ``condition`` holds (a path: it
    exists); fail instead of skipping when ``KGGRAPH_REQUIRE_ALL=1``."""
    if condition.exists() if isinstance(condition, Path) else condition:
        return
    if os.environ.get(REQUIRE_ALL) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ALL}=1 makes this a failure)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """One build of the real project into a temporary output folder."""
    out = tmp_path_factory.mktemp("dist")
    return build(Settings(root=ROOT, output=out))


@pytest.fixture(scope="session")
def rebuilt(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """A second build of the real project, from the same inputs, into another output folder:
    what the tests that a build is deterministic compare ``built`` with (one for all of them)."""
    out = tmp_path_factory.mktemp("dist-again")
    return build(Settings(root=ROOT, output=out))


SMALL_DATA = """\
@prefix kg:   <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .

kgid:source\\/small a kg:SourceDocument ;
    rdfs:label "Small test source"@en , "小さな試験の典拠"@ja .
kgid:source\\/small\\/s1 a kg:SourceSection ;
    rdfs:label "Small test section"@en , "小さな試験の節"@ja ;
    kg:sectionNumber "§1" ;
    kg:partOfSection kgid:source\\/small .
kgid:country\\/testland a kg:Country ;
    rdfs:label "Testland"@en , "試験国"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
"""
"""The data of the small project (``data/small.ttl``): a source, one of its sections and a
country derived from it. With the real ontology and shapes it builds about ten times faster
than the real project (1.4 s against 13.8 s, measured side by side): enough for the tests of
how builds are made, kept, followed and broken, which need no real data."""


def write_small_project(root: Path, **data: str) -> Path:
    """The small project in ``root``: this repository's ``ontology/`` and ``shapes/``,
    ``data/small.ttl`` and, for each keyword, ``data/<keyword>.ttl`` holding its Turtle."""
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, root / folder)
    (root / "data").mkdir()
    for name, text in {"small": SMALL_DATA, **data}.items():
        (root / "data" / f"{name}.ttl").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="session")
def small_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project, shared by the session: build it into an output folder of your own,
    never change it (``small_project`` makes a copy to change)."""
    return write_small_project(tmp_path_factory.mktemp("small"))


@pytest.fixture
def small_project(tmp_path: Path) -> Callable[..., Path]:
    """A small project of the test's own, to change: ``small_project(extra=turtle)`` adds
    ``data/extra.ttl``."""

    def make(**data: str) -> Path:
        return write_small_project(tmp_path / "small", **data)

    return make


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


@dataclass
class Server:
    """A real kggraph server (uvicorn in a subprocess) on a free 127.0.0.1 port."""

    url: str
    output: Path
    process: subprocess.Popen[bytes]

    @property
    def sparql(self) -> str:
        return self.url + "/sparql"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


NO_BUDGETS = {
    "KGGRAPH_CLIENT_BUDGET_SECONDS": "0",
    "KGGRAPH_CLIENT_CONCURRENCY": "0",
    "KGGRAPH_CLIENT_ERRORS": "0",
}
"""Every test is one client (127.0.0.1, httpx's User-Agent) that sends hundreds of queries,
bad ones on purpose: the servers tests start have no client budgets unless a test sets them
(``tests/test_budgets_http.py`` does)."""


def start_server(
    output: Path, log: Path, *, via_cli: bool = False, budgets: bool = False, **settings: str
) -> Server:
    """Start uvicorn on the published build in ``output``; wait until ``/health`` answers.

    ``via_cli`` runs it as ``kggraph serve --no-build`` does (its protocol, its limits), else
    through the app factory; ``budgets`` keeps the client budgets' defaults (see NO_BUDGETS).
    One web process unless ``workers`` is given: which process accepts a connection is the
    kernel's choice, and the tests of per-process limits (connections) count on one
    (``tests/test_budgets_shared.py`` serves with two)."""
    port = free_port()
    env = {**os.environ, "KGGRAPH_ROOT": str(ROOT), "KGGRAPH_OUTPUT": str(output)}
    env["KGGRAPH_WORKERS"] = "1"
    if not budgets:
        env.update(NO_BUDGETS)
    env.update({f"KGGRAPH_{k.upper()}": v for k, v in settings.items()})
    if via_cli:
        command = [sys.executable, "-m", "kggraph", "serve", "--no-build", "--no-access-log",
                   "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
    else:
        app = "kggraph.web.app:create_app_from_env"
        command = [sys.executable, "-m", "uvicorn", app, "--factory", "--host", "127.0.0.1",
                   "--port", str(port), "--no-access-log"]  # fmt: skip
    with log.open("wb") as sink:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return Server(url, output, process)
        except httpx.HTTPError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"the server did not start: {log.read_text(errors='replace')[-2000:]}")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="session")
def server(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server on the session build, shared by the HTTP tests (default settings)."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    running = start_server(built.release.parent.parent, log)
    yield running
    stop_server(running)


PUBLIC_URL = "https://data.example.org/kg/"
"""Where the ``published`` server is told it is published (``KGGRAPH_PUBLIC_URL``), with the
trailing slash an operator may well write: the links it makes start with it, less the slash."""


@pytest.fixture(scope="session")
def published(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One server on the session build behind a proxy (at ``PUBLIC_URL``), shared by the tests
    of the links, sitemap and catalog it makes."""
    log = tmp_path_factory.mktemp("published") / "server.log"
    running = start_server(built.release.parent.parent, log, public_url=PUBLIC_URL)
    yield running
    stop_server(running)
