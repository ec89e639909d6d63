"""Facts the source states, listed mechanically so that the graph's completeness can be checked.

Three lists are read from the Japanese source text, each row tied to a source line and to the
section the line sits in (numbered exactly as ``kg:sectionNumber`` in ``data/source.ttl``):

- **dated statements** (``dated_statements``): every era date ("平成26年4月", "令和元年度",
  "平成21年12月21日"), every Gregorian fiscal year or month ("2050年度"), and the era
  abbreviations of figure captions ("(H25)"); each with the qualifier that follows it
  (``QUALIFIERS`` of ``kggraph.core.eras``: から, まで, より, 現在, 半ば…) and its ISO value;
- **organisation names** (``organisation_names``): names found by Japanese legal forms
  (株式会社X, X株式会社, X㈱, 公益財団法人X, 独立行政法人X), by organisation words at the end of
  a name (…省, …局, …公社, …機構, …協会, …協議会, …センター, …銀行, …大学, …グループ,
  …人民政府, …社), by known acronyms (JICA, OECD, …) and, where no pattern can find a name
  reliably, by the short curated list ``CURATED_NAMES``; ``NOT_ORGANISATIONS`` drops the few
  pattern hits that name a building or a province instead;
- **numbers** (``numbers``): every number in digits ("11,107", "1.5", full-width "１２"), with a
  multiplier (万, 億) applied, and every kanji numeral followed by a counter ("二番目"); each with
  the unit or counter word written right after it (``COUNTERS``: 人, 件, カ国・地域, コース, %, ℃,
  割, 年間, つ, 箇所, 番目, …; "" when none) and a qualifier read from the words around it
  (``PREFIX_QUALIFIERS`` before it: 約 about, のべ cumulative, 計 total; ``SUFFIX_QUALIFIERS``
  after its unit: を超える more-than, 以上 at-least, 以内 at-most, 未満 less-than). The value is
  the number as written: "5割" is value 5, unit 割 (tenths, so 50 %); "150%" is 150, unit %.

  Left out, because they are no quantities (each rule has its test):
  dates (era dates, months, days, fiscal years, Gregorian "2050年度" and the caption's "(H25)":
  the date list covers them; a Gregorian year with neither 度 nor a month, which the date list
  does not read, stays here as a number with unit 年); an item number at the start of a line
  ("(3)", "2.", or a bare "1 " not followed by a counter); a URL; a quoted title
  (「グローバル500賞」, 「第4回低炭素都市国際フォーラム」); an ordinal designation 第N (第6回,
  第2期 and 第3期建屋 name an edition or a phase, and 第7節 a section: they say which one, not
  how many); a number touching a Latin letter or underscore, which makes it part of a name or
  symbol (G7, CO2, CO_2, PM2.5, 3R; CO₂'s subscript is no digit); a kanji numeral preceded by
  another kanji (日中韓三カ国 designates the three countries just named; 唯一, 北九州) or followed
  by no counter (一部, 一層, 一体). A rank such as "二番目" (second) is a fact and stays.

Rows are facts only (a date expression, a name, a number, where it is); no sentence of the source is
copied. Section headings are recognised in order, OCR errors included: "工." and "才." for
"エ." and "オ.", "⑦" for "(ア)". A heading is accepted only where it is the next number at its
level, so a body line that happens to start with "1 " or "工." is not taken for one.

Run ``python -m tools.sourcefacts SOURCE OUTDIR`` to write ``dated-statements.tsv``,
``organisations.tsv`` and ``numbers.tsv`` (UTF-8, header row, tab-separated, sorted by source
line). Their columns:

- ``line, section, expression, qualifier, kind, iso, era_form``: "135, §4(2)ア(ア), 平成26年度, ,
  fiscal-year, 2014-04-01/2015-03-31, 平成26年度" (a fiscal year's ISO value is its interval;
  a date's is "2014", "2014-04" or "2014-04-01"; ``era_form`` reads a caption's "H25" as
  平成25年 and is the expression itself otherwise);
- ``first_line, name, rule, sections, lines``: "89, 公益財団法人北九州国際技術協力協会,
  legal-form, §3 §6(1), 89 297" (names with spaces removed, as written otherwise: ㈱ stays ㈱);
- ``line, section, expression, value, unit, qualifier, wording``: "373, §6(3)ウ, 2,500, 2500, ,
  more-than, を超える" and "379, §6(3)エ, 70, 70, 名, about, 約".
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from kggraph.core.eras import ERAS, QUALIFIERS, EraDate, FiscalYear, parse
from kggraph.core.errors import EraDateError, SourceError

__all__ = [
    "ACRONYMS",
    "COUNTERS",
    "COUNTRIES",
    "CURATED_NAMES",
    "DATED_HEADER",
    "DURATION_UNITS",
    "KANA",
    "LEGAL_FORM_PREFIXES",
    "NAMES_HEADER",
    "NOT_ORGANISATIONS",
    "NUMBERS_HEADER",
    "PREFIX_QUALIFIERS",
    "SUFFIX_QUALIFIERS",
    "DatedStatement",
    "Line",
    "NameOccurrence",
    "NumberStatement",
    "Section",
    "dated_statements",
    "kanji_number",
    "lines",
    "main",
    "normalise",
    "numbers",
    "organisation_names",
    "plain",
    "sections",
    "write_all",
    "write_tsv",
]

KANA = "アイウエオカキクケコサシスセソタチツテト"
"""Katakana used as item numbers, in order: ア is item 1 (slug ``-1``), イ item 2, …"""

_KANA_OCR = {"工": "エ", "才": "オ"}
"""OCR readings of a kana item number: the kanji 工 (craft) for エ, 才 (talent) for オ."""

_SUB_OCR = {"⑦": "ア"}
"""OCR reading of a parenthesised kana item: the circled digit ⑦ for (ア)."""

_ERA_ABBREVIATIONS = {"T": "大正", "S": "昭和", "H": "平成", "R": "令和"}
"""Latin era initials as figure captions write them: "(H25)" is 平成25年."""

ACRONYMS = ("ESCAP", "ICLEI", "IGES", "JBIC", "JICA", "KITA", "OECD", "SWCorp", "TDLC")
"""Organisation acronyms the source uses, matched as whole Latin words anywhere."""

CURATED_NAMES: dict[str, str] = {
    # Names the patterns below cannot find, each with the reason.
    "国連": "no organisation word; matched only standing alone (not in 国連環境計画 etc.)",
    "国連環境計画": "ends in 計画 (plan), which is no organisation word",
    "国連アジア太平洋経済社会委員会": "ends in 委員会, which is too generic to be a pattern",
    "環境ミュージアム": "a museum run as an organisation; ミュージアム is no organisation word",
    "上海科技館": "ends in 館 (hall), which is no organisation word",
    "環境調査研修所": "ends in 研修所 (institute), used once or twice",
    "環境省環境調査研修所": "the institute with its ministry, written as one name",
    "IGES北九州事務所": "ends in 事務所 (office), which is too generic to be a pattern",
    "JICA九州": "an acronym followed by a place name",
    "イクレイ": "ICLEI's Japanese short name, katakana only",
    "持続可能な都市と地域をめざす自治体協議会": "ICLEI's Japanese name contains kana particles",
    "シャボン玉石けん株式会社": "the company name contains hiragana (石けん)",
    "シャボン玉石けん㈱": "the same company, legal form written ㈱",
    "まち・ひと・しごと創生本部": "a government headquarters whose name is in hiragana",
}
"""Organisation names listed by hand: the pattern cannot find them, or not reliably."""

_CURATED_PATTERNS: dict[str, str] = {
    "国連": r"国連(?![\u4e00-\u9fff\u30a1-\u30faA-Za-z])",
}
"""Curated names that need a boundary: 国連 alone, not inside 国連環境開発会議 or 国連パリ協定."""

NOT_ORGANISATIONS: dict[str, str] = {
    "国際村交流センター": "a building (the International Village Exchange Centre)",
    "コンポストセンター": "a composting facility shown in a photograph",
    "ビジターセンター": "a showroom building for water business",
    "バリアブンタウ省": "a Vietnamese province (省), not a ministry",
}
"""Pattern hits that are not organisations; a hit ending with one of these is dropped."""

_NAME_CHAR = r"[\u4e00-\u9fff\u3005\u30a1-\u30fa\u30fc\u30fbA-Za-z]"
"""A character that can be part of a name: kanji, 々, katakana, ー, ・, Latin letters."""

_NAME_CHARS = re.compile(_NAME_CHAR)
_KANA_OR_LATIN = re.compile(r"[\u30a1-\u30fa\u30fc\u30fbA-Za-z]+")

_SEPARATORS = re.compile(r"及び|並びに|等")
"""Words that join or end names without being part of one (及び "and", 等 "etc.")."""

LEGAL_FORM_PREFIXES = (
    "株式会社",
    "公益財団法人",
    "一般財団法人",
    "公益社団法人",
    "一般社団法人",
    "独立行政法人",
)
"""Legal forms written before a name (株式会社X); 株式会社 and ㈱ are also written after it."""

_SUFFIXES = (
    "株式会社",
    "㈱",
    "人民政府",
    "コンソーシアム",
    "センター",
    "グループ",
    "協議会",
    "事務局",
    "公社",
    "機構",
    "協会",
    "銀行",
    "大学",
    "省",
    "局",
    "庁",
    "社",
)
"""Words that end an organisation's name; the name is the run of name characters before them."""

