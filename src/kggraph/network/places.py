"""The places of the cooperation on a map: every place with coordinates, how many activities
are tied to it, its country and its partner cities, read from the graph with SPARQL.

- **Points**: the places that have ``wgs84:lat`` and ``wgs84:long`` (the cities; link-outs
  give them, countries and areas have none).
- **Activities of a place** (the size of its point): the distinct activities that either take
  place in it or in a place within it (``kg:location``, then ``kg:containedInPlace*`` up to the
  place: a project at a water plant in Phnom Penh counts for Phnom Penh), or are agreements a
  government of the place is party to (``kg:governmentOf``, ``kg:party`` and its
  sub-properties; a government of a place within it counts too: a sister-city agreement counts
  for both cities, Jinghai District's agreement for Tianjin). An activity located only in
  places without a point (a province, a country) is counted apart (``elsewhere``).
- **Year**: the year an activity began, read as the timeline reads it: the earliest of
  ``kg:date``, ``kg:startDate`` and the start of its (starting) fiscal year. Counting "up to"
  a year keeps what began in or before it and leaves undated activities out, as the network's
  ``to_year`` does; without a year every activity counts, undated ones too.
- **Country** (the colour of its point): the ``kg:Country`` reached up ``kg:containedInPlace*``.
  Countries take the colours of ``COLOURS`` in order of how many points they have (then their
  English label), so one country keeps one colour on every map of a release.
- **Partners**: ``kg:partnerCity`` and its sub-properties, both ways (they are symmetric).
- **Organisations**: how many agents are based in the place or a place within it
  (``kg:basedIn``, ``kg:governmentOf``); not filtered by year.
"""

from __future__ import annotations

import asyncio
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from kggraph.core.errors import QueryError
from kggraph.core.language import local_name
from kggraph.graph.store import GraphStore
from kggraph.network.facts import Row, Term, labels_of
from kggraph.network.place_queries import SCHEMA, data_queries, schema_text
from kggraph.network.place_rows import Schema, map_rows, schema_from_rows

COLOURS = (
    "#4e79a7", "#e15759", "#59a14f", "#f28e2b", "#b07aa1", "#76b7b2",
    "#9c755f", "#d4a017", "#ff6f91", "#17becf", "#393b79", "#8c564b",
)  # fmt: skip
"""Country colours, the country with the most points first (Tableau 10 and two more; they
repeat past twelve countries, the legend and the table still name each one)."""
NO_COUNTRY_COLOUR = "#7b8794"


@dataclass(frozen=True)
class Activity:
    """An activity counted for at least one place, with the year it began (``None``: undated)."""

    iri: str
    label: str
    label_ja: str
    year: int | None


@dataclass(frozen=True)
class Partner:
    """A partner city and the kind of partnership (``sisterCity``, ``friendshipCity``…)."""

    city: str
    kind: str


@dataclass(frozen=True)
class Place:
    """A point of the map."""

    iri: str
    label: str
    label_ja: str
    kind: str
    """Its most specific class's local name, e.g. ``City``."""
    lat: float
    long: float
    country: str | None
    activities: tuple[str, ...]
    """The IRIs of its activities (see the module's docstring), sorted."""
    organisations: int
    partners: tuple[Partner, ...]


@dataclass(frozen=True)
class PlaceMap:
    """Every point of one release, and the activities (of the points, and every located one)
    and countries they refer to."""

    places: tuple[Place, ...]
    activities: Mapping[str, Activity]
    countries: Mapping[str, Term]
    located: frozenset[str] = frozenset()
    """Every activity with a ``kg:location``, at a point or not (for ``elsewhere``)."""

    def kept(self, iri: str, to_year: int | None) -> bool:
        """Whether the activity ``iri`` counts up to ``to_year`` (``None``: every year)."""
        if to_year is None:
            return True
        found = self.activities.get(iri)
        year = found.year if found is not None else None
        return year is not None and year <= to_year

    def count(self, place: Place, to_year: int | None = None) -> int:
        return sum(1 for a in place.activities if self.kept(a, to_year))

    def years(self) -> tuple[int | None, int | None]:
        """The first and last year an activity of a point began (``None``s: none dated)."""
        found = [a.year for a in self.activities.values() if a.year is not None]
        return (min(found), max(found)) if found else (None, None)

    def colours(self) -> dict[str, str]:
        """Country IRI → colour: by number of points (most first), then English label."""
        counts: dict[str, int] = defaultdict(int)
        for place in self.places:
            if place.country is not None:
                counts[place.country] += 1
        order = sorted(counts, key=lambda c: (-counts[c], self._label(c).casefold(), c))
        return {c: COLOURS[i % len(COLOURS)] for i, c in enumerate(order)}

    def elsewhere(self, to_year: int | None = None) -> int:
        """Activities located only in places without a point, up to ``to_year``."""
        pointed = {a for p in self.places for a in p.activities}
        return sum(1 for a in self.located - pointed if self.kept(a, to_year))

    def _label(self, country: str) -> str:
        term = self.countries.get(country)
        return term.label if term is not None else local_name(country)

    def as_json(self, to_year: int | None = None) -> dict[str, Any]:
        """The points as counted up to ``to_year``, with the legend's countries."""
        colours = self.colours()
        first, last = self.years()
        return {
            "to_year": to_year,
            "years": {"first": first, "last": last},
            "elsewhere": self.elsewhere(to_year),
            "countries": [self._country_json(c, colour) for c, colour in colours.items()],
            "places": [self._place_json(p, colours, to_year) for p in self.places],
        }

    def _country_json(self, iri: str, colour: str) -> dict[str, Any]:
        term = self.countries.get(iri)
        return {
            "iri": iri,
            "label": self._label(iri),
            "label_ja": term.label_ja if term is not None else "",
            "colour": colour,
            "places": sum(1 for p in self.places if p.country == iri),
        }

    def _partner_json(self, partner: Partner) -> dict[str, str]:
        known = {p.iri: p.label for p in self.places}
        return {
            "iri": partner.city,
            "label": known.get(partner.city) or local_name(partner.city),
            "kind": partner.kind,
            "kind_label": re.sub(r"(?<!^)([A-Z])", r" \1", partner.kind).lower(),
        }

    def _place_json(
        self, place: Place, colours: Mapping[str, str], to_year: int | None
    ) -> dict[str, Any]:
        kept = [a for a in place.activities if self.kept(a, to_year)]
        return {
            "iri": place.iri,
            "label": place.label,
            "label_ja": place.label_ja,
            "kind": place.kind,
            "lat": place.lat,
            "long": place.long,
            "country": place.country,
            "country_label": self._label(place.country) if place.country else "",
            "colour": colours.get(place.country or "", NO_COUNTRY_COLOUR),
            "count": len(kept),
            "activities": kept,
            "organisations": place.organisations,
            "partners": [self._partner_json(p) for p in place.partners],
        }


