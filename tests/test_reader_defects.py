"""Issue 13, defects 1, 2, 4, 9 and part of 11: reading a query can be neither bypassed, frozen,
made to crash a worker, nor made to hold memory without bound.

The SERVICE tests are differential: each query is run by pyoxigraph against a real HTTP
endpoint on 127.0.0.1, which shows the engine really calls out, and the reader must refuse it.
"""

from __future__ import annotations

import asyncio
import http.server
import select
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kggraph.core.config import Settings
from kggraph.core.errors import QueryError, QueryRefused
from kggraph.publish.build import BuildResult
from kggraph.query import reader, tokens
from kggraph.query.reader import check, classify
from kggraph.web.fastpath import MEMO_BYTES, MEMO_MAX_URL, SparqlFastPath, _HeaderKey
from kggraph.web.http.errors import remote_failure, status_of
from kggraph.web.runtime import Runtime
from tests.conftest import ROOT, Server, start_server, stop_server
from tests.test_endpoint import CITIES

ALLOWED = ("http://allowed.example/sparql",)


class _Endpoint(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint that answers one empty solution and records what it was asked."""

    hits: list[str]

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self._answer()

    def _answer(self) -> None:
        self.hits.append(self.path)
        body = b'{"head":{"vars":[]},"results":{"bindings":[{}]}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        return


@pytest.fixture
def endpoint() -> Iterator[tuple[str, list[str]]]:
    """An "internal" endpoint on 127.0.0.1: its URL, and the paths it was asked for."""
    hits: list[str] = []
    handler = type("Recording", (_Endpoint,), {"hits": hits})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    # shutdown() waits for the loop's next look (half a second by default), after every test
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/", hits
    server.shutdown()
    server.server_close()


BYPASSES = [
    # the query: `SERVICE:x` is SERVICE then the name `:x`
    "PREFIX : <EVIL> SELECT * { BIND(1 AS ?o) SERVICE:internal-admin { ?x ?p ?o } }",
    "PREFIX ex: <EVIL> SELECT * { BIND(1 AS ?o) SERVICEex:x { } }",
    "PREFIX ex: <EVIL> SELECT * { BIND(1 AS ?o) SERVICESILENTex:x { } }",
    # `SILENT:sparql` is SILENT then `:sparql`, not the name SILENT:sparql
    "PREFIX SILENT: <http://allowed.example/> PREFIX : <EVIL> "
    "SELECT * { BIND(1 AS ?o) SERVICE SILENT:sparql { } }",
    "SELECT * { BIND(1 AS ?o) SERVICESILENT<EVIL> { } }",
    "SELECT * { BIND(1 AS ?o) FILTER(?o)SERVICEsilent<EVIL> { } }",
    # `silentx:y` is SILENT then `x:y`, whatever prefix silentx names
    "PREFIX silentx: <http://allowed.example/> PREFIX x: <EVIL> "
    "SELECT * { BIND(1 AS ?o) SERVICE silentx:sparql { } }",
    # the object `true`, then SERVICE
    "SELECT * { BIND(1 AS ?o) ?s ?p trueSERVICE <EVIL> { } }",
    # `PREFIX:<…>` and `prefixex:<…>` declare `:` and `ex:` again
    "PREFIX : <http://allowed.example/> PREFIX:<EVIL> "
    "SELECT * { BIND(1 AS ?o) SERVICE :sparql { } }",
    "PREFIX ex: <http://allowed.example/> prefixex:<EVIL> "
    "SELECT * { BIND(1 AS ?o) SERVICE ex:sparql { } }",
    # `<` is "less than", and `#` comments out the rest of the line the IRI reading sees
    "SELECT * { BIND(1 AS ?o) FILTER(?o <?b#> '''\n) SERVICE <EVIL> { ?x ?y ?z } #'''\n}",
    "SELECT * { BIND(1 AS ?o) FILTER(?o <?b) SERVICE <EVIL> { } }",
]


@pytest.mark.parametrize("template", BYPASSES)
def test_what_the_engine_reads_as_a_service_call_is_refused(
    template: str, endpoint: tuple[str, list[str]]
) -> None:
    url, hits = endpoint
    query = template.replace("EVIL", url)
    with pytest.raises(QueryRefused, match="SERVICE"):
        check(query, service_allowlist=ALLOWED)
    list(ox.Store().query(query))  # type: ignore[arg-type]
    assert hits, "the engine did not call the endpoint: the case tests nothing"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * { ?s ?p <http://dbpedia.org/resource/Bus_(transport)_service> }",
        "SELECT * { ?s ?p ?o FILTER(?o = <http://dbpedia.org/resource/Bus_(transport)_service>) }",
        "SELECT * { ?s ?p ?o FILTER(?o != <http://e.org/a_(b)_c>) ?s ?p <http://e.org/service> }",
        "PREFIX service: <http://e.org/> SELECT * { service:x service:y ?o . ?s ?p true }",
        "PREFIX serviceData: <http://e.org/> SELECT * { GRAPH serviceData:g { ?s ?p ?o } }",
        "PREFIX ex: <http://e.org/#> SELECT * { ?s ex:p <http://e.org/a#service> ; ex:q ?o }",
    ],
)
def test_names_and_iris_that_only_look_like_service_pass(query: str) -> None:
    assert check(query).services == ()


def test_a_glued_service_to_an_allowed_endpoint_is_allowed() -> None:
    query = "PREFIX : <http://allowed.example/> SELECT * { SERVICE:sparql { ?s ?p ?o } }"
    assert [c.endpoint for c in check(query, service_allowlist=ALLOWED).services] == list(ALLOWED)


def test_a_refused_network_call_in_a_worker_is_a_refusal_not_a_server_error() -> None:
    """What a query worker reports when its network lock (seccomp) denies a socket."""
    reported = QueryError("PermissionError: Permission denied (os error 13)")
    refused = remote_failure(reported)
    assert isinstance(refused, QueryRefused)
    assert status_of(refused) == 400


# --- 2: reading is linear, and long texts are read off the event loop ---


class _Counting:
    """A compiled pattern that counts its matches and the characters they cover."""

    def __init__(self, pattern: object) -> None:
        self.pattern = pattern
        self.calls = 0
        self.covered = 0

    def match(self, text: str, pos: int = 0) -> object:
        found = self.pattern.match(text, pos)  # type: ignore[attr-defined]
        self.calls += 1
        if found is not None:
            self.covered += found.end() - pos
        return found


@pytest.mark.parametrize("unit", ["a.", "a.b-", "ex.a", "SERVICE."])
def test_reading_a_run_of_names_takes_one_match_per_token(
    unit: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each character is covered by one match only, however long the run: the name pattern no
    longer looks for a ``:`` from every letter of ``a.a.a.…`` (quadratic before)."""
    for repeats in (1_000, 4_000):
        text = unit * repeats
        counters = [_Counting(tokens._TOKEN), _Counting(tokens._IN_RUN)]
        monkeypatch.setattr(tokens, "_TOKEN", counters[0])
        monkeypatch.setattr(tokens, "_IN_RUN", counters[1])
        found = list(tokens.scan(text))
        monkeypatch.undo()
        assert sum(c.covered for c in counters) == 2 * len(text)  # the run, then its pieces
        assert sum(c.calls for c in counters) == len(found) + 1
        assert found[-1][2] == len(text)


@pytest.mark.parametrize("unit", ["'\\", '"\\', "'''\\", '"""\\'])
def test_a_string_never_closed_is_one_token(unit: str) -> None:
    """Each quote opened a string that was searched to the end again, from every quote."""
    for text in (unit * 5_000, unit * 5_000 + "\n}", "x" + unit * 5_000):
        found = [kind for kind, _, _ in tokens.scan(text)]
        assert found.count("string") == 1
        assert len(found) <= 4


def test_a_query_longer_than_the_limit_is_refused_before_it_is_read(server: Server) -> None:
    body = "a." * 60_000  # 120 kB, over the default 100 kB
    answer = httpx.post(
        server.sparql, content=body, headers={"Content-Type": "application/sparql-query"}
    )
    assert answer.status_code == 413
    assert "KGGRAPH_MAX_QUERY_BYTES" in answer.text


@pytest.fixture(scope="module")
def roomy_server(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server that accepts queries of up to 2 MB, so a long one is read, not refused."""
    log = tmp_path_factory.mktemp("roomy") / "server.log"
    running = start_server(
        built.release.parent.parent, log, max_query_bytes="2000000", max_body_bytes="2000000"
    )
    yield running
    stop_server(running)


@pytest.mark.slow
def test_a_long_query_being_read_holds_up_no_other_client(roomy_server: Server) -> None:
    """A pathological body is sent whole; small queries sent after it are answered before it."""
    body = ("a." * 150_000).encode()
    port = int(roomy_server.url.rsplit(":", 1)[1])
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", port), timeout=120) as big:
        big.sendall(head + body)
        answered_first = 0
        for _ in range(200):
            small = httpx.get(roomy_server.sparql, params={"query": CITIES}, timeout=30)
            assert small.status_code == 200
            if select.select([big], [], [], 0)[0]:
                break
            answered_first += 1
        reply = b""
        while chunk := big.recv(65536):
            reply += chunk
    assert answered_first >= 1, "no small query was answered while the long one was read"
    assert reply.startswith(b"HTTP/1.1 400"), reply[:200]


# --- 4: nesting deeper than the engine survives is refused ---


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{" * 200 + " ?s ?p ?o " + "}" * 200,
        "SELECT * WHERE { ?s ?p " + "(" * 200 + "1" + ")" * 200 + " }",
        "SELECT * WHERE { ?s ?p ?o " + " OPTIONAL { ?s ?p ?o }" * 200 + " }",
        "SELECT * WHERE { ?s " + "/".join(["<http://e.org/p>"] * 200) + " ?o }",
        # `<` read as "less than" opens brackets the IRI reading does not see
        "SELECT * WHERE { ?s ?p ?o FILTER(?o <" + "(" * 200 + "> ) }",
    ],
)
def test_nesting_past_the_limit_is_refused(query: str) -> None:
    with pytest.raises(QueryRefused, match="nests .* the limit is 128") as caught:
        check(query)
    assert caught.value.location is not None


def test_nesting_within_the_limit_is_read() -> None:
    query = "SELECT * WHERE " + "{" * 100 + " ?s ?p ?o " + "}" * 100
    assert check(query).depth == 101
    optionals = "SELECT * { ?s ?p ?o " + " OPTIONAL { ?s ?p ?o . FILTER(?o > 1) }" * 40 + " }"
    assert check(optionals).depth < 50


def test_a_deeply_nested_query_is_a_400_and_no_worker_dies(server: Server) -> None:
    before = [w["pid"] for w in httpx.get(server.url + "/health").json()["workers"]]
    query = "SELECT * WHERE " + "{" * 5_000 + " ?s ?p ?o " + "}" * 5_000
    answer = httpx.post(
        server.sparql, content=query, headers={"Content-Type": "application/sparql-query"}
    )
    assert answer.status_code == 400
    assert "nests" in answer.text
    after = [w["pid"] for w in httpx.get(server.url + "/health").json()["workers"]]
    assert after == before


# --- 9: the memos of readings are bounded in bytes ---


def test_the_reader_memo_stays_within_its_byte_budget() -> None:
    filler = "#" + "x" * (reader.MEMO_MAX_TEXT - 2_000) + "\n"
    for i in range(reader.MEMO_BYTES // len(filler) + 50):
        classify(f"{filler}ASK {{ }} # {i}")
    assert 0 < reader._READINGS.size_bytes <= reader.MEMO_BYTES
    kept = len(reader._READINGS)
    classify("#" + "x" * reader.MEMO_MAX_TEXT + "\nASK { }")
    assert len(reader._READINGS) == kept  # longer texts are read each time, never kept


def test_the_fast_path_memo_stays_within_its_byte_budget(built: BuildResult) -> None:
    settings = Settings(root=ROOT, output=Path(built.release.parent.parent))
    fast = SparqlFastPath(_no_app, Runtime.create(settings), gzip_minimum=1024, exposed_headers=())
    filler = "%23" + "x" * (MEMO_MAX_URL // 2 - 100) + "%0A"
    headers = _HeaderKey({b"accept": b"application/json"})

    async def read_many() -> None:
        for i in range(2 * MEMO_BYTES // MEMO_MAX_URL + 50):
            await fast._read_url("v", f"query={filler}ASK+%7B%7D+%23{i}".encode(), headers)
        kept = len(fast.memo)
        await fast._read_url("v", b"query=" + b"%20" * MEMO_MAX_URL + b"ASK+%7B%7D", headers)
        assert len(fast.memo) == kept  # a longer URL is read each time, never kept

    asyncio.run(read_many())
    assert 0 < fast.memo.size_bytes <= MEMO_BYTES


async def _no_app(scope: object, receive: object, send: object) -> None:
    raise AssertionError("the memo test never hands a request on")


# --- 11 (part): a query that does not parse is 400 whatever the conditional headers say ---


def test_if_none_match_star_does_not_hide_a_syntax_error(server: Server) -> None:
    bad = "SELECT * WHERE { ?s ?p }"
    star = {"If-None-Match": "*"}
    by_get = httpx.get(server.sparql, params={"query": bad}, headers=star)
    by_post = httpx.post(
        server.sparql,
        content=bad,
        headers={**star, "Content-Type": "application/sparql-query"},
    )
    assert (by_get.status_code, by_post.status_code) == (400, 400)
    assert "line 1" in by_get.text
    good = httpx.get(server.sparql, params={"query": CITIES}, headers=star)
    assert good.status_code == 304


@pytest.mark.slow
def test_a_service_call_to_an_internal_host_is_refused_over_http(
    built: BuildResult, tmp_path: Path, endpoint: tuple[str, list[str]]
) -> None:
    """With an allow-list the workers' network lock is off: the reader alone must hold."""
    url, hits = endpoint
    running = start_server(
        built.release.parent.parent, tmp_path / "server.log", service_allowlist=ALLOWED[0]
    )
    try:
        query = f"PREFIX : <{url}> SELECT * {{ SERVICE:internal-admin {{ ?x ?p ?o }} }}"
        answer = httpx.get(running.sparql, params={"query": query})
    finally:
        stop_server(running)
    assert answer.status_code == 400, answer.text
    assert f"SERVICE <{url}internal-admin> is not an allowed endpoint" in answer.text
    assert hits == []
