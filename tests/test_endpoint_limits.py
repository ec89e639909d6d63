"""Limits that hold: the time limit stops a runaway query while others are answered, runaways
never hold every worker, a worker's memory has a ceiling, the row and byte limits cut answers,
workers that cannot start are started again (and ``/health`` says so meanwhile), and a new
build is followed (new version, empty cache). Each test runs its own real server with small
limits so that it is quick."""

from __future__ import annotations

import json
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from kggraph.core.config import Settings
from kggraph.graph.release import MERGED
from kggraph.publish.build import BuildResult, build
from tests.conftest import SMALL_DATA, Server, start_server, stop_server

pytestmark = pytest.mark.slow

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
FAST = "ASK { ?s ?p ?o }"
TIME_LIMIT = 2.0
LONG_QUERY = 0.5
MAX_ANSWER_BYTES = 3000
MEMORY_HOG = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
POLL = 0.05
"""Seconds between two looks of a wait for the server to follow a build or replace a worker."""


@pytest.fixture(scope="module")
def limited(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("limited") / "server.log"
    running = start_server(
        built.release.parent.parent,
        log,
        query_timeout=str(TIME_LIMIT),
        max_rows="5",
        query_workers="2",
        long_query_seconds=str(LONG_QUERY),
        max_answer_bytes=str(MAX_ANSWER_BYTES),
    )
    yield running
    stop_server(running)


def test_a_runaway_query_is_stopped_within_the_limit_while_others_are_answered(
    limited: Server,
) -> None:
    outcome: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        answer = httpx.get(limited.sparql, params={"query": RUNAWAY}, timeout=30)
        outcome["slow"] = (answer.status_code, answer.text, time.monotonic() - started)

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.5)
    fast_started = time.monotonic()
    fast = httpx.get(limited.sparql, params={"query": FAST, "format": "json"}, timeout=30)
    fast_took = time.monotonic() - fast_started
    health = httpx.get(limited.url + "/health").json()  # while the runaway still runs
    thread.join()
    assert [w["held"] for w in health["workers"]] in ([0, 1], [1, 0])
    assert health["queued"] == 0
    status, text, took = outcome["slow"]  # type: ignore[misc]
    assert fast.status_code == 200 and fast.json()["boolean"] is True
    assert fast_took < TIME_LIMIT, "the fast query waited for the slow one"
    assert status == 503
    assert "limit" in text and "stopped" in text
    assert TIME_LIMIT - 0.2 <= took <= TIME_LIMIT + 1.0


def test_the_worker_is_replaced_after_a_timeout(limited: Server) -> None:
    before = {w["pid"] for w in httpx.get(limited.url + "/health").json()["workers"]}
    answer = httpx.get(limited.sparql, params={"query": RUNAWAY}, timeout=30)
    assert answer.status_code == 503
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        workers = httpx.get(limited.url + "/health").json()["workers"]
        if len(workers) == 2 and {w["pid"] for w in workers} != before:
            break
        time.sleep(POLL)
    workers = httpx.get(limited.url + "/health").json()["workers"]
    assert len(workers) == 2
    assert {w["pid"] for w in workers} != before
    assert all(w["network_locked"] for w in workers)
    again = httpx.get(limited.sparql, params={"query": FAST, "format": "json"})
    assert again.json()["boolean"] is True


def test_answers_are_cut_at_the_row_limit(limited: Server) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 50"
    answer = httpx.get(limited.sparql, params={"query": query, "format": "json"})
    assert len(answer.json()["results"]["bindings"]) == 5
    assert answer.headers["kggraph-truncated"] == "5"
    graph = httpx.get(
        limited.sparql,
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 50", "format": "nt"},
    )
    assert len(graph.text.strip().splitlines()) == 5
    small = httpx.get(limited.sparql, params={"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"})
    assert "kggraph-truncated" not in small.headers


