"""ISO dates written in the Japanese era form (kggraph.core.era_text), checked against
kggraph.core.eras:
the era form of a date must read back as the same ISO value."""

from __future__ import annotations

import pytest

from kggraph.core.era_text import era_text, fiscal_year_text
from kggraph.core.eras import parse_date, parse_fiscal_year


@pytest.mark.parametrize(
    ("iso", "text"),
    [
        ("2014-04", "平成26年4月"),
        ("2009-12-21", "平成21年12月21日"),
        ("1981", "昭和56年"),
        ("2019", "令和元年"),
        ("2019-04", "平成31年4月"),
        ("2019-05", "令和元年5月"),
        ("1989-01-07", "昭和64年1月7日"),
        ("1989-01-08", "平成元年1月8日"),
        ("2025-03", "令和7年3月"),
    ],
)
def test_era_text(iso: str, text: str) -> None:
    assert era_text(iso) == text


@pytest.mark.parametrize("iso", ["1900", "2017-02-30", "2014-13", "soon", "14-04"])
def test_no_era_text_for_what_is_no_date_of_an_era(iso: str) -> None:
    assert era_text(iso) is None


@pytest.mark.parametrize("year", range(1927, 2031))
def test_era_text_reads_back_as_the_same_date(year: int) -> None:
    for iso in (f"{year}", f"{year}-04", f"{year}-12-31", f"{year}-01-01"):
        text = era_text(iso)
        assert text is not None
        assert parse_date(text).iso == iso


def test_fiscal_years() -> None:
    assert fiscal_year_text(2016) == "平成28年度"
    assert fiscal_year_text(2019) == "平成31年度"  # April 1, 2019 is still Heisei
    assert fiscal_year_text(2020) == "令和2年度"
    assert parse_fiscal_year(fiscal_year_text(2022) or "").year == 2022
    assert fiscal_year_text(1850) is None
