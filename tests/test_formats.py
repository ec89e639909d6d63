"""One home for format knowledge (issue 12, 3): ``kggraph.core.formats``.

The table is checked against pyoxigraph's own description of each format it names, the
lookups are checked on every format, and every other module of ``kggraph`` is read (with
``ast``) for what would start a second table: a media type of one of our formats spelled as a
string, or a mapping built from pyoxigraph's ``RdfFormat`` / ``QueryResultsFormat`` members.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import kggraph
from kggraph.core.formats import (
    BY_NAME,
    FORMATS,
    HTML,
    AnswerKind,
    Format,
    by_extension,
    default_format,
    formats_for,
    kind_of_form,
    lookup,
)

PACKAGE = Path(kggraph.__file__).parent
HOME = PACKAGE / "core" / "formats.py"

GENERIC = {"application/json", "application/xml", "text/xml", "text/plain", "text/html"}
"""Media types that are ours as aliases (or the page's) but also label what is no RDF or SPARQL
answer: JSON APIs, the sitemap, error text, pages. Spelling them elsewhere is no second table."""

ALLOWED: dict[tuple[str, str], str] = {
    ("web/explore/views.py", "text/csv"): "the timeline table, a CSV file but no SPARQL answer",
    ("web/explore/network_api.py", "text/csv"): "the network's edge list, a CSV file with a "
    "header parameter, no SPARQL answer",
}
"""(module, media type) pairs that may spell a format's media type, each with its reason."""

_NATIVE_CLASSES = {"RdfFormat", "QueryResultsFormat"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if p != HOME)


def _name(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _ours() -> set[str]:
    """Every media type of the table (and the page's), but the generic ones."""
    return {m for f in (*FORMATS, HTML) for m in f.media_types} - GENERIC


def _media_strings(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, media type) of each string constant that is one of ours, parameters aside."""
    ours = _ours()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            media = node.value.split(";", 1)[0].strip().lower()
            if media in ours:
                found.append((node.lineno, media))
    return found


def _is_native(node: ast.AST | None) -> bool:
    """``ox.RdfFormat.TURTLE``, ``pyoxigraph.QueryResultsFormat.JSON``, ``RdfFormat.X`` …"""
    if not isinstance(node, ast.Attribute):
        return False
    owner = node.value
    name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
    return name in _NATIVE_CLASSES


def _native_mappings(tree: ast.AST) -> list[int]:
    """Lines of dict displays and comprehensions with a pyoxigraph format as a key or value."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict) and any(map(_is_native, [*node.keys, *node.values])):
            found.append(node.lineno)
        elif isinstance(node, ast.DictComp) and (_is_native(node.key) or _is_native(node.value)):
            found.append(node.lineno)
    return found


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_no_module_spells_a_media_type_of_ours(path: Path) -> None:
    module = _name(path)
    spelled = [
        f"{module}:{line}: {media!r}"
        for line, media in _media_strings(ast.parse(path.read_text(encoding="utf-8")))
        if (module, media) not in ALLOWED
    ]
    assert not spelled, "ask kggraph.core.formats instead: " + ", ".join(spelled)


@pytest.mark.parametrize("path", _modules(), ids=_name)
def test_no_module_maps_names_to_pyoxigraph_formats(path: Path) -> None:
    lines = _native_mappings(ast.parse(path.read_text(encoding="utf-8")))
    assert not lines, f"{_name(path)}:{lines}: use Format.rdf_format / Format.results_format"


@pytest.mark.parametrize(
    "template", sorted((PACKAGE / "web" / "templates").glob("*.html")), ids=_name
)
def test_no_template_spells_a_media_type_of_ours(template: Path) -> None:
    """Templates get the table as ``formats`` (``kggraph.web.http.templating``)."""
    text = template.read_text(encoding="utf-8").lower()
    spelled = sorted(m for m in _ours() if f'"{m}"' in text or f"'{m}'" in text)
    assert not spelled, f"{_name(template)}: use format_table[...].media_type for {spelled}"


def test_every_allowance_is_still_needed() -> None:
    for (module, media), reason in ALLOWED.items():
        source = (PACKAGE / module).read_text(encoding="utf-8")
        assert media in {m for _, m in _media_strings(ast.parse(source))}, (module, reason)


def test_the_checks_see_what_they_look_for() -> None:
    source = (
        'A = "text/turtle; charset=utf-8"\nB = {"x": ox.RdfFormat.TURTLE}\n'
        "C = {f: pyoxigraph.QueryResultsFormat.CSV for f in y}\n"
        'D = "application/json"\nE = ox.RdfFormat.N_TRIPLES\n'
    )
    tree = ast.parse(source)
    assert _media_strings(tree) == [(1, "text/turtle")]
    assert _native_mappings(tree) == [2, 3]


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_each_format_is_what_pyoxigraph_calls_it(fmt: Format) -> None:
    """Media type and extension as pyoxigraph states them for the serialiser named; the W3C
    IRI too, but for JSON-LD (pyoxigraph names the newer ``…/ns/formats/data/JSON-LD``)."""
    native = fmt.native
    assert native is not None
    assert native.media_type.split(";")[0] == fmt.media_type
    assert native.file_extension == fmt.extension
    if fmt.name != "json-ld":
        assert native.iri == fmt.spec
    if fmt.kind is AnswerKind.GRAPH:
        assert fmt.rdf_format is native
        with pytest.raises(TypeError):
            _ = fmt.results_format
    else:
        assert fmt.results_format is native
        with pytest.raises(TypeError):
            _ = fmt.rdf_format


def test_names_short_names_and_extensions_are_unique() -> None:
    for kind in AnswerKind:
        shorts = [s for f in formats_for(kind) for s in f.short_names]
        assert len(shorts) == len(set(shorts)), kind
    extensions = [f.extension for f in (*FORMATS, HTML)]
    assert len(extensions) == len(set(extensions))
    assert len(BY_NAME) == len(FORMATS)


@pytest.mark.parametrize("fmt", [*FORMATS, HTML], ids=lambda f: f.name)
def test_every_format_is_found_by_its_extension(fmt: Format) -> None:
    assert by_extension(fmt.extension, [*FORMATS, HTML]) is fmt
    others = [f for f in FORMATS if f is not fmt]
    assert by_extension(fmt.extension, others) is None
    assert by_extension("", FORMATS) is None
    assert by_extension("." + fmt.extension, FORMATS) is None


@pytest.mark.parametrize("fmt", FORMATS, ids=lambda f: f.name)
def test_every_format_is_found_by_each_of_its_names(fmt: Format) -> None:
    for value in (fmt.name, *fmt.short_names, *fmt.media_types):
        assert lookup(value.upper(), fmt.kind) is not None, value
    assert lookup(fmt.short_names[0], fmt.kind) is fmt
    assert lookup(fmt.media_type, fmt.kind) is fmt
    other = AnswerKind.GRAPH if fmt.kind is AnswerKind.RESULTS else AnswerKind.RESULTS
    assert lookup(fmt.name, other) is None


def test_the_serialising_properties() -> None:
    """Which formats carry prefixes, quads, one triple a line, XML: each stated once."""
    chosen = {
        "prefixed": {f.name for f in FORMATS if f.prefixed},
        "quads": {f.name for f in FORMATS if f.quads},
        "lines": {f.name for f in FORMATS if f.line_per_item},
        "xml": {f.name for f in FORMATS if f.xml},
    }
    assert chosen == {
        "prefixed": {"turtle", "trig", "rdf-xml"},
        "quads": {"n-quads", "trig"},
        "lines": {"n-triples", "n-quads"},
        "xml": {"sparql-xml", "rdf-xml"},
    }
    assert all(f.native is not None and f.native.supports_datasets for f in FORMATS if f.quads)


def test_query_forms_and_defaults() -> None:
    assert kind_of_form("CONSTRUCT") is kind_of_form("DESCRIBE") is AnswerKind.GRAPH
    assert kind_of_form("SELECT") is kind_of_form("ASK") is kind_of_form(None)
    assert kind_of_form("SELECT") is AnswerKind.RESULTS
    assert default_format(AnswerKind.RESULTS).name == "sparql-json"
    assert default_format(AnswerKind.GRAPH).name == "turtle"
