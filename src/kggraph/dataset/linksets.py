"""The links out, described for harvesters: a VoID ``void:Linkset`` per target dataset
(GeoNames, Wikidata) with its triple count, and the link sources as ``dct:source`` of the
dataset in VoID and the DCAT catalog, each with its licence (GeoNames data is CC BY 4.0).

Everything here is read from the links graph (``graph/links``, ``data/links.ttl``): the sources
are the ``prov:Entity`` nodes ``kgid:link-source/...`` that ``kggraph links`` writes there, with
their labels and licences; the counts are the ``skos:exactMatch`` triples into each target's
URI space.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kggraph.core.namespaces import DCAT, DCTERMS, ID_IRI, LINK_TARGETS, RDF, RDFS, SKOS, VOID, XSD
from kggraph.dataset.identity import DATASET, VOID_DOCUMENT, Triples
from kggraph.graph.store import LINKS_GRAPH, GraphStore

TARGETS = {
    ID_IRI + f"link-source/{short}": (short, space, name)
    for short, (space, name) in LINK_TARGETS.items()
}
"""Link sources whose links are IRIs: (short name, URI space of the target, its name)."""


@dataclass(frozen=True)
class LinkSource:
    """A source of links: its node, labels by language, licence, and (for a linkset) the
    target's URI space and the number of links into it."""

    iri: str
    labels: dict[str, str]
    license: str | None
    target_space: str | None = None
    triples: int = 0


_SOURCES = f"""
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?source ?label ?license WHERE {{
  GRAPH <{LINKS_GRAPH.value}> {{
    ?source a prov:Entity ; <{RDFS.label}> ?label .
    OPTIONAL {{ ?source <{DCTERMS.license}> ?license }}
  }}
}}"""

_COUNT = """SELECT (COUNT(*) AS ?n) WHERE {{
  GRAPH <{graph}> {{ ?s <{predicate}> ?o FILTER(STRSTARTS(STR(?o), "{space}")) }}
}}"""


def link_sources(store: GraphStore) -> list[LinkSource]:
    """The link sources of the links graph, in IRI order (none when it is empty)."""
    found: dict[str, tuple[dict[str, str], str | None]] = {}
    answer = store.query(_SOURCES)
    assert isinstance(answer, ox.QuerySolutions)  # noqa: S101 - a SELECT answers solutions
    for row in answer:
        labels, licence = found.setdefault(_value(row["source"]), ({}, None))
        label = row["label"]
        if isinstance(label, ox.Literal):
            labels[label.language or ""] = label.value
        if row["license"] is not None:
            found[_value(row["source"])] = (labels, _value(row["license"]))
    sources = []
    for iri, (labels, licence) in sorted(found.items()):
        space = TARGETS[iri][1] if iri in TARGETS else None
        count = _count(store, space) if space else 0
        sources.append(LinkSource(iri, labels, licence, space, count))
    return sources


def _count(store: GraphStore, space: str) -> int:
    query = _COUNT.format(graph=LINKS_GRAPH.value, predicate=SKOS.exactMatch, space=space)
    answer = store.query(query)
    assert isinstance(answer, ox.QuerySolutions)  # noqa: S101 - a SELECT answers solutions
    return int(_value(next(iter(answer))["n"]))


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def describe_sources(g: Triples, sources: list[LinkSource]) -> None:
    """``dct:source`` of the dataset for each link source, a ``dcat:Dataset`` with its labels,
    a description and its licence (in both VoID and the catalog)."""
    for source in sources:
        g.iri(DATASET, DCTERMS.source, source.iri)
        g.iri(source.iri, RDF.type, DCAT.Dataset)
        g.texts(source.iri, RDFS.label, source.labels)
        g.texts(source.iri, DCTERMS.title, source.labels)
        described = {
            "en": f"Where kggraph's links out of its graph come from: {source.labels.get('en')}.",
            "ja": f"kggraphのグラフ外へのリンクの出典:{source.labels.get('ja')}。",
        }
        g.texts(source.iri, DCTERMS.description, described)
        if source.license:
            g.iri(source.iri, DCTERMS.license, source.license)


def void_linksets(g: Triples, sources: list[LinkSource]) -> None:
    """One ``void:Linkset`` per target dataset, a subset of ours, with its size and source."""
    for source in sources:
        if source.target_space is None or not source.triples:
            continue
        short, space, name = TARGETS[source.iri]
        linkset, target = f"{VOID_DOCUMENT}#links-{short}", f"{VOID_DOCUMENT}#{short}"
        g.iri(DATASET, VOID.subset, linkset)
        g.iri(linkset, RDF.type, VOID.Linkset)
        g.text(linkset, DCTERMS.title, f"Links to {name}", "en")
        g.text(linkset, DCTERMS.title, f"{name}へのリンク", "ja")
        g.iri(linkset, VOID.subjectsTarget, DATASET)
        g.iri(linkset, VOID.objectsTarget, target)
        g.iri(linkset, VOID.linkPredicate, SKOS.exactMatch)
        g.typed(linkset, VOID.triples, str(source.triples), XSD.integer)
        g.iri(linkset, DCTERMS.source, source.iri)
        if source.license:
            g.iri(linkset, DCTERMS.license, source.license)
        g.iri(target, RDF.type, VOID.Dataset)
        g.text(target, DCTERMS.title, name)
        g.text(target, VOID.uriSpace, space)
