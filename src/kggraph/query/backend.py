"""What the web asks of a store: ``QueryBackend``, met by the embedded worker pool and a remote
SPARQL store alike.

The web tier holds one backend (``kggraph.web.runtime.Runtime.pool``) and asks it nothing but
this: run a ``QueryTask`` and give its serialised ``Answer`` (or raise a
``kggraph.core.errors.QueryError``), name the version of the graph it answers from, and say
how many rows an answer may hold and whether it runs as configured. Two implement it:

* ``kggraph.query.pool.WorkerPool``: pyoxigraph in query worker processes on the local
  release (the default);
* ``kggraph.query.remote.RemoteStore``: a SPARQL 1.1 query endpoint reached over HTTP
  (setting ``store``), spoken to in its own dialect (``kggraph.query.dialects``).

Every feature sends SPARQL text through it, never quad patterns, so each works on either store.
"""

from __future__ import annotations

from typing import Protocol

from kggraph.query.executor import Answer, QueryTask


class QueryBackend(Protocol):
    """Runs queries against one version of the published graph."""

    @property
    def version(self) -> str:
        """The release the answers come from (its folder's name under ``releases/``); it
        changes when a new build is published."""
        ...

    @property
    def max_rows(self) -> int:
        """The most rows (or triples) one answer holds; past it an answer is cut off
        (``Answer.truncated``)."""
        ...

    @property
    def degraded(self) -> bool:
        """True while the backend cannot answer as configured (workers that could not start,
        a store that cannot be reached)."""
        ...

    def status(self) -> dict[str, object]:
        """What the health page shows about it (workers and queue, or the store)."""
        ...

    async def start(self) -> None:
        """Get ready to answer (start processes, open connections)."""

    async def run(self, task: QueryTask) -> Answer:
        """Answer one query within the time limit, or raise a ``kggraph.core.errors.QueryError``
        (``QueryTimeout`` and ``QueryUnavailable`` are 503s to the client)."""
        ...

    async def close(self) -> None:
        """Release everything ``start`` took."""
