"""Finding resources without knowing their IRIs: the class index, kind lists and label search.

Three SELECT queries, run on the query workers like any other, and the readers that turn
their SPARQL JSON answers into small records for the pages:

- ``INDEX``: for each *kind* (the first segment after ``…/id/``: ``city``, ``org``,
  ``agreement``…) and each class its resources are typed with, how many there are, and the
  class's labels. Counts are of resources typed with the class itself, as in the manifest.
- ``LISTING``: the resources whose IRI starts with a prefix (``…/id/city/``), with their types
  and labels.
- ``SEARCH``: resources whose ``rdfs:label``, ``skos:prefLabel`` or ``skos:altLabel``, in any
  language, contains the text asked, ignoring case (``大連`` finds Dalian, and so does
  ``dalian``).

The user's text and the prefix are bound as literals through ``QueryTask.bindings``, never
pasted into the query text.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kggraph.core.language import Text
from kggraph.core.namespaces import ID_IRI, RDF, RDFS, SKOS
from kggraph.query.executor import QueryTask

Labels = dict[str, tuple[str, ...]]
"""Texts by language tag (``""`` for none)."""

MAX_QUERY_LENGTH = 200
"""Longest search text accepted: no label of the graph is longer."""
MAX_HITS = 200
"""Most resources one search lists."""

_ID = json.dumps(ID_IRI)

INDEX = f"""\
SELECT ?kind ?class ?n ?label WHERE {{
  {{
    SELECT ?kind ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
      ?s <{RDF.type}> ?class .
      FILTER(isIRI(?s) && STRSTARTS(STR(?s), {_ID}))
      BIND(STRBEFORE(CONCAT(STRAFTER(STR(?s), {_ID}), "/"), "/") AS ?kind)
    }}
    GROUP BY ?kind ?class
  }}
  OPTIONAL {{ ?class <{RDFS.label}> ?label }}
}}
"""

KIND_TOTALS = f"""\
SELECT ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  ?s <{RDF.type}> ?class .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), {_ID}))
  BIND(STRBEFORE(CONCAT(STRAFTER(STR(?s), {_ID}), "/"), "/") AS ?kind)
}}
GROUP BY ?kind
"""
"""Resources per kind, each once however many classes it has."""

LISTING = f"""\
SELECT ?s ?type ?label ?typeLabel ?prefix WHERE {{
  ?s <{RDF.type}> ?type .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), ?prefix))
  OPTIONAL {{ ?s <{RDFS.label}> ?label }}
  OPTIONAL {{ ?type <{RDFS.label}> ?typeLabel }}
}}
"""

SEARCH = f"""\
SELECT ?s ?match ?label ?type ?text WHERE {{
  VALUES ?named {{ <{RDFS.label}> <{SKOS.prefLabel}> <{SKOS.altLabel}> }}
  ?s ?named ?match .
  FILTER(isIRI(?s) && STRSTARTS(STR(?s), {_ID}))
  FILTER(isLiteral(?match) && CONTAINS(LCASE(STR(?match)), LCASE(?text)))
  OPTIONAL {{ ?s <{RDFS.label}> ?label }}
  OPTIONAL {{ ?s <{RDF.type}> ?type }}
}}
"""


@dataclass(frozen=True)
class ClassCount:
    """One class within a kind: how many resources of that kind are typed with it."""

    iri: str
    count: int
    labels: Labels = field(default_factory=dict)


@dataclass(frozen=True)
class Kind:
    """The resources under ``…/id/<name>/``: how many, and by class."""

    name: str
    total: int
    classes: tuple[ClassCount, ...]


@dataclass(frozen=True)
class Entry:
    """One resource in a list: its IRI, labels and types."""

    iri: str
    labels: Labels
    types: tuple[str, ...]
    matched: tuple[Text, ...] = ()
    """For a search hit: the labels that contain the text asked, with their languages."""


def index_tasks() -> tuple[QueryTask, QueryTask]:
    """The two SELECTs of the class index: per kind and class, and per kind."""
    return QueryTask(INDEX, "sparql-json"), QueryTask(KIND_TOTALS, "sparql-json")


def listing_task(prefix: str) -> QueryTask:
    """The resources whose IRI starts with ``prefix`` (a full IRI prefix, ``…/id/city/``)."""
    return QueryTask(LISTING, "sparql-json", bindings=(("prefix", str(ox.Literal(prefix))),))


def search_task(text: str) -> QueryTask:
    """The resources with a label that contains ``text`` (at most ``MAX_QUERY_LENGTH`` long)."""
    if len(text) > MAX_QUERY_LENGTH:
        raise ValueError(f"the search text is longer than {MAX_QUERY_LENGTH} characters")
    return QueryTask(SEARCH, "sparql-json", bindings=(("text", str(ox.Literal(text))),))


def _bindings(body: bytes) -> list[dict[str, dict[str, str]]]:
    document = json.loads(body)
    rows: list[dict[str, dict[str, str]]] = document["results"]["bindings"]
    return rows


def _add_label(labels: dict[str, set[str]], term: dict[str, str] | None) -> None:
    if term is not None and term.get("type") == "literal":
        labels[term.get("xml:lang", "").lower()].add(term["value"])


def _frozen(labels: dict[str, set[str]]) -> Labels:
    return {lang: tuple(sorted(texts)) for lang, texts in labels.items()}


def read_index(per_class: bytes, per_kind: bytes) -> tuple[Kind, ...]:
    """The kinds, in name order, each with its classes by descending count."""
    counts: dict[tuple[str, str], int] = {}
    labels: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _bindings(per_class):
        key = (row["kind"]["value"], row["class"]["value"])
        counts[key] = int(row["n"]["value"])
        _add_label(labels[key[1]], row.get("label"))
    totals = {row["kind"]["value"]: int(row["n"]["value"]) for row in _bindings(per_kind)}
    kinds = []
    for name in sorted(totals):
        classes = sorted(
            (
                ClassCount(cls, n, _frozen(labels[cls]))
                for (k, cls), n in counts.items()
                if k == name
            ),
            key=lambda c: (-c.count, c.iri),
        )
        kinds.append(Kind(name, totals[name], tuple(classes)))
    return tuple(kinds)


def read_entries(body: bytes) -> tuple[Entry, ...]:
    """The resources of a listing or search answer, each once, in IRI order."""
    labels: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    types: dict[str, set[str]] = defaultdict(set)
    matched: dict[str, set[Text]] = defaultdict(set)
    for row in _bindings(body):
        iri = row["s"]["value"]
        _add_label(labels[iri], row.get("label"))
        if "type" in row:
            types[iri].add(row["type"]["value"])
        if "match" in row:
            found = row["match"]
            matched[iri].add(Text(found["value"], found.get("xml:lang", "").lower()))
    return tuple(
        Entry(iri, _frozen(labels[iri]), tuple(sorted(types[iri])), tuple(sorted(matched[iri])))
        for iri in sorted(set(labels) | set(types) | set(matched))
    )


def type_labels(body: bytes) -> dict[str, Labels]:
    """The labels of the classes named in a listing answer, by class IRI."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in _bindings(body):
        if "type" in row:
            _add_label(found[row["type"]["value"]], row.get("typeLabel"))
    return {iri: _frozen(labels) for iri, labels in found.items()}
