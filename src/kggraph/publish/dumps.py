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
from pathlib import Path
from typing import Any

import rdflib

from kggraph.core.formats import GZIP_MEDIA_TYPE
from kggraph.core.namespaces import PREFIXES
from kggraph.dataset.identity import DUMP_FORMATS
from kggraph.graph.manifest import ReleaseFile

STEM = "kggraph"


def turtle(graph: rdflib.Graph) -> bytes:
    """Readable Turtle with the project prefixes."""
    _bind_prefixes(graph)
    return graph.serialize(format="turtle", encoding="utf-8")


def json_ld(graph: rdflib.Graph) -> bytes:
    """Compact JSON-LD whose ``@context`` maps the project prefixes, in one canonical order.

    rdflib writes nodes and the values of a property in the order of its sets, which changes
    with Python's hash seed, so two builds would write different bytes for the same graph.
    The document is therefore rewritten with its keys sorted and every array sorted by its
    items' own canonical text, except the items of an ``@list``, whose order is meaning."""
    _bind_prefixes(graph)
    text = graph.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    document = _canonical(json.loads(text))
    return (json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _canonical(value: Any, *, ordered: bool = False) -> Any:
    """``value`` with every unordered array sorted (see ``json_ld``)."""
    if isinstance(value, dict):
        return {key: _canonical(item, ordered=key == "@list") for key, item in value.items()}
    if isinstance(value, list):
        items = [_canonical(item) for item in value]
        return items if ordered else sorted(items, key=_sort_key)
    return value


def _sort_key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def deterministic_gzip(data: bytes) -> bytes:
    """gzip with no file name and a zero timestamp: same input, same bytes."""
    return gzip.compress(data, compresslevel=9, mtime=0)


def write_dumps(
    folder: Path, ntriples: bytes, graph: rdflib.Graph, *, nquads: bytes
) -> list[ReleaseFile]:
    """Write every dump and its gzip into ``folder``; return what was written."""
    contents = {
        "n-triples": ntriples,
        "n-quads": nquads,
        "turtle": turtle(graph),
        "json-ld": json_ld(graph),
    }
    written = []
    for fmt in DUMP_FORMATS:
        name, data = f"{STEM}.{fmt.extension}", contents[fmt.name]
        written.append(_write(folder / name, data, fmt.media_type))
        written.append(_write(folder / f"{name}.gz", deterministic_gzip(data), GZIP_MEDIA_TYPE))
    return written


def _write(path: Path, data: bytes, media_type: str) -> ReleaseFile:
    path.write_bytes(data)
    return ReleaseFile(path.name, len(data), hashlib.sha256(data).hexdigest(), media_type)


def _bind_prefixes(graph: rdflib.Graph) -> None:
    for name, iri in PREFIXES.items():
        graph.bind(name, rdflib.Namespace(iri), override=True, replace=True)