_SUFFIX_GUARDS: dict[str, re.Pattern[str]] = {
    "省": re.compile(r"省(?!エネ)"),  # 省エネ is "energy saving"
    "大学": re.compile(r"大学(?![生院])"),  # 大学生 "student"
    "社": re.compile(r"(?<![会公])社(?!会)"),  # 会社, 公社, 社会 are other words
}
"""Suffixes that also start or end ordinary words, with the look-arounds that exclude those."""

_GENERIC_PREFIXES = ("同", "本", "当", "各", "両", "我が")
"""A suffix after only one of these ("同協議会", "the said council") refers back, names nothing."""

COUNTRIES = ("中国", "インドネシア", "ベトナム", "フィリピン", "マレーシア", "タイ", "カンボジア")
"""Countries written before a name with ・ ("ベトナム・ハイフォン市水道公社"): not part of it."""

_DATE = re.compile(
    rf"(?:(?P<era>{'|'.join(ERAS)})(?P<year>元|[0-9]{{1,2}})年"
    r"|(?<![0-9])(?P<gyear>[0-9]{4})年(?=度|[0-9]{1,2}月))"
    r"(?:(?P<fiscal>度)|(?P<month>[0-9]{1,2})月(?:(?P<day>[0-9]{1,2})日)?)?"
    rf"(?P<qualifier>(?:{'|'.join(QUALIFIERS)})*)"
)
"""An era date, or a Gregorian fiscal year or month, with the qualifiers that follow it."""

