"""What one application holds, typed: ``AppState``, kept once as ``app.state.kggraph`` and read
by every route through ``state_of(request)``.

It holds what more than one view uses: the settings, the runtime (query workers, answer cache,
release), the client budgets, the canned queries of ``queries/`` (the ``/queries`` API and the
query page's examples) and the query page (``/`` and ``/sparql`` to a browser). What one view
alone keeps (the explore routes' networks, the publishing routes' parsed release files) it
makes in its own ``router(state)``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from kggraph.budgets.counters import Counters
from kggraph.canned.catalogue import CannedQuery, read_canned_query
from kggraph.core.config import Settings
from kggraph.core.errors import SourceError
from kggraph.web.http.budgeting import counters_for
from kggraph.web.http.query_editor import QueryPage
from kggraph.web.runtime import Runtime

log = logging.getLogger(__name__)

QUERIES_DIR = "queries"


@dataclass(frozen=True)
class AppState:
    """One application's state, made once by ``create``."""

    settings: Settings
    runtime: Runtime
    budgets: Counters
    canned_queries: tuple[CannedQuery, ...]
    query_page: QueryPage

    @classmethod
    def create(cls, settings: Settings) -> AppState:
        """The state of a server on the current published build of ``settings.output_dir``."""
        queries = canned_queries(settings.root / QUERIES_DIR)
        return cls(
            settings,
            Runtime.create(settings),
            counters_for(settings),
            queries,
            QueryPage.create(settings, queries),
        )


def state_of(request: Request) -> AppState:
    """The state of the application answering ``request``."""
    state = request.app.state.kggraph
    if not isinstance(state, AppState):
        raise TypeError(f"app.state.kggraph is a {type(state).__name__}, not an AppState")
    return state


def canned_queries(folder: Path) -> tuple[CannedQuery, ...]:
    """The canned queries of ``folder``, leaving out (and logging) any whose header is broken:
    one bad file must not keep the server from starting."""
    found: list[CannedQuery] = []
    for path in sorted(folder.glob("*.rq")):
        try:
            found.append(read_canned_query(path))
        except SourceError as err:
            log.warning("the server leaves out the canned query %s: %s", path.name, err)
    return tuple(found)
