"""The query page at ``/``, and the static files it loads: YASGUI's from ``node_modules/`` (at
``/static/yasgui/``) and our own (at ``/static/kggraph/``). The page itself is
``kggraph.web.http.query_editor``'s, which ``/sparql`` also answers to a browser.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

from kggraph.core.config import Settings
from kggraph.web.http.query_editor import OWN_PATH, YASGUI_PATH, QueryPage, query_page
from kggraph.web.http.static_files import OptionalStaticFiles
from kggraph.web.runtime import Runtime

HERE = Path(__file__).parent


def mount(app: FastAPI, settings: Settings) -> None:
    """Serve YASGUI's and our static files, and the page at ``/``."""
    page = QueryPage.create(settings)
    app.state.query_page = page
    app.mount(YASGUI_PATH, OptionalStaticFiles(directory=page.yasgui_dir, check_dir=False))
    app.mount(OWN_PATH, StaticFiles(directory=HERE / "static"))
    app.router.add_route("/", home, methods=["GET"], include_in_schema=False)


async def home(request: Request) -> HTMLResponse:
    runtime: Runtime = request.app.state.runtime
    return query_page(request, runtime)
