"""Connections a web process holds: a deadline for request headers, a cap, the descriptor limit.

uvicorn closes a connection that stays idle *between* requests (``timeout_keep_alive``), but a
connection that opens and sends half a request line, or trickles its headers a byte at a time,
is never closed: its keep-alive timer is disarmed by the first byte and nothing re-arms it
until an answer is sent (its issue #157 proposed a ``--timeout-request-start`` that was never
made). Each one holds a file descriptor, so a few thousand of them (slowloris) lock every client
out. ``limit_concurrency`` does not help: it answers ``503`` once a request's headers are in,
which these never are.

So ``kggraph serve`` runs uvicorn with the protocol class here, uvicorn's own with two things
added (its ``http`` option takes a protocol class):

- **a header deadline**: from the moment a connection opens, and again from the moment an
  answer has been sent on it (keep-alive), the client has ``header_timeout`` seconds to deliver
  a request's complete headers; if it has not, the connection is closed. The deadline is
  absolute, not reset by each byte, so trickling does not stretch it. A request whose headers
  are in is never cut by it, however long its answer takes.
- **a cap**: a connection that would make more than ``max_connections`` open at once gets a
  one-line ``503`` and is closed at once (uvicorn's ``limit_concurrency`` counts the same way
  and also bounds requests in flight).

``raise_open_files_limit`` lifts the soft limit on descriptors to the hard one at start (the
default soft limit, often 1024, is what 20,000 half-sent requests ran into).

A reverse proxy in front (nginx, Caddy, HAProxy) adds what one process cannot: limits per
client address (connections and request rate), buffering of slow clients before they reach
uvicorn, and TLS; see the README.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import resource
import time
from collections.abc import Callable
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

LOG = logging.getLogger("kggraph.connections")
REFUSAL_LOG_SECONDS = 10.0
"""At most one warning about refused connections per this many seconds (with their count)."""
DESCRIPTOR_RESERVE = 64
"""Descriptors a web process needs besides its connections: the listening socket, query
workers' pipes, release files, logs."""
_REFUSAL_TEXT = (
    b"503 Service Unavailable: the server holds as many connections as it takes; "
    b"try again shortly\n"
)
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: " + str(len(_REFUSAL_TEXT)).encode() + b"\r\n"
    b"retry-after: 5\r\ncache-control: no-store\r\nconnection: close\r\n\r\n" + _REFUSAL_TEXT
)


class _Refusals:
    """How many connections were refused since the last warning (one per process)."""

    count = 0
    warned_at = 0.0

    @classmethod
    def note(cls, limit: int) -> None:
        cls.count += 1
        now = time.monotonic()
        if now - cls.warned_at >= REFUSAL_LOG_SECONDS:
            LOG.warning(
                "refused %d connection(s): %d are open, the most KGGRAPH_MAX_CONNECTIONS allows",
                cls.count,
                limit,
            )
            cls.count, cls.warned_at = 0, now


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's default HTTP protocol (httptools, in ``uvicorn[standard]``) with the header
    deadline and the connection cap."""

    header_timeout: float = 10.0
    max_connections: int | None = None
    _deadline: asyncio.TimerHandle | None = None

    def __init__(
        self, *args: Any, header_timeout: float, max_connections: int | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout
        self.max_connections = max_connections

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        limit = self.max_connections
        if limit is not None and len(self.connections) > limit:
            transport.write(REFUSAL)
            transport.close()
            _Refusals.note(limit)
            return
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        """Give the client ``header_timeout`` seconds, from now, for its next request's headers."""
        self._disarm()
        self._deadline = self.loop.call_later(self.header_timeout, self._late, self.cycle)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _late(self, cycle_when_armed: object) -> None:
        """Close the connection unless a request's headers came in (a new cycle) and its answer
        is still being made or sent."""
        self._deadline = None
        if self.transport.is_closing():
            return
        waiting = self.cycle is cycle_when_armed and (
            self.cycle is None or self.cycle.response_complete
        )
        if waiting:
            self.transport.close()


def guarded_protocol(
    *, header_timeout: float, max_connections: int | None
) -> Callable[..., asyncio.Protocol]:
    """uvicorn's ``http`` option: what it calls with its own arguments to make a protocol per
    connection. A ``functools.partial`` of a module-level class, so uvicorn can hand it to its
    worker processes (``--workers``), which receive the configuration pickled."""
    return functools.partial(
        GuardedHttpProtocol, header_timeout=header_timeout, max_connections=max_connections
    )


def raise_open_files_limit() -> tuple[int, int]:
    """Lift this process's soft limit on open files to its hard limit (children inherit it);
    the limits before and after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):  # pragma: no cover - refused by the system: keep soft
            return soft, soft
        return soft, hard
    return soft, soft
