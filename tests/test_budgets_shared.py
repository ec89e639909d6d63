"""Client budgets shared by several web processes through a table in shared memory
(``kggraph.budgets.shared_counters``): the same decisions as the memory counters, step for step;
two mappings of one table (as two processes have) hold a client to one budget; real processes
charging at once lose no update; a query counted by a process that died stops counting after
its hold; the table stays bounded; and ``kggraph serve`` with two web processes refuses a client
past its budget whichever process each connection reaches, then removes the table."""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kggraph.budgets.counters import BudgetLimits, Counters, MemoryCounters, Rate, Refusal
from kggraph.budgets.shared_counters import SharedCounters, create
from kggraph.core.errors import ConfigError
from kggraph.publish.build import BuildResult
from tests.conftest import Server, start_server, stop_server
from tests.test_budgets import Clock, run


def limits(
    *, per_minute: float = 60, burst: float = 10, concurrency: int = 2, errors: float = 6
) -> BudgetLimits:
    return BudgetLimits(
        time=Rate(per_minute, burst),
        errors=Rate(errors, errors / 2),
        concurrency=concurrency,
        hold_seconds=90,
    )


@pytest.fixture
def table(tmp_path: Path) -> Iterator[Path]:
    path = create(tmp_path)
    yield path
    path.unlink(missing_ok=True)


def step(store: Counters, operation: str, client: str) -> Refusal | None | str:
    """One operation; what it answered (``settled``/``counted`` for those that answer nothing)."""
    if operation == "before":
        return run(store.before(client))
    if operation == "admit":
        return run(store.admit(client, "t"))
    if operation == "settle":
        run(store.settle(client, "t", 1.5))
        return "settled"
    run(store.count_error(client))
    return "counted"


def test_the_shared_table_decides_as_the_memory_counters_do(table: Path) -> None:
    clock = Clock()
    shared = SharedCounters(table, limits(), clock=clock)
    memory = MemoryCounters(limits(), clock=clock)
    rng = random.Random(15)  # noqa: S311 # a seeded walk, not a secret
    refusals = 0
    for _ in range(3000):
        clock.now += rng.choice((0.0, 0.1, 0.5, 2.0))
        operation = rng.choice(("before", "admit", "admit", "settle", "error"))
        client = rng.choice(("a", "b", "c", "d"))
        expected = step(memory, operation, client)
        assert step(shared, operation, client) == expected, (operation, client)
        refusals += isinstance(expected, Refusal)
    assert refusals > 100  # the walk reached every kind of refusal often, not only admissions
    assert run(shared.throttled()) == run(memory.throttled())
    run(shared.close())


def test_two_mappings_of_one_table_hold_a_client_to_one_budget(table: Path) -> None:
    clock = Clock()
    first = SharedCounters(table, limits(concurrency=1), clock=clock)
    second = SharedCounters(table, limits(concurrency=1), clock=clock)
    assert run(first.admit("a", "1")) is None
    refused = run(second.admit("a", "2"))
    assert refused is not None and refused.limit == "concurrency"
    assert run(second.admit("b", "1")) is None  # another client is its own
    run(first.settle("a", "1", 20.0))  # 10 s saved up, 20 spent: 10 s of debt
    refused = run(second.admit("a", "3"))
    assert refused is not None and refused.limit == "time" and refused.retry_after == 11
    for store in (first, second):
        run(store.close())


def _charge(path: str, rounds: int) -> None:
    """In a process of its own: admit and settle one client's queries, 10 ms each."""
    store = SharedCounters(Path(path), limits(per_minute=0.001, burst=10**9, concurrency=0))

    async def charge() -> None:
        for _ in range(rounds):
            assert await store.admit("shared", "t") is None
            await store.settle("shared", "t", 0.01)
        await store.close()

    asyncio.run(charge())


