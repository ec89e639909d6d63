"""Queries run in worker processes that can be killed: the only time limit that really holds.

pyoxigraph's ``Store.query`` has no timeout, and a running evaluation cannot be interrupted
from inside the process. So each query goes to a worker process holding its own copy of the
published graph; when the time limit passes, the server kills that worker (``SIGKILL``) and
starts a fresh one, and the client gets a ``QueryTimeout``. Workers lock themselves out of the
network before they load the graph (``kggraph.sandbox``), so a ``SERVICE`` call that got past
the query reader still cannot leave the machine; only when the settings' allow-list names
endpoints is the lock left off, and the reader alone decides.

The pool is asyncio-native: waiting for a worker and for its answer never blocks the event
loop, so other clients keep being answered while a slow query runs. A new build is followed by
``reload``: new workers load it, old ones are retired as they come back.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing as mp
import os
import pickle
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any, cast

from kggraph import errors
from kggraph.errors import KggraphError, QueryError, QueryTimeout
from kggraph.executor import Answer, QueryTask
from kggraph.release import Release

_CONTEXT = mp.get_context("spawn")
"""Spawned, not forked: the server runs threads (uvicorn, asyncio), which ``fork`` would copy
in an unknown state. The cost is a start-up of about half a second per worker."""

_HEADER = 8
"""Bytes of a frame's length prefix."""
_READ_SIZE = 256 * 1024
"""Bytes asked for per read of the pipe."""

STARTUP_TIMEOUT = 120.0
"""Seconds a new worker may take to load the graph (a million triples take a few)."""


def _serve(conn: Connection, release_path: str, max_rows: int, lock_network: bool) -> None:
    """The worker's main loop: lock down, load the graph, answer tasks until the pipe closes."""
    from kggraph.results import execute  # imported in the worker only
    from kggraph.sandbox import die_with_parent, forbid_network

    die_with_parent()
    fd = conn.fileno()
    locked = forbid_network() if lock_network else False
    store = Release(Path(release_path)).open_store()
    _write_frame(fd, ("ready", {"quads": len(store), "network_locked": locked, "pid": os.getpid()}))
    while True:
        try:
            task = pickle.loads(_read_frame(fd))  # noqa: S301 - from our own server process
        except (EOFError, OSError):
            return
        try:
            reply: tuple[str, object] = ("ok", execute(store, task, max_rows=max_rows))
        except KggraphError as err:
            reply = ("error", (type(err).__name__, err.message, err.location))
        except Exception as err:  # noqa: BLE001 - anything pyoxigraph raises while evaluating
            reply = ("error", ("QueryError", f"{type(err).__name__}: {err}", None))
        _write_frame(fd, reply)


def _frame(message: object) -> bytes:
    """A message as one frame: its pickled length (8 bytes, big-endian), then the pickle."""
    payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(payload).to_bytes(_HEADER, "big") + payload


def _write_frame(fd: int, message: object) -> None:
    """Write one frame on a blocking descriptor (the worker's side)."""
    view = memoryview(_frame(message))
    while view:
        view = view[os.write(fd, view) :]


def _read_frame(fd: int) -> bytes:
    """Read one frame's payload from a blocking descriptor (the worker's side)."""
    size = int.from_bytes(_read_exactly(fd, _HEADER), "big")
    return _read_exactly(fd, size)


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


