"""The build pipeline: load → derive → validate → write dumps, descriptions and manifest → publish.

Nothing is written unless the graph conforms; a failed build leaves the last good release
as ``current``.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from kggraph import __version__
from kggraph.core.config import Settings
from kggraph.core.errors import ValidationFailed
from kggraph.core.formats import BY_NAME
from kggraph.core.namespaces import RDF, shorten
from kggraph.graph.derive import add_fiscal_years
from kggraph.graph.loader import SourceFile, load_sources
from kggraph.graph.manifest import Manifest, ReleaseFile, SourceCount, TripleCounts
from kggraph.graph.release import MANIFEST, RELEASE_FORMAT
from kggraph.graph.store import (
    OxigraphStore,
    distinct_triples,
    sorted_nquads,
    sorted_ntriples,
    to_rdflib,
)
from kggraph.publish.dumps import write_dumps
from kggraph.publish.promote import promote, staging
from kggraph.publish.self_description import write_descriptions
from kggraph.validation.editorial import check_editorial
from kggraph.validation.redirects import COLUMNS, check_redirects, read_redirects
from kggraph.validation.redirects import FILE as REDIRECTS
from kggraph.validation.shapes import ValidationReport, validate_store

TSV = BY_NAME["tsv"].content_type
"""The media type of the redirects table as the manifest lists it (tab-separated, UTF-8)."""

Step = Callable[[str], None]
"""Told the name of each step as it starts (the CLI shows it as progress)."""


@dataclass(frozen=True)
class Checked:
    """The assembled graph, where it came from, and what the validator said of it."""

    store: OxigraphStore
    sources: list[SourceFile]
    fiscal_years: int
    report: ValidationReport


@dataclass(frozen=True)
class BuildResult:
    """A published build: its folder, its manifest, and the validation report (warnings)."""

    release: Path
    manifest: Manifest
    report: ValidationReport


def _quiet(_step: str) -> None:
    return None


def check(settings: Settings, on_step: Step = _quiet) -> Checked:
    """Load the ontology and data, derive the generated nodes, and validate."""
    store = OxigraphStore()
    on_step("load")
    sources = load_sources(settings, store)
    on_step("derive")
    fiscal_years = add_fiscal_years(store)
    on_step("validate")
    report = validate_store(store, settings.shapes_dir, sources)
    files = {source.graph.value: source.name for source in sources}
    redirects = read_redirects(settings.data_dir / REDIRECTS)
    report = report.adding(check_editorial(store, files) + check_redirects(redirects, store))
    return Checked(store, sources, fiscal_years, report)


def build(
    settings: Settings, on_step: Step = _quiet, *, now: datetime | None = None
) -> BuildResult:
    """Check the graph and, only if it conforms, publish a new release."""
    checked = check(settings, on_step)
    if not checked.report.conforms:
        count = len(checked.report.violations)
        raise ValidationFailed(
            f"the graph does not conform: {count} violation(s)", report=checked.report
        )
    built_at = (now or datetime.now(UTC)).replace(microsecond=0)
    triples = distinct_triples(checked.store)
    ntriples = sorted_ntriples(triples)
    on_step("write")
    with staging(settings.output_dir) as folder:
        nquads = sorted_nquads(checked.store)
        files = write_dumps(folder, ntriples, to_rdflib(checked.store), nquads=nquads)
        files += _copy_redirects(settings, folder)
        files += write_descriptions(folder, checked.store, triples, files)
        manifest = _manifest(checked, triples, files, built_at)
        (folder / MANIFEST).write_bytes(manifest.to_json().encode("utf-8"))
        on_step("publish")
        release_id = f"{built_at:%Y%m%dT%H%M%SZ}-{hashlib.sha256(ntriples).hexdigest()[:8]}"
        release = promote(folder, settings.output_dir, release_id, keep=settings.keep_releases)
    return BuildResult(release=release, manifest=manifest, report=checked.report)


def _copy_redirects(settings: Settings, folder: Path) -> list[ReleaseFile]:
    """The redirects table, as the server reads it; a header alone when ``data/`` has none."""
    source = settings.data_dir / REDIRECTS
    data = source.read_bytes() if source.is_file() else ("\t".join(COLUMNS) + "\n").encode()
    (folder / REDIRECTS).write_bytes(data)
    return [ReleaseFile(REDIRECTS, len(data), hashlib.sha256(data).hexdigest(), TSV)]


def _manifest(
    checked: Checked, triples: set[ox.Triple], files: list[ReleaseFile], built_at: datetime
) -> Manifest:
    return Manifest(
        name="kggraph",
        version=__version__,
        format=RELEASE_FORMAT,
        built_at=built_at,
        triples=TripleCounts(len(triples), _triples_by_role(checked)),
        classes=_class_counts(triples),
        fiscal_years_derived=checked.fiscal_years,
        violations=len(checked.report.violations),
        warnings=len(checked.report.warnings),
        sources=tuple(SourceCount(s.name, s.role, s.triples) for s in checked.sources),
        graphs=_graph_sizes(checked),
        files=tuple(files),
    )


def _graph_sizes(checked: Checked) -> dict[str, int]:
    """Triples per named graph (one per source file, one for derived facts), for the endpoint."""
    sizes: Counter[str] = Counter(
        q.graph_name.value for q in checked.store.quads() if isinstance(q.graph_name, ox.NamedNode)
    )
    return dict(sorted(sizes.items()))


def _triples_by_role(checked: Checked) -> dict[str, int]:
    roles: Counter[str] = Counter()
    for quad in checked.store.quads():
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode):
            roles[graph.value.rsplit("/graph/", 1)[-1].split("/", 1)[0]] += 1
    return dict(sorted(roles.items()))


def _class_counts(triples: set[ox.Triple]) -> dict[str, int]:
    rdf_type = ox.NamedNode(str(RDF.type))
    counts = Counter(
        shorten(t.object.value)
        for t in triples
        if t.predicate == rdf_type and isinstance(t.object, ox.NamedNode)
    )
    return dict(sorted(counts.items()))
