"""The network, the timeline and the map read through a query backend rather than a store in
this process: the server's query workers, or a remote SPARQL store (setting ``store``).

``select_rows`` runs one of their SELECTs on a ``kggraph.query.backend.QueryBackend`` and
refuses a cut-off answer; the server's explore routes use it on their backend
(``kggraph.web.explore``). ``from_store`` does the same for a command: it opens the remote store
the settings name, as ``kggraph serve --store`` does (``kggraph.query.remote``), reads what it
is asked to (``gather_facts``, ``gather_places``) and closes it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from kggraph.core.config import Settings
from kggraph.core.errors import NotFound, QueryUnavailable
from kggraph.network.facts import Row, rows_from_sparql_json
from kggraph.query.backend import QueryBackend
from kggraph.query.executor import QueryTask
from kggraph.query.remote import remote_store

T = TypeVar("T")
Select = Callable[[str], Awaitable[list[Row]]]
"""One SELECT's full text → its rows."""


async def select_rows(backend: QueryBackend, text: str, what: str) -> list[Row]:
    """The rows of one SELECT on ``backend``; a cut-off answer would be a wrong ``what`` (a
    network, a map), so it is a ``QueryUnavailable`` that names the limit."""
    answer = await backend.run(QueryTask(text, "sparql-json"))
    if answer.truncated:
        raise QueryUnavailable(f"{what} has more than {backend.max_rows} rows (KGGRAPH_MAX_ROWS)")
    return rows_from_sparql_json(answer.body)


def from_store(
    settings: Settings, read: Callable[[Select], Awaitable[T]], what: str = "a network query"
) -> T:
    """``read`` on the remote store ``settings.store``, opened and closed here (``what`` as for
    ``select_rows``); a store that cannot be reached is ``QueryUnavailable``, one that holds no
    release ``NotFound``."""

    async def reading() -> T:
        store = remote_store(settings)
        await store.start()
        try:
            if not store.status()["reachable"]:
                raise QueryUnavailable(f"the SPARQL store at {settings.store} cannot be reached")
            if not store.version:
                raise NotFound(
                    f"the SPARQL store at {settings.store} holds no release of kggraph: "
                    "load one with `kggraph publish --to`"
                )
            return await read(lambda text: select_rows(store, text, what))
        finally:
            await store.close()

    return asyncio.run(reading())
