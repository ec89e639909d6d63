"""Benchmark the build's stages and its engines against their peers, measured in the same run.

Prints seconds per stage of one build of the real project, then parse and SPARQL timings of
pyoxigraph against rdflib on the published N-Triples (the ratio is what matters: both run
here, on the same data, now). Usage: ``python bench/bench_build.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import rdflib

from kggraph.core.config import Settings
from kggraph.publish.build import build

ROOT = Path(__file__).resolve().parents[1]
QUERY = """
PREFIX kg: <https://w3id.org/kggraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?thing ?label (COUNT(?o) AS ?n) WHERE {
  ?thing a ?class ; rdfs:label ?label ; ?p ?o .
  FILTER(LANG(?label) = "en")
} GROUP BY ?thing ?label ORDER BY DESC(?n) LIMIT 20
"""


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall-clock seconds of ``repeat`` runs of ``fn``."""
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def stage_times(out: Path) -> tuple[dict[str, float], Path]:
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    result = build(
        Settings(root=ROOT, output=out), lambda step: marks.append((step, time.perf_counter()))
    )
    end = time.perf_counter()
    edges = [*marks, ("end", end)]
    stages = {name: edges[i + 1][1] - at for i, (name, at) in enumerate(marks)}
    stages["total"] = end - start
    return stages, result.release / "kggraph.nt"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        stages, nt = stage_times(Path(tmp))
        print("build stages (s):", {k: round(v, 3) for k, v in stages.items()})
        data = nt.read_bytes()
        triples = data.count(b"\n")
        ox_store = ox.Store()
        ox_store.load(data, format=ox.RdfFormat.N_TRIPLES)
        rl_graph = rdflib.Graph().parse(data=data, format="nt")
        rows = [
            (
                "parse N-Triples",
                lambda: list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES)),
                lambda: rdflib.Graph().parse(data=data, format="nt"),
            ),
            (
                "SPARQL group-by",
                lambda: list(ox_store.query(QUERY)),
                lambda: list(rl_graph.query(QUERY)),
            ),
        ]
        print(f"{triples} triples, median of {repeat} runs")
        print(f"{'task':<18}{'pyoxigraph s':>14}{'rdflib s':>12}{'ratio':>9}")
        for name, fast, peer in rows:
            a, b = timed(fast, repeat), timed(peer, repeat)
            print(f"{name:<18}{a:>14.4f}{b:>12.4f}{b / a:>8.1f}x")


if __name__ == "__main__":
    main()