def test_processes_charging_at_once_lose_no_update(table: Path) -> None:
    rounds, processes = 2000, 3
    context = multiprocessing.get_context("spawn")
    started = [context.Process(target=_charge, args=(str(table), rounds)) for _ in range(processes)]
    for process in started:
        process.start()
    for process in started:
        process.join(timeout=120)
        assert process.exitcode == 0
    store = SharedCounters(table, limits(per_minute=0.001, burst=10**9, concurrency=0))
    record = store._find(store_key("shared"), 0.0)  # noqa: SLF001 # the raw numbers
    assert record is not None
    _, entry, _ = record
    spent = 10**9 - entry.time  # refilled by a millisecond a minute at most meanwhile
    assert spent == pytest.approx(processes * rounds * 0.01, abs=0.01)
    run(store.close())


def store_key(client: str) -> int:
    from kggraph.budgets.shared_counters import _key

    return _key(client)


def test_a_query_of_a_process_that_died_stops_counting_after_its_hold(table: Path) -> None:
    clock = Clock()
    store = SharedCounters(table, limits(concurrency=1), clock=clock)
    assert run(store.admit("a", "1")) is None  # its process dies: never settled
    clock.now += 60
    assert run(store.admit("a", "2")) is not None  # still within the hold (90 s)
    clock.now += 31
    assert run(store.admit("a", "3")) is None
    run(store.close())


def test_the_table_is_bounded_and_a_running_client_is_the_last_given_up(tmp_path: Path) -> None:
    clock = Clock()
    path = create(tmp_path, slots=8)
    store = SharedCounters(path, limits(burst=1, concurrency=1), clock=clock)
    assert run(store.admit("busy", "1")) is None
    for n in range(200):
        clock.now += 0.01
        run(store.admit(f"client-{n}", "t"))
        run(store.settle(f"client-{n}", "t", 5))  # each in debt: never idle
    assert len(store) == 8
    refused = run(store.admit("busy", "2"))
    assert refused is not None and refused.limit == "concurrency"  # kept while it runs
    # the latest clients are remembered in debt; the earliest were given up, with full buckets
    latest = run(store.admit("client-199", "t"))
    assert latest is not None and latest.limit == "time"
    assert run(store.admit("client-0", "t")) is None
    run(store.close())


def test_a_file_that_is_no_table_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.write_bytes(b"not a table" * 100)
    with pytest.raises(ConfigError, match="not a kggraph budget table"):
        SharedCounters(other, limits())


ERRORS = {
    "client_errors": "1",  # a failure a minute comes back: nothing within the test
    "client_error_burst": "4",
    "client_budget_seconds": "60",
    "client_concurrency": "5",
    "query_workers": "1",
    "inline_work": "0",
}


@pytest.fixture(scope="module")
def two_processes(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log = tmp_path_factory.mktemp("shared-budgets") / "serve.log"
    output = built.release.parent.parent
    server = start_server(output, log, via_cli=True, budgets=True, workers="2", **ERRORS)
    said = re.search(r"share client budgets in (\S+?)\.$", log.read_text(), re.MULTILINE)
    assert said is not None, log.read_text()
    table = Path(said.group(1))
    assert table.is_file()
    yield server
    stop_server(server)
    assert not table.exists()  # removed when the server stopped


def web_process(url: str) -> str:
    """Which web process answered, told by its query workers' process ids (a new connection)."""
    with httpx.Client(headers={"Connection": "close"}) as client:
        workers = client.get(url + "/health", timeout=10).json()["workers"]
    return ",".join(str(worker["pid"]) for worker in workers)


def test_two_web_processes_hold_a_client_to_one_budget(two_processes: Server) -> None:
    health = httpx.get(two_processes.url + "/health", timeout=10).json()
    assert health["budgets"]["backend"] == "shared"
    seen = {web_process(two_processes.url) for _ in range(20)}
    assert len(seen) == 2, "every connection reached one process: nothing would be shown"
    statuses = []
    for n in range(12):  # a new connection each time: the kernel spreads them over both
        with httpx.Client(headers={"Connection": "close"}) as client:
            answer = client.get(two_processes.sparql, params={"query": f"SELECT {n}"}, timeout=30)
        statuses.append(answer.status_code)
    # a burst of 4 failures refilling at one a minute: after 4 the balance is a hair above 0,
    # so a fifth is let through; counted by each process on its own, about twice as many were
    assert statuses == [400] * 5 + [429] * 7, statuses
