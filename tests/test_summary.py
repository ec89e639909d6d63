"""The generated "what is in the graph" block."""

from __future__ import annotations

import datetime as dt

import pytest

from kggraph.core.errors import InvalidArgument
from kggraph.graph.manifest import Manifest, TripleCounts
from kggraph.publish.summary import END, START, render, replace_block

MANIFEST = Manifest(
    name="kggraph",
    version="0.0.0",
    format=2,
    built_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
    triples=TripleCounts(16, {"data": 6, "editorial": 2, "links": 4, "ontology": 3, "derived": 1}),
    classes={"kg:City": 2, "kg:Agreement": 5, "owl:Class": 40, "kg:Country": 2},
    fiscal_years_derived=0,
    violations=0,
    warnings=0,
    sources=(),
    graphs={},
    files=(),
)


def test_render_lists_own_classes_most_numerous_first() -> None:
    text = render(MANIFEST)
    assert text.startswith(
        "16 triples: 6 from `data/` as the source states them, 2 in the editorial graph "
        "(statements we add, each with its note and reason), 4 in the links graph (GeoNames, "
        "Wikidata and ISO 3166 links and coordinates, from outside the source), "
        "3 from `ontology/`, 1 derived"
    )
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    assert rows == ["| `kg:Agreement` | 5 |", "| `kg:City` | 2 |", "| `kg:Country` | 2 |"]
    assert "owl:Class" not in text


def test_replace_block_is_idempotent() -> None:
    readme = f"# Title\n\n{START}\nold\n{END}\n\nmore\n"
    once = replace_block(readme, MANIFEST)
    assert "old" not in once and once.endswith(f"{END}\n\nmore\n")
    assert replace_block(once, MANIFEST) == once


def test_missing_markers_are_an_error() -> None:
    with pytest.raises(InvalidArgument, match="no summary block"):
        replace_block("# Title\n", MANIFEST)
