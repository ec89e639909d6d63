"""The worker pool on real worker processes: queries handed out ahead, moved when stuck,
stopped at their deadline, and answered again after a worker dies.

Each test runs its own pool in its own event loop on the session build. The slow queries are
cross products of the real graph: ``MEDIUM`` takes about a second here, ``RUNAWAY`` would take
days. Which worker a query goes to is decided by the rules in ``kggraph.query.pool``; the tests set
``stranded_after`` so that the rule under test is the only one that can apply.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from kggraph.core.errors import QueryError, QueryTimeout, QueryUnavailable
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from kggraph.query.executor import Answer, QueryTask
from kggraph.query.pool import WorkerPool
from kggraph.query.workers import Outcome, Worker, WorkerLimits

pytestmark = pytest.mark.slow

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
MEDIUM = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f . VALUES ?k { 1 2 } }"
SLOW_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d a ?f . VALUES ?k { 1 2 3 4 5 6 } }"
"""A few seconds: still running when its worker is killed, yet answered by the next one."""
NEVER = 3600.0
"""A ``stranded_after`` that no query in these tests reaches."""


def number(n: int) -> QueryTask:
    """A query whose answer names ``n``, so each answer can be matched to its query."""
    return QueryTask(f"SELECT ?n WHERE {{ BIND({n} AS ?n) }}", "sparql-json")


def value(answer: Answer) -> int:
    rows = json.loads(answer.body)["results"]["bindings"]
    return int(rows[0]["n"]["value"])


def in_pool(
    built: BuildResult | Path, test: Callable[[WorkerPool], Awaitable[Any]], **options: Any
) -> Any:
    """Run ``test`` on a started pool in a fresh event loop, and close the pool after it; on
    the session build, or on the release folder given."""
    release = built if isinstance(built, Path) else built.release

    async def main() -> Any:
        settings = {"timeout": 30.0, "limits": WorkerLimits(100), **options}
        pool = WorkerPool(Release(release), **settings)
        await pool.start()
        try:
            return await test(pool)
        finally:
            await pool.close()

    return asyncio.run(main())


async def settle() -> None:
    """Let the queries just submitted reach their workers."""
    await asyncio.sleep(0.02)


def test_every_answer_goes_to_its_own_query(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> list[int]:
        answers = await asyncio.gather(*(pool.run(number(n)) for n in range(40)))
        return [value(a) for a in answers]

    assert in_pool(built, test, size=2, pipeline=2) == list(range(40))


def test_a_busy_worker_holds_the_next_query_ready(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> tuple[dict[str, object], list[int]]:
        medium = asyncio.ensure_future(pool.run(QueryTask(MEDIUM, "sparql-json")))
        await settle()
        quick = [asyncio.ensure_future(pool.run(number(n))) for n in range(3)]
        await settle()
        seen = pool.status()
        await medium
        return seen, [value(await q) for q in quick]

    seen, answers = in_pool(built, test, size=1, pipeline=2, stranded_after=NEVER)
    assert [w["held"] for w in seen["workers"]] == [2]  # type: ignore[index]
    assert seen["queued"] == 2
    assert answers == [0, 1, 2]


def test_one_at_a_time_without_a_pipeline(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> dict[str, object]:
        medium = asyncio.ensure_future(pool.run(QueryTask(MEDIUM, "sparql-json")))
        await settle()
        quick = asyncio.ensure_future(pool.run(number(7)))
        await settle()
        seen = pool.status()
        await medium
        assert value(await quick) == 7
        return seen

    seen = in_pool(built, test, size=1, pipeline=1, stranded_after=NEVER)
    assert [w["held"] for w in seen["workers"]] == [1]  # type: ignore[index]
    assert seen["queued"] == 1


def test_an_idle_worker_takes_a_query_waiting_behind_a_runaway(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> tuple[int, bool, int]:
        asyncio.ensure_future(pool.run(QueryTask(MEDIUM, "sparql-json")))
        await settle()
        runaway = asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await settle()
        # both workers busy: the quick query waits behind the query that started last
        quick = asyncio.ensure_future(pool.run(number(5)))
        await settle()
        assert [w["held"] for w in pool.status()["workers"]] in ([1, 2], [2, 1])  # type: ignore[index]
        answer = await quick  # answered once the medium query is done, not at the deadline
        return value(answer), runaway.done(), pool.moved

    answer, runaway_done, moved = in_pool(built, test, size=2, stranded_after=NEVER)
    assert answer == 5
    assert not runaway_done
    assert moved == 1


def test_a_query_stuck_behind_a_slow_one_moves_ahead_of_the_queue(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> tuple[int, bool, int]:
        asyncio.ensure_future(pool.run(QueryTask(MEDIUM, "sparql-json")))
        await settle()
        runaway = asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await settle()
        quick = asyncio.ensure_future(pool.run(number(9)))  # behind the runaway
        await settle()
        later = [asyncio.ensure_future(pool.run(QueryTask(MEDIUM, "sparql-json"))) for _ in "ab"]
        await settle()
        # the first worker holds two medium queries, one more waits in the queue; once the
        # first medium query is done, the quick query (stranded) goes before the queued one
        answer = await quick
        return value(answer), later[1].done() or runaway.done(), pool.moved

    answer, others_done, moved = in_pool(built, test, size=2, stranded_after=0.3)
    assert answer == 9
    assert not others_done
    assert moved == 1


def test_a_slow_worker_is_given_no_more_queries(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> dict[str, object]:
        asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await asyncio.sleep(0.3)
        quick = asyncio.ensure_future(pool.run(number(1)))
        await settle()
        seen = pool.status()
        quick.cancel()
        return seen

    seen = in_pool(built, test, size=1, stranded_after=0.1)
    assert [w["held"] for w in seen["workers"]] == [1]  # type: ignore[index]
    assert seen["queued"] == 1


def test_queries_waiting_behind_a_timed_out_one_get_their_own_timeout(
    built: BuildResult,
) -> None:
    async def test(pool: WorkerPool) -> tuple[BaseException, BaseException, int]:
        runaway = asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await settle()
        waiting = asyncio.ensure_future(pool.run(number(3)))
        results = await asyncio.gather(runaway, waiting, return_exceptions=True)
        for _ in range(600):  # the replacement may take longer to load than the 1 s limit
            if pool.workers:
                break
            await asyncio.sleep(0.05)
        again = await pool.run(number(4))  # on the replacement worker
        return results[0], results[1], value(again)

    ran, waited, again = in_pool(built, test, size=1, timeout=1.0, stranded_after=NEVER)
    assert isinstance(ran, QueryTimeout) and "ran longer than the 1 s limit" in ran.message
    assert isinstance(waited, QueryTimeout) and "no query worker became free" in waited.message
    assert again == 4


def test_queries_behind_a_killed_worker_are_answered_by_its_replacement(
    built: BuildResult,
) -> None:
    async def test(pool: WorkerPool) -> tuple[BaseException | Answer, int, bool]:
        before = pool.workers[0].process.pid
        runaway = asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await asyncio.sleep(2.5)  # its deadline is at 3 s; the next one's at 5.5 s
        waiting = asyncio.ensure_future(pool.run(number(6)))
        ran = (await asyncio.gather(runaway, return_exceptions=True))[0]
        answer = await waiting
        return ran, value(answer), pool.workers[0].process.pid != before

    ran, answer, replaced = in_pool(built, test, size=1, timeout=3.0, stranded_after=NEVER)
    assert isinstance(ran, QueryTimeout)
    assert answer == 6
    assert replaced


async def kill_running_worker(pool: WorkerPool) -> None:
    """SIGKILL the worker now answering a query, as the kernel's OOM killer would."""
    worker = pool.workers[0]
    os.kill(worker.process.pid or 0, signal.SIGKILL)
    for _ in range(500):  # until the pool has started another
        await asyncio.sleep(0.02)
        if pool.workers and pool.workers[0] is not worker:
            return


