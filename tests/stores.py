"""SPARQL stores for the tests: Oxigraph server with the real build loaded, and kggraph servers
in front of a store.

* ``oxigraph_store`` (module): the session build loaded the way an operator loads it for a
  read-only server (``kggraph publish --location``, i.e. ``oxigraph load``), served by
  ``oxigraph serve-read-only --timeout-s`` on a free 127.0.0.1 port, stopped at the end of the
  module. Without the ``oxigraph`` command (PyPI ``oxigraph``, in the ``dev`` extra) it skips,
  naming what is missing; in CI that is a failure.
* ``served_on`` (module): ``served_on(store_url)`` starts a real ``kggraph serve`` with
  ``--store store_url`` (its setting ``KGGRAPH_STORE``) on the session build's output folder,
  and checks that it answers from the store; every one it started stops at the end.
* ``start_oxigraph`` starts a server of one's own (read-write, for ``kggraph publish --to``).

Not ``--union-default-graph``: a publish gives the store the merged graph as its default graph,
as the embedded store has it (``kggraph.publish.to_store``).

A test module imports the fixtures it uses under their function names (``from tests.stores
import oxigraph_store_fixture``) and asks for them by their names (``oxigraph_store``).
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kggraph.core.formats import BY_NAME
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from kggraph.publish.to_folder import load_folder, oxigraph_command
from kggraph.publish.to_store import VERSION_QUERY
from tests.conftest import Server, free_port, require, start_server, stop_server

OXIGRAPH_MISSING = "the `oxigraph` command is not installed (pip install oxigraph: the dev extra)"
STORE_TIMEOUT_S = 20
"""The store's own time limit on one query (``--timeout-s``)."""
START_SECONDS = 30.0


@dataclass(frozen=True)
class OxigraphStore:
    """A running Oxigraph server on 127.0.0.1."""

    url: str
    """Its base address; its SPARQL query endpoint is ``query``."""
    location: Path | None
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def query(self) -> str:
        return self.url + "/query"


def oxigraph() -> str:
    """The ``oxigraph`` command, or a skip naming it."""
    command = oxigraph_command()
    require(command is not None, OXIGRAPH_MISSING)
    assert command is not None
    return command


def start_oxigraph(
    log: Path, *, location: Path | None = None, read_only: bool = False, union: bool = False
) -> OxigraphStore:
    """Start Oxigraph server (read-only on ``location``, else read-write: on ``location`` or in
    memory) on a free port; wait until its query endpoint answers."""
    port = free_port()
    mode = "serve-read-only" if read_only else "serve"
    command = [oxigraph(), mode, "--bind", f"127.0.0.1:{port}", "--timeout-s", str(STORE_TIMEOUT_S)]
    command += ["--location", str(location)] if location else []
    command += ["--union-default-graph"] if union else []
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    store = OxigraphStore(f"http://127.0.0.1:{port}", location, process, log)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"oxigraph exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(store.query, params={"query": "ASK {}"}, timeout=1).status_code == 200:
                return store
        except httpx.HTTPError:
            time.sleep(0.05)
    stop_oxigraph(store)
    raise RuntimeError(f"oxigraph did not start: {log.read_text(errors='replace')[-2000:]}")


def stop_oxigraph(store: OxigraphStore) -> None:
    store.process.terminate()
    try:
        store.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        store.process.kill()
        store.process.wait()


@pytest.fixture(scope="module", name="oxigraph_store")
def oxigraph_store_fixture(
    built: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OxigraphStore]:
    """The session build in a read-only Oxigraph server, as an operator deploys it."""
    oxigraph()
    folder = tmp_path_factory.mktemp("oxigraph")
    load_folder(Release(built.release), folder / "db", lambda _step: None)
    store = start_oxigraph(folder / "oxigraph.log", location=folder / "db", read_only=True)
    yield store
    stop_oxigraph(store)


def store_version(sparql_url: str) -> list[str]:
    """The release(s) a SPARQL endpoint names in its release graph."""
    answer = httpx.get(
        sparql_url,
        params={"query": VERSION_QUERY},
        headers={"Accept": BY_NAME["sparql-json"].content_type},
        timeout=30,
    )
    answer.raise_for_status()
    return [row["version"]["value"] for row in answer.json()["results"]["bindings"]]


def serve_store(output: Path, store_url: str, log: Path) -> Server:
    """A real ``kggraph serve --store store_url`` on the builds in ``output``, checked to answer
    from that store: its release graph, which only a published store has, names a release."""
    server = start_server(output, log, via_cli=True, store=store_url)
    found = store_version(server.sparql)
    if not found:
        stop_server(server)
    assert found, f"kggraph serve does not answer from the store {store_url} (no release graph)"
    return server


@pytest.fixture(scope="module", name="served_on")
def served_on_fixture(
    built: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Callable[[str], Server]]:
    """``served_on(store_url)``: a new ``kggraph serve --store store_url`` on the session
    build's output folder (``serve_store``); each stops at the end of the module."""
    started: list[Server] = []

    def serve(store_url: str) -> Server:
        log = tmp_path_factory.mktemp("served-on") / "server.log"
        server = serve_store(built.release.parent.parent, store_url, log)
        started.append(server)
        return server

    yield serve
    for server in started:
        stop_server(server)
