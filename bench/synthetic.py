"""A synthetic kggraph of about N triples with the shape of the real one, for scale benchmarks.

The real build is split into its vocabulary (the ontology, external terms and SKOS concepts:
every node outside ``…/id/`` or typed ``skos:Concept``/``skos:ConceptScheme``), written once, and
its instance data, written again and again. Replica 0 is the real data; replica ``r`` renames
every instance IRI with a suffix (``…/id/city/haiphong`` → ``…/id/city/haiphong-r17``) and its
labels with the same suffix, so each class, property and link pattern keeps its share. A seeded
fraction of the links between instances points into another replica (same entity), so the
replicas form one graph instead of islands. Same input, size and seed: same bytes out.

Usage: ``python bench/synthetic.py [--triples N] [--seed S] --out FILE``.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kggraph.core.config import load_settings
from kggraph.core.namespaces import ID_IRI, RDF, RDFS, SKOS
from kggraph.graph.release import current_release

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_TRIPLES = 1_000_000
DEFAULT_SEED = 17
DEFAULT_CROSS_LINKS = 0.05
"""Share of instance-to-instance links that point into another replica."""

TYPE = str(RDF.type)
VOCABULARY_TYPES = frozenset({str(SKOS.Concept), str(SKOS.ConceptScheme)})
LABELS = frozenset({str(RDFS.label), str(SKOS.prefLabel), str(SKOS.altLabel)})


@dataclass(frozen=True)
class Synthetic:
    """What ``generate`` wrote."""

    path: Path
    triples: int
    vocabulary: int
    per_replica: int
    replicas: int


def real_build(root: Path = ROOT) -> Path:
    """The real graph's N-Triples dump, building it first if there is no published build."""
    output = load_settings(overrides={"root": root}).output_dir
    if current_release(output) is None:
        kggraph = Path(sys.executable).with_name("kggraph")
        subprocess.run([str(kggraph), "build"], cwd=root, check=True)
    release = current_release(output)
    if release is None or not (release / "kggraph.nt").is_file():
        raise FileNotFoundError(f"no kggraph.nt in the current build under {output}")
    return release / "kggraph.nt"


def iri(term: object) -> str:
    """The IRI of a named node, else ``""``."""
    return term.value if isinstance(term, ox.NamedNode) else ""


def split(triples: Iterable[ox.Triple]) -> tuple[list[ox.Triple], list[ox.Triple]]:
    """Vocabulary triples and instance-data triples of a kggraph build."""
    every = list(triples)
    vocabulary = {
        iri(t.subject)
        for t in every
        if t.predicate.value == TYPE and iri(t.object) in VOCABULARY_TYPES
    }
    is_data = [
        iri(t.subject).startswith(ID_IRI) and iri(t.subject) not in vocabulary for t in every
    ]
    return (
        [t for t, d in zip(every, is_data, strict=True) if not d],
        [t for t, d in zip(every, is_data, strict=True) if d],
    )


class Replicator:
    """Writes replica ``r`` of the instance data as N-Triples lines."""

    def __init__(self, data: list[ox.Triple], replicas: int, *, seed: int, cross_links: float):
        self._data = data
        self._instances = {iri(t.subject) for t in data}
        self._replicas = replicas
        self._rng = random.Random(seed)  # noqa: S311 (a reproducible shuffle, not a secret)
        self._cross_links = cross_links

    def _iri(self, iri: str, replica: int) -> str:
        return f"<{iri}>" if replica == 0 else f"<{iri}-r{replica}>"

    def _object(self, term: object, replica: int) -> str:
        if iri(term) in self._instances:
            if self._replicas > 1 and self._rng.random() < self._cross_links:
                replica = self._rng.randrange(self._replicas)
            return self._iri(iri(term), replica)
        return str(term)

    def _label(self, term: ox.Literal, replica: int) -> str:
        if replica == 0:
            return str(term)
        value = f"{term.value} r{replica}"
        if term.language:
            return str(ox.Literal(value, language=term.language))
        return str(ox.Literal(value, datatype=term.datatype))

    def lines(self, replica: int) -> Iterator[str]:
        for t in self._data:
            subject = self._iri(iri(t.subject), replica)
            predicate = str(t.predicate)
            if isinstance(t.object, ox.Literal) and t.predicate.value in LABELS:
                obj = self._label(t.object, replica)
            else:
                obj = self._object(t.object, replica)
            yield f"{subject} {predicate} {obj} .\n"


def generate(
    out: Path,
    *,
    triples: int = DEFAULT_TRIPLES,
    seed: int = DEFAULT_SEED,
    cross_links: float = DEFAULT_CROSS_LINKS,
    source: Path | None = None,
) -> Synthetic:
    """Write about ``triples`` triples shaped like ``source`` (default: the real build)."""
    source = source or real_build()
    vocabulary, data = split(q.triple for q in ox.parse(path=source, format=ox.RdfFormat.N_TRIPLES))
    if not data:
        raise ValueError(f"{source} holds no instance data under {ID_IRI}")
    replicas = max(1, round((triples - len(vocabulary)) / len(data)))
    replicator = Replicator(data, replicas, seed=seed, cross_links=cross_links)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="\n") as stream:
        stream.writelines(f"{t} .\n" for t in vocabulary)
        for replica in range(replicas):
            stream.writelines(replicator.lines(replica))
    total = len(vocabulary) + replicas * len(data)
    return Synthetic(out, total, len(vocabulary), len(data), replicas)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", type=int, default=DEFAULT_TRIPLES, help="about how many")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cross-links", type=float, default=DEFAULT_CROSS_LINKS)
    parser.add_argument("--source", type=Path, help="N-Triples to copy (default: the real build)")
    parser.add_argument("--out", type=Path, required=True, help="N-Triples file to write")
    args = parser.parse_args()
    made = generate(
        args.out,
        triples=args.triples,
        seed=args.seed,
        cross_links=args.cross_links,
        source=args.source,
    )
    print(
        f"{made.path}: {made.triples} triples = {made.vocabulary} vocabulary + "
        f"{made.replicas} replicas × {made.per_replica} instance triples"
    )


if __name__ == "__main__":
    main()
