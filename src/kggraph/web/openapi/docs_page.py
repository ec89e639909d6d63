"""``/docs``: the OpenAPI documentation of the HTTP API, with Swagger UI served by this server.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN, so offline (or behind a firewall
that allows only this server) it stays blank. Here the page names the files of the npm package
``swagger-ui-dist``, which ``make install`` puts into ``node_modules/`` and this server serves
at ``/static/swagger-ui``, like YASGUI for the query page. Until they are installed the page
says so and links to ``/openapi.json``, which needs nothing.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kggraph.web.http.state import AppState, state_of
from kggraph.web.http.static_files import OptionalStaticFiles

SWAGGER_BUILD = Path("node_modules/swagger-ui-dist")
"""Where ``npm ci`` puts Swagger UI's files, relative to the project root."""
SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")
SWAGGER_PATH = "/static/swagger-ui"
DOCS_PATH = "/docs"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",  # the page starts Swagger UI with an inline script
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",  # as on every page (kggraph.web.http.security)
    )
)
"""Only this server: the page can neither load nor send anything elsewhere."""
MISSING = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
</head><body><h1>{title}</h1><p>Swagger UI is not installed: run <code>make install</code>
(it puts the npm package <code>swagger-ui-dist</code> into <code>node_modules/</code>).
The API description itself is at <a href="{openapi}">{openapi}</a>.</p></body></html>
"""


def router(state: AppState) -> APIRouter:
    """Swagger UI's files and the ``/docs`` page (create the app with ``docs_url=None``). The
    document they show is ``kggraph.web.openapi.document``'s (``/sparql`` included), which
    ``kggraph.web.app`` installs on the application."""
    found = APIRouter()
    folder = state.settings.root / SWAGGER_BUILD
    found.mount(SWAGGER_PATH, OptionalStaticFiles(directory=folder, check_dir=False))
    found.add_api_route(DOCS_PATH, docs, methods=["GET"], include_in_schema=False)
    return found


async def docs(request: Request) -> Response:
    """Swagger UI on the application's OpenAPI document, or a page saying how to install it."""
    folder = state_of(request).settings.root / SWAGGER_BUILD
    root = request.scope.get("root_path", "")
    title = f"{request.app.title} API"
    openapi = root + (request.app.openapi_url or "/openapi.json")
    headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY, "Cache-Control": "no-cache"}
    if not all((folder / name).is_file() for name in SWAGGER_FILES):
        page = MISSING.format(title=title, openapi=openapi)
        return HTMLResponse(page, status_code=503, headers=headers)
    html = get_swagger_ui_html(
        openapi_url=openapi,
        title=title,
        swagger_js_url=f"{root}{SWAGGER_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{SWAGGER_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{root}{SWAGGER_PATH}/favicon-32x32.png",
    )
    html.headers.update(headers)
    return html
