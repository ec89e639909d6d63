"""The query page at ``/``, and the static files it loads: YASGUI's from ``node_modules/`` (at
``/static/yasgui/``) and our own (at ``/static/kggraph/``). The page itself is
``kggraph.web.http.query_editor``'s, which ``/sparql`` also answers to a browser.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from kggraph.web.http.query_editor import OWN_PATH, YASGUI_PATH
from kggraph.web.http.state import AppState, state_of
from kggraph.web.http.static_files import OptionalStaticFiles

HERE = Path(__file__).parent


def router(state: AppState) -> APIRouter:
    """YASGUI's and our static files, and the page at ``/``."""
    found = APIRouter()
    yasgui = OptionalStaticFiles(directory=state.query_page.yasgui_dir, check_dir=False)
    found.mount(YASGUI_PATH, yasgui)
    found.mount(OWN_PATH, StaticFiles(directory=HERE / "static"))
    found.add_route("/", home, methods=["GET"], include_in_schema=False)
    return found


async def home(request: Request) -> HTMLResponse:
    state = state_of(request)
    return state.query_page.response(state.runtime)
