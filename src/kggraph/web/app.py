"""The web application: ``create_app(settings)`` makes one server with its own state
(``kggraph.web.http.state.AppState``: settings, runtime, budgets…), and every view listed in
``VIEWS`` adds its routes through its ``router(state)``, in that order.

``create_app_from_env`` is the factory uvicorn calls in each worker process (``kggraph serve``
hands the settings over as ``KGGRAPH_*`` variables); it puts ``kggraph.web.fastpath`` in front
of the application, so queries skip the framework's layers, ``kggraph.web.http.budgeting`` around
both (each client's query budget), and ``kggraph.web.http.security`` around all (security headers,
no caching of errors). Middlewares: CORS for GET and POST without
credentials (portals call the endpoint from their pages), gzip for answers over 1 KiB.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from kggraph import __version__
from kggraph.budgets.counters import BudgetLimits
from kggraph.core.config import Settings, load_settings
from kggraph.web import canned, graphs, health, query_page, sparql
from kggraph.web.explore import routes as explore
from kggraph.web.fastpath import SparqlFastPath
from kggraph.web.http.budgeting import ClientBudgets
from kggraph.web.http.client_id import ClientIdentifier
from kggraph.web.http.errors import HANDLED, handle_error
from kggraph.web.http.prepared import TRUNCATED_HEADER
from kggraph.web.http.security import SecurityHeaders
from kggraph.web.http.state import AppState
from kggraph.web.linked_data import fragments, resources
from kggraph.web.openapi import docs_page, document
from kggraph.web.publishing import routes as publishing
from kggraph.web.runtime import FollowRelease

GZIP_MINIMUM_BYTES = 1024
EXPOSED_HEADERS = ("ETag", "Kggraph-Version", TRUNCATED_HEADER, "Retry-After")
VIEWS = (
    sparql,
    graphs,
    health,
    query_page,
    explore,
    canned,
    docs_page,
    resources,
    fragments,
    publishing,
)
"""The route units, each with its ``router(state)``, in the order their routes are tried."""


def create_app(settings: Settings) -> FastAPI:
    """A server on the current published build of ``settings.output_dir``."""
    return application(AppState.create(settings))


def application(state: AppState) -> FastAPI:
    """The FastAPI application of ``state``: every view's routes, the error handlers, the
    middlewares; its lifespan starts and stops the query workers."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await state.runtime.pool.start()
        try:
            yield
        finally:
            await state.runtime.pool.close()
            await state.budgets.close()

    app = FastAPI(
        title="kggraph",
        version=__version__,
        description="Kitakyushu's international environmental cooperation as linked data.",
        lifespan=lifespan,
        docs_url=None,  # apidocs serves /docs with Swagger UI from node_modules (no CDN)
        redoc_url=None,
    )
    app.state.kggraph = state
    for view in VIEWS:
        app.include_router(view.router(state))
    document.install(app)
    for handled in HANDLED:  # one handler, one mapping (kggraph.web.http.errors)
        app.add_exception_handler(handled, handle_error)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(FollowRelease, runtime=state.runtime)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST"],
        allow_headers=["Accept", "Content-Type", "If-None-Match"],
        expose_headers=list(EXPOSED_HEADERS),
        allow_credentials=False,
    )
    return app


def create_server(settings: Settings) -> SecurityHeaders:
    """The application as served: queries to ``/sparql`` answered in front of the framework
    (``kggraph.web.fastpath``), everything else by the FastAPI ``application``, each client held
    to its query budget (``kggraph.web.http.budgeting``), and every answer given the security and
    error-caching headers (``kggraph.web.http.security``)."""
    state = AppState.create(settings)
    fast = FollowRelease(
        SparqlFastPath(
            application(state),
            state.runtime,
            gzip_minimum=GZIP_MINIMUM_BYTES,
            exposed_headers=EXPOSED_HEADERS,
        ),
        state.runtime,
    )
    budgeted = ClientBudgets(
        fast,
        state.budgets,
        limits=BudgetLimits.from_settings(settings),
        identifier=ClientIdentifier(settings.trusted_proxies),
    )
    return SecurityHeaders(budgeted)


def create_app_from_env() -> SecurityHeaders:
    """The uvicorn factory: settings from the ``KGGRAPH_*`` environment."""
    return create_server(load_settings())
