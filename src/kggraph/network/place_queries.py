"""The SELECTs the map is read from (``kggraph.network.places`` shapes their rows): the points,
the countries, what ties an activity to a place, where activities are, when they began, the
partner cities and the organisations of each place.
"""

from __future__ import annotations

from collections.abc import Mapping

from kggraph.core.namespaces import sparql_prologue

_LABELS = """
  OPTIONAL { ?{v} rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?{v} rdfs:label ?labelJa . FILTER(LANG(?labelJa) = "ja") }"""

QUERIES: Mapping[str, str] = {
    "places": """
SELECT DISTINCT ?place ?class ?lat ?long ?country ?label ?labelJa WHERE {
  ?place wgs84:lat ?lat ; wgs84:long ?long ; a ?class .
  ?class rdfs:subClassOf* kg:Place .
  FILTER NOT EXISTS { ?place a ?narrower . ?narrower rdfs:subClassOf+ ?class .
                      FILTER(?narrower != ?class) }
  OPTIONAL { ?place kg:containedInPlace* ?country . ?country a kg:Country }"""
    + _LABELS.replace("{v}", "place")
    + "\n}",
    "countries": "SELECT DISTINCT ?country ?label ?labelJa WHERE {\n  ?country a kg:Country ."
    + _LABELS.replace("{v}", "country")
    + "\n}",
    "ties": """
SELECT DISTINCT ?place ?activity ?label ?labelJa WHERE {
  ?place wgs84:lat ?lat .
  { ?activity kg:location ?where . ?where kg:containedInPlace* ?place }
  UNION
  { ?government kg:governmentOf/kg:containedInPlace* ?place .
    ?role rdfs:subPropertyOf* kg:party .
    ?activity a/rdfs:subClassOf* kg:Agreement ; ?role ?government }"""
    + _LABELS.replace("{v}", "activity")
    + "\n}",
    "located": "SELECT DISTINCT ?activity ?label ?labelJa WHERE {\n  ?activity kg:location ?where ."
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
  ?prop rdfs:subPropertyOf* kg:partnerCity .
  ?city ?prop ?partner .
  FILTER NOT EXISTS { ?city ?narrower ?partner . ?narrower rdfs:subPropertyOf+ ?prop .
                      FILTER(?narrower != ?prop) }
}""",
    "organisations": """
SELECT DISTINCT ?place ?org WHERE {
  ?place wgs84:lat ?lat .
  ?org (kg:basedIn|kg:governmentOf)/kg:containedInPlace* ?place .
}""",
}
"""Every SELECT the map is read from, by name (``places_from_rows`` takes their rows)."""


def query_text(name: str) -> str:
    """The full text of the query ``name`` of ``QUERIES``, with the project prefixes."""
    return sparql_prologue() + QUERIES[name]
