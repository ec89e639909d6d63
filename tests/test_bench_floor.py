"""The endpoint benchmark's ``floor`` peer (issue 15): uvicorn + pyoxigraph, nothing else.

It is started for real, as the benchmark starts it (uvicorn, its own process group, a free
127.0.0.1 port), on a tiny N-Triples file, and must answer as pyoxigraph itself does; the report
must show our requests/s over the floor's.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox
import pytest

from kggraph.query.protocol import FORM

BENCH = Path(__file__).resolve().parents[1] / "bench"
if str(BENCH) not in sys.path:
    sys.path.append(str(BENCH))  # the benchmark's modules import each other by their names

from floor import floor, floor_like_ours, web_processes  # noqa: E402
from floor_app import load  # noqa: E402
from harness import count_triples  # noqa: E402
from loadgen import Cell  # noqa: E402
from procrss import children  # noqa: E402
from report import FLOOR, GOALS, OURS, OXIGRAPH, Result, ratio_rows, ratio_table  # noqa: E402
from servers import Running, start, stop  # noqa: E402
from workload import NTRIPLES, SELECT_JSON, as_request, describe, lookup  # noqa: E402

EX = "https://example.org/id/"
TRIPLES = f"""\
<{EX}kitakyushu> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}City> .
<{EX}kitakyushu> <http://www.w3.org/2000/01/rdf-schema#label> "Kitakyushu"@en .
<{EX}kitakyushu> <http://www.w3.org/2000/01/rdf-schema#label> "北九州市"@ja .
<{EX}kitakyushu> <{EX}partner> <{EX}dalian> .
<{EX}dalian> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <{EX}City> .
<{EX}dalian> <http://www.w3.org/2000/01/rdf-schema#label> "Dalian"@en .
"""
ENTITY = f"{EX}kitakyushu"


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("floor") / "tiny.nt"
    path.write_text(TRIPLES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def served(data: Path) -> Iterator[Running]:
    """The floor with two web processes (the path with uvicorn's supervisor)."""
    running = start(floor(data, workers=2), data.parent, ready_timeout=60)
    try:
        yield running
    finally:
        stop(running)


def own(data: Path, query: str, fmt: ox.QueryResultsFormat | ox.RdfFormat) -> bytes:
    """pyoxigraph's own answer to ``query`` on ``data``."""
    answer = load(str(data)).query(query)
    body = answer.serialize(format=fmt)
    assert body is not None
    return body


def get(running: Running, query: str, accept: str) -> httpx.Response:
    return httpx.get(running.url, params={"query": query}, headers={"Accept": accept}, timeout=10)


@pytest.mark.slow
def test_the_floor_holds_the_file_as_the_benchmark_counts_it(served: Running) -> None:
    assert count_triples(served, timeout=10) == len(TRIPLES.splitlines())


@pytest.mark.slow
def test_the_floor_runs_the_web_processes_it_is_given(served: Running) -> None:
    spawned = [
        pid
        for pid in children(served.process.pid)
        if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    ]
    assert len(spawned) == 2, served.log_tail()


@pytest.mark.slow
def test_a_lookup_is_pyoxigraphs_own_answer(data: Path, served: Running) -> None:
    answer = get(served, lookup(ENTITY), SELECT_JSON)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(SELECT_JSON)
    bindings = answer.json()["results"]["bindings"]
    assert len(bindings) == 2
    assert answer.json() == json.loads(own(data, lookup(ENTITY), ox.QueryResultsFormat.JSON))


@pytest.mark.slow
def test_a_describe_is_pyoxigraphs_own_answer(data: Path, served: Running) -> None:
    answer = get(served, describe(ENTITY), NTRIPLES)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(NTRIPLES)
    mine = set(own(data, describe(ENTITY), ox.RdfFormat.N_TRIPLES).decode().splitlines())
    assert set(answer.text.splitlines()) == mine
    assert len(mine) == 4


@pytest.mark.slow
def test_posted_queries_get_the_same_answer(served: Running) -> None:
    expected = get(served, lookup(ENTITY), SELECT_JSON).json()
    direct = as_request(served.server.path, lookup(ENTITY), SELECT_JSON, method="post")
    answer = httpx.post(
        served.base + direct.target, content=direct.body, headers=dict(direct.headers)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == expected
    form = httpx.post(
        served.url,
        content=urlencode({"query": lookup(ENTITY)}).encode(),
        headers={"Accept": SELECT_JSON, "Content-Type": FORM},
    )
    assert form.status_code == 200, form.text
    assert form.json() == expected


@pytest.mark.slow
def test_bad_requests_get_a_400_with_a_message(served: Running) -> None:
    broken = get(served, "SELECT ?s WHERE {", SELECT_JSON)
    assert broken.status_code == 400
    assert broken.text.startswith("query failed:")
    missing = httpx.get(served.url, timeout=10)
    assert missing.status_code == 400
    assert "no query" in missing.text


def test_the_floor_runs_as_many_web_processes_as_ours(data: Path) -> None:
    # kggraph serve's default, one web process per processor, counted here on its own
    assert web_processes({}) == len(os.sched_getaffinity(0))
    assert web_processes({"KGGRAPH_WORKERS": "3"}) == 3
    (server,) = floor_like_ours(data, {"KGGRAPH_WORKERS": "3"})
    command = server.command(8123)
    assert command[command.index("--workers") + 1] == "3"
    assert "--no-access-log" in command
    assert floor_like_ours(data, {"KGGRAPH_WORKERS": "0"}) == []


def cell(rps: float) -> Cell:
    return Cell(done=int(rps), errors=0, seconds=1.0, latencies_ms=[1.0], client_cpu=0.1)


def test_the_ratio_table_shows_ours_over_the_floor() -> None:
    results = [
        Result(OURS, "lookup", 8, cell(1000)),
        Result(OXIGRAPH, "lookup", 8, cell(4000)),
        Result(FLOOR, "lookup", 8, cell(2500)),
    ]
    rows = ratio_rows(results)
    assert rows[0]["ours/floor"] == pytest.approx(0.4)
    text = ratio_table(rows)
    header, line = text.splitlines()[1:3]
    end = header.index("ours/floor") + len("ours/floor")  # values are right-aligned
    assert line[:end].split()[-1] == "0.40×"
    assert all(goal.peer != FLOOR for goal in GOALS)
