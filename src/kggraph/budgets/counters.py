"""Per-client budgets of query time, kept the way Wikidata's query service keeps them.

A client (in the web layer: its address and ``User-Agent``) has a bucket of query time that
refills continuously at ``per_minute / 60`` seconds a second, up to ``burst`` seconds. A query
may start while the balance is positive; once it has run, its measured time comes off, so a
long query can leave the balance negative (debt) and the client waits until it has refilled.
Queries that fail (``4xx``) are counted in a second, smaller bucket, one failure each, so a
client sending bad queries is held back too. At most ``concurrency`` queries of one client run
at once. A limit of 0 is off.

``Counters`` is what the web layer asks of a store of these numbers; ``MemoryCounters`` keeps them
in this process, ``kggraph.budgets.redis_counters.RedisCounters`` in Redis, shared by several web
processes. Both decide the same way: the arithmetic is here (``level``, ``seconds_until``).
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from kggraph.core.config import Settings

MAX_CLIENTS = 100_000
"""Clients one process remembers at most. A client whose buckets are full again and who has
nothing running holds no information and is forgotten anyway; past this bound the longest idle
are forgotten even so (they start again with a full budget)."""
SWEEP = 2
"""Clients looked at for forgetting on each visit: the eviction's cost is spread over requests."""
HOLD_MARGIN = 60.0
"""Seconds past the query time limit that a running query keeps its place in the count of
queries running (Redis), should the process running it die before it can say it ended."""


class Limit(StrEnum):
    """Which limit refused a query."""

    TIME = "time"
    CONCURRENCY = "concurrency"
    ERRORS = "errors"


@dataclass(frozen=True)
class Rate:
    """A bucket that refills at ``per_minute`` units a minute up to ``burst``; off at 0."""

    per_minute: float
    burst: float

    @property
    def on(self) -> bool:
        return self.per_minute > 0

    @property
    def per_second(self) -> float:
        return self.per_minute / 60


@dataclass(frozen=True)
class BudgetLimits:
    """Every client's limits: query time, failed queries, queries at once (0 = no limit)."""

    time: Rate
    errors: Rate
    concurrency: int
    hold_seconds: float = 30.0 + HOLD_MARGIN

    @classmethod
    def from_settings(cls, settings: Settings) -> BudgetLimits:
        return cls(
            time=Rate(settings.client_budget_seconds, settings.client_burst_seconds),
            errors=Rate(settings.client_errors, settings.client_error_burst),
            concurrency=settings.client_concurrency,
            hold_seconds=settings.query_timeout + HOLD_MARGIN,
        )

    @property
    def on(self) -> bool:
        return self.time.on or self.errors.on or self.concurrency > 0


@dataclass(frozen=True)
class Refusal:
    """A ``429``: which limit, whole seconds to wait (at least 1), and one line saying so."""

    limit: Limit
    retry_after: int
    message: str


def level(balance: float, since: float, now: float, rate: Rate) -> float:
    """The balance at ``now`` of a bucket that held ``balance`` at ``since``: refilled, capped."""
    return min(rate.burst, balance + max(0.0, now - since) * rate.per_second)


def seconds_until(balance: float, rate: Rate) -> int:
    """Whole seconds until ``balance`` is positive again (more than 0, as ``level`` reckons
    it), at least 1."""
    wait = max(1, math.ceil(-balance / rate.per_second))
    while balance + wait * rate.per_second <= 0:  # landing on 0 exactly: one second more
        wait += 1
    return wait


def refusal(limit: Limit, limits: BudgetLimits, *, wait: int = 1) -> Refusal:
    """The refusal for ``limit``, with ``wait`` seconds until the client may try again."""
    if limit is Limit.CONCURRENCY:
        return Refusal(
            limit,
            wait,
            f"too many queries at once: a client may have {limits.concurrency} running at a "
            "time; wait until one has ended",
        )
    rate = limits.time if limit is Limit.TIME else limits.errors
    if limit is Limit.TIME:
        what = (
            f"query time used up: a client has {_number(rate.per_minute)} s of query time a "
            f"minute, at most {_number(rate.burst)} s saved up"
        )
    else:
        what = (
            f"too many failed queries: a client may send {_number(rate.per_minute)} a minute, "
            f"at most {_number(rate.burst)} at once"
        )
    return Refusal(limit, wait, f"{what}; try again in {wait} s")


def _number(value: float) -> str:
    return f"{value:g}"


