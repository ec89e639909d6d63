"""The loader: each file in its own named graph, ``data/editorial.ttl`` in the editorial graph."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox

from kggraph.core.config import Settings
from kggraph.graph.loader import load_sources
from kggraph.graph.store import EDITORIAL_GRAPH, OxigraphStore, graph_name

TRIPLE = "<https://w3id.org/kggraph/id/org/a> <https://w3id.org/kggraph/ontology#basedIn> {} .\n"


def test_editorial_file_goes_to_the_editorial_graph(project_copy: Callable[..., Path]) -> None:
    root = project_copy(with_data=False)
    data = root / "data"
    (data / "places.ttl").write_text(TRIPLE.format("<https://w3id.org/kggraph/id/place/x>"))
    (data / "editorial.ttl").write_text(TRIPLE.format("<https://w3id.org/kggraph/id/place/y>"))
    store = OxigraphStore()
    loaded = {source.name: source.graph for source in load_sources(Settings(root=root), store)}
    assert loaded["data/editorial.ttl"] == EDITORIAL_GRAPH
    assert EDITORIAL_GRAPH.value == "https://w3id.org/kggraph/graph/editorial"
    assert loaded["data/places.ttl"] == graph_name("data", "places")
    assert loaded["ontology/kggraph.ttl"] == graph_name("ontology", "kggraph")
    editorial = [q.object for q in store.quads(graph=EDITORIAL_GRAPH)]
    assert editorial == [ox.NamedNode("https://w3id.org/kggraph/id/place/y")]


def test_an_editorial_file_in_a_subfolder_is_an_ordinary_data_file(
    project_copy: Callable[..., Path],
) -> None:
    root = project_copy(with_data=False)
    (root / "data" / "extra").mkdir()
    (root / "data" / "extra" / "editorial.ttl").write_text(
        TRIPLE.format("<https://w3id.org/kggraph/id/place/z>")
    )
    loaded = {s.name: s.graph for s in load_sources(Settings(root=root), OxigraphStore())}
    assert loaded["data/extra/editorial.ttl"] == graph_name("data", "extra/editorial")
