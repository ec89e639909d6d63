"""Fill the Wikidata columns of ``data/place-links.tsv`` from a checkout of the open
countries-states-cities database (github.com/dr5hn/countries-states-cities-database, ODbL), and
record for each row the file, commit and record its item was read from and how it was checked.

No offline package lists Wikidata items, so the items are read from that database's own files
(each record there carries a ``wikiDataId``) and accepted only when independent facts agree:

- a country: the record whose ISO 3166-1 alpha-2 code is the one pycountry gives the country;
- an area, or a city that is an ISO 3166-2 subdivision: the record whose ISO 3166-2 code is the
  one pycountry gives;
- a city: the record of the same name (GeoNames's or ours) in the same country whose coordinates
  lie within ``NEAR_KM`` of the GeoNames coordinates.

An item is refused when another record of the same file carries it too (the database repeats
some items by mistake), and a place with no accepted record keeps no item: an unverifiable link
is left out. Run: ``python -m tools.wikidata_review GIT_DIR`` (a clone or bare mirror; the files
are read at its HEAD), then review the diff of the table and commit it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from kggraph.core.config import load_settings
from kggraph.links.gazetteer import Gazetteer, GazetteerError
from kggraph.links.places import data_places
from kggraph.links.table import COLUMNS, TABLE_FILE, PlaceRow, read_table

REPOSITORY = "dr5hn/countries-states-cities-database"
NEAR_KM = 15.0


class Mirror:
    """Files of the database at one commit of a git directory."""

    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self.commit = self._git("rev-parse", "HEAD").strip()

    def _git(self, *args: str) -> str:
        done = subprocess.run(  # noqa: S603 - fixed git arguments
            ["git", "--git-dir", str(self.git_dir), *args],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise FileNotFoundError(done.stderr.strip())
        return done.stdout

    def text(self, path: str) -> str | None:
        try:
            return self._git("show", f"{self.commit}:{path}")
        except FileNotFoundError:
            return None

    def cite(self, path: str, record: object) -> str:
        return f"{REPOSITORY}@{self.commit}:{path}#id={record}"


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def _csv(mirror: Mirror, path: str) -> list[dict[str, str]]:
    text = mirror.text(path)
    if text is None:
        raise SystemExit(f"{path} is missing at {mirror.commit}")
    return list(csv.DictReader(io.StringIO(text)))


def _unique(rows: list[dict[str, Any]], key: str = "wikiDataId") -> Counter[str]:
    return Counter(str(r.get(key) or "") for r in rows)


def _by_code(rows: list[dict[str, str]], column: str, code: str) -> dict[str, str] | None:
    found = [r for r in rows if r.get(column) == code]
    return found[0] if len(found) == 1 else None


def review(git_dir: Path) -> list[PlaceRow]:
    """The table with its Wikidata columns filled anew."""
    settings = load_settings()
    mirror = Mirror(git_dir)
    countries = _csv(mirror, "csv/countries.csv")
    states = _csv(mirror, "csv/states.csv")
    table = read_table(settings.data_dir / TABLE_FILE)
    places = {p.iri: p for p in data_places(settings)}
    gazetteer = Gazetteer()
    checked = Reviewer(mirror, gazetteer, countries, states)
    return [checked.row(places[iri], row) for iri, row in table.items()]


class Reviewer:
    """Applies the rules of the module docstring to one place at a time."""

    def __init__(
        self,
        mirror: Mirror,
        gazetteer: Gazetteer,
        countries: list[dict[str, str]],
        states: list[dict[str, str]],
    ) -> None:
        self.mirror, self.gazetteer = mirror, gazetteer
        self.countries, self.states = countries, states
        self.cities: dict[str, list[dict[str, Any]] | None] = {}

    def row(self, place: Any, row: PlaceRow) -> PlaceRow:
        found = self._find(place, row)
        item, source, note = found if found else ("", "", self.reason)
        return PlaceRow(row.place, row.geonames, row.iso3166, item, source, note)

    def _find(self, place: Any, row: PlaceRow) -> tuple[str, str, str] | None:
        self.reason = "no record of the database passed the checks"
        country = place.label if place.kind == "country" else place.country
        code = self.gazetteer.country_code(country)
        if place.kind == "country":
            return self._coded(self.countries, "iso2", code, "csv/countries.csv", "ISO 3166-1")
        iso = self._iso(place, row, code)
        if place.kind == "city":
            found = self._city(place, row, code)
            if found or iso is None:
                return found
        if iso is None:
            self.reason = "no ISO 3166-2 code to check a record against"
            return None
        return self._coded(self.states, "iso3166_2", iso, "csv/states.csv", "ISO 3166-2")

    def _iso(self, place: Any, row: PlaceRow, code: str) -> str | None:
        if not row.iso3166:
            return None
        try:
            return self.gazetteer.subdivision(row.iso3166, code, city=place.kind == "city")
        except GazetteerError:
            return None

    def _coded(
        self, rows: list[dict[str, str]], column: str, code: str, path: str, scheme: str
    ) -> tuple[str, str, str] | None:
        record = _by_code(rows, column, code)
        if record is None or not record.get("wikiDataId"):
            self.reason = f"no single record with {scheme} code {code} in {path}"
            return None
        item = record["wikiDataId"]
        if _unique(rows)[item] != 1:
            self.reason = f"{item} is carried by more than one record of {path}"
            return None
        note = f"{scheme} code {code} equal to pycountry's; item unique in the file"
        return item, self.mirror.cite(path, record["id"]), note

    def _city(self, place: Any, row: PlaceRow, code: str) -> tuple[str, str, str] | None:
        path = f"contributions/cities/{code}.json"
        if code not in self.cities:
            text = self.mirror.text(path)
            self.cities[code] = None if text is None else json.loads(text)
        rows = self.cities[code]
        if rows is None:
            self.reason = f"{path} is not in the checkout (its file is too large to be kept)"
            return None
        try:
            entry = self.gazetteer.city(row.geonames or place.label, code)
        except GazetteerError:
            self.reason = "no GeoNames coordinates to check a record against"
            return None
        names = {row.geonames or place.label, place.label}
        assert entry.lat is not None and entry.long is not None  # noqa: S101 - a city's point
        near = [
            r
            for r in rows
            if r.get("name") in names
            and r.get("wikiDataId")
            and _km(float(r["latitude"]), float(r["longitude"]), entry.lat, entry.long) <= NEAR_KM
        ]
        if len(near) != 1:
            within = f"within {NEAR_KM:g} km in {path}"
            self.reason = f"{len(near)} records named {sorted(names)} {within}"
            return None
        item, counts = near[0]["wikiDataId"], _unique(rows)
        if counts[item] != 1:
            self.reason = f"{item} is carried by more than one record of {path}"
            return None
        km = _km(float(near[0]["latitude"]), float(near[0]["longitude"]), entry.lat, entry.long)
        note = f"same name, {km:.1f} km from GeoNames {entry.geonameid}; item unique in the file"
        return item, self.mirror.cite(path, near[0]["id"]), note


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    rows = review(Path(argv[0]))
    path = load_settings().data_dir / TABLE_FILE
    head = [line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("#")]
    out = io.StringIO()
    out.write("\n".join(head) + "\n" if head else "")
    writer = csv.writer(out, delimiter="\t", lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [row.place, row.geonames, row.iso3166, row.wikidata, row.wikidata_source, row.review]
        )
    path.write_text(out.getvalue(), encoding="utf-8")
    print(f"{sum(1 for r in rows if r.wikidata)} of {len(rows)} places have an item")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
