"""Every route family refuses in its one documented shape (``kggraph.web.http.errors``).

``/sparql``, ``/graph/…`` and every other path but the JSON APIs: one line of text,
``STATUS Phrase: message``. ``/queries…`` and ``/network…``: an RFC 9457 problem document. The
HTML pages: their own ``404`` page for a browser, text for a program. For each family: a ``400``,
a ``404``, and the ``405`` and ``406`` where the family has them, from the routes, from the
framework (unknown paths, wrong methods), from the ``/sparql`` fast path in front of the
framework and from the client budgets in front of both.

The in-process tier: the server as uvicorn gets it (``create_server``: the fast path, the budgets,
the security headers) on the session's build, asked through httpx's ASGI transport, no socket.
Its lifespan runs as uvicorn would run it, so the query workers start and stop. Only the shapes
of answers are checked here; the protocol itself is tested on real servers.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any

import httpx
import pytest

from kggraph.canned.catalogue import CannedQuery
from kggraph.canned.client import run_canned, server_message
from kggraph.core.config import load_settings
from kggraph.core.errors import QueryError
from kggraph.publish.build import BuildResult
from kggraph.web.app import create_server
from kggraph.web.http.errors import Family, family_of
from tests.conftest import Server
from tests.errorshapes import problem_of, text_of

ROOT = Path(__file__).resolve().parents[1]
ORIGIN = {"Origin": "https://portal.example"}
Message = MutableMapping[str, Any]


class Lifespan:
    """The ASGI lifespan of an application, run as a server runs it: started before the first
    request, shut down after the last (``httpx.ASGITransport`` runs none)."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._task = asyncio.create_task(self._app(scope, self._to_app.get, self._from_app.put))
        await self._step("startup")

    async def stop(self) -> None:
        await self._step("shutdown")
        if self._task is not None:
            await self._task

    async def _step(self, step: str) -> None:
        await self._to_app.put({"type": f"lifespan.{step}"})
        said = await self._from_app.get()
        assert said["type"] == f"lifespan.{step}.complete", said


