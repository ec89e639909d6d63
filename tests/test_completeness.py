"""Completeness: every date, organisation and number the source states is in the graph.

``tools.sourcefacts`` lists them mechanically from the source; the lists are kept in
``tests/data/source-facts/`` (and must equal what the script produces now, so they cannot
drift), and ``exclusions.tsv`` names the few left out on purpose, each with a reason.

Matching rules (kept narrow on purpose):

- **A dated statement** is in the graph when some node has a text property (``kg:dateText``,
  ``kg:startDateText``, … ``kg:startFiscalYearText``) whose value, with spaces removed and
  trailing qualifiers (から, まで, 現在…) dropped, equals the statement's date in era form
  ("H25" in a caption counts as 平成25年), and that node has ``prov:wasDerivedFrom`` the
  statement's section, its parent section or one of its child sections (one step, not the
  whole branch: a heading's date may be modelled on the facts below it, a subsection's fact
  may be cited at the level above). Statements are counted: if a section gives the same date
  twice, two distinct nodes must carry it.
- **An organisation name** is in the graph when some ``rdfs:label`` or ``skos:altLabel`` in
  Japanese equals it, after removing spaces and reading ㈱ as 株式会社, or equals it once a
  legal form (株式会社, 公益財団法人, 独立行政法人, …) is taken off its start or end. A name
  in Latin letters only (an acronym such as JICA) may match a label in any language, since the
  data tags acronyms ``@en``.
- **A number** is in the graph when some node derived from the number's section (the same
  one-step neighbourhood as for dates) carries it as a numeric literal (``xsd:integer``,
  ``xsd:decimal``, …) of ``kg:value``, ``schema:minValue``, ``schema:maxValue`` or any property
  the ontology gives a numeric range; a count of years, months or days ("3年間") may also be a
  ``kg:duration`` ("P3Y"). "5割" matches 5, 50 or 0.5 and "32%" 32 or 0.32. A bound ("を超える",
  "以上": more-than, at-least; "以内", "未満": at-most, less-than) must be the bound it is:
  ``schema:minValue`` for a lower and ``schema:maxValue`` for an upper bound, or ``kg:value`` on a
  node that states a ``kg:valueQualifier``. Numbers are counted like dates: within a section each
  number needs its own (node, property) carrier.
- **A number in an English comment** of ``data/*.ttl`` must be a structured value (as above) of
  the commented node or of a node one link away (either direction), or be excluded. A year
  (1900–2099, "FY2016" included) must instead be the year of a date or fiscal year of that node
  or of a node one link away. Not quantities, by rule: Japanese date expressions (令和5年9月);
  section references (§6(2)ア, "section 7") and other ordinals ("phase 2", "1st"); a day next to
  a month name ("21 December"); digits touching a letter or joined to a word by "-" or "_"
  (G7, CO2, PM2.5, 3R, Showa-50s).

Tests that need the source document skip when ``../shared/source`` does not hold it, and fail
instead when ``KGGRAPH_REQUIRE_ALL=1`` (``require`` in ``conftest.py``).
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef
from tools.sourcefacts import (
    DURATION_UNITS,
    LEGAL_FORM_PREFIXES,
    DatedStatement,
    NameOccurrence,
    NumberStatement,
    dated_statements,
    kanji_number,
    lines,
    main,
    normalise,
    numbers,
    organisation_names,
    plain,
    sections,
    write_all,
    write_tsv,
)

from kggraph.core.eras import ERAS, QUALIFIERS
from kggraph.core.namespaces import EDTF, KG, PROV, RDF, RDFS, SCHEMA, SKOS, XSD
from kggraph.graph.derive import FISCAL_YEAR_PREFIX
from tests.conftest import ROOT, SOURCE_MISSING, require
from tests.conftest import SOURCE_TEXT as SOURCE

FACTS = Path(__file__).resolve().parent / "data" / "source-facts"
TEXT_PROPERTIES = (
    KG.dateText,
    KG.startDateText,
    KG.endDateText,
    KG.foundingDateText,
    KG.asOfText,
    KG.fiscalYearText,
    KG.startFiscalYearText,
    KG.baselineFiscalYearText,
    KG.targetFiscalYearText,
)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source_text() -> str:
    require(SOURCE, SOURCE_MISSING)
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def statements(source_text: str) -> list[DatedStatement]:
    return dated_statements(source_text)


@pytest.fixture(scope="module")
def names(source_text: str) -> list[NameOccurrence]:
    return organisation_names(source_text)


@pytest.fixture(scope="module")
def number_rows(source_text: str) -> list[NumberStatement]:
    return numbers(source_text)


@pytest.fixture(scope="module")
def graph() -> rdflib.Graph:
    found = rdflib.Graph()
    for folder in ("ontology", "data"):
        for path in sorted((ROOT / folder).glob("*.ttl")):
            found.parse(path, format="turtle")
    return found


@pytest.fixture(scope="module")
def section_iris() -> dict[str, URIRef]:
    """``kg:sectionNumber`` → section IRI, from ``data/source.ttl`` alone."""
    found = rdflib.Graph().parse(ROOT / "data" / "source.ttl", format="turtle")
    return {
        str(number): section
        for section, number in found.subject_objects(KG.sectionNumber)
        if isinstance(section, URIRef)
    }


@pytest.fixture(scope="module")
def exclusions() -> dict[tuple[str, str], str]:
    with (FACTS / "exclusions.tsv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return {(row["kind"], row["key"]): row["reason"] for row in rows}


def _date_key(statement: DatedStatement) -> str:
    """How ``exclusions.tsv`` names a dated statement: "§1:35:H25" (section, line, expression)."""
    return f"{statement.section}:{statement.line}:{statement.expression}"


# --- the kept lists -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dated-statements.tsv", "organisations.tsv", "numbers.tsv"])
def test_kept_lists_equal_what_the_script_produces(
    source_text: str, tmp_path: Path, name: str
) -> None:
    write_all(source_text, tmp_path)
    kept = (FACTS / name).read_text(encoding="utf-8")
    fresh = (tmp_path / name).read_text(encoding="utf-8")
    assert kept == fresh, (
        f"tests/data/source-facts/{name} is stale: rerun "
        "`python -m tools.sourcefacts SOURCE tests/data/source-facts`"
    )


def test_main_writes_the_lists(source_text: str, tmp_path: Path) -> None:
    assert main([str(SOURCE), str(tmp_path)]) == 0
    header = (tmp_path / "dated-statements.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split("\t")[:3] == ["line", "section", "expression"]
    assert (tmp_path / "organisations.tsv").exists()
    header = (tmp_path / "numbers.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split("\t") == ["line", "section", "expression", "value", "unit", "qualifier",
                                   "wording"]  # fmt: skip
    assert main([str(SOURCE)]) == 2
    assert main([str(tmp_path / "no-such-file.txt"), str(tmp_path)]) == 1


def test_the_lists_are_sorted_by_line(
    statements: list[DatedStatement],
    names: list[NameOccurrence],
    number_rows: list[NumberStatement],
) -> None:
    assert [s.line for s in statements] == sorted(s.line for s in statements)
    assert [n.line for n in number_rows] == sorted(n.line for n in number_rows)
    assert [n.first_line for n in names] == sorted(n.first_line for n in names)
    assert len({n.name for n in names}) == len(names)


def test_the_lists_are_not_trivially_small(
    statements: list[DatedStatement],
    names: list[NameOccurrence],
    number_rows: list[NumberStatement],
) -> None:
    assert len(statements) >= 130
    assert len(names) >= 50
    assert len(number_rows) >= 35


# --- sections -------------------------------------------------------------------------------


def test_every_emitted_section_exists_in_source_ttl(
    source_text: str,
    statements: list[DatedStatement],
    names: list[NameOccurrence],
    number_rows: list[NumberStatement],
    section_iris: dict[str, URIRef],
) -> None:
    emitted = {s.section for s in statements}
    emitted |= {section for n in names for section in n.sections}
    emitted |= {n.section for n in number_rows}
    emitted |= {s.number for s in sections(source_text)}
    assert not emitted - set(section_iris), sorted(emitted - set(section_iris))


def test_every_heading_of_source_ttl_is_recognised(
    source_text: str, section_iris: dict[str, URIRef]
) -> None:
    found = [s.number for s in sections(source_text)]
    assert len(found) == len(set(found))
    assert set(found) == set(section_iris)


def test_heading_titles_agree_with_source_ttl(source_text: str) -> None:
    """The Japanese label of each section is its heading (OCR's "·" read as "・")."""
    found = rdflib.Graph().parse(ROOT / "data" / "source.ttl", format="turtle")
    labels = {
        str(number): normalise(str(label)).replace("·", "・")
        for section, number in found.subject_objects(KG.sectionNumber)
        for label in found.objects(section, RDFS.label)
        if isinstance(label, Literal) and label.language == "ja"
    }
    wrong = [
        (s.number, s.line, s.title, labels[s.number])
        for s in sections(source_text)
        if s.title.replace("·", "・") != labels[s.number]
    ]
    assert not wrong, wrong


def test_nothing_before_the_first_heading_is_a_fact(
    statements: list[DatedStatement],
    names: list[NameOccurrence],
    number_rows: list[NumberStatement],
) -> None:
    assert all(s.section for s in statements)
    assert all(n.section for n in number_rows)
    assert all(all(names_in) for names_in in (n.sections for n in names))


# --- presence in the graph: dated statements ------------------------------------------------


def _without_qualifiers(text: str) -> str:
    text = normalise(text)
    stripped = True
    while stripped:
        stripped = False
        for qualifier in QUALIFIERS:
            if text.endswith(qualifier) and len(text) > len(qualifier):
                text, stripped = text[: -len(qualifier)], True
    return text


_LAST_PART = re.compile(r"(?:\([^()]+\)|[アイウエオカキクケコサシスセソタチツテト])$")


def _parent(number: str) -> str | None:
    """The section one level up: §4(2)ア(イ) → §4(2)ア → §4(2) → §4 → None."""
    parent = _LAST_PART.sub("", number)
    return parent if parent != number and parent != "§" else None


def _neighbourhood(number: str, all_numbers: set[str]) -> set[str]:
    """The section, its parent and its children: where a node may cite a fact of the section."""
    parent = _parent(number)
    found = {number} | {n for n in all_numbers if _parent(n) == number}
    return found | ({parent} if parent else set())


def _dated_nodes(graph: rdflib.Graph) -> dict[str, set[rdflib.term.Node]]:
    """Date text (era form, qualifiers dropped) → the nodes that carry it."""
    found: dict[str, set[rdflib.term.Node]] = defaultdict(set)
    for prop in TEXT_PROPERTIES:
        for node, text in graph.subject_objects(prop):
            found[_without_qualifiers(str(text))].add(node)
    return found


def test_parent_and_neighbourhood_of_a_section_number() -> None:
    assert _parent("§4(2)ア(イ)") == "§4(2)ア"
    assert _parent("§4(2)ア") == "§4(2)"
    assert _parent("§4(2)") == "§4"
    assert _parent("§4") is None
    numbers = {"§4", "§4(1)", "§4(2)", "§4(2)ア", "§4(2)ア(ア)", "§4(2)イ"}
    assert _neighbourhood("§4(2)", numbers) == {"§4", "§4(2)", "§4(2)ア", "§4(2)イ"}
    assert _without_qualifiers("昭和50年半ばから") == "昭和50年"
    assert _without_qualifiers("令和 7 年 3 月現在") == "令和7年3月"


def test_every_dated_statement_is_in_the_graph(
    graph: rdflib.Graph,
    statements: list[DatedStatement],
    section_iris: dict[str, URIRef],
    exclusions: dict[tuple[str, str], str],
) -> None:
    by_text = _dated_nodes(graph)
    wanted = Counter(
        (s.section, s.era_form) for s in statements if ("date", _date_key(s)) not in exclusions
    )
    short: dict[tuple[str, str], int] = {}
    for (section, era_form), count in wanted.items():
        allowed = {section_iris[n] for n in _neighbourhood(section, set(section_iris))}
        carriers = {
            node
            for node in by_text.get(era_form, set())
            if allowed & set(graph.objects(node, PROV.wasDerivedFrom))
        }
        if len(carriers) < count:
            short[(section, era_form)] = count - len(carriers)
    missing = [
        f"{s.section}\t{s.expression}{s.qualifier}\tline {s.line}"
        for s in statements
        if (s.section, s.era_form) in short and ("date", _date_key(s)) not in exclusions
    ]
    assert not short, (
        f"{sum(short.values())} dated statement(s) not in the graph (section, date, line; where a "
        "section repeats a date, every line is listed and the count says how many are missing: "
        f"{short}):\n" + "\n".join(missing)
    )


# --- presence in the graph: organisation names ----------------------------------------------


def _name_key(text: str) -> str:
    return normalise(text).replace("㈱", "株式会社").replace("(株)", "株式会社")


def _name_forms(name: str) -> set[str]:
    """The name and the name without a legal form at its start or end."""
    key = _name_key(name)
    forms = {key}
    for form in LEGAL_FORM_PREFIXES:
        if key.startswith(form) and len(key) > len(form):
            forms.add(key[len(form) :])
        if key.endswith(form) and len(key) > len(form):
            forms.add(key[: -len(form)])
    return forms


def _labels(graph: rdflib.Graph) -> tuple[set[str], set[str]]:
    """Japanese labels, and labels in any language, normalised."""
    japanese, every = set(), set()
    for prop in (RDFS.label, SKOS.altLabel):
        for label in graph.objects(None, prop):
            if isinstance(label, Literal):
                every.add(_name_key(str(label)))
                if label.language == "ja":
                    japanese.add(_name_key(str(label)))
    return japanese, every


def test_name_forms_are_narrow() -> None:
    assert _name_forms("シャボン玉石けん㈱") == {"シャボン玉石けん株式会社", "シャボン玉石けん"}
    assert "北九州国際技術協力協会" in _name_forms("公益財団法人 北九州国際技術協力協会")
    assert _name_forms("国際協力銀行") == {"国際協力銀行"}


def test_every_organisation_name_is_in_the_graph(
    graph: rdflib.Graph,
    names: list[NameOccurrence],
    exclusions: dict[tuple[str, str], str],
) -> None:
    japanese, every = _labels(graph)
    missing = []
    for occurrence in names:
        if ("organisation", occurrence.name) in exclusions:
            continue
        pool = every if occurrence.name.isascii() else japanese
        if not _name_forms(occurrence.name) & pool:
            sections_ = " ".join(occurrence.sections)
            lines_ = " ".join(str(n) for n in occurrence.lines)
            missing.append(f"{occurrence.name}\t{sections_}\tlines {lines_}")
    assert not missing, (
        f"{len(missing)} organisation name(s) not in the graph as a label (name, sections, "
        "lines):\n" + "\n".join(missing)
    )


# --- presence in the graph: numbers ---------------------------------------------------------

NUMERIC_TYPES = {
    XSD[name]
    for name in ("integer", "decimal", "double", "float", "int", "long", "short", "byte",
                 "nonNegativeInteger", "positiveInteger", "nonPositiveInteger", "negativeInteger",
                 "unsignedLong", "unsignedInt", "unsignedShort", "unsignedByte")
}  # fmt: skip
LOWER = {"more-than", "at-least"}
UPPER = {"at-most", "less-than"}
VALUE_QUALIFIER = URIRef(f"{KG._NS}valueQualifier")
"""The qualifier a bare ``kg:value`` needs to count as a bound (not required to exist)."""

_DURATION = re.compile(r"P(?:(?P<Y>[0-9]+)Y)?(?:(?P<M>[0-9]+)M)?(?:(?P<D>[0-9]+)D)?")


@dataclass(frozen=True)
class Carrier:
    """A structured value: the node, the property, the number, and "" or a duration's Y/M/D."""

    node: rdflib.term.Node
    prop: rdflib.term.Node
    value: Decimal
    kind: str


def _numeric_properties(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    ranged = {p for p, range_ in graph.subject_objects(RDFS.range) if range_ in NUMERIC_TYPES}
    return {KG.value, SCHEMA.minValue, SCHEMA.maxValue} | ranged


def _duration_carriers(node: rdflib.term.Node, prop: rdflib.term.Node, text: str) -> list[Carrier]:
    """A duration of one component ("P3Y", "P18M") as a count of that component."""
    found = _DURATION.fullmatch(text)
    parts = [(k, v) for k, v in (found.groupdict() if found else {}).items() if v]
    return [Carrier(node, prop, Decimal(parts[0][1]), parts[0][0])] if len(parts) == 1 else []


def _carriers(graph: rdflib.Graph) -> list[Carrier]:
    """Every numeric value of the graph, and every one-component duration."""
    numeric = _numeric_properties(graph)
    found = []
    for node, prop, value in graph:
        if not isinstance(value, Literal):
            continue
        if value.datatype in NUMERIC_TYPES and prop in numeric:
            found.append(Carrier(node, prop, Decimal(str(value)), ""))
        elif value.datatype == XSD.duration:
            found.extend(_duration_carriers(node, prop, str(value)))
    return found


def _values_of(row: NumberStatement) -> set[Decimal]:
    """The values that state ``row``: 5割 is 5, 50 (%) or 0.5; 32% is 32 or 0.32."""
    if row.unit == "割":
        return {row.value, row.value * 10, row.value / 10}
    if row.unit == "%":
        return {row.value, row.value / 100}
    return {row.value}


def _states(graph: rdflib.Graph, row: NumberStatement, carrier: Carrier) -> bool:
    """Whether ``carrier`` states ``row``'s number (its section aside)."""
    if carrier.value not in _values_of(row):
        return False
    if carrier.kind and carrier.kind != DURATION_UNITS.get(row.unit):
        return False  # a duration states only a count of years (months, days)
    qualifiers = set(row.qualifier.split("+"))
    qualified = (carrier.node, VALUE_QUALIFIER, None) in graph and carrier.prop == KG.value
    if qualifiers & LOWER:
        return carrier.prop == SCHEMA.minValue or qualified
    if qualifiers & UPPER:
        return carrier.prop == SCHEMA.maxValue or qualified
    return True


def _matched(candidates: dict[int, list[Carrier]]) -> dict[int, Carrier]:
    """A largest matching of rows (by index) to distinct carriers (augmenting paths)."""
    owner: dict[Carrier, int] = {}

    def place(row: int, seen: set[Carrier]) -> bool:
        for carrier in candidates[row]:
            if carrier not in seen:
                seen.add(carrier)
                if carrier not in owner or place(owner[carrier], seen):
                    owner[carrier] = row
                    return True
        return False

    for row in candidates:
        place(row, set())
    return {row: carrier for carrier, row in owner.items()}


def _number_key(row: NumberStatement) -> str:
    """How ``exclusions.tsv`` names a number: "§6(3)ウ:373:2,500" (section, line, as written)."""
    return f"{row.section}:{row.line}:{row.expression}"


def _missing_numbers(
    graph: rdflib.Graph,
    rows: list[NumberStatement],
    section_iris: dict[str, URIRef],
    exclusions: dict[tuple[str, str], str],
) -> list[NumberStatement]:
    """The rows no structured value states (each section's rows need distinct carriers)."""
    carriers = _carriers(graph)
    wanted = [row for row in rows if ("number", _number_key(row)) not in exclusions]
    missing: list[NumberStatement] = []
    for section in sorted({row.section for row in wanted}):
        allowed = {section_iris[n] for n in _neighbourhood(section, set(section_iris))}
        candidates = {
            index: [
                carrier
                for carrier in carriers
                if _states(graph, row, carrier)
                and allowed & set(graph.objects(carrier.node, PROV.wasDerivedFrom))
            ]
            for index, row in enumerate(wanted)
            if row.section == section
        }
        matched = _matched(candidates)
        missing.extend(wanted[index] for index in candidates if index not in matched)
    return sorted(missing, key=lambda row: row.line)


def _number_line(row: NumberStatement) -> str:
    """The row as "section line number unit qualifier", "-" where empty (failure messages)."""
    cells = (row.section, str(row.line), row.expression, row.unit, row.qualifier or "")
    return "\t".join(cell or "-" for cell in cells)


def test_every_number_is_in_the_graph(
    graph: rdflib.Graph,
    number_rows: list[NumberStatement],
    section_iris: dict[str, URIRef],
    exclusions: dict[tuple[str, str], str],
) -> None:
    missing = _missing_numbers(graph, number_rows, section_iris, exclusions)
    assert not missing, (
        f"{len(missing)} number(s) of the source not in the graph as a structured value "
        "(section, line, number, unit, qualifier; see this module's docstring for what "
        "counts):\n" + "\n".join(_number_line(row) for row in missing)
    )


def _row(text: str) -> NumberStatement:
    """The one number of an invented line under "1 節"."""
    (row,) = numbers("1 節\n" + text + "\n")
    return row


def _tiny_graph(turtle: str) -> rdflib.Graph:
    prefixes = (
        "@prefix kg: <https://w3id.org/kggraph/ontology#> . "
        "@prefix schema: <https://schema.org/> . "
        "@prefix prov: <http://www.w3.org/ns/prov#> . "
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . "
        "@prefix s: <https://example.org/s/> . @prefix n: <https://example.org/n/> . "
    )
    return rdflib.Graph().parse(data=prefixes + turtle, format="turtle")


def test_the_number_check_matches_values_bounds_durations_and_counts() -> None:
    sections_ = {"§1": URIRef("https://example.org/s/1")}
    graph = _tiny_graph(
        "n:a kg:value 3 ; prov:wasDerivedFrom s:1 . "
        'n:b kg:duration "P3Y"^^xsd:duration ; prov:wasDerivedFrom s:1 . '
        "n:c kg:value 2500 ; prov:wasDerivedFrom s:1 . "
        "n:d kg:value 50 ; prov:wasDerivedFrom s:1 . "
    )
    rows = [_row("計3回。"), _row("3年間。"), _row("5割。")]
    assert _missing_numbers(graph, rows, sections_, {}) == []
    # a second 3 in the same section needs its own carrier; the duration does not count as 3回
    assert _missing_numbers(graph, [*rows, _row("3カ国。")], sections_, {}) == [_row("3カ国。")]
    lower = _row("2,500を超える。")
    assert _missing_numbers(graph, [lower], sections_, {}) == [lower]  # a bare value is no bound
    bounded = _tiny_graph("n:c schema:minValue 2500 ; prov:wasDerivedFrom s:1 .")
    assert _missing_numbers(bounded, [lower], sections_, {}) == []
    excluded = {("number", "§1:2:2,500"): "a reason that is long enough"}
    assert _missing_numbers(graph, [lower], sections_, excluded) == []
    elsewhere = {"§1": URIRef("https://example.org/s/2")}
    assert _missing_numbers(graph, rows[:1], elsewhere, {}) == rows[:1]


# --- presence in the graph: numbers in English comments -------------------------------------

_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_NOT_QUANTITIES = (
    re.compile(rf"(?:{'|'.join(ERAS)})[0-9元]+年(?:[0-9]+月(?:[0-9]+日)?|度)?"),
    re.compile(r"§[0-9]+(?:\([0-9]+\))?(?:[\u30a1-\u30fa工才]+)?(?:\([\u30a1-\u30fa]\))?"),
    re.compile(r"\b(?:[Ss]ection|[Pp]hase|[Nn]o\.|[Pp]art|[Cc]hapter) [0-9]+\b"),
    re.compile(rf"\b[0-9]{{1,2}} (?:{_MONTHS})\b|\b(?:{_MONTHS}) [0-9]{{1,2}}\b(?![0-9])"),
    re.compile(r"\bkgid:[^\s,;)]*[^\s,;).]"),
)
"""Comment text whose digits are no quantities: a Japanese date, a section reference, an
ordinal ("phase 2", "section 7"), the day of a date ("21 December", "December 21"), a node's
IRI cited by its prefixed name ("kgid:project/…-2016-03-…") and the short form of a second
IRI in a pair ("… -1 and -2")."""

_COMMENT_NUMBER = re.compile(r"[0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?")
_YEAR = re.compile(r"(?:1[89]|20)[0-9]{2}")
_NAME_BEFORE = re.compile(r"(?:[A-Za-z_]|[A-Za-z][-_])$")
_NAME_AFTER = re.compile(r"[A-Za-z_]")
DATE_TYPES = {XSD.gYear, XSD.gYearMonth, XSD.date, XSD.dateTime, EDTF.EDTF}


@dataclass(frozen=True)
class CommentNumber:
    """A number of an English comment: as written, its value, and whether it is a year."""

    written: str
    value: Decimal
    year: bool


def comment_numbers(text: str) -> list[CommentNumber]:
    """The numbers of ``text`` that are quantities or years (see the module docstring)."""
    for pattern in _NOT_QUANTITIES:
        text = pattern.sub(lambda m: "|" * len(m.group(0)), text)
    found = []
    for match in _COMMENT_NUMBER.finditer(text):
        written, before = match.group(0), text[max(match.start() - 2, 0) : match.start()]
        if _YEAR.fullmatch(written) and text[match.end() : match.end() + 1] not in ("%", "°"):
            found.append(CommentNumber(written, Decimal(written), True))
        elif not _NAME_BEFORE.search(before) and not _NAME_AFTER.match(text, match.end()):
            found.append(CommentNumber(written, Decimal(written.replace(",", "")), False))
    return found


def _years_of(graph: rdflib.Graph, node: rdflib.term.Node) -> set[int]:
    """The years of the dates and fiscal years ``node`` states."""
    found = set()
    for value in graph.objects(node, None):
        if isinstance(value, Literal) and value.datatype in DATE_TYPES:
            if year := re.match(r"[0-9]{4}", str(value)):
                found.add(int(year.group(0)))
        elif isinstance(value, URIRef) and str(value).startswith(FISCAL_YEAR_PREFIX):
            found.add(int(str(value)[len(FISCAL_YEAR_PREFIX) :]))
    return found


def _linked(graph: rdflib.Graph, node: rdflib.term.Node) -> set[rdflib.term.Node]:
    """``node`` and every node one link away from it, in either direction.

    A reified statement is the link it states: a node that a statement points to (an editorial
    statement's reason) is linked to the statement's subject and object as well.
    """
    out = {value for value in graph.objects(node, None) if isinstance(value, URIRef)}
    into = {s for s in graph.subjects(None, node) if isinstance(s, URIRef)}
    stated = {
        part
        for statement in into
        for prop in (RDF.subject, RDF.object)
        for part in graph.objects(statement, prop)
        if isinstance(part, URIRef)
    }
    return {node} | out | into | stated


def _comment_number_key(node: rdflib.term.Node, number: CommentNumber) -> str:
    return f"{node}:{number.written}"


def _english_comments(data: rdflib.Graph) -> list[tuple[rdflib.term.Node, str]]:
    return sorted(
        (node, str(text))
        for node, text in data.subject_objects(RDFS.comment)
        if isinstance(text, Literal) and text.language == "en"
    )


def _missing_comment_numbers(
    graph: rdflib.Graph, data: rdflib.Graph, exclusions: dict[tuple[str, str], str]
) -> list[str]:
    values: dict[rdflib.term.Node, set[Decimal]] = defaultdict(set)
    for carrier in _carriers(graph):
        values[carrier.node].add(carrier.value)
    missing = []
    for node, text in _english_comments(data):
        near = _linked(graph, node)
        years = {year for other in near for year in _years_of(graph, other)}
        stated = {value for other in near for value in values[other]}
        for number in dict.fromkeys(comment_numbers(text)):  # each number once per comment
            if ("comment-number", _comment_number_key(node, number)) in exclusions:
                continue
            if number.year and int(number.value) not in years:
                missing.append(f"{node}\t{number.written}\tyear: not a date of node or neighbour")
            elif not number.year and not {number.value, number.value / 100} & stated:
                missing.append(f"{node}\t{number.written}\tnot a value of node or neighbour")
    return missing


@pytest.fixture(scope="module")
def data_graph() -> rdflib.Graph:
    found = rdflib.Graph()
    for path in sorted((ROOT / "data").glob("*.ttl")):
        found.parse(path, format="turtle")
    return found


def test_every_number_in_an_english_comment_is_in_the_graph(
    graph: rdflib.Graph, data_graph: rdflib.Graph, exclusions: dict[tuple[str, str], str]
) -> None:
    missing = _missing_comment_numbers(graph, data_graph, exclusions)
    assert not missing, (
        f"{len(missing)} number(s) written in an English rdfs:comment are no structured value "
        "(node, number, why):\n" + "\n".join(missing)
    )


def test_comment_numbers_keep_quantities_and_years_only() -> None:
    text = (
        "More than 2,500 members; 150% of FY2005; within 1.5°C; about (約) 70 people. "
        "Signed 21 December 2009 and in March 2020 (令和2年3月), §6(2)ア and §4(2)エ(イ), phase 2, "
        "section 7; G7, CO2, PM2.5, 3R, Showa-50s, mid-1975, sister-city-2014."
    )
    found = [(n.written, n.year) for n in comment_numbers(text)]
    assert found == [
        ("2,500", False),
        ("150", False),
        ("2005", True),
        ("1.5", False),
        ("70", False),
        ("2009", True),
        ("2020", True),
        ("1975", True),
        ("2014", True),
    ]
    assert comment_numbers("2,500")[0].value == Decimal(2500)


def test_the_comment_check_accepts_linked_values_and_dates_only() -> None:
    graph = _tiny_graph(
        'n:a kg:value 7 ; kg:date "2016-11"^^xsd:gYearMonth ; kg:about n:b . '
        "n:b kg:value 10 ; kg:fiscalYear <https://w3id.org/kggraph/id/fiscal-year/2017> . "
        "n:c kg:value 6 . "
    )
    data = _tiny_graph(
        "n:a <http://www.w3.org/2000/01/rdf-schema#comment> "
        '"7 and 10 in 2016 and FY2017, not 6 nor 2018"@en .'
    )
    missing = _missing_comment_numbers(graph, data, {})
    assert [line.split("\t")[1] for line in missing] == ["6", "2018"]
    reason = _tiny_graph(
        "n:s a <http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement> ; kg:reason n:r ; "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#subject> n:b . "
        'n:r <http://www.w3.org/2000/01/rdf-schema#comment> "FY2017 and 10, not 7"@en .'
    )
    both = graph + reason
    assert [line.split("\t")[1] for line in _missing_comment_numbers(both, reason, {})] == ["7"]
    excluded = {("comment-number", "https://example.org/n/a:6"): "a reason long enough"}
    assert [line.split("\t")[1] for line in _missing_comment_numbers(graph, data, excluded)] == [
        "2018"
    ]


# --- exclusions -----------------------------------------------------------------------------


def test_exclusions_name_real_rows_and_give_reasons(
    statements: list[DatedStatement],
    names: list[NameOccurrence],
    number_rows: list[NumberStatement],
    data_graph: rdflib.Graph,
    exclusions: dict[tuple[str, str], str],
) -> None:
    real = {("date", _date_key(s)) for s in statements}
    real |= {("organisation", n.name) for n in names}
    real |= {("number", _number_key(n)) for n in number_rows}
    real |= {
        ("comment-number", _comment_number_key(node, number))
        for node, text in _english_comments(data_graph)
        for number in comment_numbers(text)
    }
    stale = sorted(set(exclusions) - real)
    assert not stale, f"exclusions.tsv names rows the source or comments no longer give: {stale}"
    assert all(len(reason) >= 20 for reason in exclusions.values())
    kinds = Counter(kind for kind, _ in exclusions)
    assert set(kinds) <= {"date", "organisation", "number", "comment-number"}, kinds
    assert max(kinds.values()) <= 20, f"exclusions are meant to be few: {kinds}"


# --- unit tests of the heading parser and the extractors ------------------------------------

OUTLINE = """\
序文 平成2年のこと

1 最初の節

本文。

2 次の節

(1) 大連市 (中国)

1 これは見出しではない(番号が続かない)

ア.ベトナム

⑦包括的資源循環システム構築事業

(イ)有機系産業排水

イ. パラオ

(ア) 野菜ごみ

ウ.フィリピン

工.世界銀行

才. 環境省

(2) 次の項

エ . その他
"""


def test_heading_parser_numbers_sections_like_source_ttl() -> None:
    found = [(s.number, s.title) for s in sections(OUTLINE)]
    assert found == [
        ("§1", "最初の節"),
        ("§2", "次の節"),
        ("§2(1)", "大連市(中国)"),
        ("§2(1)ア", "ベトナム"),
        ("§2(1)ア(ア)", "包括的資源循環システム構築事業"),
        ("§2(1)ア(イ)", "有機系産業排水"),
        ("§2(1)イ", "パラオ"),
        ("§2(1)イ(ア)", "野菜ごみ"),
        ("§2(1)ウ", "フィリピン"),
        ("§2(1)エ", "世界銀行"),
        ("§2(1)オ", "環境省"),
        ("§2(2)", "次の項"),
    ]


def test_a_kana_heading_out_of_sequence_is_body_text() -> None:
    """エ. under a fresh (2) is not the next item (ア is), so it stays in §2(2)."""
    last = list(lines(OUTLINE))[-1]
    assert (last.section, last.heading) == ("§2(2)", False)


def test_body_lines_carry_their_section() -> None:
    found = {line.content: line.section for line in lines(OUTLINE)}
    assert found["本文。"] == "§1"
    assert found["1 これは見出しではない(番号が続かない)"] == "§2(1)"
    assert found["序文 平成2年のこと"] == ""


def test_dated_statements_of_a_small_text() -> None:
    text = (
        "1 節\n"
        "平成 26 年 4 月に締結、平成28年度に策定、令和 7 年 3 月現在の数。\n"
        "2050年度までに2005年度比で削減。昭和50年半ばから。令和元年度。(H25)\n"
        "令和4年4月より3年間、平成 21 年 12 月 21 日に覚書。\n"
    )
    found = [(s.line, s.expression, s.qualifier, s.kind, s.iso) for s in dated_statements(text)]
    assert found == [
        (2, "平成26年4月", "", "date", "2014-04"),
        (2, "平成28年度", "", "fiscal-year", "2016-04-01/2017-03-31"),
        (2, "令和7年3月", "現在", "date", "2025-03"),
        (3, "2050年度", "まで", "fiscal-year", "2050-04-01/2051-03-31"),
        (3, "2005年度", "", "fiscal-year", "2005-04-01/2006-03-31"),
        (3, "昭和50年", "半ばから", "date", "1975"),
        (3, "令和元年度", "", "fiscal-year", "2019-04-01/2020-03-31"),
        (3, "H25", "", "date", "2013"),
        (4, "令和4年4月", "より", "date", "2022-04"),
        (4, "平成21年12月21日", "", "date", "2009-12-21"),
    ]
    assert dated_statements(text)[7].era_form == "平成25年"
    assert all(s.section == "§1" for s in dated_statements(text))


def test_numbers_that_are_not_dates_are_ignored() -> None:
    text = "1 節\n3年間で11,107人、2,500を超える。14カ国約70名。PM2.5。\n"
    assert dated_statements(text) == []


def test_a_date_that_does_not_exist_is_an_error() -> None:
    from kggraph.core.errors import SourceError

    with pytest.raises(SourceError, match="line 2"):
        dated_statements("1 節\n平成32年に。\n")


def _names(text: str) -> list[tuple[str, str]]:
    return [(n.name, n.rule) for n in organisation_names("1 節\n" + text)]


def test_legal_forms_before_and_after_a_name() -> None:
    text = (
        "支援を受け、アミタホールディングス株式会社や株式会社EVモーターズ・ジャパン等と、"
        "シャボン玉石けん㈱と公益財団法人 北九州国際技術協力協会(KITA)が。\n"
    )
    assert _names(text) == [
        ("アミタホールディングス株式会社", "suffix:株式会社"),
        ("株式会社EVモーターズ・ジャパン", "legal-form"),
        ("シャボン玉石けん㈱", "curated"),
        ("公益財団法人北九州国際技術協力協会", "legal-form"),
        ("KITA", "acronym"),
    ]


def test_organisation_words_end_names() -> None:
    text = (
        "令和6年5月 ハイフォン水道公社と北九州市上下水道局の覚書。"
        "ベトナム・フートォ水道公社及びハイフォン市水道公社と協定。"
        "タイ工業省工場局、工業団地を運営している IRPC 社との間。\n"
    )
    assert [name for name, _ in _names(text)] == [
        "ハイフォン水道公社",
        "北九州市上下水道局",
        "フートォ水道公社",
        "ハイフォン市水道公社",
        "タイ工業省工場局",
        "IRPC社",
    ]


def test_ordinary_words_are_not_names() -> None:
    text = (
        "大学生と高校や大学から。同協議会の下で。事務局として主催。省エネ対策。"
        "合弁会社を設立。低炭素社会。センターを中心に。国連パリ協定と国連地方自治体表彰。"
        "国際村交流センターとコンポストセンター。ベトナム国バリアブンタウ省の事業。\n"
    )
    assert _names(text) == []


def test_curated_names_and_acronyms() -> None:
    text = (
        "全世界の国が加盟する国連からも。持続可能な都市と地域をめざす自治体協議会イクレイは。"
        "JICA 九州・KITA と。JICA研修。\n"
    )
    assert [name for name, _ in _names(text)] == [
        "国連",
        "持続可能な都市と地域をめざす自治体協議会",
        "イクレイ",
        "JICA九州",
        "KITA",
        "JICA",
    ]


def test_names_are_deduplicated_with_their_sections() -> None:
    text = "1 節\n国際協力銀行が。\n\n2 次\n\n(1) 項\n\n国際協力銀行 (JBIC) と。\n"
    found = organisation_names(text)
    assert [(n.name, n.sections, n.lines) for n in found] == [
        ("国際協力銀行", ("§1", "§2(1)"), (2, 8)),
        ("JBIC", ("§2(1)",), (8,)),
    ]


def test_write_tsv_refuses_cells_that_break_the_format(tmp_path: Path) -> None:
    from kggraph.core.errors import SourceError

    path = tmp_path / "x.tsv"
    assert write_tsv(path, ("a", "b"), [("1", "2")]) == 1
    assert path.read_text(encoding="utf-8") == "a\tb\n1\t2\n"
    with pytest.raises(SourceError):
        write_tsv(path, ("a", "b"), [("1", "2\t3")])
    with pytest.raises(SourceError):
        write_tsv(path, ("a", "b"), [("1",)])


def _numbers(text: str) -> list[tuple[str, str, str, str]]:
    """(as written, value, unit, qualifier) of each number of an invented body text."""
    return [(n.expression, plain(n.value), n.unit, n.qualifier) for n in numbers("1 節\n" + text)]


def test_numbers_with_units_and_values() -> None:
    text = "研修員受入が 169 カ国・地域から 11,107人、14カ国、23コース、5件、32%、2箇所、1.5℃。\n"
    assert _numbers(text) == [
        ("169", "169", "カ国・地域", ""),
        ("11,107", "11107", "人", ""),
        ("14", "14", "カ国", ""),
        ("23", "23", "コース", ""),
        ("5", "5", "件", ""),
        ("32", "32", "%", ""),
        ("2", "2", "箇所", ""),
        ("1.5", "1.5", "℃", ""),
    ]


def test_full_width_digits_multipliers_tenths_and_kanji_counts() -> None:
    text = "１２人と１，２００件。3万人。5割を占める。ついで二番目、三つの案。\n"
    assert _numbers(text) == [
        ("１２", "12", "人", ""),
        ("１，２００", "1200", "件", ""),
        ("3万", "30000", "人", ""),
        ("5", "5", "割", ""),
        ("二", "2", "番目", ""),
        ("三", "3", "つ", ""),
    ]
    assert [kanji_number(k) for k in ("三", "十二", "二百五", "千", "〇")] == [3, 12, 205, 1000, 0]


def test_a_number_without_a_counter_has_an_empty_unit() -> None:
    assert _numbers("2,500を超える自治体。\n") == [("2,500", "2500", "", "more-than")]


def test_qualifiers_before_and_after_a_number() -> None:
    text = (
        "約 70 名、のべ67 人、延べ5回、計3回、合計4件、1.5℃以内、10人以上、3件未満、"
        "100人余り、20人程度、最大6件、契約3件、設計2件。\n"
    )
    assert [(e, q) for e, _, _, q in _numbers(text)] == [
        ("70", "about"),
        ("67", "cumulative"),
        ("5", "cumulative"),
        ("3", "total"),
        ("4", "total"),
        ("1.5", "at-most"),
        ("10", "at-least"),
        ("3", "less-than"),
        ("100", "more-than"),
        ("20", "about"),
        ("6", "at-most"),
        ("3", ""),  # 契約 "contract" is no 約 "about"
        ("2", ""),  # 設計 "design" is no 計 "total"
    ]
    (both,) = numbers("1 節\n計約3回以上。\n")
    assert (both.qualifier, both.wording) == ("about+at-least", "約…以上")


def test_durations_keep_their_counter() -> None:
    text = "令和4年4月より3年間、平成 29年度からの3年間、平成31年1月から令和5年4月までの4年間。\n"
    assert _numbers(text) == [
        ("3", "3", "年間", ""),
        ("3", "3", "年間", ""),
        ("4", "4", "年間", ""),
    ]
    assert DURATION_UNITS["年間"] == "Y"


def test_dates_are_left_to_the_date_list() -> None:
    text = (
        "平成 21 年 12 月 21 日に覚書、令和元年度、2050年度までに2005年度比、(H25)、"
        "令和 7 年 3 月現在。\n"
    )
    assert _numbers(text) == []
    # a Gregorian year with neither 度 nor a month is no date of the date list: it stays visible
    assert _numbers("2019年に。\n") == [("2019", "2019", "年", "")]


def test_item_numbers_urls_titles_and_ordinals_are_no_quantities() -> None:
    text = (
        "(3) 項目。\n2. 項目。\n1 これは見出しではない。\n3 件を採択。\n"
        "https://example.org/2024/comic/index1.html を参照。\n"
        "「グローバル 500 賞」と『第4回フォーラム』。\n"
        "第2期として、第3期建屋が完成、特集第7節参照、第 6 回。\n"
    )
    assert _numbers(text) == [("3", "3", "件", "")]


def test_names_and_symbols_are_no_quantities() -> None:
    text = (
        "G7会合、CO2排出量、CO₂、CO_2、PM2.5、3R活動、U-BCF、日中韓三カ国、唯一2回、北九州、"
        "JICA九州、一部、一層、一体。\n"
    )
    assert _numbers(text) == [("2", "2", "回", "")]


def test_numbers_rows_name_their_section_and_line() -> None:
    text = "1 節\n3件。\n\n2 次\n\n(1) 項\n\n4人と5人。\n"
    assert [(n.line, n.section, n.expression) for n in numbers(text)] == [
        (2, "§1", "3"),
        (8, "§2(1)", "4"),
        (8, "§2(1)", "5"),
    ]
    assert numbers(text)[0].row() == ("2", "§1", "3", "3", "件", "", "")
    assert plain(Decimal("2.50")) == "2.5"
    assert plain(Decimal("2.5E+3")) == "2500"


def test_require_skips_and_fails_when_everything_is_required(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require(tmp_path, "present")
    require(True, "holds")
    monkeypatch.delenv("KGGRAPH_REQUIRE_ALL", raising=False)
    with pytest.raises(pytest.skip.Exception, match="x.txt is missing"):
        require(tmp_path / "x.txt", "x.txt is missing")
    monkeypatch.setenv("KGGRAPH_REQUIRE_ALL", "1")
    with pytest.raises(pytest.fail.Exception, match="x.txt is missing"):
        require(tmp_path / "x.txt", "x.txt is missing")
    with pytest.raises(pytest.fail.Exception, match="no server"):
        require(False, "no server")
