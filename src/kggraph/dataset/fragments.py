"""Triple Pattern Fragments: a pattern read from a request, and the queries that answer it.

The Hydra community group's Triple Pattern Fragments specification
(https://www.hydra-cg.com/spec/latest/triple-pattern-fragments/) gives clients such as Comunica
every triple of the dataset that matches one pattern ``{ s p o }``, a page at a time, with the
number of matches and the controls to ask for any other pattern. This module reads the pattern
and writes the two queries that answer it; ``kggraph.dataset.fragment_controls`` writes the
metadata and controls around the triples.

A pattern's parts arrive as text, in the specification's syntax: an IRI as it is
(``https://w3id.org/kggraph/id/city/dalian``, or in ``<…>``), a literal in double quotes with a
language or a datatype after it (``"Dalian"@en``, ``"2024"^^http://www.w3.org/2001/XMLSchema#gYear``,
the datatype also in ``<…>``), a variable as the empty string or ``?name`` (two parts with the same
name must hold the same term). The text between the first and the last double quote is the
literal's text as it is, unescaped, which is what clients send. Blank nodes, a literal as subject
or predicate, and anything pyoxigraph does not take as an IRI, a language tag or a datatype are
refused (``InvalidArgument``, ``400``).

The queries are SPARQL text, run on the query workers like every other (so a remote SPARQL store
can answer them later): a SELECT of one page of matching triples (``ORDER BY`` every part, then
``LIMIT``/``OFFSET``) and a COUNT of all of them. The pattern's constant terms are bound through
``QueryTask.bindings``, never written into the query text; the only text that varies is chosen
here from fixed pieces (which variables are grouped, which must be equal). The default graph is
the endpoint's: the union of all graphs. The count is exact: the graph holds a few thousand
triples, and a count is answered once per release and pattern from the answer cache.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pyoxigraph as ox

from kggraph.core.errors import InvalidArgument
from kggraph.core.namespaces import XSD
from kggraph.query.executor import QueryTask

PAGE_SIZE = 100
"""Triples per page of a fragment."""
MAX_LENGTH = 2000
"""Longest part accepted: no IRI or literal of this graph is longer."""
POSITIONS = ("subject", "predicate", "object")
"""The request parameters, which are also the query's variables' names (``?subject`` …)."""

Term = ox.NamedNode | ox.Literal
XSD_STRING = str(XSD.string)
_VARIABLE = re.compile(r"\?\w+")
_NAMES = {"subject": "s", "predicate": "p", "object": "o"}


@dataclass(frozen=True)
class Pattern:
    """A triple pattern: a term or ``None`` (a variable) in each position, and which positions
    share a named variable (``?x`` twice)."""

    subject: ox.NamedNode | None = None
    predicate: ox.NamedNode | None = None
    object: Term | None = None
    same: tuple[tuple[str, str], ...] = ()
    """Pairs of positions (``("subject", "object")``) whose variables have the same name."""

    def term(self, position: str) -> Term | None:
        found: Term | None = getattr(self, position)
        return found

    @property
    def constants(self) -> tuple[tuple[str, Term], ...]:
        """(position, term) of every position that holds a term."""
        return tuple((p, t) for p in POSITIONS if (t := self.term(p)) is not None)

    def parameter(self, position: str) -> str:
        """The position's value as the specification writes it in a URL ('' for a variable)."""
        term = self.term(position)
        return "" if term is None else spec_text(term)

    def describe(self) -> str:
        """``{ ?s <…/p> "x"@en }``: the pattern for people, as SPARQL writes it."""
        names = {p: _NAMES[p] for p in POSITIONS}
        for first, second in self.same:
            names[second] = names[first]
        parts = (str(t) if (t := self.term(p)) is not None else "?" + names[p] for p in POSITIONS)
        return "{ " + " ".join(parts) + " }"


def spec_text(term: Term) -> str:
    """A term in the specification's syntax: an IRI as it is, a literal in quotes with its
    language (``"x"@en``) or datatype (``"1"^^http://…#integer``; none for ``xsd:string``)."""
    if isinstance(term, ox.NamedNode):
        return term.value
    if term.language:
        return f'"{term.value}"@{term.language}'
    if term.datatype.value == XSD_STRING:
        return f'"{term.value}"'
    return f'"{term.value}"^^{term.datatype.value}'


def read_pattern(subject: str = "", predicate: str = "", object: str = "") -> Pattern:  # noqa: A002
    """The pattern the three parameters name, or ``InvalidArgument`` naming the bad one."""
    given = {"subject": subject, "predicate": predicate, "object": object}
    terms: dict[str, Term | None] = {}
    names: dict[str, str] = {}
    for position, text in given.items():
        if len(text) > MAX_LENGTH:
            raise InvalidArgument(f"{position}: longer than {MAX_LENGTH} characters")
        value = text.strip()
        if value == "" or _VARIABLE.fullmatch(value):
            terms[position] = None
            if value:
                names[position] = value
            continue
        terms[position] = read_term(position, value)
    same = tuple(
        (a, b)
        for i, a in enumerate(POSITIONS)
        for b in POSITIONS[i + 1 :]
        if a in names and names.get(b) == names[a]
    )
    subject_term, predicate_term = terms["subject"], terms["predicate"]
    if not isinstance(subject_term, ox.NamedNode | None):
        raise InvalidArgument("subject: must be an IRI or a variable, not a literal")
    if not isinstance(predicate_term, ox.NamedNode | None):
        raise InvalidArgument("predicate: must be an IRI or a variable, not a literal")
    return Pattern(subject_term, predicate_term, terms["object"], same)


