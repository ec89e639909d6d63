"""Starting query workers until they start.

A worker can fail to start for reasons that pass: a release file moved away for a moment, no
file descriptors or processes left, a release that is still being mended. ``WorkerStarter``
starts a worker on a release and hands it over once it has loaded; one that fails is started
again after a pause that doubles with each failure in a row on that release (``RETRY_FIRST``
up to ``RETRY_MAX`` seconds), each failure logged, for as long as the release is still wanted.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable

from kggraph.core.errors import QueryError
from kggraph.graph.release import Release
from kggraph.query.workers import OnLost, OnReply, Worker, WorkerLimits

log = logging.getLogger(__name__)

RETRY_FIRST = 0.5
"""Seconds before a worker that could not start is started again; the pause doubles with each
failure in a row, up to ``RETRY_MAX``."""
RETRY_MAX = 30.0


class WorkerStarter:
    """Starts workers with ``limits``; each that has loaded goes to ``on_started``.

    ``wanted(version)`` says whether a release still needs workers: a start that failed is tried
    again only then. Replies and losses of the started workers go to ``on_reply`` and
    ``on_lost``.
    """

    def __init__(
        self,
        limits: WorkerLimits,
        *,
        on_started: Callable[[Worker], None],
        wanted: Callable[[str], bool],
        on_reply: OnReply,
        on_lost: OnLost,
    ) -> None:
        self._limits = limits
        self._on_started = on_started
        self._wanted = wanted
        self._on_reply = on_reply
        self._on_lost = on_lost
        self._starting: set[Worker] = set()
        self._pending: set[asyncio.Future[Worker]] = set()
        self._failures: Counter[str] = Counter()
        self.last_failure = ""
        """Why the last start that failed did (for the health page)."""
        self._closed = False

    def failures(self, version: str) -> int:
        """Starts on release ``version`` that failed in a row (0 after one that worked)."""
        return self._failures[version]

    @property
    def all_failures(self) -> int:
        return sum(self._failures.values())

    def starting(self, version: str) -> int:
        """Workers on release ``version`` now loading it."""
        return sum(1 for w in self._starting if w.version == version)

    def start(self, release: Release) -> None:
        """Start a worker on ``release``; it goes to ``on_started`` once it has loaded, or is
        started again later if it cannot load (while the release is wanted)."""
        try:
            worker = Worker.launch(release, self._limits)
        except OSError as err:  # no file descriptors or processes left, for one
            self._failed(release, err)
            return
        worker.on_reply = self._on_reply
        worker.on_lost = self._on_lost
        self._starting.add(worker)

        def started(future: asyncio.Future[Worker]) -> None:
            self._starting.discard(worker)
            error = future.exception() if not future.cancelled() else QueryError("cancelled")
            if error is not None:
                self._failed(release, error)
            elif self._closed:
                worker.kill()
            else:
                self._failures.pop(release.version, None)
                self._on_started(worker)

        task = asyncio.ensure_future(worker.ready())
        self._pending.add(task)  # keep a reference until it is done
        task.add_done_callback(self._pending.discard)
        task.add_done_callback(started)

    async def settle(self) -> None:
        """Wait until every worker being started has loaded or failed to."""
        await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def close(self) -> None:
        """Stop every worker still loading, and start no more."""
        self._closed = True
        for worker in list(self._starting):
            worker.kill()
        for task in self._pending:
            task.cancel()
        await self.settle()

    def _failed(self, release: Release, error: BaseException) -> None:
        if self._closed:
            return
        version = release.version
        self._failures[version] += 1
        self.last_failure = str(error)
        pause = min(RETRY_FIRST * 2 ** (self._failures[version] - 1), RETRY_MAX)
        log.warning(
            "a query worker on release %s could not start (%s; %d in a row): trying again in "
            "%.1f s",
            version,
            error,
            self._failures[version],
            pause,
        )
        asyncio.get_running_loop().call_later(pause, self._retry, release)

    def _retry(self, release: Release) -> None:
        if not self._closed and self._wanted(release.version):
            self.start(release)
        else:
            self._failures.pop(release.version, None)
