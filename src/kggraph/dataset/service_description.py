"""The SPARQL 1.1 Service Description of the endpoint (https://www.w3.org/TR/sparql11-service-description/).

Served at the endpoint's own URL when a request carries no query. It names the endpoint, the
query language, every result and graph format, the features (the default graph is the union of
the named graphs; ``SERVICE`` only if an allow-list names endpoints), the default dataset with
its named graphs and triple counts, and the VoID description of the dataset. The editorial
graph (statements the source does not make) carries a title and a description in English and
Japanese, so a client can tell it from the graphs of the source's sections.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from kggraph.core.formats import BY_NAME, FORMATS, Format
from kggraph.core.namespaces import PREFIXES
from kggraph.dataset.identity import (
    EDITORIAL_DESCRIPTION,
    EDITORIAL_TITLE,
    LINKS_DESCRIPTION,
    LINKS_TITLE,
)
from kggraph.graph.store import EDITORIAL_GRAPH, LINKS_GRAPH
from kggraph.query.run import as_bytes

DESCRIBED_GRAPHS = {
    EDITORIAL_GRAPH.value: (EDITORIAL_TITLE, EDITORIAL_DESCRIPTION),
    LINKS_GRAPH.value: (LINKS_TITLE, LINKS_DESCRIPTION),
}
"""The named graphs that hold what the source does not state, each with its title and reason."""

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
DCT = "http://purl.org/dc/terms/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")

SD_FORMATS = tuple(BY_NAME[name] for name in ("turtle", "json-ld", "rdf-xml", "n-triples"))
"""Formats the description itself is served in (the first is the default)."""


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def description(
    endpoint: str,
    *,
    void: str,
    version: str,
    graphs: Mapping[str, int],
    total_triples: int,
    service_allowlist: Iterable[str] = (),
    formats: Iterable[Format] = FORMATS,
) -> list[ox.Triple]:
    """The description's triples: the service, its default dataset and graphs, its formats."""
    service, dataset, default = _n(endpoint), _n(endpoint + "#dataset"), _n(endpoint + "#default")
    t: list[ox.Triple] = [
        ox.Triple(service, RDF_TYPE, _n(SD + "Service")),
        ox.Triple(service, _n(SD + "endpoint"), service),
        ox.Triple(service, _n(SD + "supportedLanguage"), _n(SD + "SPARQL11Query")),
        ox.Triple(service, _n(SD + "feature"), _n(SD + "UnionDefaultGraph")),
        ox.Triple(
            service, _n(RDFS + "label"), ox.Literal("kggraph SPARQL endpoint", language="en")
        ),
        ox.Triple(service, _n(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _n(SD + "Dataset")),
        ox.Triple(dataset, _n(SD + "defaultGraph"), default),
        ox.Triple(dataset, _n(DCT + "hasVersion"), ox.Literal(version)),
        ox.Triple(default, RDF_TYPE, _n(SD + "Graph")),
        ox.Triple(default, RDF_TYPE, _n(VOID + "Dataset")),
        ox.Triple(
            default, _n(VOID + "triples"), ox.Literal(str(total_triples), datatype=XSD_INTEGER)
        ),
        ox.Triple(default, _n(RDFS + "seeAlso"), _n(void)),
        ox.Triple(service, _n(RDFS + "seeAlso"), _n(void)),
    ]
    if any(True for _ in service_allowlist):
        t.append(ox.Triple(service, _n(SD + "feature"), _n(SD + "BasicFederatedQuery")))
    for fmt in formats:
        if fmt.spec:
            t.append(ox.Triple(service, _n(SD + "resultFormat"), _n(fmt.spec)))
    for iri, size in sorted(graphs.items()):
        named = _n(endpoint + "#graph-" + iri.rsplit("/graph/", 1)[-1].replace("/", "-"))
        t += [
            ox.Triple(dataset, _n(SD + "namedGraph"), named),
            ox.Triple(named, RDF_TYPE, _n(SD + "NamedGraph")),
            ox.Triple(named, _n(SD + "name"), _n(iri)),
            ox.Triple(named, _n(VOID + "triples"), ox.Literal(str(size), datatype=XSD_INTEGER)),
        ]
        if iri in DESCRIBED_GRAPHS:
            t += _described(named, *DESCRIBED_GRAPHS[iri])
    return t


def _described(
    node: ox.NamedNode, title: dict[str, str], description: dict[str, str]
) -> list[ox.Triple]:
    texts = ((DCT + "title", title), (DCT + "description", description))
    return [
        ox.Triple(node, _n(predicate), ox.Literal(text, language=lang))
        for predicate, by_language in texts
        for lang, text in by_language.items()
    ]


def serialize(triples: list[ox.Triple], fmt: str) -> bytes:
    """The description in a format of ``SD_FORMATS`` (by name: ``turtle``, ``json-ld``,
    ``rdf-xml``, ``n-triples``); the prefixes are used where the format writes them."""
    prefixes = {"sd": SD, "void": VOID, "dcterms": DCT, "rdfs": RDFS, "xsd": PREFIXES["xsd"]}
    return as_bytes(ox.serialize(triples, format=BY_NAME[fmt].rdf_format, prefixes=prefixes))
