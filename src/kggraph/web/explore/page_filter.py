"""The network page's filter form: the ``/network`` filters as an HTML form sends them.

A form sends every field, the empty ones as ``from_year=``; the API would refuse an empty
year, so the page reads its fields here, an empty field meaning "no filter", and makes the
same ``NetworkFilter``. ``query_of`` gives the filter back as the query string the page's
drawing and download links ask ``/network`` with, so the drawing, the tables and the
downloads are always the one network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

from fastapi import Query

from kggraph.core.errors import InvalidArgument
from kggraph.network.facts import KINDS, Facts, Term
from kggraph.network.filters import NetworkFilter

YES = frozenset({"1", "on", "true", "yes"})


def page_filter(
    from_year: str | None = None,
    to_year: str | None = None,
    country: str | None = None,
    sector: str | None = None,
    kind: Annotated[list[str] | None, Query()] = None,
    include_undated: str | None = None,
) -> NetworkFilter:
    """The filter the page's form asks for (the API's parameters, empty fields ignored)."""
    return NetworkFilter(
        from_year=_year("from_year", from_year),
        to_year=_year("to_year", to_year),
        country=country or None,
        sector=sector or None,
        kinds=tuple(k for k in kind or () if k),
        include_undated=(include_undated or "").lower() in YES,
    )


def _year(name: str, value: str | None) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise InvalidArgument(f"{name} must be a year such as 2012, not {text!r}")
    return int(text)


def query_of(choice: NetworkFilter) -> str:
    """The filter as a query string (``?to_year=2012&kind=project``), ``""`` for none."""
    params: list[tuple[str, str]] = []
    for name in ("from_year", "to_year", "country", "sector"):
        value = getattr(choice, name)
        if value is not None:
            params.append((name, str(value)))
    if set(choice.kinds) != set(KINDS):
        params.extend(("kind", k) for k in choice.kinds)
    if choice.include_undated:
        params.append(("include_undated", "true"))
    return "?" + urlencode(params) if params else ""


@dataclass(frozen=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True)
class FormChoices:
    """What the form offers: the years activities began in, countries and sectors by name."""

    years: tuple[int, ...]
    countries: tuple[Option, ...]
    sectors: tuple[Option, ...]
    kinds: tuple[str, ...] = KINDS

    @classmethod
    def of(cls, facts: Facts) -> FormChoices:
        years = sorted({a.first_year for a in facts.activities if a.first_year is not None})
        return cls(
            years=tuple(range(years[0], years[-1] + 1)) if years else (),
            countries=_options(facts.countries),
            sectors=_options(facts.sectors),
        )


def _options(terms: Mapping[str, Term]) -> tuple[Option, ...]:
    found = [Option(iri, term.label) for iri, term in terms.items()]
    return tuple(sorted(found, key=lambda o: (o.label.casefold(), o.value)))