def test_a_new_build_is_followed_and_empties_the_cache(
    tmp_path: Path, small_project: Callable[..., Path]
) -> None:
    root = small_project()
    output = tmp_path / "dist"
    build(Settings(root=root, output=output))
    running = start_server(output, tmp_path / "server.log", root=str(root))
    try:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        first = httpx.get(running.sparql, params={"query": query, "format": "json"})
        count = int(first.json()["results"]["bindings"][0]["n"]["value"])
        extra = root / "data" / "zz-extra.ttl"
        extra.write_text(SMALL_DATA.replace("testland", "testland-2"), "utf-8")
        build(Settings(root=root, output=output))
        deadline = time.monotonic() + 30
        second = first
        while time.monotonic() < deadline:
            second = httpx.get(
                running.sparql,
                params={"query": query, "format": "json"},
                headers={"If-None-Match": first.headers["etag"]},
            )
            if second.status_code == 200 and second.headers["etag"] != first.headers["etag"]:
                break
            time.sleep(POLL)
        assert second.status_code == 200
        assert second.headers["kggraph-version"] != first.headers["kggraph-version"]
        assert int(second.json()["results"]["bindings"][0]["n"]["value"]) > count
        health = httpx.get(running.url + "/health").json()
        assert health["version"] == second.headers["kggraph-version"]
        manifest = json.loads((output / "current" / "manifest.json").read_text())
        assert health["version"] == (output / "current").resolve().name
        assert manifest["triples"]["total"] == int(
            second.json()["results"]["bindings"][0]["n"]["value"]
        )
        # Every route follows new builds, /health alone included: an idle server asked only
        # for its health reports the newest release (one middleware, not a call per handler).
        extra.write_text(SMALL_DATA.replace("testland", "testland-3"), "utf-8")
        build(Settings(root=root, output=output))
        newest = (output / "current").resolve().name
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            health = httpx.get(running.url + "/health").json()
            if health["version"] == newest:
                break
            time.sleep(POLL)
        assert health["version"] == newest
    finally:
        stop_server(running)


def test_service_reaches_an_allowed_endpoint_and_nothing_else(
    built: BuildResult, server: Server, tmp_path: Path
) -> None:
    """A second real server whose allow-list names the first: federation works, but only there."""
    federating = start_server(
        built.release.parent.parent, tmp_path / "federating.log", service_allowlist=server.sparql
    )
    try:
        query = (
            "SELECT ?label WHERE { SERVICE <" + server.sparql + "> {"
            " <https://w3id.org/kggraph/id/city/haiphong> <http://www.w3.org/2000/01/rdf-schema#label>"
            " ?label } } ORDER BY ?label"
        )
        answer = httpx.get(federating.sparql, params={"query": query, "format": "json"}, timeout=30)
        assert answer.status_code == 200, answer.text
        labels = {b["label"]["value"] for b in answer.json()["results"]["bindings"]}
        assert "Haiphong" in labels
        other = query.replace(server.sparql, server.url + "/other")
        refused = httpx.get(federating.sparql, params={"query": other})
        assert refused.status_code == 400
        assert server.sparql in refused.text  # the refusal names what is allowed
        workers = httpx.get(federating.url + "/health").json()["workers"]
        assert not any(w["network_locked"] for w in workers)
    finally:
        stop_server(federating)


def _get(server: Server, query: str, into: dict[str, httpx.Response], name: str) -> None:
    into[name] = httpx.get(server.sparql, params={"query": query}, timeout=30)


def test_runaways_on_every_worker_leave_one_for_short_queries(limited: Server) -> None:
    """Issue 13, 8: of two runaways on two workers, the second is stopped with 503 once both
    are long, and a short query is answered while the first runs on."""
    answers: dict[str, httpx.Response] = {}
    first = threading.Thread(target=_get, args=(limited, RUNAWAY, answers, "first"))
    first.start()
    time.sleep(0.2)
    second = threading.Thread(target=_get, args=(limited, RUNAWAY, answers, "second"))
    second.start()
    second.join()
    fast = httpx.get(limited.sparql, params={"query": FAST, "format": "json"}, timeout=30)
    first_running = first.is_alive()
    first.join()
    stopped = answers["second"]
    assert stopped.status_code == 503
    assert "keep one free for short queries" in stopped.text
    assert int(stopped.headers["retry-after"]) > 0
    assert fast.status_code == 200 and fast.json()["boolean"] is True
    assert first_running  # answered while the first runaway still held its worker
    assert answers["first"].status_code == 503 and "limit" in answers["first"].text


