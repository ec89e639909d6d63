"""``/robots.txt`` and ``/sitemap.xml``: what search engines may crawl, and every page to crawl.

The sitemap lists the HTML page (``{server}/id/<kind>/<slug>.html``) of every subject IRI under
``https://w3id.org/kggraph/id/``, read from the current release's N-Triples dump once per
release; ``<lastmod>`` is the build date. The sitemap protocol allows 50,000 URLs in one file;
past that it would need an index of several sitemaps, which this graph (a few hundred pages) is
far from. ``robots.txt`` points to the sitemap and keeps crawlers off the query endpoint, the
search and the canned-query API, whose every URL is a query to run, not a page.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

import pyoxigraph as ox
from starlette.responses import Response

from kggraph.core.namespaces import ID_IRI
from kggraph.graph.release import MERGED
from kggraph.web.http.conditional import built_at
from kggraph.web.publishing.context import Context, ContextRoute, answer

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_LIMIT = 50_000
DISALLOWED = ("/sparql", "/search", "/queries/")


def routes() -> list[ContextRoute]:
    return [("/robots.txt", robots), ("/sitemap.xml", sitemap)]


def entity_iris(path: Path) -> tuple[str, ...]:
    """Every subject IRI under ``…/id/`` in an N-Triples file, sorted."""
    found = {
        q.subject.value
        for q in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES)
        if isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ID_IRI)
    }
    return tuple(sorted(found))


def page_of(iri: str, server: str) -> str:
    """The HTML page of an entity: ``{server}/id/city/dalian.html``."""
    return f"{server}/id/{quote(iri.removeprefix(ID_IRI), safe='/')}.html"


async def robots(context: Context) -> Response:
    lines = ["# kggraph: linked-data pages are welcome; queries are not pages.",
             "User-agent: *", *(f"Disallow: {path}" for path in DISALLOWED),
             "Allow: /", "", f"Sitemap: {context.server}/sitemap.xml", ""]  # fmt: skip
    return answer(context, "\n".join(lines).encode("utf-8"), "text/plain; charset=utf-8")


async def sitemap(context: Context) -> Response:
    iris: tuple[str, ...] = context.read(MERGED, entity_iris)
    when = built_at(context.runtime)
    lastmod = f"<lastmod>{when.date().isoformat()}</lastmod>" if when else ""

    def make() -> bytes:
        urls = "".join(
            f"<url><loc>{escape(page_of(iri, context.server))}</loc>{lastmod}</url>\n"
            for iri in iris[:SITEMAP_LIMIT]
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="{SITEMAP_NS}">\n{urls}</urlset>\n'
        ).encode()

    body = context.body(("sitemap",), make)
    return answer(context, body, "application/xml")
