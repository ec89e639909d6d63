"""Where the query engine could read a query otherwise than its tokens say, and how deep it nests.

``service_call`` reads a ``SERVICE`` the way the engine does when the keyword is glued to a
name. ``other_readings`` reads the text again from the character after each ``<`` that
follows an operand (where ``<`` may be "less than" rather than an IRI's start), until that
reading meets the first one again: both readings are the same from any offset at which each
starts a token, since reading from an offset does not depend on what came before it. Every
offset is read at most once across all the readings, so this costs steps in proportion to the
text (with a budget that refuses rather than reads on, for texts built to make readings
overlap). ``Nesting`` counts how deeply brackets and chained operators nest.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field

from kggraph.query.tokens import SKIPPED, LineEnds, Token, scan

NAMES = ("word", "pname")
_LEADS = ("", "TRUE", "FALSE")
"""What the engine may read just before a glued ``SERVICE``: nothing, or an object literal."""
_JOIN_SIGNS = frozenset("/|&+-*")
_JOIN_WORDS = frozenset(
    {"OPTIONAL", "MINUS", "UNION", "BIND", "FILTER", "SERVICE", "GRAPH", "VALUES", "LATERAL"}
)
"""Operators the engine builds one inside the other when they follow each other."""
_LOOKAHEAD = 3


def service_at(text: str) -> int | None:
    """Where ``SERVICE`` starts in a word or name, if the engine may read it as the keyword."""
    upper = text.upper()
    for lead in _LEADS:
        if upper.startswith(lead + "SERVICE"):
            return len(lead)
    return None


@dataclass(frozen=True)
class Call:
    """A SERVICE as the engine reads it: its target (``None`` if missing) and whether a group
    ``{`` follows, which a keyword glued to a name needs to be a call at all."""

    target: Token | None
    glued: bool
    opens_group: bool


def service_call(found: Sequence[Token], i: int) -> Call | None:
    """The SERVICE that token ``i`` starts, if any (``SERVICE:x``, ``SERVICESILENT<…>``…)."""
    token = found[i]
    at = service_at(token.text) if token.kind in NAMES else None
    if at is None:
        return None
    rest = token.text[at + len("SERVICE") :]
    glued = at > 0 or bool(rest)
    if glued and i and _names_a_graph(found[i - 1]):
        return None  # GRAPH serviceData:g { … }: the engine reads the whole name
    following = _at(found, i + 1)
    if rest[:6].upper() == "SILENT":
        rest = rest[6:]
    elif (
        not rest
        and following
        and following.kind in NAMES
        and following.text[:6].upper() == "SILENT"
    ):
        rest, i = following.text[6:], i + 1
    target: Token | None
    if rest:
        target = Token("pname" if ":" in rest else "word", rest, token.offset)
    else:
        target, i = _at(found, i + 1), i + 1
    group = _at(found, i + 1)
    return Call(target, glued, group is not None and group.text == "{")


def _names_a_graph(before: Token) -> bool:
    """A keyword after which the engine reads a name (the endpoint or graph), not a keyword."""
    return before.kind == "word" and before.text.upper() in ("GRAPH", "SERVICE", "SILENT")


def _silent(token: Token) -> bool:
    """``SILENT``, or a name the engine reads as ``SILENT`` and a name (``silentx:y``)."""
    return token.kind in NAMES and token.text[:6].upper() == "SILENT"


def _at(found: Sequence[Token], i: int) -> Token | None:
    return found[i] if i < len(found) else None


def after_operand(before: Token | None) -> bool:
    """Whether a ``<`` after this token may be "less than"."""
    return before is not None and (before.kind != "other" or before.text in ")]")


@dataclass
class Nesting:
    """How deep a reading nests: brackets, and operators chained within one bracket."""

    joins: bool = True
    depth: int = 0
    deepest: int | None = None
    _base: int = 0
    _ops: int = 0
    _open: list[tuple[int, int]] = field(default_factory=list)
    _before: Token | None = None

    @property
    def unclosed(self) -> int:
        return len(self._open)

    def add(self, token: Token) -> None:
        if token.kind == "other" and token.text in "({[":
            self._open.append((self._base, self._ops))
            self._base, self._ops = self._base + self._ops + 1, 0
        elif token.kind == "other" and token.text in ")}]":
            if self._open:
                self._base, self._ops = self._open.pop()
        elif self.joins and self._joins(token):
            self._ops += 1
        level = self._base + self._ops
        if level > self.depth:
            self.depth, self.deepest = level, token.offset
        self._before = token

    def _joins(self, token: Token) -> bool:
        if token.kind == "word":
            return token.text.upper() in _JOIN_WORDS
        if token.kind != "other" or token.text not in _JOIN_SIGNS:
            return False
        before = self._before  # `&&` and `||` are one operator
        return not (before and before.text == token.text and before.offset == token.offset - 1)


@dataclass(frozen=True)
class Readings:
    services: tuple[int, ...]
    """Offsets of SERVICE calls another reading of ``<`` would make."""
    extra_depth: int
    """Levels those readings may nest deeper than the first."""


def other_readings(query: str, found: Sequence[Token], starts: set[int]) -> Readings:
    """Read the text again after each ``<`` that may be "less than"; ``starts`` holds every
    offset at which the first reading starts a match (white space and comments included)."""
    queue = deque(
        token.offset + 1
        for i, token in enumerate(found)
        if token.kind == "iri" and after_operand(found[i - 1] if i else None)
    )
    seen: set[int] = set()
    services: list[int] = []
    budget = 4 * len(query) + 4096
    line_end = LineEnds(query) if queue else None
    unclosed = peak = 0
    while queue and line_end is not None:
        start = queue.popleft()
        run, end, budget = _read_from(query, start, starts, seen, budget, line_end)
        if budget < 0:
            return Readings((start,), 0)  # too many overlapping readings: refuse, fail closed
        nesting = Nesting(joins=False)
        for i, token in enumerate(run):
            nesting.add(token)
            if token.kind == "iri" and after_operand(run[i - 1] if i else None):
                queue.append(token.offset + 1)
        ahead = [*run, *_tokens_from(query, end)]
        services.extend(t.offset for i, t in enumerate(run) if _calls(ahead, i))
        unclosed += nesting.unclosed
        peak = max(peak, nesting.depth)
    return Readings(tuple(services), unclosed + peak)


def _read_from(
    query: str, start: int, starts: set[int], seen: set[int], budget: int, line_end: LineEnds
) -> tuple[list[Token], int | None, int]:
    """The tokens read from ``start`` until the first reading (or one already read) is met."""
    run: list[Token] = []
    for kind, begin, end in scan(query, start, line_end=line_end):
        if begin in starts or begin in seen:
            return run, begin, budget
        seen.add(begin)
        budget -= 1 if kind == "comment" else end - begin
        if budget < 0:
            break
        if kind not in SKIPPED:
            run.append(Token(kind, query[begin:end], begin))
    return run, None, budget


def _tokens_from(query: str, offset: int | None) -> list[Token]:
    found: list[Token] = []
    if offset is None:
        return found
    for kind, begin, end in scan(query, offset):
        if kind not in SKIPPED:
            found.append(Token(kind, query[begin:end], begin))
            if len(found) == _LOOKAHEAD:
                break
    return found


def _calls(found: Sequence[Token], i: int) -> bool:
    call = service_call(found, i)
    return call is not None and call.opens_group
