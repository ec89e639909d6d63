"""A SPARQL query request made ready to answer: checked, its format chosen, its answer key and
caching headers derived; then its answer, from the cache or a worker.

``/sparql`` (``kggraph.web.sparql``), the fast path in front of the framework
(``kggraph.web.fastpath``) and the canned queries (``kggraph.web.canned``) share it, so they give
the same answers, headers and errors.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from dataclasses import dataclass

from kggraph.core.formats import kind_of_form
from kggraph.query.cache import answer_key
from kggraph.query.executor import Answer, QueryTask
from kggraph.query.negotiate import negotiate
from kggraph.query.protocol import QueryRequest
from kggraph.query.reader import check
from kggraph.web.http.lookup import fetch
from kggraph.web.runtime import Runtime

VARY = "Accept"
READ_IN_THREAD_CHARS = 4096
"""Queries longer than this are read in a thread (a 100 kB text takes a tenth of a second)."""
TRUNCATED_HEADER = "Kggraph-Truncated"
"""Set (to the row limit) when an answer was cut off at ``max_rows``."""


@dataclass(frozen=True)
class Prepared:
    """A query request read and checked: the task for a worker, its answer key, its headers."""

    task: QueryTask
    key: str
    headers: dict[str, str]
    content_type: str


def prepare(runtime: Runtime, asked: QueryRequest, accept: str | None) -> Prepared:
    """Check the query (form, updates, SERVICE), choose the format, derive key and headers."""
    if asked.query is None:
        raise ValueError("prepare needs a request that holds a query")
    form = check(
        asked.query,
        service_allowlist=runtime.settings.service_allowlist,
        max_depth=runtime.settings.max_query_depth,
    )
    kind = kind_of_form(form.kind)
    fmt = negotiate(kind, accept=accept, format_param=asked.formats)
    task = QueryTask(asked.query, fmt.name, asked.default_graphs, asked.named_graphs)
    key = answer_key(runtime.version, task)
    return Prepared(task, key, _cache_headers(runtime, key), fmt.content_type)


async def prepare_request(runtime: Runtime, asked: QueryRequest, accept: str | None) -> Prepared:
    """``prepare``, in a thread for a long query: reading it must not hold up other clients."""
    if asked.query is not None and len(asked.query) > READ_IN_THREAD_CHARS:
        return await asyncio.to_thread(prepare, runtime, asked, accept)
    return prepare(runtime, asked, accept)


def answer_of(runtime: Runtime, prepared: Prepared) -> Awaitable[Answer]:
    """The answer from the cache, else from a worker within the client's budget (and then kept
    in the cache): ``fetch``'s own awaitable, without a coroutine of its own around it."""
    return fetch(runtime, prepared.task, key=prepared.key)


def _cache_headers(runtime: Runtime, key: str) -> dict[str, str]:
    return {
        "ETag": f'W/"{key}"',
        "Cache-Control": f"public, max-age={runtime.settings.cache_max_age}",
        "Vary": VARY,
        "Kggraph-Version": runtime.version,
    }