@dataclass
class InProcess:
    """The server as served, in this process, on one event loop for the whole module."""

    runner: asyncio.Runner
    app: Any

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        agent: str | None = None,
    ) -> httpx.Response:
        """One request; each comes from a client of its own (a fresh ``User-Agent``) unless
        ``agent`` names one, so no test spends another's budget."""
        sent = {"User-Agent": agent or f"shapes/{uuid.uuid4()}", **(headers or {})}
        return self.runner.run(self._send(method, path, params, sent, data))

    async def _send(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        headers: Mapping[str, str],
        data: Mapping[str, str] | None,
    ) -> httpx.Response:
        transport = httpx.ASGITransport(app=self.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kggraph.test") as c:
            return await c.request(method, path, params=params, headers=headers, data=data)


@pytest.fixture(scope="module")
def served(built: BuildResult) -> Iterator[InProcess]:
    environ = {
        "KGGRAPH_ROOT": str(ROOT),
        "KGGRAPH_OUTPUT": str(built.release.parent.parent),
        "KGGRAPH_QUERY_WORKERS": "1",
        "KGGRAPH_CLIENT_BUDGET_SECONDS": "0",
        "KGGRAPH_CLIENT_CONCURRENCY": "0",
        # two failed queries, then the client is refused: the budgets' own 429, in each shape
        "KGGRAPH_CLIENT_ERRORS": "1",
        "KGGRAPH_CLIENT_ERROR_BURST": "1",
    }
    app = create_server(load_settings(environ=environ))
    lifespan = Lifespan(app)
    with asyncio.Runner() as runner:
        runner.run(lifespan.start())
        try:
            yield InProcess(runner, app)
        finally:
            runner.run(lifespan.stop())


# --- /sparql and /graph/…: one line of text ---------------------------------------------------

TEXT_REFUSALS = [
    # (method, path, params, headers, status, words the message holds)
    ("GET", "/sparql", {"query": "SELECT * WHERE { ?s ?p }"}, {}, 400, "line 1"),
    ("GET", "/sparql", {"query": "ASK {}", "format": "turtle"}, {}, 406, "results table"),
    ("GET", "/sparql", {}, {"Accept": "image/png"}, 406, "service description"),
    ("PUT", "/sparql", {}, {}, 405, "Method Not Allowed"),
    ("GET", "/graph/data/no-such-graph", {}, {}, 404, "no-such-graph"),
    ("GET", "/graph/data/places", {}, {"Accept": "image/png"}, 406, "named graph"),
    ("POST", "/graph/data/places", {}, {}, 405, "Method Not Allowed"),
    ("GET", "/no/such/page", {}, {}, 404, "Not Found"),
    ("GET", "/dumps/no-such-dump.ttl", {}, {}, 404, "no-such-dump.ttl"),
]


@pytest.mark.parametrize(
    ("method", "path", "params", "headers", "status", "words"),
    TEXT_REFUSALS,
    ids=[f"{m} {p} {s}" for m, p, _, _, s, _ in TEXT_REFUSALS],
)
def test_the_endpoint_and_the_graphs_refuse_in_one_line_of_text(
    served: InProcess,
    method: str,
    path: str,
    params: dict[str, str],
    headers: dict[str, str],
    status: int,
    words: str,
) -> None:
    answer = served.request(method, path, params=params, headers={**ORIGIN, **headers})
    assert answer.status_code == status, answer.text
    assert words in text_of(answer)
    assert answer.headers["cache-control"] == "no-store"
    assert "Accept" in answer.headers["vary"]
    assert answer.headers["access-control-allow-origin"] == "*"
    if status == 405:
        assert "GET" in answer.headers["allow"]


def test_the_fast_path_and_the_application_refuse_alike(served: InProcess) -> None:
    """A ``/sparql`` request with a query is refused in front of the framework, one without by
    the application's handler: the same shape and the same headers."""
    fast = served.request("GET", "/sparql", params={"query": "ASK {}"}, headers={"Accept": "x/y"})
    framed = served.request("GET", "/sparql", headers={"Accept": "x/y", **ORIGIN})
    assert fast.status_code == framed.status_code == 406
    assert text_of(fast) and text_of(framed)
    for name in ("content-type", "cache-control", "access-control-allow-origin"):
        assert fast.headers[name] == framed.headers[name], name
    assert "Accept" in fast.headers["vary"] and "Accept" in framed.headers["vary"]


def test_a_parser_message_keeps_its_line_and_column(served: InProcess) -> None:
    answer = served.request("GET", "/sparql", params={"query": "SELECT *\nWHERE { ?s ?p ?o"})
    assert answer.status_code == 400
    assert "line 2" in text_of(answer) and "column" in text_of(answer)


# --- /queries… and /network…: problem documents -----------------------------------------------

PROBLEMS = [
    ("GET", "/queries/water-contracts-in-country", {"contry": "x"}, 400, "'contry'"),
    ("GET", "/queries/activities-in-fiscal-year", {"fiscalYear": "soon"}, 400, "fiscalYear"),
    ("GET", "/queries/no-such-query", {}, 404, "no-such-query"),
    ("GET", "/queries/partner-cities", {"format": "turtle"}, 406, "results table"),
    ("POST", "/queries", {}, 405, "Method Not Allowed"),
    ("GET", "/network/stats", {"top": "many"}, 400, "top"),
    ("GET", "/network", {"from_year": "2020", "to_year": "2000"}, 400, "period"),
    ("GET", "/network/export.xls", {}, 400, "fmt"),
    ("GET", "/network/ego", {"agent": "Nobody Inc."}, 404, "Nobody Inc."),
    ("GET", "/network/no-such-analysis", {}, 404, "Not Found"),
    ("DELETE", "/network", {}, 405, "Method Not Allowed"),
]


@pytest.mark.parametrize(
    ("method", "path", "params", "status", "words"),
    PROBLEMS,
    ids=[f"{m} {p} {s}" for m, p, _, s, _ in PROBLEMS],
)
def test_the_json_apis_refuse_with_a_problem_document(
    served: InProcess, method: str, path: str, params: dict[str, str], status: int, words: str
) -> None:
    answer = served.request(method, path, params=params, headers=ORIGIN)
    assert answer.status_code == status, answer.text
    assert words in problem_of(answer)
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["access-control-allow-origin"] == "*"
    if status == 405:
        assert "GET" in answer.headers["allow"]


def test_a_parameter_that_does_not_validate_is_a_400_naming_it(served: InProcess) -> None:
    """FastAPI's validation failure (its ``422``), as every other bad parameter: a ``400``."""
    answer = served.request("GET", "/network/path", params={"from": "jica", "max_length": "9"})
    assert answer.status_code == 400
    detail = problem_of(answer)
    assert "max_length" in detail and "to: Field required" in detail


# --- the budgets, in front of the application -------------------------------------------------


@pytest.mark.parametrize(
    ("path", "params", "family"),
    [
        ("/queries/partner-cities", {"format": "turtle"}, Family.PROBLEM),
        ("/sparql", {"query": "SELECT"}, Family.TEXT),
    ],
)
def test_a_client_out_of_failures_is_refused_in_the_family_shape(
    served: InProcess, path: str, params: dict[str, str], family: Family
) -> None:
    agent = f"shapes/{uuid.uuid4()}"
    for _ in range(2):  # the burst of one, and one more while it refills
        failed = served.request("GET", path, params=params, agent=agent)
        assert 400 <= failed.status_code < 500, failed.text
    refused = served.request("GET", path, params=params, agent=agent, headers=ORIGIN)
    assert refused.status_code == 429
    message = problem_of(refused) if family is Family.PROBLEM else text_of(refused)
    assert "too many failed queries" in message
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["access-control-allow-origin"] == "*"


# --- the pages: their own 404 for a browser, text for programs ----------------------------------


def test_a_missing_resource_is_a_page_for_a_browser_and_a_line_for_a_program(
    served: InProcess,
) -> None:
    page = served.request("GET", "/id/city/atlantis", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "/search" in page.text
    line = served.request("GET", "/id/city/atlantis", headers={"Accept": "text/turtle"})
    assert line.status_code == 404
    assert "<https://w3id.org/kggraph/id/city/atlantis>" in text_of(line)


@pytest.mark.parametrize(
    ("method", "path", "params", "headers", "status"),
    [
        ("GET", "/search", {"q": "x" * 1000}, {"Accept": "text/html"}, 400),
        ("GET", "/id/city/dalian", {}, {"Accept": "image/png"}, 406),
        ("POST", "/id/city/dalian", {}, {"Accept": "text/html"}, 405),
        ("GET", "/explore/no-such-view", {}, {"Accept": "text/html"}, 404),
    ],
)
def test_other_page_errors_are_one_line_of_text(
    served: InProcess,
    method: str,
    path: str,
    params: dict[str, str],
    headers: dict[str, str],
    status: int,
) -> None:
    answer = served.request(method, path, params=params, headers=headers)
    assert answer.status_code == status, answer.text
    text_of(answer)


# --- the family of a path -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "family"),
    [
        ("/queries", Family.PROBLEM),
        ("/queries/partner-cities", Family.PROBLEM),
        ("/network", Family.PROBLEM),
        ("/network/ego/org/jica", Family.PROBLEM),
        ("/networks", Family.TEXT),
        ("/queriesx", Family.TEXT),
        ("/sparql", Family.TEXT),
        ("/graph/data/places", Family.TEXT),
        ("/id/city/dalian", Family.TEXT),
        ("/explore/network", Family.TEXT),
    ],
)
def test_the_family_is_chosen_by_path(path: str, family: Family) -> None:
    assert family_of(path) is family


# --- the canned-query client reads both shapes ---------------------------------------------------


def test_the_client_reads_the_detail_of_a_problem_document() -> None:
    body = (
        '{"type": "about:blank", "title": "Not Found", "status": 404, '
        '"detail": "there is no canned query \'x\'", "instance": "/queries/x"}'
    )
    said = server_message(404, "Not Found", "application/problem+json", body)
    assert said == "404 Not Found: there is no canned query 'x'"
    text = "400 Bad Request: a line\n"
    assert server_message(400, "Bad Request", "text/plain; charset=utf-8", text) == text.strip()
    broken = server_message(502, "Bad Gateway", "application/problem+json", "<html>")
    assert broken == f"502 {HTTPStatus(502).phrase}"


def test_the_client_shows_the_servers_message(server: Server) -> None:
    """``kggraph query --name`` against a server that lacks the query: the server's words."""
    missing = CannedQuery(
        "no-such-query", "Nothing", "A query the server does not have", (), "ASK {}"
    )
    with pytest.raises(QueryError) as raised:
        run_canned(server.url, missing, {}, timeout=30)
    assert str(raised.value).startswith("404 Not Found: there is no canned query 'no-such-query'")
