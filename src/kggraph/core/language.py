"""Which language a reader gets, and which label stands for a node in it.

The graph labels every node in English and Japanese, but not every term it uses: the external
vocabulary (``ontology/external.ttl``) is labelled in English only, and a node outside the graph
may have no label at all. So a label, on a resource page or an index, in the ontology's
documentation, in the network's answers and exports, is chosen by ``term_label``, by one rule;
the first of these that exists wins:

1. a label in the language asked for;
2. for an external term, the project's own word for it in that language (``TERM_NAMES``);
3. a label in the other page language (``LANGUAGES``: English and Japanese);
4. a label without a language tag;
5. a label in any other language, the smallest tag first;
6. the IRI's local name (``local_name``): never nothing.

Among several labels in one language the smallest is taken, so the choice does not depend on
the order the graph returned them in. ``pick`` is the same rule without step 2, for texts that
are not a term's name, such as a comment.

The language comes from a ``?lang=`` switch when the reader used one (it wins: a person chose
it), else from ``Accept-Language`` (RFC 9110 §12.5.4, q-values honoured), else English.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kggraph.core.namespaces import DCTERMS, PROV, RDF, RDFS, SCHEMA, SKOS

LANGUAGES = ("en", "ja")
"""The languages pages are written in; the first is the default."""
DEFAULT_LANGUAGE = LANGUAGES[0]


@dataclass(frozen=True)
class Choice:
    """The page language, and whether the reader chose it with ``?lang=`` (then links keep it)."""

    lang: str
    explicit: bool = False

    @property
    def other(self) -> str:
        return next(code for code in LANGUAGES if code != self.lang)


@dataclass(frozen=True, order=True)
class Text:
    """A piece of text and its language tag (``""`` for none): what a template shows."""

    value: str
    lang: str = ""


def from_param(value: str | None) -> str | None:
    """``ja`` for ``?lang=ja`` (or ``ja-JP``); ``None`` for anything that is not a page language."""
    if not value:
        return None
    primary = value.strip().lower().split("-")[0]
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str:
    """The page language the ``Accept-Language`` header ranks highest (English if it names none).

    Among equal qualities the one listed first wins; ``*`` stands for the default; ``q=0``
    refuses a language.
    """
    best: tuple[float, int, str] | None = None
    for order, part in enumerate((header or "").split(",")):
        tag, *params = (p.strip() for p in part.split(";"))
        lang = DEFAULT_LANGUAGE if tag == "*" else from_param(tag)
        if lang is None:
            continue
        q = _quality(params)
        if q > 0 and (best is None or (-q, order) < (-best[0], best[1])):
            best = (q, order, lang)
    return best[2] if best else DEFAULT_LANGUAGE


def _quality(params: Sequence[str]) -> float:
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                return min(1.0, max(0.0, float(value)))
            except ValueError:
                return 0.0
    return 1.0


def choose(param: str | None, accept_language: str | None) -> Choice:
    """The switch if it names a page language, else the browser's preference."""
    chosen = from_param(param)
    if chosen is not None:
        return Choice(chosen, explicit=True)
    return Choice(from_accept_language(accept_language))


def preference(lang: str) -> tuple[str, ...]:
    """The order to try language tags in: ``lang``, the other page language, then untagged."""
    return (lang, *(code for code in LANGUAGES if code != lang), "")


def pick(texts: Mapping[str, Sequence[str]], lang: str, *, iri: str = "") -> Text:
    """The text to show for ``lang`` from texts keyed by language tag (``""`` for none): the
    rule above without its step 2; ``iri``'s local name when there is no text at all."""
    for code in preference(lang):
        found = texts.get(code)
        if found:
            return Text(min(found), code)
    for code in sorted(texts):
        if texts[code]:
            return Text(min(texts[code]), code)
    return Text(local_name(iri))


def local_name(iri: str) -> str:
    """What follows the last ``#`` or ``/`` of an IRI, a trailing ``/`` aside (the IRI itself
    if nothing does): ``City`` for ``…/ontology#City``, ``dalian`` for ``…/id/city/dalian``."""
    for mark in ("#", "/"):
        head, sep, tail = iri.rstrip("/").rpartition(mark)
        if sep and tail and head:
            return tail
    return iri


TERM_NAMES: dict[str, dict[str, str]] = {
    str(RDF.type): {"en": "type", "ja": "種別"},
    str(RDF.subject): {"en": "subject", "ja": "主語"},
    str(RDF.predicate): {"en": "property", "ja": "プロパティ"},
    str(RDF.object): {"en": "value", "ja": "値"},
    str(PROV.wasAttributedTo): {"en": "attributed to", "ja": "帰属先"},
    str(RDFS.comment): {"en": "comment", "ja": "注記"},
    str(PROV.wasDerivedFrom): {"en": "derived from", "ja": "典拠"},
    str(SKOS.prefLabel): {"en": "preferred label", "ja": "優先ラベル"},
    str(SKOS.altLabel): {"en": "alternative label", "ja": "別名"},
    str(SKOS.inScheme): {"en": "in scheme", "ja": "所属する概念体系"},
    str(SKOS.topConceptOf): {"en": "top concept of", "ja": "最上位概念の体系"},
    str(SKOS.hasTopConcept): {"en": "has top concept", "ja": "最上位概念"},
    str(SKOS.broader): {"en": "broader", "ja": "上位概念"},
    str(SKOS.definition): {"en": "definition", "ja": "定義"},
    str(SKOS.Concept): {"en": "Concept", "ja": "概念"},
    str(SKOS.ConceptScheme): {"en": "Concept scheme", "ja": "概念体系"},
    str(DCTERMS.publisher): {"en": "publisher", "ja": "発行者"},
    str(DCTERMS.title): {"en": "title", "ja": "題名"},
    str(SCHEMA.url): {"en": "URL", "ja": "URL"},
}
"""Names of external terms the ontology labels in English only, or not at all; used only when
the graph has no label in the reader's language."""


def term_label(texts: Mapping[str, Sequence[str]], lang: str, iri: str) -> Text:
    """The label of ``iri`` in ``lang`` from its labels by language tag, by the rule above:
    the one function every label of kggraph comes from."""
    known = TERM_NAMES.get(iri, {})
    if not texts.get(lang) and lang in known:
        return Text(known[lang], lang)
    return pick(texts, lang, iri=iri)


def page_labels(texts: Mapping[str, Sequence[str]], iri: str) -> tuple[str, str]:
    """``iri``'s English and Japanese labels, each by the rule above (the pair the network's
    agents, activities and places carry)."""
    english, japanese = (term_label(texts, lang, iri).value for lang in LANGUAGES)
    return english, japanese
