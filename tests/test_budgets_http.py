"""Client budgets over HTTP, on a real ``kggraph serve`` with a tiny budget: a client past its
query time gets ``429`` with ``Retry-After`` on every route that would run a query, another
client is still served, cache hits and ``304`` stay free, failed queries have their own bucket,
and ``X-Forwarded-For`` names the client only when a trusted proxy sends it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kggraph.publish.build import BuildResult
from tests.conftest import Server, start_server, stop_server

pytestmark = pytest.mark.slow

TINY = {
    # a new client may run one query, which takes more than the microsecond it may save up:
    # it is then in debt, paid back at a millisecond a minute, so it stays refused for the
    # whole module (a query takes a few hundred microseconds at the very least)
    "client_budget_seconds": "0.001",
    "client_burst_seconds": "0.000001",
    "client_concurrency": "1",
    "client_errors": "1",
    "client_error_burst": "3",
    "query_workers": "1",
    "cache_max_age": "0",
    "trusted_proxies": "127.0.0.2",  # a proxy: connections from 127.0.0.2, not from 127.0.0.1
}
MAX_QUERIES = 3
"""Distinct queries a client is let run (one is enough to spend its microsecond)."""


def serve(output: Path, log: Path, **settings: str) -> Server:
    """``kggraph serve`` (uvicorn as the CLI runs it) with the budgets' settings."""
    return start_server(output, log, via_cli=True, budgets=True, **settings)


@pytest.fixture(scope="module")
def tiny(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("budgets") / "server.log"
    running = serve(built.release.parent.parent, log, **TINY)
    yield running
    stop_server(running)


def query(n: int, tag: str) -> str:
    """A distinct query (never in the cache) that scans the graph."""
    return f'SELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o FILTER(STR(?o) != "{tag}-{n}") }}'


def exhaust(
    server: Server, headers: dict[str, str], tag: str, *, via: httpx.Client | None = None
) -> tuple[str, httpx.Response]:
    """Send distinct queries as one client until it is refused; the last query answered, and
    the refusal."""
    answered = ""
    for n in range(MAX_QUERIES):
        text = query(n, tag)
        send = via.get if via is not None else httpx.get
        response = send(server.sparql, params={"query": text}, headers=headers, timeout=30)
        if response.status_code == 429:
            return answered, response
        assert response.status_code == 200, response.text
        answered = text
    raise AssertionError(f"{MAX_QUERIES} queries did not spend a microsecond of query time")


def test_past_its_budget_a_client_gets_429_and_others_are_served(tiny: Server) -> None:
    greedy = {"User-Agent": "greedy/1"}
    answered, refused = exhaust(tiny, greedy, "greedy")
    assert answered, "the first query of a new client runs"
    assert refused.text.startswith("429 Too Many Requests: query time used up")
    assert refused.text.count("\n") == 1
    assert int(refused.headers["Retry-After"]) >= 10  # a 100 µs debt at 1 ms a minute: 6 s
    assert refused.headers["Access-Control-Allow-Origin"] == "*"
    again = httpx.get(tiny.sparql, params={"query": query(0, "later")}, headers=greedy)
    assert again.status_code == 429  # checked before each query
    other = {"User-Agent": "patient/1"}  # the same address, another User-Agent
    served = httpx.get(tiny.sparql, params={"query": query(0, "patient")}, headers=other)
    assert served.status_code == 200
    health = httpx.get(tiny.url + "/health").json()
    assert health["budgets"]["backend"] == "memory"
    assert health["budgets"]["throttled"] >= 1


def test_cache_hits_and_304s_cost_nothing(tiny: Server) -> None:
    client = {"User-Agent": "cached/1"}
    answered, _ = exhaust(tiny, client, "cached")
    cached = httpx.get(tiny.sparql, params={"query": answered}, headers=client)
    assert cached.status_code == 200  # in the cache: served, though the client is in debt
    etag = cached.headers["ETag"]
    same = httpx.get(
        tiny.sparql, params={"query": answered}, headers={**client, "If-None-Match": etag}
    )
    assert same.status_code == 304
    post = httpx.post(tiny.sparql, data={"query": answered}, headers=client)
    assert post.status_code == 200
    fresh = httpx.get(tiny.sparql, params={"query": query(0, "cached-new")}, headers=client)
    assert fresh.status_code == 429


def test_every_route_that_runs_a_query_is_in_the_budget(tiny: Server) -> None:
    client = {"User-Agent": "browsing/1"}
    exhaust(tiny, client, "browsing")
    canned = httpx.get(tiny.url + "/queries/companies-in-country?format=csv", headers=client)
    assert canned.status_code == 429 and "query time used up" in canned.text
    assert int(canned.headers["Retry-After"]) >= 1
    search = httpx.get(tiny.url + "/search", params={"q": "budget-test-text"}, headers=client)
    assert search.status_code == 429
    page = httpx.get(tiny.url + "/id/country/nowhere-budget", headers=client)
    assert page.status_code == 429
    # the network is read once per release, not per request: it costs a client nothing
    assert httpx.get(tiny.url + "/network/stats", headers=client).status_code == 200
    post = httpx.post(
        tiny.sparql,
        content=query(1, "browsing-post"),
        headers={**client, "Content-Type": "application/sparql-query"},
    )
    assert post.status_code == 429


def test_a_client_runs_so_many_queries_at_once(tiny: Server) -> None:
    client = {"User-Agent": "impatient/1"}
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f }"  # a few million rows
    answers: list[httpx.Response] = []

    def ask() -> None:
        answers.append(httpx.get(tiny.sparql, params={"query": slow}, headers=client, timeout=60))

    running = threading.Thread(target=ask)
    running.start()
    for _ in range(400):  # until a worker holds it: then it has been let in and counted
        workers = httpx.get(tiny.url + "/health").json()["workers"]
        if any(w["held"] for w in workers) or not running.is_alive():
            break
        time.sleep(0.025)
    assert running.is_alive(), "the slow query ended before a second one could be sent"
    second = httpx.get(tiny.sparql, params={"query": query(0, "impatient")}, headers=client)
    running.join()
    assert second.status_code == 429
    assert second.text.startswith("429 Too Many Requests: too many queries at once")
    assert second.headers["Retry-After"] == "1"
    assert answers[0].status_code in (200, 503)  # answered, or past the time limit