_ABBREVIATED = re.compile(
    rf"[(（](?P<era>[{''.join(_ERA_ABBREVIATIONS)}])(?P<year>[0-9]{{1,2}})[)）]"
)
"""An era date abbreviated in a caption: "(H25)"."""

_TOP = re.compile(r"(?P<number>[1-9])\s+(?P<title>[^\s。].*)")
_PAREN = re.compile(r"[(（](?P<number>[0-9]{1,2})[)）]\s*(?P<title>\S.*)")
_KANA_ITEM = re.compile(rf"(?P<kana>[{KANA}工才])\s*[.．]\s*(?P<title>\S.*)")
_SUB_ITEM = re.compile(rf"(?:[(（](?P<kana>[{KANA}])[)）]|(?P<ocr>⑦))\s*(?P<title>\S.*)")


def normalise(text: str) -> str:
    """``text`` with every whitespace character removed (the source's spacing is OCR noise)."""
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Section:
    """A heading of the source: its number as in ``kg:sectionNumber``, its title, its line."""

    number: str
    title: str
    line: int


@dataclass(frozen=True)
class Line:
    """One non-empty source line, the section it belongs to and whether it is that heading.

    ``content`` is the line's text without a heading's number.
    """

    number: int
    section: str
    content: str
    heading: bool


