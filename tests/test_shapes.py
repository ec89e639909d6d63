"""The SHACL shapes in ``shapes/``, tested like code (STYLE 11).

Every shape has a small graph in ``tests/data/shapes/invalid/`` that breaks exactly that rule;
its ``# expect: <shape> <focus node> [<path>]`` header lines name the shape (a node shape, a
property shape or a SHACL-SPARQL constraint), the node the result is about and its path, and
no other rule may fire on the fixture's own nodes. The graphs in ``tests/data/shapes/valid/``
give no result at all, not even a warning. Each graph is validated together with the class
hierarchy of ``ontology/*.ttl`` (the build validates ontology and data as one graph), so the
targets reach subclass instances through ``rdfs:subClassOf`` without inference.

The fixtures of a kind are validated in one run, not one run each (a run costs about a second
however small its graph): each fixture's ``kgid:`` nodes are first moved to a namespace of its
own (``kgid:<fixture>/…``), so that fixtures which reuse node names (``kgid:source/example``)
stay apart, and every result is the result of the one fixture that holds its focus node. The
shapes look at a focus node and its neighbours only (no constraint compares nodes across the
graph), and ``test_every_result_belongs_to_one_fixture`` fails if a result could not be told
apart.

pySHACL runs each SHACL-SPARQL constraint once per focus node and rdflib parses the query text again
on every call (about a quarter of a second for the era check), so the graph validated here parses
each distinct query once (``kggraph.validation.shapes.PreparedQueryGraph``, what the build uses
too); the evaluation is rdflib's own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from rdflib.term import Node

from kggraph.core import eras
from kggraph.core.errors import EraDateError
from kggraph.core.namespaces import ID_IRI, KG, KGID, KGSH, RDF, RDFS, SH, XSD, shorten
from kggraph.validation.shapes import PreparedQueryGraph, validate_graph

ROOT = Path(__file__).resolve().parents[1]
SHAPES_DIR = ROOT / "shapes"
ONTOLOGY_DIR = ROOT / "ontology"
INVALID = sorted((ROOT / "tests" / "data" / "shapes" / "invalid").glob("*.ttl"))
VALID = sorted((ROOT / "tests" / "data" / "shapes" / "valid").glob("*.ttl"))
EXPECT = re.compile(r"^# expect: (\S+) (\S+)(?: (\S+))?[ \t]*$", re.MULTILINE)
CLASSES = sorted(name for name in KG.__annotations__ if name[:1].isupper())
NOT_DERIVED = {"FiscalYear", "SourceDocument", "SourceSection", "AgreementType", "Sector"}
NOT_DERIVED |= {"Unit", "Measure", "EditorialBasis", "EditorialReason", "ValueQualifier"}
"""Classes whose instances need no ``prov:wasDerivedFrom``: the source, generated or vocabulary
(an editorial reason is the editors' own words, shared by statements of several sections)."""
UNLABELLED = {"EditorialStatement"}
"""Classes whose nodes have no label: an editorial statement shows as its triple."""
WARNING_SHAPES = {
    "kgsh:ProjectDateShape",
    "kgsh:PublicationDateShape",
    "kgsh:PublicationShape-publisher",
    "kgsh:RecognitionDateShape",
    "kgsh:RecognitionConferrerShape-conferredBy",
}
"""The only recommendations (sh:Warning); everything else is a violation."""
ERA_CHECK = "kgsh:EraDateShape-agreement"
FISCAL_CHECK = "kgsh:EraFiscalYearShape-agreement"
BOUNDS_CHECK = "kgsh:FiscalYearShape-bounds"


# --- Validation helpers -------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One validation result, with every shape IRI it can be attributed to."""

    severity: str
    shapes: frozenset[str]
    focus: str
    path: str | None
    message: str


@dataclass(frozen=True)
class Report:
    conforms: bool
    findings: tuple[Finding, ...]

    def about(self, focus: str) -> list[Finding]:
        return [f for f in self.findings if f.focus == focus]

    def text(self) -> str:
        return "\n".join(
            f"{f.severity} {sorted(f.shapes)} {f.focus} {f.path}: {f.message}"
            for f in self.findings
        )


@dataclass(frozen=True)
class Expectation:
    shape: str
    focus: str
    path: str | None


def _short(node: Node | None) -> str | None:
    if node is None:
        return None
    return shorten(str(node)) if isinstance(node, rdflib.URIRef) else f"_:{node}"


def _findings(results: rdflib.Graph, shapes: rdflib.Graph) -> Iterator[Finding]:
    for result in results.subjects(RDF.type, SH.ValidationResult):
        source = results.value(result, SH.sourceShape)
        owners = set(shapes.subjects(SH.property, source)) if source is not None else set()
        attributed = {source, results.value(result, SH.sourceConstraint), *owners}
        yield Finding(
            severity=str(results.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            shapes=frozenset(str(_short(n)) for n in attributed if isinstance(n, rdflib.URIRef)),
            focus=str(_short(results.value(result, SH.focusNode))),
            path=_short(results.value(result, SH.resultPath)),
            message=" ".join(str(m) for m in results.objects(result, SH.resultMessage)),
        )


def _validate(shapes: rdflib.Graph, *graphs: rdflib.Graph) -> Report:
    """pySHACL over the union of ``graphs``: no inference, no SHACL-AF, every result kept."""
    data = PreparedQueryGraph()
    for graph in graphs:
        data += graph
    conforms, results = validate_graph(data, shapes, allow_warnings=False)
    return Report(bool(conforms), tuple(_findings(results, shapes)))


def _parse(*paths: Path) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


def _expectations(path: Path) -> list[Expectation]:
    return [
        Expectation(shape, focus, path_ or None)
        for shape, focus, path_ in EXPECT.findall(path.read_text(encoding="utf-8"))
    ]


@dataclass(frozen=True)
class Fixture:
    """A fixture graph with its ``kgid:`` nodes moved to ``kgid:<name>/…``, the focus nodes it
    expects moved likewise, and every node it holds (IRIs and blank nodes), shortened as
    findings name them."""

    name: str
    graph: rdflib.Graph
    expected: tuple[Expectation, ...]
    nodes: frozenset[str]

    def findings(self, report: Report) -> list[Finding]:
        return [f for f in report.findings if f.focus in self.nodes]


def _moved(node: Node, name: str) -> Node:
    if isinstance(node, rdflib.URIRef) and str(node).startswith(ID_IRI):
        return rdflib.URIRef(f"{ID_IRI}{name}/{str(node).removeprefix(ID_IRI)}")
    return node


def _fixture(path: Path) -> Fixture:
    name = path.stem
    graph = rdflib.Graph()
    for s, p, o in _parse(path):
        graph.add((_moved(s, name), p, _moved(o, name)))
    expected = []
    for want in _expectations(path):
        assert want.focus.startswith("kgid:"), f"{path.name}: expect a kgid: focus node"
        expected.append(Expectation(want.shape, f"kgid:{name}/{want.focus[5:]}", want.path))
    own = {
        n
        for triple in graph
        for n in (triple[0], triple[2])
        if isinstance(n, rdflib.BNode) or str(n).startswith(f"{ID_IRI}{name}/")
    }
    return Fixture(name, graph, tuple(expected), frozenset(str(_short(n)) for n in own))


def _declared_severity(shapes: rdflib.Graph, shape: str) -> str:
    iri = rdflib.URIRef(str(KGSH) + shape.removeprefix("kgsh:"))
    owners = [iri, *shapes.subjects(SH.sparql, iri)]
    warning = any((owner, SH.severity, SH.Warning) in shapes for owner in owners)
    return "Warning" if warning else "Violation"


def _shape_iris(shapes: rdflib.Graph) -> set[str]:
    """Every named shape and SPARQL constraint: what a fixture can name in ``# expect:``."""
    kinds = (SH.NodeShape, SH.PropertyShape, SH.SPARQLConstraint)
    nodes = {s for kind in kinds for s in shapes.subjects(RDF.type, kind)}
    return {str(_short(n)) for n in nodes if isinstance(n, rdflib.URIRef)}


def _mentioned(graph: rdflib.Graph) -> set[str]:
    return {str(_short(n)) for triple in graph for n in triple if isinstance(n, rdflib.URIRef)}


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return _parse(*sorted(SHAPES_DIR.glob("*.ttl")))


@pytest.fixture(scope="module")
def ontology_files() -> rdflib.Graph:
    """Everything in ``ontology/``: the classes, external terms and the SKOS concept schemes."""
    return _parse(*sorted(ONTOLOGY_DIR.glob("*.ttl")))


@pytest.fixture(scope="module")
def ontology(ontology_files: rdflib.Graph) -> rdflib.Graph:
    """The class hierarchy, which is all the shapes read from the ontology (targets and
    ``sh:class`` follow ``rdfs:subClassOf``). The concept instances are left out so that each
    fixture is checked on its own nodes; ``test_the_ontology_alone_conforms`` checks them."""
    hierarchy = rdflib.Graph()
    for triple in ontology_files.triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    return hierarchy


# --- Fixtures: every shape broken once, the valid graphs clean ----------------------------


def test_there_are_fixtures_of_both_kinds() -> None:
    assert len(INVALID) >= 50
    assert VALID


@pytest.fixture(scope="module")
def invalid() -> dict[str, Fixture]:
    return {path.stem: _fixture(path) for path in INVALID}


@pytest.fixture(scope="module")
def valid() -> dict[str, Fixture]:
    return {path.stem: _fixture(path) for path in VALID}


@pytest.fixture(scope="module")
def invalid_report(
    invalid: dict[str, Fixture], shapes: rdflib.Graph, ontology: rdflib.Graph
) -> Report:
    """Every invalid fixture, validated in one run."""
    return _validate(shapes, ontology, *(f.graph for f in invalid.values()))


@pytest.fixture(scope="module")
def valid_report(valid: dict[str, Fixture], shapes: rdflib.Graph, ontology: rdflib.Graph) -> Report:
    """Every valid fixture, validated in one run."""
    return _validate(shapes, ontology, *(f.graph for f in valid.values()))


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.stem)
def test_invalid_fixture_breaks_exactly_its_rule(
    path: Path, invalid: dict[str, Fixture], invalid_report: Report, shapes: rdflib.Graph
) -> None:
    fixture = invalid[path.stem]
    expected = fixture.expected
    assert expected, f"{path.name} has no '# expect: <shape> <focus> [<path>]' header line"
    report = Report(False, tuple(fixture.findings(invalid_report)))
    assert report.findings, f"{path.name} conforms but should break {expected}"
    for want in expected:
        hits = [
            f
            for f in report.about(want.focus)
            if want.shape in f.shapes and (want.path is None or f.path == want.path)
        ]
        assert hits, f"no result of {want} in:\n{report.text()}"
        assert {f.severity for f in hits} == {_declared_severity(shapes, want.shape)}
    mine = _mentioned(fixture.graph)
    unexpected = [
        f
        for f in report.findings
        if f.focus in mine and not any(want.shape in f.shapes for want in expected)
    ]
    assert not unexpected, f"{path.name} also breaks other rules:\n{report.text()}"
    unfilled = [f.message for f in report.findings if not f.message or "{" in f.message]
    assert not unfilled, "every result has a message, its SPARQL variables substituted"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.stem)
