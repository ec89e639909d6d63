"""The ontology at its IRI: documentation for browsers, Turtle with its version IRI for programs.

What the page must show is read from the session build's graph by SPARQL (every class and
property the ontology defines, their labels and alignments), never from the page itself.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET
from collections import defaultdict

import httpx
import pyoxigraph as ox
import pytest

from kggraph.core.namespaces import ONTOLOGY_IRI, VOCAB_IRI
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from tests.conftest import Server

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
OWL = "http://www.w3.org/2002/07/owl#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SVG = "{http://www.w3.org/2000/svg}"
TERMS = f"""
SELECT ?term ?kind ?lang ?label WHERE {{
  ?term <{RDFS}isDefinedBy> <{ONTOLOGY_IRI}> ; a ?kind ; <{RDFS}label> ?label .
  FILTER(?kind IN (<{OWL}Class>, <{OWL}ObjectProperty>, <{OWL}DatatypeProperty>))
  BIND(LANG(?label) AS ?lang)
}}"""


def _xml(data: bytes | str) -> ET.Element:
    """Parse an answer of our own test server on 127.0.0.1 (not untrusted input)."""
    return ET.fromstring(data)  # noqa: S314


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    return Release(built.release).open_store()


@pytest.fixture(scope="module")
def terms(store: ox.Store) -> dict[str, dict[str, str]]:
    """Every class and property of the ontology: IRI → {language: label}."""
    found: defaultdict[str, dict[str, str]] = defaultdict(dict)
    solutions = store.query(TERMS)
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        term, _kind, lang, label = (t.value for t in row)
        found[term][lang] = label
    assert len(found) > 80
    return dict(found)


@pytest.fixture(scope="module")
def page(server: Server) -> str:
    answer = httpx.get(server.url + "/ontology", headers=BROWSER, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    return answer.text


def _sections(page: str) -> dict[str, str]:
    """Each term entry of the page: anchor → its text, tags removed."""
    found = {}
    for anchor, body in re.findall(
        r'<section class="term" id="([^"]+)">(.*?)</section>', page, flags=re.S
    ):
        found[anchor] = html.unescape(re.sub(r"<[^>]+>", " ", body))
    return found


def test_every_class_and_property_has_an_entry_with_both_labels(
    page: str, terms: dict[str, dict[str, str]]
) -> None:
    sections = _sections(page)
    assert set(sections) == {iri.removeprefix(VOCAB_IRI) for iri in terms}
    for iri, labels in terms.items():
        entry = sections[iri.removeprefix(VOCAB_IRI)]
        assert set(labels) == {"en", "ja"}, iri
        assert labels["en"] in entry and labels["ja"] in entry, iri
        assert iri in entry


def test_definitions_and_alignments_are_shown(page: str, store: ox.Store) -> None:
    sections = _sections(page)
    solutions = store.query(
        f"SELECT ?term ?definition WHERE {{ ?term <{RDFS}isDefinedBy> <{ONTOLOGY_IRI}> ; "
        "<http://www.w3.org/2004/02/skos/core#definition> ?definition }"
    )
    assert isinstance(solutions, ox.QuerySolutions)
    count = 0
    for term, definition in solutions:
        assert isinstance(term, ox.NamedNode) and isinstance(definition, ox.Literal)
        assert definition.value in sections[term.value.removeprefix(VOCAB_IRI)]
        count += 1
    assert count > 100
    aligned = store.query(
        f"SELECT ?term ?other WHERE {{ ?term <{RDFS}isDefinedBy> <{ONTOLOGY_IRI}> ; "
        f"<{RDFS}subClassOf>|<{RDFS}subPropertyOf> ?other "
        f'FILTER(!STRSTARTS(STR(?other), "{VOCAB_IRI}")) }}'
    )
    assert isinstance(aligned, ox.QuerySolutions)
    table = page.split('id="alignments"', 1)[1]
    pairs = 0
    for term, other in aligned:
        assert isinstance(term, ox.NamedNode) and isinstance(other, ox.NamedNode)
        assert f'title="{other.value}"' in page
        assert f'href="#{term.value.removeprefix(VOCAB_IRI)}"' in table
        pairs += 1
    assert pairs > 30
    for vocabulary in ("org:", "schema:", "prov:", "dcterms:", "time:"):
        assert vocabulary in table, vocabulary


def test_domains_and_ranges_are_shown(page: str, store: ox.Store) -> None:
    sections = _sections(page)
    solutions = store.query(
        f"SELECT ?p ?d ?r WHERE {{ ?p <{RDFS}isDefinedBy> <{ONTOLOGY_IRI}> ; "
        f"<{RDFS}domain> ?d ; <{RDFS}range> ?r }}"
    )
    assert isinstance(solutions, ox.QuerySolutions)
    for prop, domain, rng in solutions:
        entry_html = page.split(f'id="{prop.value.removeprefix(VOCAB_IRI)}"', 1)[1]
        entry_html = entry_html.split("</section>", 1)[0]
        assert "domain" in sections[prop.value.removeprefix(VOCAB_IRI)]
        for end in (domain, rng):
            assert f'title="{end.value}"' in entry_html, (prop, end)


def test_the_diagram_draws_every_class_and_object_property(
    page: str, terms: dict[str, dict[str, str]], store: ox.Store
) -> None:
    svg_text = re.search(r"<svg .*?</svg>", page, flags=re.S)
    assert svg_text is not None
    svg = _xml(svg_text.group(0))
    boxes = {a.get("data-iri") for a in svg.iter(SVG + "a") if a.get("class") == "class-box"}
    lanes = {a.get("data-iri") for a in svg.iter(SVG + "a") if a.get("class") == "property-lane"}
    solutions = store.query(
        f"SELECT ?c WHERE {{ ?c a <{OWL}Class> ; <{RDFS}isDefinedBy> <{ONTOLOGY_IRI}> }}"
    )
    assert isinstance(solutions, ox.QuerySolutions)
    classes = {row[0].value for row in solutions}
    assert boxes == classes
    objects = store.query(
        f"SELECT ?p WHERE {{ ?p a <{OWL}ObjectProperty> ; "
        f"<{RDFS}isDefinedBy> <{ONTOLOGY_IRI}> ; <{RDFS}domain> ?d ; "
        f"<{RDFS}range> ?r }}"
    )
    assert isinstance(objects, ox.QuerySolutions)
    assert lanes == {row[0].value for row in objects}
    standalone = httpx.get(_server_of(page) + "/ontology.svg", timeout=30)
    assert standalone.headers["content-type"].startswith("image/svg+xml")
    _xml(standalone.content)


def _server_of(page: str) -> str:
    match = re.search(r'<link rel="stylesheet" href="(http://[^"/]+)/', page)
    assert match is not None
    return match.group(1)


def _triples(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}


def _ontology_graph(built: BuildResult) -> set[ox.Triple]:
    """The triples of the ontology's own source file, from the release's named graphs."""
    graph = ox.NamedNode("https://w3id.org/kggraph/graph/ontology/kggraph")
    return {
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(path=built.release / "kggraph.nq", format=ox.RdfFormat.N_QUADS)
        if q.graph_name == graph
    }


@pytest.mark.parametrize("accept", ["text/turtle", "*/*", None])
def test_programs_get_turtle_with_the_version_iri(
    server: Server, built: BuildResult, store: ox.Store, accept: str | None
) -> None:
    headers = {"Accept": accept} if accept else {}
    answer = httpx.get(server.url + "/ontology", headers=headers, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    assert answer.headers["content-location"] == server.url + "/ontology.ttl"
    served = _triples(answer.content, ox.RdfFormat.TURTLE)
    assert served == _ontology_graph(built)
    [row] = list(store.query(f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> <{OWL}versionIRI> ?v }}"))
    version = ox.Triple(ox.NamedNode(ONTOLOGY_IRI), ox.NamedNode(OWL + "versionIRI"), row[0])
    assert version in served


@pytest.mark.parametrize(
    ("suffix", "media", "fmt"),
    [
        ("ttl", "text/turtle", ox.RdfFormat.TURTLE),
        ("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ],
)
def test_every_format_holds_the_ontology(
    server: Server, built: BuildResult, suffix: str, media: str, fmt: ox.RdfFormat
) -> None:
    answer = httpx.get(f"{server.url}/ontology.{suffix}", timeout=30)
    assert answer.headers["content-type"].startswith(media)
    assert _triples(answer.content, fmt) == _ontology_graph(built)


def test_the_version_iri_answers_and_other_versions_do_not(server: Server, store: ox.Store) -> None:
    [row] = list(store.query(f"SELECT ?v WHERE {{ <{ONTOLOGY_IRI}> <{OWL}versionIRI> ?v }}"))
    version = row[0].value.removeprefix("https://w3id.org/kggraph/")
    current = httpx.get(f"{server.url}/{version}", headers={"Accept": "text/turtle"}, timeout=30)
    assert current.status_code == 200
    assert current.content == httpx.get(server.url + "/ontology.ttl", timeout=30).content
    old = httpx.get(server.url + "/ontology/0.0.0-old", timeout=30)
    assert old.status_code == 404 and row[0].value in old.text


def test_term_iris_land_on_their_entry(page: str, terms: dict[str, dict[str, str]]) -> None:
    """``…/ontology#City`` is fetched as ``/ontology``: its fragment must be an anchor."""
    anchors = set(re.findall(r'id="([^"]+)"', page))
    for iri in terms:
        assert iri.startswith(ONTOLOGY_IRI + "#")
        assert iri.split("#", 1)[1] in anchors


def test_page_has_header_facts_and_validators(page: str, server: Server, store: ox.Store) -> None:
    solutions = store.query(
        f"SELECT ?v ?l WHERE {{ <{ONTOLOGY_IRI}> <{OWL}versionIRI> ?v ; "
        "<http://purl.org/dc/terms/license> ?l }"
    )
    assert isinstance(solutions, ox.QuerySolutions)
    [(version, licence)] = [(r[0].value, r[1].value) for r in solutions]
    assert version in page and licence in page
    first = httpx.get(server.url + "/ontology", headers=BROWSER, timeout=30)
    assert first.headers["vary"].startswith("Accept")
    assert first.headers["content-location"] == server.url + "/ontology.html"
    again = httpx.get(
        server.url + "/ontology",
        headers={**BROWSER, "If-None-Match": first.headers["etag"]},
        timeout=30,
    )
    assert again.status_code == 304
    since = httpx.get(
        server.url + "/ontology.ttl",
        headers={"If-Modified-Since": first.headers["last-modified"]},
        timeout=30,
    )
    assert since.status_code == 304
