"""The published build as a server sees it: which release is current, its version, its dump.

``publish`` writes releases and swaps ``current``; this module only reads them, so the query
workers and the server can follow a new build without depending on the build code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kggraph.core.config import Settings
from kggraph.core.errors import NotFound, ReleaseDamaged
from kggraph.graph.manifest import Manifest

CURRENT = "current"
MANIFEST = "manifest.json"
"""What the build published (``kggraph.graph.manifest.Manifest``), written last."""
MERGED = "kggraph.nt"
"""The merged graph (distinct triples): the default graph of the endpoint's dataset."""
NAMED = "kggraph.nq"
"""Every triple in its named graph (one per source file): the endpoint's named graphs."""
RELEASE_FORMAT = 2
"""What a release folder holds, as a number the build writes into the manifest (``format``).
Raise it whenever a build starts writing something a server needs (2: the VoID, catalog and
ontology descriptions), so that ``kggraph serve`` rebuilds a release made by older code
instead of serving one that lacks it."""


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

    def read_manifest(self) -> Manifest:
        """The release's manifest; ``ReleaseDamaged`` if it is missing or not a manifest."""
        return Manifest.read(self.path / MANIFEST)

    def open_store(self) -> ox.Store:
        """An in-memory store of this release: the merged graph as the default graph, and the
        named graphs when the release has them.

        The default graph is loaded from the distinct triples, not taken as the union of the
        named graphs, so a triple stated in two source files is counted once.
        """
        merged = self.path / MERGED
        if not merged.is_file():
            raise NotFound("the release holds no N-Triples dump", location=str(self.path))
        store = ox.Store()
        store.bulk_load(path=merged, format=ox.RdfFormat.N_TRIPLES)
        named = self.path / NAMED
        if named.is_file():
            store.bulk_load(path=named, format=ox.RdfFormat.N_QUADS)
        return store


def require_current(output_dir: Path) -> Release:
    """The current release; ``NotFound`` (telling how to make one) before the first build."""
    path = current_release(output_dir)
    if path is None:
        raise NotFound(
            "there is no published build yet: run `kggraph build`", location=str(output_dir)
        )
    return Release(path)


def input_files(settings: Settings) -> list[Path]:
    """Every file a build reads: the ontology, the data, the shapes and the redirects table."""
    folders = (settings.ontology_dir, settings.data_dir, settings.shapes_dir)
    found = [p for folder in folders if folder.is_dir() for p in folder.rglob("*.ttl")]
    redirects = settings.data_dir / "redirects.tsv"
    return sorted(found + ([redirects] if redirects.is_file() else []))


def is_stale(settings: Settings) -> bool:
    """True if there is no current build, it was made by code that wrote another release
    format, or an input file changed after it was made."""
    path = current_release(settings.output_dir)
    if path is None:
        return True
    try:
        manifest = Release(path).read_manifest()
    except ReleaseDamaged:
        return True
    if manifest.format != RELEASE_FORMAT:
        return True
    built = (path / MANIFEST).stat().st_mtime
    return any(p.stat().st_mtime > built for p in input_files(settings))
