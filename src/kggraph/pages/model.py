"""The page of one resource, as a model: what to show, grouped, in the reader's language.

``resource_page`` takes the triples of ``kggraph.pages.describe.PAGE`` and arranges them the way a
person reads: a title and the other names; the types; the dates, each with its ISO value and
the source's own wording (or, for a date the build derived, the era form written out by
``kggraph.core.era_text``); every other property with its values, neighbours as links; the links
that point here, grouped by property; for a place, what points to its government; and the
sections of the source document it is derived from. Labels fall back as
``kggraph.core.language.term_label`` says. The model holds IRIs, never URLs: the web layer maps
them.

A value the editors added (in the editorial graph, explained by a ``kg:EditorialStatement``)
carries its reason (``kggraph.pages.marks``); a date read rather than stated carries its EDTF
companion. The page of a statement node is titled "subject – property – object", since such a
node has no label of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import pyoxigraph as ox

from kggraph.core.era_text import era_text, fiscal_year_text
from kggraph.core.language import Text, term_label
from kggraph.core.namespaces import (
    DATED_PAIRS,
    EDTF_PAIRS,
    FISCAL_PAIRS,
    KG,
    PROV,
    RDF,
    RDFS,
    SKOS,
    XSD,
    shorten,
)
from kggraph.pages.describe import LABELS
from kggraph.pages.marks import Added, Key, editorial, reading
from kggraph.pages.parts import (
    DateRow,
    Explained,
    Group,
    Link,
    ResourcePage,
    Section,
    Value,
    Via,
)

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple

_TYPE = str(RDF.type)
_LABELS = tuple(str(p) for p in LABELS)
_ALT = str(SKOS.altLabel)
_COMMENT = str(RDFS.comment)
_DERIVED = str(PROV.wasDerivedFrom)
_NUMBER = str(KG.sectionNumber)
_PART_OF = str(KG.partOfSection)
_GOVERNMENT_OF = str(KG.governmentOf)
_STATED = {str(RDF.subject), str(RDF.object)}
"""How a statement node points at the ends of its triple: shown as a mark, not as a link."""
_DATE_PROPS = {str(p) for pair in DATED_PAIRS + FISCAL_PAIRS + EDTF_PAIRS for p in pair}
_EDTF = {str(iso): str(edtf) for iso, edtf in EDTF_PAIRS}
SHOWN_APART = {_TYPE, *_LABELS, _ALT, _COMMENT, _DERIVED, *_DATE_PROPS}
"""Properties the page shows in their own place, not in the table of properties."""


class _Graph:
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


class _Labeller:
    """Labels of nodes and properties in one language, with the fallback."""

    def __init__(self, graph: _Graph, lang: str) -> None:
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


def exists(triples: Iterable[ox.Triple], iri: str) -> bool:
    """True if ``iri`` is the subject or the object of one of ``triples``."""
    node = ox.NamedNode(iri)
    return any(t.subject == node or t.object == node for t in triples)


def resource_page(iri: str, triples: list[ox.Triple], lang: str) -> ResourcePage:
    """The model of the page of ``iri`` in ``lang`` from the triples of its page query."""
    graph = _Graph(triples)
    names = _Labeller(graph, lang)
    marks = editorial(triples, lang)
    names.titles = {
        added.statement: _statement_title(_explained(names, key, added))
        for key, added in marks.items()
    }
    explains = _explains(names, marks, iri)
    title = names.label(iri)
    types = (
        _value(names, ox.NamedNode(t), marks.get((iri, _TYPE, ox.NamedNode(t))))
        for t in graph.iris(iri, _TYPE)
    )
    return ResourcePage(
        iri=iri,
        lang=lang,
        title=title,
        names=_other_names(graph, iri, title),
        types=tuple(sorted(types, key=_value_key)),
        comments=_texts(graph.literals(iri, _COMMENT), lang),
        dates=_dates(graph, names, iri, marks),
        properties=_properties(graph, names, iri, marks),
        incoming=_incoming(graph, names, iri, skip=set(), marks=marks),
        via=_via(graph, names, iri),
        sections=_sections(graph, names, iri),
        triples=graph.size,
        explains=explains,
    )


def _explains(names: _Labeller, marks: dict[Key, Added], iri: str) -> Explained | None:
    found = [_explained(names, key, a) for key, a in marks.items() if a.statement == iri]
    return found[0] if found else None


def _explained(names: _Labeller, key: Key, added: Added) -> Explained:
    subject, prop, term = key
    return Explained(names.link(subject), names.link(prop), _value(names, term), added)


def _statement_title(explains: Explained) -> Text:
    """ "subject – property – object", in the page's language where the labels allow."""
    value = explains.value.link.label if explains.value.link else explains.value.text
    parts = (explains.subject.label, explains.prop.label, value or Text(""))
    return Text(" – ".join(p.value for p in parts), explains.subject.label.lang)


def _texts(by_lang: dict[str, list[str]], lang: str) -> tuple[Text, ...]:
    """Every text, the reader's language first."""
    order = {code: i for i, code in enumerate((lang, "en", "ja"))}
    return tuple(
        sorted(
            (Text(v, code) for code, values in by_lang.items() for v in values),
            key=lambda t: (order.get(t.lang, len(order)), t.lang, t.value),
        )
    )


