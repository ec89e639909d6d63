"""Publishing the dataset: the ontology at its IRI, the dumps, VoID, the DCAT catalog, crawling.

``router(state)`` holds every route of this part:

- ``/ontology`` (and ``.ttl`` ``.jsonld`` ``.nt`` ``.rdf`` ``.html`` ``.svg``, and the version
  IRI): ``kggraph.web.publishing.ontology_page``;
- ``/dumps/``, ``/dumps/<file>``, ``/dumps/SHA256SUMS``: ``kggraph.web.publishing.downloads``;
- ``/.well-known/void`` and ``/catalog`` (and their extension forms):
  ``kggraph.web.publishing.documents``;
- ``/robots.txt`` and ``/sitemap.xml``: ``kggraph.web.publishing.crawl``.

They share one ``Published`` cache per application (``kggraph.web.publishing.context``), made
here: each handler answers a ``Context`` that holds it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kggraph.web.http.state import AppState
from kggraph.web.publishing import crawl, documents, downloads, ontology_page
from kggraph.web.publishing.context import Context, ContextHandler, Published

Endpoint = Callable[[Request], Awaitable[Response]]


def router(state: AppState) -> APIRouter:
    published = Published()
    found = APIRouter()
    for module in (ontology_page, downloads, documents, crawl):
        for path, handler in module.routes():
            found.add_route(path, _bound(handler, published), methods=["GET"])
    return found


def _bound(handler: ContextHandler, published: Published) -> Endpoint:
    """A Starlette endpoint that answers with ``handler`` on the request and ``published``."""

    async def endpoint(request: Request) -> Response:
        return await handler(Context.of(request, published))

    endpoint.__name__ = handler.__name__
    return endpoint
