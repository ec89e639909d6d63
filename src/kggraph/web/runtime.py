"""What one server process holds: its settings, the query backend, the answer cache, the release.

No module-level state: each application's state (``kggraph.web.http.state.AppState``) holds
one ``Runtime``, so tests can run several servers side by side. The backend
(``kggraph.query.backend.QueryBackend``) is the query workers on the embedded store, or, with
the setting ``store``, a remote SPARQL store (``kggraph.query.remote.RemoteStore``).

The runtime follows new builds. On the embedded store, at most once a second it looks where
``dist/current`` points, and when that changed it reloads the workers; on a remote store the
release is the one the store names (``RemoteStore.version``), and the documents (dumps, VoID,
the catalog) come from the local release folder of that name. Either way, once the version
changes the cache is emptied, so answers and their ``ETag`` always come from the newest
published graph.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from kggraph.core.config import Settings
from kggraph.core.errors import ReleaseDamaged
from kggraph.graph.manifest import Manifest
from kggraph.graph.release import MANIFEST, Release, current_release, require_current
from kggraph.query.backend import QueryBackend
from kggraph.query.cache import AnswerCache
from kggraph.query.inline import InlineLane
from kggraph.query.pool import WorkerPool
from kggraph.query.remote import remote_store
from kggraph.query.workers import WorkerLimits

RELEASE_CHECK_SECONDS = 1.0
RELEASES = "releases"
"""The folder of ``dist/`` that holds every kept release (``kggraph.publish.promote``)."""
LOG = logging.getLogger("kggraph.web")


@dataclass
class Runtime:
    settings: Settings
    pool: QueryBackend
    cache: AnswerCache
    _manifest: Manifest | None = None
    """The manifest of the release shown, read when first asked for (``manifest``)."""
    _checked_at: float = 0.0
    _shown: str = ""
    """The release the cache and manifest are of; the pool switches once a new one has loaded."""

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        cache = AnswerCache(max_entries=settings.cache_entries, max_bytes=settings.cache_bytes)
        if settings.store:
            return cls(settings, remote_store(settings), cache)
        release = require_current(settings.output_dir)
        pool = WorkerPool(
            release,
            size=settings.query_workers,
            timeout=settings.query_timeout,
            limits=WorkerLimits(
                max_rows=settings.max_rows,
                max_bytes=settings.max_answer_bytes,
                memory=settings.worker_memory_bytes,
                # the seccomp lock denies every internet socket: it must stay off when the
                # allow-list names endpoints that SERVICE may call (the query reader still guards)
                lock_network=not settings.service_allowlist,
            ),
            pipeline=settings.query_pipeline,
            long_after=settings.long_query_seconds,
            inline=InlineLane(
                max_rows=settings.max_rows,
                max_bytes=settings.max_answer_bytes,
                in_thread=settings.inline_work,
            )
            if settings.inline_work
            else None,
        )
        return cls(settings, pool, cache)

    @property
    def release(self) -> Release:
        """The release answers come from: the workers', or the local folder of the release
        the store holds (``ReleaseDamaged``, ``503``, if there is none: see ``store_release``)."""
        if isinstance(self.pool, WorkerPool):
            return self.pool.release
        return store_release(self.settings, self.pool.version)

    @property
    def version(self) -> str:
        return self.pool.version

    @property
    def manifest(self) -> Manifest:
        """The manifest of the release the cache is of; ``ReleaseDamaged`` (``503``) if it is
        missing or not a manifest (logged with the reason; the client is told no path), read
        again on the next use."""
        if self._manifest is None:
            try:
                self._manifest = self.release.read_manifest()
            except ReleaseDamaged as err:
                LOG.error("the published release is damaged: %s", err)
                raise ReleaseDamaged(
                    f"the published release is damaged: its file {MANIFEST} cannot be read; "
                    "the operator must publish a new build (`kggraph build`)"
                ) from None
        return self._manifest

    def follow_release(self) -> None:
        """Have the pool load a newer published build if there is one (looked for at most once
        a second); once the pool has switched to it, empty the cache and forget the manifest.
        A remote store is followed by reading its version, which it reads again itself."""
        if self._shown != self.pool.version:
            if self._shown:
                self.cache.clear()
                self._manifest = None
            self._shown = self.pool.version
        now = time.monotonic()
        if now - self._checked_at < RELEASE_CHECK_SECONDS or not isinstance(self.pool, WorkerPool):
            return
        self._checked_at = now
        path = current_release(self.settings.output_dir)
        if path is not None and path.name != self.pool.version:
            self.pool.reload(Release(path))


def store_release(settings: Settings, version: str) -> Release:
    """The local release folder named ``version`` (the release a remote store holds), or
    ``ReleaseDamaged`` (``503``) saying what the operator must do; the client is told no path."""
    if not version:
        raise ReleaseDamaged(
            "the SPARQL store names no release (it cannot be reached, or nothing has been "
            "published to it): the operator must run `kggraph publish --to` the store"
        )
    path = settings.output_dir / RELEASES / version
    if not path.is_dir():
        LOG.error("the store holds release %s, which is not in %s", version, path.parent)
        raise ReleaseDamaged(
            f"the SPARQL store holds release {version}, whose files this server does not have: "
            "the operator must copy that build's dist/ here (or publish this server's release "
            "to the store)"
        )
    return Release(path)


ASGIApp = Callable[
    [MutableMapping[str, Any], Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]],
    Awaitable[None],
]


class FollowRelease:
    """ASGI middleware: before any HTTP request is handled, the runtime follows a newer
    published build (``Runtime.follow_release``). One place for every route, ``/health``
    included, so a new route cannot serve a stale release by forgetting to ask."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self._runtime = runtime

    def __call__(
        self,
        scope: MutableMapping[str, Any],
        receive: Callable[[], Awaitable[Any]],
        send: Callable[[Any], Awaitable[None]],
    ) -> Awaitable[None]:
        """The application's own awaitable, after the check: no coroutine of this layer's
        around every request. (So this layer is never the one served: servers tell an ASGI 3
        application by a coroutine ``__call__``; ``create_server`` wraps it.)"""
        if scope["type"] == "http":
            self._runtime.follow_release()
        return self.app(scope, receive, send)
