"""What one server process holds: its settings, the query workers, the answer cache, the release.

No module-level state: ``create_app`` makes one ``Runtime`` and keeps it on the application, so
tests can run several servers side by side. The runtime follows new builds: at most once a
second it looks where ``dist/current`` points, and when that changed it reloads the workers and
empties the cache, so answers and their ``ETag`` always come from the newest published graph.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from kggraph.cache import AnswerCache
from kggraph.config import Settings
from kggraph.pool import WorkerPool
from kggraph.release import MANIFEST, Release, current_release, require_current

RELEASE_CHECK_SECONDS = 1.0


@dataclass
class Runtime:
    settings: Settings
    pool: WorkerPool
    cache: AnswerCache
    manifest: dict[str, Any] = field(default_factory=dict)
    _checked_at: float = 0.0

    @classmethod
    def create(cls, settings: Settings) -> Runtime:
        release = require_current(settings.output_dir)
        pool = WorkerPool(
            release,
            size=settings.query_workers,
            timeout=settings.query_timeout,
            max_rows=settings.max_rows,
            pipeline=settings.query_pipeline,
            # the seccomp lock denies every internet socket: it must stay off when the
            # allow-list names endpoints that SERVICE may call (the query reader still guards)
            lock_network=not settings.service_allowlist,
        )
        cache = AnswerCache(max_entries=settings.cache_entries, max_bytes=settings.cache_bytes)
        return cls(settings, pool, cache, _read_manifest(release))

    @property
    def release(self) -> Release:
        return self.pool.release

    @property
    def version(self) -> str:
        return self.pool.version

    def follow_release(self) -> None:
        """Switch to a newer published build if there is one (checked at most once a second)."""
        now = time.monotonic()
        if now - self._checked_at < RELEASE_CHECK_SECONDS:
            return
        self._checked_at = now
        path = current_release(self.settings.output_dir)
        if path is None or path.name == self.pool.version:
            return
        release = Release(path)
        self.pool.reload(release)
        self.cache.clear()
        self.manifest = _read_manifest(release)


def _read_manifest(release: Release) -> dict[str, Any]:
    path = release.path / MANIFEST
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}
