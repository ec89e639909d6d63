"""Query worker processes that can be killed: the only time limit that really holds.

pyoxigraph's ``Store.query`` has no timeout, and a running evaluation cannot be interrupted from
inside the process. So queries run in worker processes, each holding its own copy of the published
graph; when the time limit passes, the server kills the worker (``SIGKILL``) and starts a fresh one
(``kggraph.query.pool`` decides when). Workers lock themselves out of the network before they load
the graph (``kggraph.query.sandbox``), so a ``SERVICE`` call that got past the query reader still
cannot leave the machine; only when the settings' allow-list names endpoints is the lock left off,
and the reader alone decides. They also cap their own memory before loading
(``WorkerLimits.memory``): a query that needs more aborts its worker (``SIGABRT``, which
``Worker.out_of_memory`` tells apart from other deaths) or fails with ``MemoryError``; either way
its client is told the query needed more memory than a worker may use.

The pipe carries length-prefixed pickles. The server sends ``("task", ticket, QueryTask)`` and
``("skip", ticket)``; a worker answers its tasks in the order they came with ``(ticket, "ok",
Answer)`` or ``(ticket, "error", (class name, message, location))``. Before it starts a task it
reads whatever else has arrived, so a task the server has moved to another worker (``skip``) is
dropped unstarted.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import pickle
import select
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, cast

from kggraph.core import errors
from kggraph.core.config import DEFAULT_MAX_ANSWER_BYTES
from kggraph.core.errors import KggraphError, QueryError
from kggraph.graph.release import Release
from kggraph.query.executor import Answer, QueryTask

_CONTEXT = mp.get_context("spawn")
"""Spawned, not forked: the server runs threads (uvicorn, asyncio), which ``fork`` would copy
in an unknown state. The cost is a start-up of about half a second per worker."""

_HEADER = 8
"""Bytes of a frame's length prefix."""
_READ_SIZE = 256 * 1024
"""Bytes asked for per read of the pipe."""

STARTUP_TIMEOUT = 120.0
"""Seconds a new worker may take to load the graph (a million triples take a few)."""

Outcome = Answer | KggraphError
"""What a task came to: its answer, or the error the worker reported (the worker is fine)."""


@dataclass(frozen=True)
class WorkerLimits:
    """What a worker may do: rows and bytes per answer, memory, and the network."""

    max_rows: int
    max_bytes: int = DEFAULT_MAX_ANSWER_BYTES
    memory: int = 0
    """Bytes of address space (``RLIMIT_AS``); 0 for no ceiling."""
    lock_network: bool = True

    def memory_message(self) -> str:
        """What a client is told when its query passed the memory ceiling."""
        return (
            f"the query needed more memory than a worker may use ({self.memory / 2**20:.0f} MiB, "
            "KGGRAPH_WORKER_MEMORY) and was stopped"
        )


def _serve(conn: Connection, release_path: str, limits: WorkerLimits) -> None:
    """The worker's main loop: lock down, load the graph, answer tasks until the pipe closes."""
    from kggraph.query.run import execute  # imported in the worker only
    from kggraph.query.sandbox import die_with_parent, forbid_network, limit_memory

    die_with_parent()
    fd = conn.fileno()
    locked = forbid_network() if limits.lock_network else False
    capped = limit_memory(limits.memory)
    store = Release(Path(release_path)).open_store()
    info = {"quads": len(store), "network_locked": locked, "pid": os.getpid()}
    _write_frame(fd, ("ready", {**info, "memory_limit": limits.memory if capped else None}))
    queue: deque[tuple[int, QueryTask]] = deque()
    while True:
        try:
            if not queue:
                _take(_read_message(fd), queue)
            while select.select([fd], [], [], 0)[0]:  # a skip may follow a queued task
                _take(_read_message(fd), queue)
        except (EOFError, OSError):
            return
        if queue:
            ticket, task = queue.popleft()
            _reply(fd, ticket, _attempt(execute, store, task, limits), limits)


def _reply(fd: int, ticket: int, outcome: tuple[str, object], limits: WorkerLimits) -> None:
    """Send a task's outcome; if the answer cannot even be framed within the memory ceiling,
    send that instead."""
    try:
        frame = _frame((ticket, *outcome))
    except MemoryError:
        frame = _frame((ticket, "error", ("QueryUnavailable", limits.memory_message(), None)))
    _write_all(fd, frame)


