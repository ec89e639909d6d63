"""What the published graph holds, counted once: the numbers and facts VoID and DCAT state.

Everything here is read from the graph's distinct triples (the same set the N-Triples dump is
written from), so the descriptions and the dumps cannot disagree: triple count, distinct
subjects and objects, entities (subjects under ``…/id/``), instances per class, triples per
property, the vocabularies used, the first and last date the facts mention, the countries, the
licence and version the ontology states, and the source document with its publisher.

Dates: every value of the ISO date properties (``kg:date``, ``kg:startDate`` …, see
``DATED_PAIRS``) read as the interval it stands for (a ``gYear`` is its whole year, a
``gYearMonth`` its month), so the coverage runs from the first day of the earliest value to the
last day of the latest. The ontology's own ``dcterms:created``/``modified`` are not facts of the
dataset and are left out.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kggraph.core.namespaces import (
    DATED_PAIRS,
    DCTERMS,
    ID_IRI,
    KG,
    ONTOLOGY_IRI,
    OWL,
    RDF,
    RDFS,
    XSD,
)

Labels = tuple[tuple[str, str], ...]
"""(language, text) pairs, sorted."""


@dataclass(frozen=True)
class Count:
    """A class with its number of distinct instances, or a property with its number of triples."""

    iri: str
    count: int


@dataclass(frozen=True)
class Named:
    """A node of the graph with its labels."""

    iri: str
    labels: Labels


@dataclass(frozen=True)
class DatasetFacts:
    triples: int
    entities: int
    """Distinct subjects under ``https://w3id.org/kggraph/id/`` (the URI space)."""
    distinct_subjects: int
    distinct_objects: int
    classes: tuple[Count, ...]
    """Every class used with ``rdf:type`` and its distinct instances, by IRI."""
    properties: tuple[Count, ...]
    """Every predicate and its triples, by IRI."""
    vocabularies: tuple[str, ...]
    """The vocabularies whose classes and properties the graph uses."""
    first_date: dt.date | None
    last_date: dt.date | None
    countries: tuple[Named, ...]
    license: str | None
    ontology_version_iri: str | None
    ontology_version: str | None
    source: Named | None
    source_publisher: Named | None
    examples: tuple[str, ...]
    """A few well-described entities (most triples first), for ``void:exampleResource``."""


EXAMPLES = 3
_DATE_PROPERTIES = frozenset(iso.toPython() for iso, _text in DATED_PAIRS)
_RDF_TYPE = str(RDF.type)
_LABEL = str(RDFS.label)


def facts_of(triples: Iterable[ox.Triple]) -> DatasetFacts:
    """Count and collect what VoID and DCAT say of the graph made of ``triples``."""
    triples = list(triples)
    instances: defaultdict[str, set[str]] = defaultdict(set)
    predicates: Counter[str] = Counter()
    degree: Counter[str] = Counter()
    subjects: set[str] = set()
    objects: set[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = set()
    for t in triples:
        subject = t.subject.value if isinstance(t.subject, ox.NamedNode) else str(t.subject)
        subjects.add(subject)
        objects.add(t.object)
        predicates[t.predicate.value] += 1
        if isinstance(t.subject, ox.NamedNode) and subject.startswith(ID_IRI):
            degree[subject] += 1
        if t.predicate.value == _RDF_TYPE and isinstance(t.object, ox.NamedNode):
            instances[t.object.value].add(subject)
    index = _Index(triples)
    first, last = _date_range(triples)
    source = index.first_of_class(str(KG.SourceDocument))
    publisher = index.value(source.iri, str(DCTERMS.publisher)) if source else None
    return DatasetFacts(
        triples=len(triples),
        entities=len(degree),
        distinct_subjects=len(subjects),
        distinct_objects=len(objects),
        classes=tuple(Count(c, len(s)) for c, s in sorted(instances.items())),
        properties=tuple(Count(p, n) for p, n in sorted(predicates.items())),
        vocabularies=_vocabularies([*predicates, *instances]),
        first_date=first,
        last_date=last,
        countries=tuple(index.named(iri) for iri in sorted(instances.get(str(KG.Country), ()))),
        license=index.value(ONTOLOGY_IRI, str(DCTERMS.license)),
        ontology_version_iri=index.value(ONTOLOGY_IRI, str(OWL.versionIRI)),
        ontology_version=index.literal(ONTOLOGY_IRI, str(OWL.versionInfo)),
        source=source,
        source_publisher=index.named(publisher) if publisher else None,
        examples=tuple(iri for iri, _ in sorted(degree.items(), key=lambda i: (-i[1], i[0])))[
            :EXAMPLES
        ],
    )


class _Index:
    """Values by (subject, predicate), for the few look-ups the descriptions need."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self._values: defaultdict[tuple[str, str], list[ox.NamedNode | ox.Literal]] = defaultdict(
            list
        )
        for t in triples:
            if isinstance(t.subject, ox.NamedNode) and isinstance(
                t.object, ox.NamedNode | ox.Literal
            ):
                self._values[(t.subject.value, t.predicate.value)].append(t.object)

    def value(self, subject: str, predicate: str) -> str | None:
        iris = sorted(v.value for v in self._values[(subject, predicate)] if _is_iri(v))
        return iris[0] if iris else None

    def literal(self, subject: str, predicate: str) -> str | None:
        texts = sorted(v.value for v in self._values[(subject, predicate)] if not _is_iri(v))
        return texts[0] if texts else None

    def named(self, iri: str) -> Named:
        labels = sorted(
            (v.language or "", v.value)
            for v in self._values[(iri, _LABEL)]
            if isinstance(v, ox.Literal)
        )
        return Named(iri, tuple(labels))

    def first_of_class(self, cls: str) -> Named | None:
        members = sorted(
            s for (s, p), values in self._values.items()
            if p == _RDF_TYPE and any(v.value == cls for v in values)
        )  # fmt: skip
        return self.named(members[0]) if members else None


def _is_iri(term: ox.NamedNode | ox.Literal) -> bool:
    return isinstance(term, ox.NamedNode)


def _vocabularies(terms: Iterable[str]) -> tuple[str, ...]:
    """The vocabulary of each term: its namespace, without a final ``#``."""
    found = set()
    for iri in terms:
        cut = max(iri.rfind("#"), iri.rfind("/"))
        if cut > 0:
            found.add(iri[: cut + 1].removesuffix("#"))
    return tuple(sorted(found))


def interval(literal: ox.Literal) -> tuple[dt.date, dt.date] | None:
    """The days a date literal stands for: ``"2010"^^xsd:gYear`` is all of 2010."""
    text, kind = literal.value, literal.datatype.value
    try:
        if kind == str(XSD.gYear):
            year = int(text[:4])
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if kind == str(XSD.gYearMonth):
            year, month = int(text[:4]), int(text[5:7])
            return dt.date(year, month, 1), dt.date(
                year, month, calendar.monthrange(year, month)[1]
            )
        if kind in (str(XSD.date), str(XSD.dateTime)):
            day = dt.date.fromisoformat(text[:10])
            return day, day
    except ValueError:
        return None
    return None


def _date_range(triples: list[ox.Triple]) -> tuple[dt.date | None, dt.date | None]:
    spans = [
        span
        for t in triples
        if t.predicate.value in _DATE_PROPERTIES and isinstance(t.object, ox.Literal)
        for span in (interval(t.object),)
        if span is not None
    ]
    if not spans:
        return None, None
    return min(s[0] for s in spans), max(s[1] for s in spans)
