"""The canned queries of ``queries/``: each file's header read into a ``CannedQuery``.

A canned query is one SPARQL query in ``queries/<slug>.rq`` that starts with a comment header::

    # title: <short title>
    # description: <one or two sentences>
    # param: <name> <IRI | xsd:type> = <default> — <what it does>      (zero or more)

A parameter names a variable of the query; code that runs the query binds it to an RDF term
of the declared type (never pastes it into the text). The defaults keep their SPARQL form in
the file (``<iri>``, ``"text"``, ``2024``); here they are kept as the plain lexical value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kggraph.core.errors import SourceError
from kggraph.core.namespaces import XSD

SUFFIX = ".rq"
IRI_TYPE = "IRI"
LITERAL_TYPES = ("xsd:string", "xsd:integer", "xsd:decimal", "xsd:boolean", "xsd:date", "xsd:gYear")
"""The literal datatypes a parameter may declare (as ``xsd:`` prefixed names)."""

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
FIELD = re.compile(r"# (?P<key>[a-z]+): (?P<value>\S.*)")
PARAM = re.compile(
    r"(?P<name>[A-Za-z_][A-Za-z0-9_]*) (?P<type>\S+) = "
    r"(?P<default><[^<>\s]*>|\"[^\"]*\"|[^\s\"<>]+) — (?P<doc>\S.*)"
)
LEXICAL = {
    "xsd:integer": re.compile(r"[+-]?\d+"),
    "xsd:decimal": re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"),
    "xsd:boolean": re.compile(r"true|false|1|0"),
    "xsd:date": re.compile(r"-?\d{4,}-\d{2}-\d{2}(?:Z|[+-]\d{2}:\d{2})?"),
    "xsd:gYear": re.compile(r"-?\d{4,}(?:Z|[+-]\d{2}:\d{2})?"),
}
"""Lexical forms of the non-string literal types (XSD 1.1 Part 2, simplified)."""


@dataclass(frozen=True)
class Parameter:
    """One ``# param:`` line: a variable of the query that callers may bind."""

    name: str
    """The SPARQL variable, without ``?``."""
    type: str
    """``IRI``, or a literal datatype as an ``xsd:`` prefixed name (see ``LITERAL_TYPES``)."""
    default: str
    """The default value, lexical: the IRI without ``<>``, a string without its quotes."""
    doc: str

    @property
    def is_iri(self) -> bool:
        return self.type == IRI_TYPE

    @property
    def datatype(self) -> str | None:
        """The full datatype IRI of a literal parameter; ``None`` for an IRI parameter."""
        return None if self.is_iri else str(XSD) + self.type.removeprefix("xsd:")


@dataclass(frozen=True)
class CannedQuery:
    """One file of ``queries/``: its header and its text."""

    slug: str
    """The file name without ``.rq``: the query's name in URLs and on the command line."""
    title: str
    description: str
    params: tuple[Parameter, ...]
    text: str
    """The whole file, header included (the header is SPARQL comments)."""


def parse_canned_query(slug: str, text: str) -> CannedQuery:
    """Read the header of ``text``; raise ``SourceError`` at the line that breaks the format."""
    where = slug + SUFFIX
    if not SLUG.fullmatch(slug):
        raise SourceError(f"the name {slug!r} is not lowercase words joined by '-'", location=where)
    fields = _header_fields(text, where)
    keys = [key for _, key, _ in fields]
    if keys[:2] != ["title", "description"]:
        raise SourceError(
            "the header starts with '# title:', then '# description:'",
            location=where,
        )
    params: list[Parameter] = []
    for line, key, value in fields[2:]:
        if key != "param":
            raise SourceError(f"unknown header field {key!r}", location=f"{where}:{line}")
        params.append(_parameter(value, text, f"{where}:{line}"))
    names = [p.name for p in params]
    if len(set(names)) < len(names):
        raise SourceError(f"a parameter is declared twice: {names}", location=where)
    return CannedQuery(slug, fields[0][2], fields[1][2], tuple(params), text)


def read_canned_query(path: Path) -> CannedQuery:
    """The canned query in the file ``path`` (``<slug>.rq``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise SourceError(f"cannot read the query: {err}", location=str(path)) from None
    return parse_canned_query(path.stem, text)


def load_canned_queries(folder: Path) -> tuple[CannedQuery, ...]:
    """Every ``*.rq`` file of ``folder``, by slug; none if the folder does not exist."""
    return tuple(read_canned_query(p) for p in sorted(folder.glob("*" + SUFFIX)))


def _header_fields(text: str, where: str) -> list[tuple[int, str, str]]:
    """(line number, key, value) of each comment line at the top, before the query starts."""
    fields: list[tuple[int, str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = FIELD.fullmatch(line.rstrip())
        if match is None:
            raise SourceError("a header line is '# <field>: <value>'", location=f"{where}:{number}")
        fields.append((number, match["key"], match["value"]))
    return fields


def _parameter(value: str, text: str, where: str) -> Parameter:
    match = PARAM.fullmatch(value)
    if match is None:
        raise SourceError(
            "a parameter is '<name> <IRI | xsd:type> = <default> — <what it does>'",
            location=where,
        )
    name, kind, default = match["name"], match["type"], match["default"]
    if kind != IRI_TYPE and kind not in LITERAL_TYPES:
        allowed = ", ".join((IRI_TYPE, *LITERAL_TYPES))
        raise SourceError(f"parameter {name}: unknown type {kind!r}; use {allowed}", location=where)
    if not re.search(rf"[?$]{name}\b", _body(text)):
        raise SourceError(f"parameter {name}: the query has no variable ?{name}", location=where)
    return Parameter(name, kind, _lexical(name, kind, default, where), match["doc"])


def _lexical(name: str, kind: str, default: str, where: str) -> str:
    """The default without its SPARQL syntax, checked against the declared type."""
    if kind == IRI_TYPE:
        if not (default.startswith("<") and default.endswith(">") and len(default) > 2):
            raise SourceError(f"parameter {name}: an IRI default is written <...>", location=where)
        return default[1:-1]
    if kind == "xsd:string":
        if not (default.startswith('"') and default.endswith('"') and len(default) >= 2):
            raise SourceError(f'parameter {name}: a string default is "quoted"', location=where)
        return default[1:-1]
    pattern = LEXICAL[kind]
    if not pattern.fullmatch(default):
        raise SourceError(f"parameter {name}: {default!r} is not a valid {kind}", location=where)
    return default


def _body(text: str) -> str:
    """The query without its comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
