"""The editorial graph's build check, on small projects written into a temporary folder.

Each project has the real ontology and shapes and a few nodes of its own; the added triple
(a company based in a country) is what its editorial statement explains.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kggraph.core.config import Settings
from kggraph.core.errors import ValidationFailed
from kggraph.graph.store import EDITORIAL_GRAPH
from kggraph.publish.build import MANIFEST, build, check
from kggraph.validation.editorial import CHECK
from kggraph.validation.shapes import ValidationReport, ValidationResult

pytestmark = pytest.mark.slow

PREFIXES = """\
@prefix kg:   <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdf:  <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""
SOURCE = """
kgid:source\\/test a kg:SourceDocument ;
    rdfs:label "Test source"@en , "試験の典拠"@ja .
kgid:source\\/test\\/s1 a kg:SourceSection ;
    rdfs:label "Test section"@en , "試験の節"@ja ;
    kg:sectionNumber "§1" ;
    kg:partOfSection kgid:source\\/test .
"""
NODES = """
kgid:org\\/test-company a kg:Company ;
    rdfs:label "Test Company"@en , "試験株式会社"@ja ;
    prov:wasDerivedFrom kgid:source\\/test\\/s1 .
kgid:country\\/testland a kg:Country ;
    rdfs:label "Testland"@en , "試験国"@ja ;
    prov:wasDerivedFrom kgid:source\\/test\\/s1 .
"""
ADDED = "kgid:org\\/test-company kg:basedIn kgid:country\\/testland .\n"
NOTES = """
kgid:editorial-reason\\/test a kg:EditorialReason ;
    rdfs:label "Seat from outside knowledge"@en , "典拠外の知識による所在地"@ja ;
    rdfs:comment "The source does not say where the company is."@en ,
        "典拠は企業の所在地を記していない。"@ja ;
    kg:editorialBasis kgid:concept\\/editorial-basis\\/outside-knowledge .
kgid:editorial\\/test-company-based-in a kg:EditorialStatement ;
    rdf:subject kgid:org\\/test-company ;
    rdf:predicate kg:basedIn ;
    rdf:object kgid:country\\/testland ;
    kg:reason kgid:editorial-reason\\/test ;
    prov:wasAttributedTo <https://w3id.org/kggraph/catalog#publisher> ;
    prov:wasDerivedFrom kgid:source\\/test\\/s1 .
"""
STATEMENT = "kgid:editorial/test-company-based-in"


def _project(root: Path, *, nodes: str, editorial: str) -> Settings:
    data = root / "data"
    (data / "source.ttl").write_text(PREFIXES + SOURCE, encoding="utf-8")
    (data / "nodes.ttl").write_text(PREFIXES + nodes, encoding="utf-8")
    (data / "editorial.ttl").write_text(PREFIXES + editorial, encoding="utf-8")
    return Settings(root=root, output=root / "dist")


@pytest.fixture
def project(project_copy: Callable[..., Path]) -> Callable[..., Settings]:
    def make(*, nodes: str = NODES, editorial: str = ADDED + NOTES) -> Settings:
        return _project(project_copy(with_data=False), nodes=nodes, editorial=editorial)

    return make


def _editorial_findings(settings: Settings) -> list[ValidationResult]:
    report = check(settings).report
    others = [r for r in report.violations if r.shape != CHECK]
    assert not others, report.text()
    return [r for r in report.violations if r.shape == CHECK]


def test_a_statement_in_its_graph_only_passes_and_builds(project: Callable[..., Settings]) -> None:
    settings = project()
    assert _editorial_findings(settings) == []
    result = build(settings)
    manifest = json.loads((result.release / MANIFEST).read_text(encoding="utf-8"))
    reason, statement = 6, 7
    assert manifest["graphs"][EDITORIAL_GRAPH.value] == 1 + reason + statement
    assert manifest["triples"]["editorial"] == manifest["graphs"][EDITORIAL_GRAPH.value]


def test_a_statement_whose_triple_is_in_a_source_graph_only_fails(
    project: Callable[..., Settings],
) -> None:
    findings = _editorial_findings(project(nodes=NODES + ADDED, editorial=NOTES))
    assert [f.focus for f in findings] == [STATEMENT, STATEMENT]
    missing, elsewhere = sorted(findings, key=lambda f: "also in" in f.message)
    assert "is not in the editorial graph" in missing.message
    assert "kgid:org/test-company kg:basedIn kgid:country/testland" in missing.message
    assert missing.source == "data/editorial.ttl"
    assert "also in data/nodes.ttl" in elsewhere.message
    assert elsewhere.source == "data/nodes.ttl"


def test_a_statement_also_in_a_source_graph_fails(project: Callable[..., Settings]) -> None:
    findings = _editorial_findings(project(nodes=NODES + ADDED))
    assert len(findings) == 1
    assert findings[0].focus == STATEMENT
    assert "also in data/nodes.ttl" in findings[0].message
    assert "editorial graph only" in findings[0].message


def test_an_unexplained_triple_in_the_editorial_graph_fails(
    project: Callable[..., Settings],
) -> None:
    extra = 'kgid:org\\/test-company skos:altLabel "TC"@en .\n'
    findings = _editorial_findings(project(editorial=ADDED + NOTES + extra))
    assert len(findings) == 1
    assert findings[0].focus == "kgid:org/test-company"
    assert 'kgid:org/test-company skos:altLabel "TC"@en' in findings[0].message
    assert "no kg:EditorialStatement explains" in findings[0].message


def test_the_build_refuses_a_misplaced_statement_like_a_shape_violation(
    project: Callable[..., Settings],
) -> None:
    settings = project(nodes=NODES + ADDED)
    with pytest.raises(ValidationFailed) as caught:
        build(settings)
    report = caught.value.report
    assert isinstance(report, ValidationReport) and not report.conforms
    assert STATEMENT in report.text() and CHECK in report.text()
    assert not (settings.output_dir / "current").exists()
