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
class Entry:
    """One client's numbers: each bucket's balance and when it was last charged, and how many
    of its queries are running. The decisions on it are the functions below, which every
    ``Counters`` shares."""

    time: float
    time_at: float
    errors: float
    errors_at: float
    running: int = 0

    @classmethod
    def full(cls, limits: BudgetLimits, now: float) -> Entry:
        """A client never seen: both buckets full, nothing running."""
        return cls(limits.time.burst, now, limits.errors.burst, now)


def out_of_errors(entry: Entry | None, limits: BudgetLimits, now: float) -> Refusal | None:
    """The refusal of a client whose bucket of failures is empty; ``None`` for one never seen."""
    rate = limits.errors
    if not rate.on or entry is None:
        return None
    balance = level(entry.errors, entry.errors_at, now, rate)
    if balance > 0:
        return None
    return refusal(Limit.ERRORS, limits, wait=seconds_until(balance, rate))


def admit_entry(entry: Entry, limits: BudgetLimits, now: float) -> Refusal | None:
    """Refuse a query for time or concurrency, or count it as running on ``entry``."""
    rate = limits.time
    balance = level(entry.time, entry.time_at, now, rate) if rate.on else 1.0
    if balance <= 0:
        return refusal(Limit.TIME, limits, wait=seconds_until(balance, rate))
    if limits.concurrency and entry.running >= limits.concurrency:
        return refusal(Limit.CONCURRENCY, limits)
    entry.running += 1
    return None


def settle_entry(entry: Entry, limits: BudgetLimits, now: float, seconds: float) -> None:
    """A query of ``entry``'s has ended, having taken ``seconds``."""
    entry.running = max(0, entry.running - 1)
    if limits.time.on:
        entry.time = level(entry.time, entry.time_at, now, limits.time) - seconds
        entry.time_at = now


def charge_error(entry: Entry, limits: BudgetLimits, now: float) -> None:
    """One failed query comes off ``entry``'s bucket of failures."""
    entry.errors = level(entry.errors, entry.errors_at, now, limits.errors) - 1
    entry.errors_at = now


def idle(entry: Entry, limits: BudgetLimits, now: float) -> bool:
    """Nothing running and both buckets full: the same as a client never seen."""
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


def in_debt(entry: Entry, limits: BudgetLimits, now: float) -> bool:
    """Whether the client would be refused now for time or for failures."""
    return (limits.time.on and level(entry.time, entry.time_at, now, limits.time) <= 0) or (
        limits.errors.on and level(entry.errors, entry.errors_at, now, limits.errors) <= 0
    )


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
        self._clients: OrderedDict[str, Entry] = OrderedDict()

    def __len__(self) -> int:
        return len(self._clients)

    async def before(self, client: str) -> Refusal | None:
        return out_of_errors(self._clients.get(client), self.limits, self._clock())

    async def admit(self, client: str, ticket: str) -> Refusal | None:
        now = self._clock()
        refused = out_of_errors(self._clients.get(client), self.limits, now)
        if refused is not None:
            return refused
        if not self.limits.time.on and not self.limits.concurrency:
            return None
        return admit_entry(self._visit(client, now), self.limits, now)

    async def settle(self, client: str, ticket: str, seconds: float) -> None:
        if not self.limits.time.on and not self.limits.concurrency:
            return
        now = self._clock()
        settle_entry(self._visit(client, now), self.limits, now, seconds)

    async def count_error(self, client: str) -> None:
        if not self.limits.errors.on:
            return
        now = self._clock()
        charge_error(self._visit(client, now), self.limits, now)

    async def throttled(self) -> int:
        now = self._clock()
        return sum(1 for entry in self._clients.values() if in_debt(entry, self.limits, now))

    async def close(self) -> None:
        self._clients.clear()

    def _visit(self, client: str, now: float) -> Entry:
        """The client's entry (a new one with full buckets), marked as the latest visited;
        then a few of the longest unvisited are forgotten if they hold nothing."""
        entry = self._clients.get(client)
        if entry is None:
            entry = Entry.full(self.limits, now)
            self._clients[client] = entry
        self._clients.move_to_end(client)
        self._sweep(now)
        return entry

    def _sweep(self, now: float) -> None:
        for _ in range(min(SWEEP, len(self._clients) - 1)):
            oldest, entry = next(iter(self._clients.items()))
            if idle(entry, self.limits, now):
                del self._clients[oldest]
            else:
                self._clients.move_to_end(oldest)
        while len(self._clients) > self._max_clients:
            self._clients.popitem(last=False)
