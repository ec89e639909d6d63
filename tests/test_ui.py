"""The query page over HTTP: who gets it, what it holds, that it stays on this host, and the form
that works without JavaScript or before ``make install`` (the browser tests are in browser/)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import httpx
import pyoxigraph as ox
import pytest
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kggraph.canned.catalogue import load_canned_queries
from kggraph.core.namespaces import PREFIXES
from kggraph.publish.build import BuildResult
from kggraph.web.http.page_policy import CONTENT_SECURITY_POLICY
from kggraph.web.http.query_editor import prefers_html
from tests.conftest import ROOT, Server, start_server, stop_server

CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
    "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
SAFARI = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
FIREFOX_OLD = "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"
SD_SERVICE = "http://www.w3.org/ns/sparql-service-description#Service"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
HAIPHONG = "https://w3id.org/kggraph/id/city/haiphong"


def _sparqlwrapper_accept(query: str, return_format: str) -> str:
    """The Accept header SPARQLWrapper really sends for this query and format."""
    client = SPARQLWrapper("http://127.0.0.1/sparql")
    client.setQuery(query)
    client.setReturnFormat(return_format)
    return client._getAcceptHeader()


SELECT, CONSTRUCT = "SELECT * WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"
SPARQLWRAPPER = [
    *(_sparqlwrapper_accept(SELECT, f) for f in (JSON, XML, CSV, TSV)),
    *(_sparqlwrapper_accept(CONSTRUCT, f) for f in (TURTLE, N3, RDFXML, JSONLD)),
]


@pytest.mark.parametrize("accept", [CHROME, FIREFOX, SAFARI, FIREFOX_OLD, "text/html"])
def test_browsers_prefer_html(accept: str) -> None:
    assert prefers_html(accept)


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "",
        "*/*",  # curl, httpx, wget
        "text/turtle",
        "application/ld+json",
        "text/turtle, text/html;q=0.5",
        "text/html;q=0, */*",
        *SPARQLWRAPPER,
    ],
)
def test_other_clients_do_not_get_html(accept: str | None) -> None:
    assert not prefers_html(accept)


def test_sparqlwrapper_headers_are_the_real_ones() -> None:
    assert SPARQLWRAPPER[0].startswith("application/sparql-results+json")
    assert "text/turtle" in SPARQLWRAPPER[4]


# --- the page, parsed ---------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    in_noscript: bool
    form: Element | None
    text: str = ""


class Page(HTMLParser):
    """Every element of a page, with the text of the few whose text we read."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._noscript = 0
        self._form: Element | None = None
        self._open: list[Element] = []

    @classmethod
    def of(cls, text: str) -> Page:
        page = cls()
        page.feed(text)
        page.close()
        return page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self._noscript > 0, self._form)
        self.elements.append(element)
        if tag == "noscript":
            self._noscript += 1
        elif tag == "form":
            self._form = element
        if tag in ("textarea", "option", "script", "dt", "p"):
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        if tag == "noscript":
            self._noscript -= 1
        elif tag == "form":
            self._form = None
        if self._open and self._open[-1].tag == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        if self._open:
            self._open[-1].text += data

    def find(self, tag: str, **attrs: str) -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag and all(e.attrs.get(k) == v for k, v in attrs.items())
        ]

    def urls(self) -> list[str]:
        return [
            e.attrs[name]
            for e in self.elements
            for name in ("src", "href", "action", "srcset", "poster", "data")
            if name in e.attrs
        ]

    def form_fields(self, form: Element) -> dict[str, str]:
        """What a browser sends for ``form`` untouched: each field's initial value."""
        values: dict[str, str] = {}
        select = ""
        for e in (e for e in self.elements if e.form is form):
            if e.tag == "textarea":  # a newline right after <textarea> is not part of the value
                values[e.attrs["name"]] = e.text.removeprefix("\n")
            elif e.tag == "select":
                select = e.attrs["name"]
            elif e.tag == "option" and (select not in values or "selected" in e.attrs):
                values[select] = e.attrs["value"]
        return values


def _html(server: Server, path: str = "/sparql", accept: str = CHROME) -> httpx.Response:
    answer = httpx.get(server.url + path, headers={"Accept": accept}, timeout=30)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    return answer


def _off_host(page: Page) -> list[str]:
    """URLs that name a scheme or host, or that start at the server root (which breaks
    behind a proxy that adds a path prefix): the page uses only page-relative URLs."""
    return [u for u in page.urls() if urlsplit(u).scheme or urlsplit(u).netloc or u.startswith("/")]


