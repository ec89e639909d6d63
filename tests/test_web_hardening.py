"""The web tier under hostile or broken conditions (issue 13: 11, 12), over real HTTP."""

from __future__ import annotations

import http.server
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kggraph.graph.release import CURRENT
from kggraph.publish.build import BuildResult
from kggraph.web.http.security import secured
from tests.conftest import Server, free_port, start_server, stop_server

IDENTITY = {"Accept-Encoding": "identity"}


@pytest.mark.parametrize("header", [b"bytes=\xb2-", b"bytes=0-\xb9", b"bytes=\xb2-\xb3"])
def test_a_range_of_unicode_digits_is_ignored(
    server: Server, built: BuildResult, header: bytes
) -> None:
    """``²`` is a digit to ``str.isdigit`` but not to ``int``: this was a ``500``."""
    answer = httpx.get(
        server.url + "/dumps/kggraph.nt",
        headers={b"Range": header, b"Accept-Encoding": b"identity"},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    assert answer.content == (built.release / "kggraph.nt").read_bytes()


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
TURTLE = {"Accept": "text/turtle"}


def _some_resource(built: BuildResult) -> str:
    """The path of a resource page the build publishes (``/id/…``)."""
    for line in (built.release / "kggraph.nt").read_text(encoding="utf-8").splitlines():
        subject = line.split(" ", 1)[0]
        if subject.startswith("<https://w3id.org/kggraph/id/"):
            return subject.strip("<>").removeprefix("https://w3id.org/kggraph")
    raise AssertionError("the build holds no resource under /id/")


def _walk(built: BuildResult) -> list[tuple[str, str, dict[str, str]]]:
    """(method, path, headers) of a request to every route family, pages and programs."""
    resource = _some_resource(built)
    return [
        ("GET", "/", BROWSER),
        ("GET", "/sparql", BROWSER),
        ("GET", "/sparql", TURTLE),  # the service description
        ("GET", "/sparql?query=ASK%7B%7D", {}),  # the fast path
        ("GET", "/sparql?query=SELEC", {}),  # the fast path's 400
        ("POST", "/sparql", {"Content-Type": "application/sparql-query"}),  # empty: 400
        ("GET", resource, BROWSER),
        ("GET", resource, TURTLE),
        ("GET", "/id/city/atlantis", BROWSER),  # the 404 page
        ("GET", "/search?q=a", BROWSER),
        ("GET", "/catalog", BROWSER),
        ("GET", "/catalog", TURTLE),
        ("GET", "/ontology", BROWSER),
        ("GET", "/ontology.svg", {}),
        ("GET", "/dumps/", BROWSER),
        ("GET", "/dumps/kggraph.nt", {}),
        ("GET", "/dumps/nothing.nt", {}),  # 404
        ("GET", "/.well-known/void", BROWSER),
        ("GET", "/queries", {}),
        ("GET", "/queries/no-such-query", {}),  # 404
        ("GET", "/network/stats", {}),
        ("GET", "/network/path?source=nobody&target=noone", {}),  # 4xx
        ("GET", "/explore/network", BROWSER),
        ("GET", "/explore/timeline", BROWSER),
        ("GET", "/docs", BROWSER),
        ("GET", "/openapi.json", {}),
        ("GET", "/robots.txt", {}),
        ("GET", "/health", {}),
        ("GET", "/no/such/page", BROWSER),  # the framework's 404
        ("POST", "/catalog", {}),  # 405
    ]


def test_every_answer_carries_the_security_headers(server: Server, built: BuildResult) -> None:
    """nosniff and a referrer policy everywhere; framing refused on every page; errors never
    stored by a cache (issue 13, 12)."""
    statuses = set()
    pages = 0
    with httpx.Client(base_url=server.url, timeout=60) as client:
        for method, path, headers in _walk(built):
            answer = client.request(method, path, headers=headers)
            where = f"{method} {path} {headers} -> {answer.status_code}"
            statuses.add(answer.status_code // 100)
            assert answer.headers.get("x-content-type-options") == "nosniff", where
            assert answer.headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
            media = answer.headers.get("content-type", "").split(";")[0]
            if media in ("text/html", "image/svg+xml"):
                pages += 1
                assert answer.headers.get("x-frame-options") == "DENY", where
                policy = answer.headers.get("content-security-policy", "")
                framing = [d.strip() for d in policy.split(";") if "frame-ancestors" in d]
                assert framing == ["frame-ancestors 'none'"], where
            if answer.status_code >= 400:
                assert answer.headers.get("cache-control") == "no-store", where
    assert statuses == {2, 4}, "the walk reaches both answers and errors"
    assert pages >= 12, "the walk reaches the pages"


def test_a_gone_answer_keeps_its_caching_and_a_page_keeps_its_policy() -> None:
    gone = dict(secured(410, [(b"cache-control", b"public, max-age=60")]))
    assert gone[b"cache-control"] == b"public, max-age=60"
    stale = dict(secured(404, [(b"cache-control", b"public, max-age=60"), (b"expires", b"x")]))
    assert stale[b"cache-control"] == b"no-store" and b"expires" not in stale
    page = dict(
        secured(
            200,
            [
                (b"content-type", b"text/html; charset=utf-8"),
                (b"content-security-policy", b"default-src 'self'; frame-ancestors 'self'"),
            ],
        )
    )
    assert page[b"content-security-policy"] == b"default-src 'self'; frame-ancestors 'none'"
    assert page[b"x-frame-options"] == b"DENY"


class _RemoteEndpoint(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint that fails: ``/<status>`` answers that status."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        self._fail()

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self._fail()

    def _fail(self) -> None:
        body = b"the remote endpoint fails\nwith a second line\n"
        self.send_response(int(self.path.strip("/").split("/")[0]))
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base's name
        pass


@dataclass
class Damageable:
    server: Server
    release: Path
    log: Path
    remote: str
    unreachable: str


@pytest.fixture(scope="module")
def damageable(
    built: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Damageable]:
    """A server on its own copy of the release (to damage), allowed to call two endpoints by
    SERVICE: one that answers errors and one where nothing listens."""
    remote = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _RemoteEndpoint)
    threading.Thread(target=remote.serve_forever, daemon=True).start()
    remote_url = f"http://127.0.0.1:{remote.server_address[1]}"
    unreachable = f"http://127.0.0.1:{free_port()}/sparql"
    out = tmp_path_factory.mktemp("damaged")
    release = out / "releases" / built.release.name
    shutil.copytree(built.release, release)
    (out / CURRENT).symlink_to(Path("releases") / release.name)
    log = out / "server.log"
    allowed = f"{remote_url}/500,{remote_url}/404,{unreachable}"
    running = start_server(out, log, service_allowlist=allowed, query_workers="1")
    try:
        yield Damageable(running, release, log, remote_url, unreachable)
    finally:
        stop_server(running)
        remote.shutdown()
        remote.server_close()


def _damaged_answer(answer: httpx.Response, name: str) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.text.count("\n") == 1 and "the published release is damaged" in answer.text
    assert name in answer.text and "kggraph build" in answer.text
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.slow
def test_a_damaged_release_file_is_a_clear_503(damageable: Damageable) -> None:
    """Corrupt, missing and truncated files of the current release (issue 13, 11: was a bare
    500, or a 404 as if the client had asked for something that does not exist)."""
    release, url = damageable.release, damageable.server.url
    (release / "void.ttl").write_text("this is not Turtle <<<", encoding="utf-8")
    (release / "catalog.ttl").unlink()
    dump = release / "kggraph.ttl"
    dump.write_bytes(dump.read_bytes()[:100])
    (release / "kggraph.nq.gz").unlink()
    with httpx.Client(base_url=url, timeout=30, headers={"Accept": "text/turtle"}) as client:
        _damaged_answer(client.get("/.well-known/void"), "void.ttl")
        _damaged_answer(client.get("/catalog"), "catalog.ttl")
        _damaged_answer(client.get("/dumps/kggraph.ttl", headers=IDENTITY), "kggraph.ttl")
        _damaged_answer(client.get("/dumps/kggraph.nq.gz"), "kggraph.nq.gz")
        _damaged_answer(client.get("/catalog"), "catalog.ttl")  # again: still 503
        assert client.get("/health").status_code == 200  # the rest is served
    logged = damageable.log.read_text(encoding="utf-8", errors="replace")
    damage = [line for line in logged.splitlines() if "is damaged" in line]
    for name in ("void.ttl", "catalog.ttl", "kggraph.ttl", "kggraph.nq.gz"):
        assert any(name in line for line in damage), f"{name} is not in the log"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("endpoint", "expected"),
    [
        ("/500", "answered 500 Internal Server Error"),
        ("/404", "answered 404 Not Found"),
        ("unreachable", "could not be reached"),
    ],
)
def test_a_failing_service_endpoint_is_a_502(
    damageable: Damageable, endpoint: str, expected: str
) -> None:
    """An allowed SERVICE endpoint that fails is the remote's fault: 502 with its status in
    one line (issue 13, 11: was a 500)."""
    iri = damageable.unreachable if endpoint == "unreachable" else damageable.remote + endpoint
    query = f"SELECT * WHERE {{ SERVICE <{iri}> {{ ?s ?p ?o }} }}"
    for method in ("GET", "POST"):
        if method == "GET":
            answer = httpx.get(damageable.server.sparql, params={"query": query}, timeout=60)
        else:
            answer = httpx.post(damageable.server.sparql, data={"query": query}, timeout=60)
        assert answer.status_code == 502, answer.text
        assert answer.text.startswith("502 Bad Gateway: ") and answer.text.count("\n") == 1
        assert expected in answer.text
        if endpoint != "unreachable":
            assert iri in answer.text
        assert answer.headers["cache-control"] == "no-store"