@dataclass(frozen=True)
class DatedStatement:
    """A date the source gives: where, the expression (spaces removed), qualifier, ISO value.

    ``kind`` is "date" (``iso`` is "2014", "2014-04" or "2014-04-01") or "fiscal-year" (``iso``
    is the interval "2016-04-01/2017-03-31"). ``era_form`` is the expression as an era date:
    itself, except that a caption's "H25" is "平成25年".
    """

    line: int
    section: str
    expression: str
    qualifier: str
    kind: str
    iso: str
    era_form: str

    def row(self) -> tuple[str, ...]:
        """The TSV row, in the order of ``DATED_HEADER``."""
        return (
            str(self.line),
            self.section,
            self.expression,
            self.qualifier,
            self.kind,
            self.iso,
            self.era_form,
        )


DATED_HEADER = ("line", "section", "expression", "qualifier", "kind", "iso", "era_form")


@dataclass(frozen=True)
class NameOccurrence:
    """An organisation name (spaces removed), how it was found, and where it occurs.

    ``rule`` is "legal-form", "suffix:<word>", "acronym" or "curated"; ``sections`` and
    ``lines`` are in order of first occurrence.
    """

    name: str
    rule: str
    sections: tuple[str, ...]
    lines: tuple[int, ...]

    @property
    def first_line(self) -> int:
        """The line where the name first occurs."""
        return self.lines[0]

    def row(self) -> tuple[str, ...]:
        """The TSV row, in the order of ``NAMES_HEADER``."""
        return (
            str(self.first_line),
            self.name,
            self.rule,
            " ".join(self.sections),
            " ".join(str(n) for n in self.lines),
        )


NAMES_HEADER = ("first_line", "name", "rule", "sections", "lines")


# --- headings and sections ------------------------------------------------------------------


@dataclass
class _Outline:
    """Where the walk through the headings is: the current number at each level."""

    top: int = 0
    paren: int = 0
    kana: int = 0
    sub: int = 0

    @property
    def number(self) -> str:
        if not self.top:
            return ""
        text = f"§{self.top}"
        if self.paren:
            text += f"({self.paren})"
        if self.kana:
            text += KANA[self.kana - 1]
        if self.sub:
            text += f"({KANA[self.sub - 1]})"
        return text

    def heading(self, line: str) -> str | None:
        """If ``line`` is the next heading at some level, move there and return its title."""
        found = _TOP.fullmatch(line)
        if found and int(found["number"]) == self.top + 1:
            self.top, self.paren, self.kana, self.sub = self.top + 1, 0, 0, 0
            return found["title"]
        if not self.top:
            return None
        found = _PAREN.fullmatch(line)
        if found and int(found["number"]) == self.paren + 1:
            self.paren, self.kana, self.sub = self.paren + 1, 0, 0
            return found["title"]
        found = _KANA_ITEM.fullmatch(line)
        if found and _kana_index(_KANA_OCR.get(found["kana"], found["kana"])) == self.kana + 1:
            self.kana, self.sub = self.kana + 1, 0
            return found["title"]
        found = _SUB_ITEM.fullmatch(line)
        if found and self.kana:
            kana = found["kana"] or _SUB_OCR[found["ocr"]]
            if _kana_index(kana) == self.sub + 1:
                self.sub += 1
                return found["title"]
        return None


def _kana_index(kana: str) -> int:
    return KANA.index(kana) + 1


def lines(text: str) -> Iterator[Line]:
    """Every non-empty line of ``text`` with the section it is in (1-based line numbers)."""
    outline = _Outline()
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped:
            continue
        title = outline.heading(stripped)
        content = stripped if title is None else title
        yield Line(number, outline.number, content, title is not None)


def sections(text: str) -> list[Section]:
    """Every heading of ``text`` that opens a numbered section, in order."""
    return [
        Section(line.section, normalise(line.content), line.number)
        for line in lines(text)
        if line.heading
    ]


# --- dated statements -----------------------------------------------------------------------


def _value(expression: str, line: int) -> tuple[str, str]:
    """The kind and ISO value of ``expression``; a date that does not exist is an error."""
    try:
        parsed: EraDate | FiscalYear = parse(expression)
    except EraDateError as error:
        raise SourceError(str(error), location=f"line {line}") from error
    if isinstance(parsed, FiscalYear):
        return "fiscal-year", f"{parsed.start.isoformat()}/{parsed.end.isoformat()}"
    return "date", parsed.iso


