"""The inline lane: small lookups answered in the web process, without the hop to a worker.

A query worker keeps the hard time limit by being killable, but every query pays for the trip:
measured on 2 cores, a lookup cost the web process about 0.3 ms more than ``oxigraph serve``'s
whole answer, and the worker sat idle for most of it. A star around one IRI
(``kggraph.query.stars``) cannot run away: before it runs, the anchor's degree bounds the
bindings any plan handles. The lane holds its own copy of the release's store and answers such
queries itself when that bound is small:

* at most ``on_loop`` bindings: on the event loop, at once (a few microseconds of evaluation
  cost less than handing the query to a thread);
* at most ``in_thread`` bindings: in a thread (pyoxigraph lets go of the GIL while it
  evaluates), so other clients are answered meanwhile;
* more, or any other query: ``None``, and the workers answer it as before.

Both limits are far below what could approach the time limit: a million bindings of a star are
evaluated in well under a second. The lane answers with the same code the workers run
(``kggraph.query.run.execute``) on a store loaded from the same release, so its answers are the
workers' byte for byte; anything unexpected it meets (an engine error other than ours) is left
to a worker, which answers or reports it as it always has.

A new release is loaded in a thread as soon as the pool starts loading it; until the lane holds
the version the pool serves, every query goes to the workers.
"""

from __future__ import annotations

import asyncio
import logging

import pyoxigraph as ox

from kggraph.core.errors import KggraphError
from kggraph.core.memo import TextMemo
from kggraph.graph.release import Release
from kggraph.query.executor import Answer, QueryTask
from kggraph.query.run import execute
from kggraph.query.stars import Star, star_of

ON_LOOP_WORK = 4_096
"""Bindings a star may handle to be answered on the event loop itself."""
IN_THREAD_WORK = 1_000_000
"""Bindings a star may handle to be answered in a thread of the web process."""
MEMO_BYTES = 4 * 2**20
"""Bytes of recent query texts whose reading (a star or not) is remembered."""
MEMO_MAX_KEY = 16 * 1024
LOG = logging.getLogger("kggraph.query")


class InlineLane:
    """The web process's own store of the current release, for stars."""

    def __init__(
        self,
        *,
        max_rows: int,
        max_bytes: int,
        on_loop: int = ON_LOOP_WORK,
        in_thread: int = IN_THREAD_WORK,
    ) -> None:
        self._max_rows = max_rows
        self._max_bytes = max_bytes
        self._on_loop = min(on_loop, in_thread)
        self._in_thread = in_thread
        self._version = ""
        self._store: ox.Store | None = None
        self._loading: asyncio.Task[None] | None = None
        self._loading_version = ""
        self._bounds: TextMemo[str, tuple[Star | None, int]] = TextMemo(
            max_bytes=MEMO_BYTES, max_key_bytes=MEMO_MAX_KEY
        )
        """Query text → its star and that star's bound on the store held (both fixed for a
        release, so counted once), or no star."""
        self.answered = 0
        """Queries the lane has answered (for tests and the health page)."""

    @property
    def version(self) -> str:
        """The release the lane holds ("" before it has loaded one)."""
        return self._version

    async def load(self, release: Release) -> None:
        """Load ``release`` (in a thread) unless it is held or loading; wait for it."""
        self.prepare(release)
        if self._loading is not None and release.version != self._version:
            await asyncio.shield(self._loading)

    def prepare(self, release: Release) -> None:
        """Start loading ``release`` without waiting (a new build the pool begins to load)."""
        if release.version != self._version and self._loading_version != release.version:
            self._loading_version = release.version
            self._loading = asyncio.create_task(self._load(release))

    def close(self) -> None:
        """Stop a load under way (the server is shutting down)."""
        if self._loading is not None:
            self._loading.cancel()

    async def _load(self, release: Release) -> None:
        try:
            store = await asyncio.to_thread(release.open_store)
        except KggraphError as err:  # the workers report a release that cannot load
            LOG.warning("the inline lane could not load release %s: %s", release.version, err)
            return
        if self._loading_version == release.version:
            self._store, self._version = store, release.version
            self._bounds.clear()

    async def answer(self, task: QueryTask, version: str) -> Answer | None:
        """The answer to ``task`` if it is a small star and the lane holds ``version``; else
        ``None`` (a worker answers it). Errors of ours (a refused format) are raised."""
        store = self._store
        if store is None or version != self._version or task.has_dataset or task.bindings:
            return None
        star, work = self._bound(task.query, store)
        if star is None or work > self._in_thread:
            return None
        rows = None if star.described else work  # a DESCRIBE also follows blank nodes
        try:
            if work <= self._on_loop:
                answer = self._execute(store, task, rows)
            else:
                answer = await asyncio.to_thread(self._execute, store, task, rows)
        except KggraphError:
            raise
        except Exception as err:  # noqa: BLE001 - whatever else, the worker answers as before
            LOG.debug("the inline lane left a query to the workers: %s", err)
            return None
        self.answered += 1
        return answer

    def _bound(self, query: str, store: ox.Store) -> tuple[Star | None, int]:
        found = self._bounds.get(query)
        if found is None:
            star = star_of(query)
            found = (star, 0 if star is None else star.work(store, cap=self._in_thread))
            self._bounds.put(query, found)
        return found

    def _execute(self, store: ox.Store, task: QueryTask, rows: int | None) -> Answer:
        return execute(
            store, task, max_rows=self._max_rows, max_bytes=self._max_bytes, rows_at_most=rows
        )
