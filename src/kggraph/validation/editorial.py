"""The editorial graph's build check: what the editors add is explained, and kept apart.

Statements the source does not make live in one named graph (``EDITORIAL_GRAPH``, loaded from
``data/editorial.ttl``), each explained by a ``kg:EditorialStatement`` node that names the
triple (``rdf:subject``, ``rdf:predicate``, ``rdf:object``) and its ``kg:reason``. SHACL sees
the merged graph only, so it cannot tell where a triple is; this check can:

- every statement's triple is in the editorial graph, and in no other named graph (a source
  graph must not state it too, or "what the source says, only" would still show it);
- every triple of the editorial graph is about a statement or reason node, or is the triple of
  some statement (nothing is added there unexplained).

A failure is reported as a violation, so the build refuses the graph as it does for SHACL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from kggraph.core.namespaces import KG, RDF, shorten
from kggraph.graph.store import EDITORIAL_GRAPH, GraphStore
from kggraph.validation.shapes import ValidationResult

CHECK = "build check: editorial graph"
"""What the report shows as the "shape" of a finding of this check."""

_TYPE = ox.NamedNode(str(RDF.type))
_PARTS = (ox.NamedNode(str(RDF.subject)), ox.NamedNode(str(RDF.predicate)))
_OBJECT = ox.NamedNode(str(RDF.object))
_EXPLAINING = (ox.NamedNode(str(KG.EditorialStatement)), ox.NamedNode(str(KG.EditorialReason)))


@dataclass(frozen=True)
class Statement:
    """One ``kg:EditorialStatement`` node and the triple it explains."""

    node: ox.NamedNode
    triple: ox.Triple


def statements(store: GraphStore) -> list[Statement]:
    """Every complete statement node (one subject, predicate and object), in IRI order.

    Incomplete nodes are left to ``kgsh:EditorialStatementShape``, which names what is missing.
    """
    found = []
    for node in sorted(_typed(store, _EXPLAINING[0]), key=lambda n: n.value):
        triple = _stated_triple(store, node)
        if triple is not None:
            found.append(Statement(node, triple))
    return found


def check_editorial(
    store: GraphStore, files: Mapping[str, str] | None = None
) -> list[ValidationResult]:
    """Violations of the two rules above; ``files`` maps graph IRIs to data file names."""
    names = dict(files or {})
    explained = statements(store)
    problems = [p for s in explained for p in _misplaced(store, s, names)]
    return problems + list(_unexplained(store, explained, names))


def _misplaced(
    store: GraphStore, statement: Statement, files: dict[str, str]
) -> Iterable[ValidationResult]:
    graphs = _graphs_holding(store, statement.triple)
    shown = show_triple(statement.triple)
    where = files.get(EDITORIAL_GRAPH.value, "data/editorial.ttl")
    if EDITORIAL_GRAPH.value not in graphs:
        yield _result(
            statement.node,
            f"The editorial statement {shorten(statement.node.value)} explains {shown}, but that "
            f"triple is not in the editorial graph: write it beside its statement in {where}.",
            where,
        )
    others = sorted(files.get(g, g) for g in graphs if g != EDITORIAL_GRAPH.value)
    if others:
        yield _result(
            statement.node,
            f"The editorial statement {shorten(statement.node.value)} explains {shown}, which is "
            f"also in {', '.join(others)}: a statement the source does not make belongs to the "
            f"editorial graph only; remove it from there.",
            others[0],
        )


def _unexplained(
    store: GraphStore, explained: list[Statement], files: dict[str, str]
) -> Iterable[ValidationResult]:
    notes = {n for kind in _EXPLAINING for n in _typed(store, kind)}
    stated = {s.triple for s in explained}
    where = files.get(EDITORIAL_GRAPH.value, "data/editorial.ttl")
    quads = sorted(store.quads(graph=EDITORIAL_GRAPH), key=str)
    for quad in quads:
        triple = ox.Triple(quad.subject, quad.predicate, quad.object)
        if quad.subject in notes or triple in stated:
            continue
        yield _result(
            quad.subject,
            f"The editorial graph holds {show_triple(triple)}, which no kg:EditorialStatement "
            "explains: add a statement node (rdf:subject, rdf:predicate, rdf:object) with its "
            "kg:reason, or move the triple to the file of the section that states it.",
            where,
        )


def show_triple(triple: ox.Triple) -> str:
    """``kgid:x kg:p "v"`` with the project prefixes, for messages."""
    return " ".join(show_term(t) for t in (triple.subject, triple.predicate, triple.object))


def show_term(term: object) -> str:
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return f'"{term.value}"@{term.language}'
        return f'"{term.value}"^^{shorten(term.datatype.value)}'
    return str(term)


def _typed(store: GraphStore, kind: ox.NamedNode) -> set[ox.NamedNode]:
    return {
        q.subject
        for q in store.quads(predicate=_TYPE)
        if q.object == kind and isinstance(q.subject, ox.NamedNode)
    }


def _stated_triple(store: GraphStore, node: ox.NamedNode) -> ox.Triple | None:
    values: dict[ox.NamedNode, set[object]] = {p: set() for p in (*_PARTS, _OBJECT)}
    for quad in store.quads(subject=node):
        if quad.predicate in values:
            values[quad.predicate].add(quad.object)
    if any(len(v) != 1 for v in values.values()):
        return None
    subject, predicate = (next(iter(values[p])) for p in _PARTS)
    if not isinstance(subject, ox.NamedNode) or not isinstance(predicate, ox.NamedNode):
        return None
    obj = next(iter(values[_OBJECT]))
    if not isinstance(obj, ox.NamedNode | ox.Literal):
        return None
    return ox.Triple(subject, predicate, obj)


def _graphs_holding(store: GraphStore, triple: ox.Triple) -> set[str]:
    subject = triple.subject
    if not isinstance(subject, ox.NamedNode):
        return set()
    return {
        q.graph_name.value
        for q in store.quads(subject=subject, predicate=triple.predicate)
        if q.object == triple.object and isinstance(q.graph_name, ox.NamedNode)
    }


def _result(focus: object, message: str, source: str | None) -> ValidationResult:
    return ValidationResult(
        severity="Violation",
        focus=show_term(focus),
        label=None,
        path=None,
        value=None,
        message=message,
        shape=CHECK,
        source=source,
    )
