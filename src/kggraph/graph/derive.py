"""Nodes the build derives instead of people writing them by hand.

Fiscal years: the data says ``kg:fiscalYear kgid:fiscal-year/2016``; this module adds the
``kg:FiscalYear`` node itself, its labels and its April-to-March bounds from ``kggraph.core.eras``,
so the calendar arithmetic lives in one tested place.
"""

from __future__ import annotations

import re

import pyoxigraph as ox

from kggraph.core.eras import fiscal_year
from kggraph.core.errors import SourceError
from kggraph.core.namespaces import FISCAL_PAIRS, KG, KGID, RDF, RDFS, XSD
from kggraph.graph.store import OxigraphStore, graph_name

FISCAL_YEAR_PREFIX = str(KGID["fiscal-year/"])
FISCAL_YEARS_GRAPH = graph_name("derived", "fiscal-years")
_YEAR = re.compile(r"[0-9]{4}")


def _node(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


def fiscal_year_iris(store: OxigraphStore) -> set[str]:
    """Every fiscal-year IRI the data points to."""
    found: set[str] = set()
    for prop, _text in FISCAL_PAIRS:
        for quad in store.quads(predicate=_node(prop)):
            if isinstance(quad.object, ox.NamedNode):
                found.add(quad.object.value)
    return found


def fiscal_year_quads(iri: str) -> list[ox.Quad]:
    """The triples of one ``kg:FiscalYear`` node, from its IRI ``…/id/fiscal-year/YYYY``."""
    year_text = iri.removeprefix(FISCAL_YEAR_PREFIX)
    if not iri.startswith(FISCAL_YEAR_PREFIX) or not _YEAR.fullmatch(year_text):
        raise SourceError(
            f"a fiscal year must be {FISCAL_YEAR_PREFIX}<four-digit year>, not <{iri}>"
        )
    fy = fiscal_year(int(year_text))
    subject, date = ox.NamedNode(iri), _node(XSD.date)
    triples: list[tuple[ox.NamedNode, ox.NamedNode | ox.Literal]] = [
        (_node(RDF.type), _node(KG.FiscalYear)),
        (_node(RDFS.label), ox.Literal(fy.label_en, language="en")),
        (_node(RDFS.label), ox.Literal(fy.label_ja, language="ja")),
        (_node(KG.startDate), ox.Literal(fy.start.isoformat(), datatype=date)),
        (_node(KG.endDate), ox.Literal(fy.end.isoformat(), datatype=date)),
    ]
    return [ox.Quad(subject, p, o, FISCAL_YEARS_GRAPH) for p, o in triples]


def add_fiscal_years(store: OxigraphStore) -> int:
    """Add every fiscal-year node the data refers to; return how many."""
    iris = sorted(fiscal_year_iris(store))
    for iri in iris:
        store.add(fiscal_year_quads(iri))
    return len(iris)