def test_valid_fixture_conforms_without_warnings(
    path: Path, valid: dict[str, Fixture], valid_report: Report
) -> None:
    fixture = valid[path.stem]
    assert fixture.nodes, f"{path.name} holds no node of its own"
    assert not fixture.findings(valid_report), valid_report.text()


def test_every_result_belongs_to_one_fixture(
    invalid: dict[str, Fixture],
    valid: dict[str, Fixture],
    invalid_report: Report,
    valid_report: Report,
) -> None:
    """Fixtures validated together keep apart: no two hold the same node, and every result is
    about a node of one of them (a result about a shared node would be any fixture's)."""
    for fixtures, report in ((invalid, invalid_report), (valid, valid_report)):
        owners: dict[str, str] = {}
        for fixture in fixtures.values():
            for node in fixture.nodes:
                assert owners.setdefault(node, fixture.name) == fixture.name, node
        stray = [f for f in report.findings if f.focus not in owners]
        assert not stray, "results about no fixture's own node:\n" + "\n".join(map(str, stray))
    assert valid_report.conforms, valid_report.text()


def test_every_shape_has_an_invalid_fixture(shapes: rdflib.Graph) -> None:
    named = {want.shape for path in INVALID for want in _expectations(path)}
    known = _shape_iris(shapes)
    assert named <= known, f"fixtures name shapes that do not exist: {named - known}"
    parts = {
        str(_short(node)): {str(_short(p)) for p in shapes.objects(node, SH.property)}
        | {str(_short(c)) for c in shapes.objects(node, SH.sparql)}
        for node in shapes.subjects(RDF.type, SH.NodeShape)
    }
    untested_nodes = {node for node, own in parts.items() if not ({node} | own) & named}
    assert not untested_nodes, f"node shapes without an invalid fixture: {untested_nodes}"
    untested_parts = set().union(*parts.values()) - named
    assert not untested_parts, f"property shapes or SPARQL constraints untested: {untested_parts}"


