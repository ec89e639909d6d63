"""Japanese date expressions, era or Gregorian, as ISO values.

"平成26年4月" is ``EraDate(2014, 4, None)``, i.e. ``"2014-04"^^xsd:gYearMonth``; "平成28年度" is
``FiscalYear(2016)``, April 1 2016 to March 31 2017. Digits may be full-width and spaces
may sit anywhere; a trailing qualifier the source adds (``QUALIFIERS``: 半ば, 頃, 現在, から,
…) is accepted and ignored for the value. A year without an era must have four Arabic digits.
Anything that names no real year, month or day raises ``EraDateError``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from kggraph.core.errors import EraDateError

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
QUALIFIERS = ("半ば", "頃", "現在", "から", "まで", "以降", "より", "末", "初め")
"""Trailing words allowed after a date; they stay in the text and do not change the value."""


@dataclass(frozen=True)
class Era:
    """A Japanese era: its first day and, unless it is current, its last day."""

    name: str
    start: dt.date
    end: dt.date | None = None

    @property
    def last_year(self) -> int | None:
        """The highest era year that exists (昭和 → 64), or None for the current era."""
        return None if self.end is None else self.end.year - self.start.year + 1


ERAS = {
    era.name: era
    for era in (
        Era("大正", dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
        Era("昭和", dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
        Era("平成", dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
        Era("令和", dt.date(2019, 5, 1)),
    )
}
"""The eras kggraph reads, by name; Gregorian dates (Japan's calendar since 1873) throughout."""

_PATTERN = re.compile(
    r"(?P<era>[^0-9]*?)(?P<year>元|[-−]?[0-9]+)年"
    r"(?:(?P<fiscal>度)|(?P<month>[0-9]+)月(?:(?P<day>[0-9]+)日)?)?"
    rf"(?:{'|'.join(QUALIFIERS)})*"
)
_MAX_YEAR = dt.MAXYEAR - 1
"""The last year whose fiscal year still ends inside ``datetime``'s range."""


@dataclass(frozen=True)
class EraDate:
    """A calendar year, month or day, at the precision the text gives."""

    year: int
    month: int | None
    day: int | None
    text: str

    def __post_init__(self) -> None:
        if self.day is not None and self.month is None:
            raise EraDateError(f"a day needs a month: {self.text!r}")

    @property
    def iso(self) -> str:
        """The ISO 8601 value: "2014", "2014-04" or "2014-04-01"."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @property
    def xsd(self) -> str:
        """The XSD type name for the precision: "gYear", "gYearMonth" or "date"."""
        if self.month is None:
            return "gYear"
        return "gYearMonth" if self.day is None else "date"

    @property
    def datatype(self) -> str:
        """The full XSD datatype IRI for ``xsd``."""
        return XSD_NS + self.xsd


@dataclass(frozen=True)
class FiscalYear:
    """A Japanese fiscal year (年度), April 1 of ``year`` to March 31 of the next."""

    year: int
    text: str

    @property
    def start(self) -> dt.date:
        """April 1 of the year it starts in."""
        return dt.date(self.year, 4, 1)

    @property
    def end(self) -> dt.date:
        """March 31 of the following year."""
        return dt.date(self.year + 1, 3, 31)

    @property
    def label_en(self) -> str:
        """English label, e.g. "FY2016"."""
        return f"FY{self.year}"

    @property
    def label_ja(self) -> str:
        """Japanese label, e.g. "2016年度"."""
        return f"{self.year}年度"


@dataclass(frozen=True)
class _Parts:
    era: Era | None
    year: int
    month: int | None
    day: int | None
    fiscal: bool


def _normalise(text: str) -> str:
    """NFKC (full-width digits and spaces become ASCII), then every whitespace removed."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _era(name: str, text: str) -> Era:
    if name not in ERAS:
        known = ", ".join(ERAS)
        raise EraDateError(f"unknown era {name!r} in {text!r} (known: {known})")
    return ERAS[name]


def _split(text: str) -> _Parts:
    """The era, year, month, day and 年度 flag of ``text``, not yet checked against a calendar."""
    found = _PATTERN.fullmatch(_normalise(text))
    if found is None:
        raise EraDateError(
            f"cannot read {text!r} as a date: expected e.g. 平成26年4月1日, 令和元年度 or 2050年度"
        )
    era_name, year, month, day = found.group("era", "year", "month", "day")
    era = _era(era_name, text) if era_name else None
    if year == "元" and era is None:
        raise EraDateError(f"元年 needs an era name before it: {text!r}")
    number = 1 if year == "元" else int(year.replace("−", "-"))
    return _Parts(era, number, _int(month), _int(day), found.group("fiscal") is not None)


def _int(digits: str | None) -> int | None:
    return None if digits is None else int(digits)


def _era_year(era: Era, year: int, text: str) -> int:
    """The Gregorian year of ``era`` year ``year``; the era's last year is allowed."""
    if year < 1:
        raise EraDateError(f"year {year} in {text!r} must be 1 or more (1 is 元年)")
    last = era.last_year
    if last is not None and year > last:
        raise EraDateError(
            f"{era.name}{year}年 in {text!r} is past the end of {era.name}: "
            f"its last year is {era.name}{last}年 ({era.start.year + last - 1})"
        )
    gregorian = era.start.year + year - 1
    if gregorian > _MAX_YEAR:
        raise EraDateError(f"year {gregorian} in {text!r} is beyond {_MAX_YEAR}")
    return gregorian


def _year(parts: _Parts, text: str) -> int:
    """The Gregorian year of the text; a year without an era must be written in four digits."""
    if parts.era is not None:
        return _era_year(parts.era, parts.year, text)
    if parts.year < 1:
        raise EraDateError(f"year {parts.year} in {text!r} must be 1 or more")
    if not 1000 <= parts.year <= _MAX_YEAR:
        raise EraDateError(
            f"year {parts.year} in {text!r} has no era, so it must be a four-digit Gregorian year"
            f" up to {_MAX_YEAR}"
        )
    return parts.year


def _check_month_day(year: int, month: int | None, day: int | None, text: str) -> None:
    if month is not None and not 1 <= month <= 12:
        raise EraDateError(f"month {month} in {text!r} is not between 1 and 12")
    if month is not None and day is not None:
        length = calendar.monthrange(year, month)[1]
        if not 1 <= day <= length:
            raise EraDateError(
                f"day {day} in {text!r} does not exist: {year}-{month:02d} has {length} days"
            )


def _check_within_era(era: Era, found: EraDate) -> None:
    """A month or day must overlap the era's span (昭和64年2月 does not: Showa ended Jan 7)."""
    if found.month is None:
        return
    first = dt.date(found.year, found.month, found.day or 1)
    length = calendar.monthrange(found.year, found.month)[1]
    last = dt.date(found.year, found.month, found.day or length)
    if last < era.start or (era.end is not None and first > era.end):
        start = era.start.isoformat()
        span = f"runs from {start} to {era.end.isoformat()}" if era.end else f"began on {start}"
        raise EraDateError(f"{found.text!r} ({found.iso}) is outside {era.name}, which {span}")


def parse_date(text: str) -> EraDate:
    """A year, year-month or full date ("平成26年4月", "令和7年3月現在", "2025年3月")."""
    parts = _split(text)
    if parts.fiscal:
        raise EraDateError(f"{text!r} is a fiscal year (年度), not a date: use parse_fiscal_year")
    year = _year(parts, text)
    _check_month_day(year, parts.month, parts.day, text)
    found = EraDate(year, parts.month, parts.day, text)
    if parts.era is not None:
        _check_within_era(parts.era, found)
    return found


def parse_fiscal_year(text: str) -> FiscalYear:
    """A fiscal year ("平成28年度" → FY2016, "平成31年度" → FY2019, "2050年度")."""
    parts = _split(text)
    if not parts.fiscal:
        raise EraDateError(f"{text!r} is not a fiscal year: it has no 年度")
    return FiscalYear(_year(parts, text), text)


def parse(text: str) -> EraDate | FiscalYear:
    """A fiscal year if the text says 年度, otherwise a date."""
    if _split(text).fiscal:
        return parse_fiscal_year(text)
    return parse_date(text)


def fiscal_year(year: int) -> FiscalYear:
    """The fiscal year starting April 1 of Gregorian ``year``, labelled "{year}年度"."""
    if not 1 <= year <= _MAX_YEAR:
        raise EraDateError(f"fiscal year {year} must be between 1 and {_MAX_YEAR}")
    return FiscalYear(year, f"{year}年度")


def era_year_to_gregorian(era: str, year: int) -> int:
    """The Gregorian year of an era year (平成, 1 → 1989); the era's last year is allowed."""
    text = f"{era}{year}年"
    return _era_year(_era(era, text), year, text)
