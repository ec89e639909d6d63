"""Client budgets kept in Redis, so that several web processes hold a client to one budget.

Each client has a hash (``<prefix><client>``: the balance of each bucket and when it was last
charged) and a sorted set of its running queries (``…:run``, each with the time by which it must
have ended: a process that dies mid-query cannot leave a slot taken for good). One Lua script per
operation reads, decides and writes atomically, on Redis's own clock (``TIME``), so the processes
agree however their clocks drift; the arithmetic is ``kggraph.budgets.counters``'s. Every key
expires once it would hold nothing (a bucket full again, no query running), so Redis keeps only
clients that are active. A sorted set of clients in debt, each until when, answers ``/health``.

**When Redis cannot be reached** the process logs it once and counts in its own memory
(``MemoryCounters``) until Redis answers again, tried at most every ``RETRY_SECONDS``: a budget
is a protection, and failing every query because its bookkeeping is down would be the outage it
protects against. Meanwhile each process enforces the budget on its own, so a client may get up
to one budget per process; the log says when sharing stops and when it resumes, and ``/health``
shows the backend in use.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from kggraph.budgets.counters import (
    MAX_CLIENTS,
    BudgetLimits,
    Limit,
    MemoryCounters,
    Rate,
    Refusal,
    refusal,
    seconds_until,
)

log = logging.getLogger(__name__)

PREFIX = "kggraph:budget:"
RETRY_SECONDS = 5.0
"""After Redis failed, how long the process counts on its own before it tries Redis again."""
TIMEOUT_SECONDS = 0.5
"""Longest wait for Redis (connecting, or one command) before counting in memory instead."""

T = TypeVar("T")

_COMMON = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function level(key, field, rate, burst, now)
  local v = redis.call('HMGET', key, field, field .. '_at')
  if not v[1] then return burst end
  local l = tonumber(v[1]) + math.max(0, now - tonumber(v[2])) / 1000 * rate
  if l > burst then l = burst end
  return l
end
"""

ADMIT = (
    _COMMON
    + """
-- KEYS: the client's hash, its running set. ARGV: time rate/s, time burst, error rate/s,
-- error burst, queries at once, ticket, hold (ms). Returns {limit or 'ok', balance}.
local now = now_ms()
local erate, eburst = tonumber(ARGV[3]), tonumber(ARGV[4])
if erate > 0 then
  local e = level(KEYS[1], 'e', erate, eburst, now)
  if e <= 0 then return {'errors', tostring(e)} end
end
local trate, tburst = tonumber(ARGV[1]), tonumber(ARGV[2])
if trate > 0 then
  local t = level(KEYS[1], 't', trate, tburst, now)
  if t <= 0 then return {'time', tostring(t)} end
end
local most = tonumber(ARGV[5])
if most > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
  if redis.call('ZCARD', KEYS[2]) >= most then return {'concurrency', '0'} end
  local hold = tonumber(ARGV[7])
  redis.call('ZADD', KEYS[2], now + hold, ARGV[6])
  redis.call('PEXPIRE', KEYS[2], hold)
end
return {'ok', '0'}
"""
)

CHARGE = (
    _COMMON
    + """
-- KEYS: the client's hash, its running set, the set of clients in debt. ARGV: field ('t' or
-- 'e'), rate/s, burst, cost, ticket ('' for none), client. Returns the new balance.
local now = now_ms()
if ARGV[5] ~= '' then redis.call('ZREM', KEYS[2], ARGV[5]) end
local field, rate, burst = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if rate <= 0 then return '1' end
local l = level(KEYS[1], field, rate, burst, now) - tonumber(ARGV[4])
redis.call('HSET', KEYS[1], field, tostring(l), field .. '_at', now)
local full = math.ceil((burst - l) / rate * 1000) + 1000
if redis.call('PTTL', KEYS[1]) < full then redis.call('PEXPIRE', KEYS[1], full) end
if l <= 0 then
  local back = now + math.ceil(-l / rate * 1000)
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  redis.call('ZADD', KEYS[3], 'GT', back, ARGV[6])
  if redis.call('PTTL', KEYS[3]) < back - now + 1000 then
    redis.call('PEXPIRE', KEYS[3], back - now + 1000)
  end
end
return tostring(l)
"""
)

THROTTLED = (
    _COMMON
    + """
-- KEYS: the set of clients in debt. Returns how many still are.
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now_ms())
return redis.call('ZCARD', KEYS[1])
"""
)


