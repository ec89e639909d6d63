"""``kggraph publish`` (issue 16, 1) against a real Oxigraph server: what a store holds after a
publish (the embedded store's graphs and the release's version), a second release replacing
the first as one step for readers, the offline folder for a read-only server, and the errors:
a store that is down, one that refuses the load, one that is no known kind, one that unions
its graphs, a folder that is not new."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kggraph.cli.exits import ExitCode
from kggraph.core.config import Settings
from kggraph.core.formats import BY_NAME
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult, build
from kggraph.publish.to_store import COUNT_QUERY, RELEASE_GRAPH
from tests.clirun import kggraph
from tests.conftest import free_port, stop_server
from tests.stores import (
    OxigraphStore,
    oxigraph_store_fixture,  # noqa: F401 - the fixture oxigraph_store
    serve_store,
    start_oxigraph,
    stop_oxigraph,
    store_version,
)

pytestmark = pytest.mark.slow

GRAPHS_QUERY = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"


def select(endpoint: str, query: str) -> list[str]:
    answer = httpx.get(
        endpoint,
        params={"query": query},
        headers={"Accept": BY_NAME["sparql-json"].content_type},
        timeout=30,
    )
    answer.raise_for_status()
    rows = answer.json()["results"]["bindings"]
    return [next(iter(row.values()))["value"] for row in rows]


def count(endpoint: str) -> int:
    return int(select(endpoint, COUNT_QUERY)[0])


def graphs_of(release: Path) -> set[str]:
    """The named graphs of a release's N-Quads dump."""
    lines = (release / "kggraph.nq").read_text(encoding="utf-8").splitlines()
    return {line.rsplit(" ", 2)[-2].strip("<>") for line in lines if line}


