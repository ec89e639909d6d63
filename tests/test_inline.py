"""The inline lane (``kggraph.query.inline``): small stars answered in the web process give
exactly the workers' answers, byte for byte, and everything else still goes to a worker.

Each test runs a real worker pool on the session build, once with the lane and once without,
and compares what comes back; ``InlineLane.answered`` tells which path answered."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from kggraph.core.errors import QueryError
from kggraph.core.namespaces import ID_IRI
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from kggraph.query.executor import QueryTask
from kggraph.query.inline import InlineLane
from kggraph.query.pool import WorkerPool
from kggraph.query.run import execute
from kggraph.query.stars import star_of
from kggraph.query.workers import WorkerLimits

CITY = f"{ID_IRI}city/dalian"
PREFIXES = (
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
)
STARS = [
    (PREFIXES + f"SELECT ?type ?label WHERE {{ <{CITY}> rdf:type ?type ; rdfs:label ?label }}", f)
    for f in ("sparql-json", "sparql-xml", "csv", "tsv")
] + [
    (f"SELECT * WHERE {{ ?s ?p <{CITY}> }} LIMIT 7", "sparql-json"),
    (f"ASK {{ <{CITY}> a ?t }}", "sparql-json"),
    (f"DESCRIBE <{CITY}>", "n-triples"),
    (f"DESCRIBE <{CITY}>", "turtle"),
    (f"SELECT * WHERE {{ <{CITY}> ?p ?o ; ?q ?r }}", "sparql-json"),  # a cross product
]
NOT_STARS = [
    (f"SELECT DISTINCT ?p WHERE {{ <{CITY}> ?p ?o }}", "sparql-json"),
    ("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "sparql-json"),
]


def with_pools(built: BuildResult, test: Callable[..., Awaitable[Any]], **lane: Any) -> Any:
    """Run ``test(inline_pool, lane, plain_pool)`` on two started pools in a fresh loop."""

    async def main() -> Any:
        release = Release(built.release)
        limits = WorkerLimits(10_000)
        inline = InlineLane(max_rows=limits.max_rows, max_bytes=limits.max_bytes, **lane)
        pools = [
            WorkerPool(release, size=1, timeout=30.0, limits=limits, inline=inline),
            WorkerPool(release, size=1, timeout=30.0, limits=limits),
        ]
        await asyncio.gather(*(pool.start() for pool in pools))
        try:
            return await test(pools[0], inline, pools[1])
        finally:
            await asyncio.gather(*(pool.close() for pool in pools))

    return asyncio.run(main())


def test_stars_get_the_workers_answers(built: BuildResult) -> None:
    async def test(ours: WorkerPool, lane: InlineLane, plain: WorkerPool) -> None:
        assert lane.version == ours.version
        for query, fmt in STARS:
            before = lane.answered
            found = await ours.run(QueryTask(query, fmt))
            assert lane.answered == before + 1, query
            expected = await plain.run(QueryTask(query, fmt))
            assert found == expected, query
            assert found.rows > 0 or fmt == "sparql-json" and b"boolean" in found.body
        for query, fmt in NOT_STARS:
            before = lane.answered
            assert await ours.run(QueryTask(query, fmt)) == await plain.run(QueryTask(query, fmt))
            assert lane.answered == before, query
        assert ours.status()["inline"] == {"release": ours.version, "answered": lane.answered}

    with_pools(built, test)


def test_bigger_stars_run_in_a_thread_and_the_biggest_on_a_worker(built: BuildResult) -> None:
    query = f"SELECT * WHERE {{ <{CITY}> ?p ?o ; ?q ?r }}"

    async def test(ours: WorkerPool, lane: InlineLane, plain: WorkerPool) -> None:
        expected = await plain.run(QueryTask(query, "sparql-json"))
        assert await ours.run(QueryTask(query, "sparql-json")) == expected
        assert lane.answered == 1  # past on_loop: in a thread of the web process
        assert expected.rows > 25

    with_pools(built, test, on_loop=0)

    async def too_big(ours: WorkerPool, lane: InlineLane, plain: WorkerPool) -> None:
        assert await ours.run(QueryTask(query, "sparql-json")) == await plain.run(
            QueryTask(query, "sparql-json")
        )
        assert lane.answered == 0  # its bound passes in_thread: a worker answered

    with_pools(built, too_big, in_thread=25)


def test_the_lane_answers_only_for_the_release_it_holds(built: BuildResult) -> None:
    query = f"ASK {{ <{CITY}> a ?t }}"

    async def test(ours: WorkerPool, lane: InlineLane, plain: WorkerPool) -> None:
        assert await lane.answer(QueryTask(query, "sparql-json"), "another-release") is None
        assert await lane.answer(QueryTask(query, "sparql-json"), ours.version) is not None
        dataset = QueryTask(query, "sparql-json", default_graphs=(CITY,))
        assert await lane.answer(dataset, ours.version) is None  # the protocol's dataset

    with_pools(built, test)


def test_an_error_is_the_workers_error(built: BuildResult) -> None:
    """A star the engine refuses (a limit past 64 bits) gets the same error from the lane as
    from a worker."""
    query = f"SELECT * WHERE {{ <{CITY}> ?p ?o }} LIMIT 99999999999999999999999"

    async def test(ours: WorkerPool, lane: InlineLane, plain: WorkerPool) -> None:
        assert star_of(query) is not None
        errors = []
        for pool in (ours, plain):
            with pytest.raises(QueryError) as caught:
                await pool.run(QueryTask(query, "sparql-json"))
            errors.append((type(caught.value), caught.value.message))
        assert errors[0] == errors[1]

    with_pools(built, test)


@pytest.mark.parametrize("fmt", ["sparql-json", "sparql-xml", "csv", "tsv", "n-triples", "turtle"])
@pytest.mark.parametrize("max_bytes", [50_000_000, 400])
def test_a_known_bound_writes_the_same_answer(built: BuildResult, fmt: str, max_bytes: int) -> None:
    """``execute`` given a bound on the rows (the lane's shortcut past the row counting) answers
    as it does without one, cut at the byte limit included."""
    store = Release(built.release).open_store()
    query = f"DESCRIBE <{CITY}>" if fmt in ("n-triples", "turtle") else STARS[-1][0]
    task = QueryTask(query, fmt)
    plain = execute(store, task, max_rows=10_000, max_bytes=max_bytes)
    assert execute(store, task, max_rows=10_000, max_bytes=max_bytes, rows_at_most=50) == plain
    assert plain.truncated == (max_bytes == 400)
