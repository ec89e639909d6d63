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
loop, so other clients keep being answered while a slow query runs. A new build is followed by
``reload``: new workers load it, old ones retire once they have answered what they hold.
"""

from __future__ import annotations

import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field

from kggraph.errors import KggraphError, QueryError, QueryTimeout
from kggraph.executor import Answer, QueryTask
from kggraph.release import Release
from kggraph.workers import Outcome, Worker

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


@dataclass(eq=False)
class _Lane:
    """One worker and the tickets handed to it, in order: the first is running."""

    worker: Worker
    tickets: deque[_Ticket] = field(default_factory=deque)
    head_since: float = 0.0
    """When the worker started its current ticket (as near as the server can tell)."""

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
        max_rows: int,
        pipeline: int = 2,
        stranded_after: float = STRANDED_AFTER,
        lock_network: bool = True,
    ) -> None:
        """``lock_network=False`` only when an allow-list names SERVICE endpoints to reach."""
        self._release = release
        self._size = size
        self._timeout = timeout
        self._max_rows = max_rows
        self._pipeline = pipeline
        self._stranded_after = stranded_after
        self._lock_network = lock_network
        self._lanes: dict[Worker, _Lane] = {}
        self._queue: deque[_Ticket] = deque()
        self._ids = itertools.count(1)
        self._pending: set[asyncio.Future[Worker]] = set()
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
        return self._max_rows

    @property
    def workers(self) -> list[Worker]:
        """The live workers (for tests and the health page)."""
        return sorted(self._lanes, key=lambda w: w.process.pid or 0)

    def status(self) -> dict[str, object]:
        """What the health page shows: each worker with the queries it holds, the queue, and
        how many queries have moved between workers."""
        return {
            "workers": [{**w.info, "held": len(self._lanes[w].tickets)} for w in self.workers],
            "queued": len(self._queue),
            "moved": self.moved,
        }

    async def start(self) -> None:
        """Start every worker and wait until all have loaded the graph."""
        launched = [self._launch() for _ in range(self._size)]
        for worker in await asyncio.gather(*(w.ready() for w in launched)):
            self._add(worker)

    async def run(self, task: QueryTask) -> Answer:
        """Answer ``task`` on a worker within the time limit, or raise."""
        if self._closed:
            raise QueryError("the server is shutting down")
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
        """Follow a new build: start workers on it; workers on the old one retire when idle."""
        if release.version == self._release.version:
            return
        self._release = release
        for lane in list(self._lanes.values()):
            if not lane.tickets:
                self._retire(lane)
        for _ in range(self._size):
            self._spawn()

    async def close(self) -> None:
        self._closed = True
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
        if not lane.tickets:
            lane.head_since = now
        lane.tickets.append(ticket)
        ticket.lane = lane
        lane.worker.send_task(ticket.id, ticket.task)

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
        lane.head_since = asyncio.get_running_loop().time()  # the worker starts its next task
        ticket = next((t for t in lane.tickets if t.id == ticket_id), None)
        if ticket is not None:  # else a moved ticket the worker had already begun
            lane.tickets.remove(ticket)
            ticket.lane = None
            _settle(ticket, outcome)
        if not lane.tickets and worker.version != self._release.version:
            self._retire(lane)
        self._dispatch()

    def _on_lost(self, worker: Worker) -> None:
        """A worker died while it held tickets (out of memory?): replace it."""
        lane = self._lanes.get(worker)
        if lane is not None:
            self._replace(
                lane,
                QueryError(
                    "the query worker stopped while answering (out of memory?); "
                    "it is being replaced"
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

    def _replace(self, lane: _Lane, error: KggraphError | None) -> None:
        """Kill a lane's worker: its running ticket gets ``error``, the ones waiting behind it
        go back to the front of the queue, and a new worker is started in its place."""
        self._retire(lane)
        if lane.tickets:
            running = lane.tickets.popleft()
            running.lane = None
            if error is not None:
                _settle(running, error)
        for ticket in reversed(lane.tickets):
            ticket.lane = None
            self._queue.appendleft(ticket)
        lane.tickets.clear()
        if not self._closed and lane.worker.version == self._release.version:
            self._spawn()
        self._dispatch()

    def _retire(self, lane: _Lane) -> None:
        self._lanes.pop(lane.worker, None)
        lane.worker.kill()

    def _launch(self) -> Worker:
        worker = Worker.launch(self._release, self._max_rows, lock_network=self._lock_network)
        worker.on_reply = self._on_reply
        worker.on_lost = self._on_lost
        return worker

    def _add(self, worker: Worker) -> None:
        if self._closed or worker.version != self._release.version:
            worker.kill()
            return
        self._lanes[worker] = _Lane(worker)
        self._dispatch()

    def _spawn(self) -> None:
        """Start a worker on the current release; it joins the pool once it has loaded."""
        worker = self._launch()

        def started(future: asyncio.Future[Worker]) -> None:
            if future.cancelled() or future.exception() is not None:
                return  # the next query that finds no worker in time reports it
            self._add(worker)

        task = asyncio.ensure_future(worker.ready())
        self._pending.add(task)  # keep a reference until it is done
        task.add_done_callback(self._pending.discard)
        task.add_done_callback(started)


def _settle(ticket: _Ticket, outcome: Outcome) -> None:
    if ticket.future.done():
        return
    if isinstance(outcome, Answer):
        ticket.future.set_result(outcome)
    else:
        ticket.future.set_exception(outcome)
