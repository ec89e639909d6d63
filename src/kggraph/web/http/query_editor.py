"""The query page that ``/`` and ``/sparql`` (to a browser, without a query) answer: a YASGUI
editor on this server's endpoint, made from the ``query.html`` template.

The page loads YASGUI (the npm package ``@zazuko/yasgui``, installed into ``node_modules/`` by
``make install``) from ``/static/yasgui/`` and our few files from ``/static/kggraph/``, which
``kggraph.web.query_page`` serves: nothing comes from another host, so the page works offline,
and its ``Content-Security-Policy`` keeps it so. Every URL in the page is relative, so it also
works behind a proxy that adds a path prefix. The editor starts with the graph's prefixes and an
example, and offers the canned queries of ``queries/``. Without JavaScript, or before ``make
install``, the page is a plain form.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment
from starlette.responses import HTMLResponse

from kggraph.canned.catalogue import CannedQuery
from kggraph.core.config import Settings
from kggraph.core.formats import BY_NAME, HTML
from kggraph.core.namespaces import PREFIXES, sparql_prologue
from kggraph.query.negotiate import parse_accept, quality
from kggraph.web.http.page_policy import CONTENT_SECURITY_POLICY
from kggraph.web.http.templating import template_environment
from kggraph.web.runtime import Runtime

YASGUI_BUILD = Path("node_modules/@zazuko/yasgui/build")
"""Where ``npm ci`` puts YASGUI's built files, relative to the project root."""
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")
YASGUI_PATH = "/static/yasgui"
OWN_PATH = "/static/kggraph"
ENDPOINT = "sparql"
"""The endpoint, relative to the page (``/`` and ``/sparql`` are both at the root)."""

DEFAULT_QUERY = """\
# The cities in the graph, with their English and Japanese names and their country.
SELECT ?city ?name ?nameJa ?country
WHERE {
  ?city a kg:City ;
        rdfs:label ?name, ?nameJa ;
        kg:containedInPlace+ ?place .
  ?place a kg:Country ; rdfs:label ?country .
  FILTER(LANG(?name) = "en" && LANG(?nameJa) = "ja" && LANG(?country) = "en")
}
ORDER BY ?country ?name
"""
"""The first query a visitor sees, after the ``PREFIX`` lines of every project prefix."""

ANSWER_FORMATS = (
    ("json", "SPARQL JSON (SELECT, ASK) or JSON-LD (CONSTRUCT, DESCRIBE)"),
    ("xml", "SPARQL XML or RDF/XML"),
    ("csv", "CSV (SELECT)"),
    ("tsv", "TSV (SELECT)"),
    ("turtle", "Turtle (CONSTRUCT, DESCRIBE)"),
)
"""The ``format`` choices of the form that works without JavaScript."""


def prefers_html(accept: str | None) -> bool:
    """True when the client ranks ``text/html`` above every RDF format (a browser)."""
    if not accept:
        return False
    ranges = parse_accept(accept)
    html = quality(ranges, HTML.media_type)[0]
    if html == 0:
        return False
    explicit = [r for r in ranges if r.type != "*" and r.subtype != "*"]
    return any(r.type == "text" and r.subtype == "html" for r in explicit) and html >= max(
        quality(ranges, BY_NAME[name].media_type)[0] for name in ("turtle", "json-ld")
    )


@dataclass(frozen=True)
class QueryPage:
    """What the page is made of: the template, the canned queries, where YASGUI lives."""

    templates: Environment
    examples: tuple[CannedQuery, ...]
    yasgui_dir: Path

    @classmethod
    def create(cls, settings: Settings, examples: tuple[CannedQuery, ...]) -> QueryPage:
        return cls(template_environment(), examples, settings.root / YASGUI_BUILD)

    @property
    def yasgui_installed(self) -> bool:
        """Checked on each request, so ``make install`` takes effect without a restart."""
        return all((self.yasgui_dir / name).is_file() for name in YASGUI_FILES)

    def response(self, runtime: Runtime) -> HTMLResponse:
        """The page, in full if YASGUI is installed, else the plain form with a note."""
        return HTMLResponse(
            self.render(runtime),
            headers={
                "Content-Security-Policy": CONTENT_SECURITY_POLICY,
                "Vary": "Accept",
                "Cache-Control": "no-cache",
            },
        )

    def render(self, runtime: Runtime) -> str:
        default_query = sparql_prologue() + "\n" + DEFAULT_QUERY
        config = {
            "endpoint": ENDPOINT,
            "defaultQuery": default_query,
            "prefixes": dict(PREFIXES),
            "examples": [_example_json(q) for q in self.examples],
        }
        triples = runtime.manifest.triples.total
        return self.templates.get_template("query.html").render(
            yasgui=self.yasgui_installed,
            yasgui_path=YASGUI_PATH.lstrip("/"),
            own_path=OWN_PATH.lstrip("/"),
            endpoint=ENDPOINT,
            config=config,
            default_query=default_query,
            examples=self.examples,
            formats=ANSWER_FORMATS,
            version=runtime.version,
            triples=triples,
        )


def _example_json(query: CannedQuery) -> dict[str, Any]:
    return {
        "slug": query.slug,
        "title": query.title,
        "description": query.description,
        "params": [
            {"name": p.name, "type": p.type, "default": p.default, "doc": p.doc}
            for p in query.params
        ],
        "text": query.text,
    }
