"""Agreements and projects per year and country: the timeline of the city's cooperation.

Read from the graph with two SELECTs (``QUERIES``), which a server sends to its query workers
and a script runs on a store; ``timeline_from_rows`` turns their rows into a ``Timeline``.

- **Activities**: every ``kg:Agreement`` and ``kg:Project`` (and their sub-classes, so a
  water-business contract is a project).
- **Year**: the year it began: the earliest of ``kg:date``, ``kg:startDate`` and the start of
  its (starting) fiscal year, a fiscal year counting as the calendar year it starts in. An
  activity without any of them is *undated*: counted apart, not placed on the time axis.
- **Country**: where it takes place (``kg:location`` up ``kg:containedInPlace`` to a
  ``kg:Country``); for one with no location (agreements, mostly), where its parties and other
  agents are based, a unit without a place taking its parent organisations'; failing both,
  ``NO_COUNTRY``. The same rule as the network's country filter. Japan, the home
  of every agreement's Kitakyushu party, counts only when no other country is left: otherwise
  every agreement would be "in Japan" and the chart would say nothing. An activity in two
  countries counts once in each, so a year's bar can be taller than its number of activities;
  ``Timeline.total`` gives the distinct number.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kggraph.core.namespaces import ID_IRI, sparql_prologue
from kggraph.network.facts import labels_of

KINDS = ("agreement", "project")
HOME_COUNTRY = ID_IRI + "country/japan"
"""Kitakyushu's own country: left out of an activity's countries when others remain."""
NO_COUNTRY = ""
"""Where an activity counts when neither its places nor its agents are in a country: the
experts sent to "Asia and Latin America" since 1975 (``null`` in JSON)."""
NO_COUNTRY_LABELS = ("No single country", "国の特定なし")

_ACTIVITIES = """
SELECT DISTINCT ?activity ?kind ?label ?labelJa ?value WHERE {
  VALUES (?base ?kind) { (kg:Agreement "agreement") (kg:Project "project") }
  ?activity a/rdfs:subClassOf* ?base .
  OPTIONAL { ?activity rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?activity rdfs:label ?labelJa . FILTER(LANG(?labelJa) = "ja") }
  OPTIONAL {
    { VALUES ?prop { kg:date kg:startDate } ?activity ?prop ?value }
    UNION
    { VALUES ?prop { kg:fiscalYear kg:startFiscalYear }
      ?activity ?prop ?fiscalYear . ?fiscalYear kg:startDate ?value }
  }
}"""

_COUNTRY_LABELS = """
  OPTIONAL { ?country rdfs:label ?label . FILTER(LANG(?label) = "en") }
  OPTIONAL { ?country rdfs:label ?labelJa . FILTER(LANG(?labelJa) = "ja") }"""

_PLACES = (
    """
SELECT DISTINCT ?activity ?country ?label ?labelJa WHERE {
  VALUES ?base { kg:Agreement kg:Project }
  ?activity a/rdfs:subClassOf* ?base ; kg:location ?place .
  OPTIONAL { ?place kg:containedInPlace* ?country . ?country a kg:Country ."""
    + _COUNTRY_LABELS
    + """ }
}"""
)

_AGENT_PLACES = (
    """
