"""The timeline chart's numbers as a table, beside the chart on the timeline page.

A chart is read by looking; the table says the same in words and numbers: for each year, the
agreements and projects that began in each country (one row per year and country, as the
chart stacks its bars) and the year's total, in which an activity in two countries counts
once. Every number is the chart's own (``kggraph.network.timeline.Timeline``).
"""

from __future__ import annotations

from dataclasses import dataclass

from kggraph.core.language import Text
from kggraph.network.timeline import KINDS, Timeline


@dataclass(frozen=True)
class CountryRow:
    """How many activities of each kind began in one country in one year."""

    country: str
    name: Text
    """The country's name in the page's language."""
    other: Text
    """Its name in the other language, shown beside it."""
    counts: tuple[int, ...]
    """One count per kind, in ``KINDS`` order."""


@dataclass(frozen=True)
class YearRows:
    """One year of the chart: a row per country with activities, and the year's totals."""

    year: int
    countries: tuple[CountryRow, ...]
    totals: tuple[int, ...]


def timeline_rows(timeline: Timeline, lang: str) -> tuple[YearRows, ...]:
    """The table of ``timeline`` for a page in ``lang``, years in order, countries in the
    chart's (legend's) order."""
    counts = {(c.year, c.kind, c.country): c.count for c in timeline.cells}
    found = []
    for year in timeline.years:
        rows = []
        for country in timeline.country_order:
            numbers = tuple(counts.get((year, kind, country), 0) for kind in KINDS)
            if any(numbers):
                rows.append(CountryRow(country, *_names(timeline, country, lang), numbers))
        totals = tuple(timeline.total(kind, year) for kind in KINDS)
        found.append(YearRows(year, tuple(rows), totals))
    return tuple(found)


def _names(timeline: Timeline, country: str, lang: str) -> tuple[Text, Text]:
    english = Text(timeline.label(country), "en")
    known = timeline.countries.get(country)
    japanese = Text(known.label_ja if known else "", "ja")
    return (japanese, english) if lang == "ja" else (english, japanese)
