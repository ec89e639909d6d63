"""The scale benchmark's data: a release folder holding a synthetic graph of about N triples.

The graph is ``synthetic.py``'s (the real build's vocabulary once, its instance data again and
again, every instance IRI of replica ``r`` suffixed ``-r<r>``), written the way a build writes
a release: ``kggraph.nt`` (the merged graph) and ``kggraph.nq`` (every triple in the named graph
its source file gives it in the real build, so the named-graph shape is the real one). The
release's other files (manifest, VoID, catalog, ontology, redirects, small dumps) are the real
build's, copied: ``kggraph serve`` needs them for its documents, and they do not describe the
synthetic triples. A folder finished once (``.complete``) is used again as it is.
"""

from __future__ import annotations

import json
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kggraph.core.namespaces import BASE_IRI
from kggraph.graph.release import MERGED, NAMED, Release
from synthetic import DEFAULT_CROSS_LINKS, Replicator, real_build, split

DONE = ".complete"


@dataclass(frozen=True)
class ScaleData:
    """A release folder of a synthetic graph, and how it was made."""

    release: Release
    triples: int
    replicas: int
    per_replica: int
    seconds: float
    """Seconds it took to write (0 when an earlier run's folder was used)."""
    graphs: tuple[str, ...]
    """The named graphs of the N-Quads (IRIs)."""


def size_label(triples: int) -> str:
    """``1000000`` → ``1m``, ``50000`` → ``50k``."""
    if triples % 1_000_000 == 0:
        return f"{triples // 1_000_000}m"
    return f"{triples // 1000}k" if triples % 1000 == 0 else str(triples)


def _graph_of(quads: list[ox.Quad]) -> dict[ox.Triple, str]:
    """The named graph of each triple of the real build (the first, if it had two)."""
    found: dict[ox.Triple, str] = {}
    for quad in quads:
        found.setdefault(quad.triple, str(quad.graph_name))
    return found


def _copy_documents(real: Path, target: Path) -> None:
    for item in real.iterdir():
        if item.name in (MERGED, NAMED) or item.name.startswith(f"{MERGED}.") or not item.is_file():
            continue
        if item.name.startswith(f"{NAMED}."):
            continue
        shutil.copyfile(item, target / item.name)


def _write(real: Path, target: Path, triples: int, seed: int) -> dict[str, object]:
    quads = list(ox.parse(path=real / NAMED, format=ox.RdfFormat.N_QUADS))
    graph_of = _graph_of(quads)
    vocabulary, data = split(graph_of)
    graphs = [graph_of[t] for t in data]
    replicas = max(1, round((triples - len(vocabulary)) / len(data)))
    replicator = Replicator(data, replicas, seed=seed, cross_links=DEFAULT_CROSS_LINKS)
    with (
        (target / MERGED).open("w", encoding="utf-8", newline="\n") as merged,
        (target / NAMED).open("w", encoding="utf-8", newline="\n") as named,
    ):
        merged.writelines(f"{t} .\n" for t in vocabulary)
        named.writelines(f"{t} {graph_of[t]} .\n" for t in vocabulary)
        for replica in range(replicas):
            lines = list(replicator.lines(replica))
            merged.writelines(lines)
            named.writelines(
                f"{line[:-3]} {graph} .\n" for line, graph in zip(lines, graphs, strict=True)
            )
    return {
        "triples": len(vocabulary) + replicas * len(data),
        "replicas": replicas,
        "per_replica": len(data),
        "graphs": sorted(
            {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        ),
    }


def make_release(output: Path, triples: int, *, seed: int) -> ScaleData:
    """The release folder ``output/releases/scale-<size>-s<seed>`` (written unless complete)."""
    real = real_build().parent
    target = output / "releases" / f"scale-{size_label(triples)}-s{seed}"
    marker = target / DONE
    if marker.is_file():
        return _data(target, json.loads(marker.read_text()), 0.0)
    started = time.monotonic()
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    _copy_documents(real, target)
    made = _write(real, target, triples, seed)
    marker.write_text(json.dumps(made))
    return _data(target, made, time.monotonic() - started)


def _data(target: Path, made: dict[str, Any], seconds: float) -> ScaleData:
    return ScaleData(Release(target), made["triples"], made["replicas"], made["per_replica"],
                     seconds, tuple(made["graphs"]))  # fmt: skip


def entities(data: ScaleData, drawn: list[str], *, seed: int) -> list[str]:
    """``drawn`` (instances of the real build) each moved into a replica drawn at random."""
    rng = random.Random(seed)  # noqa: S311 (a reproducible draw, not a secret)
    moved = []
    for iri in drawn:
        replica = rng.randrange(data.replicas)
        moved.append(iri if replica == 0 else f"{iri}-r{replica}")
    return moved


def page_path(iri: str) -> str:
    """The path of an entity's page on a kggraph server: its IRI below the base."""
    return "/" + iri.removeprefix(BASE_IRI)
