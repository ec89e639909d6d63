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
from dataclasses import replace

import pyoxigraph as ox

from kggraph.core.language import Text
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
from kggraph.pages import outside as links
from kggraph.pages.dates import date_rows
from kggraph.pages.describe import LABELS
from kggraph.pages.incoming import Counts
from kggraph.pages.indexed import Graph, Labeller, Term
from kggraph.pages.marks import Added, Key, editorial
from kggraph.pages.paging import Window, windows
from kggraph.pages.parts import (
    Explained,
    Group,
    Link,
    Outside,
    ResourcePage,
    Section,
    Value,
    Via,
)

_TYPE = str(RDF.type)
_LABELS = tuple(str(p) for p in LABELS)
_ALT = str(SKOS.altLabel)
_COMMENT = str(RDFS.comment)
_DERIVED = str(PROV.wasDerivedFrom)
_PART_OF = str(KG.partOfSection)
_GOVERNMENT_OF = str(KG.governmentOf)
_STATED = {str(RDF.subject), str(RDF.object)}
"""How a statement node points at the ends of its triple: shown as a mark, not as a link."""
_DATE_PROPS = {str(p) for pair in DATED_PAIRS + FISCAL_PAIRS + EDTF_PAIRS for p in pair}
SHOWN_APART = {_TYPE, *_LABELS, _ALT, _COMMENT, _DERIVED, *_DATE_PROPS}
"""Properties the page shows in their own place, not in the table of properties."""


def exists(triples: Iterable[ox.Triple], iri: str) -> bool:
    """True if ``iri`` is the subject or the object of one of ``triples``."""
    node = ox.NamedNode(iri)
    return any(t.subject == node or t.object == node for t in triples)


def resource_page(
    iri: str,
    triples: list[ox.Triple],
    lang: str,
    *,
    counts: Counts | None = None,
    chosen: tuple[str, Window] | None = None,
    outside: list[ox.Triple] | None = None,
) -> ResourcePage:
    """The model of the page of ``iri`` in ``lang`` from the triples of its page query (with
    the pages of incoming links it asked for, ``kggraph.pages.incoming``): ``counts`` says how
    many links there are of each property, ``chosen`` which page of which property the reader
    asked for, ``outside`` what the links graph says (``kggraph.pages.outside``)."""
    graph = Graph([*triples, *(outside or ())])
    found = counts or {}
    names = Labeller(graph, lang)
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
        dates=date_rows(graph, names, iri, marks),
        properties=_properties(graph, names, iri, marks, links.keys(iri, outside or [])),
        incoming=_incoming(
            graph, names, iri, skip=set(), marks=marks, windows=windows(found.get(iri, {}), chosen)
        ),
        via=_via(graph, names, iri, found),
        sections=_sections(graph, names, iri),
        triples=graph.size,
        explains=explains,
        outside=_outside(names, iri, outside or []),
    )


def _explains(names: Labeller, marks: dict[Key, Added], iri: str) -> Explained | None:
    found = [_explained(names, key, a) for key, a in marks.items() if a.statement == iri]
    return found[0] if found else None


def _explained(names: Labeller, key: Key, added: Added) -> Explained:
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


def _other_names(graph: Graph, iri: str, title: Text) -> tuple[Text, ...]:
    labels = graph.literals(iri, *_LABELS, _ALT)
    return tuple(t for t in _texts(labels, title.lang) if t != title)


def _value(names: Labeller, term: Term, added: Added | None = None) -> Value:
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


def _group(names: Labeller, prop: str, values: Iterable[Value]) -> Group:
    return Group(names.link(prop), shorten(prop), tuple(sorted(set(values), key=_value_key)))


def _properties(
    graph: Graph,
    names: Labeller,
    iri: str,
    marks: dict[Key, Added],
    apart: set[tuple[str, str]],
) -> tuple[Group, ...]:
    by_prop: dict[str, list[Value]] = defaultdict(list)
    for prop, term in graph.out.get(iri, ()):
        if prop not in SHOWN_APART and (prop, str(term)) not in apart:
            by_prop[prop].append(_value(names, term, marks.get((iri, prop, term))))
    groups = (_group(names, prop, values) for prop, values in by_prop.items())
    return tuple(sorted(groups, key=lambda g: (g.prop.label.value.casefold(), g.curie)))


def _incoming(
    graph: Graph,
    names: Labeller,
    iri: str,
    *,
    skip: set[str],
    marks: dict[Key, Added] | None = None,
    windows: dict[str, Window],
) -> tuple[Group, ...]:
    """The nodes that point to ``iri``, grouped by property (``skip``: subjects to leave out),
    each group with its window: how many there are in all, and which page the values are."""
    by_prop: dict[str, list[Value]] = defaultdict(list)
    target = ox.NamedNode(iri)
    for subject, prop in graph.into.get(iri, ()):
        if subject != iri and subject not in skip and prop not in _STATED:
            added = (marks or {}).get((subject, prop, target))
            by_prop[prop].append(Value(link=names.link(subject), added=added))
    groups = (
        replace(group, window=windows.get(prop) or Window(len(group.values)))
        for prop, values in by_prop.items()
        if (group := _group(names, prop, values))
    )
    return tuple(sorted(groups, key=_incoming_key))


def _incoming_key(group: Group) -> tuple[int, str]:
    """The most used property first, as counted over every page."""
    count = group.window.count if group.window else len(group.values)
    return (-count, group.prop.label.value.casefold())


def _via(graph: Graph, names: Labeller, iri: str, counts: Counts) -> tuple[Via, ...]:
    governments = sorted(
        subject for subject, prop in graph.into.get(iri, ()) if prop == _GOVERNMENT_OF
    )
    return tuple(
        Via(names.link(g), groups)
        for g in governments
        if (groups := _incoming(graph, names, g, skip={iri}, windows=windows(counts.get(g, {}))))
    )


def _outside(names: Labeller, iri: str, triples: list[ox.Triple]) -> Outside | None:
    """The section of what the links graph says about ``iri`` (``None`` if it says nothing)."""
    by_prop: dict[str, list[Value]] = defaultdict(list)
    for t in triples:
        if isinstance(t.subject, ox.NamedNode) and t.subject.value == iri:
            term = t.object
            shown = links.value_of(term, triples) if not isinstance(term, ox.Triple) else None
            by_prop[t.predicate.value].append(shown or _value(names, term))
    if not by_prop:
        return None
    groups = sorted(
        (_group(names, prop, values) for prop, values in by_prop.items()),
        key=lambda g: (g.prop.label.value.casefold(), g.curie),
    )
    sources = tuple(names.link(s) for s in links.sources(triples))
    return Outside(links.LINKS_GRAPH, tuple(groups), links.point(iri, triples), sources)


def _sections(graph: Graph, names: Labeller, iri: str) -> tuple[Section, ...]:
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


def _parent(graph: Graph, section: str) -> str | None:
    parents = graph.iris(section, _PART_OF)
    return min(parents) if parents else None
