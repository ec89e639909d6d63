"""The explore routes, network API and pages, on one ``NetworkService`` per application, and the
map (``map_view``), which reads its places itself."""

from __future__ import annotations

from fastapi import APIRouter

from kggraph.web.explore import map_view, network_api, views
from kggraph.web.explore.service import NetworkService
from kggraph.web.http.state import AppState


def router(state: AppState) -> APIRouter:
    """``/network…`` and ``/explore/…``, sharing the networks and timeline they read."""
    service = NetworkService()
    found = APIRouter()
    found.include_router(network_api.router(service))
    found.include_router(views.router(state, service))
    found.include_router(map_view.router(state))
    return found