def _take(message: tuple[Any, ...], queue: deque[tuple[int, QueryTask]]) -> None:
    """Queue a task, or drop a queued one the server has moved elsewhere."""
    kind, ticket = message[0], message[1]
    if kind == "task":
        queue.append((ticket, message[2]))
    elif kind == "skip":
        for queued in queue:
            if queued[0] == ticket:
                queue.remove(queued)
                break


def _attempt(
    execute: Callable[..., Answer], store: Any, task: QueryTask, limits: WorkerLimits
) -> tuple[str, object]:
    try:
        return ("ok", execute(store, task, max_rows=limits.max_rows, max_bytes=limits.max_bytes))
    except MemoryError:  # Python's own allocations; pyoxigraph's abort the process instead
        return ("error", ("QueryUnavailable", limits.memory_message(), None))
    except KggraphError as err:
        return ("error", (type(err).__name__, err.message, err.location))
    except Exception as err:  # noqa: BLE001 - anything pyoxigraph raises while evaluating
        return ("error", ("QueryError", f"{type(err).__name__}: {err}", None))


def _frame(message: object) -> bytes:
    """A message as one frame: its pickled length (8 bytes, big-endian), then the pickle."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(payload).to_bytes(_HEADER, "big") + payload


def _write_frame(fd: int, message: object) -> None:
    """Write one frame on a blocking descriptor (the worker's side)."""
    _write_all(fd, _frame(message))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _read_message(fd: int) -> tuple[Any, ...]:
    """Read one message from a blocking descriptor (the worker's side)."""
    size = int.from_bytes(_read_exactly(fd, _HEADER), "big")
    return cast(tuple[Any, ...], pickle.loads(_read_exactly(fd, size)))  # noqa: S301 - our server


def _read_exactly(fd: int, size: int) -> bytes:
    parts: list[bytes] = []
    while size:
        chunk = os.read(fd, min(size, _READ_SIZE))
        if not chunk:
            raise EOFError("the server closed the pipe")
        parts.append(chunk)
        size -= len(chunk)
    return b"".join(parts)


def _rebuild(kind: str, message: str, location: str | None) -> KggraphError:
    """The worker's error, raised again in the server as the same class."""
    cls = getattr(errors, kind, QueryError)
    if not (isinstance(cls, type) and issubclass(cls, KggraphError)):
        cls = QueryError
    try:
        return cls(message, location=location)
    except TypeError:  # an error class with another constructor
        return QueryError(message, location=location)


OnReply = Callable[["Worker", int, Outcome], None]
OnLost = Callable[["Worker"], None]


def _ignore_reply(worker: Worker, ticket: int, outcome: Outcome) -> None:
    """The default until a pool takes the worker."""


def _ignore_loss(worker: Worker) -> None:
    """The default until a pool takes the worker."""


@dataclass(eq=False)
class Worker:
    """One worker process and the server's end of its pipe.

    The server side never blocks: the descriptor stays non-blocking, a reader registered once
    on the event loop collects whatever arrives and hands each whole reply to ``on_reply`` (a
    pipe that closes goes to ``on_lost``), and a frame too big for the pipe at once is finished
    by a writer callback. Per query that is one write and one or two reads, with no watcher set
    up and torn down each time.
    """

    process: BaseProcess
    conn: Connection
    version: str
    info: dict[str, object] = field(default_factory=dict)
    on_reply: OnReply = _ignore_reply
    on_lost: OnLost = _ignore_loss
    _inbox: bytearray = field(default_factory=bytearray)
    _outbox: bytearray = field(default_factory=bytearray)
    _starting: asyncio.Future[dict[str, object]] | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _closed: bool = False

    @classmethod
    def launch(cls, release: Release, limits: WorkerLimits) -> Worker:
        """Start a worker process; it is usable once ``ready`` returns.

        Called on the event loop's thread, never from a thread pool: the worker asks the kernel
        to kill it when its parent *thread* ends (``PR_SET_PDEATHSIG``), and pool threads come
        and go.
        """
        parent, child = _CONTEXT.Pipe(duplex=True)
        process = _CONTEXT.Process(
            target=_serve,
            args=(child, str(release.path), limits),
            name=f"kggraph-query-{release.version}",
            daemon=True,
        )
        process.start()
        child.close()
        worker = cls(process, parent, release.version)
        worker._attach()
        return worker

    async def ready(self, timeout: float = STARTUP_TIMEOUT) -> Worker:
        """Wait until the worker has loaded the graph; kill it and raise if it cannot."""
        starting = self._starting
        try:
            if starting is None:
                raise EOFError("the worker's pipe is closed")
            self.info = dict(await asyncio.wait_for(starting, timeout))
        except (TimeoutError, EOFError, OSError):
            self.kill()
            ended = f"exit code {self.process.exitcode}"
            if self.out_of_memory:
                ended = "out of memory: see KGGRAPH_WORKER_MEMORY"
            raise QueryError(
                f"a query worker could not load the graph ({self.version}; {ended}; its error "
                "is in the server's log)"
            ) from None
        finally:
            self._starting = None
        return self

    @property
    def alive(self) -> bool:
        return not self._closed

    @property
    def out_of_memory(self) -> bool:
        """Whether the worker, now stopped, aborted: what pyoxigraph (Rust) does when an
        allocation fails, i.e. at the memory ceiling. Call after ``kill``, which reaps it."""
        return self.process.exitcode == -signal.SIGABRT

    def send_task(self, ticket: int, task: QueryTask) -> None:
        """Hand the worker a task; it answers its tasks in the order they were sent."""
        self._send(("task", ticket, task))

    def send_skip(self, ticket: int) -> None:
        """Tell the worker to drop a task it has not started (it went to another worker)."""
        self._send(("skip", ticket))

    def kill(self) -> None:
        """Stop the worker now, whatever it is doing, and reap it."""
        self._detach()
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)

    def _send(self, message: object) -> None:
        """Queue one message and write as much of it as the pipe takes now (nothing once the
        pipe is closed: ``on_lost`` has been or will be called, and the pool acts on that)."""
        if self._closed:
            return
        pending = bool(self._outbox)
        self._outbox += _frame(message)
        if not pending:
            self._flush()

    def _attach(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._starting = self._loop.create_future()
        fd = self.conn.fileno()
        os.set_blocking(fd, False)
        self._loop.add_reader(fd, self._on_readable)

    def _detach(self) -> bool:
        """Stop watching the pipe; True the first time (the pipe was open until now)."""
        if self._closed:
            return False
        self._closed = True
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(OSError, ValueError):
                self._loop.remove_reader(self.conn.fileno())
                self._loop.remove_writer(self.conn.fileno())
        if self._starting is not None and not self._starting.done():
            self._starting.set_exception(EOFError("the worker's pipe is closed"))
        return True

    def _lose(self) -> None:
        """The pipe broke under us (the worker died): tell the pool, once, from the loop (never
        from inside a call the pool is making)."""
        if self._detach() and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon(self.on_lost, self)

    def _on_readable(self) -> None:
        eof = False
        try:
            while True:
                chunk = os.read(self.conn.fileno(), _READ_SIZE)
                if not chunk:  # the worker died
                    eof = True
                    break
                self._inbox += chunk
                if len(chunk) < _READ_SIZE:
                    break
        except BlockingIOError:
            pass
        except OSError:
            eof = True
        for message in self._take_all():
            self._deliver(message)
        if eof:
            self._lose()

    def _take_all(self) -> list[tuple[Any, ...]]:
        """Every whole message in the inbox, oldest first."""
        messages: list[tuple[Any, ...]] = []
        start = 0
        inbox = self._inbox
        while len(inbox) - start >= _HEADER:
            end = start + _HEADER + int.from_bytes(inbox[start : start + _HEADER], "big")
            if len(inbox) < end:
                break
            payload = memoryview(inbox)[start + _HEADER : end]
            try:
                messages.append(pickle.loads(payload))  # noqa: S301 - from our own worker
            finally:
                payload.release()
            start = end
        if start:
            del inbox[:start]
        return messages

    def _deliver(self, message: tuple[Any, ...]) -> None:
        if message[0] == "ready":
            if self._starting is not None and not self._starting.done():
                self._starting.set_result(message[1])
            return
        ticket, status, payload = message
        outcome = payload if status == "ok" else _rebuild(*payload)
        self.on_reply(self, ticket, outcome)

    def _flush(self) -> None:
        fd = self.conn.fileno()
        try:
            written = os.write(fd, self._outbox)
        except BlockingIOError:
            written = 0
        except OSError:
            self._lose()
            return
        del self._outbox[:written]
        if self._loop is None:  # pragma: no cover - attached at launch
            return
        if self._outbox:
            self._loop.add_writer(fd, self._flush)
        else:
            self._loop.remove_writer(fd)