def _other_names(graph: _Graph, iri: str, title: Text) -> tuple[Text, ...]:
    labels = graph.literals(iri, *_LABELS, _ALT)
    return tuple(t for t in _texts(labels, title.lang) if t != title)


def _value(names: _Labeller, term: Term, added: Added | None = None) -> Value:
    if isinstance(term, ox.NamedNode):
        return Value(link=names.link(term.value), added=added)
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        plain = bool(term.language) or datatype == str(XSD.string)
        text = Text(term.value, term.language or "")
        return Value(text=text, datatype="" if plain else shorten(datatype), added=added)
    return Value(text=Text(str(term)), added=added)


def _value_key(value: Value) -> tuple[int, str, str]:
    if value.link is not None:
        return (1, value.link.note + value.link.label.value.casefold(), value.link.iri)
    text = value.text or Text("")
    return (0, text.lang, text.value)


def _group(names: _Labeller, prop: str, values: Iterable[Value]) -> Group:
    return Group(names.link(prop), shorten(prop), tuple(sorted(set(values), key=_value_key)))


def _properties(
    graph: _Graph, names: _Labeller, iri: str, marks: dict[Key, Added]
) -> tuple[Group, ...]:
    by_prop: dict[str, list[Value]] = defaultdict(list)
    for prop, term in graph.out.get(iri, ()):
        if prop not in SHOWN_APART:
            by_prop[prop].append(_value(names, term, marks.get((iri, prop, term))))
    groups = (_group(names, prop, values) for prop, values in by_prop.items())
    return tuple(sorted(groups, key=lambda g: (g.prop.label.value.casefold(), g.curie)))


def _incoming(
    graph: _Graph,
    names: _Labeller,
    iri: str,
    *,
    skip: set[str],
    marks: dict[Key, Added] | None = None,
) -> tuple[Group, ...]:
    """The nodes that point to ``iri``, grouped by property (``skip``: subjects to leave out)."""
    by_prop: dict[str, list[Value]] = defaultdict(list)
    target = ox.NamedNode(iri)
    for subject, prop in graph.into.get(iri, ()):
        if subject != iri and subject not in skip and prop not in _STATED:
            added = (marks or {}).get((subject, prop, target))
            by_prop[prop].append(Value(link=names.link(subject), added=added))
    groups = (_group(names, prop, values) for prop, values in by_prop.items())
    return tuple(sorted(groups, key=lambda g: (-len(g.values), g.prop.label.value.casefold())))


def _via(graph: _Graph, names: _Labeller, iri: str) -> tuple[Via, ...]:
    governments = sorted(
        subject for subject, prop in graph.into.get(iri, ()) if prop == _GOVERNMENT_OF
    )
    return tuple(
        Via(names.link(g), groups)
        for g in governments
        if (groups := _incoming(graph, names, g, skip={iri}))
    )


def _dates(
    graph: _Graph, names: _Labeller, iri: str, marks: dict[Key, Added]
) -> tuple[DateRow, ...]:
    rows: list[DateRow] = []
    for iso_prop, text_prop in DATED_PAIRS:
        wording = [t.value for t in graph.objects(iri, str(text_prop)) if isinstance(t, ox.Literal)]
        edtf_prop = _EDTF[str(iso_prop)]
        readings = [t for t in graph.objects(iri, edtf_prop) if isinstance(t, ox.Literal)]
        for term in graph.objects(iri, str(iso_prop)):
            iso = term.value if isinstance(term, ox.Literal) else str(term)
            era = min(wording) if wording else era_text(iso)
            edtf = min(readings, key=lambda t: t.value) if readings else None
            added = marks.get((iri, str(iso_prop), term)) or (
                marks.get((iri, edtf_prop, edtf)) if edtf is not None else None
            )
            shown = reading(edtf.value) if edtf is not None else None
            rows.append(
                DateRow(names.link(str(iso_prop)), iso, era, bool(wording), None, shown, added)
            )
    for fy_prop, text_prop in FISCAL_PAIRS:
        wording = [t.value for t in graph.objects(iri, str(text_prop)) if isinstance(t, ox.Literal)]
        for year in graph.iris(iri, str(fy_prop)):
            iso = year.rsplit("/", 1)[-1]
            era = min(wording) if wording else _fiscal_era(iso)
            rows.append(
                DateRow(names.link(str(fy_prop)), iso, era, bool(wording), names.link(year))
            )
    return tuple(rows)


def _fiscal_era(year: str) -> str | None:
    return fiscal_year_text(int(year)) if year.isdigit() else None


def _sections(graph: _Graph, names: _Labeller, iri: str) -> tuple[Section, ...]:
    found = []
    for section in graph.iris(iri, _DERIVED):
        parents: list[Link] = []
        seen = {section}
        parent = _parent(graph, section)
        while parent is not None and parent not in seen:
            seen.add(parent)
            parents.append(names.link(parent))
            parent = _parent(graph, parent)
        link = names.link(section)
        found.append(Section(link, link.note, tuple(reversed(parents))))
    return tuple(sorted(found, key=lambda s: (s.number, s.link.iri)))


def _parent(graph: _Graph, section: str) -> str | None:
    parents = graph.iris(section, _PART_OF)
    return min(parents) if parents else None
