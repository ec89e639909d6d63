"""A SPARQL answer as a table for people: what ``/sparql`` shows a browser.

The endpoint answers a browser's SELECT or ASK in SPARQL JSON and its CONSTRUCT or DESCRIBE in
N-Triples, as it would any client (same workers, limits and cache); this module reads that
answer into a ``Table`` of ``Cell``\\ s (a graph is a table of subject, predicate and object),
keeping at most ``limit`` rows for the page while counting them all. The labels of the IRIs
of ours on the page come from one more query (``labels_query``), over at most ``LABEL_IRIS``
of them, read by ``read_labels`` with the one rule of ``kggraph.core.language.term_label``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kggraph.core.language import Text, term_label
from kggraph.core.namespaces import BASE_IRI, XSD, shorten
from kggraph.pages.describe import LABELS

XSD_STRING = str(XSD.string)
LABEL_IRIS = 500
"""The most IRIs one page asks the labels of (the first ones met, row by row)."""
GRAPH_COLUMNS = ("subject", "predicate", "object")
_SAFE_IRI = re.compile(r'[^<>"{}|^`\\\x00-\x20]+')
"""An IRI that can be written between ``<`` and ``>`` in a query as it is."""
_Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass(frozen=True)
class Cell:
    """One RDF term of the answer: ``kind`` is ``iri``, ``bnode``, ``literal`` or ``triple``."""

    kind: str
    value: str
    lang: str = ""
    datatype: str = ""
    """A literal's datatype, unless it is a plain string or carries a language."""
    parts: tuple[Cell, ...] = ()
    """A quoted triple's subject, predicate and object (SPARQL-star)."""

    @property
    def ours(self) -> bool:
        """An IRI of this graph, which this server describes."""
        return self.kind == "iri" and self.value.startswith(BASE_IRI)

    @property
    def web(self) -> bool:
        """An IRI a browser can follow (http or https; never ``javascript:`` and the like)."""
        return self.kind == "iri" and self.value.lower().startswith(("http://", "https://"))

    @property
    def short(self) -> str:
        """The IRI with a project prefix (``kgid:city/dalian``), as the query editor shows it."""
        return shorten(self.value)

    @property
    def short_datatype(self) -> str:
        return shorten(self.datatype) if self.datatype else ""


@dataclass(frozen=True)
class Table:
    """An answer as the page shows it: its first rows, how many there are, or ASK's answer."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell | None, ...], ...]
    total: int
    """Rows (or triples) in the whole answer; more than ``rows`` when the page shows a part."""
    boolean: bool | None = None
    """ASK's answer; ``None`` for a table."""

    @property
    def cut(self) -> bool:
        """The page shows only the first rows of the answer."""
        return self.total > len(self.rows)


def read_results(body: bytes, *, limit: int) -> Table:
    """A SPARQL JSON answer (SELECT or ASK), its first ``limit`` rows kept."""
    document = json.loads(body)
    if "boolean" in document:
        return Table((), (), 1, boolean=bool(document["boolean"]))
    columns = tuple(str(v) for v in document["head"].get("vars", ()))
    bindings = document["results"]["bindings"]
    rows = tuple(
        tuple(_from_json(row[name]) if name in row else None for name in columns)
        for row in bindings[:limit]
    )
    return Table(columns, rows, len(bindings))


def _from_json(term: Mapping[str, Any]) -> Cell:
    kind = str(term["type"])
    if kind == "triple":
        parts = term["value"]
        return Cell("triple", "", parts=tuple(_from_json(parts[k]) for k in GRAPH_COLUMNS))
    if kind in ("literal", "typed-literal"):
        datatype = str(term.get("datatype", ""))
        return Cell("literal", str(term["value"]), str(term.get("xml:lang", "")), _shown(datatype))
    return Cell("iri" if kind == "uri" else "bnode", str(term["value"]))


def read_triples(body: bytes, *, limit: int) -> Table:
    """An N-Triples answer (CONSTRUCT or DESCRIBE) as a table of subject, predicate, object."""
    rows: list[tuple[Cell | None, ...]] = []
    total = 0
    for triple in ox.parse(body, format=ox.RdfFormat.N_TRIPLES):
        total += 1
        if total <= limit:
            rows.append((_from_term(triple.subject), _from_term(triple.predicate),
                         _from_term(triple.object)))  # fmt: skip
    return Table(GRAPH_COLUMNS, tuple(rows), total)


def _from_term(term: _Term) -> Cell:
    if isinstance(term, ox.NamedNode):
        return Cell("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return Cell("bnode", term.value)
    if isinstance(term, ox.Triple):
        parts = (term.subject, term.predicate, term.object)
        return Cell("triple", "", parts=tuple(_from_term(p) for p in parts))
    language = term.language or ""
    return Cell("literal", term.value, language, "" if language else _shown(term.datatype.value))


def _shown(datatype: str) -> str:
    return "" if datatype == XSD_STRING else datatype


def our_iris(table: Table, *, limit: int = LABEL_IRIS) -> tuple[str, ...]:
    """The IRIs of ours in the table's rows (inside quoted triples too), each once, in the
    order met, at most ``limit`` of them."""
    found: dict[str, None] = {}
    for row in table.rows:
        for cell in _cells(row):
            if cell.ours and _SAFE_IRI.fullmatch(cell.value):
                found.setdefault(cell.value)
                if len(found) == limit:
                    return tuple(found)
    return tuple(found)


def _cells(cells: Iterable[Cell | None]) -> Iterable[Cell]:
    for cell in cells:
        if cell is not None:
            yield cell
            yield from _cells(cell.parts)


def labels_query(iris: Iterable[str]) -> str:
    """A SELECT of the names (``rdfs:label``, ``skos:prefLabel``) of ``iris``, which must be
    IRIs ``our_iris`` gave (so safe to write between ``<`` and ``>``)."""
    values = " ".join(f"<{iri}>" for iri in iris)
    names = " ".join(f"<{p}>" for p in LABELS)
    return (
        f"SELECT ?s ?label WHERE {{ VALUES ?s {{ {values} }} VALUES ?p {{ {names} }} "
        "?s ?p ?label FILTER(isLiteral(?label)) }"
    )


def read_labels(body: bytes, lang: str) -> dict[str, Text]:
    """The label of each IRI of a ``labels_query`` answer (SPARQL JSON) for a reader of ``lang``."""
    texts: dict[str, dict[str, list[str]]] = {}
    for row in json.loads(body)["results"]["bindings"]:
        label = row["label"]
        by_lang = texts.setdefault(str(row["s"]["value"]), {})
        by_lang.setdefault(str(label.get("xml:lang", "")), []).append(str(label["value"]))
    return {iri: term_label(found, lang, iri) for iri, found in texts.items()}