def test_the_valid_fixtures_have_every_class() -> None:
    valid = _parse(*VALID)
    typed = {str(o) for o in valid.objects(None, RDF.type)}
    missing = [name for name in CLASSES if str(KG[name]) not in typed]
    assert not missing


def test_the_ontology_alone_conforms(shapes: rdflib.Graph, ontology_files: rdflib.Graph) -> None:
    """The SKOS concepts in ``ontology/`` are instances too: they need their labels."""
    assert (KG.City, RDFS.subClassOf, KG.AdministrativeArea) in ontology_files
    report = _validate(shapes, ontology_files)
    assert report.conforms, report.text()


# --- Targets: every kg: class is reached through the ontology's subclass links -------------


@pytest.fixture(scope="module")
def unlabelled(shapes: rdflib.Graph, ontology: rdflib.Graph) -> Report:
    """One bare node of each class: no labels, no provenance, nothing else."""
    graph = rdflib.Graph()
    for name in CLASSES:
        graph.add((KGID[f"test/{name}"], RDF.type, KG[name]))
    return _validate(shapes, ontology, graph)


@pytest.mark.parametrize("name", CLASSES)
def test_labels_and_provenance_reach_every_class(name: str, unlabelled: Report) -> None:
    shapes_hit = {s for f in unlabelled.about(f"kgid:test/{name}") for s in f.shapes}
    labels = {"kgsh:LabelShape-english", "kgsh:LabelShape-japanese"}
    assert (labels <= shapes_hit) == (name not in UNLABELLED)
    assert "kgsh:LabelShape" not in shapes_hit or name not in UNLABELLED
    assert ("kgsh:ProvenanceShape" in shapes_hit) == (name not in NOT_DERIVED)


