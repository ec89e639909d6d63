"""Limits that hold: the time limit stops a runaway query while others are answered, the row
limit cuts answers, and a new build is followed (new version, empty cache). Each test runs its
own real server with small limits so that it is quick."""

from __future__ import annotations

import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kggraph.build import BuildResult, build
from kggraph.config import Settings
from tests.conftest import Server, start_server, stop_server

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
FAST = "ASK { ?s ?p ?o }"
TIME_LIMIT = 2.0


@pytest.fixture(scope="module")
def limited(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("limited") / "server.log"
    running = start_server(
        built.release.parent.parent,
        log,
        query_timeout=str(TIME_LIMIT),
        max_rows="5",
        query_workers="2",
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
        time.sleep(0.2)
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
    tmp_path: Path, project_copy: object
) -> None:
    root = project_copy()  # type: ignore[operator]
    output = tmp_path / "dist"
    build(Settings(root=root, output=output))
    running = start_server(output, tmp_path / "server.log", root=str(root))
    try:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        first = httpx.get(running.sparql, params={"query": query, "format": "json"})
        count = int(first.json()["results"]["bindings"][0]["n"]["value"])
        extra = root / "data" / "zz-extra.ttl"
        shutil.copy(root / "data" / "places.ttl", extra)
        text = extra.read_text(encoding="utf-8")
        extra.write_text(text.replace("kgid:city\\/haiphong", "kgid:city\\/haiphong-copy"), "utf-8")
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
            time.sleep(0.3)
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
