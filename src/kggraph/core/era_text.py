"""ISO dates written the Japanese way (平成26年4月), for dates the source did not word itself.

Every date in ``data/`` keeps the source's own wording beside its ISO value (``kg:dateText``),
and pages show that. Dates the build derives (the April 1 and March 31 bounds of a fiscal
year) have no wording; pages write them in the era form with this module, the reverse of
``kggraph.core.eras``, so every date a reader sees appears both ways.
"""

from __future__ import annotations

import datetime as dt
import re

from kggraph.core.eras import ERAS, Era

_ISO = re.compile(r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2}))?)?")


def era_of(day: dt.date) -> Era | None:
    """The era in force on ``day``; ``None`` before the first era kggraph reads."""
    for era in ERAS.values():
        if era.start <= day and (era.end is None or day <= era.end):
            return era
    return None


def _year_text(era: Era, year: int) -> str:
    number = year - era.start.year + 1
    return f"{era.name}{'元' if number == 1 else number}年"


def era_text(iso: str) -> str | None:
    """``平成26年4月`` for ``2014-04``; ``None`` for a value that is no ISO date of an era.

    A year alone is written in the era in force at its end (2019 is 令和元年), a month in the
    era of its first day (2019-04 is 平成31年4月, 2019-05 is 令和元年5月).
    """
    found = _ISO.fullmatch(iso.strip())
    if found is None:
        return None
    year = int(found.group("year"))
    month, day = (int(v) if v else None for v in found.group("month", "day"))
    try:
        when = dt.date(year, month or 12, day or (1 if month else 31))
    except ValueError:
        return None
    era = era_of(when)
    if era is None:
        return None
    text = _year_text(era, year)
    if month is not None:
        text += f"{month}月"
    if day is not None:
        text += f"{day}日"
    return text


def fiscal_year_text(year: int) -> str | None:
    """``平成28年度`` for the fiscal year that starts on April 1, 2016."""
    try:
        era = era_of(dt.date(year, 4, 1))
    except ValueError:
        return None
    return None if era is None else _year_text(era, year) + "度"
