"""The build: identical N-Triples twice, honest manifest, and a failed build changes nothing."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest

from kggraph.core.config import Settings
from kggraph.core.errors import SourceError, ValidationFailed
from kggraph.publish.build import MANIFEST, BuildResult, build
from kggraph.publish.promote import CURRENT, RELEASES, current_release
from kggraph.publish.summary import replace_block
from kggraph.validation.shapes import ValidationReport

pytestmark = pytest.mark.slow

BAD_AGREEMENT = """\
@prefix kg: <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

kgid:org\\/test-agency a kg:Organization ;
    rdfs:label "Test agency"@en , "試験機関"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .

kgid:agreement\\/test-one-party a kg:Agreement ;
    rdfs:label "A one-party agreement"@en , "一者だけの協定"@ja ;
    kg:agreementType kgid:concept\\/agreement-type\\/memorandum-of-understanding ;
    kg:party kgid:org\\/test-agency ;
    kg:date "2014-04"^^xsd:gYearMonth ;
    kg:dateText "平成26年4月"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
"""
"""An agreement with one party, in the small project (``conftest.SMALL_DATA``): its only fault."""


def _files(release: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(release.iterdir())}


def test_two_builds_give_byte_identical_ntriples(built: BuildResult, rebuilt: BuildResult) -> None:
    again = rebuilt
    assert again.release != built.release
    first, second = _files(built.release), _files(again.release)
    assert first["kggraph.nt"] == second["kggraph.nt"]
    assert first["kggraph.nt.gz"] == second["kggraph.nt.gz"]
    assert len(first["kggraph.nt"]) > 10_000


def test_ntriples_are_sorted_and_distinct(built: BuildResult) -> None:
    lines = (built.release / "kggraph.nt").read_bytes().splitlines()
    assert lines == sorted(set(lines))


def test_manifest_tells_the_truth(built: BuildResult) -> None:
    manifest = json.loads((built.release / MANIFEST).read_text(encoding="utf-8"))
    assert manifest == built.manifest.as_json()
    for name, info in manifest["files"].items():
        data = (built.release / name).read_bytes()
        assert info["bytes"] == len(data)
        assert info["sha256"] == hashlib.sha256(data).hexdigest()
    lines = (built.release / "kggraph.nt").read_bytes().count(b"\n")
    assert manifest["triples"]["total"] == lines
    assert manifest["triples"]["ontology"] > 0 and manifest["triples"]["data"] > 0
    assert manifest["version"] and manifest["built_at"].endswith("Z")
    assert manifest["classes"]["kg:City"] >= 5


def test_gzip_files_hold_the_same_bytes(built: BuildResult) -> None:
    for name in ("kggraph.nt", "kggraph.ttl", "kggraph.jsonld"):
        plain = (built.release / name).read_bytes()
        assert gzip.decompress((built.release / f"{name}.gz").read_bytes()) == plain


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("kggraph.ttl", ox.RdfFormat.TURTLE), ("kggraph.jsonld", ox.RdfFormat.JSON_LD)],
)
def test_every_format_holds_the_same_graph(
    built: BuildResult, name: str, fmt: ox.RdfFormat
) -> None:
    """Read back with pyoxigraph, a different parser from the rdflib serialisers that wrote them."""
    reference = set(ox.parse(path=built.release / "kggraph.nt", format=ox.RdfFormat.N_TRIPLES))
    other = set(ox.parse(path=built.release / name, format=fmt))
    assert other == reference


def test_turtle_uses_the_project_prefixes(built: BuildResult) -> None:
    head = (built.release / "kggraph.ttl").read_text(encoding="utf-8")[:3000]
    assert "@prefix kg: <https://w3id.org/kggraph/ontology#>" in head
    assert "a kg:City" in (built.release / "kggraph.ttl").read_text(encoding="utf-8")


def test_jsonld_has_a_context(built: BuildResult) -> None:
    document = json.loads((built.release / "kggraph.jsonld").read_text(encoding="utf-8"))
    assert document["@context"]["kg"] == "https://w3id.org/kggraph/ontology#"


def test_current_points_at_the_release(built: BuildResult) -> None:
    assert current_release(built.release.parents[1]) == built.release


def test_failed_build_leaves_the_last_good_output_untouched(
    small_project: Callable[..., Path],
) -> None:
    root = small_project()
    settings = Settings(root=root, output=root / "dist")
    good = build(settings)
    before = _files(good.release)
    (root / "data" / "zz-bad.ttl").write_text(BAD_AGREEMENT, encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        build(settings)
    assert current_release(settings.output_dir) == good.release
    assert _files(good.release) == before
    assert [p.name for p in (settings.output_dir / RELEASES).iterdir()] == [good.release.name]
    report = caught.value.report
    assert isinstance(report, ValidationReport) and not report.conforms
    assert [r.focus for r in report.violations] == ["kgid:agreement/test-one-party"]
    finding = report.violations[0]
    assert finding.label == "A one-party agreement"
    assert finding.path == "kg:party"
    assert finding.source == "data/zz-bad.ttl"
    assert "part" in finding.message.lower()


def test_a_parse_error_names_file_line_and_column(project_copy: Callable[..., Path]) -> None:
    root = project_copy()
    (root / "data" / "broken.ttl").write_text(
        '@prefix kg: <https://w3id.org/kggraph/ontology#> .\n\nkg:a kg:b "unclosed .\n',
        encoding="utf-8",
    )
    with pytest.raises(SourceError) as caught:
        build(Settings(root=root, output=root / "dist"))
    assert caught.value.location is not None
    assert caught.value.location.startswith(str(root / "data" / "broken.ttl") + ":3:")
    assert not (root / "dist" / CURRENT).exists()


def test_blank_nodes_are_refused(project_copy: Callable[..., Path]) -> None:
    root = project_copy()
    (root / "data" / "blank.ttl").write_text(
        "@prefix kg: <https://w3id.org/kggraph/ontology#> .\n[] kg:value 3 .\n", encoding="utf-8"
    )
    with pytest.raises(SourceError, match="blank nodes"):
        build(Settings(root=root, output=root / "dist"))


def test_releases_beyond_keep_are_pruned(small_project: Callable[..., Path]) -> None:
    root = small_project()
    settings = Settings(root=root, output=root / "dist", keep_releases=1)
    results = [build(settings) for _ in range(3)]
    kept = sorted(p.name for p in (settings.output_dir / RELEASES).iterdir())
    assert kept == sorted(r.release.name for r in results[1:])
    assert current_release(settings.output_dir) == results[-1].release


def test_ntriples_parse_with_pyoxigraph(built: BuildResult) -> None:
    count = sum(
        1 for _ in ox.parse(path=built.release / "kggraph.nt", format=ox.RdfFormat.N_TRIPLES)
    )
    assert count == built.manifest.triples.total


def test_readme_summary_matches_the_data(built: BuildResult, repo_root: Path) -> None:
    """The README's "What is in the graph" block is what `kggraph summary` makes of this build."""
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    assert replace_block(readme, built.manifest) == readme, "run `make readme` and commit"
    assert "| `kg:City` |" in readme
