"""Identifiers that moved or went: the table ``data/redirects.tsv`` and its build check.

No published IRI disappears silently. When a node must go, its IRI is listed here: ``301`` with
the IRI of its successor, or ``410`` (gone) with no target; each row gives the reason in
English and Japanese. The table is tab-separated, with a header row::

    iri	status	target	reason_en	reason_ja

and may hold no row besides the header. The build refuses a row whose IRI still has triples
(it would be both served and redirected) or whose ``301`` target is no subject of the graph (a
redirect to nothing), and copies the table into the release, where the server reads it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kggraph.core.errors import SourceError
from kggraph.core.namespaces import ID_IRI, shorten
from kggraph.graph.store import GraphStore
from kggraph.validation.shapes import ValidationResult

FILE = "redirects.tsv"
"""The table's name, in ``data/`` and in each release."""
COLUMNS = ("iri", "status", "target", "reason_en", "reason_ja")
STATUSES = (301, 410)
CHECK = "build check: redirects table"


@dataclass(frozen=True)
class Redirect:
    """One row: an identifier under ``…/id/``, what it answers, and why."""

    iri: str
    status: int
    target: str
    reason_en: str
    reason_ja: str

    @property
    def path(self) -> str:
        """The identifier after ``…/id/`` (``org/old-name``)."""
        return self.iri.removeprefix(ID_IRI)

    def reason(self, lang: str) -> str:
        return self.reason_ja if lang == "ja" and self.reason_ja else self.reason_en


def read_redirects(path: Path) -> list[Redirect]:
    """The table at ``path`` (none if the file does not exist); errors name file:line."""
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or tuple(rows[0]) != COLUMNS:
        raise SourceError(
            f"the first row must be the header {' '.join(COLUMNS)} (tab-separated)",
            location=f"{path}:1",
        )
    found: dict[str, Redirect] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        redirect = _row(row, f"{path}:{number}")
        if redirect.iri in found:
            raise SourceError(f"{redirect.iri} is listed twice", location=f"{path}:{number}")
        found[redirect.iri] = redirect
    return list(found.values())


def _row(row: list[str], where: str) -> Redirect:
    if len(row) != len(COLUMNS):
        raise SourceError(
            f"a row has {len(COLUMNS)} tab-separated cells, not {len(row)}", location=where
        )
    iri, status, target, reason_en, reason_ja = (cell.strip() for cell in row)
    if not iri.startswith(ID_IRI) or len(iri) == len(ID_IRI):
        raise SourceError(
            f"the IRI must be an identifier under {ID_IRI}, not {iri!r}", location=where
        )
    if status not in {str(s) for s in STATUSES}:
        raise SourceError(f"the status must be 301 or 410, not {status!r}", location=where)
    if status == "301" and not target.startswith(ID_IRI):
        raise SourceError(f"a 301 needs the IRI of its successor under {ID_IRI}", location=where)
    if status == "410" and target:
        raise SourceError("a 410 has no target: leave the target cell empty", location=where)
    if not reason_en or not reason_ja:
        raise SourceError("each row gives its reason in English and in Japanese", location=where)
    return Redirect(iri, int(status), target, reason_en, reason_ja)


def check_redirects(
    redirects: Iterable[Redirect], store: GraphStore, *, source: str = "data/" + FILE
) -> list[ValidationResult]:
    """Violations: a listed IRI that still has triples, a 301 to an IRI the graph lacks."""
    problems = []
    for r in redirects:
        node = ox.NamedNode(r.iri)
        if _used(store, node):
            problems.append(
                _result(
                    r,
                    f"{shorten(r.iri)} is listed as {r.status} but still has triples in "
                    "the graph: remove its triples, or its row",
                    source,
                )  # fmt: skip
            )
        if r.status == 301 and not _is_subject(store, ox.NamedNode(r.target)):
            problems.append(
                _result(
                    r,
                    f"{shorten(r.iri)} redirects to {shorten(r.target)}, which is not in "
                    "the graph: name an IRI that is",
                    source,
                )  # fmt: skip
            )
    return problems


def _is_subject(store: GraphStore, node: ox.NamedNode) -> bool:
    return next(iter(store.quads(subject=node)), None) is not None


def _used(store: GraphStore, node: ox.NamedNode) -> bool:
    if _is_subject(store, node):
        return True
    return any(q.object == node for q in store.quads())


def _result(r: Redirect, message: str, source: str) -> ValidationResult:
    return ValidationResult(
        severity="Violation",
        focus=shorten(r.iri),
        label=None,
        path=None,
        value=str(r.status),
        message=message,
        shape=CHECK,
        source=source,
    )
