"""Serialise the published graph: sorted N-Triples, readable Turtle, JSON-LD, and gzip of each.

The N-Triples file is canonical (distinct triples, sorted by bytes), so two builds of the same
input give byte-identical files; the gzip files carry no timestamp or name for the same reason.
The N-Quads file is canonical too and keeps each triple's named graph (one per source file),
which the SPARQL endpoint serves as its named graphs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import rdflib

from kggraph.core.namespaces import PREFIXES

STEM = "kggraph"
MEDIA_TYPES = {
    ".nt": "application/n-triples",
    ".nq": "application/n-quads",
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".gz": "application/gzip",
    ".json": "application/json",
}


@dataclass(frozen=True)
class DumpFile:
    """One written file: its name, size, checksum and media type."""

    name: str
    bytes: int
    sha256: str
    media_type: str

    def as_json(self) -> dict[str, object]:
        return {"bytes": self.bytes, "sha256": self.sha256, "media_type": self.media_type}


def turtle(graph: rdflib.Graph) -> bytes:
    """Readable Turtle with the project prefixes."""
    _bind_prefixes(graph)
    return graph.serialize(format="turtle", encoding="utf-8")


def json_ld(graph: rdflib.Graph) -> bytes:
    """Compact JSON-LD whose ``@context`` maps the project prefixes."""
    _bind_prefixes(graph)
    text = graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    return text.encode("utf-8")


def deterministic_gzip(data: bytes) -> bytes:
    """gzip with no file name and a zero timestamp: same input, same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def write_dumps(
    folder: Path, ntriples: bytes, graph: rdflib.Graph, *, nquads: bytes
) -> list[DumpFile]:
    """Write every dump and its gzip into ``folder``; return what was written."""
    contents = {
        f"{STEM}.nt": ntriples,
        f"{STEM}.nq": nquads,
        f"{STEM}.ttl": turtle(graph),
        f"{STEM}.jsonld": json_ld(graph),
    }
    written = []
    for name, data in contents.items():
        written.append(_write(folder / name, data))
        written.append(_write(folder / f"{name}.gz", deterministic_gzip(data)))
    return written


def write_json(path: Path, document: dict[str, object]) -> DumpFile:
    """Write a JSON document (UTF-8, sorted keys, trailing newline)."""
    text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return _write(path, text.encode("utf-8"))


def _write(path: Path, data: bytes) -> DumpFile:
    path.write_bytes(data)
    media = MEDIA_TYPES[path.suffix]
    return DumpFile(path.name, len(data), hashlib.sha256(data).hexdigest(), media)


def _bind_prefixes(graph: rdflib.Graph) -> None:
    for name, iri in PREFIXES.items():
        graph.bind(name, rdflib.Namespace(iri), override=True, replace=True)
