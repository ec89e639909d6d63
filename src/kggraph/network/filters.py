"""Which activities the organisation network keeps: ``NetworkFilter``, the one filter of the
network builder (``kggraph.network.graph``), ``kggraph network`` and the ``/network`` API.

All its parts are combined with AND:

- period (``from_year``, ``to_year``, inclusive): an activity is kept if its years overlap the
  period; an open-ended one ("since 2004") runs to the present. Undated activities cannot be
  placed in a period, so a period filter drops them unless ``include_undated`` is set; without
  a period filter they are always kept.
- country: the activity takes place in that country (its ``kg:location``, up the place
  hierarchy); an activity with no location at all (agreements, memberships, most programmes)
  counts as being in the countries its agents are based in. The agents of a kept activity stay
  nodes wherever they are based (Kitakyushu stays in the network of Vietnam).
- sector: the activity carries the sector concept, or a narrower one (``skos:broader``).
  Memberships and activities without a sector are dropped by a sector filter.
- kinds: which kinds of activity make edges (all four when none is named).

A filter is made from what a person typed: a country or sector by IRI, slug or label (a blank
one is no filter, as a form's empty field says). Making it checks what can be checked without
the graph (the period, the kinds); ``resolved`` checks the names against the graph's facts and
gives the same filter with IRIs. Every mistake is ``InvalidArgument`` naming the value: exit 2
in the CLI, ``400`` over HTTP.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from kggraph.core.errors import InvalidArgument, NotFound
from kggraph.network.facts import KINDS, Facts, Term
from kggraph.network.names import resolve

__all__ = ["KINDS", "NetworkFilter"]


@dataclass(frozen=True)
class NetworkFilter:
    """Which activities make edges. ``country`` and ``sector`` are as typed until
    ``resolved``, then IRIs; ``kinds`` keeps the order given, without repeats."""

    from_year: int | None = None
    to_year: int | None = None
    country: str | None = None
    sector: str | None = None
    kinds: tuple[str, ...] = KINDS
    include_undated: bool = False

    def __post_init__(self) -> None:
        if self.from_year is not None and self.to_year is not None:
            if self.from_year > self.to_year:
                raise InvalidArgument(
                    f"the period is empty: from {self.from_year} is after to {self.to_year}"
                )
        kinds = tuple(dict.fromkeys(self.kinds)) or KINDS
        unknown = sorted(set(kinds) - set(KINDS))
        if unknown:
            raise InvalidArgument(
                f"unknown kind(s) {', '.join(unknown)}; choose from {', '.join(KINDS)}"
            )
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "country", _given(self.country))
        object.__setattr__(self, "sector", _given(self.sector))

    @property
    def has_period(self) -> bool:
        return self.from_year is not None or self.to_year is not None

    def resolved(self, facts: Facts) -> NetworkFilter:
        """The same filter with the country and sector as IRIs of ``facts`` (an IRI stays as it
        is); a name that fits none, or more than one, is ``InvalidArgument``."""
        return replace(
            self,
            country=_term(facts.countries, self.country, "country"),
            sector=_term(facts.sectors, self.sector, "sector"),
        )


def _given(name: str | None) -> str | None:
    """The name, or ``None`` for none or a blank one."""
    return name.strip() if name is not None and name.strip() else None


def _term(terms: Mapping[str, Term], name: str | None, what: str) -> str | None:
    """The IRI ``name`` stands for. An unknown name is the caller's mistake about a filter
    (``400``), not a missing resource as an unknown agent is (``404``)."""
    if name is None:
        return None
    try:
        return resolve(name, {iri: (t.label, t.label_ja) for iri, t in terms.items()}, what)
    except NotFound as err:
        raise InvalidArgument(err.message) from None
