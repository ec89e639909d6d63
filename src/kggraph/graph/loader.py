"""Find the ontology and data files and load each into its own named graph.

``data/<name>.ttl`` goes to ``graph/data/<name>`` and ``ontology/<name>.ttl`` to
``graph/ontology/<name>``, except ``data/editorial.ttl``, which goes to the editorial graph
(``graph/editorial``): the statements the source does not make, kept apart; and
``data/links.ttl``, which goes to the links graph (``graph/links``): links out and coordinates
taken from outside the source.

Blank nodes are refused: everything a user may want to link to needs an IRI, and the sorted
N-Triples dump must be byte-identical between builds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kggraph.core.config import Settings
from kggraph.core.errors import SourceError
from kggraph.graph.store import (
    EDITORIAL_FILE,
    EDITORIAL_GRAPH,
    LINKS_FILE,
    LINKS_GRAPH,
    OxigraphStore,
    graph_name,
)


@dataclass(frozen=True)
class SourceFile:
    """One loaded input file: where it is, its role, its named graph and its size."""

    path: Path
    name: str
    role: str
    graph: ox.NamedNode
    triples: int


def discover(settings: Settings) -> list[tuple[str, Path]]:
    """(role, path) of every Turtle file under ``ontology/`` and ``data/``, in a stable order."""
    found: list[tuple[str, Path]] = []
    for role, folder in (("ontology", settings.ontology_dir), ("data", settings.data_dir)):
        if not folder.is_dir():
            raise SourceError(f"the {role} folder does not exist", location=str(folder))
        found.extend((role, path) for path in sorted(folder.rglob("*.ttl")))
    if not any(role == "data" for role, _ in found):
        raise SourceError("no data files (*.ttl) found", location=str(settings.data_dir))
    return found


def load_sources(
    settings: Settings,
    store: OxigraphStore,
    *,
    on_file: Callable[[Path], None] | None = None,
) -> list[SourceFile]:
    """Load every ontology and data file into ``store``; return what was loaded."""
    loaded: list[SourceFile] = []
    for role, path in discover(settings):
        if on_file is not None:
            on_file(path)
        folder = settings.ontology_dir if role == "ontology" else settings.data_dir
        relative = path.relative_to(folder)
        graph = _graph_for(role, relative.with_suffix("").as_posix())
        count = store.load_file(path, graph)
        _refuse_blank_nodes(store, graph, path)
        name = f"{role}/{relative.as_posix()}"
        loaded.append(SourceFile(path=path, name=name, role=role, graph=graph, triples=count))
    return loaded


def _graph_for(role: str, name: str) -> ox.NamedNode:
    """``graph/data/<name>`` for a data file, ``graph/ontology/<name>`` for an ontology file;
    ``data/editorial.ttl`` goes to the editorial graph and ``data/links.ttl`` to the links graph."""
    if role == "data" and name == EDITORIAL_FILE:
        return EDITORIAL_GRAPH
    if role == "data" and name == LINKS_FILE:
        return LINKS_GRAPH
    return graph_name(role, name)


def _refuse_blank_nodes(store: OxigraphStore, graph: ox.NamedNode, path: Path) -> None:
    for quad in store.quads(graph=graph):
        if isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode):
            raise SourceError(
                "blank nodes are not allowed: give the node an IRI under "
                f"https://w3id.org/kggraph/id/ (found in the triple on {quad.predicate})",
                location=str(path),
            )