# --- Shape hygiene: names, messages, severities --------------------------------------------


def test_node_shapes_are_named_and_labelled(shapes: rdflib.Graph) -> None:
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        assert isinstance(shape, rdflib.URIRef) and str(shape).startswith(str(KGSH)), shape
        labels = [lbl for lbl in shapes.objects(shape, RDFS.label) if _language(lbl) == "en"]
        assert len(labels) == 1, f"{shape} needs one rdfs:label @en"


def test_property_shapes_have_name_and_message(shapes: rdflib.Graph) -> None:
    for shape in shapes.objects(None, SH.property):
        assert isinstance(shape, rdflib.URIRef), "property shapes get IRIs, for the report"
        assert (shape, RDF.type, SH.PropertyShape) in shapes
        assert shapes.value(shape, SH.name) is not None, f"{shape} has no sh:name"
        _assert_one_english_message(shapes, shape)


def test_node_level_constraints_have_a_message(shapes: rdflib.Graph) -> None:
    node_level = (SH["or"], SH.xone, SH["class"], SH["not"])
    for shape in shapes.subjects(RDF.type, SH.NodeShape):
        if any(shapes.value(shape, p) is not None for p in node_level):
            _assert_one_english_message(shapes, shape)


def test_sparql_constraints_are_complete(shapes: rdflib.Graph) -> None:
    constraints = set(shapes.objects(None, SH.sparql))
    assert len(constraints) >= 4
    for constraint in constraints:
        assert (constraint, RDF.type, SH.SPARQLConstraint) in shapes
        assert shapes.value(constraint, SH.select) is not None
        assert shapes.value(constraint, SH.prefixes) is not None
        _assert_one_english_message(shapes, constraint)
    for owner in shapes.subjects(SH.sparql, None):
        # pySHACL adds a shape's own sh:message to each of its SPARQL results too.
        assert shapes.value(owner, SH.message) is None, owner


