"""Client budgets (``kggraph.budgets.counters``): the bucket arithmetic on an injected clock, no
sleeps; who a client is (``kggraph.web.http.client_id``); the settings."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any, TypeVar

import pytest

from kggraph.budgets.counters import (
    BudgetLimits,
    Limit,
    MemoryCounters,
    Rate,
    Refusal,
    level,
    seconds_until,
)
from kggraph.budgets.redis_counters import RedisCounters
from kggraph.core.config import load_settings
from kggraph.core.errors import ConfigError
from kggraph.web.http.client_id import ClientIdentifier
from tests.conftest import free_port

T = TypeVar("T")


def run(step: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(step)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def limits(
    *, per_minute: float = 60, burst: float = 120, concurrency: int = 5, errors: float = 30
) -> BudgetLimits:
    return BudgetLimits(
        time=Rate(per_minute, burst), errors=Rate(errors, 2 * errors), concurrency=concurrency
    )


def counters(clock: Clock, **given: Any) -> MemoryCounters:
    return MemoryCounters(limits(**given), clock=clock)


def spend(store: MemoryCounters, client: str, seconds: float) -> Refusal | None:
    """One query of ``seconds``: admitted (or refused) and then charged."""
    refused = run(store.admit(client, "t"))
    if refused is None:
        run(store.settle(client, "t", seconds))
    return refused


def test_a_bucket_refills_continuously_up_to_its_burst() -> None:
    rate = Rate(60, 120)  # one second a second
    assert level(-10, since=0, now=4, rate=rate) == -6
    assert level(100, since=0, now=15, rate=rate) == 115
    assert level(100, since=0, now=3600, rate=rate) == 120
    assert level(5, since=10, now=9, rate=rate) == 5  # a clock that went back adds nothing


def test_retry_after_is_whole_seconds_until_the_balance_is_positive() -> None:
    rate = Rate(15, 30)  # a quarter of a second a second
    assert seconds_until(-0.375, rate) == 2  # 1.5 s to reach 0
    assert seconds_until(-0.5, rate) == 3  # 2 s to reach 0, and 0 is not positive
    assert seconds_until(0.0, rate) == 1
    assert seconds_until(-0.0001, Rate(60, 1)) == 1
    tenth = Rate(6, 12)
    for balance in (-0.1, -0.3, -0.7, -2.9):
        wait = seconds_until(balance, tenth)
        assert level(balance, since=0, now=wait, rate=tenth) > 0
        assert level(balance, since=0, now=wait - 1, rate=tenth) <= 0


def test_debt_is_allowed_then_the_client_waits_until_it_has_refilled() -> None:
    clock = Clock()
    store = counters(clock, per_minute=60, burst=120)
    assert spend(store, "a", 150) is None  # a new client has the whole burst; the query ran over
    refused = spend(store, "a", 1)
    assert refused is not None and refused.limit is Limit.TIME
    assert refused.retry_after == 31  # 30 s of debt at one second a second, then positive
    assert (
        "try again in 31 s" in refused.message and "60 s of query time a minute" in refused.message
    )
    clock.now += 30
    assert spend(store, "a", 1) is not None  # exactly 0 is not positive
    clock.now += 0.5
    assert spend(store, "a", 1) is None


def test_the_burst_caps_what_a_quiet_client_saves() -> None:
    clock = Clock()
    store = counters(clock, per_minute=60, burst=10)
    clock.now += 3600  # an hour of quiet saves 10 s, not 3600
    assert spend(store, "a", 10.5) is None
    assert spend(store, "a", 1) is not None


def test_clients_are_counted_apart() -> None:
    clock = Clock()
    store = counters(clock, per_minute=60, burst=1)
    assert spend(store, "a", 5) is None
    assert spend(store, "a", 1) is not None
    assert spend(store, "b", 0.5) is None


def test_queries_at_once_are_limited_and_freed_when_they_end() -> None:
    store = counters(Clock(), concurrency=2)
    assert run(store.admit("a", "1")) is None
    assert run(store.admit("a", "2")) is None
    refused = run(store.admit("a", "3"))
    assert refused is not None and refused.limit is Limit.CONCURRENCY
    assert refused.retry_after == 1 and "2 running at a time" in refused.message
    assert run(store.admit("b", "1")) is None
    run(store.settle("a", "1", 0.01))
    assert run(store.admit("a", "3")) is None


def test_failed_queries_have_their_own_bucket() -> None:
    clock = Clock()
    store = counters(clock, errors=6)  # one failure every 10 s, 12 at once
    for _ in range(12):
        assert run(store.before("a")) is None
        run(store.count_error("a"))
    refused = run(store.before("a"))
    assert refused is not None and refused.limit is Limit.ERRORS
    assert refused.retry_after == 1 and "too many failed queries" in refused.message
    refused_to_run = run(store.admit("a", "t"))
    assert refused_to_run is not None and refused_to_run.limit is Limit.ERRORS
    assert spend(store, "b", 1) is None  # another client, and time is a bucket apart
    clock.now += 1
    assert run(store.before("a")) is None
    assert run(store.admit("a", "t")) is None


def test_a_limit_of_zero_is_off() -> None:
    store = counters(Clock(), per_minute=0, concurrency=0, errors=0)
    for ticket in range(50):
        assert run(store.admit("a", str(ticket))) is None
        run(store.count_error("a"))
    assert run(store.before("a")) is None
    assert len(store) == 0  # nothing to remember


def test_throttled_counts_clients_in_debt() -> None:
    clock = Clock()
    store = counters(clock, per_minute=60, burst=1, errors=3)
    spend(store, "a", 5)
    spend(store, "b", 0.5)
    for _ in range(6):
        run(store.count_error("c"))
    assert run(store.throttled()) == 2
    clock.now += 10
    assert run(store.throttled()) == 0


def test_idle_clients_are_forgotten_once_their_buckets_are_full() -> None:
    clock = Clock()
    store = counters(clock, per_minute=60, burst=10)
    for n in range(100):
        spend(store, f"client-{n}", 5)
    assert len(store) == 100  # each still owes its bucket 5 s
    clock.now += 5
    for n in range(60):
        spend(store, f"new-{n}", 0)  # every visit looks at the two longest unvisited
    assert len(store) < 100
    clock.now += 60
    for _ in range(200):
        spend(store, "latest", 0)
    assert len(store) == 1


def test_a_client_that_is_forgotten_had_nothing_to_remember() -> None:
    clock = Clock()
    store = counters(clock, per_minute=60, burst=10)
    spend(store, "deep", 100)  # 90 s of debt: not forgotten while it is owed
    clock.now += 80
    for n in range(50):
        spend(store, f"other-{n}", 0)
    refused = spend(store, "deep", 1)
    assert refused is not None and refused.retry_after == 11


def test_memory_is_bounded_even_with_every_client_in_debt() -> None:
    store = MemoryCounters(limits(per_minute=60, burst=1), clock=Clock(), max_clients=50)
    for n in range(500):
        spend(store, f"client-{n}", 5)
    assert len(store) == 50


def test_a_running_query_keeps_its_client() -> None:
    clock = Clock()
    store = counters(clock, concurrency=1)
    assert run(store.admit("busy", "1")) is None
    clock.now += 3600
    for n in range(20):
        spend(store, f"other-{n}", 0)
    assert run(store.admit("busy", "2")) is not None  # still counted as running


def test_without_redis_the_counts_are_kept_in_memory_and_said_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    nobody = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there

    async def session() -> tuple[list[Refusal | None], str, int]:
        store = RedisCounters(nobody, limits(per_minute=60, burst=1, concurrency=1))
        seen = [await store.admit("a", "1"), await store.admit("a", "2")]
        await store.settle("a", "1", 5.0)
        seen.append(await store.admit("a", "3"))  # in debt, in memory
        seen.append(await store.admit("b", "1"))
        backend, throttled = store.backend, await store.throttled()
        await store.close()
        return seen, backend, throttled

    with caplog.at_level(logging.WARNING, logger="kggraph.budgets.redis_counters"):
        seen, backend, throttled = run(session())
    assert seen[0] is None and seen[3] is None
    assert seen[1] is not None and seen[1].limit is Limit.CONCURRENCY
    assert seen[2] is not None and seen[2].limit is Limit.TIME
    assert backend == "memory" and throttled == 1
    warnings = [r.getMessage() for r in caplog.records]
    assert len(warnings) == 1 and "cannot be reached" in warnings[0], warnings


# who a client is


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy() -> None:
    nobody = ClientIdentifier()
    assert nobody.address("203.0.113.5", "198.51.100.1") == "203.0.113.5"
    proxies = ClientIdentifier(["127.0.0.1", "10.0.0.0/8"])
    assert proxies.address("203.0.113.5", "198.51.100.1") == "203.0.113.5"
    assert proxies.address("127.0.0.1", "198.51.100.1") == "198.51.100.1"
    assert proxies.address("127.0.0.1", None) == "127.0.0.1"


def test_the_client_is_the_right_most_hop_that_is_not_a_trusted_proxy() -> None:
    proxies = ClientIdentifier(["127.0.0.1", "10.0.0.0/8"])
    # the client wrote the first two; our proxies appended the last two
    forwarded = "1.1.1.1, 198.51.100.7, 10.1.2.3"
    assert proxies.address("127.0.0.1", forwarded) == "198.51.100.7"
    assert proxies.address("127.0.0.1", "10.0.0.1, 10.0.0.2") == "10.0.0.1"
    assert proxies.address("127.0.0.1", "198.51.100.7:4321") == "198.51.100.7"
    assert proxies.address("127.0.0.1", "[2001:db8::1]:443") == "2001:db8::1"
    assert proxies.address("127.0.0.1", "::ffff:198.51.100.7") == "198.51.100.7"
    assert proxies.address("127.0.0.1", "evil, not-an-address, 10.0.0.9") == "10.0.0.9"


def test_a_client_is_its_address_and_user_agent() -> None:
    ids = ClientIdentifier()
    one = ids.key("203.0.113.5", None, "curl/8")
    assert one == ids.key("203.0.113.5", "9.9.9.9", "curl/8")
    assert one != ids.key("203.0.113.5", None, "python-httpx/0.28")
    assert one != ids.key("203.0.113.6", None, "curl/8")
    assert len(ids.key("203.0.113.5", None, "x" * 100_000)) == len(one)


# settings


def test_budget_settings_are_read_and_checked() -> None:
    settings = load_settings(
        environ={
            "KGGRAPH_CLIENT_BUDGET_SECONDS": "0.05",
            "KGGRAPH_CLIENT_CONCURRENCY": "0",
            "KGGRAPH_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
        }
    )
    built = BudgetLimits.from_settings(settings)
    assert built.time == Rate(0.05, 120) and built.concurrency == 0
    assert settings.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"KGGRAPH_CLIENT_BURST_SECONDS": "0"}, "client_burst_seconds must be more than 0"),
        ({"KGGRAPH_CLIENT_CONCURRENCY": "-1"}, "0 or more"),
        ({"KGGRAPH_TRUSTED_PROXIES": "10.0.0.0/8,proxy.local"}, "'proxy.local'"),
        ({"KGGRAPH_REDIS_URL": "localhost:6379"}, "redis_url must start with"),
    ],
)
def test_bad_budget_settings_are_refused(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_settings(environ=env)


def test_a_budget_turned_off_needs_no_burst() -> None:
    env = {"KGGRAPH_CLIENT_BUDGET_SECONDS": "0", "KGGRAPH_CLIENT_BURST_SECONDS": "0"}
    assert not BudgetLimits.from_settings(load_settings(environ=env)).time.on
