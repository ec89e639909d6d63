"""Queries whose cost is bounded before they run: a *star* of triple patterns around one IRI.

A researcher's crawler, a notebook loop and Comunica joining over the endpoint send thousands
of small lookups: the labels and types of one entity, its links, ``DESCRIBE`` of it. Such a
query can be answered in the web process (``kggraph.query.inline``) without risking the time
limit, because what it can cost is known from the data before it runs.

``star_of`` recognises exactly this shape, and nothing else:

* ``SELECT`` (``*`` or plain variables, no ``DISTINCT``, no expressions) or ``ASK``, with one
  group of triple patterns (``;`` and ``,`` lists allowed) and optionally ``LIMIT``/``OFFSET``;
  every pattern has the same IRI, the *anchor*, as its subject or its object, and constant or
  variable predicates (no property paths, blank nodes, ``FILTER``, ``OPTIONAL``, ``GRAPH``,
  ``FROM``, subqueries, ``SERVICE``: anything else, or anything unusual, is not a star);
* ``DESCRIBE`` of up to ``MAX_DESCRIBED`` IRIs, with no ``WHERE``.

Every pattern of a star matches only triples that touch the anchor, and any way of joining the
patterns handles at most the product of what each matches. ``Star.work`` counts each pattern's
matches in the store's indexes (its IRIs fixed, stopping early) and gives that bound; the inline
lane runs a star only when it is small. The anchor is what keeps the counting cheap and the
bound honest: a pattern with no IRI in subject or object could match the whole graph.
``DISTINCT`` is refused because it could walk every combination to emit a few rows; without it
every combination is a row, and rows stop at the row limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice

import pyoxigraph as ox

from kggraph.query.tokens import Token, tokens

MAX_PATTERNS = 8
"""Most triple patterns in a star."""
MAX_DESCRIBED = 4
"""Most IRIs one ``DESCRIBE`` may name to count as a star."""
PATTERN_CAP = 4_096
"""Most triples one pattern of a star may match (counted before the query runs)."""
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LITERAL_WORDS = frozenset({"true", "false"})


Pattern = tuple[str | None, str | None, str | None]
"""A triple pattern's IRIs (subject, predicate, object); ``None`` where it has a variable or a
literal."""


@dataclass(frozen=True)
class Star:
    """A star's triple patterns, or the IRIs a ``DESCRIBE`` names."""

    patterns: tuple[Pattern, ...] = ()
    described: tuple[str, ...] = ()

    def work(self, store: ox.Store, *, cap: int) -> int:
        """At most how many bindings the query handles on ``store`` (any join order): the
        product of what each pattern matches, or, for a ``DESCRIBE``, the triples touching
        each IRI; counted only until it passes ``cap`` (then ``cap + 1``). A pattern matching
        more than ``PATTERN_CAP`` triples counts as past ``cap``: counting further would cost
        more than a worker's trip."""
        limit = min(cap, PATTERN_CAP)
        if self.described:
            total = 0
            for iri in self.described:
                node = ox.NamedNode(iri)
                total += _count(store, (node, None, None), limit)
                total += _count(store, (None, None, node), limit)
                if total > limit:
                    return cap + 1
            return total
        bound = 1
        for pattern in self.patterns:
            subject, predicate, obj = pattern
            found = _count(store, (_node(subject), _node(predicate), _node(obj)), limit)
            if found > limit:
                return cap + 1
            bound *= found
            if bound > cap:
                return cap + 1
        return bound


def _node(iri: str | None) -> ox.NamedNode | None:
    return None if iri is None else ox.NamedNode(iri)


def _count(
    store: ox.Store,
    pattern: tuple[ox.NamedNode | None, ox.NamedNode | None, ox.NamedNode | None],
    limit: int,
) -> int:
    """Triples of the default graph matching ``pattern``, counted up to ``limit + 1``."""
    found = store.quads_for_pattern(*pattern, ox.DefaultGraph())
    return sum(1 for _ in islice(found, limit + 1))


class _NotAStar(Exception):
    """The text is not of the recognised shape (a control-flow signal, never shown)."""


def star_of(query: str) -> Star | None:
    """The query's star, or ``None`` if it is not one (or cannot be read as one)."""
    try:
        return _Reader(tokens(query)).read()
    except _NotAStar:
        return None


