"""Write a release's descriptions of itself: the ontology, the VoID description, the DCAT catalog.

They are computed here, once per build, and not per request, because:

- the numbers (class and property partitions, distinct subjects, the date range) take a pass
  over the whole graph, and can only change when a new build is published;
- they are computed from the very triples and dump files the build writes, so the byte sizes,
  checksums and counts they state are those of the files beside them, never of another build;
- a release folder then describes itself: a mirror that copies it serves correct metadata.

The files are sorted, prefixed Turtle with no blank nodes and no build time, so two builds of the
same input write the same bytes (the server adds the build time from the manifest when it
serves the catalog). The server maps their locations (download URLs, the endpoint) to where it
answers (``kggraph.dataset.identity.at_server``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import pyoxigraph as ox

from kggraph import __version__
from kggraph.core.formats import BY_NAME
from kggraph.core.namespaces import ONTOLOGY_IRI, OWL, PREFIXES, RDF
from kggraph.dataset.dcat import catalog_triples
from kggraph.dataset.identity import (
    CATALOG_FILE,
    DESCRIPTION_PREFIXES,
    ONTOLOGY_FILE,
    VOID_FILE,
    Download,
    GraphPart,
    is_dump,
)
from kggraph.dataset.linksets import link_sources
from kggraph.dataset.statistics import facts_of
from kggraph.dataset.void import void_triples
from kggraph.graph.manifest import ReleaseFile
from kggraph.graph.store import EDITORIAL_GRAPH, GraphStore
from kggraph.query.run import as_bytes


def write_descriptions(
    folder: Path, store: GraphStore, triples: set[ox.Triple], dumps: Sequence[ReleaseFile]
) -> list[ReleaseFile]:
    """Write ``ontology.ttl``, ``void.ttl`` and ``catalog.ttl`` into ``folder``."""
    facts = facts_of(triples)
    files = [Download(d.name, d.bytes, d.sha256) for d in dumps if is_dump(d.name)]
    editorial, links = editorial_part(store), link_sources(store)
    catalog = catalog_triples(facts, files, version=__version__, editorial=editorial, links=links)
    documents = {
        ONTOLOGY_FILE: (ontology_triples(store), dict(PREFIXES)),
        VOID_FILE: (
            void_triples(facts, files, editorial=editorial, links=links),
            DESCRIPTION_PREFIXES,
        ),
        CATALOG_FILE: (catalog, DESCRIPTION_PREFIXES),
    }
    written = []
    for name, (content, prefixes) in documents.items():
        data = turtle(content, prefixes)
        (folder / name).write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        written.append(ReleaseFile(name, len(data), digest, BY_NAME["turtle"].media_type))
    return written


def editorial_part(store: GraphStore) -> GraphPart | None:
    """The editorial graph and its size, or ``None`` when the project has no editorial file."""
    size = sum(1 for _ in store.quads(graph=EDITORIAL_GRAPH))
    return GraphPart(EDITORIAL_GRAPH.value, size) if size else None


def ontology_triples(store: GraphStore) -> list[ox.Triple]:
    """The triples of the source file that declares ``<…/ontology> a owl:Ontology``."""
    declaration = (ox.NamedNode(str(RDF.type)), ox.NamedNode(str(OWL.Ontology)))
    graphs = {
        q.graph_name
        for q in store.quads(subject=ox.NamedNode(ONTOLOGY_IRI))
        if (q.predicate, q.object) == declaration and isinstance(q.graph_name, ox.NamedNode)
    }
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for graph in sorted(graphs, key=str)
        for q in store.quads(graph=graph)
    ]


def turtle(triples: Iterable[ox.Triple], prefixes: dict[str, str]) -> bytes:
    """Turtle of the distinct triples in a fixed order (same triples, same bytes)."""
    ordered = sorted(set(triples), key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return as_bytes(ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=prefixes))