def _dates_in(line: Line) -> Iterator[tuple[int, DatedStatement]]:
    text = normalise(line.content)
    for found in _DATE.finditer(text):
        qualifier = found["qualifier"]
        expression = found.group(0)[: len(found.group(0)) - len(qualifier)]
        kind, iso = _value(expression, line.number)
        yield (
            found.start(),
            DatedStatement(line.number, line.section, expression, qualifier, kind, iso, expression),
        )
    for found in _ABBREVIATED.finditer(text):
        era_form = f"{_ERA_ABBREVIATIONS[found['era']]}{found['year']}年"
        kind, iso = _value(era_form, line.number)
        expression = f"{found['era']}{found['year']}"
        yield (
            found.start(),
            DatedStatement(line.number, line.section, expression, "", kind, iso, era_form),
        )


def dated_statements(text: str) -> list[DatedStatement]:
    """Every date expression of ``text``, in order of line and position."""
    found: list[DatedStatement] = []
    for line in lines(text):
        found.extend(statement for _, statement in sorted(_dates_in(line), key=lambda x: x[0]))
    return found


# --- organisation names ---------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    start: int
    end: int
    name: str
    rule: str


def _masked(content: str) -> str:
    """``content`` without spaces, with dates and separator words replaced by ``|``.

    Masking keeps positions and stops a name from running into a date ("令和6年5月ハイフォン…")
    or across "及び".
    """
    text = normalise(content)
    for pattern in (_DATE, _SEPARATORS):
        text = pattern.sub(lambda m: "|" * len(m.group(0)), text)
    return text


def _run_before(text: str, end: int) -> int:
    """The start of the run of name characters that ends at ``end``."""
    start = end
    while start > 0 and _NAME_CHARS.fullmatch(text[start - 1]):
        start -= 1
    return start


def _run_after(text: str, start: int) -> int:
    """The end of the run of name characters that starts at ``start``."""
    end = start
    while end < len(text) and _NAME_CHARS.fullmatch(text[end]):
        end += 1
    return end


def _without_country(text: str, start: int, end: int) -> int:
    """Move ``start`` past a leading "<country>・" ("ベトナム・ハイフォン市水道公社")."""
    for country in COUNTRIES:
        prefix = country + "・"
        if text.startswith(prefix, start) and end - start > len(prefix):
            return start + len(prefix)
    return start


def _suffix_hits(text: str) -> Iterator[_Hit]:
    for suffix in _SUFFIXES:
        pattern = _SUFFIX_GUARDS.get(suffix, re.compile(re.escape(suffix)))
        for found in pattern.finditer(text):
            start = _without_country(text, _run_before(text, found.start()), found.end())
            prefix = text[start : found.start()]
            name = text[start : found.end()]
            if not prefix or prefix in _GENERIC_PREFIXES or prefix.endswith("・"):
                continue
            if name in _SUFFIXES:
                continue  # 事務局 found as …局: an organisation word alone names nothing
            if suffix == "社" and not _KANA_OR_LATIN.fullmatch(prefix):
                continue  # 社 only after a Latin or katakana name ("IRPC社")
            yield _Hit(start, found.end(), name, f"suffix:{suffix}")


def _legal_form_hits(text: str) -> Iterator[_Hit]:
    for form in LEGAL_FORM_PREFIXES:
        for found in re.finditer(re.escape(form), text):
            end = _run_after(text, found.end())
            if end > found.end():
                yield _Hit(found.start(), end, text[found.start() : end], "legal-form")


def _listed_hits(text: str) -> Iterator[_Hit]:
    for name in CURATED_NAMES:
        pattern = _CURATED_PATTERNS.get(name, re.escape(name))
        for found in re.finditer(pattern, text):
            yield _Hit(found.start(), found.end(), name, "curated")
    for acronym in ACRONYMS:
        for found in re.finditer(rf"(?<![A-Za-z]){acronym}(?![A-Za-z])", text):
            yield _Hit(found.start(), found.end(), acronym, "acronym")