class _Reader:
    """Reads the recognised shape off the tokens, refusing at the first thing outside it."""

    def __init__(self, found: Sequence[Token]) -> None:
        self._tokens = found
        self._at = 0
        self._prefixes: dict[str, str] = {}

    def read(self) -> Star:
        while self._keyword("PREFIX"):
            name = self._take("pname")
            if not name.endswith(":") or name.count(":") != 1:
                raise _NotAStar
            self._prefixes[name[:-1]] = self._iri_text(self._take("iri"))
        form = self._word().upper()
        if form == "DESCRIBE":
            return self._describe()
        if form == "SELECT":
            self._projection()
        elif form != "ASK":
            raise _NotAStar
        self._keyword("WHERE")
        star = self._group()
        self._modifiers()
        self._end()
        return star

    # the forms

    def _describe(self) -> Star:
        anchors: list[str] = []
        while self._peek_kind() in ("iri", "pname") and len(anchors) < MAX_DESCRIBED:
            anchors.append(self._constant())
        if not anchors:
            raise _NotAStar
        self._end()
        return Star(described=tuple(anchors))

    def _projection(self) -> None:
        if self._peek_text() == "*":
            self._at += 1
            return
        if self._peek_kind() != "var":
            raise _NotAStar
        while self._peek_kind() == "var":
            self._at += 1

    def _group(self) -> Star:
        self._expect("{")
        patterns: list[Pattern] = []
        while self._peek_text() != "}":
            subject = self._node()
            self._properties(subject, patterns)
            if self._peek_text() == ".":
                self._at += 1
            elif self._peek_text() != "}":
                raise _NotAStar
        self._at += 1
        if not patterns or len(patterns) > MAX_PATTERNS:
            raise _NotAStar
        _require_anchor(patterns)
        return Star(patterns=tuple(patterns))

    def _properties(self, subject: str | None, patterns: list[Pattern]) -> None:
        """``Verb ObjectList (';' (Verb ObjectList)?)*`` after ``subject``."""
        while True:
            verb = self._verb()
            patterns.append((subject, verb, self._node()))
            while self._peek_text() == ",":
                self._at += 1
                patterns.append((subject, verb, self._node()))
            while self._peek_text() == ";":
                self._at += 1
            if self._peek_text() in (".", "}"):
                return
            if len(patterns) > MAX_PATTERNS:
                raise _NotAStar

    def _modifiers(self) -> None:
        seen: set[str] = set()
        while self._peek_kind() == "word" and self._peek_text().upper() in ("LIMIT", "OFFSET"):
            word = self._word().upper()
            if word in seen or not self._take("number").isdigit():
                raise _NotAStar
            seen.add(word)

    # terms

    def _verb(self) -> str | None:
        """A predicate: its IRI, or ``None`` for a variable."""
        kind, text = self._peek_kind(), self._peek_text()
        verb: str | None = None
        if kind in ("iri", "pname"):
            verb = self._constant()
        elif kind == "var":
            self._at += 1
        elif kind == "word" and text == "a":
            self._at += 1
            verb = RDF_TYPE
        else:
            raise _NotAStar
        if self._peek_text() in ("/", "|", "*", "+", "?", "^"):
            raise _NotAStar  # a property path
        return verb

    def _node(self) -> str | None:
        """A subject or object: an IRI (returned), or a variable or literal (``None``)."""
        kind, text = self._peek_kind(), self._peek_text()
        if kind in ("iri", "pname"):
            return self._constant()
        if kind in ("var", "number") or (kind == "word" and text in _LITERAL_WORDS):
            self._at += 1
            return None
        if kind == "string":
            self._at += 1
            if self._peek_kind() == "langtag":
                self._at += 1
            elif self._peek_text() == "^":
                self._expect("^")
                self._expect("^")
                self._constant()
            return None
        raise _NotAStar

    def _constant(self) -> str:
        kind = self._peek_kind()
        text = self._take(kind)
        if kind == "iri":
            return self._iri_text(text)
        prefix, _, local = text.partition(":")
        if prefix not in self._prefixes or "\\" in local or "%" in local:
            raise _NotAStar
        return self._prefixes[prefix] + local

    @staticmethod
    def _iri_text(text: str) -> str:
        iri = text[1:-1]
        if ":" not in iri or "\\" in iri:  # relative, or with escapes: leave it to the engine
            raise _NotAStar
        return iri

    # the token stream

    def _peek_kind(self) -> str:
        return self._tokens[self._at].kind if self._at < len(self._tokens) else ""

    def _peek_text(self) -> str:
        return self._tokens[self._at].text if self._at < len(self._tokens) else ""

    def _take(self, kind: str) -> str:
        if self._peek_kind() != kind:
            raise _NotAStar
        self._at += 1
        return self._tokens[self._at - 1].text

    def _word(self) -> str:
        return self._take("word")

    def _keyword(self, word: str) -> bool:
        if self._peek_kind() == "word" and self._peek_text().upper() == word:
            self._at += 1
            return True
        return False

    def _expect(self, text: str) -> None:
        if self._peek_text() != text:
            raise _NotAStar
        self._at += 1

    def _end(self) -> None:
        if self._at != len(self._tokens):
            raise _NotAStar


def _require_anchor(patterns: Sequence[Pattern]) -> None:
    """Refuse the patterns unless one IRI is the subject or the object of every one of them."""
    shared = {node for node in (patterns[0][0], patterns[0][2]) if node is not None}
    for subject, _, obj in patterns[1:]:
        shared &= {subject, obj}
    if not shared:
        raise _NotAStar