def test_a_query_past_the_memory_ceiling_gets_503_and_others_go_on(
    built: BuildResult, tmp_path: Path
) -> None:
    """Issue 13, 3: the sorted cross product from the issue stops at the worker's ceiling (a
    time limit long enough that only the ceiling can stop it, on a busy machine too)."""
    running = start_server(
        built.release.parent.parent,
        tmp_path / "server.log",
        query_workers="1",
        query_timeout="60",
        worker_memory="400M",
    )
    try:
        workers = httpx.get(running.url + "/health").json()["workers"]
        assert [w["memory_limit"] for w in workers] == [400 * 2**20]
        hog = httpx.get(running.sparql, params={"query": MEMORY_HOG}, timeout=70)
        assert hog.status_code == 503
        assert "the query needed more memory than a worker may use (400 MiB" in hog.text
        fast = httpx.get(running.sparql, params={"query": FAST, "format": "json"}, timeout=30)
        assert fast.json()["boolean"] is True  # by the worker that replaced it
    finally:
        stop_server(running)


def test_answers_are_cut_at_the_byte_limit(limited: Server) -> None:
    """Issue 13, 10: one GROUP_CONCAT row bigger than the limit is not sent, and the answer
    says it was cut, as for rows."""
    query = "SELECT (GROUP_CONCAT(STR(?o)) AS ?all) WHERE { ?s ?p ?o }"
    answer = httpx.get(limited.sparql, params={"query": query, "format": "json"}, timeout=30)
    assert answer.status_code == 200
    assert len(answer.content) <= MAX_ANSWER_BYTES
    assert answer.json()["results"]["bindings"] == []
    assert "kggraph-truncated" in answer.headers
    graph = httpx.get(
        limited.sparql,
        params={"query": "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5", "format": "ttl"},
    )
    assert "kggraph-truncated" not in graph.headers  # within both limits


CONTROL = 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'
CONTROL_GRAPH = 'CONSTRUCT { <http://example.org/s> <http://example.org/p> "a\\uFFFEb" } WHERE {}'


def test_xml_answers_stay_well_formed(limited: Server) -> None:
    """Issue 13, 12: a literal XML 1.0 cannot carry is refused in XML (406, naming the formats
    that carry it) and sent in them; what XML can carry parses."""
    xml = httpx.get(limited.sparql, params={"query": CONTROL, "format": "xml"})
    assert xml.status_code == 406
    assert "U+0001" in xml.text and "JSON" in xml.text
    json_answer = httpx.get(limited.sparql, params={"query": CONTROL, "format": "json"})
    assert json_answer.json()["results"]["bindings"][0]["x"]["value"] == "a\x01b"
    rdf = httpx.get(limited.sparql, params={"query": CONTROL_GRAPH, "format": "rdf"})
    assert rdf.status_code == 406 and "U+FFFE" in rdf.text and "Turtle" in rdf.text
    fine = CONTROL.replace("\\u0001", "\\t\\u007F\\u0085")
    allowed = httpx.get(limited.sparql, params={"query": fine, "format": "xml"})
    assert allowed.status_code == 200
    document = ElementTree.fromstring(allowed.content)  # noqa: S314 - ours; raises if malformed
    assert "a\t\x7f\x85b" in ["".join(node.itertext()) for node in document.iter()]


def test_health_is_degraded_while_a_worker_cannot_start(built: BuildResult, tmp_path: Path) -> None:
    """Issue 13, 5: a lost file makes the replacement of a killed worker fail: /health answers
    503 degraded (queries go on on the other worker); once the file is back, the pool is whole."""
    output = tmp_path / "dist"
    shutil.copytree(built.release.parent.parent, output, symlinks=True)
    merged = output / "current" / MERGED
    running = start_server(output, tmp_path / "server.log", query_workers="2")
    try:
        merged.rename(merged.with_suffix(".aside"))
        pid = httpx.get(running.url + "/health").json()["workers"][0]["pid"]
        os.kill(pid, signal.SIGKILL)
        health = httpx.get(running.url + "/health")
        for _ in range(300):
            if health.status_code == 503 and health.json()["start_failures"] >= 2:
                break
            time.sleep(0.1)
            health = httpx.get(running.url + "/health")
        assert health.status_code == 503
        assert health.json()["status"] == "degraded"
        assert health.json()["alive"] == 1 and health.json()["configured"] == 2
        assert "could not load the graph" in health.json()["last_start_failure"]
        fast = httpx.get(running.sparql, params={"query": FAST, "format": "json"}, timeout=30)
        assert fast.json()["boolean"] is True
        merged.with_suffix(".aside").rename(merged)
        for _ in range(300):
            health = httpx.get(running.url + "/health")
            if health.status_code == 200 and len(health.json()["workers"]) == 2:
                break
            time.sleep(0.1)
        assert health.status_code == 200
        assert health.json()["status"] == "ok"
        assert len(health.json()["workers"]) == 2
    finally:
        stop_server(running)