@dataclass(eq=False)
class Worker:
    """One worker process and the server's end of its pipe.

    The server side never blocks: the descriptor stays non-blocking, a reader registered once
    on the event loop collects whatever arrives into ``_inbox`` and completes the waiting
    ``receive`` when a whole frame is there, and a frame too big for the pipe at once is
    finished by a writer callback. Per query that is one write and one or two reads, with no
    watcher set up and torn down each time (the profile of a lookup showed that cost).
    """

    process: BaseProcess
    conn: Connection
    version: str
    info: dict[str, object] = field(default_factory=dict)
    _inbox: bytearray = field(default_factory=bytearray)
    _outbox: bytearray = field(default_factory=bytearray)
    _waiting: asyncio.Future[object] | None = None
    _loop: asyncio.AbstractEventLoop | None = None
    _closed: bool = False

    @classmethod
    def launch(cls, release: Release, max_rows: int, *, lock_network: bool = True) -> Worker:
        """Start a worker process; it is usable once ``ready`` returns.

        Called on the event loop's thread, never from a thread pool: the worker asks the kernel
        to kill it when its parent *thread* ends (``PR_SET_PDEATHSIG``), and pool threads come
        and go.
        """
        parent, child = _CONTEXT.Pipe(duplex=True)
        process = _CONTEXT.Process(
            target=_serve,
            args=(child, str(release.path), max_rows, lock_network),
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
        try:
            kind, info = cast(tuple[str, dict[str, object]], await self.receive(timeout))
        except (TimeoutError, EOFError, OSError):
            self.kill()
            raise QueryError(f"a query worker could not load the graph ({self.version})") from None
        self.info = dict(info)
        return self

    def send(self, message: object) -> None:
        """Queue one message for the worker and write as much of it as the pipe takes now."""
        if self._closed:
            raise OSError("the worker's pipe is closed")
        pending = bool(self._outbox)
        self._outbox += _frame(message)
        if not pending:
            self._flush()

    async def receive(self, timeout: float) -> object:
        """The worker's next message, within ``timeout`` seconds (else ``TimeoutError``)."""
        loop = self._loop or asyncio.get_running_loop()
        if self._closed:
            raise EOFError("the worker's pipe is closed")
        message = self._take()
        if message is not None:
            return message[0]
        waiting: asyncio.Future[object] = loop.create_future()
        self._waiting = waiting
        expiry = loop.call_later(timeout, _expire, waiting)
        try:
            return await waiting
        finally:
            expiry.cancel()
            self._waiting = None

    def kill(self) -> None:
        """Stop the worker now, whatever it is doing, and reap it."""
        self._detach()
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)

    def _attach(self) -> None:
        self._loop = asyncio.get_running_loop()
        fd = self.conn.fileno()
        os.set_blocking(fd, False)
        self._loop.add_reader(fd, self._on_readable)

    def _detach(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._loop is not None and not self._loop.is_closed():
            with contextlib.suppress(OSError, ValueError):
                self._loop.remove_reader(self.conn.fileno())
                self._loop.remove_writer(self.conn.fileno())
        self._fail(EOFError("the worker's pipe is closed"))

    def _on_readable(self) -> None:
        try:
            while True:
                chunk = os.read(self.conn.fileno(), _READ_SIZE)
                if not chunk:  # the worker died
                    self._detach()
                    return
                self._inbox += chunk
                if len(chunk) < _READ_SIZE:
                    break
        except BlockingIOError:
            pass
        except OSError as err:
            self._detach()
            self._fail(err)
            return
        waiting = self._waiting
        if waiting is not None and not waiting.done():
            message = self._take()
            if message is not None:
                waiting.set_result(message[0])

    def _take(self) -> tuple[object] | None:
        """The first whole message in the inbox, if one has arrived (in a 1-tuple)."""
        if len(self._inbox) < _HEADER:
            return None
        size = int.from_bytes(self._inbox[:_HEADER], "big")
        end = _HEADER + size
        if len(self._inbox) < end:
            return None
        payload = bytes(self._inbox[_HEADER:end])
        del self._inbox[:end]
        return (pickle.loads(payload),)  # noqa: S301 - from our own worker process

    def _flush(self) -> None:
        fd = self.conn.fileno()
        try:
            written = os.write(fd, self._outbox)
        except BlockingIOError:
            written = 0
        except OSError as err:
            self._detach()
            self._fail(err)
            return
        del self._outbox[:written]
        if self._loop is None:  # pragma: no cover - attached at launch
            return
        if self._outbox:
            self._loop.add_writer(fd, self._flush)
        else:
            self._loop.remove_writer(fd)

    def _fail(self, err: BaseException) -> None:
        waiting = self._waiting
        if waiting is not None and not waiting.done():
            waiting.set_exception(err)


def _expire(waiting: asyncio.Future[object]) -> None:
    if not waiting.done():
        waiting.set_exception(TimeoutError())


class WorkerPool:
    """A fixed number of query workers on the current release, with a hard time limit.

    ``run`` waits for a free worker and for its answer within ``timeout`` seconds in all;
    past it, the worker is killed and replaced and ``QueryTimeout`` is raised.
    """

    def __init__(
        self,
        release: Release,
        *,
        size: int,
        timeout: float,
        max_rows: int,
        lock_network: bool = True,
    ) -> None:
        """``lock_network=False`` only when an allow-list names SERVICE endpoints to reach."""
        self._release = release
        self._size = size
        self._timeout = timeout
        self._max_rows = max_rows
        self._lock_network = lock_network
        self._idle: deque[Worker] = deque()
        self._waiters: deque[asyncio.Future[Worker]] = deque()
        self._all: set[Worker] = set()
        self._starting = 0
        self._pending: set[asyncio.Future[Worker]] = set()
        self._closed = False

    @property
    def version(self) -> str:
        return self._release.version

    @property
    def release(self) -> Release:
        return self._release

    @property
    def max_rows(self) -> int:
        return self._max_rows

    @property
    def workers(self) -> list[Worker]:
        """The live workers (for tests and the health page)."""
        return sorted(self._all, key=lambda w: w.process.pid or 0)

    async def start(self) -> None:
        """Start every worker and wait until all have loaded the graph."""
        launched = [
            Worker.launch(self._release, self._max_rows, lock_network=self._lock_network)
            for _ in range(self._size)
        ]
        for worker in await asyncio.gather(*(w.ready() for w in launched)):
            self._all.add(worker)
            self._release_worker(worker)

    async def run(self, task: QueryTask) -> Answer:
        """Answer ``task`` on a worker within the time limit, or raise."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        worker = await self._acquire(deadline)
        try:
            answer = await self._ask(worker, task, deadline)
        except _WorkerError as err:
            self._release_worker(worker)  # the query failed, the worker is fine
            raise err.error from None
        except BaseException:
            self._replace(worker)  # timed out, died, or the client went away mid-query
            raise
        self._release_worker(worker)
        return answer

    def reload(self, release: Release) -> None:
        """Follow a new build: start workers on it; workers on the old one retire when idle."""
        if release.version == self._release.version:
            return
        self._release = release
        for worker in list(self._idle):
            self._idle.remove(worker)
            self._retire(worker)
        for _ in range(self._size):
            self._spawn()

    async def close(self) -> None:
        self._closed = True
        for waiter in self._waiters:
            if not waiter.done():
                waiter.set_exception(QueryError("the server is shutting down"))
        for worker in list(self._all):
            self._retire(worker)

    async def _acquire(self, deadline: float) -> Worker:
        if self._idle:
            return self._idle.popleft()
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[Worker] = loop.create_future()
        self._waiters.append(waiter)
        try:
            return await asyncio.wait_for(waiter, max(0.0, deadline - loop.time()))
        except TimeoutError:
            self._give_back(waiter)
            raise QueryTimeout(
                f"no query worker became free within the {self._timeout:g} s limit: "
                "the server is busy, try again shortly"
            ) from None
        except BaseException:
            self._give_back(waiter)
            raise
        finally:
            if waiter in self._waiters:
                self._waiters.remove(waiter)

    def _give_back(self, waiter: asyncio.Future[Worker]) -> None:
        """A worker handed to a waiter that stopped waiting goes to the next one."""
        if waiter.done() and not waiter.cancelled() and waiter.exception() is None:
            self._release_worker(waiter.result())

    async def _ask(self, worker: Worker, task: QueryTask, deadline: float) -> Answer:
        loop = asyncio.get_running_loop()
        try:
            worker.send(task)
            reply = await worker.receive(max(0.0, deadline - loop.time()))
        except TimeoutError:
            raise QueryTimeout(
                f"the query ran longer than the {self._timeout:g} s limit and was stopped"
            ) from None
        except (EOFError, OSError):
            raise QueryError(
                "the query worker stopped while answering (out of memory?); it is being replaced"
            ) from None
        status, payload = cast(tuple[str, Any], reply)
        if status == "ok":
            return cast(Answer, payload)
        raise _WorkerError(_rebuild(*payload))

    def _release_worker(self, worker: Worker) -> None:
        """Give a healthy worker to the next waiter, or put it back among the idle ones."""
        if worker not in self._all or worker in self._idle:
            return
        if worker.version != self._release.version or self._closed:
            self._retire(worker)
            return
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(worker)
                return
        self._idle.append(worker)

    def _replace(self, worker: Worker) -> None:
        """Kill a worker that timed out or failed and start another in its place."""
        self._retire(worker)
        if not self._closed and worker.version == self._release.version:
            self._spawn()

    def _retire(self, worker: Worker) -> None:
        self._all.discard(worker)
        worker.kill()

    def _spawn(self) -> None:
        """Start a worker on the current release; it joins the pool once it has loaded."""
        worker = Worker.launch(self._release, self._max_rows, lock_network=self._lock_network)
        self._starting += 1

        def started(future: asyncio.Future[Worker]) -> None:
            self._starting -= 1
            if future.cancelled() or future.exception() is not None:
                return  # the next request that finds no worker in time reports it
            self._all.add(worker)
            self._release_worker(worker)

        task = asyncio.ensure_future(worker.ready())
        self._pending.add(task)  # keep a reference until it is done
        task.add_done_callback(self._pending.discard)
        task.add_done_callback(started)


class _WorkerError(Exception):
    """Carries an error the worker reported; the worker itself is healthy."""

    def __init__(self, error: KggraphError) -> None:
        super().__init__(str(error))
        self.error = error
