"""Integrity of the data itself, checked in Python beside the SHACL shapes (two independent checks).

Every date agrees with its original Japanese wording (via ``kggraph.core.eras``), every node has
both labels and a section of the source, and every IRI the data points to exists.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import Literal, URIRef

from kggraph.core.eras import EraDate, FiscalYear, parse
from kggraph.core.namespaces import (
    DATED_PAIRS,
    FISCAL_PAIRS,
    ID_IRI,
    KG,
    PROV,
    RDF,
    RDFS,
    XSD,
)

ROOT = Path(__file__).resolve().parents[1]
LINKS = ROOT / "data" / "links.ttl"
UNDESCRIBED_KINDS = ("fiscal-year/",)
"""Kinds of IRI that the data may point to without describing: the build generates them."""


@pytest.fixture(scope="module")
def data() -> rdflib.Graph:
    """The data files, less the links out (data/links.ttl: from outside the source, checked
    in tests/test_links.py)."""
    graph = rdflib.Graph()
    for path in sorted((ROOT / "data").rglob("*.ttl")):
        if path != LINKS:
            graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def everything(data: rdflib.Graph) -> rdflib.Graph:
    graph = rdflib.Graph()
    graph += data
    graph.parse(LINKS, format="turtle")
    for path in sorted((ROOT / "ontology").rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _iso_of(value: EraDate) -> Literal:
    return Literal(value.iso, datatype=URIRef(value.datatype))


def test_there_is_data(data: rdflib.Graph) -> None:
    assert len(data) > 300


def test_every_iso_date_agrees_with_its_era_text(data: rdflib.Graph) -> None:
    checked, wrong = 0, []
    for iso_prop, text_prop in DATED_PAIRS:
        for node, text in data.subject_objects(text_prop):
            parsed = parse(str(text))
            isos = list(data.objects(node, iso_prop))
            assert isinstance(parsed, EraDate), f"{node}: {text} is a fiscal year, not a date"
            if isos != [_iso_of(parsed)]:
                wrong.append((str(node), str(text), [str(i) for i in isos], parsed.iso))
            checked += 1
    assert not wrong, wrong
    assert checked >= 20


def test_every_fiscal_year_agrees_with_its_era_text(data: rdflib.Graph) -> None:
    wrong = []
    for node_prop, text_prop in FISCAL_PAIRS:
        for node, text in data.subject_objects(text_prop):
            parsed = parse(str(text))
            assert isinstance(parsed, FiscalYear), f"{node}: {text} is not a fiscal year"
            expected = URIRef(f"{ID_IRI}fiscal-year/{parsed.year}")
            if list(data.objects(node, node_prop)) != [expected]:
                wrong.append((str(node), str(text)))
    assert not wrong, wrong


def test_no_iso_date_without_its_text(data: rdflib.Graph) -> None:
    pairs = [*DATED_PAIRS, *FISCAL_PAIRS]
    orphans = [
        (str(s), str(p))
        for p, text_prop in pairs
        for s in data.subjects(p)
        if (s, text_prop, None) not in data
    ]
    assert not orphans


def test_date_literals_have_date_types(data: rdflib.Graph) -> None:
    allowed = {XSD.date, XSD.gYearMonth, XSD.gYear}
    for iso_prop, _ in DATED_PAIRS:
        for value in data.objects(None, iso_prop):
            assert isinstance(value, Literal) and value.datatype in allowed, value


def _described(data: rdflib.Graph) -> set[rdflib.term.Node]:
    """Every typed node, except editorial statement notes: a note is read as its triple
    (subject – property – object), so it carries no label of its own."""
    notes = set(data.subjects(RDF.type, KG.EditorialStatement))
    return set(data.subjects(RDF.type)) - notes


def test_every_node_has_english_and_japanese_labels(everything: rdflib.Graph) -> None:
    missing = []
    for node in _described(everything):
        if not str(node).startswith(ID_IRI):
            continue
        languages = sorted(lit.language or "" for lit in everything.objects(node, RDFS.label))
        if languages != ["en", "ja"]:
            missing.append((str(node), languages))
    assert not missing, missing


def test_every_fact_cites_a_section(data: rdflib.Graph) -> None:
    # A reason is the editors' own words, shared by statements of several sections.
    exempt = {KG.SourceDocument, KG.SourceSection, KG.EditorialReason}
    uncited = [
        str(node)
        for node in _described(data)
        if not exempt & set(data.objects(node, RDF.type))
        and (node, PROV.wasDerivedFrom, None) not in data
    ]
    assert not uncited, uncited
    sections = set(data.objects(None, PROV.wasDerivedFrom))
    assert all((s, RDF.type, KG.SourceSection) in data for s in sections)


def test_every_project_iri_points_to_something_described(everything: rdflib.Graph) -> None:
    described = _described(everything)
    dangling = sorted(
        {
            str(o)
            for o in everything.objects()
            if isinstance(o, URIRef)
            and str(o).startswith(ID_IRI)
            and not str(o).startswith(tuple(ID_IRI + k for k in UNDESCRIBED_KINDS))
            and o not in described
        }
    )
    assert not dangling, dangling


def test_sections_cite_the_source_numbering(data: rdflib.Graph) -> None:
    numbers = [str(n) for n in data.objects(None, KG.sectionNumber)]
    assert "§2(4)" in numbers and "§3" in numbers and "§7(2)" in numbers
    assert len(numbers) == len(set(numbers))
