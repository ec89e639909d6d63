"""Answers for the linked-data pages: from the answer cache, else from a query worker (within
the asking client's budget, ``kggraph.web.http.budgeting``).

The pages ask the same few queries over and over (a resource's description, the class
index); keeping their answers in the runtime's bounded cache, keyed like the endpoint's by
release version and task, means a page costs one query per release, not one per visit.
"""

from __future__ import annotations

from kggraph.query.cache import answer_key
from kggraph.query.executor import Answer, QueryTask
from kggraph.web.http.budgeting import run_query
from kggraph.web.runtime import Runtime


async def fetch(runtime: Runtime, task: QueryTask, *, key: str | None = None) -> Answer:
    """The answer to ``task`` from the answer cache, else from a query worker (then cached);
    ``key`` is its cache key when the caller has made it already."""
    key = key or answer_key(runtime.version, task)
    answer = runtime.cache.get(key)
    if answer is None:
        answer = await run_query(runtime, task)
        runtime.cache.put(key, answer)
    return answer
