"""``/docs``: the OpenAPI documentation of the HTTP API, with Swagger UI served by this server.

FastAPI's own ``/docs`` page loads Swagger UI from a CDN, so offline (or behind a firewall
that allows only this server) it stays blank. Here the page names the files of the npm package
``swagger-ui-dist``, which ``make install`` puts into ``node_modules/`` and this server serves
at ``/static/swagger-ui``, like YASGUI for the query page. Until they are installed the page
says so and links to ``/openapi.json``, which needs nothing.

The page is our own (``api_docs.html``), not FastAPI's: it says its language, and it starts
Swagger UI from our ``docs.js`` (so no inline script runs), which also gives Swagger UI's markup
the roles and labels assistive technology needs; ``docs.css`` gives its text enough contrast
(WCAG 2.1 AA, the README's "Accessibility"). Swagger UI itself is used as published.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kggraph.web.http.query_editor import OWN_PATH
from kggraph.web.http.state import AppState, state_of
from kggraph.web.http.static_files import OptionalStaticFiles
from kggraph.web.http.templating import template_environment

SWAGGER_BUILD = Path("node_modules/swagger-ui-dist")
"""Where ``npm ci`` puts Swagger UI's files, relative to the project root."""
SWAGGER_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")
SWAGGER_PATH = "/static/swagger-ui"
DOCS_PATH = "/docs"
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",  # Swagger UI sets style attributes in its markup
        "img-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",  # as on every page (kggraph.web.http.security)
    )
)
"""Only this server: the page can neither load nor send anything elsewhere."""
_TEMPLATES = template_environment()
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
    page = _TEMPLATES.get_template("api_docs.html").render(
        title=title,
        openapi=openapi,
        swagger_path=root + SWAGGER_PATH,
        own_path=root + OWN_PATH,
    )
    return HTMLResponse(page, headers=headers)
