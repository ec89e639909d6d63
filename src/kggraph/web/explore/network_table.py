"""The network page's text alternative: its agents and ties as two sortable tables.

A drawing on a canvas says nothing to a screen reader, so the page also lists what it draws.
The rows are read from the same Cytoscape JSON the drawing is made from (``/network`` for the
same filter), so the tables hold exactly the drawing's agents and ties, with the numbers it
shows: partners (degree), shared activities (strength), betweenness and community of each
agent, and the evidence behind each tie. Tables are sorted on the server (``?sort=``), so a
column's button works without JavaScript; the page's script sorts the same way in place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kggraph.core.errors import InvalidArgument

Json = Mapping[str, Any]
SortKey = Callable[["Row"], tuple[Any, ...]]


@dataclass(frozen=True)
class Column:
    """A column of a table: its key (in ``?sort=``), heading, and whether it holds numbers."""

    key: str
    heading: str
    numeric: bool = False


@dataclass(frozen=True)
class Row:
    """One agent or tie: ``cells`` by column key, each a value to show and to sort by."""

    id: str
    cells: Mapping[str, Any]


@dataclass(frozen=True)
class Table:
    """A sorted table: which column, which way, and whether the rows are agents or ties."""

    name: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    sort: str
    descending: bool

    def aria_sort(self, column: Column) -> str:
        if column.key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    def next_sort(self, column: Column) -> str:
        """The ``?sort=`` value a click on ``column``'s button asks for: the other way round
        for the sorted column, else numbers biggest first and words from A."""
        if column.key == self.sort:
            descending = not self.descending
        else:
            descending = column.numeric
        return ("-" if descending else "") + column.key


AGENT_COLUMNS = (
    Column("agent", "Agent"),
    Column("kind", "Kind"),
    Column("country", "Country"),
    Column("degree", "Partners (degree)", numeric=True),
    Column("strength", "Shared activities", numeric=True),
    Column("betweenness", "Betweenness", numeric=True),
    Column("community", "Community", numeric=True),
)
TIE_COLUMNS = (
    Column("source", "Agent"),
    Column("target", "Partner"),
    Column("kind", "Kind of tie"),
    Column("count", "Evidence (activities)", numeric=True),
    Column("years", "Years", numeric=True),
)
DEFAULT_SORT = {"agents": "-degree", "ties": "-count"}


def agents_table(document: Json, sort: str | None) -> Table:
    """The drawing's agents (``document``'s nodes), sorted by ``sort``."""
    rows = tuple(_agent_row(node["data"]) for node in document["elements"]["nodes"])
    return _sorted("agents", AGENT_COLUMNS, rows, sort)


def ties_table(document: Json, sort: str | None) -> Table:
    """The drawing's ties (``document``'s edges), each with its two agents' names."""
    names = {n["data"]["id"]: n["data"] for n in document["elements"]["nodes"]}
    rows = tuple(_tie_row(edge["data"], names) for edge in document["elements"]["edges"])
    return _sorted("ties", TIE_COLUMNS, rows, sort)


def _agent_row(data: Json) -> Row:
    return Row(
        data["id"],
        {
            "agent": data.get("label", data["id"]),
            "label_ja": data.get("label_ja", ""),
            "kind": data.get("kind", ""),
            "country": data.get("country_labels", ""),
            "degree": data["degree"],
            "strength": data["strength"],
            "betweenness": data["betweenness"],
            "community": data["community"],
        },
    )


def _tie_row(data: Json, agents: Mapping[str, Json]) -> Row:
    first, last = data.get("first_year"), data.get("last_year")
    years = "" if first is None else str(first) if last in (None, first) else f"{first}–{last}"
    return Row(
        data["id"],
        {
            "source": agents[data["source"]].get("label", data["source"]),
            "source_iri": data["source"],
            "target": agents[data["target"]].get("label", data["target"]),
            "target_iri": data["target"],
            "kind": data["kind"],
            "count": data["count"],
            "years": years,
            "first_year": first,
            "evidence": data.get("evidence_labels", ""),
        },
    )


def _sorted(name: str, columns: Sequence[Column], rows: Sequence[Row], sort: str | None) -> Table:
    """``rows`` by ``sort`` (a column key, ``-`` first for biggest first); ties between rows
    keep the order of the ids, so the same request always gives the same table."""
    asked = sort or DEFAULT_SORT[name]
    key = asked.removeprefix("-")
    found = next((c for c in columns if c.key == key), None)
    if found is None:
        known = ", ".join(c.key for c in columns)
        raise InvalidArgument(f"cannot sort the {name} by {key!r}; by one of: {known}")
    descending = asked.startswith("-")
    by_id = sorted(rows, key=lambda r: r.id)
    ordered = sorted(by_id, key=lambda r: _sort_value(r, found), reverse=descending)
    return Table(name, tuple(columns), tuple(ordered), key, descending)


def _sort_value(row: Row, column: Column) -> tuple[Any, ...]:
    """Numbers as numbers (a tie's years by its first year, undated before every year),
    words ignoring case."""
    if column.key == "years":
        first = row.cells["first_year"]
        return (first is not None, first or 0)
    value = row.cells[column.key]
    if column.numeric:
        return (value,)
    return (str(value).casefold(), str(value))
