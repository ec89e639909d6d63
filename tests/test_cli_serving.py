"""``kggraph query`` (SPARQLWrapper against a real server) and ``kggraph serve`` (uvicorn); the
failures and their exit codes in this process (``tests/clirun.py``)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pyoxigraph as ox

from kggraph.cli.exits import ExitCode
from kggraph.core.config import DEFAULT_WORKERS
from kggraph.core.namespaces import PREFIXES
from tests import clirun
from tests.conftest import Server, free_port

CITY_LABELS = (
    "PREFIX kg: <" + PREFIXES["kg"] + "> PREFIX rdfs: <" + PREFIXES["rdfs"] + "> "
    'SELECT ?city ?label WHERE { ?city a kg:City ; rdfs:label ?label FILTER(lang(?label) = "en") } '
    "ORDER BY ?label"
)


def kggraph(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kggraph", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250", "NO_COLOR": "1", **(env or {})},
        timeout=120,
        check=False,
    )


def english_city_labels(server: Server) -> list[str]:
    store = ox.Store()
    store.bulk_load(path=server.output / "current" / "kggraph.nt", format=ox.RdfFormat.N_TRIPLES)
    return sorted(str(row["label"].value) for row in store.query(CITY_LABELS))  # type: ignore[union-attr]


def test_query_prints_a_table_with_every_row(server: Server) -> None:
    done = kggraph("query", CITY_LABELS, "--endpoint", server.sparql)
    assert done.returncode == 0, done.stderr
    labels = english_city_labels(server)
    assert "Haiphong" in labels
    for label in labels:
        assert label in done.stdout
    assert f"{len(labels)} row(s)" in done.stdout


def test_query_reads_a_file_and_prints_csv_and_json(server: Server, tmp_path: Path) -> None:
    query_file = tmp_path / "cities.rq"
    query_file.write_text(CITY_LABELS, encoding="utf-8")
    as_csv = kggraph("query", str(query_file), "--endpoint", server.sparql, "--format", "csv")
    rows = list(csv.reader(io.StringIO(as_csv.stdout)))
    assert rows[0] == ["city", "label"]
    assert sorted(r[1] for r in rows[1:]) == english_city_labels(server)
    as_json = kggraph("query", str(query_file), "--endpoint", server.sparql, "--format", "json")
    bindings = json.loads(as_json.stdout)["results"]["bindings"]
    assert len(bindings) == len(english_city_labels(server))


def test_query_prints_turtle_for_a_construct(server: Server) -> None:
    query = "CONSTRUCT WHERE { <https://w3id.org/kggraph/id/city/haiphong> ?p ?o }"
    done = kggraph("query", query, "--endpoint", server.sparql, "--format", "turtle")
    assert done.returncode == 0, done.stderr
    triples = list(ox.parse(done.stdout.encode(), format=ox.RdfFormat.TURTLE))
    assert ox.Literal("Haiphong", language="en") in {t.object for t in triples}


def test_query_ask_prints_true_or_false(server: Server) -> None:
    done = kggraph("query", "ASK { ?s ?p ?o }", "--endpoint", server.sparql)
    assert done.stdout.strip() == "true"


def test_query_reports_the_servers_message_on_a_syntax_error(server: Server) -> None:
    done = clirun.kggraph("query", "SELECT * WHERE { ?s ?p }", "--endpoint", server.sparql)
    assert done.exit_code == ExitCode.QUERY_FAILED
    assert "line 1, column" in done.stderr


def test_query_says_when_the_endpoint_cannot_be_reached() -> None:
    port = free_port()
    done = clirun.kggraph("query", "ASK {}", "--endpoint", f"http://127.0.0.1:{port}/sparql")
    assert done.exit_code == ExitCode.QUERY_FAILED
    assert "cannot reach" in done.stderr


def wait_until_up(url: str, process: subprocess.Popen[str], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.stderr.read() if process.stderr else ""
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError("kggraph serve did not come up")


def test_serve_builds_a_missing_output_then_serves_it(small_root: Path, tmp_path: Path) -> None:
    root = small_root
    port = free_port()
    output = tmp_path / "dist"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kggraph",
            "serve",
            "--root",
            str(root),
            "--output",
            str(output),
            "--port",
            str(port),
            "--no-access-log",
        ],  # fmt: skip
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process)
        assert (output / "current" / "kggraph.nt").is_file()
        answer = httpx.get(url + "/sparql", params={"query": "ASK { ?s ?p ?o }", "format": "json"})
        assert answer.json()["boolean"] is True
        version = httpx.get(url + "/health").json()["version"]
        assert version == (output / "current").resolve().name
    finally:
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            _, err = process.communicate()
    assert "building" in err
    # one web process per processor by default; several share the client budgets
    many = DEFAULT_WORKERS > 1
    assert ("web processes" if many else "1 web process") in err
    assert ("share client budgets in" in err) == many


def test_serve_without_a_build_and_with_building_off_says_what_to_do(tmp_path: Path) -> None:
    done = clirun.kggraph("serve", "--no-build", "--output", str(tmp_path / "none"))
    assert done.exit_code == ExitCode.BAD_INPUT
    assert "kggraph build" in done.stderr
