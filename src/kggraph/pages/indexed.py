"""A page's triples indexed by subject and by object, and the labels of their nodes in the
reader's language (``kggraph.core.language.term_label``): what the page model reads them with."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from kggraph.core.language import Text, term_label
from kggraph.core.namespaces import KG
from kggraph.pages.describe import LABELS
from kggraph.pages.parts import Link

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_LABELS = tuple(str(p) for p in LABELS)
_NUMBER = str(KG.sectionNumber)


class Graph:
    """The page's triples, indexed by subject and by object."""

    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.out: dict[str, list[tuple[str, Term]]] = defaultdict(list)
        self.into: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.size = 0
        for t in triples:
            if not isinstance(t.subject, ox.NamedNode):
                continue
            self.size += 1
            self.out[t.subject.value].append((t.predicate.value, t.object))
            if isinstance(t.object, ox.NamedNode):
                self.into[t.object.value].append((t.subject.value, t.predicate.value))

    def objects(self, subject: str, prop: str) -> list[Term]:
        return [o for p, o in self.out.get(subject, ()) if p == prop]

    def literals(self, subject: str, *props: str) -> dict[str, list[str]]:
        found: dict[str, list[str]] = defaultdict(list)
        for p, o in self.out.get(subject, ()):
            if p in props and isinstance(o, ox.Literal):
                found[o.language or ""].append(o.value)
        return found

    def iris(self, subject: str, prop: str) -> list[str]:
        return [o.value for o in self.objects(subject, prop) if isinstance(o, ox.NamedNode)]


class Labeller:
    """Labels of nodes and properties in one language, with the fallback."""

    def __init__(self, graph: Graph, lang: str) -> None:
        self.graph = graph
        self.lang = lang
        self.titles: dict[str, Text] = {}
        """Titles of nodes without labels: editorial statements, as their triple."""

    def label(self, iri: str) -> Text:
        if iri in self.titles:
            return self.titles[iri]
        return term_label(self.graph.literals(iri, *_LABELS), self.lang, iri)

    def link(self, iri: str) -> Link:
        numbers = self.graph.literals(iri, _NUMBER).get("", [])
        return Link(iri, self.label(iri), min(numbers) if numbers else "")

    def sort_key(self, link: Link) -> tuple[str, str, str]:
        return (link.note, link.label.value.casefold(), link.iri)
