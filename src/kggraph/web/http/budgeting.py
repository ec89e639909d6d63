"""Per-client query budgets at the web edge (``kggraph.budgets.counters``): who asks, and what it
costs.

``ClientBudgets`` wraps the whole server (the ``/sparql`` fast path included). For each request
it works out the client (``kggraph.web.http.client_id``) and makes it the current one for whatever
runs a query while answering; on the query routes (``/sparql``, ``/queries/…``) it first
refuses, with ``429``, a client that is out of failed queries, and afterwards counts an answer
in ``4xx`` (but ``404``, ``410`` and ``429``) as a failed query.

``run_query`` is how the routes run a query that the answer cache did not hold: for the current
client it is refused (``429``, ``TooManyRequests``) past its time budget or its queries at once,
else counted as running, and once it has ended (answered, failed or timed out) its time, as
measured here from handing it to the pool to its answer, is charged. So cache hits, ``304``s and
what the server reads once per release (the network, the timeline) cost a client nothing; the
linked-data pages and ``/search`` pay for what they make the workers run.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kggraph.budgets.counters import BudgetLimits, Counters, MemoryCounters, Refusal
from kggraph.budgets.redis_counters import RedisCounters
from kggraph.budgets.shared_counters import SharedCounters
from kggraph.core.config import Settings
from kggraph.core.errors import TooManyRequests
from kggraph.query.executor import Answer, QueryTask
from kggraph.web.http.client_id import ClientIdentifier
from kggraph.web.http.errors import error_answer
from kggraph.web.runtime import Runtime

_PROCESS = secrets.token_hex(6)
_TICKETS = itertools.count()
"""A running query's ticket: this process's random name and a count, unique across the web
processes and hosts that share budgets in Redis (and cheaper than a random token each)."""

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

QUERY_PATHS = ("/sparql", "/queries/", "/fragments")
"""Where clients send queries of their own (a triple pattern is one too): answers in error there
count as failed queries."""
NOT_FAILURES = frozenset({404, 410, 429})
"""``4xx`` answers that are no failed query: nothing there, gone, or already refused."""
KNOWN_CLIENTS = 4096
"""Clients (peer, ``X-Forwarded-For``, ``User-Agent``) whose keys one process remembers, so a
client asking again is not identified again; past this many the memory starts afresh."""
KNOWN_HEADER_BYTES = 512
"""A client whose ``User-Agent`` and ``X-Forwarded-For`` are longer is identified each time
rather than remembered, so the memory stays small whatever clients send."""


@dataclass(frozen=True)
class _Spender:
    counters: Counters
    client: str


_current: ContextVar[_Spender | None] = ContextVar("kggraph_budget_client", default=None)
"""The client the request being answered is for (set by ``ClientBudgets``, per request)."""


def counters_for(settings: Settings) -> Counters:
    """Budgets in Redis when ``redis_url`` is set, else in the table that ``kggraph serve``
    shares between its web processes (``budget_file``), else in this process."""
    limits = BudgetLimits.from_settings(settings)
    if settings.redis_url:
        return RedisCounters(settings.redis_url, limits)
    if settings.budget_file:
        return SharedCounters(Path(settings.budget_file), limits)
    return MemoryCounters(limits)


async def run_query(runtime: Runtime, task: QueryTask) -> Answer:
    """Run ``task`` on the pool, within the current client's budget (``429`` past it), and
    charge the time it took; outside a request (no current client) just run it."""
    spender = _current.get()
    if spender is None:
        return await runtime.pool.run(task)
    ticket = f"{_PROCESS}-{next(_TICKETS)}"
    refused = await spender.counters.admit(spender.client, ticket)
    if refused is not None:
        raise TooManyRequests(refused.message, retry_after=refused.retry_after)
    started = time.perf_counter()
    try:
        return await runtime.pool.run(task)
    finally:
        await spender.counters.settle(spender.client, ticket, time.perf_counter() - started)


class ClientBudgets:
    """ASGI: the current client for every request; failed queries counted and limited."""

    def __init__(
        self,
        app: ASGIApp,
        counters: Counters,
        *,
        limits: BudgetLimits,
        identifier: ClientIdentifier,
    ) -> None:
        self.app = app
        self._counters = counters
        self._on = limits.on
        self._identifier = identifier
        self._known: dict[tuple[str | None, bytes | None, bytes], _Spender] = {}

    def __getattr__(self, name: str) -> Any:
        """The wrapped application's attributes (``state``, ``routes``) stay reachable."""
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._on:
            await self.app(scope, receive, send)
            return
        spender = self._spender(scope)
        client = spender.client
        if not scope["path"].startswith(QUERY_PATHS):
            token = _current.set(spender)
            try:
                await self.app(scope, receive, send)
            finally:
                _current.reset(token)
            return
        refused = await self._counters.before(client)
        if refused is not None:
            await _refuse(refused, scope, receive, send)
            return
        status = 0

        def watch(message: Message) -> Awaitable[None]:  # send's own awaitable, no coroutine
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            return send(message)

        token = _current.set(spender)
        try:
            await self.app(scope, receive, watch)
        finally:
            _current.reset(token)
        if 400 <= status < 500 and status not in NOT_FAILURES:
            await self._counters.count_error(client)

    def _spender(self, scope: Scope) -> _Spender:
        """The request's client (``kggraph.web.http.client_id``), identified once and then
        remembered (``KNOWN_CLIENTS``, ``KNOWN_HEADER_BYTES``)."""
        forwarded: bytes | None = None
        agent = b""
        for name, value in scope["headers"]:
            if name == b"user-agent":
                agent = value
            elif name == b"x-forwarded-for":
                forwarded = value if forwarded is None else forwarded + b", " + value
        peer = scope.get("client")
        seen = (peer[0] if peer else None, forwarded, agent)
        found = self._known.get(seen)
        if found is not None:
            return found
        forwarded_for = None if forwarded is None else forwarded.decode("latin-1")
        key = self._identifier.key(seen[0], forwarded_for, agent.decode("latin-1"))
        found = _Spender(self._counters, key)
        if len(agent) + len(forwarded or b"") <= KNOWN_HEADER_BYTES:
            if len(self._known) >= KNOWN_CLIENTS:
                self._known.clear()
            self._known[seen] = found
        return found


async def _refuse(refused: Refusal, scope: Scope, receive: Receive, send: Send) -> None:
    """``429`` in the shape of the route's errors (``kggraph.web.http.errors``), with CORS: this
    layer is in front of the application and its CORS middleware."""
    err = TooManyRequests(refused.message, retry_after=refused.retry_after)
    response = error_answer(err, scope)
    response.headers["Access-Control-Allow-Origin"] = "*"
    await response(scope, receive, send)