def _names_in(content: str) -> list[_Hit]:
    """The organisation names in one line, longest first where two overlap, in text order."""
    text = _masked(content)
    candidates = [*_listed_hits(text), *_legal_form_hits(text), *_suffix_hits(text)]
    candidates = [
        hit for hit in candidates if not any(hit.name.endswith(bad) for bad in NOT_ORGANISATIONS)
    ]
    rank = {"curated": 0, "legal-form": 1, "acronym": 2}
    candidates.sort(key=lambda h: (-(h.end - h.start), rank.get(h.rule, 3), h.start))
    kept: list[_Hit] = []
    for hit in candidates:
        if all(hit.end <= other.start or hit.start >= other.end for other in kept):
            kept.append(hit)
    return sorted(kept, key=lambda h: h.start)


def organisation_names(text: str) -> list[NameOccurrence]:
    """Every organisation name of ``text``, de-duplicated, in order of first occurrence."""
    rules: dict[str, str] = {}
    where: dict[str, tuple[list[str], list[int]]] = {}
    for line in lines(text):
        for hit in _names_in(line.content):
            rules.setdefault(hit.name, hit.rule)
            found_in, found_on = where.setdefault(hit.name, ([], []))
            if line.section not in found_in:
                found_in.append(line.section)
            if line.number not in found_on:
                found_on.append(line.number)
    # Lines are read in order and each line's names in text order, so ``where`` is already
    # ordered by first occurrence (line, then position).
    return [NameOccurrence(name, rules[name], tuple(s), tuple(n)) for name, (s, n) in where.items()]


# --- numbers --------------------------------------------------------------------------------

COUNTERS = (
    "カ国・地域",
    "ヵ国・地域",
    "か国・地域",
    "カ国",
    "ヵ国",
    "ケ国",
    "か国",
    "コース",
    "都市",
    "箇所",
    "カ所",
    "ヶ所",
    "か所",
    "年間",
    "カ月",
    "ヵ月",
    "ヶ月",
    "か月",
    "日間",
    "時間",
    "番目",
    "団体",
    "世帯",
    "施設",
    "万円",
    "億円",
    "トン",
    "kWh",
    "kW",
    "MW",
    "km",
    "ha",
    "kg",
    "人",
    "名",
    "件",
    "回",
    "つ",
    "社",
    "校",
    "台",
    "基",
    "倍",
    "割",
    "円",
    "年",
    "%",
    "℃",
)
"""Units and counter words read right after a number, longest first (カ国・地域 before カ国)."""

DURATION_UNITS = {"年間": "Y", "カ月": "M", "ヵ月": "M", "ヶ月": "M", "か月": "M", "日間": "D"}
"""Counters that make a number a duration, with the ISO 8601 designator of each."""

PREFIX_QUALIFIERS = {
    "少なくとも": "at-least",
    "およそ": "about",
    "のべ": "cumulative",
    "延べ": "cumulative",
    "累計": "cumulative",
    "合計": "total",
    "総計": "total",
    "最大": "at-most",
    "最低": "at-least",
    "ほぼ": "about",
    "計": "total",
    "約": "about",
}
"""Words written right before a number that qualify it ("約70名": about 70 people)."""

SUFFIX_QUALIFIERS = {
    "を超える": "more-than",
    "を超え": "more-than",
    "あまり": "more-than",
    "以上": "at-least",
    "以内": "at-most",
    "以下": "at-most",
    "未満": "less-than",
    "余り": "more-than",
    "程度": "about",
    "前後": "about",
    "ほど": "about",
    "超": "more-than",
    "余": "more-than",
}
"""Words written right after a number and its unit that qualify it ("2,500を超える")."""

_NOT_QUALIFIERS = ("契約", "要約", "節約", "制約", "集約", "公約", "予約", "条約", "規約",
                   "設計", "会計", "統計", "時計", "家計", "推計", "生計", "余計")  # fmt: skip
"""Words ending in a one-kanji qualifier (約, 計) that are other words: 契約 "contract"."""

_KANJI_DIGITS = {k: n for n, k in enumerate("〇一二三四五六七八九")}
_KANJI_POWERS = {"十": 10, "百": 100, "千": 1000}
_MULTIPLIERS = {"万": 10_000, "億": 100_000_000}

