"""The places the data names (cities, areas, countries), read from the data files with SPARQL:
what the gazetteers are asked about."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from kggraph.core.config import Settings
from kggraph.core.namespaces import KG
from kggraph.graph.loader import load_sources
from kggraph.graph.store import LINKS_GRAPH, OxigraphStore

KINDS = {str(KG.City): "city", str(KG.AdministrativeArea): "area", str(KG.Country): "country"}
"""The classes that are linked out, and their short names. ``kg:Place`` alone (a region such as
Asia, an island) is not: no gazetteer entry fits it one to one."""

# The links graph is left out: it is what is being derived.
_QUERY = """
PREFIX kg: <https://w3id.org/kggraph/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?place ?class ?label ?labelJa ?country ?countryLabel WHERE {
  GRAPH ?g { ?place a ?class }
  FILTER(?g != <LINKS_GRAPH> && ?class IN (kg:City, kg:AdministrativeArea, kg:Country))
  ?place rdfs:label ?label FILTER(LANG(?label) = "en")
  ?place rdfs:label ?labelJa FILTER(LANG(?labelJa) = "ja")
  OPTIONAL {
    ?place kg:containedInPlace+ ?country . ?country a kg:Country ;
      rdfs:label ?countryLabel FILTER(LANG(?countryLabel) = "en")
  }
} ORDER BY ?place
""".replace("LINKS_GRAPH", LINKS_GRAPH.value)


@dataclass(frozen=True)
class Place:
    """A place to link: its IRI, kind, English and Japanese labels, and its country's English
    label."""

    iri: str
    kind: str
    label: str
    label_ja: str
    country: str | None


def data_places(settings: Settings) -> list[Place]:
    """Every city, area and country of the data (the links graph itself left out)."""
    store = OxigraphStore()
    load_sources(settings, store)
    answer = store.query(_QUERY)
    assert isinstance(answer, ox.QuerySolutions)  # noqa: S101 - a SELECT answers solutions
    places: dict[str, Place] = {}
    for row in answer:
        iri = _text(row["place"])
        country = _text(row["countryLabel"]) if row["countryLabel"] is not None else None
        kind = KINDS[_text(row["class"])]
        label, label_ja = _text(row["label"]), _text(row["labelJa"])
        places[iri] = Place(iri, kind, label, label_ja, None if kind == "country" else country)
    return list(places.values())


def _text(term: object) -> str:
    return str(getattr(term, "value", term))
