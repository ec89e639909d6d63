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
from collections import deque
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from kggraph import errors
from kggraph.errors import KggraphError, QueryError, QueryTimeout
from kggraph.executor import Answer, QueryTask
from kggraph.release import Release

_CONTEXT = mp.get_context("spawn")
"""Spawned, not forked: the server runs threads (uvicorn, asyncio), which ``fork`` would copy
in an unknown state. The cost is a start-up of about half a second per worker."""

STARTUP_TIMEOUT = 120.0
"""Seconds a new worker may take to load the graph (a million triples take a few)."""


def _serve(conn: Connection, release_path: str, max_rows: int, lock_network: bool) -> None:
    """The worker's main loop: lock down, load the graph, answer tasks until the pipe closes."""
    from kggraph.results import execute  # imported in the worker only
    from kggraph.sandbox import die_with_parent, forbid_network

    die_with_parent()
    locked = forbid_network() if lock_network else False
    store = Release(Path(release_path)).open_store()
    conn.send(("ready", {"quads": len(store), "network_locked": locked, "pid": os.getpid()}))
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", execute(store, task, max_rows=max_rows)))
        except KggraphError as err:
            conn.send(("error", (type(err).__name__, err.message, err.location)))
        except Exception as err:  # noqa: BLE001 - anything pyoxigraph raises while evaluating
            conn.send(("error", ("QueryError", f"{type(err).__name__}: {err}", None)))


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
    """One worker process, its end of the pipe, and the release it serves."""

    process: BaseProcess
    conn: Connection
    version: str
    info: dict[str, object] = field(default_factory=dict)

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
        return cls(process, parent, release.version)

    async def ready(self, timeout: float = STARTUP_TIMEOUT) -> Worker:
        """Wait until the worker has loaded the graph; kill it and raise if it cannot."""
        try:
            await _readable(self.conn, timeout)
            kind, info = self.conn.recv()
        except (TimeoutError, EOFError, OSError):
            self.kill()
            raise QueryError(f"a query worker could not load the graph ({self.version})") from None
        self.info = dict(info)
        return self

    def kill(self) -> None:
        """Stop the worker now, whatever it is doing, and reap it."""
        with contextlib.suppress(OSError):
            self.conn.close()
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)


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
            worker.conn.send(task)
            await _readable(worker.conn, max(0.0, deadline - loop.time()))
        except TimeoutError:
            raise QueryTimeout(
                f"the query ran longer than the {self._timeout:g} s limit and was stopped"
            ) from None
        except OSError:
            raise QueryError("the query worker was gone; it is being replaced") from None
        try:
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            raise QueryError("the query worker stopped while answering (out of memory?)") from None
        if status == "ok":
            return payload  # type: ignore[no-any-return]
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


async def _readable(conn: Connection, timeout: float) -> None:
    """Wait, without blocking the event loop, until ``conn`` has data (or EOF) to read."""
    loop = asyncio.get_running_loop()
    readable: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not readable.done():
            readable.set_result(None)

    fd = conn.fileno()
    loop.add_reader(fd, wake)
    try:
        await asyncio.wait_for(readable, timeout)
    finally:
        loop.remove_reader(fd)
        # uvloop makes a watched descriptor non-blocking; ``Connection`` needs it blocking, or
        # reading an answer bigger than the socket buffer fails half-way with EAGAIN. The
        # worker writes an answer only once it is complete, so this read does not wait long.
        os.set_blocking(fd, True)


class _WorkerError(Exception):
    """Carries an error the worker reported; the worker itself is healthy."""

    def __init__(self, error: KggraphError) -> None:
        super().__init__(str(error))
        self.error = error
