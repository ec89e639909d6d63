"""Variables bound before a query runs: typed terms carried beside the query text, never in it.

A ``QueryTask`` carries its bindings as (variable name, term in N-Triples syntax) pairs:
hashable, picklable and part of the answer key. The worker reads each back into one pyoxigraph
term for ``Store.query(substitutions=…)`` (SEP-0007). Where the values come from and how they
are typed (a canned query's declared parameters) is ``kggraph.canned.params``'s concern.
"""

from __future__ import annotations

import pyoxigraph as ox

from kggraph.core.errors import InvalidArgument

Substituted = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
"""What ``Store.query(substitutions=…)`` takes as a value."""
Bindings = tuple[tuple[str, str], ...]
"""(variable name, term in N-Triples syntax), one pair per bound variable."""

_PROBE_SUBJECT = "<urn:kggraph:binding>"


def substitutions(bindings: Bindings) -> dict[ox.Variable, Substituted]:
    """The bindings as pyoxigraph terms for ``Store.query(substitutions=…)``.

    Each term is read back with pyoxigraph's N-Triples parser; anything that is not exactly one
    IRI or literal is refused, so a binding can never carry more than one term.
    """
    found: dict[ox.Variable, Substituted] = {}
    for name, written in bindings:
        line = f"{_PROBE_SUBJECT} {_PROBE_SUBJECT} {written} .\n".encode()
        try:
            quads = list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError:
            quads = []
        term = quads[0].object if len(quads) == 1 else None
        if not isinstance(term, ox.NamedNode | ox.Literal):
            raise InvalidArgument(f"the binding of ?{name} is not one IRI or literal: {written!r}")
        found[ox.Variable(name)] = term
    return found
