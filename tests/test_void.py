"""``/.well-known/void``: the VoID description agrees with the graph, the endpoint and the dumps.

Every number is checked against a SPARQL count on the session build's own store (the merged
graph the endpoint serves), and every link is followed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS, VOID
from SPARQLWrapper import JSON, SPARQLWrapper

from kggraph.core.namespaces import ID_IRI, ONTOLOGY_IRI
from kggraph.graph.release import Release
from kggraph.graph.store import EDITORIAL_GRAPH, LINKS_GRAPH
from kggraph.publish.build import BuildResult
from tests.conftest import Server

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
TURTLE = {"Accept": "text/turtle"}


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    return Release(built.release).open_store()


def _number(store: ox.Store, query: str) -> int:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    row = next(iter(solutions))
    value = row[0]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def _pairs(store: ox.Store, query: str) -> dict[str, int]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    found = {}
    for row in solutions:
        key, value = row[0], row[1]
        assert isinstance(key, ox.NamedNode) and isinstance(value, ox.Literal)
        found[key.value] = int(value.value)
    return found


@pytest.fixture(scope="module")
def void(server: Server) -> Iterator[rdflib.Graph]:
    answer = httpx.get(server.url + "/.well-known/void", headers=TURTLE, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    yield rdflib.Graph().parse(data=answer.text, format="turtle")


@pytest.fixture(scope="module")
def dataset(void: rdflib.Graph) -> URIRef:
    """The dataset the description is about; its other datasets are the editorial subset, the
    link sources, and the targets of its linksets (GeoNames, Wikidata)."""
    doc = URIRef("https://w3id.org/kggraph/.well-known/void")
    found = void.value(doc, FOAF.primaryTopic)
    assert isinstance(found, URIRef)
    datasets = set(void.subjects(rdflib.RDF.type, VOID.Dataset))
    linksets = set(void.subjects(rdflib.RDF.type, VOID.Linkset))
    subsets = set(void.objects(found, VOID.subset)) - linksets
    targets = {void.value(linkset, VOID.objectsTarget) for linkset in linksets}
    assert datasets == {found, *subsets, *targets}
    return found


def test_each_linkset_counts_its_links_and_names_its_source(
    void: rdflib.Graph, dataset: URIRef, store: ox.Store
) -> None:
    linksets = set(void.subjects(rdflib.RDF.type, VOID.Linkset))
    assert len(linksets) == 2
    for linkset in linksets:
        assert (dataset, VOID.subset, linkset) in void
        assert void.value(linkset, VOID.subjectsTarget) == dataset
        assert void.value(linkset, VOID.linkPredicate) == SKOS.exactMatch
        space = str(void.value(void.value(linkset, VOID.objectsTarget), VOID.uriSpace))
        query = (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH ?g {{ ?s <{SKOS.exactMatch}> ?o }} "
            f'FILTER(STRSTARTS(STR(?o), "{space}")) }}'
        )
        count = int(next(iter(store.query(query)))["n"].value)  # type: ignore[index,union-attr]
        assert count > 0 and _int(void, linkset, VOID.triples) == count
        source = void.value(linkset, DCTERMS.source)
        assert (dataset, DCTERMS.source, source) in void
        assert void.value(linkset, DCTERMS.license) == void.value(source, DCTERMS.license)
    geonames = [s for s in void.objects(dataset, DCTERMS.source) if "geonames" in str(s)]
    cc_by = URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert geonames and void.value(geonames[0], DCTERMS.license) == cc_by


def _int(graph: rdflib.Graph, node: rdflib.term.Node, predicate: URIRef) -> int:
    value = graph.value(node, predicate)
    assert isinstance(value, Literal), f"no {predicate} on {node}"
    return int(value)


def test_sizes_equal_sparql_counts(void: rdflib.Graph, dataset: URIRef, store: ox.Store) -> None:
    expected = {
        VOID.triples: "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        VOID.distinctSubjects: "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o }",
        VOID.distinctObjects: "SELECT (COUNT(DISTINCT ?o) AS ?n) WHERE { ?s ?p ?o }",
        VOID.entities: "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
        f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ID_IRI}")) }}',
        VOID.classes: "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?s a ?c }",
        VOID.properties: "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }",
    }
    for predicate, query in expected.items():
        assert _int(void, dataset, predicate) == _number(store, query), predicate
    assert _int(void, dataset, VOID.triples) > 4000


def test_class_partitions_equal_sparql_counts(
    void: rdflib.Graph, dataset: URIRef, store: ox.Store
) -> None:
    served = {
        str(void.value(part, VOID["class"])): _int(void, part, VOID.entities)
        for part in void.objects(dataset, VOID.classPartition)
    }
    expected = _pairs(store, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    assert served == expected
    assert served["https://w3id.org/kggraph/ontology#City"] > 0


def test_property_partitions_equal_sparql_counts(
    void: rdflib.Graph, dataset: URIRef, store: ox.Store
) -> None:
    served = {
        str(void.value(part, VOID.property)): _int(void, part, VOID.triples)
        for part in void.objects(dataset, VOID.propertyPartition)
    }
    expected = _pairs(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")
    assert served == expected


def test_vocabularies_are_those_the_graph_uses(
    void: rdflib.Graph, dataset: URIRef, store: ox.Store
) -> None:
    vocabularies = {str(v) for v in void.objects(dataset, VOID.vocabulary)}
    assert ONTOLOGY_IRI in vocabularies
    assert "https://schema.org/" in vocabularies
    solutions = store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }")
    assert isinstance(solutions, ox.QuerySolutions)
    for row in solutions:
        term = row[0]
        assert isinstance(term, ox.NamedNode)
        assert any(term.value.startswith(v) for v in vocabularies), term.value
    assert str(void.value(dataset, VOID.uriSpace)) == ID_IRI


def test_the_endpoint_it_names_answers(void: rdflib.Graph, dataset: URIRef, server: Server) -> None:
    endpoint = str(void.value(dataset, VOID.sparqlEndpoint))
    assert endpoint == server.sparql
    sparql = SPARQLWrapper(endpoint)
    sparql.setQuery("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    sparql.setReturnFormat(JSON)
    result = sparql.queryAndConvert()
    assert isinstance(result, dict)
    count = int(result["results"]["bindings"][0]["n"]["value"])
    assert count == _int(void, dataset, VOID.triples)


def test_every_dump_it_names_downloads_with_its_checksum(
    void: rdflib.Graph, dataset: URIRef, server: Server, built: BuildResult
) -> None:
    dumps = sorted(str(d) for d in void.objects(dataset, VOID.dataDump))
    on_disk = sorted(p.name for p in built.release.iterdir() if p.name.startswith("kggraph."))
    assert [d.rsplit("/", 1)[-1] for d in dumps] == on_disk
    for url in dumps:
        assert url.startswith(server.url + "/dumps/")
        answer = httpx.get(url, headers={"Accept-Encoding": "identity"}, timeout=30)
        assert answer.status_code == 200, url
        local = (built.release / url.rsplit("/", 1)[-1]).read_bytes()
        assert hashlib.sha256(answer.content).hexdigest() == hashlib.sha256(local).hexdigest()


def test_example_resources_have_pages(void: rdflib.Graph, dataset: URIRef, server: Server) -> None:
    examples = [str(e) for e in void.objects(dataset, VOID.exampleResource)]
    assert examples
    for iri in examples:
        assert iri.startswith(ID_IRI)
        page = httpx.get(server.url + "/id/" + iri.removeprefix(ID_IRI), headers=TURTLE, timeout=30)
        assert page.status_code == 200, iri


def test_licence_and_source_are_the_ontologys(
    void: rdflib.Graph, dataset: URIRef, store: ox.Store
) -> None:
    solutions = store.query(
        f"SELECT ?l ?doc WHERE {{ <{ONTOLOGY_IRI}> <{DCTERMS.license}> ?l . "
        "?doc a <https://w3id.org/kggraph/ontology#SourceDocument> }"
    )
    assert isinstance(solutions, ox.QuerySolutions)
    row = next(iter(solutions))
    assert isinstance(row[0], ox.NamedNode) and isinstance(row[1], ox.NamedNode)
    assert str(void.value(dataset, DCTERMS.license)) == row[0].value
    derived = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    assert str(void.value(dataset, derived)) == row[1].value
    titles = {t.language for t in void.objects(dataset, DCTERMS.title) if isinstance(t, Literal)}
    assert titles == {"en", "ja"}


def test_service_description_and_void_agree(
    void: rdflib.Graph, dataset: URIRef, server: Server
) -> None:
    answer = httpx.get(server.sparql, headers=TURTLE, timeout=30)
    description = rdflib.Graph().parse(data=answer.text, format="turtle")
    service = description.value(predicate=rdflib.RDF.type, object=SD.Service)
    assert str(description.value(service, SD.endpoint)) == str(
        void.value(dataset, VOID.sparqlEndpoint)
    )
    default = description.value(description.value(service, SD.defaultDataset), SD.defaultGraph)
    assert _int(description, default, VOID.triples) == _int(void, dataset, VOID.triples)
    see_also = str(description.value(service, RDFS.seeAlso))
    assert see_also == server.url + "/.well-known/void"
    followed = httpx.get(see_also, headers=TURTLE, timeout=30)
    assert rdflib.Graph().parse(data=followed.text, format="turtle").isomorphic(void)


def _triples(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    """Parsed with pyoxigraph (rdflib's JSON-LD parser warns of its own deprecations)."""
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}


