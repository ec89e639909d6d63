"""SPARQL answers read back from every format into plain values that compare across formats.

The readers here are our own (``json``, ``xml.etree``, ``csv``, and a small reader of the
N-Triples term syntax that TSV and N-Triples use) or rdflib's (Turtle), never pyoxigraph's: the
answers under test are written by pyoxigraph, so reading them with it again could hide a fault
that writes and reads the same way.

A term is a tuple: ``("iri", value)``, ``("literal", lexical form, datatype, language)`` (a
string without a language has datatype ``xsd:string``, one with a language
``rdf:langString``), ``("bnode", label)``; an unbound variable is ``None``. CSV keeps only
lexical forms, so its rows are compared as strings (``lexical``).
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import xml.etree.ElementTree as ET  # noqa: S405 - our own server's answers, in a test
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

import pyoxigraph as ox
import rdflib

XSD = "http://www.w3.org/2001/XMLSchema#"
STRING = XSD + "string"
LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

Term = tuple[str, ...]
Row = dict[str, Term | None]
Triple = tuple[Term, Term, Term]


def literal(lexical: str, datatype: str | None = None, language: str | None = None) -> Term:
    if language:
        return ("literal", lexical, LANG_STRING, language.lower())
    return ("literal", lexical, datatype or STRING, "")


def from_oxigraph(term: object) -> Term:
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode", term.value)
    if isinstance(term, ox.Literal):
        return literal(term.value, term.datatype.value, term.language)
    raise TypeError(f"not a term of a SPARQL answer: {term!r}")


def lexical(term: Term | None) -> str:
    """What CSV keeps of a term (SPARQL 1.1 CSV: the IRI, the lexical form, ``_:label``)."""
    if term is None:
        return ""
    if term[0] == "bnode":
        return "_:" + term[1]
    return term[1]


# --- Results: JSON, XML, CSV, TSV ------------------------------------------------------------


def read_json(body: bytes) -> tuple[list[str], list[Row]] | bool:
    document = json.loads(body)
    if "boolean" in document:
        return bool(document["boolean"])
    names: list[str] = document["head"]["vars"]
    rows = [
        {name: _json_term(binding[name]) if name in binding else None for name in names}
        for binding in document["results"]["bindings"]
    ]
    return names, rows


def _json_term(value: dict[str, Any]) -> Term:
    kind = value["type"]
    if kind == "uri":
        return ("iri", value["value"])
    if kind == "bnode":
        return ("bnode", value["value"])
    if kind in ("literal", "typed-literal"):
        return literal(value["value"], value.get("datatype"), value.get("xml:lang"))
    raise ValueError(f"a SPARQL JSON term of type {kind!r}")


def read_xml(body: bytes) -> tuple[list[str], list[Row]] | bool:
    root = ET.fromstring(body)  # noqa: S314 - our own server's answer
    boolean = root.find(RESULTS_NS + "boolean")
    if boolean is not None:
        return (boolean.text or "").strip() == "true"
    names = [v.attrib["name"] for v in root.iter(RESULTS_NS + "variable")]
    rows: list[Row] = []
    for result in root.iter(RESULTS_NS + "result"):
        row: Row = dict.fromkeys(names)
        for binding in result.iter(RESULTS_NS + "binding"):
            row[binding.attrib["name"]] = _xml_term(binding[0])
        rows.append(row)
    return names, rows


def _xml_term(element: ET.Element) -> Term:
    tag = element.tag.removeprefix(RESULTS_NS)
    text = element.text or ""
    if tag == "uri":
        return ("iri", text)
    if tag == "bnode":
        return ("bnode", text)
    if tag == "literal":
        return literal(text, element.attrib.get("datatype"), element.attrib.get(XML_LANG))
    raise ValueError(f"a SPARQL XML term <{tag}>")


def read_csv(body: bytes) -> tuple[list[str], list[tuple[str, ...]]]:
    """Variable names and rows of lexical forms (CSV keeps nothing else)."""
    table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    names, rows = table[0], table[1:]
    if len(names) == 1:  # an unbound value of the one column is an empty line, read as []
        rows = [row or [""] for row in rows]
    assert all(len(row) == len(names) for row in rows), "a CSV row of another width"
    return names, [tuple(row) for row in rows]


def read_tsv(body: bytes) -> tuple[list[str], list[Row]]:
    lines = body.decode("utf-8").split("\n")
    if lines[-1] == "":
        lines.pop()
    header = lines[0].split("\t")
    assert all(name.startswith("?") for name in header), f"a TSV header: {lines[0]!r}"
    names = [name[1:] for name in header]
    rows: list[Row] = []
    for line in lines[1:]:
        cells = line.removesuffix("\r").split("\t")
        assert len(cells) == len(names), f"a TSV row of another width: {line!r}"
        rows.append({n: read_term(c) if c else None for n, c in zip(names, cells, strict=True)})
    return names, rows


# --- Terms in N-Triples / Turtle syntax (TSV cells, N-Triples lines) -------------------------

_IRI = r"<([^>]*)>"
_BNODE = r"_:(\S+)"
_STRING = r'"((?:[^"\\]|\\.)*)"'
_LITERAL = _STRING + r"(?:@([A-Za-z]+(?:-[A-Za-z0-9]+)*)|\^\^" + _IRI + r")?"
_TERM = re.compile(rf"{_IRI}|{_BNODE}|{_LITERAL}")
_BARE = (
    (re.compile(r"[+-]?\d+"), XSD + "integer"),
    (re.compile(r"[+-]?\d*\.\d+"), XSD + "decimal"),
    (re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+"), XSD + "double"),
    (re.compile(r"true|false"), XSD + "boolean"),
)
"""Turtle's short forms of numbers and booleans, which TSV may use."""
_ESCAPES = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)")


