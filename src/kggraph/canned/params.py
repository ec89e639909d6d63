"""A client's values for a canned query's parameters, made typed RDF terms before anything runs.

A value arrives as text (``?country=…`` in a URL, ``--param country=…`` on the command line).
It becomes the RDF term its parameter declares (``kggraph.canned.catalogue``), or the request is
refused with an ``InvalidArgument`` that names the parameter, the type it expects and the value
it got. The query text is never touched: the terms travel beside it in ``QueryTask.bindings``
as N-Triples text (hashable, picklable, part of the answer key), and the query worker turns them
back into pyoxigraph terms for ``Store.query(substitutions=…)`` (SEP-0007). A value such as
``x> } ; DROP ALL ; #`` is therefore either not an IRI (refused) or a plain string literal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

import pyoxigraph as ox

from kggraph.canned.catalogue import LEXICAL, CannedQuery, Parameter
from kggraph.core.errors import InvalidArgument
from kggraph.core.namespaces import ID_IRI
from kggraph.query.bindings import Bindings

Term = ox.NamedNode | ox.Literal

EXPECTED = {
    "IRI": "an absolute IRI (https://…) or an id path such as country/vietnam",
    "xsd:string": "any text",
    "xsd:integer": "a whole number such as 2024",
    "xsd:decimal": "a decimal number such as 2.5",
    "xsd:boolean": "true or false",
    "xsd:date": "a date such as 2024-04-01",
    "xsd:gYear": "a year such as 2024",
}
"""What a value of each declared type looks like, for error messages and the API docs."""

MAX_LENGTH = 2000
"""Longest value accepted: longer text is no label, year or IRI in this graph."""
MAX_SHOWN = 60
ID_PATH = re.compile(r"[a-z0-9-]+(?:/[A-Za-z0-9._~-]+)+")
"""A value like ``country/vietnam``: an instance IRI without its base (``…/id/``)."""
DATE_PARTS = re.compile(r"^-?(\d{4,})-(\d{2})-(\d{2})")


def to_term(param: Parameter, value: str) -> Term:
    """``value`` as the term ``param`` declares, or an ``InvalidArgument`` naming all three."""
    if len(value) > MAX_LENGTH:
        raise _wrong(param, value, f"longer than {MAX_LENGTH} characters")
    if param.type == "xsd:string":
        return ox.Literal(value)
    text = value.strip()
    if param.is_iri:
        return _iri(param, text)
    datatype = ox.NamedNode(param.datatype or "")
    if param.type == "xsd:integer" and LEXICAL[param.type].fullmatch(text):
        return ox.Literal(str(int(text)), datatype=datatype)  # canonical: one key per number
    if param.type == "xsd:boolean" and LEXICAL[param.type].fullmatch(text.lower()):
        canonical = "true" if text.lower() in ("true", "1") else "false"
        return ox.Literal(canonical, datatype=datatype)
    if param.type == "xsd:date" and LEXICAL[param.type].fullmatch(text):
        _check_calendar(param, text)
        return ox.Literal(text, datatype=datatype)
    if param.type in ("xsd:decimal", "xsd:gYear") and LEXICAL[param.type].fullmatch(text):
        return ox.Literal(text, datatype=datatype)
    raise _wrong(param, value)


def bind(query: CannedQuery, given: Mapping[str, str]) -> Bindings:
    """Every parameter of ``query`` as a term: the given value, else the header's default."""
    known = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(known))
    if unknown:
        accepted = ", ".join(known) or "none"
        raise InvalidArgument(
            f"{query.slug} has no parameter {unknown[0]!r}; its parameters: {accepted}"
        )
    return tuple(
        (p.name, str(to_term(p, given[p.name] if p.name in given else p.default)))
        for p in query.params
    )


def _iri(param: Parameter, text: str) -> ox.NamedNode:
    candidate = ID_IRI + text if ID_PATH.fullmatch(text) else text
    try:
        return ox.NamedNode(candidate)
    except ValueError:
        raise _wrong(param, text) from None


def _check_calendar(param: Parameter, text: str) -> None:
    """``2024-02-30`` has the form of a date but is none."""
    year, month, day = (int(part) for part in DATE_PARTS.findall(text)[0])
    try:
        date(max(year, 1), month, day)
    except ValueError:
        raise _wrong(param, text, "no such day") from None


def _wrong(param: Parameter, value: str, why: str = "") -> InvalidArgument:
    shown = value if len(value) <= MAX_SHOWN else value[:MAX_SHOWN] + "…"
    reason = f" ({why})" if why else ""
    return InvalidArgument(
        f"parameter {param.name} expects {param.type}, {EXPECTED[param.type]}; "
        f"got {shown!r}{reason}"
    )
