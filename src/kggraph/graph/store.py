"""The graph store: a small interface, and its embedded implementation on pyoxigraph.

The build fills an ``OxigraphStore``, the only implementation; what reads the assembled graph
(the validation checks, the self-descriptions, the network's facts) asks for a ``GraphStore``.
The query workers use neither: each loads a published release into a pyoxigraph ``Store`` of
its own (``kggraph.graph.release``). Each source file lives in its own named graph; queries see
the union as the default graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import rdflib

from kggraph.core.errors import SourceError
from kggraph.core.formats import BY_NAME, by_extension
from kggraph.core.namespaces import BASE_IRI, LINKS_GRAPH_IRI

GRAPH_IRI = BASE_IRI + "graph/"
"""Named graphs: ``{GRAPH_IRI}{role}/{name}``, one per source file or derived part."""

EDITORIAL_GRAPH = ox.NamedNode(GRAPH_IRI + "editorial")
"""The one graph of statements the source does not make (``data/editorial.ttl``): each is
explained by a ``kg:EditorialStatement`` with its reason. The default graph stays the union."""

EDITORIAL_FILE = "editorial"
"""The data file (``data/editorial.ttl``, without its suffix) loaded into ``EDITORIAL_GRAPH``."""

LINKS_GRAPH = ox.NamedNode(LINKS_GRAPH_IRI)
"""The graph of links out, taken from outside the source: GeoNames and Wikidata IRIs, ISO 3166
codes and coordinates of the places (``data/links.ttl``, written by ``kggraph links``)."""

LINKS_FILE = "links"
"""The data file (``data/links.ttl``, without its suffix) loaded into ``LINKS_GRAPH``."""

SOURCE_FORMATS = (BY_NAME["turtle"], BY_NAME["n-triples"])
"""The formats a source file may be in (``.ttl``, ``.nt``): triples, no named graphs."""


def graph_name(role: str, name: str) -> ox.NamedNode:
    """The named graph for one source file or derived part, e.g. ``graph/data/places``."""
    return ox.NamedNode(f"{GRAPH_IRI}{role}/{name}")


class GraphStore(Protocol):
    """What kggraph needs from a store: named graphs in, triples and query answers out."""

    def add(self, quads: Iterable[ox.Quad]) -> None: ...

    def graphs(self) -> list[ox.NamedNode]: ...

    def quads(
        self,
        *,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]: ...

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples: ...

    def __len__(self) -> int: ...


class OxigraphStore:
    """The embedded store: an in-memory pyoxigraph ``Store``."""

    def __init__(self, store: ox.Store | None = None) -> None:
        """A new empty store, or one around a loaded ``ox.Store`` (a published release)."""
        self._store = ox.Store() if store is None else store

    def load_file(self, path: Path, graph: ox.NamedNode) -> int:
        """Parse one RDF file into ``graph``; return its triple count. Errors name file:line:col."""
        fmt = by_extension(path.suffix.removeprefix("."), SOURCE_FORMATS)
        if fmt is None:
            raise SourceError(f"unsupported file type {path.suffix!r}", location=str(path))
        try:
            quads = list(
                ox.parse(path=path, format=fmt.rdf_format, base_iri=path.resolve().as_uri())
            )
        except SyntaxError as err:
            raise SourceError(_syntax_message(err), location=_syntax_location(path, err)) from None
        except OSError as err:
            raise SourceError(f"cannot read the file: {err.strerror}", location=str(path)) from None
        self.add(ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads)
        return len(quads)

    def add(self, quads: Iterable[ox.Quad]) -> None:
        self._store.extend(quads)

    def graphs(self) -> list[ox.NamedNode]:
        names = (g for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))
        return sorted(names, key=lambda g: g.value)

    def quads(
        self,
        *,
        subject: ox.NamedNode | None = None,
        predicate: ox.NamedNode | None = None,
        graph: ox.NamedNode | None = None,
    ) -> Iterator[ox.Quad]:
        """Quads matching the pattern (``None`` matches anything)."""
        return iter(self._store.quads_for_pattern(subject, predicate, None, graph))

    def query(self, sparql: str) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        return self._store.query(sparql, use_default_graph_as_union=True)

    def __len__(self) -> int:
        return len(self._store)


def distinct_triples(store: GraphStore) -> set[ox.Triple]:
    """The union of all named graphs as a set of triples (the published graph)."""
    return {ox.Triple(q.subject, q.predicate, q.object) for q in store.quads()}


def sorted_ntriples(triples: Iterable[ox.Triple]) -> bytes:
    """Canonical N-Triples: one line per distinct triple, sorted by bytes, UTF-8."""
    lines = {f"{t.subject} {t.predicate} {t.object} .\n".encode() for t in triples}
    return b"".join(sorted(lines))


def sorted_nquads(store: GraphStore) -> bytes:
    """Canonical N-Quads: every quad with its named graph, one per line, sorted by bytes."""
    lines = {
        f"{q.subject} {q.predicate} {q.object} {q.graph_name} .\n".encode() for q in store.quads()
    }
    return b"".join(sorted(lines))


def to_rdflib(store: GraphStore) -> rdflib.Graph:
    """The published graph as an rdflib ``Graph`` (for pySHACL and serialisers)."""
    graph = rdflib.Graph()
    graph.parse(data=sorted_ntriples(distinct_triples(store)), format="nt")
    return graph


def _syntax_message(err: SyntaxError) -> str:
    message = str(err.args[0]) if err.args else str(err)
    return message.split(": ", 1)[1] if message.startswith("Parser error") else message


def _syntax_location(path: Path, err: SyntaxError) -> str:
    return f"{path}:{err.lineno}:{err.offset}" if err.lineno else str(path)
