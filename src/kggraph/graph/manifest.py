"""A release's ``manifest.json``: what one build published, as one typed record.

The build makes a ``Manifest`` and writes it with ``to_json``; everything that reads a release
(``kggraph serve``, ``kggraph summary``, the check for a stale release) reads it with
``Manifest.read``, which checks every field and raises ``ReleaseDamaged`` for a file that is
missing, is no JSON, or does not hold a manifest. The JSON is the one builds have always
written (keys sorted, two-space indent, ``format`` = ``RELEASE_FORMAT`` of the code that wrote
it), so releases already on disk load, and reading one and writing it back gives its bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from kggraph.core.errors import ReleaseDamaged

_T = TypeVar("_T")


@dataclass(frozen=True)
class ReleaseFile:
    """One file of a release: its name, size in bytes, SHA-256 (hex) and media type."""

    name: str
    bytes: int
    sha256: str
    media_type: str

    def as_json(self) -> dict[str, object]:
        return {"bytes": self.bytes, "sha256": self.sha256, "media_type": self.media_type}


@dataclass(frozen=True)
class SourceCount:
    """One source file the build read: its path under the project, role and triple count."""

    path: str
    role: str
    triples: int


@dataclass(frozen=True)
class TripleCounts:
    """The distinct triples of the release, and the triples of each role's named graphs
    (``data``, ``editorial``, ``links``, ``ontology``, ``derived``: a triple in two roles counts
    twice)."""

    total: int
    by_role: Mapping[str, int]

    def of(self, role: str) -> int:
        """The triples of ``role``'s graphs; 0 for a role the release has none of."""
        return self.by_role.get(role, 0)


@dataclass(frozen=True)
class Manifest:
    """Everything ``manifest.json`` holds."""

    name: str
    version: str
    """The version of kggraph that built the release."""
    format: int
    """The release format of the code that built it (``kggraph.graph.release.RELEASE_FORMAT``)."""
    built_at: dt.datetime
    triples: TripleCounts
    classes: Mapping[str, int]
    """Instances per class (its prefixed name), counted under the class they are typed with."""
    fiscal_years_derived: int
    violations: int
    warnings: int
    sources: tuple[SourceCount, ...]
    graphs: Mapping[str, int]
    """Triples per named graph IRI."""
    files: tuple[ReleaseFile, ...]
    """The files of the release, the manifest aside."""

    def __post_init__(self) -> None:
        if self.built_at.utcoffset() is None:
            raise ValueError("a manifest's build time needs its offset from UTC")

    @property
    def built_at_text(self) -> str:
        """The build time as the manifest writes it: ISO 8601, UTC as ``Z``."""
        return self.built_at.isoformat().replace("+00:00", "Z")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """The manifest at ``path``; ``ReleaseDamaged`` if it is missing or not a manifest."""
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except OSError as err:
            raise ReleaseDamaged(
                f"cannot read the manifest: {err.strerror}", location=str(path)
            ) from None
        except ValueError as err:
            raise ReleaseDamaged(f"the manifest is no JSON: {err}", location=str(path)) from None
        try:
            return cls.from_json(document)
        except (TypeError, ValueError) as err:
            raise ReleaseDamaged(f"not a release manifest: {err}", location=str(path)) from None

    @classmethod
    def from_json(cls, document: object) -> Manifest:
        """The manifest a parsed ``manifest.json`` holds; ``TypeError`` or ``ValueError``
        naming the first field that is of the wrong type or missing."""
        doc = _object(document, "the manifest")
        triples = _counts(_field(doc, "triples"), "triples")
        validation = _object(_field(doc, "validation"), "validation")
        return cls(
            name=_typed(doc, "name", str),
            version=_typed(doc, "version", str),
            format=_typed(doc, "format", int),
            built_at=_time(_typed(doc, "built_at", str)),
            triples=TripleCounts(
                _typed(triples, "total", int), {k: v for k, v in triples.items() if k != "total"}
            ),
            classes=_counts(_field(doc, "classes"), "classes"),
            fiscal_years_derived=_typed(doc, "fiscal_years_derived", int),
            violations=_typed(validation, "violations", int),
            warnings=_typed(validation, "warnings", int),
            sources=tuple(_source(s) for s in _list(_field(doc, "sources"), "sources")),
            graphs=_counts(_field(doc, "graphs"), "graphs"),
            files=tuple(
                _file(name, entry) for name, entry in _object(_field(doc, "files"), "files").items()
            ),
        )

    def as_json(self) -> dict[str, object]:
        """The manifest as the JSON document it is written as."""
        return {
            "name": self.name,
            "version": self.version,
            "format": self.format,
            "built_at": self.built_at_text,
            "triples": {"total": self.triples.total, **self.triples.by_role},
            "classes": dict(self.classes),
            "fiscal_years_derived": self.fiscal_years_derived,
            "validation": {"violations": self.violations, "warnings": self.warnings},
            "sources": [
                {"path": s.path, "role": s.role, "triples": s.triples} for s in self.sources
            ],
            "graphs": dict(self.graphs),
            "files": {f.name: f.as_json() for f in self.files},
        }

    def to_json(self) -> str:
        """The text of ``manifest.json``: UTF-8 as it is, keys sorted, a final newline."""
        return json.dumps(self.as_json(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def _field(doc: Mapping[str, Any], key: str) -> object:
    if key not in doc:
        raise ValueError(f"{key!r} is missing")
    value: object = doc[key]
    return value


def _typed(doc: Mapping[str, Any], key: str, kind: type[_T]) -> _T:
    """``doc[key]``, which must be a ``kind`` (an int is no bool here)."""
    value = _field(doc, key)
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise TypeError(f"{key!r} is {value!r}, not {kind.__name__}")
    return value


def _object(value: object, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError(f"{what} is not a JSON object")
    return value


def _list(value: object, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise TypeError(f"{what} is not a JSON array")
    return value


def _counts(value: object, what: str) -> dict[str, int]:
    """A JSON object of whole numbers (triples per graph, instances per class)."""
    doc = _object(value, what)
    return {key: _typed(doc, key, int) for key in doc}


def _time(text: str) -> dt.datetime:
    """An ISO 8601 time with its offset (the build writes UTC, as ``…Z``)."""
    try:
        when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"'built_at' is {text!r}, not an ISO 8601 time") from None
    if when.tzinfo is None:
        raise ValueError(f"'built_at' is {text!r}, a time without its offset")
    return when


def _source(value: object) -> SourceCount:
    doc = _object(value, "a source")
    return SourceCount(
        _typed(doc, "path", str), _typed(doc, "role", str), _typed(doc, "triples", int)
    )


def _file(name: str, value: object) -> ReleaseFile:
    doc = _object(value, f"file {name!r}")
    return ReleaseFile(
        name, _typed(doc, "bytes", int), _typed(doc, "sha256", str), _typed(doc, "media_type", str)
    )