def _is_service_description(data: bytes, fmt: ox.RdfFormat) -> bool:
    return any(
        t.predicate.value == RDF_TYPE and t.object.value == SD_SERVICE
        for t in ox.parse(data, format=fmt)
    )


# --- who gets the page ----------------------------------------------------------------------


def test_a_browser_asking_sparql_without_a_query_gets_the_page(server: Server) -> None:
    answer = _html(server)
    assert "Accept" in answer.headers["vary"]
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "<title>kggraph SPARQL endpoint</title>" in answer.text


@pytest.mark.parametrize("accept", [CHROME, "*/*", "text/turtle"])
def test_the_home_page_is_the_page_for_everyone(server: Server, accept: str) -> None:
    assert Page.of(_html(server, "/", accept).text).find("div", id="yasgui")


def test_turtle_still_gets_the_service_description(server: Server) -> None:
    answer = httpx.get(server.sparql, headers={"Accept": "text/turtle"}, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    assert _is_service_description(answer.content, ox.RdfFormat.TURTLE)


@pytest.mark.parametrize("accept", ["*/*", SPARQLWRAPPER[0]])
def test_non_browsers_without_a_query_get_no_html(server: Server, accept: str) -> None:
    answer = httpx.get(server.sparql, headers={"Accept": accept}, timeout=30)
    assert not answer.headers["content-type"].startswith("text/html")


# --- what the page holds --------------------------------------------------------------------


def test_the_page_offers_every_canned_query(server: Server) -> None:
    page = Page.of(_html(server).text)
    options = {o.attrs["value"]: o for o in page.find("option") if o.attrs.get("value")}
    for query in load_canned_queries(ROOT / "queries"):
        assert options[query.slug].text == query.title
        assert options[query.slug].attrs["title"] == query.description


def test_the_editor_starts_with_every_prefix_and_a_query(server: Server) -> None:
    config = json.loads(Page.of(_html(server).text).find("script", id="kggraph-config")[0].text)
    assert config["endpoint"] == "sparql"
    prologue = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items())
    assert config["defaultQuery"].startswith(prologue)
    assert "SELECT ?city ?name ?nameJa ?country" in config["defaultQuery"]
    assert [q["slug"] for q in config["examples"]] == [
        q.slug for q in load_canned_queries(ROOT / "queries")
    ]


def test_the_page_links_the_service_description(server: Server) -> None:
    page = Page.of(_html(server).text)
    links = {a.attrs["href"] for a in page.find("a")}
    assert {"sparql?format=turtle", "sparql?format=json-ld"} <= links
    for href in ("sparql?format=turtle", "sparql?format=json-ld"):
        answer = httpx.get(urljoin(server.sparql, href), timeout=30)
        fmt = ox.RdfFormat.TURTLE if "turtle" in href else ox.RdfFormat.JSON_LD
        assert _is_service_description(answer.content, fmt)


def test_every_script_is_one_of_our_files_or_data(server: Server) -> None:
    scripts = Page.of(_html(server).text).find("script")
    assert [s.attrs.get("src") or s.attrs["type"] for s in scripts] == [
        "application/json",
        "static/yasgui/yasgui.min.js",
        "static/kggraph/query.js",
    ]


# --- nothing from another host --------------------------------------------------------------


@pytest.mark.parametrize("path", ["/sparql", "/"])
def test_no_url_in_the_page_leaves_this_host(server: Server, path: str) -> None:
    page = Page.of(_html(server, path).text)
    assert page.urls(), "the parser found no URL at all"
    assert _off_host(page) == []


def test_the_checker_sees_off_host_urls() -> None:
    page = Page.of(
        '<link href="https://cdn.example/y.css"><script src="//cdn.example/y.js"></script>'
        '<img src="/static/a.png"><a href="sparql?query=x">ok</a>'
    )
    assert _off_host(page) == ["https://cdn.example/y.css", "//cdn.example/y.js", "/static/a.png"]


def test_every_asset_the_page_loads_is_served(server: Server) -> None:
    page = Page.of(_html(server).text)
    assets = [e.attrs["src"] for e in page.find("script") if "src" in e.attrs]
    assets += [e.attrs["href"] for e in page.find("link") if e.attrs["rel"] != "alternate"]
    assert len(assets) == 5
    for asset in assets:
        answer = httpx.get(urljoin(server.sparql, asset), timeout=30)
        assert answer.status_code == 200, asset
        assert answer.content


