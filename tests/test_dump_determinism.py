"""The dumps are the same bytes whatever Python's hash seed: two builds of the same input
write identical files, in separate processes too (not only twice in one process, where the
seed and so rdflib's set order are the same both times)."""

from __future__ import annotations

import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
import rdflib

from kggraph.publish.build import BuildResult
from kggraph.publish.dumps import json_ld

WRITE = (
    "import sys, rdflib\n"
    "from kggraph.publish.dumps import json_ld, turtle\n"
    "graph = rdflib.Graph().parse(sys.argv[1], format='nt')\n"
    "out = json_ld(graph) if sys.argv[2] == 'json-ld' else turtle(graph)\n"
    "sys.stdout.buffer.write(out)\n"
)


def _written(ntriples: str, kind: str, seed: int) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": str(seed)}
    done = subprocess.run(
        [sys.executable, "-c", WRITE, ntriples, kind], env=env, capture_output=True, check=True
    )
    return done.stdout


@pytest.mark.slow
def test_json_ld_and_turtle_do_not_depend_on_the_hash_seed(built: BuildResult) -> None:
    ntriples = str(built.release / "kggraph.nt")
    for kind in ("json-ld", "turtle"):
        first, second = (_written(ntriples, kind, seed) for seed in (1, 2))
        assert first and first == second, f"{kind} differs between hash seeds 1 and 2"


def test_the_canonical_json_ld_holds_the_same_triples(built: BuildResult) -> None:
    ntriples = (built.release / "kggraph.nt").read_bytes()
    written = json_ld(rdflib.Graph().parse(data=ntriples, format="nt"))
    expected = set(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    found = set(ox.parse(written, format=ox.RdfFormat.JSON_LD))
    assert found == expected


def test_list_order_is_kept_and_sets_are_sorted() -> None:
    graph = rdflib.Graph().parse(
        data="@prefix ex: <http://example.org/> .\n"
        "ex:s ex:p ex:c, ex:a, ex:b ; ex:q ( ex:z ex:y ex:x ) .\n",
        format="turtle",
    )
    text = json_ld(graph).decode()
    assert text.index("example.org/a") < text.index("example.org/b") < text.index("example.org/c")
    assert text.index("example.org/z") < text.index("example.org/y") < text.index("example.org/x")
