"""The query workers as one executor: queries in, answers out, within a hard time limit.

Every query becomes a *ticket* with a deadline (its arrival plus the time limit). Tickets wait in
one queue and are handed to workers, up to ``pipeline`` per worker: the first runs, the others
wait in the worker's pipe, so a busy worker starts its next query the moment it finishes one,
without waiting for the server to hand it over (measured on 2 cores, that round trip left the
workers idle about a tenth of the time under load). Handing out ahead has one risk, a quick
query stuck behind a slow one, so tickets move:

* a free slot goes first to a ticket waiting behind a query that has run longer than
  ``STRANDED_AFTER`` on another worker, then to the queue;
* a worker with nothing to do takes a ticket waiting behind another worker's query;
* a worker whose current query has run longer than ``STRANDED_AFTER`` is given no more.

A moved ticket is withdrawn from its first worker with a ``skip`` message, which that worker
reads before it starts its next task; in the rare race where it has already begun, its answer
is ignored.

At its deadline a ticket that is running has its worker killed and replaced (the tickets
behind it go back to the front of the queue), and one still waiting is withdrawn; either way
the client gets ``QueryTimeout``. The pool is asyncio-native: nothing here blocks the event
loop, so other clients keep being answered while a slow query runs.

Workers also end for other reasons, each with its own answer (``QueryUnavailable``, 503):

* **a lane kept for short queries** (``long_after``): at most ``size - 1`` queries may run
  longer than ``long_after`` at once; the one that would make it ``size`` is stopped as a
  timeout is, so runaways never hold every worker;
* **the memory ceiling**: a worker that aborts (``Worker.out_of_memory``) stopped its query
  for needing more memory than a worker may use;
* **a lost worker** (killed from outside): its running query is tried once more, on the next
  worker free; if that one is lost too, the client is told.

A worker that cannot start (a lost file, no file descriptors, a bad release) is started again
until it does (``kggraph.query.worker_start``); meanwhile ``degraded`` is true and the health page
says so. A new build is followed by
``reload``: new workers load it while the old ones go on answering, and only once all of them
have loaded do they take over (old ones retire once they have answered what they hold); a
release that cannot load leaves the old one in service.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field

from kggraph.core.errors import KggraphError, QueryError, QueryTimeout, QueryUnavailable
from kggraph.graph.release import Release
from kggraph.query.executor import Answer, QueryTask
from kggraph.query.inline import InlineLane
from kggraph.query.worker_start import WorkerStarter
from kggraph.query.workers import Outcome, Worker, WorkerLimits

STRANDED_AFTER = 0.1
"""Seconds a worker's current query may run before the tickets waiting behind it look for
another worker (the benchmark's aggregate takes 5 ms, a lookup well under one)."""


@dataclass(eq=False)
class _Ticket:
    id: int
    task: QueryTask
    future: asyncio.Future[Answer]
    lane: _Lane | None = None
    """The worker it was handed to; ``None`` while it waits in the queue."""
    lost: int = 0
    """How many workers were lost while running it."""


@dataclass(eq=False)
class _Lane:
    """One worker and the tickets handed to it, in order: the first is running."""

    worker: Worker
    tickets: deque[_Ticket] = field(default_factory=deque)
    head_since: float = 0.0
    """When the worker started its current ticket (as near as the server can tell)."""
    long_check: asyncio.TimerHandle | None = None
    """When its current ticket becomes a long query (``long_after``), if the pool keeps a lane."""

    def running_for(self, now: float) -> float:
        return now - self.head_since if self.tickets else 0.0


class WorkerPool:
    """A fixed number of query workers on the current release, with a hard time limit."""

    def __init__(
        self,
        release: Release,
        *,
        size: int,
        timeout: float,
        limits: WorkerLimits,
        pipeline: int = 2,
        stranded_after: float = STRANDED_AFTER,
        long_after: float | None = None,
        inline: InlineLane | None = None,
    ) -> None:
        """``long_after``: keep a worker for short queries, counting as long those past it
        (``None``: no such lane; it is never kept with one worker). ``inline``: answer small
        lookups in this process first (``kggraph.query.inline``)."""
        self._release = release
        self._size = size
        self._timeout = timeout
        self._limits = limits
        self._pipeline = pipeline
        self._stranded_after = stranded_after
        self._long_after = long_after if size > 1 else None
        self._inline = inline
        self._lanes: dict[Worker, _Lane] = {}
        self._queue: deque[_Ticket] = deque()
        self._ids = itertools.count(1)
        self._starter = WorkerStarter(
            limits,
            on_started=self._joined,
            wanted=self._wanted,
            on_reply=self._on_reply,
            on_lost=self._on_lost,
        )
        self._next: Release | None = None
        """A newer release whose workers are loading; it takes over once all have loaded."""
        self._loaded: list[Worker] = []
        self._closed = False
        self.moved = 0
        """Tickets moved from one worker to another so far (for tests and the health page)."""

    @property
    def version(self) -> str:
        return self._release.version

    @property
    def release(self) -> Release:
        return self._release

    @property
    def max_rows(self) -> int:
        return self._limits.max_rows

    @property
    def workers(self) -> list[Worker]:
        """The live workers (for tests and the health page)."""
        return sorted(self._lanes, key=lambda w: w.process.pid or 0)

    @property
    def alive(self) -> int:
        """Workers on the current release that answer queries, or are loading it as a routine
        replacement (once a start has failed, only those that answer count, until one works)."""
        serving = len(self._serving())
        if self._starter.failures(self.version):
            return serving
        return serving + self._starter.starting(self.version)

    @property
    def degraded(self) -> bool:
        """Fewer workers alive than configured: some could not start and are being retried."""
        return self.alive < self._size

    def status(self) -> dict[str, object]:
        """What the health page shows: each worker with the queries it holds, the queue, how
        many queries have moved between workers, and how starting workers fares."""
        return {
            "workers": [{**w.info, "held": len(self._lanes[w].tickets)} for w in self.workers],
            "configured": self._size,
            "alive": self.alive,
            "queued": len(self._queue),
            "moved": self.moved,
            "loading": self._next.version if self._next is not None else None,
            "start_failures": self._starter.all_failures,
            "last_start_failure": self._starter.last_failure or None,
            "inline": None
            if self._inline is None
            else {"release": self._inline.version or None, "answered": self._inline.answered},
        }

    async def start(self) -> None:
        """Start every worker and wait until each has loaded the graph or failed to (those
        that failed are started again later)."""
        if self._inline is not None:
            self._inline.prepare(self._release)
        for _ in range(self._size):
            self._starter.start(self._release)
        await self._starter.settle()
        if self._inline is not None:
            await self._inline.load(self._release)

    async def run(self, task: QueryTask) -> Answer:
        """Answer ``task`` on a worker within the time limit, or raise."""
        if self._closed:
            raise QueryError("the server is shutting down")
        if self._starter.failures(self.version) and not self._serving():
            raise QueryUnavailable(
                "no query worker is running: they could not start "
                f"({self._starter.last_failure}); the server keeps trying"
            )
        if self._inline is not None:
            answer = await self._inline.answer(task, self._release.version)
            if answer is not None:
                return answer
        loop = asyncio.get_running_loop()
        ticket = _Ticket(next(self._ids), task, loop.create_future())
        expiry = loop.call_at(loop.time() + self._timeout, self._expire, ticket)
        self._queue.append(ticket)
        self._dispatch()
        try:
            return await ticket.future
        except asyncio.CancelledError:  # the client went away
            self._abandon(ticket)
            raise
        finally:
            expiry.cancel()

    def reload(self, release: Release) -> None:
        """Follow a new build: start workers on it, which take over once all have loaded."""
        if self._next is not None and release.version == self._next.version:
            return
        for worker in self._loaded:
            worker.kill()
        self._loaded.clear()
        self._next = None
        if release.version == self._release.version:
            return
        self._next = release
        if self._inline is not None:
            self._inline.prepare(release)
        for _ in range(self._size):
            self._starter.start(release)

    async def close(self) -> None:
        self._closed = True
        if self._inline is not None:
            self._inline.close()
        await self._starter.close()
        for worker in self._loaded:
            worker.kill()
        self._loaded.clear()
        stopping = QueryError("the server is shutting down")
        for ticket in self._queue:
            _settle(ticket, stopping)
        self._queue.clear()
        for lane in list(self._lanes.values()):
            for ticket in lane.tickets:
                _settle(ticket, stopping)
            self._retire(lane)

    # handing tickets out

    def _dispatch(self) -> None:
        """Fill free slots: stranded tickets first, then the queue, then idle workers help."""
        now = asyncio.get_running_loop().time()
        while True:
            lane = self._open_lane(now)
            if lane is None:
                return
            ticket = self._stranded(lane, now)
            if ticket is None and self._queue:
                ticket = self._queue.popleft()
            if ticket is None and not lane.tickets:
                ticket = self._waiting_elsewhere(lane, now)
            if ticket is None:
                return
            self._assign(lane, ticket, now)

    def _open_lane(self, now: float) -> _Lane | None:
        """The worker to hand the next ticket to: an idle one, else the one whose current query
        started last, among those with a free slot and no query running past ``STRANDED_AFTER``."""
        best: _Lane | None = None
        for lane in self._lanes.values():
            if lane.worker.version != self._release.version or not lane.worker.alive:
                continue
            if not lane.tickets:
                return lane
            if len(lane.tickets) >= self._pipeline or lane.running_for(now) > self._stranded_after:
                continue
            if best is None or lane.head_since > best.head_since:
                best = lane
        return best

    def _stranded(self, target: _Lane, now: float) -> _Ticket | None:
        """The oldest ticket waiting behind a query that has run past ``stranded_after``."""
        return self._oldest_waiting(target, now, self._stranded_after)

    def _waiting_elsewhere(self, target: _Lane, now: float) -> _Ticket | None:
        """For an idle worker: the oldest ticket waiting behind another worker's query."""
        return self._oldest_waiting(target, now, -1.0)

    def _oldest_waiting(self, target: _Lane, now: float, running_over: float) -> _Ticket | None:
        """The oldest ticket held, not running, by a worker other than ``target`` whose current
        query has run longer than ``running_over`` seconds."""
        found: _Ticket | None = None
        for lane in self._lanes.values():
            if lane is target or lane.running_for(now) <= running_over:
                continue
            for ticket in itertools.islice(lane.tickets, 1, None):
                if found is None or ticket.id < found.id:
                    found = ticket
        return found

    def _assign(self, lane: _Lane, ticket: _Ticket, now: float) -> None:
        if ticket.lane is not None:  # a move: withdraw it from the worker that holds it
            self._withdraw(ticket)
            self.moved += 1
        lane.tickets.append(ticket)
        ticket.lane = lane
        if len(lane.tickets) == 1:
            self._began(lane, now)
        lane.worker.send_task(ticket.id, ticket.task)

    def _began(self, lane: _Lane, now: float) -> None:
        """The lane's worker starts its first ticket now: time it for the long-query lane."""
        lane.head_since = now
        if lane.long_check is not None:
            lane.long_check.cancel()
            lane.long_check = None
        if self._long_after is not None and lane.tickets:
            lane.long_check = asyncio.get_running_loop().call_at(
                now + self._long_after, self._check_long, lane, lane.tickets[0]
            )

    def _check_long(self, lane: _Lane, ticket: _Ticket) -> None:
        """``ticket`` has run ``long_after`` seconds: stop it if every other worker is busy
        with a long query too, so that one is always left for short ones."""
        lane.long_check = None
        if self._lanes.get(lane.worker) is not lane or not lane.tickets:
            return
        if lane.tickets[0] is not ticket or self._long_after is None:
            return
        now = asyncio.get_running_loop().time()
        long_ones = sum(
            1
            for other in self._lanes.values()
            if other is not lane and other.running_for(now) >= self._long_after
        )
        if long_ones >= self._size - 1:
            self._replace(
                lane,
                QueryUnavailable(
                    f"the query ran past {self._long_after:g} s while every other query worker "
                    "was busy with a long query, and was stopped to keep one free for short "
                    "queries (KGGRAPH_LONG_QUERY_SECONDS): try again later"
                ),
            )

    def _withdraw(self, ticket: _Ticket) -> None:
        """Take a ticket that is waiting (not running) back from its worker."""
        lane = ticket.lane
        if lane is None:
            return
        lane.tickets.remove(ticket)
        ticket.lane = None
        lane.worker.send_skip(ticket.id)

    # what comes back

    def _on_reply(self, worker: Worker, ticket_id: int, outcome: Outcome) -> None:
        lane = self._lanes.get(worker)
        if lane is None:
            return
        ticket = next((t for t in lane.tickets if t.id == ticket_id), None)
        if ticket is not None:  # else a moved ticket the worker had already begun
            lane.tickets.remove(ticket)
            ticket.lane = None
            _settle(ticket, outcome)
        self._began(lane, asyncio.get_running_loop().time())  # the worker starts its next task
        if not lane.tickets and worker.version != self._release.version:
            self._retire(lane)
        self._dispatch()

    def _on_lost(self, worker: Worker) -> None:
        """A worker died: replace it. Its running query, if any, gets another go, unless the
        worker died of the memory ceiling or the query had already lost one worker."""
        if worker in self._loaded:  # died while waiting to take over
            self._loaded.remove(worker)
            if self._next is not None:
                self._starter.start(self._next)
            return
        lane = self._lanes.get(worker)
        if lane is None:
            return
        worker.kill()  # reaped, so how it ended can be read
        running = lane.tickets[0] if lane.tickets else None
        if self._limits.memory and worker.out_of_memory:
            self._replace(lane, QueryUnavailable(self._limits.memory_message()))
        elif running is not None and running.lost == 0:
            running.lost += 1
            self._replace(lane, None, again=True)
        else:
            self._replace(
                lane,
                QueryUnavailable(
                    "the query worker stopped while answering, and so did the one that tried "
                    "again (killed from outside, or the query crashed it): not tried a third time"
                ),
            )

    def _expire(self, ticket: _Ticket) -> None:
        """The ticket's deadline has passed: stop it wherever it is."""
        if ticket.future.done():
            return
        lane = ticket.lane
        if lane is not None and lane.tickets[0] is ticket:
            self._replace(
                lane,
                QueryTimeout(
                    f"the query ran longer than the {self._timeout:g} s limit and was stopped"
                ),
            )
            return
        if lane is not None:
            self._withdraw(ticket)
        else:
            self._queue.remove(ticket)
        _settle(
            ticket,
            QueryTimeout(
                f"no query worker became free within the {self._timeout:g} s limit: "
                "the server is busy, try again shortly"
            ),
        )

    def _abandon(self, ticket: _Ticket) -> None:
        """The client went away: forget its ticket, stopping its worker if it was running."""
        lane = ticket.lane
        if ticket in self._queue:
            self._queue.remove(ticket)
        elif lane is not None and lane.tickets[0] is ticket:
            self._replace(lane, None)
        elif lane is not None:
            self._withdraw(ticket)
            self._dispatch()
        if not ticket.future.done():
            ticket.future.cancel()

    # workers coming and going

    def _replace(self, lane: _Lane, error: KggraphError | None, *, again: bool = False) -> None:
        """Kill a lane's worker: its running ticket gets ``error`` (or, ``again``, goes back to
        the front of the queue; with neither, its client has left), the ones waiting behind it
        go back to the front of the queue, and a new worker is started in its place."""
        self._retire(lane)
        if lane.tickets:
            running = lane.tickets.popleft()
            running.lane = None
            if again:
                lane.tickets.appendleft(running)
            elif error is not None:
                _settle(running, error)
        for ticket in reversed(lane.tickets):
            ticket.lane = None
            self._queue.appendleft(ticket)
        lane.tickets.clear()
        if not self._closed and lane.worker.version == self._release.version:
            self._starter.start(self._release)
        self._dispatch()

    def _retire(self, lane: _Lane) -> None:
        self._lanes.pop(lane.worker, None)
        if lane.long_check is not None:
            lane.long_check.cancel()
        lane.worker.kill()

    def _serving(self) -> list[_Lane]:
        """The lanes new tickets may go to: live workers on the current release."""
        version = self._release.version
        return [
            lane
            for lane in self._lanes.values()
            if lane.worker.version == version and lane.worker.alive
        ]

    def _wanted(self, version: str) -> bool:
        """Whether workers on release ``version`` are still needed."""
        loading = self._next.version if self._next is not None else None
        return not self._closed and version in (self._release.version, loading)

    def _joined(self, worker: Worker) -> None:
        """A worker has loaded its release: it serves, or waits to take over with the others
        on a newer release, or (no longer needed) stops."""
        if self._closed:
            worker.kill()
        elif worker.version == self._release.version and len(self._serving()) < self._size:
            self._lanes[worker] = _Lane(worker)
            self._dispatch()
        elif self._next is not None and worker.version == self._next.version:
            self._loaded.append(worker)
            if len(self._loaded) >= self._size:
                self._take_over()
        else:
            worker.kill()

    def _take_over(self) -> None:
        """Every worker on the newer release has loaded: they serve, the old ones retire
        (now if idle, else once they have answered what they hold)."""
        if self._next is None:  # pragma: no cover - called only while one loads
            return
        self._release, self._next = self._next, None
        for lane in list(self._lanes.values()):
            if not lane.tickets:
                self._retire(lane)
        for worker in self._loaded:
            self._lanes[worker] = _Lane(worker)
        self._loaded.clear()
        self._dispatch()


def _settle(ticket: _Ticket, outcome: Outcome) -> None:
    if ticket.future.done():
        return
    if isinstance(outcome, Answer):
        ticket.future.set_result(outcome)
    else:
        ticket.future.set_exception(outcome)