@pytest.mark.parametrize(
    ("suffix", "media", "fmt"),
    [
        ("jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
        ("nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("ttl", "text/turtle", ox.RdfFormat.TURTLE),
    ],
)
def test_every_format_holds_the_same_description(
    void: rdflib.Graph, server: Server, suffix: str, media: str, fmt: ox.RdfFormat
) -> None:
    by_extension = httpx.get(f"{server.url}/.well-known/void.{suffix}", timeout=30)
    assert by_extension.headers["content-type"].startswith(media)
    turtle = httpx.get(server.url + "/.well-known/void", headers=TURTLE, timeout=30).content
    expected = _triples(turtle, ox.RdfFormat.TURTLE)
    assert _triples(by_extension.content, fmt) == expected
    assert len(expected) == len(void)
    negotiated = httpx.get(server.url + "/.well-known/void", headers={"Accept": media}, timeout=30)
    assert negotiated.headers["content-location"] == f"{server.url}/.well-known/void.{suffix}"
    assert negotiated.headers["vary"].startswith("Accept")
    assert negotiated.content == by_extension.content


def test_a_browser_gets_a_page_with_the_partitions(server: Server, store: ox.Store) -> None:
    page = httpx.get(server.url + "/.well-known/void", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    total = _number(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert f"{total:,}" in page.text
    assert "kg:City" in page.text and "rdfs:label" in page.text


def test_void_has_validators_and_304(server: Server) -> None:
    first = httpx.get(server.url + "/.well-known/void", headers=TURTLE, timeout=30)
    assert first.headers["etag"] and first.headers["last-modified"]
    for condition in (
        {"If-None-Match": first.headers["etag"]},
        {"If-Modified-Since": first.headers["last-modified"]},
    ):
        again = httpx.get(
            server.url + "/.well-known/void", headers={**TURTLE, **condition}, timeout=30
        )
        assert again.status_code == 304 and again.content == b""


def test_an_unknown_format_is_refused(server: Server) -> None:
    refused = httpx.get(
        server.url + "/.well-known/void", headers={"Accept": "image/png"}, timeout=30
    )
    assert refused.status_code == 406 and refused.text.count("\n") == 1
    missing = httpx.get(server.url + "/.well-known/void.csv", timeout=30)
    assert missing.status_code == 404


EDITORIAL = URIRef(EDITORIAL_GRAPH.value)
EDITORIAL_COUNT = (
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EDITORIAL_GRAPH.value}> {{ ?s ?p ?o }} }}"
)


def _languages(graph: rdflib.Graph, node: rdflib.term.Node, predicate: URIRef) -> set[str]:
    return {t.language or "" for t in graph.objects(node, predicate) if isinstance(t, Literal)}


def test_the_editorial_graph_is_a_subset_with_its_size(
    void: rdflib.Graph, dataset: URIRef, store: ox.Store
) -> None:
    size = _number(store, EDITORIAL_COUNT)
    assert size > 0
    linksets = set(void.subjects(rdflib.RDF.type, VOID.Linkset))
    assert set(void.objects(dataset, VOID.subset)) - linksets == {EDITORIAL}
    assert (EDITORIAL, rdflib.RDF.type, VOID.Dataset) in void
    assert _int(void, EDITORIAL, VOID.triples) == size
    assert _languages(void, EDITORIAL, DCTERMS.title) == {"en", "ja"}
    assert _languages(void, EDITORIAL, DCTERMS.description) == {"en", "ja"}
    english = next(t for t in void.objects(EDITORIAL, DCTERMS.description) if t.language == "en")
    assert "source does not make" in english and "union" in english


def test_the_service_description_describes_the_editorial_and_links_graphs(
    server: Server, store: ox.Store
) -> None:
    answer = httpx.get(server.sparql, headers=TURTLE, timeout=30)
    description = rdflib.Graph().parse(data=answer.text, format="turtle")
    named = description.value(predicate=SD.name, object=EDITORIAL)
    assert named is not None, "no sd:NamedGraph with the editorial graph's IRI"
    assert (named, rdflib.RDF.type, SD.NamedGraph) in description
    assert _int(description, named, VOID.triples) == _number(store, EDITORIAL_COUNT)
    assert _languages(description, named, DCTERMS.description) == {"en", "ja"}
    japanese = description.value(named, DCTERMS.title)
    assert japanese is not None
    links = description.value(predicate=SD.name, object=URIRef(LINKS_GRAPH.value))
    assert links is not None and _languages(description, links, DCTERMS.description) == {
        "en",
        "ja",
    }
    english = next(t for t in description.objects(links, DCTERMS.description) if t.language == "en")
    assert "none of it stated by the source" in english and "CC BY 4.0" in english
    graphs = set(description.subjects(rdflib.RDF.type, SD.NamedGraph))
    others = graphs - {named, links}
    assert others and all(description.value(n, DCTERMS.description) is None for n in others)