def test_a_worker_that_dies_is_replaced_and_its_queries_answered(built: BuildResult) -> None:
    """Issue 13, 11: the query that was running is tried again, once, by the replacement."""

    async def test(pool: WorkerPool) -> tuple[int, int]:
        medium = asyncio.ensure_future(pool.run(QueryTask(SLOW_COUNT, "sparql-json")))
        await settle()
        waiting = asyncio.ensure_future(pool.run(number(8)))
        await settle()
        await kill_running_worker(pool)
        return value(await medium), value(await waiting)

    counted, answer = in_pool(built, test, size=1, stranded_after=NEVER)
    assert counted > 0
    assert answer == 8


def test_a_query_whose_worker_dies_twice_is_not_tried_again(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> tuple[BaseException | Answer, int]:
        medium = asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await settle()
        await kill_running_worker(pool)
        await settle()
        await kill_running_worker(pool)  # the one that tried again
        died = (await asyncio.gather(medium, return_exceptions=True))[0]
        return died, value(await pool.run(number(13)))

    died, answer = in_pool(built, test, size=1, stranded_after=NEVER)
    assert isinstance(died, QueryUnavailable)
    assert "stopped while answering, and so did the one that tried again" in died.message
    assert answer == 13


def test_a_client_that_leaves_while_waiting_costs_no_worker(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> tuple[bool, int]:
        pid = pool.workers[0].process.pid
        medium = asyncio.ensure_future(pool.run(QueryTask(MEDIUM, "sparql-json")))
        await settle()
        waiting = asyncio.ensure_future(pool.run(number(2)))
        await settle()
        waiting.cancel()
        await settle()
        held = pool.status()["workers"][0]["held"]  # type: ignore[index]
        await medium
        return pool.workers[0].process.pid == pid, held

    same_worker, held = in_pool(built, test, size=1, stranded_after=NEVER)
    assert same_worker
    assert held == 1


def test_a_client_that_leaves_while_its_query_runs_frees_the_worker(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> tuple[bool, int]:
        pid = pool.workers[0].process.pid
        runaway = asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await settle()
        runaway.cancel()
        answer = await pool.run(number(11))  # by the replacement, long before any deadline
        return pool.workers[0].process.pid != pid, value(answer)

    replaced, answer = in_pool(built, test, size=1, stranded_after=NEVER)
    assert replaced
    assert answer == 11


def test_a_worker_drops_a_task_withdrawn_before_it_starts(built: BuildResult) -> None:
    async def main() -> list[tuple[int, Outcome]]:
        replies: list[tuple[int, Outcome]] = []
        done = asyncio.get_running_loop().create_future()

        def on_reply(worker: Worker, ticket: int, outcome: Outcome) -> None:
            replies.append((ticket, outcome))
            if ticket == 3 and not done.done():
                done.set_result(None)

        worker = await Worker.launch(Release(built.release), WorkerLimits(100)).ready()
        worker.on_reply = on_reply
        try:
            worker.send_task(1, QueryTask(MEDIUM, "sparql-json"))
            worker.send_task(2, number(2))
            worker.send_skip(2)  # arrives while task 1 runs
            worker.send_task(3, number(3))
            await asyncio.wait_for(done, 30)
        finally:
            worker.kill()
        return replies

    replies = asyncio.run(main())
    assert [ticket for ticket, _ in replies] == [1, 3]
    assert value(replies[1][1]) == 3  # type: ignore[arg-type]


def test_a_query_error_leaves_the_worker_in_service(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> tuple[BaseException, int, bool]:
        pid = pool.workers[0].process.pid
        bad = asyncio.ensure_future(pool.run(QueryTask("SELECT ?x WHERE { ?x ", "sparql-json")))
        good = asyncio.ensure_future(pool.run(number(12)))
        failed = (await asyncio.gather(bad, return_exceptions=True))[0]
        return failed, value(await good), pool.workers[0].process.pid == pid

    failed, answer, same = in_pool(built, test, size=1)
    assert isinstance(failed, QueryError)
    assert answer == 12 and same


@pytest.mark.parametrize("pipeline", [1, 3])
def test_other_pipeline_depths_answer_everything(built: BuildResult, pipeline: int) -> None:
    async def test(pool: WorkerPool) -> list[int]:
        answers = await asyncio.gather(*(pool.run(number(n)) for n in range(25)))
        return [value(a) for a in answers]

    assert in_pool(built, test, size=2, pipeline=pipeline) == list(range(25))