def read_term(text: str) -> Term:
    """One term written as N-Triples (or TSV) writes it."""
    for pattern, datatype in _BARE:
        if pattern.fullmatch(text):
            return literal(text, datatype)
    found = _TERM.fullmatch(text)
    if found is None:
        raise ValueError(f"not a term: {text!r}")
    return _term_of(found)


def _term_of(found: re.Match[str]) -> Term:
    iri, bnode, string, language, datatype = found.groups()
    if iri is not None:
        return ("iri", unescape(iri))
    if bnode is not None:
        return ("bnode", bnode)
    return literal(unescape(string), datatype and unescape(datatype), language)


def unescape(text: str) -> str:
    def one(found: re.Match[str]) -> str:
        code = found.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPES[code]

    return _ESCAPE.sub(one, text)


_NT_LINE = re.compile(rf"({_IRI}|{_BNODE})\s+{_IRI}\s+(.+?)\s*\.\s*")


def read_ntriples(body: bytes) -> list[Triple]:
    triples: list[Triple] = []
    for line in body.decode("utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        found = _NT_LINE.fullmatch(line)
        assert found is not None, f"not an N-Triples line: {line!r}"
        subject = read_term(found.group(1))
        triples.append((subject, ("iri", unescape(found.group(4))), read_term(found.group(5))))
    return triples


def read_turtle(body: bytes, *, syntax: str = "turtle") -> list[Triple]:
    """Triples of a Turtle (or ``syntax``: ``json-ld``, ``xml`` for RDF/XML) document as rdflib
    reads it (lexical forms as rdflib keeps them)."""
    graph = rdflib.Graph()
    with warnings.catch_warnings():  # rdflib's JSON-LD reader warns of its own deprecations
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=body.decode("utf-8"), format=syntax)
    return [(_rdflib_term(s), _rdflib_term(p), _rdflib_term(o)) for s, p, o in graph]


def _rdflib_term(term: object) -> Term:
    if isinstance(term, rdflib.URIRef):
        return ("iri", str(term))
    if isinstance(term, rdflib.BNode):
        return ("bnode", str(term))
    if isinstance(term, rdflib.Literal):
        return literal(str(term), str(term.datatype) if term.datatype else None, term.language)
    raise TypeError(f"not an RDF term: {term!r}")


_NUMBERS: dict[str, Callable[[str], object]] = {
    XSD + "integer": int,
    XSD + "decimal": Decimal,
    XSD + "double": float,
    XSD + "float": float,
    XSD + "boolean": lambda text: text in ("true", "1"),
}


def by_value(triple: Triple) -> Triple:
    """``triple`` with numbers and booleans as values, not lexical forms: Turtle writes them
    in short forms (``1.0E3``) that rdflib reads back into forms of its own (``1000.0``)."""
    return tuple(_valued(term) for term in triple)  # type: ignore[return-value]


def _valued(term: Term) -> Term:
    if term[0] != "literal" or term[2] not in _NUMBERS:
        return term
    return ("value", repr(_NUMBERS[term[2]](term[1])), term[2])


# --- Comparing -------------------------------------------------------------------------------


def multiset(rows: Iterable[Row], names: Sequence[str]) -> Counter[tuple[Term | None, ...]]:
    return Counter(tuple(row[n] for n in names) for row in rows)


Shape = tuple[frozenset[Triple], Counter[frozenset[Any]]]


def graph_shape(triples: Iterable[Triple]) -> Shape:
    """A graph up to blank node renaming: its triples without blank nodes, and for each blank
    node the set of its triples with the node written ``_``. Exact for graphs in which no
    triple holds two blank nodes (the generated templates have one blank node a triple)."""
    ground: set[Triple] = set()
    around: dict[str, set[tuple[Term, ...]]] = {}
    for triple in set(triples):
        bnodes = {t[1] for t in triple if t[0] == "bnode"}
        assert len(bnodes) <= 1, f"a triple with two blank nodes: {triple}"
        if not bnodes:
            ground.add(triple)
            continue
        (label,) = bnodes
        around.setdefault(label, set()).add(
            tuple(("_",) if t == ("bnode", label) else t for t in triple)
        )
    return frozenset(ground), Counter(frozenset(found) for found in around.values())