def read_term(position: str, value: str) -> Term:
    """One constant part: an IRI (bare or in ``<…>``) or a literal (``"…"``, ``@lang``,
    ``^^datatype``)."""
    if value.startswith("_:"):
        raise InvalidArgument(f"{position}: a pattern holds no blank nodes ({_shown(value)})")
    if value.startswith('"'):
        return _literal(position, value)
    return _iri(position, value.removeprefix("<").removesuffix(">") if value[0] == "<" else value)


def _iri(position: str, value: str) -> ox.NamedNode:
    try:
        return ox.NamedNode(value)
    except ValueError as err:
        raise InvalidArgument(
            f"{position}: {_shown(value)} is not an absolute IRI, a literal in double quotes "
            f"or a variable ({err})"
        ) from None


def _literal(position: str, value: str) -> ox.Literal:
    end = value.rfind('"')
    if end == 0:
        raise InvalidArgument(f"{position}: the literal {_shown(value)} has no closing quote")
    text, rest = value[1:end], value[end + 1 :]
    try:
        if rest.startswith("@"):
            return ox.Literal(text, language=rest[1:])
        if rest.startswith("^^"):
            datatype = rest[2:]
            if datatype.startswith("<") and datatype.endswith(">"):
                datatype = datatype[1:-1]
            return ox.Literal(text, datatype=ox.NamedNode(datatype))
    except ValueError as err:
        raise InvalidArgument(f"{position}: {_shown(value)} is not a literal: {err}") from None
    if rest:
        raise InvalidArgument(
            f"{position}: after the closing quote of {_shown(value)} comes {_shown(rest)}; "
            'expected nothing, @language or ^^datatype ("text"@en, "2024"^^…#gYear)'
        )
    return ox.Literal(text)


def _shown(value: str) -> str:
    return repr(value if len(value) <= 80 else value[:77] + "...")


def _where(pattern: Pattern) -> str:
    filters = "".join(f" FILTER(sameTerm(?{a}, ?{b}))" for a, b in pattern.same)
    return f"{{ ?subject ?predicate ?object .{filters} }}"


def _bindings(pattern: Pattern) -> tuple[tuple[str, str], ...]:
    return tuple((position, str(term)) for position, term in pattern.constants)


def page_task(pattern: Pattern, page: int) -> QueryTask:
    """The SELECT of page ``page`` (from 1) of the pattern's triples, in a stable order."""
    query = (
        f"SELECT ?subject ?predicate ?object WHERE {_where(pattern)}\n"
        "ORDER BY ?subject ?predicate ?object STR(?object) STR(DATATYPE(?object)) LANG(?object)\n"
        f"LIMIT {PAGE_SIZE} OFFSET {(page - 1) * PAGE_SIZE}\n"
    )
    return QueryTask(query, "sparql-json", bindings=_bindings(pattern))


def count_task(pattern: Pattern) -> QueryTask:
    """The COUNT of the pattern's triples. A bound variable must be projected (SEP-0007), so
    the constants are grouped on (one group, or none when nothing matches)."""
    bound = "".join(f"?{position} " for position, _ in pattern.constants)
    group = f"GROUP BY {bound.strip()}\n" if bound else ""
    query = f"SELECT {bound}(COUNT(*) AS ?n) WHERE {_where(pattern)}\n{group}"
    return QueryTask(query, "sparql-json", bindings=_bindings(pattern))


def read_count(body: bytes) -> int:
    """The number a ``count_task`` answered (0 when it answered no group)."""
    rows = json.loads(body)["results"]["bindings"]
    return int(rows[0]["n"]["value"]) if rows else 0


def read_triples(body: bytes) -> list[ox.Triple]:
    """The triples a ``page_task`` answered, in its order."""
    rows = json.loads(body)["results"]["bindings"]
    return [
        ox.Triple(
            _node(row["subject"]), ox.NamedNode(row["predicate"]["value"]), _term(row["object"])
        )
        for row in rows
    ]


def _node(found: dict[str, str]) -> ox.NamedNode | ox.BlankNode:
    if found["type"] == "bnode":
        return ox.BlankNode(found["value"])
    return ox.NamedNode(found["value"])


def _term(found: dict[str, str]) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    kind, value = found["type"], found["value"]
    if kind in ("uri", "bnode"):
        return _node(found)
    if "xml:lang" in found:
        return ox.Literal(value, language=found["xml:lang"])
    return ox.Literal(value, datatype=ox.NamedNode(found.get("datatype", XSD_STRING)))


def read_page(value: str | None) -> int:
    """The ``page`` parameter: a whole number from 1 (1 when absent)."""
    if value is None:
        return 1
    text = value.strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1 or len(text) > 9:
        raise InvalidArgument(f"page: expected a whole number from 1, got {_shown(value)}")
    return int(text)
