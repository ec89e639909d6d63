"""The published build as a server sees it: which release is current, its version, its dump.

``publish`` writes releases and swaps ``current``; this module only reads them, so the query
workers and the server can follow a new build without depending on the build code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kggraph.config import Settings
from kggraph.errors import NotFound

CURRENT = "current"
MANIFEST = "manifest.json"
DUMPS = (("kggraph.nq", ox.RdfFormat.N_QUADS), ("kggraph.nt", ox.RdfFormat.N_TRIPLES))
"""Dumps a store can be opened from, best first: N-Quads keep the named graphs."""


def current_release(output_dir: Path) -> Path | None:
    """The folder ``current`` points to, or ``None`` before the first build."""
    link = output_dir / CURRENT
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


@dataclass(frozen=True)
class Release:
    """One published build."""

    path: Path

    @property
    def version(self) -> str:
        """The release folder's name: build time and a hash of the graph, unique per build."""
        return self.path.name

    def open_store(self) -> ox.Store:
        """An in-memory store holding this release's graph (its named graphs if published)."""
        for name, fmt in DUMPS:
            dump = self.path / name
            if dump.is_file():
                store = ox.Store()
                store.bulk_load(path=dump, format=fmt)
                return store
        raise NotFound("the release holds no N-Quads or N-Triples dump", location=str(self.path))


def require_current(output_dir: Path) -> Release:
    """The current release; ``NotFound`` (telling how to make one) before the first build."""
    path = current_release(output_dir)
    if path is None:
        raise NotFound(
            "there is no published build yet: run `kggraph build`", location=str(output_dir)
        )
    return Release(path)


def input_files(settings: Settings) -> list[Path]:
    """Every file a build reads: the ontology, the data and the shapes."""
    folders = (settings.ontology_dir, settings.data_dir, settings.shapes_dir)
    return sorted(p for folder in folders if folder.is_dir() for p in folder.rglob("*.ttl"))


def is_stale(settings: Settings) -> bool:
    """True if there is no current build, or an input file changed after it was made."""
    path = current_release(settings.output_dir)
    if path is None or not (path / MANIFEST).is_file():
        return True
    built = (path / MANIFEST).stat().st_mtime
    return any(p.stat().st_mtime > built for p in input_files(settings))
