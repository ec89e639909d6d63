"""Reading the transfer headers of a download: ``Range`` (RFC 9110 §14) and ``Accept-Encoding``.

Starlette's ``FileResponse`` serves byte ranges (``206``, several ranges as multipart), but it
answers ``400`` to a ``Range`` it cannot read and ``416`` as soon as one of several ranges is
out of the file. RFC 9110 asks otherwise: an invalid ``Range`` is ignored (the whole file,
``200``), and ``416`` is for a request none of whose ranges can be served. ``read_ranges``
sorts a header into those three cases, and gives the satisfiable ranges back in a form
``FileResponse`` reads the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_DIGITS = re.compile(r"[0-9]+")
"""RFC 9110's ``1*DIGIT``: ASCII digits only. ``str.isdigit`` also takes superscripts and other
scripts' digits, some of which ``int`` then refuses (a ``500`` for ``bytes=²-``) and some of
which it reads (full-width ``１``); both are invalid here, so the header is ignored."""


@dataclass(frozen=True)
class Ranges:
    """What a ``Range`` header asks of a file of ``size`` bytes."""

    spans: tuple[tuple[int, int], ...]
    """Satisfiable ranges as (first byte, last byte), inclusive, in the order asked."""

    @property
    def satisfiable(self) -> bool:
        return bool(self.spans)

    def header(self) -> str:
        """The satisfiable ranges as a ``Range`` header value."""
        return "bytes=" + ",".join(f"{first}-{last}" for first, last in self.spans)


def read_ranges(header: str, size: int) -> Ranges | None:
    """The ranges of ``header`` for a file of ``size`` bytes; ``None`` if the header is not a
    valid byte-range request (it is then ignored)."""
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    spans: list[tuple[int, int]] = []
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        first_text, dash, last_text = (p.strip() for p in part.partition("-"))
        if not dash or not (first_text or last_text):
            return None
        if not all(_DIGITS.fullmatch(t) for t in (first_text, last_text) if t):
            return None
        if not first_text:  # a suffix: the last N bytes
            length = int(last_text)
            if length > 0 and size > 0:
                spans.append((max(size - length, 0), size - 1))
            continue
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
        if last_text and last < first:
            return None
        if first < size:
            spans.append((first, min(last, size - 1)))
    return Ranges(tuple(spans))


def accepts_gzip(header: str | None) -> bool:
    """True if ``Accept-Encoding`` takes gzip (by name, or by ``*``) with a quality above 0."""
    if not header:
        return False
    named: float | None = None
    star: float | None = None
    for part in header.split(","):
        coding, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:  # recovers: an unreadable weight takes nothing
                    q = 0.0
        coding = coding.lower()
        if coding in ("gzip", "x-gzip"):
            named = q
        elif coding == "*":
            star = q
    chosen = named if named is not None else star
    return chosen is not None and chosen > 0
