"""The ontology read into what its documentation shows: header, classes and properties.

The HTML page at the ontology's IRI and its diagram are made from this model, and the model is
made from the ontology's own triples (``ontology.ttl`` of the release), so the documentation
cannot say anything the published ontology does not. Each term keeps its local name as the
anchor of its section, so a term IRI such as ``…/ontology#City`` lands on its entry. A term's
label in a language is chosen as everywhere else (``kggraph.core.language.term_label``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from kggraph.core.language import local_name, term_label
from kggraph.core.namespaces import DCTERMS, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS, VANN, VOCAB_IRI

Texts = tuple[tuple[str, str], ...]
"""(language, text) pairs, sorted by language."""

KINDS = {
    str(OWL.Class): "class",
    str(OWL.ObjectProperty): "object property",
    str(OWL.DatatypeProperty): "datatype property",
    str(OWL.AnnotationProperty): "annotation property",
}
CHARACTERISTICS = {
    str(OWL.SymmetricProperty): "symmetric",
    str(OWL.TransitiveProperty): "transitive",
    str(OWL.FunctionalProperty): "functional",
    str(OWL.InverseFunctionalProperty): "inverse functional",
    str(OWL.AsymmetricProperty): "asymmetric",
    str(OWL.ReflexiveProperty): "reflexive",
    str(OWL.IrreflexiveProperty): "irreflexive",
}


@dataclass(frozen=True)
class Term:
    """One class or property of the ontology."""

    iri: str
    kind: str
    labels: Texts
    definitions: Texts
    comments: Texts
    parents: tuple[str, ...]
    equivalents: tuple[str, ...]
    disjoint: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    ranges: tuple[str, ...] = ()
    inverses: tuple[str, ...] = ()
    characteristics: tuple[str, ...] = ()
    children: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The local name: the anchor of the term's section (``City`` for ``…#City``)."""
        return local_name(self.iri)

    def label(self, lang: str) -> str:
        by_lang: defaultdict[str, list[str]] = defaultdict(list)
        for code, text in self.labels:
            by_lang[code].append(text)
        return term_label(by_lang, lang, self.iri).value

    @property
    def alignments(self) -> tuple[tuple[str, str], ...]:
        """(relation, external IRI): the standard terms this one specialises or equals."""
        relation = "subclass of" if self.kind == "class" else "subproperty of"
        return tuple(
            [(relation, p) for p in self.parents if not p.startswith(VOCAB_IRI)]
            + [("equivalent to", e) for e in self.equivalents if not e.startswith(VOCAB_IRI)]
        )


@dataclass(frozen=True)
class OntologyDoc:
    """The ontology's header and its terms, each list in the order of local names."""

    iri: str
    version_iri: str | None
    version: str | None
    prior_version: str | None
    titles: Texts
    descriptions: Texts
    license: str | None
    created: str | None
    modified: str | None
    creators: tuple[str, ...]
    prefix: str | None
    namespace: str | None
    classes: tuple[Term, ...]
    object_properties: tuple[Term, ...]
    datatype_properties: tuple[Term, ...]
    other_properties: tuple[Term, ...] = ()
    _by_iri: dict[str, Term] = field(default_factory=dict, compare=False, repr=False)

    @property
    def terms(self) -> tuple[Term, ...]:
        return (
            self.classes + self.object_properties + self.datatype_properties
            + self.other_properties
        )  # fmt: skip

    def term(self, iri: str) -> Term | None:
        return self._by_iri.get(iri)

    def roots(self) -> tuple[Term, ...]:
        """Classes with no superclass in this ontology: the tops of the class tree."""
        own = {c.iri for c in self.classes}
        return tuple(c for c in self.classes if not any(p in own for p in c.parents))

    def properties_with_domain(self, cls: str) -> tuple[Term, ...]:
        return tuple(p for p in self.properties if cls in p.domains)

    def properties_with_range(self, cls: str) -> tuple[Term, ...]:
        return tuple(p for p in self.properties if cls in p.ranges)

    @property
    def properties(self) -> tuple[Term, ...]:
        return self.object_properties + self.datatype_properties + self.other_properties


