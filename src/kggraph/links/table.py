"""The reviewed table ``data/place-links.tsv``: per place, how to find it in GeoNames and
ISO 3166, and its Wikidata item with the file that item was taken from.

Columns (tab-separated, a header line, ``#`` lines are comments):

- ``place``: the place's IRI (``https://w3id.org/kggraph/id/...``);
- ``geonames``: the GeoNames name to look up in the place's country, when it is not the place's
  English label; ``-`` for no GeoNames link (an area the package does not list);
- ``iso3166``: the ISO 3166-2 subdivision name (as pycountry spells it, accents ignored) for an
  area or a city that is a subdivision itself; empty for none; countries are looked up by label;
- ``wikidata``: the Wikidata item (``Q…``), or empty;
- ``wikidata_source``: where that item was read (repository@commit:path#record), required
  with ``wikidata``;
- ``review``: how the row was checked.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from kggraph.core.errors import SourceError
from kggraph.core.namespaces import ID_IRI

TABLE_FILE = "place-links.tsv"
"""The table's name in ``data/``."""

COLUMNS = ("place", "geonames", "iso3166", "wikidata", "wikidata_source", "review")
NO_LINK = "-"
_QID = re.compile(r"Q[1-9]\d*")


@dataclass(frozen=True)
class PlaceRow:
    """One reviewed row of the table."""

    place: str
    geonames: str
    iso3166: str
    wikidata: str
    wikidata_source: str
    review: str

    @property
    def wants_geonames(self) -> bool:
        return self.geonames != NO_LINK


def read_table(path: Path) -> dict[str, PlaceRow]:
    """The rows by place IRI; a malformed row is a ``SourceError`` naming its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise SourceError(f"cannot read the table: {err.strerror}", location=str(path)) from None
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
    lines = [(n, line) for n, line in lines if not line.startswith("#")]
    if not lines or tuple(lines[0][1].split("\t")) != COLUMNS:
        raise SourceError(f"the header must be: {' '.join(COLUMNS)}", location=f"{path}:1")
    rows: dict[str, PlaceRow] = {}
    for number, cells in zip(
        (n for n, _ in lines[1:]),
        csv.reader((line for _, line in lines[1:]), delimiter="\t"),
        strict=True,
    ):
        row = _row(cells, f"{path}:{number}")
        if row.place in rows:
            raise SourceError(f"{row.place} has two rows", location=f"{path}:{number}")
        rows[row.place] = row
    return rows


def _row(cells: list[str], where: str) -> PlaceRow:
    if len(cells) != len(COLUMNS):
        raise SourceError(f"expected {len(COLUMNS)} columns, found {len(cells)}", location=where)
    row = PlaceRow(*(cell.strip() for cell in cells))
    if not row.place.startswith(ID_IRI):
        raise SourceError(f"not a kggraph IRI: {row.place}", location=where)
    if row.wikidata and not _QID.fullmatch(row.wikidata):
        raise SourceError(f"not a Wikidata item: {row.wikidata!r}", location=where)
    if bool(row.wikidata) != bool(row.wikidata_source):
        raise SourceError("a Wikidata item needs its source, and a source its item", location=where)
    return row
