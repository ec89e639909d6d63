"""The VoID description of the dataset (https://www.w3.org/TR/void/), served at
``/.well-known/void`` as the VoID specification asks.

It states the sizes (triples, entities, distinct subjects and objects, classes, properties), a
class partition per class (distinct instances) and a property partition per property (triples),
the SPARQL endpoint, every dump, the URI space of the entities, the vocabularies used, a few
example resources, the licence and the source. The numbers come from ``kggraph.dataset.statistics``,
computed once per build from the graph's distinct triples.

The service description at ``/sparql`` points here (``rdfs:seeAlso``) and states the same total
triple count for its default graph; this description names that endpoint as the dataset's
``void:sparqlEndpoint``.

The Triple Pattern Fragments interface (``/fragments``, ``kggraph.dataset.fragments``) is named as
the dataset's ``void:uriLookupEndpoint``: VoID's look-up takes the address and appends an IRI,
URL-encoded, and ``…/fragments?subject=`` followed by an IRI is the fragment of every triple about
it. The fragments themselves carry the full Hydra search form for any pattern, on this same
dataset (``kggraph.dataset.fragment_controls``).

The editorial graph (what the editors add to the source, ``kggraph.validation.editorial``) is a
``void:subset`` of the dataset, named by its graph IRI, with its own size and description. The
links out (GeoNames, Wikidata) are ``void:Linkset`` subsets with their counts, and their sources
``dct:source`` of the dataset with their licences (``kggraph.dataset.linksets``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import pyoxigraph as ox

from kggraph.core.namespaces import (
    BASE_IRI,
    DCTERMS,
    FOAF,
    ID_IRI,
    PROV,
    RDF,
    VOID,
    XSD,
    shorten,
)
from kggraph.dataset.identity import (
    DATASET,
    DESCRIPTION,
    EDITORIAL_DESCRIPTION,
    EDITORIAL_TITLE,
    HOMEPAGE,
    PUBLISHER,
    PUBLISHER_NAME,
    SPARQL_ENDPOINT,
    TITLE,
    VOID_DOCUMENT,
    Download,
    GraphPart,
    Triples,
)
from kggraph.dataset.linksets import LinkSource, describe_sources, void_linksets
from kggraph.dataset.statistics import DatasetFacts

FRAGMENTS_LOOKUP = BASE_IRI + "fragments?subject="
"""Where a subject IRI, appended URL-encoded, finds its triples: a triple pattern fragment."""


def void_triples(
    facts: DatasetFacts,
    files: Sequence[Download],
    *,
    editorial: GraphPart | None = None,
    links: Sequence[LinkSource] = (),
) -> list[ox.Triple]:
    """The VoID description: the dataset, its statistics, partitions, access and links."""
    g = Triples()
    g.iri(VOID_DOCUMENT, RDF.type, VOID.DatasetDescription)
    g.text(VOID_DOCUMENT, DCTERMS.title, "VoID description of the kggraph dataset", "en")
    g.text(VOID_DOCUMENT, DCTERMS.title, "kggraph データセットの VoID 記述", "ja")
    g.iri(VOID_DOCUMENT, FOAF.primaryTopic, DATASET)

    g.iri(DATASET, RDF.type, VOID.Dataset)
    g.texts(DATASET, DCTERMS.title, TITLE)
    g.texts(DATASET, DCTERMS.description, DESCRIPTION)
    g.iri(DATASET, DCTERMS.publisher, PUBLISHER)
    g.texts(PUBLISHER, FOAF.name, PUBLISHER_NAME)
    g.iri(DATASET, FOAF.homepage, HOMEPAGE)
    if facts.license:
        g.iri(DATASET, DCTERMS.license, facts.license)
    if facts.source is not None:
        g.iri(DATASET, PROV.wasDerivedFrom, facts.source.iri)
    _statistics(g, facts)
    g.iri(DATASET, VOID.sparqlEndpoint, SPARQL_ENDPOINT)
    g.iri(DATASET, VOID.uriLookupEndpoint, FRAGMENTS_LOOKUP)
    for download in files:
        g.iri(DATASET, VOID.dataDump, download.iri)
    for fmt in sorted({d.kind.spec for d in files}):
        g.iri(DATASET, VOID.feature, fmt)
    g.text(DATASET, VOID.uriSpace, ID_IRI)
    for vocabulary in facts.vocabularies:
        g.iri(DATASET, VOID.vocabulary, vocabulary)
    for example in facts.examples:
        g.iri(DATASET, VOID.exampleResource, example)
    _partitions(g, facts)
    if editorial is not None:
        _editorial_subset(g, editorial)
    describe_sources(g, list(links))
    void_linksets(g, list(links))
    return g.items


def _editorial_subset(g: Triples, part: GraphPart) -> None:
    g.iri(DATASET, VOID.subset, part.iri)
    g.iri(part.iri, RDF.type, VOID.Dataset)
    g.texts(part.iri, DCTERMS.title, EDITORIAL_TITLE)
    g.texts(part.iri, DCTERMS.description, EDITORIAL_DESCRIPTION)
    g.typed(part.iri, VOID.triples, str(part.triples), XSD.integer)
    g.iri(part.iri, VOID.sparqlEndpoint, SPARQL_ENDPOINT)


def partition_iri(kind: str, term: str) -> str:
    """``…/.well-known/void#class-kg-City``: readable, and stable while the term is."""
    short = shorten(term)
    if short.startswith("<"):
        short = "iri-" + hashlib.sha256(term.encode()).hexdigest()[:12]
    return f"{VOID_DOCUMENT}#{kind}-{short.replace(':', '-')}"


def _statistics(g: Triples, facts: DatasetFacts) -> None:
    numbers = {
        VOID.triples: facts.triples,
        VOID.entities: facts.entities,
        VOID.distinctSubjects: facts.distinct_subjects,
        VOID.distinctObjects: facts.distinct_objects,
        VOID.classes: len(facts.classes),
        VOID.properties: len(facts.properties),
    }
    for predicate, number in numbers.items():
        g.typed(DATASET, predicate, str(number), XSD.integer)


def _partitions(g: Triples, facts: DatasetFacts) -> None:
    for cls in facts.classes:
        node = partition_iri("class", cls.iri)
        g.iri(DATASET, VOID.classPartition, node)
        g.iri(node, VOID["class"], cls.iri)
        g.typed(node, VOID.entities, str(cls.count), XSD.integer)
    for prop in facts.properties:
        node = partition_iri("property", prop.iri)
        g.iri(DATASET, VOID.propertyPartition, node)
        g.iri(node, VOID.property, prop.iri)
        g.typed(node, VOID.triples, str(prop.count), XSD.integer)
