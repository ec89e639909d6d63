"""Publishing the dataset: the ontology at its IRI, the dumps, VoID, the DCAT catalog, crawling.

``mount(app)`` adds every route of this part to the application in one call:

- ``/ontology`` (and ``.ttl`` ``.jsonld`` ``.nt`` ``.rdf`` ``.html`` ``.svg``, and the version
  IRI): ``kggraph.web.publishing.ontology_page``;
- ``/dumps/``, ``/dumps/<file>``, ``/dumps/SHA256SUMS``: ``kggraph.web.publishing.downloads``;
- ``/.well-known/void`` and ``/catalog`` (and their extension forms):
``kggraph.web.publishing.documents``;
- ``/robots.txt`` and ``/sitemap.xml``: ``kggraph.web.publishing.crawl``.

They share one ``Published`` cache per application (``kggraph.web.publishing.context``).
"""

from __future__ import annotations

from fastapi import FastAPI

from kggraph.web.publishing import crawl, documents, downloads, ontology_page
from kggraph.web.publishing.context import Published


def mount(app: FastAPI) -> None:
    app.state.published = Published()
    for module in (ontology_page, downloads, documents, crawl):
        app.router.routes.extend(module.routes())
