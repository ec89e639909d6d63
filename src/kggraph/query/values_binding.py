"""Bind parameters with inline ``VALUES`` blocks: for an executor that has no ``substitutions``.

The query workers substitute; the remote store backend (``kggraph.query.remote``) sends its
queries with these blocks, and the tests compare its answers with substitution on the canned
queries.

A remote SPARQL store receives a query as text, so the typed terms of ``kggraph.canned.params`` must
go into it, as one-row ``VALUES`` tables. Where they go matters. SPARQL evaluates bottom-up: a
``VALUES`` after the query, or at the top of ``WHERE``, is joined only at the end, so a
sub-select or a ``FILTER(COALESCE(…))`` in a nested group never sees the value (three canned
queries answer differently that way). Substitution (SEP-0007, what the embedded store does)
gives the variable its value wherever it is in scope. To give the same answers, a block goes at
the start of every group pattern that mentions a bound variable, except inside a sub-select
that does not project it (there the same name is another, local variable).

The terms are read back with pyoxigraph first (``bindings.substitutions``) and written again by
it, so only whole, escaped IRIs and literals reach the text, never a client's raw value.
"""

from __future__ import annotations

from dataclasses import dataclass

from kggraph.query.bindings import Bindings, substitutions
from kggraph.query.reader import Token, tokens


def with_values(query: str, bindings: Bindings) -> str:
    """``query`` with a ``VALUES`` block for the bound variables in each group that uses them."""
    if not bindings:
        return query
    terms = {variable.value: str(term) for variable, term in substitutions(bindings).items()}
    text = query
    for offset, names in reversed(_insertions(tokens(query), frozenset(terms))):
        variables = " ".join("?" + n for n in names)
        row = " ".join(terms[n] for n in names)
        text = f"{text[:offset]} VALUES ({variables}) {{ ({row}) }} {text[offset:]}"
    return text


@dataclass
class _Walk:
    """Where the walk is: what the next ``{`` opens, and the names in scope in each open brace."""

    bound: frozenset[str]
    next_is_data: bool = False
    """After ``VALUES`` or ``CONSTRUCT``: the next ``{`` is a data block or a template."""
    next_select: frozenset[str] | None = None
    """After ``SELECT``: the names its ``WHERE`` group sees (those it projects)."""


def _insertions(found: list[Token], bound: frozenset[str]) -> list[tuple[int, list[str]]]:
    """(offset just inside a group's ``{``, the bound names to give it), in text order."""
    walk = _Walk(bound)
    scopes: list[frozenset[str] | None] = []
    inserts: list[tuple[int, list[str]]] = []
    for i, token in enumerate(found):
        word = token.text.upper() if token.kind == "word" else ""
        following = found[i + 1] if i + 1 < len(found) else None
        if word == "VALUES" or (word == "CONSTRUCT" and following and following.text == "{"):
            walk.next_is_data = True
        elif word == "SELECT" and not scopes:  # the query's own: a binding holds throughout
            walk.next_select = bound
        elif word == "SELECT":
            walk.next_select = _projected(found, i, _enclosing(scopes, bound))
        elif token.text == "{":
            if walk.next_is_data:
                walk.next_is_data = False
                scopes.append(None)
                continue
            scope = walk.next_select if walk.next_select is not None else _enclosing(scopes, bound)
            walk.next_select = None
            scopes.append(scope)
            starts_select = following is not None and following.text.upper() == "SELECT"
            names = sorted(scope & _mentioned(found, i))
            if names and not starts_select:  # a sub-select's own braces hold nothing else
                inserts.append((token.offset + 1, names))
        elif token.text == "}" and scopes:
            scopes.pop()
    return inserts


def _enclosing(scopes: list[frozenset[str] | None], bound: frozenset[str]) -> frozenset[str]:
    """The names in scope in the innermost open group (all bound names at the top)."""
    for scope in reversed(scopes):
        if scope is not None:
            return scope
    return bound


def _projected(found: list[Token], select: int, outer: frozenset[str]) -> frozenset[str]:
    """The names of ``outer`` that the ``SELECT`` at ``select`` projects (``*``: all of them);
    a name assigned with ``AS`` is the sub-select's own."""
    names: set[str] = set()
    star = False
    for i in range(select + 1, len(found)):
        token = found[i]
        if token.text == "{" or token.text.upper() == "WHERE":
            break
        star = star or token.text == "*"
        assigned = i > 0 and found[i - 1].text.upper() == "AS"
        if token.kind == "var" and not assigned:
            names.add(token.text[1:])
    return outer if star else outer & frozenset(names)


def _mentioned(found: list[Token], opening: int) -> frozenset[str]:
    """The variables written between the ``{`` at ``opening`` and its ``}``."""
    names: set[str] = set()
    depth = 0
    for token in found[opening:]:
        if token.text == "{":
            depth += 1
        elif token.text == "}":
            depth -= 1
            if depth == 0:
                break
        elif token.kind == "var":
            names.add(token.text[1:])
    return frozenset(names)
