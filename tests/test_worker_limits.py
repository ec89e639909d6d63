"""Limits every query worker keeps, on real worker processes (issue 13): a memory ceiling, a
worker left for short queries when runaways hold the others, and workers that could not start
started again until they do.

Each test runs its own pool in its own event loop (``tests.test_pool.in_pool``). The tests that
break a release work on a copy of the session build, so no other test sees it broken.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
from collections.abc import Callable
from pathlib import Path

import pytest

from kggraph.core.errors import QueryUnavailable
from kggraph.graph.release import MERGED, Release
from kggraph.publish.build import BuildResult
from kggraph.query.executor import Answer, QueryTask
from kggraph.query.pool import WorkerPool
from kggraph.query.workers import WorkerLimits
from tests.test_pool import NEVER, RUNAWAY, in_pool, number, settle, value

pytestmark = pytest.mark.slow

MEMORY_HOG = "SELECT * { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
"""The query from the issue: sorting a cross product, gigabytes within seconds."""
CEILING = 400 * 2**20
"""Room for a worker with the graph loaded (about 270 MB), far less than the hog needs."""


async def until(condition: Callable[[], bool], *, tries: int = 600) -> bool:
    """Poll ``condition`` every 0.05 s (30 s at most); whether it came true."""
    for _ in range(tries):
        if condition():
            return True
        await asyncio.sleep(0.05)
    return condition()


def test_a_query_past_the_memory_ceiling_is_stopped_and_its_worker_replaced(
    built: BuildResult,
) -> None:
    async def test(pool: WorkerPool) -> tuple[BaseException | Answer, int, object, bool]:
        before = pool.workers[0]
        limit = before.info["memory_limit"]
        hog = (
            await asyncio.gather(
                pool.run(QueryTask(MEMORY_HOG, "sparql-json")), return_exceptions=True
            )
        )[0]
        answer = await pool.run(number(21))  # by the worker that replaced it
        return hog, value(answer), limit, pool.workers[0] is not before

    limits = WorkerLimits(100, memory=CEILING)
    hog, answer, limit, replaced = in_pool(built, test, size=1, limits=limits)
    assert limit == CEILING
    assert isinstance(hog, QueryUnavailable)
    assert "the query needed more memory than a worker may use (400 MiB" in hog.message
    assert answer == 21
    assert replaced


def test_runaways_on_every_worker_leave_one_for_short_queries(built: BuildResult) -> None:
    """Issue 13, 8: two runaways on two workers: the second is stopped once both are long, and
    a short query is answered while the first still runs."""

    async def test(pool: WorkerPool) -> tuple[list[BaseException | None], int, bool]:
        first = asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await settle()
        second = asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await asyncio.wait([first, second], return_when=asyncio.FIRST_COMPLETED)
        answer = await pool.run(number(17))
        still_running = not first.done()
        first.cancel()
        stopped = [
            f.exception() if f.done() and not f.cancelled() else None for f in (first, second)
        ]
        return stopped, value(answer), still_running

    stopped, answer, still_running = in_pool(
        built, test, size=2, long_after=0.5, stranded_after=NEVER
    )
    assert stopped[0] is None and still_running  # the first runaway keeps its worker
    assert isinstance(stopped[1], QueryUnavailable)
    assert "stopped to keep one free for short queries" in stopped[1].message
    assert answer == 17


def test_one_long_query_per_worker_but_one_is_allowed(built: BuildResult) -> None:
    async def test(pool: WorkerPool) -> tuple[int, bool]:
        runaway = asyncio.ensure_future(pool.run(QueryTask(RUNAWAY, "sparql-json")))
        await asyncio.sleep(1.0)  # well past the threshold
        answer = await pool.run(number(4))
        return value(answer), runaway.done()

    answer, done = in_pool(built, test, size=3, long_after=0.2, stranded_after=NEVER)
    assert answer == 4
    assert not done


@pytest.fixture
def release_copy(built: BuildResult, tmp_path: Path) -> Path:
    """A copy of the session's published build, free to break."""
    output = tmp_path / "dist"
    shutil.copytree(built.release.parent.parent, output, symlinks=True)
    return output / "releases" / built.release.name


def test_a_worker_that_cannot_start_is_started_again_until_it_does(release_copy: Path) -> None:
    """Issue 13, 5: a lost file makes the replacement of a killed worker fail: the pool says it
    is degraded and keeps answering with the worker it has; once the file is back, it is whole."""
    merged = release_copy / MERGED
    aside = release_copy / "aside.nt"

    async def test(pool: WorkerPool) -> tuple[bool, int, int, bool, object]:
        merged.rename(aside)
        os.kill(pool.workers[0].process.pid or 0, signal.SIGKILL)
        failed = await until(lambda: pool.status()["start_failures"] == 2)  # so, tried again
        degraded = pool.degraded
        alive = pool.alive
        answer = value(await pool.run(number(5)))  # the other worker is still there
        aside.rename(merged)
        whole = await until(lambda: len(pool.workers) == 2 and not pool.degraded)
        return failed and degraded, alive, answer, whole, pool.status()["start_failures"]

    degraded, alive, answer, whole, failures = in_pool(release_copy, test, size=2)
    assert degraded
    assert alive == 1
    assert answer == 5
    assert whole
    assert failures == 0


def test_with_no_worker_left_queries_are_refused_at_once(release_copy: Path) -> None:
    merged = release_copy / MERGED

    async def test(pool: WorkerPool) -> BaseException | Answer:
        merged.unlink()
        os.kill(pool.workers[0].process.pid or 0, signal.SIGKILL)
        await until(lambda: bool(pool.status()["start_failures"]))
        return (await asyncio.gather(pool.run(number(1)), return_exceptions=True))[0]

    refused = in_pool(release_copy, test, size=1)
    assert isinstance(refused, QueryUnavailable)
    assert "no query worker is running" in refused.message
    assert "could not start" in refused.message


def test_a_release_that_cannot_load_leaves_the_old_one_in_service(
    release_copy: Path,
) -> None:
    """A new release whose workers cannot start: the old workers go on answering; once the
    release is mended, its workers take over."""
    newer = release_copy.parent / "newer"
    shutil.copytree(release_copy, newer)
    (newer / MERGED).rename(newer / "aside.nt")

    async def test(pool: WorkerPool) -> tuple[str, object, int, str]:
        old_version = pool.version
        pool.reload(Release(newer))
        await until(lambda: pool.status()["start_failures"] == 2)
        during = (pool.version, pool.status()["loading"])
        answer = value(await pool.run(number(9)))
        (newer / "aside.nt").rename(newer / MERGED)
        await until(lambda: pool.version == "newer" and len(pool.workers) == 2)
        return old_version, during, answer, pool.version

    old, during, answer, after = in_pool(release_copy, test, size=2)
    assert during == (old, "newer")
    assert answer == 9
    assert after == "newer"
