"""SPARQL's terminals (strings, IRIs, names, variables, comments), read in one linear pass.

Every match ends where a second look from its start would end, so reading costs steps in
proportion to the text: a name such as ``a.b.c`` is matched once as a run of name characters
and then, if no ``:`` follows it, split into words (a pattern that looked for the ``:`` from
each letter again read ``a.a.a.…`` in quadratic time), and a string or long string that is
never closed ends at the end of its line or of the text instead of being searched for again
from each quote. An unclosed string is a syntax error to the query engine anyway.

``scan`` gives every match, white space and comments included, from any offset: the reader
uses it to read the text a second way where the grammar is ambiguous (``kggraph.query.reader``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Generator, Iterator
from typing import NamedTuple

_PLX = r"(?:%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%])"
_PN_CHARS = r"[\w\-\u00B7\u0300-\u036F\u203F-\u2040]"
_PN_LOCAL = rf"(?:(?:[\w:]|{_PLX})(?:(?:{_PN_CHARS}|[.:]|{_PLX})*(?:{_PN_CHARS}|:|{_PLX}))?)"
_STRING = r"""
    '''(?:\\.|[^\\])*?(?:'''|\\?\Z) | \"\"\"(?:\\.|[^\\])*?(?:\"\"\"|\\?\Z)
  | '(?:[^'\\\n\r]|\\.)*+(?:'|(?=[\n\r])|\\?\Z)
  | "(?:[^"\\\n\r]|\\.)*+(?:"|(?=[\n\r])|\\?\Z)
"""
_NUMBER = r"\d+\.\d*[eE][+-]?\d+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?"
_TOKEN = re.compile(
    rf"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>{_STRING})
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{{4}}|\\U[0-9A-Fa-f]{{8}})*>)
  | (?P<var>[?$][\w\u00B7\u0300-\u036F\u203F-\u2040]+)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>_?:{_PN_LOCAL}?)
  | (?P<run>[^\W\d_][\w.\-\u00B7]*+)
  | (?P<number>{_NUMBER})
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
"""One terminal; a ``run`` of name characters is a prefix or is split by ``_IN_RUN``."""
_IN_RUN = re.compile(rf"(?P<number>{_NUMBER})|(?P<word>[^\W\d]\w*)|(?P<other>.)", re.DOTALL)
_LOCAL = re.compile(rf":{_PN_LOCAL}?")
_LINE_BREAK = re.compile(r"[\n\r]")

SKIPPED = frozenset({"space", "comment"})


class Token(NamedTuple):
    kind: str
    text: str
    offset: int


def scan(
    query: str, start: int = 0, *, line_end: Callable[[int], int] | None = None
) -> Iterator[tuple[str, int, int]]:
    """Every match from ``start`` on as (kind, start, end), white space and comments too.

    ``line_end`` (where the line holding an offset ends) lets a comment end without being
    read: reading the same line's comment again from many offsets would cost its length
    each time."""
    pos, size = start, len(query)
    while pos < size:
        if line_end is not None and query[pos] == "#":
            yield "comment", pos, line_end(pos)
            pos = line_end(pos)
            continue
        match = _TOKEN.match(query, pos)
        if match is None:  # cannot happen: ``other`` matches any character
            return
        kind, end = match.lastgroup or "other", match.end()
        if kind != "run":
            yield kind, pos, end
        elif end < size and query[end] == ":" and query[end - 1] != ".":
            end = _LOCAL.match(query, end).end()  # type: ignore[union-attr] # ":" matches
            yield "pname", pos, end
        else:
            end = yield from _split_run(query, pos, end)
        pos = end


def _split_run(query: str, pos: int, end: int) -> Generator[tuple[str, int, int], None, int]:
    """A run of name characters that is not a prefix: its words, numbers and dots."""
    while pos < end:
        match = _IN_RUN.match(query, pos)
        if match is None:  # cannot happen: ``other`` matches any character
            break
        yield match.lastgroup or "other", pos, match.end()
        pos = match.end()
    return pos


class LineEnds:
    """Where the line holding an offset ends (at its ``\\n`` or ``\\r``, or the text's end)."""

    def __init__(self, query: str) -> None:
        self._ends = [m.start() for m in _LINE_BREAK.finditer(query)] + [len(query)]

    def __call__(self, offset: int) -> int:
        return self._ends[bisect.bisect_left(self._ends, offset)]


def tokens(query: str) -> list[Token]:
    """The query's tokens, without white space and comments."""
    return [
        Token(kind, query[start:end], start)
        for kind, start, end in scan(query)
        if kind not in SKIPPED
    ]


def location(query: str, offset: int) -> str:
    line = query.count("\n", 0, offset) + 1
    column = offset - (query.rfind("\n", 0, offset) + 1) + 1
    return f"line {line}, column {column}"
