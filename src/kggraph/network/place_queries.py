"""The SELECTs the map is read from (``kggraph.network.places`` shapes their rows): the points,
the countries, what ties an activity to a place, where activities are, when they began, the
partner cities and the organisations of each place.

Each is a plain pattern: no property path meets another pattern. The hierarchies (a place
within a place, a class under a class, a property under a property) are read as their single
edges and closed in Python (``kggraph.network.place_rows``), because Virtuoso 7.2 loses rows
where a path such as ``kg:containedInPlace*`` joins other patterns, while each edge alone it
answers as every store does. So the map is read in two steps: ``SCHEMA`` (the two ontology
hierarchies), then ``data_queries`` (the graph, with the sub-properties and sub-classes the
first step found written in as ``VALUES``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from kggraph.core.errors import QueryError
from kggraph.core.namespaces import sparql_prologue

_LABELS = """
  OPTIONAL { ?{v} rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?{v} rdfs:label ?labelJa . FILTER(LANG(?labelJa) = "ja") }"""
_NOT_IN_AN_IRI = frozenset('<>"{}|^`\\ \t\r\n')

SCHEMA: Mapping[str, str] = {
    "classes": "SELECT DISTINCT ?class ?broader WHERE { ?class rdfs:subClassOf ?broader }",
    "properties": "SELECT DISTINCT ?property ?broader WHERE {\n"
    "  ?property rdfs:subPropertyOf ?broader\n}",
}
"""The ontology's two hierarchies, one edge a row (asked first)."""

QUERIES: Mapping[str, str] = {
    "points": """
SELECT DISTINCT ?place ?class ?lat ?long ?label ?labelJa WHERE {
  ?place wgs84:lat ?lat ; wgs84:long ?long ; a ?class ."""
    + _LABELS.replace("{v}", "place")
    + "\n}",
    "within": "SELECT DISTINCT ?place ?container WHERE { ?place kg:containedInPlace ?container }",
    "countries": "SELECT DISTINCT ?country ?label ?labelJa WHERE {\n  ?country a kg:Country ."
    + _LABELS.replace("{v}", "country")
    + "\n}",
    "located": "SELECT DISTINCT ?activity ?where ?label ?labelJa WHERE {\n"
    "  ?activity kg:location ?where ." + _LABELS.replace("{v}", "activity") + "\n}",
    "parties": """
SELECT DISTINCT ?activity ?governed ?label ?labelJa WHERE {
  VALUES ?role { {roles} }
  VALUES ?type { {types} }
  ?activity a ?type ; ?role ?government .
  ?government kg:governmentOf ?governed ."""
    + _LABELS.replace("{v}", "activity")
    + "\n}",
    "began": """
SELECT DISTINCT ?activity ?value WHERE {
  { VALUES ?prop { kg:date kg:startDate } ?activity ?prop ?value }
  UNION
  { VALUES ?prop { kg:fiscalYear kg:startFiscalYear }
    ?activity ?prop ?fiscalYear . ?fiscalYear kg:startDate ?value }
}""",
    "partners": """
SELECT DISTINCT ?city ?partner ?prop WHERE {
  VALUES ?prop { {partnerships} }
  ?city ?prop ?partner .
}""",
    "seats": """
SELECT DISTINCT ?org ?where WHERE {
  VALUES ?seat { kg:basedIn kg:governmentOf }
  ?org ?seat ?where .
}""",
}
"""The graph's SELECTs, by name: the points (with all their classes), the places within places,
the countries, the activities' locations, the agreements a government is party to (with the
place it governs), the dates, the partnerships and where each organisation is."""


def schema_text(name: str) -> str:
    """The full text of the query ``name`` of ``SCHEMA``, with the project prefixes."""
    return sparql_prologue() + SCHEMA[name]


def data_queries(
    roles: Iterable[str], agreements: Iterable[str], partnerships: Iterable[str]
) -> dict[str, str]:
    """Every query of ``QUERIES`` in full, with the party roles, agreement classes and
    partnership properties the ontology has (each a non-empty set of IRIs) written in."""
    terms = {
        "{roles}": _iris(roles),
        "{types}": _iris(agreements),
        "{partnerships}": _iris(partnerships),
    }
    texts = {}
    for name, text in QUERIES.items():
        for mark, value in terms.items():
            text = text.replace(mark, value)
        texts[name] = sparql_prologue() + text
    return texts


def _iris(iris: Iterable[str]) -> str:
    found = sorted(set(iris))
    if not found or any(_NOT_IN_AN_IRI.intersection(iri) for iri in found):
        raise QueryError(f"the map cannot ask for these terms: {found!r}")
    return " ".join(f"<{iri}>" for iri in found)
