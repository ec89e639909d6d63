"""Paged incoming links and the links graph's section on the real build, over real HTTP.

The resource and property with the most incoming links are found with the server's own SPARQL
endpoint, as are the links each page must list and the statements of the links graph.
"""

from __future__ import annotations

import html
import re

import httpx
import pytest

from kggraph.core.namespaces import BASE_IRI, RDF, shorten
from kggraph.pages.paging import PAGE_SIZE, anchor
from kggraph.publish.build import BuildResult
from tests.conftest import Server

HTML = {"Accept": "text/html"}
LINKS_GRAPH = BASE_IRI + "graph/links"
MOST_LINKED = f"""SELECT ?o ?p (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s ?p ?o FILTER(isIRI(?o) && STRSTARTS(STR(?o), "{BASE_IRI}id/") && isIRI(?s) && ?s != ?o)
  FILTER(?p NOT IN (<{RDF.subject}>, <{RDF.object}>))
}} GROUP BY ?o ?p ORDER BY DESC(?n) ?o ?p LIMIT 1"""


def select(server: Server, query: str) -> list[dict[str, dict[str, str]]]:
    answer = httpx.get(server.sparql, params={"query": query, "format": "json"}, timeout=60)
    answer.raise_for_status()
    rows: list[dict[str, dict[str, str]]] = answer.json()["results"]["bindings"]
    return rows


@pytest.fixture(scope="module")
def most_linked(server: Server) -> tuple[str, str, int]:
    """The resource, property and count of the most used incoming link of the build."""
    (row,) = select(server, MOST_LINKED)
    return row["o"]["value"], row["p"]["value"], int(row["n"]["value"])


def path_of(iri: str) -> str:
    return "/" + iri.removeprefix(BASE_IRI)


def group(text: str, prop: str) -> str:
    """The group of ``prop`` on a page: its heading and its values."""
    found = re.search(rf'<dt id="{anchor(prop)}">(.*?)</dd>', text, re.DOTALL)
    assert found is not None, f"no group of {prop}"
    return html.unescape(found.group(1))


def test_the_most_linked_resource_pages_its_links(
    server: Server, most_linked: tuple[str, str, int]
) -> None:
    iri, prop, count = most_linked
    assert count > PAGE_SIZE, f"no resource of the build has more than {PAGE_SIZE} links"
    linking = {
        row["s"]["value"]
        for row in select(server, f"SELECT DISTINCT ?s WHERE {{ ?s <{prop}> <{iri}> }}")
    }
    seen: list[str] = []
    pages = -(-count // PAGE_SIZE)
    for page in range(1, pages + 1):
        answer = httpx.get(
            server.url + path_of(iri),
            params={"in": shorten(prop), "page": str(page)},
            headers=HTML,
            timeout=60,
        )
        assert answer.status_code == 200
        shown = group(answer.text, prop)
        first, last = (page - 1) * PAGE_SIZE + 1, min(page * PAGE_SIZE, count)
        assert f"({first}–{last} of {count})" in shown
        seen += re.findall(r'<li><a href="[^"]*?(/id/[^"?]+)', shown)
    assert len(seen) == len(set(seen)) == count
    assert {BASE_IRI + p.lstrip("/") for p in seen} == linking
    beyond = httpx.get(
        server.url + path_of(iri),
        params={"in": shorten(prop), "page": str(pages + 1)},
        headers=HTML,
        timeout=60,
    )
    assert beyond.status_code == 400
    assert f"there is no page {pages + 1}" in beyond.text


def test_the_links_graph_is_shown_apart_on_a_place(server: Server, built: BuildResult) -> None:
    assert LINKS_GRAPH in built.manifest.graphs, "the build has no links graph"
    rows = select(
        server,
        f"""SELECT ?place ?match WHERE {{ GRAPH <{LINKS_GRAPH}> {{
            ?place <http://www.w3.org/2004/02/skos/core#exactMatch> ?match }} }}
        ORDER BY ?place LIMIT 1""",
    )
    place, match = rows[0]["place"]["value"], rows[0]["match"]["value"]
    text = httpx.get(server.url + path_of(place), headers=HTML, timeout=60).text
    outside = re.search(r'<section class="outside">(.*?)</section>', text, re.DOTALL)
    assert outside is not None
    assert f'href="{match}"' in outside.group(1)
    assert LINKS_GRAPH in outside.group(1)
