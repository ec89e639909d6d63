"""Reading ``Range`` and ``Accept-Encoding`` for downloads (``kggraph.web.http.transfer``)."""

from __future__ import annotations

import pytest

from kggraph.web.http.transfer import accepts_gzip, read_ranges


@pytest.mark.parametrize(
    ("header", "size", "spans"),
    [
        ("bytes=0-9", 100, ((0, 9),)),
        ("bytes=90-", 100, ((90, 99),)),
        ("bytes=-10", 100, ((90, 99),)),
        ("bytes=-500", 100, ((0, 99),)),
        ("bytes=95-200", 100, ((95, 99),)),
        ("bytes=0-0, 50-59", 100, ((0, 0), (50, 59))),
        ("bytes=200-, 10-19", 100, ((10, 19),)),
        ("BYTES = 5-6", 100, ((5, 6),)),
    ],
)
def test_satisfiable_ranges(header: str, size: int, spans: tuple[tuple[int, int], ...]) -> None:
    ranges = read_ranges(header, size)
    assert ranges is not None and ranges.spans == spans
    assert ranges.satisfiable


@pytest.mark.parametrize(
    ("header", "size"),
    [("bytes=100-", 100), ("bytes=-0", 100), ("bytes=0-", 0), ("bytes=150-160", 100)],
)
def test_unsatisfiable_ranges(header: str, size: int) -> None:
    ranges = read_ranges(header, size)
    assert ranges is not None and not ranges.satisfiable


@pytest.mark.parametrize(
    "header",
    ["bytes=abc", "bytes=9-3", "items=0-9", "bytes", "bytes=-", "bytes=1-2-3", "bytes=+1-2"]
    # digits only in Unicode's sense (superscript, Arabic-Indic, full-width), and Python's
    # own number forms that int() reads but RFC 9110 does not (issue 13, 11: was a 500)
    + ["bytes=\u00b2-", "bytes=0-\u00b9", "bytes=-\u0663", "bytes=\uff11-\uff12", "bytes=1_0-20"],
)
def test_invalid_ranges_are_ignored(header: str) -> None:
    assert read_ranges(header, 100) is None


def test_ranges_are_given_back_as_a_header() -> None:
    ranges = read_ranges("bytes=-10, 0-4", 100)
    assert ranges is not None and ranges.header() == "bytes=90-99,0-4"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("gzip, deflate", True),
        ("br;q=1.0, gzip;q=0.5", True),
        ("gzip;q=0", False),
        ("identity", False),
        ("*", True),
        ("*;q=0", False),
        ("*, gzip;q=0", False),
        (None, False),
        ("", False),
        ("x-gzip", True),
        ("deflate, br", False),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert accepts_gzip(header) is expected
