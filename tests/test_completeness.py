"""Completeness: every date and every organisation the source states is in the graph.

``kggraph.sourcefacts`` lists them mechanically from the source; the lists are kept in
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
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef

from kggraph.eras import QUALIFIERS
from kggraph.namespaces import KG, PROV, RDFS, SKOS
from kggraph.sourcefacts import (
    LEGAL_FORM_PREFIXES,
    DatedStatement,
    NameOccurrence,
    dated_statements,
    lines,
    main,
    normalise,
    organisation_names,
    sections,
    write_all,
    write_tsv,
)

ROOT = Path(__file__).resolve().parents[1]
SOURCE = Path(__file__).resolve().parents[2] / "shared/source/000_5b69d3d5bab7a4e9.txt"
FACTS = Path(__file__).resolve().parent / "data" / "source-facts"
TEXT_PROPERTIES = (
    KG.dateText,
    KG.startDateText,
    KG.endDateText,
    KG.foundingDateText,
    KG.asOfText,
    KG.fiscalYearText,
    KG.startFiscalYearText,
)


# --- fixtures -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def source_text() -> str:
    return SOURCE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def statements(source_text: str) -> list[DatedStatement]:
    return dated_statements(source_text)


@pytest.fixture(scope="module")
def names(source_text: str) -> list[NameOccurrence]:
    return organisation_names(source_text)


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


@pytest.mark.parametrize("name", ["dated-statements.tsv", "organisations.tsv"])
def test_kept_lists_equal_what_the_script_produces(
    source_text: str, tmp_path: Path, name: str
) -> None:
    write_all(source_text, tmp_path)
    kept = (FACTS / name).read_text(encoding="utf-8")
    fresh = (tmp_path / name).read_text(encoding="utf-8")
    assert kept == fresh, (
        f"tests/data/source-facts/{name} is stale: rerun "
        "`python -m kggraph.sourcefacts SOURCE tests/data/source-facts`"
    )


def test_main_writes_both_lists(tmp_path: Path) -> None:
    assert main([str(SOURCE), str(tmp_path)]) == 0
    header = (tmp_path / "dated-statements.tsv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split("\t")[:3] == ["line", "section", "expression"]
    assert (tmp_path / "organisations.tsv").exists()
    assert main([str(SOURCE)]) == 2
    assert main([str(tmp_path / "no-such-file.txt"), str(tmp_path)]) == 1


def test_the_lists_are_sorted_by_line(
    statements: list[DatedStatement], names: list[NameOccurrence]
) -> None:
    assert [s.line for s in statements] == sorted(s.line for s in statements)
    assert [n.first_line for n in names] == sorted(n.first_line for n in names)
    assert len({n.name for n in names}) == len(names)


def test_the_lists_are_not_trivially_small(
    statements: list[DatedStatement], names: list[NameOccurrence]
) -> None:
    assert len(statements) >= 130
    assert len(names) >= 50


# --- sections -------------------------------------------------------------------------------


def test_every_emitted_section_exists_in_source_ttl(
    source_text: str,
    statements: list[DatedStatement],
    names: list[NameOccurrence],
    section_iris: dict[str, URIRef],
) -> None:
    emitted = {s.section for s in statements}
    emitted |= {section for n in names for section in n.sections}
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
    statements: list[DatedStatement], names: list[NameOccurrence]
) -> None:
    assert all(s.section for s in statements)
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


# --- exclusions -----------------------------------------------------------------------------


def test_exclusions_name_real_rows_and_give_reasons(
    statements: list[DatedStatement],
    names: list[NameOccurrence],
    exclusions: dict[tuple[str, str], str],
) -> None:
    real = {("date", _date_key(s)) for s in statements}
    real |= {("organisation", n.name) for n in names}
    stale = sorted(set(exclusions) - real)
    assert not stale, f"exclusions.tsv names rows the source no longer gives: {stale}"
    assert all(len(reason) >= 20 for reason in exclusions.values())
    assert len(exclusions) <= 20, "exclusions are meant to be few"


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
    from kggraph.errors import SourceError

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
    from kggraph.errors import SourceError

    path = tmp_path / "x.tsv"
    assert write_tsv(path, ("a", "b"), [("1", "2")]) == 1
    assert path.read_text(encoding="utf-8") == "a\tb\n1\t2\n"
    with pytest.raises(SourceError):
        write_tsv(path, ("a", "b"), [("1", "2\t3")])
    with pytest.raises(SourceError):
        write_tsv(path, ("a", "b"), [("1",)])
