"""Choosing the page language and a node's label, with the fallback (kggraph.core.language),
and the places that take their labels from it."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kggraph.core.errors import NotFound
from kggraph.core.language import (
    Choice,
    Text,
    choose,
    from_accept_language,
    local_name,
    page_labels,
    pick,
    term_label,
)
from kggraph.core.namespaces import VOCAB_IRI
from kggraph.dataset.ontology_doc import Term as OntologyTerm
from kggraph.network.facts import labels_of
from kggraph.network.names import resolve

ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("ja", "ja"),
        ("ja-JP,ja;q=0.9,en-US;q=0.8", "ja"),
        ("en-GB,en;q=0.9,ja;q=0.8", "en"),
        ("fr-FR,ja;q=0.5,en;q=0.4", "ja"),
        ("en;q=0.3, ja;q=0.7", "ja"),
        ("ja;q=0, en", "en"),
        ("ja;q=0", "en"),
        ("fr, de", "en"),
        ("*", "en"),
        ("ja;q=oops, en;q=0.1", "en"),
    ],
)
def test_accept_language(header: str | None, expected: str) -> None:
    assert from_accept_language(header) == expected


def test_the_switch_wins_over_the_header_and_is_remembered() -> None:
    assert choose("en", "ja") == Choice("en", explicit=True)
    assert choose("JA-jp", "en") == Choice("ja", explicit=True)
    assert choose("fr", "ja") == Choice("ja", explicit=False)
    assert choose(None, None) == Choice("en", explicit=False)
    assert Choice("ja").other == "en"


def test_a_label_falls_back_to_the_other_language_then_to_the_local_name() -> None:
    both = {"en": ["Dalian"], "ja": ["大連市"]}
    assert pick(both, "ja") == Text("大連市", "ja")
    assert pick(both, "en") == Text("Dalian", "en")
    assert pick({"en": ["City"]}, "ja") == Text("City", "en")
    assert pick({"ja": ["都市"]}, "en") == Text("都市", "ja")
    assert pick({"": ["§2"]}, "ja") == Text("§2", "")
    assert pick({"fr": ["Ville"]}, "ja") == Text("Ville", "fr")
    assert pick({}, "ja", iri="https://schema.org/City") == Text("City")
    assert pick({"en": []}, "en", iri="https://w3id.org/kggraph/ontology#City") == Text("City")


def test_several_labels_in_one_language_give_the_same_choice_every_time() -> None:
    assert pick({"en": ["b", "a"]}, "en") == pick({"en": ["a", "b"]}, "en") == Text("a", "en")


@pytest.mark.parametrize(
    ("iri", "name"),
    [
        ("https://w3id.org/kggraph/ontology#City", "City"),
        ("https://w3id.org/kggraph/id/city/dalian", "dalian"),
        ("http://www.w3.org/ns/prov#wasDerivedFrom", "wasDerivedFrom"),
        ("https://schema.org/", "schema.org"),
        ("urn:x", "urn:x"),
    ],
)
def test_local_name(iri: str, name: str) -> None:
    assert local_name(iri) == name


def test_external_terms_without_a_label_in_the_language_get_the_page_word() -> None:
    concept = "http://www.w3.org/2004/02/skos/core#Concept"
    derived = "http://www.w3.org/ns/prov#wasDerivedFrom"
    assert term_label({"en": ["Concept"]}, "ja", concept) == Text("概念", "ja")
    assert term_label({"en": ["Concept"]}, "en", concept) == Text("Concept", "en")
    assert term_label({}, "en", derived) == Text("derived from", "en")
    assert term_label({}, "ja", "https://schema.org/foundingDate") == Text("foundingDate")


# --- The one label rule, step by step, and every place that uses it -----------------------------

OWN_TERM = "https://w3id.org/kggraph/ontology#Concept"


@pytest.mark.parametrize(
    ("texts", "chosen"),
    [
        ({"ja": ["概念"], "en": ["Concept"], "": ["c"], "fr": ["Notion"]}, Text("概念", "ja")),
        ({"en": ["Concept"], "": ["c"], "fr": ["Notion"]}, Text("Concept", "en")),
        ({"": ["c"], "fr": ["Notion"], "de": ["Begriff"]}, Text("c", "")),
        ({"fr": ["Notion"], "de": ["Begriff"]}, Text("Begriff", "de")),
        ({}, Text("Concept")),
    ],
)
def test_the_label_rule_step_by_step(texts: dict[str, list[str]], chosen: Text) -> None:
    """Each case takes away the label the case before chose."""
    assert term_label(texts, "ja", OWN_TERM) == chosen


def test_an_external_term_takes_our_word_before_the_other_language() -> None:
    concept = "http://www.w3.org/2004/02/skos/core#Concept"
    assert term_label({"en": ["Concept"], "": ["c"]}, "ja", concept) == Text("概念", "ja")
    assert term_label({"ja": ["概念の型"]}, "ja", concept) == Text("概念の型", "ja")


def test_page_labels_are_english_then_japanese() -> None:
    assert page_labels({"en": ["Dalian"], "ja": ["大連市"]}, "x") == ("Dalian", "大連市")
    assert page_labels({"ja": ["大連市"]}, "x") == ("大連市", "大連市")
    assert page_labels({}, "https://w3id.org/kggraph/id/city/dalian") == ("dalian", "dalian")


def test_the_network_reads_its_labels_by_the_rule() -> None:
    iri = "https://w3id.org/kggraph/id/org/x-corp"
    assert labels_of({"label": "X Corp.", "labelJa": "X社"}, iri) == ("X Corp.", "X社")
    assert labels_of({"labelJa": "X社"}, iri) == ("X社", "X社")
    assert labels_of({}, iri) == ("x-corp", "x-corp")


def test_a_name_listed_without_names_shows_its_local_name() -> None:
    candidates = {"https://w3id.org/kggraph/id/org/x-corp": (), "https://w3id.org/kggraph/id/y": ()}
    with pytest.raises(NotFound, match=r"x-corp \(org/x-corp\)"):
        resolve("x-cor", candidates, "agent")


def test_the_ontology_documentation_labels_by_the_rule() -> None:
    city = "https://w3id.org/kggraph/ontology#City"
    term = OntologyTerm(city, "class", (("", "city"), ("en", "City")), (), (), (), ())
    assert (term.label("ja"), term.label("en"), term.name) == ("City", "City", "City")
    assert OntologyTerm(city, "class", (), (), (), (), ()).label("ja") == "City"


def test_every_ontology_term_is_anchored_at_its_local_name() -> None:
    """The documentation's anchors are local names; a term whose fragment held a ``/`` or a
    ``#`` would need another anchor."""
    terms = {
        t.subject.value
        for path in ONTOLOGY.glob("*.ttl")
        for t in ox.parse(path=path, format=ox.RdfFormat.TURTLE)
        if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(VOCAB_IRI)
    }
    assert terms
    assert {local_name(iri) for iri in terms} == {iri.removeprefix(VOCAB_IRI) for iri in terms}