def test_only_the_recommendations_are_warnings(shapes: rdflib.Graph) -> None:
    severities = {str(_short(s)): o for s, o in shapes.subject_objects(SH.severity)}
    assert set(severities.values()) <= {SH.Violation, SH.Warning}
    warnings = {shape for shape, severity in severities.items() if severity == SH.Warning}
    assert warnings == WARNING_SHAPES


def _assert_one_english_message(shapes: rdflib.Graph, shape: Node) -> None:
    messages = list(shapes.objects(shape, SH.message))
    assert len(messages) == 1, f"{shape} needs exactly one sh:message"
    assert _language(messages[0]) == "en", f"{shape}: the message is English (@en)"


def _language(node: Node) -> str | None:
    return node.language if isinstance(node, rdflib.Literal) else None


# --- The era check: SHACL-SPARQL on rdflib agrees with kggraph.core.eras --------------------------

ERA_CASES: list[tuple[str, str, str, bool]] = [
    ("昭和64年", "1989", "gYear", True),
    ("平成元年", "1989", "gYear", True),
    ("平成31年4月", "2019-04", "gYearMonth", True),
    ("令和元年5月", "2019-05", "gYearMonth", True),
    ("令和元年", "2019", "gYear", True),
    ("大正15年", "1926", "gYear", True),
    ("平成26年4月", "2014-04", "gYearMonth", True),
    ("平成26年4月", "2014-05", "gYearMonth", False),
    ("平成26年4月", "2015-04", "gYearMonth", False),
    ("平成26年4月", "2014", "gYear", False),
    ("平成21年12月21日", "2009-12-21", "date", True),
    ("平成21年12月21日", "2009-12", "gYearMonth", False),
    ("平成21年12月21日", "2009-12-20", "date", False),
    ("平成２６年", "2014", "gYear", True),
    ("平成 26 年 4 月 1 日 から", "2014-04-01", "date", True),
    ("令和7年3月現在", "2025-03", "gYearMonth", True),
    ("昭和50年半ば", "1975", "gYear", True),
    ("平成2年頃より", "1990", "gYear", True),
    ("平成13年3月末", "2001-03", "gYearMonth", True),
    ("2025年3月", "2025-03", "gYearMonth", True),
    ("garbage", "2014", "gYear", False),
    ("26年", "2014", "gYear", False),
    ("平成26年度", "2014", "gYear", False),
    ("昭和65年", "1990", "gYear", False),
    ("平成26年13月", "2014-12", "gYearMonth", False),
]
"""(text, ISO value, XSD datatype, do they agree?)"""

