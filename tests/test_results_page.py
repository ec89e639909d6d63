"""The endpoint in a browser (issue 14): a query whose ``Accept`` ranks ``text/html`` first gets
its answer as a page (``kggraph.web.http.results_page``), over real HTTP on the real build; every
other client keeps the answers it had.

The page is parsed (``tests.htmltree``) and checked against the endpoint's own answers: the rows,
the links to our pages and the labels beside them, the literals' languages and datatypes, the
query and its link into the editor, and a download per format that gives the answer itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kggraph.core.namespaces import ID_IRI, PREFIXES
from kggraph.pages.results import (
    LABEL_IRIS,
    Cell,
    Table,
    labels_query,
    our_iris,
    read_results,
    read_triples,
)
from kggraph.query.negotiate import prefers_page
from kggraph.web.http.results_page import DISPLAY_ROWS
from tests.conftest import Server, start_server, stop_server
from tests.htmltree import Element, parse

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
BROWSER = {"Accept": FIREFOX}
PROLOGUE = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
HAIPHONG = ID_IRI + "city/haiphong"
CITIES = PROLOGUE + (
    "SELECT ?city ?name ?lat WHERE { ?city a kg:City ; rdfs:label ?name . "
    "OPTIONAL { ?city wgs84:lat ?lat } FILTER(?city = kgid:city\\/haiphong) } ORDER BY ?name"
)
ASK_YES = PROLOGUE + 'ASK { kgid:city\\/haiphong rdfs:label "Haiphong"@en }'
ASK_NO = PROLOGUE + 'ASK { kgid:city\\/haiphong rdfs:label "Atlantis"@en }'
DESCRIBE = PROLOGUE + "DESCRIBE kgid:city\\/haiphong"
ANY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 3"


def _sparqlwrapper_accept(query: str, return_format: str) -> str:
    client = SPARQLWrapper("http://127.0.0.1/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client._getAcceptHeader()


SPARQLWRAPPER = [
    *(_sparqlwrapper_accept(ANY, f) for f in (JSON, XML, CSV, TSV)),
    *(_sparqlwrapper_accept(DESCRIBE, f) for f in (TURTLE, N3, RDFXML, JSONLD)),
]


def page(server: Server, query: str, **headers: str) -> httpx.Response:
    answer = httpx.get(
        server.sparql, params={"query": query}, headers={**BROWSER, **headers}, timeout=60
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    return answer


def rows_of(tree: Element) -> list[list[Element]]:
    (table,) = tree.having("table", **{"class": "results"})
    return [list(tr.iter("td")) for tr in next(table.iter("tbody")).iter("tr")]


def raw_text(element: Element) -> str:
    return "".join(c if isinstance(c, str) else raw_text(c) for c in element.children)


# --- who gets a page ----------------------------------------------------------------------


@pytest.mark.parametrize("accept", [CHROME, FIREFOX, "text/html", "text/html, */*;q=0.1"])
def test_browsers_get_a_page(accept: str) -> None:
    assert prefers_page(accept)


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "",
        "*/*",
        "text/*",
        "application/json",
        "application/sparql-results+json, text/html",
        "text/csv, text/html;q=0.5",
        "text/html;q=0, */*",
        *SPARQLWRAPPER,
    ],
)
def test_other_clients_get_an_answer_format(accept: str | None) -> None:
    assert not prefers_page(accept)


# --- reading answers into a table (no server) ------------------------------------------------


def test_a_table_keeps_its_first_rows_and_counts_them_all() -> None:
    bindings = [{"x": {"type": "literal", "value": str(i)}} for i in range(5)]
    body = json.dumps({"head": {"vars": ["x", "y"]}, "results": {"bindings": bindings}})
    table = read_results(body.encode(), limit=2)
    assert (table.total, len(table.rows), table.cut) == (5, 2, True)
    assert table.rows[0] == (Cell("literal", "0"), None)


def test_terms_are_read_with_language_datatype_and_quoted_triples() -> None:
    nt = (
        b'<https://w3id.org/kggraph/id/city/a> <http://x.org/p> "1"^^<http://x.org/t> .\n'
        b'_:b <http://x.org/p> "\xe5\xa4\xa7"@ja .\n'
        b'<http://x.org/s> <http://x.org/p> "plain"^^<http://www.w3.org/2001/XMLSchema#string> .\n'
    )
    table = read_triples(nt, limit=10)
    assert table.rows[0][2] == Cell("literal", "1", "", "http://x.org/t")
    assert table.rows[1][0] == Cell("bnode", "b")
    assert table.rows[1][2] == Cell("literal", "大", "ja")
    assert table.rows[2][2] == Cell("literal", "plain")
    quoted = {"type": "triple", "value": {k: {"type": "uri", "value": ID_IRI + k} for k in
              ("subject", "predicate", "object")}}  # fmt: skip
    body = json.dumps({"head": {"vars": ["t"]}, "results": {"bindings": [{"t": quoted}]}})
    (row,) = read_results(body.encode(), limit=1).rows
    assert row[0] is not None and [p.value for p in row[0].parts] == [
        ID_IRI + "subject",
        ID_IRI + "predicate",
        ID_IRI + "object",
    ]
    assert len(our_iris(read_results(body.encode(), limit=1))) == 3


def test_only_our_iris_that_are_safe_to_write_are_labelled_and_at_most_the_bound() -> None:
    cells = [Cell("iri", ID_IRI + f"city/c{i}") for i in range(LABEL_IRIS + 20)]
    cells += [Cell("iri", ID_IRI + "x> } DROP ALL {"), Cell("iri", "http://example.org/a")]
    table = Table(("x",), tuple((c,) for c in reversed(cells)), len(cells))
    found = our_iris(table)
    assert len(found) == LABEL_IRIS
    assert all(i.startswith(ID_IRI) and ">" not in i for i in found)
    assert "DROP" not in labels_query(our_iris(table, limit=LABEL_IRIS + 100))


def test_only_web_iris_are_links() -> None:
    assert Cell("iri", "https://example.org/").web and Cell("iri", "HTTP://x.org/").web
    assert not Cell("iri", "javascript:alert(1)").web and not Cell("iri", "urn:x:1").web


# --- the page -----------------------------------------------------------------------------


def test_a_select_is_a_table_with_links_labels_and_terms(server: Server) -> None:
    answer = page(server, CITIES)
    assert answer.headers["content-language"] == "en"
    assert {"Accept", "Accept-Language"} <= {v.strip() for v in answer.headers["vary"].split(",")}
    tree = parse(answer.text)
    assert next(tree.iter("html")).get("lang") == "en"
    headers = [th.text for th in tree.iter("th")]
    assert headers == ["?city", "?name", "?lat"]
    expected = httpx.get(server.sparql, params={"query": CITIES}).json()["results"]["bindings"]
    rows = rows_of(tree)
    assert len(rows) == len(expected) >= 2
    for cells, binding in zip(rows, expected, strict=True):
        (link,) = cells[0].iter("a")
        assert link.get("href") == server.url + "/id/city/haiphong"
        (label,) = cells[0].having("span", **{"class": "label"})
        assert (label.text, label.lang) == ("Haiphong", "en")
        (literal,) = cells[1].having("span", **{"class": "literal"})
        assert literal.text == binding["name"]["value"]
        assert literal.get("lang") == binding["name"]["xml:lang"]
        assert f"@{binding['name']['xml:lang']}" in cells[1].text
        if "lat" in binding:
            assert cells[2].text == f"{binding['lat']['value']} ^^xsd:decimal"
    assert raw_text(next(tree.iter("pre"))) == CITIES


def test_the_page_links_to_the_editor_and_to_every_format(server: Server) -> None:
    tree = parse(page(server, CITIES).text)
    (editor,) = [a for a in tree.iter("a") if a.text == "Open it in the query editor"]
    address = urlsplit(editor.get("href"))
    assert f"{address.scheme}://{address.netloc}{address.path}" == server.url + "/"
    assert dict(parse_qsl(address.fragment)) == {"query": CITIES}
    editor_page = httpx.get(server.url + "/", headers=BROWSER)
    assert editor_page.status_code == 200 and "yasgui" in editor_page.text.lower()
    downloads = list(tree.having("ul", **{"class": "formats"})[0].iter("a"))
    assert [a.text for a in downloads] == ["SPARQL JSON", "SPARQL XML", "CSV", "TSV"]
    plain = httpx.get(server.sparql, params={"query": CITIES, "format": "csv"}).content
    for link in downloads:
        # a browser follows the link with its own Accept: format= wins
        got = httpx.get(link.get("href"), headers=BROWSER)
        assert got.status_code == 200
        assert got.headers["content-type"].startswith(link.get("type"))
        if link.text == "CSV":
            assert got.content == plain


def test_the_page_in_japanese(server: Server) -> None:
    for headers, url_lang in (({"Accept-Language": "ja,en;q=0.5"}, ""), ({}, "ja")):
        params = {"query": CITIES, **({"lang": url_lang} if url_lang else {})}
        answer = httpx.get(server.sparql, params=params, headers={**BROWSER, **headers})
        assert answer.headers["content-language"] == "ja"
        tree = parse(answer.text)
        label = rows_of(tree)[0][0].having("span", **{"class": "label"})[0]
        assert label.lang == "ja" and label.text == "ハイフォン市"
        assert "行" in next(tree.iter("caption")).text


def test_ask_says_yes_or_no(server: Server) -> None:
    for query, said in ((ASK_YES, "Yes"), (ASK_NO, "No")):
        tree = parse(page(server, query).text)
        assert tree.by_id("boolean").text == said
        downloads = [a.text for a in tree.having("ul", **{"class": "formats"})[0].iter("a")]
        assert downloads == ["SPARQL JSON", "SPARQL XML", "CSV", "TSV"]


def test_a_graph_is_a_table_of_triples_with_rdf_downloads(server: Server) -> None:
    tree = parse(page(server, DESCRIBE).text)
    assert [th.text for th in tree.iter("th")] == ["Subject", "Predicate", "Object"]
    turtle = httpx.get(server.sparql, params={"query": DESCRIBE, "format": "turtle"})
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    rows = rows_of(tree)
    assert len(rows) == len(graph)
    assert next(tree.iter("caption")).text == f"{len(graph)} triples"
    subjects = {r[0].iter("a").__next__().get("href") for r in rows}
    assert server.url + "/id/city/haiphong" in subjects
    links = list(tree.having("ul", **{"class": "formats"})[0].iter("a"))
    labels = [a.text for a in links]
    assert labels == ["Turtle", "N-Triples", "JSON-LD", "RDF/XML", "N-Quads", "TriG"]
    for link in links[:4]:
        got = httpx.get(link.get("href"), headers=BROWSER)
        assert got.headers["content-type"].startswith(link.get("type"))
        if link.text == "JSON-LD":  # rdflib's JSON-LD reader warns of its own deprecations
            read = list(ox.parse(got.content, format=ox.RdfFormat.JSON_LD))
            assert len(read) == len(graph)
            continue
        fmt = {"Turtle": "turtle", "N-Triples": "nt", "RDF/XML": "xml"}[link.text]
        assert len(rdflib.Graph().parse(data=got.text, format=fmt)) == len(graph)


def test_post_gets_the_same_page_and_its_links_are_gets(server: Server) -> None:
    by_get = page(server, CITIES).text
    form = httpx.post(server.sparql, data={"query": CITIES}, headers=BROWSER)
    body = httpx.post(
        server.sparql,
        content=CITIES.encode(),
        headers={**BROWSER, "Content-Type": "application/sparql-query"},
    )
    assert form.text == body.text == by_get
    switch = parse(form.text).having("a", hreflang="ja")[0].get("href")
    assert dict(parse_qsl(switch.lstrip("?"))) == {"query": CITIES, "lang": "ja"}


def test_graphs_asked_for_are_shown_and_kept(server: Server) -> None:
    graph = "https://w3id.org/kggraph/graph/data/places"
    params = {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "default-graph-uri": graph}
    answer = httpx.get(server.sparql, params=params, headers=BROWSER)
    tree = parse(answer.text)
    assert graph in tree.text
    expected = httpx.get(server.sparql, params=params).json()["results"]["bindings"][0]
    assert (
        rows_of(tree)[0][0].having("span", **{"class": "literal"})[0].text
        == (expected["n"]["value"])
    )
    for link in tree.having("ul", **{"class": "formats"})[0].iter("a"):
        assert ("default-graph-uri", graph) in parse_qsl(urlsplit(link.get("href")).query)


def test_values_are_escaped_and_other_schemes_not_linked(server: Server) -> None:
    query = (
        'SELECT ?x ?y WHERE { BIND("<script>alert(1)</script>" AS ?x) '
        'BIND(IRI("javascript:alert(1)") AS ?y) }'
    )
    answer = page(server, query)
    assert "<script>alert" not in answer.text
    tree = parse(answer.text)
    assert not [a for a in tree.iter("a") if a.get("href").startswith("javascript")]
    assert rows_of(tree)[0][0].text == "<script>alert(1)</script>"


def test_large_answers_show_the_first_rows_and_count_them_all(server: Server) -> None:
    total = DISPLAY_ROWS + 234
    query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} ORDER BY ?s ?p ?o LIMIT {total}"
    tree = parse(page(server, query).text)
    assert len(rows_of(tree)) == DISPLAY_ROWS
    assert "1,000" in tree.by_id("cut").text and f"{total:,}" in tree.by_id("cut").text
    assert next(tree.iter("caption")).text == f"{total:,} rows"


def test_labels_are_asked_for_a_bounded_number_of_iris(server: Server) -> None:
    """Every labelled IRI of ours, each once: more than the page asks the labels of. The first
    ``LABEL_IRIS`` have theirs beside them; no other."""
    query = PROLOGUE + (
        "SELECT DISTINCT ?s WHERE { ?s rdfs:label ?l "
        'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "https://w3id.org/kggraph/")) } ORDER BY ?s'
    )
    rows = rows_of(parse(page(server, query).text))
    assert len(rows) > LABEL_IRIS
    labelled = [bool(cell.having("span", **{"class": "label"})) for (cell,) in rows]
    assert labelled == [True] * LABEL_IRIS + [False] * (len(rows) - LABEL_IRIS)


def test_conditional_requests_and_a_tag_of_its_own(server: Server) -> None:
    answer = page(server, CITIES)
    etag = answer.headers["etag"]
    as_json = httpx.get(server.sparql, params={"query": CITIES})
    assert etag != as_json.headers["etag"]
    again = httpx.get(
        server.sparql, params={"query": CITIES}, headers={**BROWSER, "If-None-Match": etag}
    )
    assert again.status_code == 304
    in_japanese = page(server, CITIES, **{"Accept-Language": "ja"})
    assert in_japanese.headers["etag"] != etag


# --- every other client keeps its answers -------------------------------------------------


CLIENTS = [
    (None, "sparql-results+json"),
    ("*/*", "sparql-results+json"),
    ("application/json", "sparql-results+json"),
    ("application/sparql-results+xml", "sparql-results+xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tab-separated-values"),
    ("application/sparql-results+json, text/html", "sparql-results+json"),
    ("text/html;q=0.5, application/xml", "sparql-results+xml"),
    *((accept, "") for accept in SPARQLWRAPPER[:4]),
]


@pytest.mark.parametrize(("accept", "subtype"), CLIENTS)
def test_other_clients_keep_their_answers(server: Server, accept: str | None, subtype: str) -> None:
    headers = {"Accept": accept} if accept is not None else {}
    if accept is None:
        with httpx.Client() as client:
            got = client.send(_without_accept(server, ANY))
    else:
        got = httpx.get(server.sparql, params={"query": ANY}, headers=headers)
    assert got.status_code == 200
    media = got.headers["content-type"].split(";")[0]
    assert "html" not in media
    if subtype:
        assert media.endswith("/" + subtype)
    short = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
             "text/csv": "csv", "text/tab-separated-values": "tsv"}[media]  # fmt: skip
    by_format = httpx.get(server.sparql, params={"query": ANY, "format": short})
    assert got.content == by_format.content
    posted = httpx.post(server.sparql, data={"query": ANY}, headers=headers)
    assert posted.headers["content-type"] == got.headers["content-type"]


def _without_accept(server: Server, query: str) -> httpx.Request:
    request = httpx.Request("GET", server.sparql, params={"query": query})
    assert "accept" not in request.headers  # sent as built: no Accept at all
    return request


def test_a_format_parameter_wins_over_a_browser(server: Server) -> None:
    plain = httpx.get(server.sparql, params={"query": ANY, "format": "json"})
    browser = httpx.get(server.sparql, params={"query": ANY, "format": "json"}, headers=BROWSER)
    assert browser.headers["content-type"] == plain.headers["content-type"]
    assert browser.content == plain.content


def test_sparqlwrapper_reads_every_format_as_before(server: Server) -> None:
    for fmt in (JSON, XML, CSV, TSV):
        client = SPARQLWrapper(server.sparql)
        client.setQuery(ANY)
        client.setReturnFormat(fmt)
        result = client.query()
        try:
            assert "html" not in result.info()["content-type"]
            assert result.convert()
        finally:
            result.response.close()


# --- what holds for the page as for any answer --------------------------------------------


@pytest.mark.parametrize(
    ("query", "status", "said"),
    [
        ("SELECT ?x WHERE { ?x ?y }", 400, "line 1, column"),
        ("INSERT DATA { <http://x.org/a> <http://x.org/b> 1 }", 400, ""),
        ("SELECT * WHERE { SERVICE <http://x.org/sparql> { ?s ?p ?o } }", 400, "SERVICE"),
    ],
)
def test_errors_stay_one_line_of_text(server: Server, query: str, status: int, said: str) -> None:
    answer = httpx.get(server.sparql, params={"query": query}, headers=BROWSER)
    plain = httpx.get(server.sparql, params={"query": query})
    assert answer.status_code == plain.status_code
    assert answer.status_code in (status, 403)
    assert answer.headers["content-type"] == "text/plain; charset=utf-8"
    assert answer.text == plain.text and said in answer.text


def test_a_query_over_the_size_limit_is_refused(server: Server) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 200_000
    answer = httpx.post(server.sparql, data={"query": query}, headers=BROWSER)
    assert answer.status_code == 413
    assert answer.headers["content-type"].startswith("text/plain")


@pytest.fixture(scope="module")
def limited(server: Server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server on the same build whose answers hold at most 5 rows."""
    running = start_server(
        server.output, tmp_path_factory.mktemp("limited") / "server.log", max_rows="5"
    )
    yield running
    stop_server(running)


def test_the_row_limit_holds_and_says_so(limited: Server) -> None:
    answer = page(limited, ANY.replace("LIMIT 3", "LIMIT 50"))
    assert answer.headers["kggraph-truncated"] == "5"
    tree = parse(answer.text)
    assert len(rows_of(tree)) == 5
    assert "5" in tree.by_id("truncated").text
