"""Every type of page the server renders for a browser, for the checks that go over them all:
axe-core in Chromium (``tests/browser/test_accessibility.py``) and html-validate
(``tests/test_html_validate.py``). A new page type belongs in ``PAGES`` (or, for a kind of
resource, ``RESOURCE_KINDS``), so both checks reach it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import httpx

from kggraph.core.config import Settings
from kggraph.core.namespaces import BASE_IRI, ID_IRI, RDFS, VOCAB_IRI, WGS84
from kggraph.publish.build import build
from kggraph.validation.redirects import COLUMNS, FILE
from tests.conftest import Server, start_server, write_small_project

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
"""What Chromium sends for a page: ``/sparql`` answers it with the query page."""

RESULTS_QUERY = (
    f"SELECT ?city ?name ?lat WHERE {{ ?city a <{VOCAB_IRI}City> ; <{RDFS.label}> ?name . "
    f"OPTIONAL {{ ?city <{WGS84.lat}> ?lat }} }} ORDER BY ?city ?name LIMIT 12"
)
"""A query whose answer page shows links, labels, literals in two languages and numbers."""

PAGES = {
    "query": "/",
    "sparql": "/sparql",
    "docs": "/docs",
    "ontology": "/ontology",
    "index": "/id/",
    "kind-list": "/id/city/",
    "search": "/search?q=Kitakyushu",
    "network": "/explore/network",
    "timeline": "/explore/timeline",
    "map": "/explore/map",
    "catalog": "/catalog",
    "void": "/.well-known/void",
    "dumps": "/dumps/",
    "not-found": "/id/city/no-such-city",
    "paged": "/id/source/white-paper-2025/s7-2?in=prov:wasDerivedFrom&page=2",
    "results": "/sparql?" + urlencode({"query": RESULTS_QUERY}),
    "results-graph": "/sparql?" + urlencode({"query": f"DESCRIBE <{ID_IRI}city/dalian>"}),
    "fragments": "/fragments",
    "fragment": "/fragments?subject=https%3A%2F%2Fw3id.org%2Fkggraph%2Fid%2Fcity%2Fdalian",
}
"""Each page type and where it is, on the session server."""

STATUS = {"not-found": 404}
"""The pages that answer something other than ``200``."""

RESOURCE_KINDS = (
    "agreement",
    "award",
    "city",
    "concept",
    "country",
    "editorial",
    "fiscal-year",
    "org",
    "project",
    "source",
    "statistic",
)
"""The kinds of resource (``/id/<kind>/…``) whose page is checked: the richest one of each."""

GONE = f"{ID_IRI}project/merged-account"
GONE_PATH = "/" + GONE.removeprefix(BASE_IRI)
GONE_ROW = (
    f"{GONE}\t410\t\tTwo accounts were joined in one node by mistake\t"
    "二つの記述を誤って一つの節点にしていた\n"
)
"""A withdrawn identifier: the real ``data/redirects.tsv`` may hold none, so the ``410`` page is
checked on a small project whose table withdraws this one."""


def in_language(path: str, lang: str) -> str:
    """``path`` asked for in ``lang`` (``?lang=``, which pages without a choice ignore)."""
    return f"{path}{'&' if '?' in path else '?'}lang={lang}"


def richest_resource(server: Server, kind: str) -> str:
    """The path of the resource of ``kind`` with the most triples (the fullest page of its
    kind), the first by IRI among equals."""
    prefix = ID_IRI + kind + "/"
    query = f"""SELECT ?s (COUNT(*) AS ?n)
    WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{prefix}")) }}
    GROUP BY ?s ORDER BY DESC(?n) ?s LIMIT 1"""
    answer = httpx.get(server.sparql, params={"query": query, "format": "json"}, timeout=60)
    answer.raise_for_status()
    (row,) = answer.json()["results"]["bindings"]
    return "/" + str(row["s"]["value"]).removeprefix(BASE_IRI)


def serve_withdrawn(root: Path) -> Server:
    """A server on the small project built in ``root`` with ``GONE`` withdrawn."""
    write_small_project(root)
    (root / "data" / FILE).write_text("\t".join(COLUMNS) + "\n" + GONE_ROW, encoding="utf-8")
    settings = Settings(root=root, output=root / "dist")
    build(settings)
    return start_server(settings.output_dir, root / "server.log")