FISCAL_CASES: list[tuple[str, str, bool]] = [
    ("平成28年度", "2016-04-01", True),
    ("平成28年度", "2017-04-01", False),
    ("平成２８年度", "2016-04-01", True),
    ("令和元年度", "2019-04-01", True),
    ("平成31年度", "2019-04-01", True),
    ("令和4年度から", "2022-04-01", True),
    ("2050年度", "2050-04-01", True),
    ("来年度", "2016-04-01", False),
    ("平成28年", "2016-04-01", False),
]
"""(fiscal-year text, the kg:startDate of the node it points to, do they agree?)"""

BOUNDS_CASES: list[tuple[str, str, bool]] = [
    ("2016-04-01", "2017-03-31", True),
    ("2016-04-01", "2017-04-30", False),
    ("2016-05-01", "2017-04-30", False),
    ("2016-04-01", "2016-03-31", False),
]
"""(kg:startDate, kg:endDate of a kg:FiscalYear node, is it a fiscal year?)"""


def _eras_agree(text: str, iso: str, datatype: str) -> bool:
    try:
        found = eras.parse_date(text)
    except EraDateError:
        return False
    return (found.iso, found.xsd) == (iso, datatype)


def _eras_fiscal_agree(text: str, start: str) -> bool:
    try:
        return eras.parse_fiscal_year(text).start.isoformat() == start
    except EraDateError:
        return False


def _date_node(graph: rdflib.Graph, name: str, text: str, iso: str, datatype: str) -> None:
    node = KGID[f"test/{name}"]
    graph.add((node, KG.date, rdflib.Literal(iso, datatype=XSD[datatype])))
    graph.add((node, KG.dateText, rdflib.Literal(text, lang="ja")))


def _fiscal_node(graph: rdflib.Graph, name: str, start: str, end: str) -> rdflib.URIRef:
    node = KGID[f"test/fy-{name}"]
    graph.add((node, RDF.type, KG.FiscalYear))
    graph.add((node, RDFS.label, rdflib.Literal(f"FY {name}", lang="en")))
    graph.add((node, RDFS.label, rdflib.Literal(f"{name}年度", lang="ja")))
    graph.add((node, KG.startDate, rdflib.Literal(start, datatype=XSD.date)))
    graph.add((node, KG.endDate, rdflib.Literal(end, datatype=XSD.date)))
    return node


@pytest.fixture(scope="module")
def era_report(shapes: rdflib.Graph, ontology: rdflib.Graph) -> Report:
    """All era cases in one graph, validated once."""
    graph = rdflib.Graph()
    for i, (text, iso, datatype, _ok) in enumerate(ERA_CASES):
        _date_node(graph, f"date-{i}", text, iso, datatype)
    for i, (text, start, _ok) in enumerate(FISCAL_CASES):
        end = f"{int(start[:4]) + 1}-03-31"
        year = _fiscal_node(graph, f"case-{i}", start, end)
        graph.add((KGID[f"test/fiscal-{i}"], KG.fiscalYear, year))
        graph.add((KGID[f"test/fiscal-{i}"], KG.fiscalYearText, rdflib.Literal(text, lang="ja")))
    for i, (start, end, _ok) in enumerate(BOUNDS_CASES):
        _fiscal_node(graph, f"bounds-{i}", start, end)
    return _validate(shapes, ontology, graph)


def _hits(report: Report, focus: str, shape: str) -> list[Finding]:
    return [f for f in report.about(focus) if shape in f.shapes]


