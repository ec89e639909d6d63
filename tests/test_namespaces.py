"""The base IRI is set once: every Turtle file declares the project prefixes as namespaces.py."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kggraph.core.namespaces import BASE_IRI, KG, PREFIXES, shorten, sparql_prologue

ROOT = Path(__file__).resolve().parents[1]
TURTLE = sorted(
    p
    for folder in ("ontology", "data", "shapes", "tests/data")
    for p in (ROOT / folder).rglob("*.ttl")
)
PREFIX_LINE = re.compile(r"^\s*@prefix\s+([\w-]*):\s*<([^>]*)>", re.MULTILINE)


def _declared(path: Path) -> dict[str, str]:
    return dict(PREFIX_LINE.findall(path.read_text(encoding="utf-8")))


def test_there_are_turtle_files_to_check() -> None:
    assert any(p.parts[-2] == "ontology" for p in TURTLE)


@pytest.mark.parametrize("path", TURTLE, ids=lambda p: str(p.relative_to(ROOT)))
def test_prefixes_match_the_one_definition(path: Path) -> None:
    declared = _declared(path)
    wrong = {n: iri for n, iri in declared.items() if n in PREFIXES and PREFIXES[n] != iri}
    assert not wrong, f"{path.name}: these prefixes differ from kggraph.core.namespaces: {wrong}"
    aliases = {
        n: iri for n, iri in declared.items() if iri.startswith(BASE_IRI) and n not in PREFIXES
    }
    assert not aliases, f"{path.name}: project IRIs under other prefix names: {aliases}"


def test_schema_org_is_https_everywhere() -> None:
    offenders = [p.name for p in TURTLE if "http://schema.org/" in p.read_text(encoding="utf-8")]
    assert not offenders


def test_shorten_uses_the_longest_matching_prefix() -> None:
    assert shorten(str(KG.City)) == "kg:City"
    assert shorten(BASE_IRI + "id/city/haiphong") == "kgid:city/haiphong"
    assert shorten("http://example.org/x") == "<http://example.org/x>"


def test_closed_vocabulary_rejects_typos() -> None:
    with pytest.raises(AttributeError):
        _ = KG.Citty


def test_sparql_prologue_declares_every_prefix() -> None:
    prologue = sparql_prologue()
    assert all(f"PREFIX {name}: <{iri}>" in prologue for name, iri in PREFIXES.items())
