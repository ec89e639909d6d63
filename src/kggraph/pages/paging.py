"""Paging a resource page's incoming links: which page of which property a reader asked for.

A resource page lists, for each property that links to the resource, the resources that use it.
A property with more than ``PAGE_SIZE`` of them (a section of the source that 168 resources are
derived from) is shown a page at a time: the first ``PAGE_SIZE``, how many there are in all, and
a link to the next page. The address of a page is the resource's own, with two parameters::

    /id/source/white-paper-2025/s7-2?in=prov:wasDerivedFrom&page=2

``in`` names the property as the page shows it (its prefixed name, ``kg:location``) or by its
full IRI; ``page`` counts from 1 and may be left out (``1``). Every other property of the page
stays at its first page. A parameter that cannot work is refused (``InvalidArgument``, a ``400``
with a message saying why), never rounded to a page that exists: a page past the last, ``0``,
a word, ``page`` without ``in``, or an ``in`` that is not a property linking to the resource.
The RDF forms of a resource are never paged; they ignore both parameters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from kggraph.core.errors import InvalidArgument
from kggraph.core.namespaces import shorten

PAGE_SIZE = 50
"""How many incoming links of one property a page shows."""
PROPERTY = "in"
"""The parameter naming the property to page (prefixed name or full IRI)."""
PAGE = "page"
"""The parameter naming the page, from 1."""
MAX_PAGE_DIGITS = 6
"""Longer page numbers are refused before they are read."""


@dataclass(frozen=True)
class Window:
    """Which of a property's incoming links a page shows: ``count`` in all, page ``page``."""

    count: int
    page: int = 1
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.count // self.size))

    @property
    def offset(self) -> int:
        """How many come before this page (the query's ``OFFSET``)."""
        return (self.page - 1) * self.size

    @property
    def first(self) -> int:
        """The place of the first shown, from 1 (0 when there are none)."""
        return min(self.offset + 1, self.count)

    @property
    def last(self) -> int:
        """The place of the last shown."""
        return min(self.offset + self.size, self.count)

    @property
    def paged(self) -> bool:
        """True if one page cannot show them all."""
        return self.count > self.size

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class Asked:
    """The paging parameters of a request, read but not yet checked against the resource."""

    prop: str | None = None
    page: int = 1


def read_params(params: Mapping[str, str]) -> Asked:
    """``in`` and ``page`` from a page's query parameters; ``InvalidArgument`` if they cannot
    name a page (``page`` that is no whole number from 1, or ``page`` without ``in``)."""
    prop = params.get(PROPERTY)
    raw = params.get(PAGE)
    if prop is not None and not prop.strip():
        raise InvalidArgument(f"{PROPERTY}: name the property whose links to page (kg:location)")
    if raw is None:
        return Asked(prop.strip() if prop else None)
    if prop is None:
        raise InvalidArgument(f"{PAGE}: say which property to page with {PROPERTY}= (kg:location)")
    text = raw.strip()
    if not text.isdecimal() or len(text) > MAX_PAGE_DIGITS or int(text) < 1:
        raise InvalidArgument(f"{PAGE}: a page number is a whole number from 1, not {raw!r}")
    return Asked(prop.strip(), int(text))


def choose(asked: Asked, counts: Mapping[str, int]) -> tuple[str, Window] | None:
    """The property asked for (its IRI) and the page of it, checked against ``counts`` (the
    number of incoming links of each property of the resource); ``None`` if none was asked.
    ``InvalidArgument`` for a property that does not link here or a page past the last."""
    if asked.prop is None:
        return None
    prop = next((p for p in counts if asked.prop in (p, shorten(p))), None)
    if prop is None:
        known = ", ".join(sorted(shorten(p) for p in counts)) or "none"
        raise InvalidArgument(
            f"{PROPERTY}: nothing links to this resource with {asked.prop}; "
            f"the properties that do: {known}"
        )
    window = Window(counts[prop], asked.page)
    if asked.page > window.pages:
        raise InvalidArgument(
            f"{PAGE}: {shorten(prop)} links here {window.count} times, {window.pages} "
            f"page(s) of {PAGE_SIZE}; there is no page {asked.page}"
        )
    return prop, window


def windows(
    counts: Mapping[str, int], chosen: tuple[str, Window] | None = None
) -> dict[str, Window]:
    """A window for every property of ``counts``: the chosen page for the chosen one, the
    first page for every other."""
    found = {prop: Window(n) for prop, n in counts.items()}
    if chosen is not None:
        found[chosen[0]] = chosen[1]
    return found


def params(prop: str, page: int) -> dict[str, str]:
    """The query parameters of page ``page`` of ``prop``'s links (the first page has none)."""
    if page <= 1:
        return {PROPERTY: shorten(prop)}
    return {PROPERTY: shorten(prop), PAGE: str(page)}


def anchor(prop: str) -> str:
    """The HTML id of ``prop``'s group of incoming links (``in-kg-location``), which the links
    between its pages end on."""
    return "in-" + re.sub(r"[^A-Za-z0-9_-]+", "-", shorten(prop)).strip("-")