def test_failed_queries_have_a_bucket_of_their_own(tiny: Server) -> None:
    client = {"User-Agent": "clumsy/1"}
    statuses = []
    for n in range(6):  # refused before any worker sees it: it costs no query time
        bad = f"SELECT * WHERE {{ SERVICE <http://example.org/{n}> {{ ?s ?p ?o }} }}"
        statuses.append(httpx.get(tiny.sparql, params={"query": bad}, headers=client))
    # a burst of 3, refilling at one a minute: after 3 the balance is a hair above 0, so a
    # fourth is still let through (debt, as for query time); then the client waits
    assert [r.status_code for r in statuses] == [400, 400, 400, 400, 429, 429]
    assert statuses[4].text.startswith("429 Too Many Requests: too many failed queries")
    assert int(statuses[4].headers["Retry-After"]) >= 50  # a whole failure to earn back
    good = httpx.get(tiny.sparql, params={"query": "ASK {}"}, headers=client)
    assert good.status_code == 429  # a client out of failures waits, whatever it sends
    other = httpx.get(tiny.sparql, params={"query": "SELECT * WHERE {"}, headers={})
    assert other.status_code == 400


def test_bad_triple_patterns_are_failed_queries_too(tiny: Server) -> None:
    """A malformed pattern sent to /fragments is a failed query like a malformed SPARQL one."""
    client = {"User-Agent": "clumsy-fragments/1"}
    fragments = tiny.url + "/fragments"
    statuses = [
        httpx.get(fragments, params={"subject": f'"not an IRI {n}'}, headers=client).status_code
        for n in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    assert httpx.get(tiny.sparql, params={"query": "ASK {}"}, headers=client).status_code == 429


def test_forwarded_for_from_an_untrusted_peer_is_ignored(tiny: Server) -> None:
    client = {"User-Agent": "spoofer/1"}
    exhaust(tiny, {**client, "X-Forwarded-For": "198.51.100.1"}, "spoofer")
    spoofed = {**client, "X-Forwarded-For": "198.51.100.2"}
    answer = httpx.get(tiny.sparql, params={"query": query(0, "spoofed")}, headers=spoofed)
    assert answer.status_code == 429  # the same client: 127.0.0.1 and its User-Agent


def test_forwarded_for_from_a_trusted_proxy_names_the_client(tiny: Server) -> None:
    agent = {"User-Agent": "shared-browser/1"}
    proxy = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    with proxy:
        exhaust(tiny, {**agent, "X-Forwarded-For": "198.51.100.1"}, "first", via=proxy)
        again = {**agent, "X-Forwarded-For": "203.0.113.9, 198.51.100.1"}  # the client wrote 1st
        refused = proxy.get(tiny.sparql, params={"query": query(0, "x")}, headers=again)
        assert refused.status_code == 429
        neighbour = {**agent, "X-Forwarded-For": "198.51.100.2"}
        served = proxy.get(tiny.sparql, params={"query": query(0, "y")}, headers=neighbour)
        assert served.status_code == 200
        unforwarded = proxy.get(tiny.sparql, params={"query": query(0, "z")}, headers=agent)
        assert unforwarded.status_code == 200  # the proxy itself, as a client of its own
    # the same User-Agent straight from 127.0.0.1, untrusted: its header names no one
    direct = {**agent, "X-Forwarded-For": "198.51.100.1"}
    answer = httpx.get(tiny.sparql, params={"query": query(0, "direct")}, headers=direct)
    assert answer.status_code == 200