SELECT DISTINCT ?activity ?country ?label ?labelJa WHERE {
  VALUES ?base { kg:Agreement kg:Project }
  ?activity a/rdfs:subClassOf* ?base .
  FILTER NOT EXISTS { ?activity kg:location ?place }
  VALUES ?roleBase { kg:party kg:participant kg:funder kg:organizer }
  ?role rdfs:subPropertyOf* ?roleBase .
  ?activity ?role ?agent .
  ?agent kg:unitOf* ?based .
  ?based kg:basedIn|kg:governmentOf ?where .
  FILTER(?based = ?agent || NOT EXISTS { ?agent kg:basedIn|kg:governmentOf ?own })
  ?where kg:containedInPlace* ?country . ?country a kg:Country ."""
    + _COUNTRY_LABELS
    + """
}"""
)

QUERIES: Mapping[str, str] = {
    "activities": _ACTIVITIES,
    "places": _PLACES,
    "agent_places": _AGENT_PLACES,
}
"""The SELECTs the timeline is read from, by name (see ``query_text``)."""

CSV_COLUMNS = ("year", "kind", "country", "country_label", "count", "activities")

_YEAR = re.compile(r"^(\d{4})")

Row = dict[str, str]


@dataclass(frozen=True)
class Country:
    iri: str
    label: str
    label_ja: str


@dataclass(frozen=True)
class Dated:
    """One agreement or project: when it began and where."""

    iri: str
    kind: str
    label: str
    label_ja: str
    year: int | None
    countries: tuple[str, ...]


@dataclass(frozen=True)
class Cell:
    """The activities of one kind that began in one year in one country."""

    year: int
    kind: str
    country: str
    activities: tuple[Dated, ...]

    @property
    def count(self) -> int:
        return len(self.activities)


@dataclass(frozen=True)
class Timeline:
    """Every agreement and project with its year and countries, and the counts drawn from it."""

    activities: tuple[Dated, ...]
    countries: Mapping[str, Country]

    @cached_property
    def cells(self) -> tuple[Cell, ...]:
        """One cell per year, kind and country with at least one activity, in that order."""
        grouped: dict[tuple[int, str, str], list[Dated]] = defaultdict(list)
        for activity in self.activities:
            if activity.year is not None:
                for country in activity.countries:
                    grouped[(activity.year, activity.kind, country)].append(activity)
        return tuple(
            Cell(year, kind, country, tuple(found))
            for (year, kind, country), found in sorted(grouped.items(), key=_cell_order)
        )

    @cached_property
    def years(self) -> tuple[int, ...]:
        """The years in which at least one activity began."""
        return tuple(sorted({a.year for a in self.activities if a.year is not None}))

    @cached_property
    def country_order(self) -> tuple[str, ...]:
        """Countries with at least one dated activity, most activities first (then by label),
        ``NO_COUNTRY`` last."""
        totals: dict[str, int] = defaultdict(int)
        for cell in self.cells:
            totals[cell.country] += cell.count
        return tuple(sorted(totals, key=lambda c: (c == NO_COUNTRY, -totals[c], self.label(c))))

    def total(self, kind: str, year: int) -> int:
        """How many activities of ``kind`` began in ``year`` (each counted once)."""
        return sum(a.kind == kind and a.year == year for a in self.activities)

    def undated(self, kind: str) -> int:
        return sum(a.kind == kind and a.year is None for a in self.activities)

    def label(self, country: str) -> str:
        found = self.countries.get(country)
        return found.label if found else country

    def as_json(self) -> dict[str, Any]:
        """The numbers for the API: countries, per-cell counts, totals and undated counts."""
        return {
            "kinds": list(KINDS),
            "years": list(self.years),
            "countries": [
                {"iri": c or None, "label": self.label(c), "label_ja": self.countries[c].label_ja}
                for c in self.country_order
            ],
            "counts": [
                {
                    "year": cell.year,
                    "kind": cell.kind,
                    "country": cell.country or None,
                    "count": cell.count,
                    "activities": [a.iri for a in cell.activities],
                }
                for cell in self.cells
            ],
            "totals": [
                {"year": year, "kind": kind, "count": self.total(kind, year)}
                for year in self.years
                for kind in KINDS
                if self.total(kind, year)
            ],
            "undated": {kind: self.undated(kind) for kind in KINDS},
        }

    def as_csv(self) -> bytes:
        """One row per cell (year, kind, country): a tidy table for a spreadsheet."""
        out = io.StringIO(newline="")
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for cell in self.cells:
            evidence = " ".join(a.iri for a in cell.activities)
            label = self.label(cell.country)
            writer.writerow((cell.year, cell.kind, cell.country, label, cell.count, evidence))
        return out.getvalue().encode("utf-8")


def query_text(name: str) -> str:
    """The full text of the query ``name`` of ``QUERIES``, with the project prefixes."""
    return sparql_prologue() + QUERIES[name]


def timeline_from_rows(rows: Mapping[str, Sequence[Row]]) -> Timeline:
    """The timeline from the rows of each query of ``QUERIES`` (by name), in any row order."""
    countries = {NO_COUNTRY: Country(NO_COUNTRY, *NO_COUNTRY_LABELS)}
    located = {r["activity"] for r in rows["places"]}
    placed = _countries(rows["places"], countries)
    agent_placed = _countries(rows["agent_places"], countries)
    info: dict[str, Row] = {}
    years: dict[str, set[int]] = defaultdict(set)
    for row in sorted(rows["activities"], key=lambda r: sorted(r.items())):
        info.setdefault(row["activity"], row)
        if (match := _YEAR.match(row.get("value", ""))) is not None:
            years[row["activity"]].add(int(match.group(1)))
    activities = tuple(
        Dated(
            iri,
            row["kind"],
            *labels_of(row, iri),
            year=min(years[iri]) if years[iri] else None,
            countries=_abroad(placed[iri] if iri in located else agent_placed[iri]),
        )
        for iri, row in sorted(info.items())
    )
    return Timeline(activities, countries)


def _countries(rows: Sequence[Row], countries: dict[str, Country]) -> dict[str, set[str]]:
    """Activity → its countries; each country's labels are added to ``countries``."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in sorted(rows, key=lambda r: sorted(r.items())):
        if "country" in row:
            iri = row["country"]
            found[row["activity"]].add(iri)
            countries.setdefault(iri, Country(iri, *labels_of(row, iri)))
    return found


def _abroad(countries: set[str]) -> tuple[str, ...]:
    """The countries, without Japan unless it is the only one (see the module docstring)."""
    others = countries - {HOME_COUNTRY}
    return tuple(sorted(others or countries or {NO_COUNTRY}))


def _cell_order(item: tuple[tuple[int, str, str], list[Dated]]) -> tuple[int, int, str]:
    (year, kind, country), _ = item
    return (year, KINDS.index(kind), country)
