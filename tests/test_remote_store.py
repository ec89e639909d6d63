"""kggraph on a remote SPARQL store (issue 16, 1): ``kggraph serve --store URL`` over a real
Oxigraph server holding the real build (``tests/stores.py``, loaded as an operator loads it).

Its answers equal the embedded store's (SELECT, ASK, CONSTRUCT, bound parameters); a runaway
query is stopped at the time limit while other clients are answered; Oxigraph's own time limit,
which it signals inside a ``200`` answer already begun, is a ``503``; a store that is down is a
``503`` with ``Retry-After`` at once; a query the store rejects is our ``400`` with its message.
A body that the store breaks off is shown by a small HTTP server written here, since a real
Oxigraph breaks a body off only when it fails mid-answer, which cannot be caused on purpose.
"""

from __future__ import annotations

import asyncio
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pyoxigraph as ox
import pytest

from kggraph.core.config import Settings
from kggraph.core.formats import BY_NAME, AnswerKind, lookup
from kggraph.publish.build import BuildResult
from kggraph.query.dialects import DIALECTS
from kggraph.query.executor import QueryTask
from kggraph.query.remote import RELEASE_GRAPH, VERSION_QUERY, RemoteStore
from kggraph.query.values_binding import with_values
from tests.conftest import Server, free_port, start_server, stop_server
from tests.stores import (
    OxigraphStore,
    oxigraph,
    oxigraph_store_fixture,  # noqa: F401 - the fixture oxigraph_store
)

pytestmark = pytest.mark.slow

