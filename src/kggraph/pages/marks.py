"""What a page marks: the statements the editors added, and dates read rather than stated.

A statement in the editorial graph is explained by a ``kg:EditorialStatement`` node (its
subject, predicate and object, and its ``kg:reason``). The page query brings those nodes and
their reasons along with a resource's own triples (``kggraph.pages.describe.PAGE``); ``editorial``
indexes them by the triple they explain, so the page model can put the reason beside exactly
the value that was added. ``reading`` says what an EDTF companion value means (``1975~`` is
approximate, ``1975?`` uncertain, ``1975%`` both) in words a page can show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kggraph.core.language import Text, pick, term_label
from kggraph.core.namespaces import KG, RDF, RDFS

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
Key = tuple[str, str, Term]
"""A triple as (subject IRI, predicate IRI, object term)."""

_TYPE = str(RDF.type)
_STATEMENT = ox.NamedNode(str(KG.EditorialStatement))
_PARTS = (str(RDF.subject), str(RDF.predicate), str(RDF.object))
_REASON = str(KG.reason)


@dataclass(frozen=True)
class Added:
    """A value the editors added: its statement node and the reason, in the page's language."""

    statement: str
    reason: str
    label: Text
    comment: Text | None


def editorial(triples: Iterable[ox.Triple], lang: str) -> dict[Key, Added]:
    """Every statement node among ``triples``, by the triple it explains."""
    out: dict[str, dict[str, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if isinstance(t.subject, ox.NamedNode):
            out[t.subject.value][t.predicate.value].append(t.object)
    found: dict[Key, Added] = {}
    for node, props in out.items():
        if _STATEMENT not in props.get(_TYPE, ()):
            continue
        key = _key(props)
        reasons = sorted(r.value for r in props.get(_REASON, ()) if isinstance(r, ox.NamedNode))
        if key is None or not reasons:
            continue
        reason = out.get(reasons[0], {})
        found[key] = Added(
            statement=node,
            reason=reasons[0],
            label=term_label(_texts(reason.get(str(RDFS.label), ())), lang, reasons[0]),
            comment=_comment(reason.get(str(RDFS.comment), ()), lang),
        )
    return found


def _key(props: dict[str, list[Term]]) -> Key | None:
    values = [props.get(p, []) for p in _PARTS]
    if any(len(v) != 1 for v in values):
        return None
    subject, predicate, obj = (v[0] for v in values)
    if not isinstance(subject, ox.NamedNode) or not isinstance(predicate, ox.NamedNode):
        return None
    return (subject.value, predicate.value, obj)


def _texts(literals: Iterable[Term]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for term in literals:
        if isinstance(term, ox.Literal):
            found[term.language or ""].append(term.value)
    return found


def _comment(literals: Iterable[Term], lang: str) -> Text | None:
    texts = _texts(literals)
    return pick(texts, lang) if texts else None


QUALIFIERS = {"~": "approximate", "?": "uncertain", "%": "approximate_uncertain"}
"""EDTF qualifiers (ISO 8601-2) and the page-text key that says each in words."""


@dataclass(frozen=True)
class Reading:
    """An EDTF value and what its qualifiers say (keys of the page's words, in order)."""

    value: str
    says: tuple[str, ...]


def reading(value: str) -> Reading:
    """``1975~`` → approximate; ``2015/2016-03%`` → an interval, approximate and uncertain."""
    says: list[str] = []
    if "/" in value:
        says.append("interval")
    for mark, key in QUALIFIERS.items():
        if mark in value and key not in says:
            says.append(key)
    return Reading(value, tuple(says))
