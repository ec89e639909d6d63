"""The web application: ``create_app(settings)`` makes one server with its own runtime.

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
from starlette.exceptions import HTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kggraph import __version__
from kggraph.budgets.counters import BudgetLimits, Counters
from kggraph.core.config import Settings, load_settings
from kggraph.core.errors import KggraphError
from kggraph.web import canned, graphs, query_page, sparql
from kggraph.web.explore import network_api
from kggraph.web.fastpath import SparqlFastPath
from kggraph.web.http.budgeting import ClientBudgets, counters_for
from kggraph.web.http.client_id import ClientIdentifier
from kggraph.web.http.prepared import TRUNCATED_HEADER
from kggraph.web.http.responses import error_response, text_error
from kggraph.web.http.security import SecurityHeaders
from kggraph.web.linked_data import resources
from kggraph.web.openapi import docs_page
from kggraph.web.publishing import routes as publishing
from kggraph.web.runtime import FollowRelease, Runtime

GZIP_MINIMUM_BYTES = 1024
EXPOSED_HEADERS = ("ETag", "Kggraph-Version", TRUNCATED_HEADER, "Retry-After")


def create_app(settings: Settings) -> FastAPI:
    """A server on the current published build of ``settings.output_dir``."""
    runtime = Runtime.create(settings)
    budgets = counters_for(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.pool.start()
        try:
            yield
        finally:
            await runtime.pool.close()
            await budgets.close()

    app = FastAPI(
        title="kggraph",
        version=__version__,
        description="Kitakyushu's international environmental cooperation as linked data.",
        lifespan=lifespan,
        docs_url=None,  # apidocs serves /docs with Swagger UI from node_modules (no CDN)
        redoc_url=None,
    )
    app.state.runtime = runtime
    app.state.budgets = budgets
    app.router.routes.extend(sparql.routes())
    app.router.routes.extend(graphs.routes())
    app.add_api_route("/health", health, methods=["GET"], include_in_schema=False)
    query_page.mount(app, settings)
    network_api.mount(app, settings)
    canned.mount(app, settings)
    docs_page.mount(app, settings)
    resources.mount(app)
    publishing.mount(app)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(KggraphError, _kggraph_error)
    app.add_middleware(GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES)
    app.add_middleware(FollowRelease, runtime=runtime)
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
    (``kggraph.web.fastpath``), everything else by ``create_app``'s application, each client
    held to its query budget (``kggraph.web.http.budgeting``), and every answer given the security
    and error-caching headers (``kggraph.web.http.security``)."""
    app = create_app(settings)
    fast = FollowRelease(
        SparqlFastPath(
            app,
            app.state.runtime,
            gzip_minimum=GZIP_MINIMUM_BYTES,
            exposed_headers=EXPOSED_HEADERS,
        ),
        app.state.runtime,
    )
    budgeted = ClientBudgets(
        fast,
        app.state.budgets,
        limits=BudgetLimits.from_settings(settings),
        identifier=ClientIdentifier(settings.trusted_proxies),
    )
    return SecurityHeaders(budgeted)


def create_app_from_env() -> SecurityHeaders:
    """The uvicorn factory: settings from the ``KGGRAPH_*`` environment."""
    return create_server(load_settings())


async def health(request: Request) -> JSONResponse:
    """``ok``, or ``503`` and ``degraded`` while fewer query workers are alive than configured
    (some could not start and are being started again)."""
    runtime: Runtime = request.app.state.runtime
    budgets: Counters = request.app.state.budgets
    degraded = runtime.pool.degraded
    return JSONResponse(
        status_code=503 if degraded else 200,
        content={
            "status": "degraded" if degraded else "ok",
            "version": runtime.version,
            **runtime.pool.status(),
            "cache": {
                "entries": len(runtime.cache),
                "bytes": runtime.cache.size_bytes,
                "hits": runtime.cache.stats.hits,
                "misses": runtime.cache.stats.misses,
            },
            "budgets": {"backend": budgets.backend, "throttled": await budgets.throttled()},
        },
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    """Framework errors (404, 405) in the same short text form as ours."""
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    return text_error(exc.status_code, str(exc.detail), headers=dict(exc.headers or {}))


async def _kggraph_error(request: Request, exc: Exception) -> Response:
    """Our errors that a route lets through (a page whose query was refused or timed out) as
    the status they imply, in the same short text form, never a bare 500."""
    assert isinstance(exc, KggraphError)  # noqa: S101 - registered for KggraphError only
    return error_response(exc)