def load_places(store: GraphStore) -> PlaceMap:
    """The map of the graph in ``store`` (in this process: the CLI, the tests)."""
    schema = schema_from_rows({name: _rows(store, schema_text(name)) for name in SCHEMA})
    texts = _data_queries(schema)
    return _place_map(schema, {name: _rows(store, text) for name, text in texts.items()})


def _rows(store: GraphStore, text: str) -> list[Row]:
    """A SELECT's rows on ``store``: variable → lexical value of an IRI or a literal."""
    answer = store.query(text)
    if not isinstance(answer, ox.QuerySolutions):
        raise QueryError("the map's queries must be SELECT queries")
    names = [v.value for v in answer.variables]
    return [
        {n: term.value for n in names if isinstance(term := row[n], ox.NamedNode | ox.Literal)}
        for row in answer
    ]


async def gather_places(select: Callable[[str], Awaitable[list[Row]]]) -> PlaceMap:
    """The same map through an asynchronous ``select`` (a server's query workers, a remote
    store): the ontology's hierarchies first, then the graph's queries side by side."""
    names = list(SCHEMA)
    answers = await asyncio.gather(*(select(schema_text(name)) for name in names))
    schema = schema_from_rows(dict(zip(names, answers, strict=True)))
    texts = _data_queries(schema)
    found = await asyncio.gather(*(select(text) for text in texts.values()))
    return _place_map(schema, dict(zip(texts, found, strict=True)))


def _data_queries(schema: Schema) -> dict[str, str]:
    return data_queries(schema.roles, schema.agreements, schema.partnerships)


def _place_map(schema: Schema, rows: Mapping[str, Sequence[Row]]) -> PlaceMap:
    """The map from the rows of the graph's queries, joined (``map_rows``) and shaped."""
    return places_from_rows(map_rows(schema, rows))


def places_from_rows(rows: Mapping[str, Sequence[Row]]) -> PlaceMap:
    """The map from the joined rows (``kggraph.network.place_rows.map_rows``), by name, in any
    row order."""
    activities = _activities([*rows["ties"], *rows["located"]], rows["began"])
    ties = _grouped(rows["ties"], "place", "activity")
    organisations = _grouped(rows["organisations"], "place", "org")
    partners = _partners(rows["partners"])
    places: dict[str, Place] = {}
    for row in sorted(rows["places"], key=lambda r: sorted(r.items())):
        iri = row["place"]
        if iri in places or not _number(row["lat"]) or not _number(row["long"]):
            continue
        label, label_ja = labels_of(row, iri)
        places[iri] = Place(
            iri=iri,
            label=label,
            label_ja=label_ja,
            kind=local_name(row["class"]),
            lat=float(row["lat"]),
            long=float(row["long"]),
            country=row.get("country"),
            activities=tuple(sorted(ties.get(iri, ()))),
            organisations=len(organisations.get(iri, ())),
            partners=tuple(sorted(partners.get(iri, ()), key=lambda p: (p.city, p.kind))),
        )
    countries: dict[str, Term] = {}
    for row in sorted(rows["countries"], key=lambda r: sorted(r.items())):
        countries.setdefault(row["country"], Term(row["country"], *labels_of(row, row["country"])))
    ordered = sorted(places.values(), key=lambda p: (p.label.casefold(), p.iri))
    located = frozenset(r["activity"] for r in rows["located"])
    return PlaceMap(tuple(ordered), activities, countries, located)


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _grouped(rows: Sequence[Row], key: str, value: str) -> dict[str, set[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        if key in row and value in row:
            groups[row[key]].add(row[value])
    return groups


def _activities(ties: Sequence[Row], began: Sequence[Row]) -> dict[str, Activity]:
    years: dict[str, int] = {}
    for row in began:
        value = row.get("value", "")
        if value[:4].isdigit():
            year = int(value[:4])
            years[row["activity"]] = min(year, years.get(row["activity"], year))
    found: dict[str, Activity] = {}
    for row in sorted(ties, key=lambda r: sorted(r.items())):
        iri = row["activity"]
        if iri not in found:
            found[iri] = Activity(iri, *labels_of(row, iri), years.get(iri))
    return dict(sorted(found.items()))


def _partners(rows: Sequence[Row]) -> dict[str, set[Partner]]:
    """Each city's partners, both ways round (the partnership properties are symmetric)."""
    found: dict[str, set[Partner]] = defaultdict(set)
    for row in rows:
        kind = local_name(row["prop"])
        found[row["city"]].add(Partner(row["partner"], kind))
        found[row["partner"]].add(Partner(row["city"], kind))
    return found
