"""The parts of a resource page's model (``kggraph.pages.model``): plain frozen values.

A page is a title, names, types, dates, property groups, the statements from outside the source,
incoming links (a page of them per property, ``kggraph.pages.paging``), the government step and
the source sections; values the editors added carry their reason (``kggraph.pages.marks``).
The model holds IRIs, never URLs: the web layer maps them.
"""

from __future__ import annotations

from dataclasses import dataclass

from kggraph.core.language import Text
from kggraph.pages.marks import Added, Reading
from kggraph.pages.paging import Window


@dataclass(frozen=True)
class Link:
    """A node to link to: its IRI and the label to show for it."""

    iri: str
    label: Text
    note: str = ""
    """A short addition after the label, e.g. a section number."""


@dataclass(frozen=True)
class Value:
    """One value of a property: a link to a node, or a literal's text."""

    link: Link | None = None
    text: Text | None = None
    datatype: str = ""
    """The literal's datatype as a prefixed name (``xsd:integer``); ``""`` for strings."""
    added: Added | None = None
    """Set if the editors added this value (the statement is in the editorial graph)."""


@dataclass(frozen=True)
class Group:
    """One property and its values (or, for incoming links, the nodes that use it)."""

    prop: Link
    curie: str
    values: tuple[Value, ...]
    window: Window | None = None
    """For incoming links: how many there are, and which of them ``values`` holds."""


@dataclass(frozen=True)
class DateRow:
    """One date: the ISO value and the era wording; ``era_from_source`` if the source gave it."""

    prop: Link
    iso: str
    era: str | None
    era_from_source: bool
    fiscal_year: Link | None = None
    edtf: Reading | None = None
    """How the editors read the date (EDTF, e.g. ``1975~``), when they did."""
    added: Added | None = None
    """Set if the ISO value or its EDTF reading is in the editorial graph."""


@dataclass(frozen=True)
class Explained:
    """On the page of a statement node: the triple it explains and why it was added."""

    subject: Link
    prop: Link
    value: Value
    added: Added


@dataclass(frozen=True)
class Section:
    """A section of the source a resource is derived from, with the sections above it."""

    link: Link
    number: str
    parents: tuple[Link, ...]


@dataclass(frozen=True)
class Via:
    """What points to a node that acts for this one (a city's government), by property."""

    through: Link
    groups: tuple[Group, ...]


@dataclass(frozen=True)
class Point:
    """Where a place is, in WGS 84 decimal degrees as the links graph states them."""

    lat: str
    long: str
    wkt: str = ""
    """The same point as GeoSPARQL's WKT (longitude first), when the graph gives it."""


@dataclass(frozen=True)
class Outside:
    """The statements of the links graph about a resource (``kggraph.pages.outside``)."""

    graph: str
    groups: tuple[Group, ...]
    """The statements, by property; external IRIs as links named by their dataset."""
    point: Point | None
    sources: tuple[Link, ...]
    """The datasets the links graph was taken from."""


@dataclass(frozen=True)
class ResourcePage:
    iri: str
    lang: str
    title: Text
    names: tuple[Text, ...]
    """Every label and alternative label other than the title."""
    types: tuple[Value, ...]
    comments: tuple[Text, ...]
    dates: tuple[DateRow, ...]
    properties: tuple[Group, ...]
    incoming: tuple[Group, ...]
    via: tuple[Via, ...]
    sections: tuple[Section, ...]
    triples: int
    """How many triples the page was made from."""
    explains: Explained | None = None
    """Set on the page of a ``kg:EditorialStatement``."""
    outside: Outside | None = None
    """What the links graph says about the resource, when it says anything."""