@pytest.mark.parametrize(("index", "case"), list(enumerate(ERA_CASES)), ids=lambda c: str(c))
def test_era_check(index: int, case: tuple[str, str, str, bool], era_report: Report) -> None:
    text, iso, datatype, ok = case
    assert _eras_agree(text, iso, datatype) == ok, "the table disagrees with kggraph.core.eras"
    hits = _hits(era_report, f"kgid:test/date-{index}", ERA_CHECK)
    assert (not hits) == ok, era_report.text()
    for hit in hits:
        assert hit.path == "kg:date"
        assert text in hit.message and iso in hit.message and datatype in hit.message


@pytest.mark.parametrize(("index", "case"), list(enumerate(FISCAL_CASES)), ids=lambda c: str(c))
def test_fiscal_year_check(index: int, case: tuple[str, str, bool], era_report: Report) -> None:
    text, start, ok = case
    assert _eras_fiscal_agree(text, start) == ok, "the table disagrees with kggraph.core.eras"
    hits = _hits(era_report, f"kgid:test/fiscal-{index}", FISCAL_CHECK)
    assert (not hits) == ok, era_report.text()
    assert all(text in hit.message and hit.path == "kg:fiscalYear" for hit in hits)


@pytest.mark.parametrize(("index", "case"), list(enumerate(BOUNDS_CASES)), ids=lambda c: str(c))
def test_fiscal_year_node_bounds(
    index: int, case: tuple[str, str, bool], era_report: Report
) -> None:
    start, end, ok = case
    hits = _hits(era_report, f"kgid:test/fy-bounds-{index}", BOUNDS_CHECK)
    assert (not hits) == ok, era_report.text()
    assert all(start in hit.message and end in hit.message for hit in hits)


def _generated_dates() -> Iterator[tuple[str, str, str]]:
    """Texts of every era year boundary and a spread of years, months and days, with the
    ISO value and datatype ``kggraph.core.eras`` reads from them."""
    texts = [f"{era}{n}年" for era, n in (("昭和", 1), ("昭和", 64), ("平成", 31), ("令和", 7))]
    texts += [f"平成{n}年{n % 12 + 1}月" for n in range(1, 31, 3)]
    texts += [f"昭和{n}年{n % 12 + 1}月{n % 28 + 1}日" for n in range(2, 64, 5)]
    texts += [f"令和{n}年{n}月{n * 3}日頃" for n in range(2, 10, 2)]
    texts += ["平成元年1月8日", "平成31年4月30日", "令和元年5月1日", "昭和64年1月7日"]
    for text in texts:
        found = eras.parse_date(text)
        yield text, found.iso, found.xsd


def _shift_year(iso: str) -> str:
    return f"{int(iso[:4]) + 1}{iso[4:]}"


def test_era_check_accepts_what_kggraph_eras_reads(
    shapes: rdflib.Graph, ontology: rdflib.Graph
) -> None:
    graph = rdflib.Graph()
    cases = list(_generated_dates())
    for i, (text, iso, datatype) in enumerate(cases):
        _date_node(graph, f"right-{i}", text, iso, datatype)
        _date_node(graph, f"wrong-{i}", text, _shift_year(iso), datatype)
    report = _validate(shapes, ontology, graph)
    right = [i for i in range(len(cases)) if _hits(report, f"kgid:test/right-{i}", ERA_CHECK)]
    wrong = [i for i in range(len(cases)) if _hits(report, f"kgid:test/wrong-{i}", ERA_CHECK)]
    assert right == [], [cases[i] for i in right]
    assert wrong == list(range(len(cases)))


def test_sparql_message_shows_text_and_value(era_report: Report) -> None:
    index = ERA_CASES.index(("平成26年4月", "2015-04", "gYearMonth", False))
    (hit,) = _hits(era_report, f"kgid:test/date-{index}", ERA_CHECK)
    assert hit.message == (
        'The date text "平成26年4月" does not match kg:date "2015-04"^^xsd:gYearMonth: '
        'the text reads as "2014-04"^^xsd:gYearMonth.'
    )
