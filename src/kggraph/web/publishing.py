"""Publishing the dataset: the ontology at its IRI, the dumps, VoID, the DCAT catalog, crawling.

``mount(app)`` adds every route of this part to the application in one call:

- ``/ontology`` (and ``.ttl`` ``.jsonld`` ``.nt`` ``.rdf`` ``.html`` ``.svg``, and the version
  IRI): ``kggraph.web.ontologypage``;
- ``/dumps/``, ``/dumps/<file>``, ``/dumps/SHA256SUMS``: ``kggraph.web.downloads``;
- ``/.well-known/void`` and ``/catalog`` (and their extension forms): ``kggraph.web.documents``;
- ``/robots.txt`` and ``/sitemap.xml``: ``kggraph.web.crawl``.

They share one ``Published`` cache per application (``kggraph.web.published``).
"""

from __future__ import annotations

from fastapi import FastAPI

from kggraph.web import crawl, documents, downloads, ontologypage
from kggraph.web.published import Published


def mount(app: FastAPI) -> None:
    app.state.published = Published()
    for module in (ontologypage, downloads, documents, crawl):
        app.router.routes.extend(module.routes())
