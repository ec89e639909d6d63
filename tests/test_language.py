"""Choosing the page language and a node's label, with the fallback (kggraph.core.language)."""

from __future__ import annotations

import pytest

from kggraph.core.language import (
    Choice,
    Text,
    choose,
    from_accept_language,
    local_name,
    pick,
    term_label,
)


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