_WIDE = str.maketrans("０１２３４５６７８９，．％", "0123456789,.%")
"""Full-width digits, comma, point and percent sign, read as their ASCII forms."""

_NUMBER = re.compile(
    r"(?<![0-9A-Za-z_.,])(?P<digits>[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)(?![0-9_])"
    r"|(?<![\u4e00-\u9fff\u3005])(?P<kanji>[〇一二三四五六七八九十百千]+)"
)
"""A number in digits (not touching a Latin letter before it: G7, CO2, PM2.5, H25), or in
kanji numerals not preceded by a kanji (日中韓三カ国 is a designation, not a count)."""

_NOT_NUMBERS = (
    re.compile(r"https?://[^\s」）)]+"),
    re.compile(r"「[^」]*」|『[^』]*』"),
    re.compile(r"第(?:[0-9]+|[〇一二三四五六七八九十百千]+)"),
)
"""Spans whose numbers are no quantities: a URL; a quoted title (「グローバル500賞」); an ordinal
designation (第2期, 第3期建屋, 第7節)."""

_ITEM_NUMBER = re.compile(r"(?:[(（][0-9]{1,2}[)）]|[0-9]{1,2}[.．)）](?![0-9])|[1-9]\s)")
"""A number that starts a line as an item or heading number: "(3)", "2.", "1 " (a bare "1 " only
where no counter follows it, so "3 件" at the start of a line stays a count)."""


@dataclass(frozen=True)
class NumberStatement:
    """A number the source gives: where, as written, its value, unit and qualifier.

    ``expression`` is the number as written (spaces removed: "11,107", "1.5", "二", "1.2万");
    ``value`` the number itself (a multiplier such as 万 applied); ``unit`` the counter or unit
    written right after it ("人", "カ国・地域", "%", "割", "" when none); ``qualifier`` one of
    "about", "cumulative", "total", "more-than", "at-least", "at-most", "less-than" (two joined
    by "+"), or "" when none, and ``wording`` the words it was read from ("約", "を超える").
    """

    line: int
    section: str
    expression: str
    value: Decimal
    unit: str
    qualifier: str
    wording: str

    def row(self) -> tuple[str, ...]:
        """The TSV row, in the order of ``NUMBERS_HEADER``."""
        return (
            str(self.line),
            self.section,
            self.expression,
            plain(self.value),
            self.unit,
            self.qualifier,
            self.wording,
        )


NUMBERS_HEADER = ("line", "section", "expression", "value", "unit", "qualifier", "wording")


def plain(value: Decimal) -> str:
    """``value`` written without exponent or trailing zeros: 2500, 1.5, 0.5."""
    return format(value.normalize(), "f")


def kanji_number(text: str) -> int:
    """The value of a kanji numeral: 三 → 3, 十二 → 12, 二百五 → 205, 〇 → 0."""
    total, digit = 0, None
    for char in text:
        if char in _KANJI_DIGITS:
            digit = _KANJI_DIGITS[char] if digit is None else digit * 10 + _KANJI_DIGITS[char]
        else:
            total += (1 if digit is None else digit) * _KANJI_POWERS[char]
            digit = None
    return total + (digit or 0)


def _mask(text: str, pattern: re.Pattern[str]) -> str:
    return pattern.sub(lambda m: "|" * len(m.group(0)), text)


def _number_text(content: str) -> str:
    """``content`` ready for reading numbers, positions kept: spaces removed, wide digits read,
    and dates, URLs, quoted titles and ordinals masked with ``|``."""
    text = normalise(content).translate(_WIDE)
    for pattern in (*_NOT_NUMBERS, _DATE, _ABBREVIATED):
        text = _mask(text, pattern)
    return text


def _unit_at(text: str, end: int) -> str:
    return next((unit for unit in COUNTERS if text.startswith(unit, end)), "")


def _prefix_qualifier(text: str, start: int) -> tuple[str, str]:
    for word, meaning in PREFIX_QUALIFIERS.items():
        begin = start - len(word)
        if begin >= 0 and text.startswith(word, begin):
            if len(word) == 1 and text[max(begin - 1, 0) : start] in _NOT_QUALIFIERS:
                continue
            return meaning, word
    return "", ""