class _Values:
    def __init__(self, triples: Iterable[ox.Triple]) -> None:
        self.iris: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        self.texts: defaultdict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
        for t in triples:
            if not isinstance(t.subject, ox.NamedNode):
                continue
            key = (t.subject.value, t.predicate.value)
            if isinstance(t.object, ox.NamedNode):
                self.iris[key].add(t.object.value)
            elif isinstance(t.object, ox.Literal):
                self.texts[key].add((t.object.language or "", t.object.value))

    def all(self, subject: str, predicate: object) -> tuple[str, ...]:
        return tuple(sorted(self.iris[(subject, str(predicate))]))

    def one(self, subject: str, predicate: object) -> str | None:
        found = self.all(subject, predicate)
        return found[0] if found else None

    def text(self, subject: str, predicate: object) -> Texts:
        return tuple(sorted(self.texts[(subject, str(predicate))]))

    def literal(self, subject: str, predicate: object) -> str | None:
        found = self.text(subject, predicate)
        return found[0][1] if found else None


def read_ontology(triples: Iterable[ox.Triple], iri: str = ONTOLOGY_IRI) -> OntologyDoc:
    """The documentation model of the ontology ``iri`` from its triples."""
    v = _Values(triples)
    typed: defaultdict[str, list[str]] = defaultdict(list)
    for (subject, predicate), objects in v.iris.items():
        if predicate == str(RDF.type) and subject.startswith(VOCAB_IRI):
            for kind in objects & KINDS.keys():
                typed[KINDS[kind]].append(subject)
    children: defaultdict[str, list[str]] = defaultdict(list)
    for (subject, predicate), objects in v.iris.items():
        if predicate in (str(RDFS.subClassOf), str(RDFS.subPropertyOf)):
            for parent in objects:
                children[parent].append(subject)

    def term(node: str, kind: str) -> Term:
        is_class = kind == "class"
        types = v.all(node, RDF.type)
        return Term(
            iri=node,
            kind=kind,
            labels=v.text(node, RDFS.label),
            definitions=v.text(node, SKOS.definition),
            comments=v.text(node, RDFS.comment),
            parents=v.all(node, RDFS.subClassOf if is_class else RDFS.subPropertyOf),
            equivalents=v.all(node, OWL.equivalentClass if is_class else OWL.equivalentProperty),
            disjoint=v.all(node, OWL.disjointWith),
            domains=v.all(node, RDFS.domain),
            ranges=v.all(node, RDFS.range),
            inverses=v.all(node, OWL.inverseOf),
            characteristics=tuple(CHARACTERISTICS[t] for t in types if t in CHARACTERISTICS),
            children=tuple(sorted(children[node])),
        )

    def terms(kind: str) -> tuple[Term, ...]:
        return tuple(term(node, kind) for node in sorted(set(typed[kind]), key=local_name))

    doc = OntologyDoc(
        iri=iri,
        version_iri=v.one(iri, OWL.versionIRI),
        version=v.literal(iri, OWL.versionInfo),
        prior_version=v.one(iri, OWL.priorVersion),
        titles=v.text(iri, DCTERMS.title),
        descriptions=v.text(iri, DCTERMS.description),
        license=v.one(iri, DCTERMS.license),
        created=v.literal(iri, DCTERMS.created),
        modified=v.literal(iri, DCTERMS.modified),
        creators=tuple(t for _, t in v.text(iri, DCTERMS.creator)) + v.all(iri, DCTERMS.creator),
        prefix=v.literal(iri, VANN.preferredNamespacePrefix),
        namespace=v.literal(iri, VANN.preferredNamespaceUri),
        classes=terms("class"),
        object_properties=terms("object property"),
        datatype_properties=terms("datatype property"),
        other_properties=terms("annotation property"),
    )
    doc._by_iri.update({t.iri: t for t in doc.terms})
    return doc
