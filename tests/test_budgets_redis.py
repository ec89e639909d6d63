"""Client budgets shared through Redis (``kggraph.budgets.redis_counters``): two real ``kggraph
serve`` processes on one real ``redis-server`` (Debian's, started here on a free loopback port with
no persistence) hold a client to one budget; when Redis goes away they count on their own and go on
answering."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis

from kggraph.publish.build import BuildResult
from tests.conftest import Server, free_port, require, stop_server
from tests.test_budgets_http import TINY, exhaust, query, serve

pytestmark = pytest.mark.slow

REDIS_SERVER = "redis-server"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary = shutil.which(REDIS_SERVER)
    require(
        binary is not None,
        f"{REDIS_SERVER} is not installed (Debian: apt-get install redis-server)",
    )
    assert binary is not None
    folder = tmp_path_factory.mktemp("redis")
    port = free_port()
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(folder)]  # fmt: skip
    with (folder / "redis.log").open("wb") as sink:
        process = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
    client = redis.Redis(port=port, socket_connect_timeout=0.5)
    deadline = time.monotonic() + 20
    while True:
        try:
            if client.ping():
                break
        except redis.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError((folder / "redis.log").read_text()) from None
            time.sleep(0.05)
    client.close()
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def logs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("budget-pair")


@pytest.fixture(scope="module")
def pair(built: BuildResult, redis_url: str, logs: Path) -> Iterator[tuple[Server, Server]]:
    """Two web processes, each with its own query worker, sharing budgets through Redis."""
    output = built.release.parent.parent
    first = serve(output, logs / "first.log", **TINY, redis_url=redis_url)
    try:
        second = serve(output, logs / "second.log", **TINY, redis_url=redis_url)
    except BaseException:
        stop_server(first)
        raise
    yield first, second
    stop_server(first)
    stop_server(second)


def test_two_web_processes_hold_a_client_to_one_budget(pair: tuple[Server, Server]) -> None:
    first, second = pair
    for server in pair:
        assert httpx.get(server.url + "/health").json()["budgets"]["backend"] == "redis"
    greedy = {"User-Agent": "greedy/1"}
    exhaust(first, greedy, "greedy")
    elsewhere = httpx.get(second.sparql, params={"query": query(0, "second")}, headers=greedy)
    assert elsewhere.status_code == 429 and "query time used up" in elsewhere.text
    assert int(elsewhere.headers["Retry-After"]) >= 10
    other = {"User-Agent": "patient/1"}
    served = httpx.get(second.sparql, params={"query": query(0, "patient")}, headers=other)
    assert served.status_code == 200
    assert httpx.get(second.url + "/health").json()["budgets"]["throttled"] >= 1


def test_failed_queries_are_counted_across_processes(pair: tuple[Server, Server]) -> None:
    first, second = pair
    clumsy = {"User-Agent": "clumsy/1"}
    for n in range(4):  # refused before any worker sees it (the SERVICE check)
        bad = f"SELECT * WHERE {{ SERVICE <http://example.org/{n}> {{ ?s ?p ?o }} }}"
        assert httpx.get(first.sparql, params={"query": bad}, headers=clumsy).status_code == 400
    good = httpx.get(second.sparql, params={"query": query(0, "clumsy")}, headers=clumsy)
    assert good.status_code == 429 and "too many failed queries" in good.text


def test_without_redis_each_process_counts_alone_and_answers(
    pair: tuple[Server, Server], redis_url: str, logs: Path
) -> None:
    first, _ = pair
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    redis.Redis(port=port).shutdown(nosave=True)
    greedy = {"User-Agent": "greedy/1"}  # in debt in Redis, unknown to this process's memory
    for n in range(3):
        answer = httpx.get(first.sparql, params={"query": query(n, "fallback")}, headers=greedy)
        assert answer.status_code in (200, 429), answer.text  # never a failure of ours
    assert answer.status_code == 429  # the budget still holds, process by process
    health = httpx.get(first.url + "/health").json()
    assert health["budgets"]["backend"] == "memory"
    text = (logs / "first.log").read_text(errors="replace")
    assert text.count("cannot be reached") == 1, text[-2000:]  # said once, not per request
