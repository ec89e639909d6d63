"""The page model (kggraph.pages.model) on small graphs written here: grouping, dates, sections,
the government step, and labels in the reader's language with the fallback."""

from __future__ import annotations

import pyoxigraph as ox

from kggraph.core.language import Text
from kggraph.pages.model import exists, resource_page

TURTLE = """
@prefix kg: <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

kgid:city\\/x a kg:City ; rdfs:label "X"@en , "エックス市"@ja ;
    kg:containedInPlace kgid:country\\/y ;
    kg:foundingDate "2014-04"^^xsd:gYearMonth ; kg:foundingDateText "平成26年4月頃"@ja ;
    kg:startDate "2016-04-01"^^xsd:date ;
    kg:fiscalYear kgid:fiscal-year\\/2016 ;
    prov:wasDerivedFrom kgid:source\\/doc\\/s2-1 .
kgid:country\\/y rdfs:label "Y"@en .
kgid:fiscal-year\\/2016 rdfs:label "FY2016"@en , "2016年度"@ja .
kgid:org\\/x-government kg:governmentOf kgid:city\\/x ; rdfs:label "X government"@en .
kgid:agreement\\/a kg:party kgid:org\\/x-government ; rdfs:label "Agreement A"@en , "協定A"@ja .
kgid:project\\/p kg:location kgid:city\\/x ; rdfs:label "Project P"@en .
kgid:project\\/q kg:location kgid:city\\/x ; rdfs:label "Project Q"@en .
kgid:source\\/doc\\/s2-1 kg:sectionNumber "§2(1)" ; rdfs:label "Section"@en ;
    kg:partOfSection kgid:source\\/doc\\/s2 .
kgid:source\\/doc\\/s2 kg:sectionNumber "§2" ; rdfs:label "Part two"@en ;
    kg:partOfSection kgid:source\\/doc .
kgid:source\\/doc rdfs:label "The document"@en .
kg:containedInPlace rdfs:label "contained in place"@en , "上位の場所"@ja .
kg:City rdfs:label "City"@en , "都市"@ja .
"""
CITY = "https://w3id.org/kggraph/id/city/x"


def triples() -> list[ox.Triple]:
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(TURTLE.encode(), format=ox.RdfFormat.TURTLE)
    ]


def test_titles_and_names_follow_the_language() -> None:
    ja = resource_page(CITY, triples(), "ja")
    assert ja.title == Text("エックス市", "ja")
    assert ja.names == (Text("X", "en"),)
    assert [t.link.label for t in ja.types if t.link] == [Text("都市", "ja")]
    assert resource_page(CITY, triples(), "en").title == Text("X", "en")


def test_a_neighbour_without_a_label_in_the_language_gets_the_other_one() -> None:
    page = resource_page(CITY, triples(), "ja")
    (group,) = page.properties
    assert group.prop.label == Text("上位の場所", "ja")
    assert group.values[0].link is not None
    assert group.values[0].link.label == Text("Y", "en")


def test_dates_keep_the_source_wording_or_get_the_era_form() -> None:
    rows = {r.prop.iri.rsplit("#", 1)[1]: r for r in resource_page(CITY, triples(), "en").dates}
    assert (rows["foundingDate"].iso, rows["foundingDate"].era) == ("2014-04", "平成26年4月頃")
    assert rows["foundingDate"].era_from_source
    assert (rows["startDate"].era, rows["startDate"].era_from_source) == ("平成28年4月1日", False)
    fiscal = rows["fiscalYear"]
    assert fiscal.fiscal_year is not None and fiscal.iso == "2016" and fiscal.era == "平成28年度"


def test_incoming_links_are_grouped_and_the_government_step_is_shown() -> None:
    page = resource_page(CITY, triples(), "en")
    groups = {g.curie: [v.link.label.value for v in g.values if v.link] for g in page.incoming}
    assert groups == {
        "kg:location": ["Project P", "Project Q"],
        "kg:governmentOf": ["X government"],
    }
    (via,) = page.via
    assert via.through.label == Text("X government", "en")
    assert [(g.curie, [v.link.iri for v in g.values if v.link]) for g in via.groups] == [
        ("kg:party", ["https://w3id.org/kggraph/id/agreement/a"])
    ]


def test_the_source_section_comes_with_the_sections_above() -> None:
    (section,) = resource_page(CITY, triples(), "en").sections
    assert section.number == "§2(1)"
    assert [p.label.value for p in section.parents] == ["The document", "Part two"]
    assert [p.note for p in section.parents] == ["", "§2"]