def _suffix_qualifier(text: str, end: int) -> tuple[str, str]:
    for word, meaning in SUFFIX_QUALIFIERS.items():
        if text.startswith(word, end):
            return meaning, word
    return "", ""


def _item_number_length(line: Line, text: str) -> int:
    """How many characters of ``text`` an item number at the start of ``line`` takes (0: none).

    A heading's number is not in its content already; a body line that starts like a heading
    out of sequence ("1 これは…") or like a list item ("(3)", "2.") starts with an item number.
    """
    found = _ITEM_NUMBER.match(line.content.translate(_WIDE))
    if line.heading or not found:
        return 0
    length = len(normalise(found.group(0)))
    if found.group(0)[-1].isspace() and _unit_at(text, length):
        return 0  # "3 件を採択": a count, not an item number
    return length


def _numbers_in(line: Line) -> Iterator[NumberStatement]:
    text = _number_text(line.content)
    written = normalise(line.content)  # the same positions, digits as the source writes them
    skip = _item_number_length(line, text)
    for found in _NUMBER.finditer(text):
        if found.start() < skip:
            continue
        end = found.end()
        if found["digits"] is not None:
            value = Decimal(found["digits"].replace(",", ""))
            if text[end : end + 1] in _MULTIPLIERS:
                value *= _MULTIPLIERS[text[end]]
                end += 1
            unit = _unit_at(text, end)
            if not unit and re.match(r"[A-Za-z]", text[end : end + 1]):
                continue  # a name or symbol: 3R, 5G
        else:
            unit = _unit_at(text, end)
            if not unit:
                continue  # 一部, 一層: a kanji numeral counts only with a counter after it
            value = Decimal(kanji_number(found["kanji"]))
        before, before_words = _prefix_qualifier(text, found.start())
        after, after_words = _suffix_qualifier(text, end + len(unit))
        yield NumberStatement(
            line.number,
            line.section,
            written[found.start() : end],
            value,
            unit,
            "+".join(q for q in (before, after) if q),
            "…".join(w for w in (before_words, after_words) if w),
        )


def numbers(text: str) -> list[NumberStatement]:
    """Every number of ``text`` that is a fact, in order of line and position."""
    return [statement for line in lines(text) for statement in _numbers_in(line)]


# --- output ---------------------------------------------------------------------------------


def write_tsv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write a UTF-8, tab-separated file with a header row; return the number of data rows."""
    count = 0
    out = ["\t".join(header)]
    for row in rows:
        if len(row) != len(header) or any(re.search(r"[\t\r\n]", cell) for cell in row):
            raise SourceError(f"cannot write {row!r} as a row of {len(header)} TSV cells")
        out.append("\t".join(row))
        count += 1
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return count


def write_all(text: str, outdir: Path) -> dict[str, int]:
    """Write ``dated-statements.tsv``, ``organisations.tsv`` and ``numbers.tsv`` into ``outdir``."""
    outdir.mkdir(parents=True, exist_ok=True)
    return {
        "dated-statements.tsv": write_tsv(
            outdir / "dated-statements.tsv",
            DATED_HEADER,
            (s.row() for s in dated_statements(text)),
        ),
        "organisations.tsv": write_tsv(
            outdir / "organisations.tsv",
            NAMES_HEADER,
            (n.row() for n in organisation_names(text)),
        ),
        "numbers.tsv": write_tsv(
            outdir / "numbers.tsv", NUMBERS_HEADER, (n.row() for n in numbers(text))
        ),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.sourcefacts SOURCE OUTDIR``: write the lists, print their sizes."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m tools.sourcefacts SOURCE OUTDIR", file=sys.stderr)
        return 2
    source, outdir = Path(args[0]), Path(args[1])
    try:
        text = source.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        print(f"cannot read {source}: {error}", file=sys.stderr)
        return 1
    try:
        counts = write_all(text, outdir)
    except SourceError as error:
        print(f"{source}: {error}", file=sys.stderr)
        return 1
    for name, count in counts.items():
        print(f"{outdir / name}: {count} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