class RedisCounters:
    """``kggraph.budgets.counters.Counters`` in Redis, shared by every process given the same
    URL."""

    def __init__(
        self,
        url: str,
        limits: BudgetLimits,
        *,
        prefix: str = PREFIX,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self._prefix = prefix
        self._clock = clock
        self._where = _shown(url)
        self._redis = aioredis.Redis.from_url(
            url,
            socket_connect_timeout=TIMEOUT_SECONDS,
            socket_timeout=TIMEOUT_SECONDS,
            decode_responses=True,
        )
        self._admit = self._redis.register_script(ADMIT)
        self._charge = self._redis.register_script(CHARGE)
        self._throttled = self._redis.register_script(THROTTLED)
        self._memory = MemoryCounters(limits, clock=clock)
        self._down_until: float | None = None
        self._failing: OrderedDict[str, float] = OrderedDict()
        """Clients seen out of failures, until when: ``before`` answers without asking Redis."""
        self._admitted_here: set[str] = set()
        """Tickets admitted in memory while Redis was away: they end there too, so the count
        of queries running in memory does not keep one that ended after Redis came back."""

    @property
    def backend(self) -> str:
        return "memory" if self._down_until is not None else "redis"

    async def before(self, client: str) -> Refusal | None:
        if self._down_until is not None:
            return await self._memory.before(client)
        until = self._failing.get(client)
        if until is None:
            return None
        wait = until - self._clock()
        if wait <= 0:
            del self._failing[client]
            return None
        return refusal(Limit.ERRORS, self.limits, wait=int(wait) + 1)

    async def admit(self, client: str, ticket: str) -> Refusal | None:
        time_rate, errors = self.limits.time, self.limits.errors
        hold_ms = int(self.limits.hold_seconds * 1000)
        args = [*_rate(time_rate), *_rate(errors), str(self.limits.concurrency), ticket]
        args.append(str(hold_ms))
        keys = [self._key(client), self._key(client) + ":run"]
        found = await self._try(lambda: self._admit(keys=keys, args=args))
        if found is None:
            refused = await self._memory.admit(client, ticket)
            if refused is None:
                self._admitted_here.add(ticket)
            return refused
        if found[0] == "ok":
            return None
        limit, balance = Limit(found[0]), float(found[1])
        rate = errors if limit is Limit.ERRORS else time_rate
        wait = 1 if limit is Limit.CONCURRENCY else seconds_until(balance, rate)
        refused = refusal(limit, self.limits, wait=wait)
        if limit is Limit.ERRORS:
            self._remember_failing(client, refused.retry_after)
        return refused

    async def settle(self, client: str, ticket: str, seconds: float) -> None:
        if ticket in self._admitted_here:
            self._admitted_here.discard(ticket)
            await self._memory.settle(client, ticket, seconds)
            return
        charged = await self._charge_bucket(client, "t", self.limits.time, seconds, ticket)
        if charged is None:
            await self._memory.settle(client, ticket, seconds)

    async def count_error(self, client: str) -> None:
        if not self.limits.errors.on:
            return
        balance = await self._charge_bucket(client, "e", self.limits.errors, 1.0, "")
        if balance is None:
            await self._memory.count_error(client)
        elif balance <= 0:
            self._remember_failing(client, seconds_until(balance, self.limits.errors))

    async def throttled(self) -> int:
        found = await self._try(lambda: self._throttled(keys=[self._prefix + "throttled"]))
        if found is None:
            return await self._memory.throttled()
        return int(found)

    async def close(self) -> None:
        await self._redis.aclose()

    async def _charge_bucket(
        self, client: str, field: str, rate: Rate, cost: float, ticket: str
    ) -> float | None:
        keys = [self._key(client), self._key(client) + ":run", self._prefix + "throttled"]
        args = [field, *_rate(rate), repr(cost), ticket, client]
        found = await self._try(lambda: self._charge(keys=keys, args=args))
        return None if found is None else float(found)

    async def _try(self, command: Callable[[], Awaitable[Any]]) -> Any:
        """The command's reply, or ``None`` when Redis cannot be reached (logged once)."""
        if self._down_until is not None and self._clock() < self._down_until:
            return None
        try:
            reply = await command()
        except (RedisError, OSError) as err:
            if self._down_until is None:
                log.warning(
                    "Redis at %s cannot be reached (%s): client budgets are counted in each web "
                    "process on its own until it can",
                    self._where,
                    err,
                )
            self._down_until = self._clock() + RETRY_SECONDS
            return None
        if self._down_until is not None:
            log.warning("Redis at %s answers again: client budgets are shared again", self._where)
            self._down_until = None
        return reply

    def _remember_failing(self, client: str, seconds: int) -> None:
        self._failing[client] = self._clock() + seconds
        self._failing.move_to_end(client)
        while len(self._failing) > MAX_CLIENTS:
            self._failing.popitem(last=False)

    def _key(self, client: str) -> str:
        return self._prefix + client


def _rate(rate: Rate) -> list[str]:
    """A bucket's rate per second and burst as script arguments (0: off)."""
    return [repr(rate.per_second), repr(rate.burst)] if rate.on else ["0", "0"]


def _shown(url: str) -> str:
    """The URL without its password, for the log."""
    parts = urlsplit(url)
    host = parts.hostname or parts.path or "?"
    return f"{parts.scheme}://{host}:{parts.port}" if parts.port else f"{parts.scheme}://{host}"
