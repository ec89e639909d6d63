"""Japanese date expressions: era boundaries, precision, fiscal years, and every way to be wrong."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from kggraph.core.eras import (
    ERAS,
    QUALIFIERS,
    EraDate,
    FiscalYear,
    era_year_to_gregorian,
    fiscal_year,
    parse,
    parse_date,
    parse_fiscal_year,
)
from kggraph.core.errors import EraDateError
from tests.conftest import SOURCE_MISSING, SOURCE_TEXT, require

SOURCE_DATE = re.compile(
    r"(昭和|平成|令和)\s*(元|\d+)\s*年(\s*\d+\s*月)?(\s*\d+\s*日)?(度)?"
    rf"({'|'.join(QUALIFIERS)})*"
)
XSD = "http://www.w3.org/2001/XMLSchema#"


def _source_dates() -> list[str]:
    """Every era date the source writes; none when the source document is missing, so that
    collection works on a clone without it (the tests below then skip, naming the file)."""
    if not SOURCE_TEXT.is_file():
        return []
    text = SOURCE_TEXT.read_text(encoding="utf-8")
    return sorted({m.group(0) for m in SOURCE_DATE.finditer(text)})


# --- era years ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("era", "year", "gregorian"),
    [
        ("大正", 1, 1912),
        ("大正", 15, 1926),
        ("昭和", 1, 1926),
        ("昭和", 50, 1975),
        ("昭和", 64, 1989),
        ("平成", 1, 1989),
        ("平成", 26, 2014),
        ("平成", 31, 2019),
        ("令和", 1, 2019),
        ("令和", 7, 2025),
    ],
)
def test_era_year_to_gregorian(era: str, year: int, gregorian: int) -> None:
    assert era_year_to_gregorian(era, year) == gregorian


@pytest.mark.parametrize(
    ("first", "second"),
    [("昭和64年", "平成元年"), ("平成31年", "令和元年"), ("大正15年", "昭和元年")],
)
def test_the_year_an_era_changes_has_two_names(first: str, second: str) -> None:
    assert parse_date(first).iso == parse_date(second).iso


@pytest.mark.parametrize(
    ("era", "year", "reason"),
    [
        ("平成", 32, "past the end of 平成: its last year is 平成31年 \\(2019\\)"),
        ("昭和", 65, "past the end of 昭和: its last year is 昭和64年 \\(1989\\)"),
        ("大正", 16, "past the end of 大正"),
        ("平成", 0, "year 0 .* must be 1 or more"),
        ("令和", -1, "year -1 .* must be 1 or more"),
        ("光文", 2, "unknown era '光文'"),
        ("大化", 3, "unknown era '大化'"),
    ],
)
def test_era_year_to_gregorian_rejects(era: str, year: int, reason: str) -> None:
    with pytest.raises(EraDateError, match=reason):
        era_year_to_gregorian(era, year)


def test_every_closed_era_ends_the_day_before_the_next_begins() -> None:
    eras = list(ERAS.values())
    for before, after in zip(eras, eras[1:], strict=False):
        assert before.end is not None
        assert before.end + dt.timedelta(days=1) == after.start
    assert eras[-1].end is None


# --- first and last days of each era -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("大正元年7月30日", "1912-07-30"),
        ("大正15年12月24日", "1926-12-24"),
        ("昭和元年12月25日", "1926-12-25"),
        ("昭和64年1月7日", "1989-01-07"),
        ("平成元年1月8日", "1989-01-08"),
        ("平成31年4月30日", "2019-04-30"),
        ("令和元年5月1日", "2019-05-01"),
        ("昭和64年1月", "1989-01"),
        ("平成元年1月", "1989-01"),
        ("平成31年4月", "2019-04"),
        ("令和元年5月", "2019-05"),
        ("昭和元年12月", "1926-12"),
        ("大正15年12月", "1926-12"),
        ("昭和64年", "1989"),
        ("平成元年", "1989"),
        ("平成31年", "2019"),
        ("令和元年", "2019"),
    ],
)
def test_first_and_last_days_of_each_era(text: str, iso: str) -> None:
    assert parse_date(text).iso == iso


@pytest.mark.parametrize(
    "text",
    [
        "昭和64年1月8日",
        "昭和64年2月",
        "昭和64年12月",
        "平成元年1月7日",
        "平成31年5月",
        "平成31年5月1日",
        "令和元年4月",
        "令和元年4月30日",
        "昭和元年12月24日",
        "昭和元年11月",
        "大正元年6月",
        "大正15年12月25日",
    ],
)
def test_a_month_or_day_outside_its_era_is_rejected(text: str) -> None:
    with pytest.raises(EraDateError, match="is outside") as caught:
        parse_date(text)
    assert repr(text) in str(caught.value)


# --- precision ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "month", "day", "iso", "xsd"),
    [
        ("昭和56年", 1981, None, None, "1981", "gYear"),
        ("平成26年4月", 2014, 4, None, "2014-04", "gYearMonth"),
        ("平成21年12月21日", 2009, 12, 21, "2009-12-21", "date"),
        ("令和6年1月", 2024, 1, None, "2024-01", "gYearMonth"),
        ("2025年3月", 2025, 3, None, "2025-03", "gYearMonth"),
        ("2014年4月1日", 2014, 4, 1, "2014-04-01", "date"),
        ("1997年", 1997, None, None, "1997", "gYear"),
    ],
)
def test_precision_follows_the_text(
    text: str, year: int, month: int | None, day: int | None, iso: str, xsd: str
) -> None:
    found = parse_date(text)
    assert (found.year, found.month, found.day) == (year, month, day)
    assert found.iso == iso
    assert found.xsd == xsd
    assert found.datatype == XSD + xsd
    assert found.text == text


def test_an_era_date_needs_a_month_for_a_day() -> None:
    with pytest.raises(EraDateError, match="a day needs a month"):
        EraDate(2014, None, 1, "x")


# --- spelling: spaces, full-width digits, qualifiers --------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("平成 26 年 4 月", "2014-04"),
        ("平成28 年 10 月", "2016-10"),
        ("平成 24年 2月", "2012-02"),
        ("平成\u300026\u3000年\u30004\u3000月", "2014-04"),
        ("\t令和 7 年\n3 月 ", "2025-03"),
        ("令和７年３月", "2025-03"),
        ("平成２１年１２月２１日", "2009-12-21"),
        ("平成 21 年 12 月 21 日", "2009-12-21"),
        ("２０２５年３月", "2025-03"),
        ("平成28年2月29日", "2016-02-29"),
        ("平成12年2月29日", "2000-02-29"),
        ("令和2年2月29日", "2020-02-29"),
    ],
)
def test_spaces_and_full_width_digits(text: str, iso: str) -> None:
    found = parse_date(text)
    assert found.iso == iso
    assert found.text == text


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("令和7年3月現在", "2025-03"),
        ("昭和50年半ば", "1975"),
        ("昭和50年半ばから", "1975"),
        ("平成16年から", "2004"),
        ("令和4年4月より", "2022-04"),
        ("平成30年まで", "2018"),
        ("平成23年以降", "2011"),
        ("平成26年頃", "2014"),
        ("令和6年末", "2024"),
        ("令和6年初め", "2024"),
        ("令和 7 年 3 月 現在", "2025-03"),
        ("平成31年1月から", "2019-01"),
        ("令和5年4月まで", "2023-04"),
    ],
)
def test_qualifiers_are_ignored_for_the_value_and_kept_in_the_text(text: str, iso: str) -> None:
    found = parse_date(text)
    assert found.iso == iso
    assert found.text == text


def test_every_qualifier_is_accepted() -> None:
    for qualifier in QUALIFIERS:
        assert parse_date(f"平成26年4月{qualifier}").iso == "2014-04", qualifier


# --- fiscal years ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "year", "start", "end"),
    [
        ("平成28年度", 2016, "2016-04-01", "2017-03-31"),
        ("平成 28 年度", 2016, "2016-04-01", "2017-03-31"),
        ("令和元年度", 2019, "2019-04-01", "2020-03-31"),
        ("平成31年度", 2019, "2019-04-01", "2020-03-31"),
        ("平成元年度", 1989, "1989-04-01", "1990-03-31"),
        ("令和6年度", 2024, "2024-04-01", "2025-03-31"),
        ("令和６年度", 2024, "2024-04-01", "2025-03-31"),
        ("令和6年度末", 2024, "2024-04-01", "2025-03-31"),
        ("平成 29年度から", 2017, "2017-04-01", "2018-03-31"),
        ("平成 23 年度より", 2011, "2011-04-01", "2012-03-31"),
        ("2050年度", 2050, "2050-04-01", "2051-03-31"),
        ("2005年度", 2005, "2005-04-01", "2006-03-31"),
        ("２０５０年度", 2050, "2050-04-01", "2051-03-31"),
    ],
)
def test_fiscal_years_run_april_to_march(text: str, year: int, start: str, end: str) -> None:
    found = parse_fiscal_year(text)
    assert found == FiscalYear(year, text)
    assert (found.start.isoformat(), found.end.isoformat()) == (start, end)
    assert (found.label_en, found.label_ja) == (f"FY{year}", f"{year}年度")


def test_fiscal_year_from_a_gregorian_year() -> None:
    found = fiscal_year(2016)
    assert found == FiscalYear(2016, "2016年度")
    assert found.start == dt.date(2016, 4, 1)
    assert found.end == dt.date(2017, 3, 31)
    assert (found.label_en, found.label_ja) == ("FY2016", "2016年度")


@pytest.mark.parametrize("year", [0, -5, 9999])
def test_fiscal_year_rejects_years_out_of_range(year: int) -> None:
    with pytest.raises(EraDateError, match=f"fiscal year {year} must be between 1 and 9998"):
        fiscal_year(year)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("平成32年度", "past the end of 平成"),
        ("昭和65年度", "past the end of 昭和"),
        ("平成0年度", "must be 1 or more"),
        ("光文2年度", "unknown era '光文'"),
        ("平成26年4月", "is not a fiscal year: it has no 年度"),
        ("2050年", "is not a fiscal year: it has no 年度"),
        ("50年度", "four-digit Gregorian year"),
    ],
)
def test_parse_fiscal_year_rejects(text: str, reason: str) -> None:
    with pytest.raises(EraDateError, match=reason) as caught:
        parse_fiscal_year(text)
    assert repr(text) in str(caught.value)


# --- parse dispatches --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("平成28年度", FiscalYear(2016, "平成28年度")),
        ("平成28年", EraDate(2016, None, None, "平成28年")),
        ("平成28年3月", EraDate(2016, 3, None, "平成28年3月")),
        ("平成28年3月1日", EraDate(2016, 3, 1, "平成28年3月1日")),
        ("2050年度", FiscalYear(2050, "2050年度")),
    ],
)
def test_parse_dispatches_on_nendo(text: str, expected: EraDate | FiscalYear) -> None:
    assert parse(text) == expected


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("大化3年", "unknown era '大化'"),
        ("光文2年", "unknown era '光文'"),
        ("元禄3年4月", "unknown era '元禄'"),
        ("", "cannot read"),
        ("abc", "cannot read"),
        ("平成二十六年", "cannot read"),
        ("平成26", "cannot read"),
        ("平成26年4月頃に", "cannot read"),
        ("2050年度比", "cannot read"),
        ("平成31年1月から令和5年4月まで", "cannot read"),
        ("平成26年13月", "month 13 .* is not between 1 and 12"),
        ("平成26年0月", "month 0 .* is not between 1 and 12"),
        ("平成27年2月29日", "day 29 .* does not exist: 2015-02 has 28 days"),
        ("2100年2月29日", "day 29 .* does not exist: 2100-02 has 28 days"),
        ("平成28年2月30日", "day 30 .* does not exist: 2016-02 has 29 days"),
        ("平成26年4月31日", "day 31 .* does not exist: 2014-04 has 30 days"),
        ("平成26年4月0日", "day 0 .* does not exist"),
        ("平成0年", "year 0 .* must be 1 or more"),
        ("令和-1年", "year -1 .* must be 1 or more"),
        ("0年", "year 0 .* must be 1 or more"),
        ("平成32年", "past the end of 平成: its last year is 平成31年"),
        ("昭和65年", "past the end of 昭和: its last year is 昭和64年"),
        ("平成32年1月", "past the end of 平成"),
        ("26年4月", "has no era, so it must be a four-digit Gregorian year"),
        ("12345年", "has no era, so it must be a four-digit Gregorian year"),
        ("元年", "元年 needs an era name"),
        ("平成28年度", "is a fiscal year \\(年度\\), not a date"),
    ],
)
def test_parse_date_rejects_with_the_reason_and_the_text(text: str, reason: str) -> None:
    with pytest.raises(EraDateError, match=reason) as caught:
        parse_date(text)
    assert repr(text) in str(caught.value)


@pytest.mark.parametrize("text", ["大化3年", "平成32年度", "昭和64年2月", "abc", "平成27年2月29日"])
def test_parse_raises_the_same_errors(text: str) -> None:
    with pytest.raises(EraDateError):
        parse(text)


# --- every date the source writes --------------------------------------------------------------


def test_the_source_has_dates_to_check() -> None:
    require(SOURCE_TEXT, SOURCE_MISSING)
    found = _source_dates()
    assert len(found) > 100
    assert {"令和 7 年 3 月現在", "昭和50年半ばから", "平成 21 年 12 月 21 日"} <= set(found)


@pytest.mark.parametrize("text", _source_dates() or [pytest.param("", id="source-missing")])
def test_every_date_in_the_source_parses(text: str) -> None:
    require(SOURCE_TEXT, SOURCE_MISSING)
    found = parse(text)
    assert found.text == text
    assert 1975 <= found.year <= 2025
    if isinstance(found, EraDate):  # the source's figures are as of March 2025
        assert "1975" <= found.iso <= "2025-03-31"


@pytest.mark.parametrize(("text", "year"), [("2050年度", 2050), ("2005年度", 2005)])
def test_the_source_gregorian_fiscal_years(text: str, year: int) -> None:
    require(SOURCE_TEXT, SOURCE_MISSING)
    assert text in SOURCE_TEXT.read_text(encoding="utf-8")
    assert parse(text) == FiscalYear(year, text)