def test_our_own_files_name_no_other_host() -> None:
    """No file of ours loads anything from elsewhere; the SVG namespace name, which scripts pass
    to createElementNS, is a name and is never fetched."""
    static = ROOT / "src/kggraph/web/static"
    for path in sorted(static.iterdir()):
        text = path.read_text(encoding="utf-8").replace('xmlns="http://www.w3.org/2000/svg"', "")
        text = text.replace('"http://www.w3.org/2000/svg"', "")
        assert not re.findall(r"(?:[a-z]+:)?//[\w-]+\.[\w.-]+|url\(|@import", text), path


def test_the_yasgui_folder_answers_404_for_what_it_lacks(server: Server) -> None:
    answer = httpx.get(server.url + "/static/yasgui/no-such-file.js", timeout=30)
    assert answer.status_code == 404


# --- without JavaScript ---------------------------------------------------------------------


def _submit(page_url: str, page: Page, form: Element) -> httpx.Response:
    assert form.attrs["method"] == "get"
    return httpx.get(urljoin(page_url, form.attrs["action"]), params=page.form_fields(form))


def _labels_of(answer: httpx.Response, iri: str) -> set[str]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    rows = answer.json()["results"]["bindings"]
    return {v["value"] for row in rows if row["city"]["value"] == iri for v in row.values()}


def test_the_noscript_form_runs_the_default_query(server: Server) -> None:
    page = Page.of(_html(server).text)
    (form,) = [f for f in page.find("form") if f.in_noscript]
    fields = page.form_fields(form)
    assert set(fields) == {"query", "format"} and fields["format"] == "json"
    assert fields["query"].startswith("PREFIX kg: <https://w3id.org/kggraph/ontology#>\n")
    labels = _labels_of(_submit(server.sparql, page, form), HAIPHONG)
    assert {"Haiphong", "ハイフォン市", "Vietnam"} <= labels


def test_the_example_links_run_their_query(server: Server) -> None:
    page = Page.of(_html(server).text)
    runs = [a.attrs["href"] for a in page.find("a") if a.attrs["href"].startswith("sparql?query=")]
    assert len(runs) == len(load_canned_queries(ROOT / "queries"))
    (partner_cities,) = [h for h in runs if "Kitakyushu%27s+partner+cities" in h]
    answer = httpx.get(urljoin(server.sparql, partner_cities), timeout=30)
    assert answer.status_code == 200, answer.text
    labels = {row["cityLabel"]["value"] for row in answer.json()["results"]["bindings"]}
    assert "Haiphong" in labels


@pytest.fixture(scope="module")
def server_without_yasgui(
    built: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """A server whose project folder has queries/ but no node_modules/ (before make install)."""
    root = tmp_path_factory.mktemp("no-node-modules")
    (root / "queries").symlink_to(ROOT / "queries")
    log = root / "server.log"
    running = start_server(built.release.parent.parent, log, root=str(root), query_workers="1")
    yield running
    stop_server(running)


@pytest.mark.slow
def test_without_node_modules_the_page_is_a_working_form(server_without_yasgui: Server) -> None:
    server = server_without_yasgui
    page = Page.of(_html(server).text)
    assert "make install" in page.find("p", id="not-installed")[0].text
    assert not page.find("div", id="yasgui")
    assert not [u for u in page.urls() if "yasgui" in u]
    assert _off_host(page) == []
    (form,) = page.find("form")
    assert not form.in_noscript
    assert "Haiphong" in _labels_of(_submit(server.sparql, page, form), HAIPHONG)


@pytest.mark.slow
def test_without_node_modules_yasgui_files_are_404_not_500(server_without_yasgui: Server) -> None:
    answer = httpx.get(server_without_yasgui.url + "/static/yasgui/yasgui.min.js", timeout=30)
    assert answer.status_code == 404
    assert httpx.get(server_without_yasgui.url + "/", timeout=30).status_code == 200


def test_the_query_page_links_to_every_other_page_and_each_answers(server: Server) -> None:
    page = httpx.get(server.url + "/", headers={"Accept": "text/html"}, timeout=30)
    header = page.text.split("<header>", 1)[1].split("</header>", 1)[0]
    links = re.findall(r'href="([^"?#]+)"', header)
    expected = {"id/", "search", "explore/network", "explore/timeline", "queries", "docs"}
    assert expected | {"ontology", "dumps/", "catalog"} <= set(links), links
    for link in links:
        answer = httpx.get(urljoin(server.url + "/", link), timeout=30)
        assert answer.status_code == 200, (link, answer.status_code, answer.text[:200])