PREFIXES = "PREFIX kg: <https://w3id.org/kggraph/ontology#>\n"
QUERIES = {
    "select": PREFIXES + "SELECT ?city ?label WHERE { ?city a kg:City ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label } ORDER BY ?city ?label",
    "ask": PREFIXES + "ASK { ?x a kg:City }",
    "construct": PREFIXES + "CONSTRUCT { ?c a kg:Country } WHERE { ?c a kg:Country }",
    "named": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g",
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
"""A cross join of every triple with every other (48 million pairs): runs for seconds."""
LIMIT_S = 2.0
CANCELLED = b"The SPARQL operation has been cancelled"
CSV = BY_NAME["csv"].media_type


def ask(server: Server, query: str, fmt: str, **params: str) -> httpx.Response:
    accept = BY_NAME[fmt].media_type
    return httpx.post(
        server.sparql, data={"query": query, **params}, headers={"Accept": accept}, timeout=60
    )


def rows(response: httpx.Response) -> list[tuple[str, ...]]:
    """A results answer as comparable rows (blank nodes kept as they are: there are none)."""
    fmt = lookup(response.headers["content-type"].split(";")[0], AnswerKind.RESULTS)
    assert fmt is not None
    parsed = ox.parse_query_results(response.content, format=fmt.results_format)
    if isinstance(parsed, ox.QueryBoolean):
        return [(str(bool(parsed)),)]
    names = parsed.variables
    return [tuple(str(row[v]) for v in names) for row in parsed]


@pytest.fixture(scope="module", name="remote")
def remote_fixture(
    built: BuildResult, oxigraph_store: OxigraphStore, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """``kggraph serve --store`` on the Oxigraph server, its time limit ``LIMIT_S``."""
    log = tmp_path_factory.mktemp("remote") / "server.log"
    server = start_server(
        built.release.parent.parent,
        log,
        via_cli=True,
        store=oxigraph_store.query,
        store_dialect="oxigraph",
        query_timeout=str(LIMIT_S),
    )
    yield server
    stop_server(server)


@pytest.mark.parametrize("name", ["select", "ask", "named"])
@pytest.mark.parametrize("fmt", ["sparql-json", "csv"])
def test_results_equal_the_embedded_stores(
    remote: Server, server: Server, name: str, fmt: str
) -> None:
    theirs, ours = ask(remote, QUERIES[name], fmt), ask(server, QUERIES[name], fmt)
    assert theirs.status_code == ours.status_code == 200, theirs.text
    assert theirs.headers["content-type"] == ours.headers["content-type"]
    if fmt == "csv":  # lossy, so not read back: the same serialiser wrote both
        assert theirs.text.replace(f"{RELEASE_GRAPH}\r\n", "") == ours.text
        return
    found = rows(theirs)
    if name == "named":  # the store's release graph: the one graph only the store holds
        found.remove((f"<{RELEASE_GRAPH}>",) if fmt == "sparql-json" else (RELEASE_GRAPH,))
    assert found == rows(ours) and found


@pytest.mark.parametrize("fmt", ["turtle", "n-triples", "json-ld"])
def test_graphs_equal_the_embedded_stores(remote: Server, server: Server, fmt: str) -> None:
    theirs, ours = ask(remote, QUERIES["construct"], fmt), ask(server, QUERIES["construct"], fmt)
    assert theirs.status_code == ours.status_code == 200, theirs.text
    found = set(ox.parse(theirs.content, format=BY_NAME[fmt].rdf_format))
    assert found == set(ox.parse(ours.content, format=BY_NAME[fmt].rdf_format)) and found


def test_row_limit_cuts_as_the_workers_do(remote: Server, built: BuildResult) -> None:
    """More rows than ``max_rows`` (10 000 by default): the store's stream is left early."""
    answer = ask(remote, "SELECT ?a ?b WHERE { ?a ?p ?o . ?b ?q ?r } LIMIT 50000", "sparql-json")
    assert answer.status_code == 200
    assert len(answer.json()["results"]["bindings"]) == Settings().max_rows
    assert answer.headers.get("Kggraph-Truncated") is not None


CANNED = ("/queries/companies-in-country", "/queries/activities-near-place?km=500")
"""Canned queries with parameters (bound as ``VALUES`` on the store, substituted embedded)."""


def test_bound_parameters_and_pages_answer_alike(remote: Server, server: Server) -> None:
    """Canned queries with parameters, and a resource page (its queries bind ``?this``)."""
    for path in (*CANNED, "/id/city/dalian", "/id/city/kitakyushu.ttl"):
        theirs = httpx.get(remote.url + path, timeout=60)
        ours = httpx.get(server.url + path, timeout=60)
        assert theirs.status_code == ours.status_code == 200, (path, theirs.text[:300])
        if path.startswith("/queries/"):  # a page's ETag holds its server's address
            assert theirs.headers["ETag"] == ours.headers["ETag"]
            assert rows(theirs) == rows(ours) and rows(ours)
        elif path.endswith(".ttl"):
            assert set(ox.parse(theirs.content, format=ox.RdfFormat.TURTLE)) == set(
                ox.parse(ours.content, format=ox.RdfFormat.TURTLE)
            )
        else:  # links name the server that answers
            assert theirs.text.replace(remote.url, server.url) == ours.text


def test_values_binding_reaches_an_unprojected_variable(oxigraph_store: OxigraphStore) -> None:
    """``?this`` bound but not selected: the store must still see it (as substitution does)."""
    query = "SELECT ?p WHERE { ?this ?p ?o }"
    text = with_values(query, (("this", "<https://w3id.org/kggraph/id/city/dalian>"),))
    answer = httpx.post(
        oxigraph_store.query, data={"query": text}, headers={"Accept": CSV}, timeout=30
    )
    everything = httpx.post(
        oxigraph_store.query, data={"query": query}, headers={"Accept": CSV}, timeout=30
    )
    assert 1 < answer.text.count("\n") < everything.text.count("\n")


def test_a_runaway_is_stopped_while_others_are_answered(remote: Server) -> None:
    def runaway() -> tuple[int, float, str]:
        started = time.monotonic()
        answer = ask(remote, RUNAWAY, "sparql-json")
        return answer.status_code, time.monotonic() - started, answer.headers.get("Retry-After", "")

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(runaway)
        time.sleep(0.5)
        started = time.monotonic()
        quick = ask(remote, QUERIES["ask"], "sparql-json")
        quick_took = time.monotonic() - started
        status, took, retry = running.result()
    assert quick.status_code == 200 and quick_took < 1.0
    assert status == 503 and retry and took < LIMIT_S + 1.0


def test_a_query_the_store_rejects_is_a_400_with_its_message(remote: Server) -> None:
    answer = ask(remote, "SELECT ?x WHERE { ?x ?y }", "sparql-json")
    assert answer.status_code == 400
    assert "the store rejected the query" in answer.text and "expected" in answer.text


def test_served_from_the_store(remote: Server, built: BuildResult) -> None:
    """End to end: the store's release graph, which only the store holds, answers through
    ``/sparql``; the version is the store's; ``/health`` names the store."""
    answer = ask(remote, VERSION_QUERY, "sparql-json")
    assert [r["version"]["value"] for r in answer.json()["results"]["bindings"]] == [
        built.release.name
    ]
    assert answer.headers["Kggraph-Version"] == built.release.name
    health = httpx.get(remote.url + "/health", timeout=10).json()
    assert health["status"] == "ok" and health["dialect"] == "oxigraph"
    page = httpx.get(remote.url + "/id/city/dalian", timeout=30)
    assert page.status_code == 200 and "Dalian" in page.text


def _serve_read_only(
    location: Path, log: Path, timeout_s: int
) -> tuple[str, subprocess.Popen[bytes]]:
    """Another Oxigraph server (read-only) on the same database, with its own time limit."""
    port = free_port()
    command = [oxigraph(), "serve-read-only", "--location", str(location),
               "--bind", f"127.0.0.1:{port}", "--timeout-s", str(timeout_s)]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            httpx.get(url, params={"query": "ASK {}"}, timeout=1)
            return url, process
        except httpx.HTTPError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(log.read_text(errors="replace"))


def test_store_time_limit_then_store_down(
    built: BuildResult, oxigraph_store: OxigraphStore, tmp_path: Path
) -> None:
    """Oxigraph's own limit (1 s) stops the runaway inside its ``200``: a ``503``; then the
    store is stopped: a ``503`` with ``Retry-After`` at once, and ``/health`` says so."""
    assert oxigraph_store.location is not None
    url, process = _serve_read_only(oxigraph_store.location, tmp_path / "oxigraph.log", 1)
    server = start_server(
        built.release.parent.parent, tmp_path / "server.log", store=url, query_timeout="10"
    )
    try:
        cancelled = ask(server, RUNAWAY, "csv")
        assert cancelled.status_code == 503 and "--timeout-s" in cancelled.text
        process.terminate()
        process.wait(timeout=10)
        started = time.monotonic()
        down = ask(server, QUERIES["ask"], "sparql-json")
        assert down.status_code == 503 and down.headers["Retry-After"]
        assert time.monotonic() - started < 1.0 and "cannot be reached" in down.text
        health = httpx.get(server.url + "/health", timeout=10)
        assert health.status_code == 503 and health.json()["reachable"] is False
    finally:
        process.kill()
        stop_server(server)


class _BrokenStore(BaseHTTPRequestHandler):
    """A SPARQL endpoint that names a release and then breaks every answer off: with
    Oxigraph's cancellation text, in the middle of a line, or short of its length."""

    version = ""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        length = int(self.headers.get("Content-Length", 0))
        query = parse_qs(self.rfile.read(length).decode())["query"][0]
        if "versionInfo" in query:
            self._send(f'?version\n"{self.version}"\n'.encode())
        elif "cancelled" in query:
            self._send(b"?s\n<urn:a>\n<urn:b>\n" + CANCELLED)
        elif "midline" in query:
            self._send(b"?s\n<urn:a>\n<urn:b")
        else:
            self._send(b"?s\n<urn:a>\n<urn:b>\n", claimed=1000)

    def _send(self, body: bytes, claimed: int = 0) -> None:
        self.send_response(200)
        self.send_header("Content-Type", BY_NAME["tsv"].content_type)
        self.send_header("Content-Length", str(claimed or len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet."""


@pytest.fixture(name="broken_store")
def broken_store_fixture(built: BuildResult) -> Iterator[str]:
    handler = type("Handler", (_BrokenStore,), {"version": built.release.name})
    httpd = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/query"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    ("kind", "error"),
    [("cancelled", "QueryTimeout"), ("midline", "QueryUnavailable"), ("short", "QueryUnavailable")],
)
def test_a_broken_off_answer_is_a_503(broken_store: str, kind: str, error: str) -> None:
    """Never a short answer passed on as whole (``RemoteStore`` itself; both errors are a
    ``503`` with ``Retry-After`` to a client, ``tests/test_error_shapes.py``)."""

    async def run() -> Exception | None:
        store = RemoteStore(broken_store, DIALECTS["oxigraph"], Settings(query_timeout=5))
        await store.start()
        try:
            await store.run(QueryTask(f"SELECT ?s WHERE {{ ?s ?p ?o }} # {kind}", "sparql-json"))
        except Exception as err:  # noqa: BLE001 - the error is what is checked
            return err
        finally:
            await store.close()
        return None

    found = asyncio.run(run())
    assert type(found).__name__ == error, found


@pytest.mark.parametrize(
    ("status", "error", "answered"),
    [
        (400, "QuerySyntaxError", 400),
        (408, "QueryTimeout", 503),
        (503, "QueryUnavailable", 503),
        (500, "StoreError", 502),
        (501, "StoreError", 502),
    ],
)
def test_a_stores_status_becomes_our_error(status: int, error: str, answered: int) -> None:
    """What a store's error status means for our client: its own failure (a function it lacks,
    an internal error) is ours to pass on as 502, never a 500 of kggraph's."""
    from kggraph.core import errors
    from kggraph.query.dialects import protocol_check
    from kggraph.web.http.errors import status_of

    with pytest.raises(errors.KggraphError) as raised:
        protocol_check(status, b"SR185: Undefined procedure DB.DBA.f.")
    assert type(raised.value).__name__ == error
    assert status_of(raised.value) == answered
    assert "Undefined procedure" in str(raised.value)