def test_a_resource_exists_when_a_triple_names_it() -> None:
    assert exists(triples(), CITY)
    assert exists(triples(), "https://w3id.org/kggraph/id/source/doc")
    assert not exists(triples(), "https://w3id.org/kggraph/id/city/z")


# --- What the editors added, and dates they read -----------------------------------------

EDITED = """
@prefix kg: <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix edtf: <http://id.loc.gov/datatypes/edtf/> .

kgid:project\\/p a kg:Project ; rdfs:label "Project P"@en , "事業P"@ja ;
    kg:location kgid:city\\/x , kgid:city\\/z ;
    kg:startDate "1975"^^xsd:gYear ; kg:startDateText "昭和50年半ば"@ja ;
    kg:startDateEDTF "1975~"^^edtf:EDTF .
kgid:city\\/x rdfs:label "X"@en , "エックス市"@ja .
kgid:city\\/z rdfs:label "Z"@en , "ゼット市"@ja .
kg:location rdfs:label "location"@en , "場所"@ja .
kgid:editorial\\/p-location a kg:EditorialStatement ;
    rdf:subject kgid:project\\/p ; rdf:predicate kg:location ; rdf:object kgid:city\\/x ;
    kg:reason kgid:editorial-reason\\/venue .
kgid:editorial\\/p-start a kg:EditorialStatement ;
    rdf:subject kgid:project\\/p ; rdf:predicate kg:startDateEDTF ;
    rdf:object "1975~"^^edtf:EDTF ; kg:reason kgid:editorial-reason\\/approximate .
kgid:editorial-reason\\/venue rdfs:label "Venue inferred"@en , "開催地の推定"@ja ;
    rdfs:comment "The source gives no venue."@en , "典拠は開催地を記していない。"@ja .
kgid:editorial-reason\\/approximate rdfs:label "Approximate date"@en , "おおよその日付"@ja .
"""
PROJECT = "https://w3id.org/kggraph/id/project/p"


def edited() -> list[ox.Triple]:
    return [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in ox.parse(EDITED.encode(), format=ox.RdfFormat.TURTLE)
    ]


def test_an_added_value_carries_its_reason_in_the_page_language() -> None:
    page = resource_page(PROJECT, edited(), "ja")
    (group,) = page.properties
    marked = {v.link.iri.rsplit("/", 1)[1]: v.added for v in group.values if v.link}
    assert marked["z"] is None
    added = marked["x"]
    assert added is not None
    assert added.statement.endswith("/editorial/p-location")
    assert added.label == Text("開催地の推定", "ja")
    assert added.comment == Text("典拠は開催地を記していない。", "ja")


def test_statement_nodes_are_marks_not_links_from() -> None:
    """A statement points at its triple's ends with rdf:subject and rdf:object: the page marks
    the value instead of listing the statement under "linked from"."""
    for iri in (PROJECT, "https://w3id.org/kggraph/id/city/x"):
        page = resource_page(iri, edited(), "en")
        assert not [g.curie for g in page.incoming if g.curie in ("rdf:subject", "rdf:object")]


def test_a_date_read_by_the_editors_shows_its_edtf_reading() -> None:
    (row,) = resource_page(PROJECT, edited(), "en").dates
    assert row.iso == "1975" and row.era == "昭和50年半ば"
    assert row.edtf is not None and row.edtf.value == "1975~"
    assert row.edtf.says == ("approximate",)
    assert row.added is not None and row.added.label == Text("Approximate date", "en")
    assert not any(
        g.curie == "kg:startDateEDTF" for g in resource_page(PROJECT, edited(), "en").properties
    )


def test_a_statement_page_is_titled_by_its_triple() -> None:
    statement = "https://w3id.org/kggraph/id/editorial/p-location"
    page = resource_page(statement, edited(), "en")
    assert page.title == Text("Project P – location – X", "en")
    assert page.explains is not None
    assert page.explains.value.link is not None and page.explains.value.link.label.value == "X"
    assert page.explains.added.label == Text("Venue inferred", "en")
    japanese = resource_page(statement, edited(), "ja")
    assert japanese.title == Text("事業P – 場所 – エックス市", "ja")


def test_a_reason_page_lists_its_statements_by_their_triples() -> None:
    page = resource_page("https://w3id.org/kggraph/id/editorial-reason/venue", edited(), "en")
    (group,) = page.incoming
    assert [v.link.label.value for v in group.values if v.link] == ["Project P – location – X"]