class Counters(Protocol):
    """Where the clients' balances are kept, checked and charged. ``client`` is an opaque key."""

    @property
    def backend(self) -> str:
        """``memory`` or ``redis``: where the counts are kept now."""
        ...

    async def before(self, client: str) -> Refusal | None:
        """A quick look, before a query request is read: is the client out of failures?"""
        ...

    async def admit(self, client: str, ticket: str) -> Refusal | None:
        """Before a query runs: refuse it, or count it as running (as ``ticket``)."""
        ...

    async def settle(self, client: str, ticket: str, seconds: float) -> None:
        """After an admitted query: it has ended, having taken ``seconds``."""
        ...

    async def count_error(self, client: str) -> None:
        """A query request of the client's ended in its own error (``4xx``)."""
        ...

    async def throttled(self) -> int:
        """How many clients would be refused now for time or failures."""
        ...

    async def close(self) -> None: ...


@dataclass
class _Client:
    time: float
    time_at: float
    errors: float
    errors_at: float
    running: int = 0


class MemoryCounters:
    """The counts in this process: exact for one web process, each process its own otherwise."""

    backend = "memory"

    def __init__(
        self,
        limits: BudgetLimits,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = MAX_CLIENTS,
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._max_clients = max_clients
        self._clients: OrderedDict[str, _Client] = OrderedDict()

    def __len__(self) -> int:
        return len(self._clients)

    async def before(self, client: str) -> Refusal | None:
        return self._out_of_errors(client, self._clock())

    async def admit(self, client: str, ticket: str) -> Refusal | None:
        now = self._clock()
        refused = self._out_of_errors(client, now)
        if refused is not None:
            return refused
        rate = self.limits.time
        if not rate.on and not self.limits.concurrency:
            return None
        entry = self._visit(client, now)
        balance = level(entry.time, entry.time_at, now, rate) if rate.on else 1.0
        if balance <= 0:
            return refusal(Limit.TIME, self.limits, wait=seconds_until(balance, rate))
        if self.limits.concurrency and entry.running >= self.limits.concurrency:
            return refusal(Limit.CONCURRENCY, self.limits)
        entry.running += 1
        return None

    async def settle(self, client: str, ticket: str, seconds: float) -> None:
        rate = self.limits.time
        if not rate.on and not self.limits.concurrency:
            return
        now = self._clock()
        entry = self._visit(client, now)
        entry.running = max(0, entry.running - 1)
        if rate.on:
            entry.time = level(entry.time, entry.time_at, now, rate) - seconds
            entry.time_at = now

    async def count_error(self, client: str) -> None:
        rate = self.limits.errors
        if not rate.on:
            return
        now = self._clock()
        entry = self._visit(client, now)
        entry.errors = level(entry.errors, entry.errors_at, now, rate) - 1
        entry.errors_at = now

    async def throttled(self) -> int:
        now = self._clock()
        return sum(1 for entry in self._clients.values() if self._in_debt(entry, now))

    async def close(self) -> None:
        self._clients.clear()

    def _out_of_errors(self, client: str, now: float) -> Refusal | None:
        rate = self.limits.errors
        entry = self._clients.get(client)
        if not rate.on or entry is None:
            return None
        balance = level(entry.errors, entry.errors_at, now, rate)
        if balance > 0:
            return None
        return refusal(Limit.ERRORS, self.limits, wait=seconds_until(balance, rate))

    def _visit(self, client: str, now: float) -> _Client:
        """The client's entry (a new one with full buckets), marked as the latest visited;
        then a few of the longest unvisited are forgotten if they hold nothing."""
        entry = self._clients.get(client)
        if entry is None:
            entry = _Client(self.limits.time.burst, now, self.limits.errors.burst, now)
            self._clients[client] = entry
        self._clients.move_to_end(client)
        self._sweep(now)
        return entry

    def _sweep(self, now: float) -> None:
        for _ in range(min(SWEEP, len(self._clients) - 1)):
            oldest, entry = next(iter(self._clients.items()))
            if self._idle(entry, now):
                del self._clients[oldest]
            else:
                self._clients.move_to_end(oldest)
        while len(self._clients) > self._max_clients:
            self._clients.popitem(last=False)

    def _idle(self, entry: _Client, now: float) -> bool:
        """Nothing running and both buckets full: the same as a client never seen."""
        limits = self.limits
        return (
            entry.running == 0
            and (
                not limits.time.on
                or level(entry.time, entry.time_at, now, limits.time) >= limits.time.burst
            )
            and (
                not limits.errors.on
                or level(entry.errors, entry.errors_at, now, limits.errors) >= limits.errors.burst
            )
        )

    def _in_debt(self, entry: _Client, now: float) -> bool:
        limits = self.limits
        return (limits.time.on and level(entry.time, entry.time_at, now, limits.time) <= 0) or (
            limits.errors.on and level(entry.errors, entry.errors_at, now, limits.errors) <= 0
        )
