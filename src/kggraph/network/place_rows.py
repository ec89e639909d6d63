"""The map's joins, made in Python from the plain rows of ``kggraph.network.place_queries``.

The hierarchies are closed here (networkx) rather than with property paths in SPARQL: a place
within a place (``kg:containedInPlace*``), a class under a class (``rdfs:subClassOf*``) and a
property under a property (``rdfs:subPropertyOf*``). ``map_rows`` gives the rows that
``kggraph.network.places.places_from_rows`` reads, by name, as the SPARQL of the joins would:

- ``places``: a point (``wgs84:lat`` and ``long``) with each class it has under ``kg:Place``
  that none of its other classes is under, and each ``kg:Country`` it is in (itself included),
  or none;
- ``ties``: a point and an activity located in it or in a place within it, or an agreement
  (a class under ``kg:Agreement``) that a government of it or of a place within it is party
  to (``kg:party`` or a property under it);
- ``organisations``: a point and an organisation based in it or in a place within it, or the
  government of one of those;
- ``partners``: a partnership (``kg:partnerCity`` or a property under it) between two cities,
  unless a narrower one holds between them too;
- ``located``, ``countries``, ``began``: as read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import networkx as nx

from kggraph.core.namespaces import KG
from kggraph.network.facts import Row

_TIE = ("activity", "label", "labelJa")


class Hierarchy:
    """A hierarchy from its edges (narrower → broader), closed on demand."""

    def __init__(self, edges: Iterable[tuple[str, str]]) -> None:
        self._graph: nx.DiGraph = nx.DiGraph()
        self._graph.add_edges_from(edges)
        self.above = cache(self._above)
        """The nodes above ``node`` by one or more edges."""

    def _above(self, node: str) -> frozenset[str]:
        if node not in self._graph:
            return frozenset()
        return frozenset(nx.descendants(self._graph, node))

    def at_or_above(self, node: str) -> frozenset[str]:
        """``node`` and the nodes above it (a path's ``*``)."""
        return self.above(node) | {node}

    def at_or_under(self, root: str) -> frozenset[str]:
        """``root`` and every node it is above."""
        if root not in self._graph:
            return frozenset({root})
        return frozenset(nx.ancestors(self._graph, root)) | {root}


@dataclass(frozen=True)
class Schema:
    """The ontology's class and property hierarchies, as the map uses them."""

    classes: Hierarchy
    properties: Hierarchy

    @property
    def roles(self) -> frozenset[str]:
        """``kg:party`` and its sub-properties."""
        return self.properties.at_or_under(str(KG.party))

    @property
    def agreements(self) -> frozenset[str]:
        """``kg:Agreement`` and its sub-classes."""
        return self.classes.at_or_under(str(KG.Agreement))

    @property
    def partnerships(self) -> frozenset[str]:
        """``kg:partnerCity`` and its sub-properties."""
        return self.properties.at_or_under(str(KG.partnerCity))


def schema_from_rows(rows: Mapping[str, Sequence[Row]]) -> Schema:
    """The schema from the rows of ``SCHEMA``'s ``classes`` and ``properties``."""
    return Schema(
        Hierarchy(_pairs(rows["classes"], "class", "broader")),
        Hierarchy(_pairs(rows["properties"], "property", "broader")),
    )


def map_rows(schema: Schema, rows: Mapping[str, Sequence[Row]]) -> dict[str, list[Row]]:
    """The rows ``places_from_rows`` reads, from the rows of every query of ``QUERIES``."""
    within = Hierarchy(_pairs(rows["within"], "place", "container"))
    points = frozenset(r["place"] for r in rows["points"] if "place" in r)
    countries = frozenset(r["country"] for r in rows["countries"] if "country" in r)

    def at(where: str) -> frozenset[str]:
        return within.at_or_above(where) & points

    return {
        "places": _places(schema, rows["points"], within, countries),
        "countries": list(rows["countries"]),
        "ties": _ties(rows["located"], "where", at) + _ties(rows["parties"], "governed", at),
        "located": _distinct({k: v for k, v in r.items() if k in _TIE} for r in rows["located"]),
        "began": list(rows["began"]),
        "partners": _partners(schema, rows["partners"]),
        "organisations": _distinct(
            {"place": place, "org": r["org"]}
            for r in rows["seats"]
            if "org" in r and "where" in r
            for place in at(r["where"])
        ),
    }


def _places(
    schema: Schema, points: Sequence[Row], within: Hierarchy, countries: frozenset[str]
) -> list[Row]:
    """Each point with its most specific place classes and its countries (or none)."""
    kinds = schema.classes.at_or_under(str(KG.Place))
    classes: dict[str, set[str]] = defaultdict(set)
    for row in points:
        if "place" in row and "class" in row:
            classes[row["place"]].add(row["class"])
    found: list[Row] = []
    for row in points:
        place, kind = row.get("place"), row.get("class")
        if place is None or kind not in kinds:
            continue
        if any(other != kind and kind in schema.classes.above(other) for other in classes[place]):
            continue
        inside = sorted(within.at_or_above(place) & countries)
        found.extend([{**row, "country": country} for country in inside] or [dict(row)])
    return found


def _ties(rows: Sequence[Row], key: str, at: Callable[[str], frozenset[str]]) -> list[Row]:
    """Each point at or above a row's ``key`` with the row's activity and its labels."""
    return _distinct(
        {"place": place, **{k: v for k, v in row.items() if k in _TIE}}
        for row in rows
        if "activity" in row and key in row
        for place in at(row[key])
    )


def _partners(schema: Schema, rows: Sequence[Row]) -> list[Row]:
    """Each partnership between two cities, unless a narrower one holds between them too."""
    held: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rows:
        if {"city", "partner", "prop"} <= row.keys():
            held[row["city"], row["partner"]].add(row["prop"])
    return [
        {"city": city, "partner": partner, "prop": prop}
        for (city, partner), props in held.items()
        for prop in props
        if not any(other != prop and prop in schema.properties.above(other) for other in props)
    ]


def _pairs(rows: Sequence[Row], narrower: str, broader: str) -> list[tuple[str, str]]:
    return [(r[narrower], r[broader]) for r in rows if narrower in r and broader in r]


def _distinct(rows: Iterable[Row]) -> list[Row]:
    """Rows once each (as ``SELECT DISTINCT``)."""
    return [dict(items) for items in {tuple(sorted(row.items())) for row in rows}]