@pytest.fixture(scope="module")
def small_built(small_root: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(Settings(root=small_root, output=tmp_path_factory.mktemp("small-dist")))


@pytest.fixture
def writable(tmp_path: Path) -> Iterator[OxigraphStore]:
    """A read-write Oxigraph server of the test's own, empty, in memory."""
    store = start_oxigraph(tmp_path / "oxigraph.log")
    yield store
    stop_oxigraph(store)


def publish(output: Path, *args: str) -> tuple[int, str]:
    result = kggraph("publish", "--output", str(output), *args)
    return result.exit_code, result.stdout + result.stderr


def test_a_store_holds_the_release_as_the_embedded_store_does(
    writable: OxigraphStore, small_built: BuildResult
) -> None:
    code, said = publish(small_built.release.parent.parent, "--to", writable.query)
    assert code == ExitCode.OK, said
    assert f"Published {small_built.release.name}" in said
    assert store_version(writable.query) == [small_built.release.name]
    embedded = Release(small_built.release).open_store()
    solutions = embedded.query(COUNT_QUERY)
    assert isinstance(solutions, ox.QuerySolutions)
    embedded_count = int(next(iter(solutions))[0].value)
    assert count(writable.query) == embedded_count == small_built.manifest.triples.total
    assert set(select(writable.query, GRAPHS_QUERY)) == graphs_of(small_built.release) | {
        RELEASE_GRAPH
    }


def test_a_new_release_replaces_the_old_in_one_step(
    writable: OxigraphStore, small_built: BuildResult, built: BuildResult
) -> None:
    """The real build replaces the small one; a reader asking all along sees one or the other,
    never an empty or half-loaded store; nothing of the small project is left."""
    assert publish(small_built.release.parent.parent, "--to", writable.url)[0] == ExitCode.OK
    small, full = small_built.manifest.triples.total, built.manifest.triples.total
    seen: set[int] = set()
    done = threading.Event()

    def read() -> None:
        with httpx.Client(timeout=30) as client:
            while not done.is_set():
                answer = client.get(writable.query, params={"query": COUNT_QUERY},
                                    headers={"Accept": BY_NAME["csv"].content_type})  # fmt: skip
                seen.add(int(answer.text.splitlines()[1]))

    reader = threading.Thread(target=read)
    reader.start()
    try:
        code, said = publish(
            built.release.parent.parent, "--to", writable.url, "--kind", "oxigraph"
        )
    finally:
        done.set()
        reader.join()
    assert code == ExitCode.OK, said
    assert seen <= {small, full}, f"a reader saw {seen - {small, full}} triples mid-load"
    assert store_version(writable.query) == [built.release.name]
    assert count(writable.query) == full
    testland = "ASK { <https://w3id.org/kggraph/id/country/testland> ?p ?o }"
    assert httpx.get(writable.query, params={"query": testland}).json()["boolean"] is False


def test_an_offline_folder_serves_read_only(
    oxigraph_store: OxigraphStore, built: BuildResult
) -> None:
    """``publish --location`` (what the fixture loads with): the read-only server names the
    release and holds its triples; a publish into the same folder again is refused."""
    assert store_version(oxigraph_store.query) == [built.release.name]
    assert count(oxigraph_store.query) == built.manifest.triples.total
    assert oxigraph_store.location is not None
    code, said = publish(built.release.parent.parent, "--location", str(oxigraph_store.location))
    assert code == ExitCode.BAD_INPUT
    assert "not a new or empty folder" in said


def test_a_read_only_store_refuses_the_load(
    oxigraph_store: OxigraphStore, built: BuildResult
) -> None:
    code, said = publish(built.release.parent.parent, "--to", oxigraph_store.url)
    assert code == ExitCode.QUERY_FAILED
    assert "refused" in said and "403" in said, said
    assert count(oxigraph_store.query) == built.manifest.triples.total


def test_a_store_that_is_down(small_built: BuildResult) -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    code, said = publish(small_built.release.parent.parent, "--to", url)
    assert code == ExitCode.QUERY_FAILED
    assert "cannot reach the store" in said


def test_a_store_of_no_known_kind(small_built: BuildResult) -> None:
    """``--kind auto`` asks the store's ``Server`` header; a plain web server is no store."""
    web = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    thread = threading.Thread(target=web.serve_forever)
    thread.start()
    try:
        url = f"http://127.0.0.1:{web.server_address[1]}/sparql"
        code, said = publish(small_built.release.parent.parent, "--to", url)
    finally:
        web.shutdown()
        web.server_close()
        thread.join()
    assert code == ExitCode.BAD_INPUT
    assert "cannot tell which store" in said and "--kind" in said


def test_a_store_that_unions_its_graphs_is_named(tmp_path: Path, small_built: BuildResult) -> None:
    store = start_oxigraph(tmp_path / "oxigraph.log", union=True)
    try:
        code, said = publish(small_built.release.parent.parent, "--to", store.url)
    finally:
        stop_oxigraph(store)
    assert code == ExitCode.QUERY_FAILED
    assert "--union-default-graph" in said


def test_bad_arguments(small_built: BuildResult, tmp_path: Path) -> None:
    output = str(small_built.release.parent.parent)
    assert publish(output)[0] == ExitCode.BAD_INPUT
    assert publish(output, "--to", "ftp://example.org/store")[0] == ExitCode.BAD_INPUT
    assert publish(output, "--to", "http://127.0.0.1:1/", "--kind", "nosuch")[0] == (
        ExitCode.BAD_INPUT
    )
    code, said = publish(output, "--to", "http://x/", "--location", str(tmp_path / "db"))
    assert code == ExitCode.BAD_INPUT and "either" in said


ANOTHER = """@prefix kg:   <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .

kgid:country\\/otherland a kg:Country ;
    rdfs:label "Otherland"@en , "別の国"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
"""


def test_a_server_on_the_store_follows_the_store_not_the_folder(
    tmp_path: Path, small_project: Callable[..., Path], writable: OxigraphStore
) -> None:
    """``kggraph serve --store`` answers with the release the store holds: a newer build in
    its folder changes nothing until it is published, then the server follows within seconds."""
    root, output = small_project(), tmp_path / "dist"
    build(Settings(root=root, output=output))
    assert publish(output, "--to", writable.url)[0] == ExitCode.OK
    web = serve_store(output, writable.query, tmp_path / "server.log")
    try:
        first = httpx.get(web.url + "/id/country/testland", timeout=30)
        assert first.status_code == 200
        (root / "data" / "another.ttl").write_text(ANOTHER, encoding="utf-8")
        newer = build(Settings(root=root, output=output))
        time.sleep(3)  # longer than the server takes to notice a new release folder
        assert httpx.get(web.url + "/id/country/otherland", timeout=30).status_code == 404
        assert publish(output, "--to", writable.url)[0] == ExitCode.OK
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if store_version(web.sparql) == [newer.release.name]:
                break
            time.sleep(0.5)
        assert store_version(web.sparql) == [newer.release.name]
        assert httpx.get(web.url + "/id/country/otherland", timeout=30).status_code == 200
        again = httpx.get(web.url + "/id/country/testland", timeout=30)
        assert again.headers["ETag"] != first.headers["ETag"]
    finally:
        stop_server(web)
