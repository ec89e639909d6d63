"""``/health``: whether the server answers as configured, for load balancers and operators."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from kggraph.web.http.state import AppState, state_of


def router(state: AppState) -> APIRouter:
    found = APIRouter()
    found.add_api_route("/health", health, methods=["GET"], include_in_schema=False)
    return found


async def health(request: Request) -> JSONResponse:
    """``ok``, or ``503`` and ``degraded`` while fewer query workers are alive than configured
    (some could not start and are being started again)."""
    state = state_of(request)
    runtime, budgets = state.runtime, state.budgets
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
