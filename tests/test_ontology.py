"""The OWL ontology in ``ontology/``: complete against ``KG``, documented, aligned and consistent.

Structural checks read the three files with rdflib; the reasoning checks run the OWL 2 RL rules of
``owlrl`` over the ontology, a small sample graph and whatever ``data/*.ttl`` exists, and read the
inconsistencies that ``owlrl`` records as ``err:error`` messages in the expanded graph.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path

import owlrl
import pytest
import rdflib
from owlrl.Namespaces import ERRNS
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

from kggraph.core.namespaces import (
    DATED_PAIRS,
    DCTERMS,
    EDTF,
    EDTF_PAIRS,
    FISCAL_PAIRS,
    FOAF,
    ID_IRI,
    KG,
    ONTOLOGY_IRI,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    TIME,
    VANN,
    VOCAB_IRI,
    XSD,
    shorten,
)

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_FILES = ("kggraph.ttl", "concepts.ttl", "external.ttl")
ONTOLOGY = URIRef(ONTOLOGY_IRI)
BUILT_IN = (str(RDF), str(RDFS), str(OWL), str(XSD))
"""Namespaces whose terms need no declaration in ``external.ttl``."""

KG_TERMS = tuple(KG[name] for name in KG.__annotations__)
DATATYPE_PROPERTIES = frozenset(
    [
        *(iso for iso, _ in DATED_PAIRS),
        *(text for _, text in (*DATED_PAIRS, *FISCAL_PAIRS)),
        *(edtf for _, edtf in EDTF_PAIRS),
        KG.duration,
        KG.value,
        KG.iso3166Code,
        KG.role,
        KG.sectionNumber,
    ]
)
SYMMETRIC = (KG.partnerCity, KG.friendshipCity, KG.sisterCity, KG.environmentalSisterCity)
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
EXTERNAL_KINDS = (*TERM_KINDS, RDFS.Datatype)
"""What ``external.ttl`` declares: these, and datatypes (the EDTF datatype)."""

REQUIRED_CONCEPTS = {
    "agreement-type": (
        "friendship-cooperation-agreement",
        "sister-city-agreement",
        "environmental-sister-city-memorandum",
        "joint-statement",
        "memorandum-of-understanding",
        "framework-agreement",
        "cooperation-agreement",
    ),
    "sector": (
        "waste-management",
        "composting",
        "recycling",
        "waste-to-energy",
        "water-supply",
        "sewerage",
        "industrial-wastewater",
        "energy",
        "decarbonisation",
        "air-quality",
        "environmental-education",
        "urban-planning",
        "capacity-building",
        "circular-economy",
        "marine-plastic",
        "forest-and-peatland-fire",
        "sustainable-development",
        "climate-change",
        "industrial-park",
    ),
    "unit": ("person", "country-or-region", "course", "percent", "case", "city"),
    "measure": (
        "trainees-accepted",
        "trainee-countries-and-regions",
        "experts-dispatched",
        "expert-countries-and-regions",
        "training-courses",
        "training-participants",
        "waste-reduction",
        "yen-loans",
        "member-local-governments",
    ),
    "editorial-basis": ("inferred", "outside-knowledge", "modelling", "date-reading"),
}
SCHEME_CLASS = {
    "agreement-type": KG.AgreementType,
    "sector": KG.Sector,
    "unit": KG.Unit,
    "measure": KG.Measure,
    "editorial-basis": KG.EditorialBasis,
    "value-qualifier": KG.ValueQualifier,
}
SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

ALIGNMENTS = [
    (KG.City, RDFS.subClassOf, KG.AdministrativeArea),
    (KG.City, RDFS.subClassOf, SCHEMA.City),
    (KG.Country, RDFS.subClassOf, SCHEMA.Country),
    (KG.Place, RDFS.subClassOf, SCHEMA.Place),
    (KG.Place, RDFS.subClassOf, DCTERMS.Location),
    (KG.Place, RDFS.subClassOf, PROV.Location),
    (KG.Organization, RDFS.subClassOf, ORG.Organization),
    (KG.Organization, RDFS.subClassOf, SCHEMA.Organization),
    (KG.Organization, RDFS.subClassOf, PROV.Organization),
    (KG.Organization, RDFS.subClassOf, FOAF.Organization),
    (KG.GovernmentOrganization, RDFS.subClassOf, SCHEMA.GovernmentOrganization),
    (KG.OrganizationalUnit, RDFS.subClassOf, ORG.OrganizationalUnit),
    (KG.Company, RDFS.subClassOf, SCHEMA.Corporation),
    (KG.FoundationOrAssociation, RDFS.subClassOf, SCHEMA.NGO),
    (KG.University, RDFS.subClassOf, SCHEMA.CollegeOrUniversity),
    (KG.Membership, RDFS.subClassOf, ORG.Membership),
    (KG.Project, RDFS.subClassOf, SCHEMA.Project),
    (KG.Project, RDFS.subClassOf, PROV.Activity),
    (KG.Event, RDFS.subClassOf, SCHEMA.Event),
    (KG.Event, RDFS.subClassOf, PROV.Activity),
    (KG.Recognition, RDFS.subClassOf, PROV.Activity),
    (KG.Agreement, RDFS.subClassOf, SCHEMA.CreativeWork),
    (KG.Publication, RDFS.subClassOf, PROV.Entity),
    (KG.Statistic, RDFS.subClassOf, SCHEMA.Observation),
    (KG.Outcome, RDFS.subClassOf, PROV.Entity),
    (KG.FiscalYear, RDFS.subClassOf, TIME.ProperInterval),
    (KG.SourceDocument, RDFS.subClassOf, SCHEMA.Report),
    (KG.SourceSection, RDFS.subClassOf, SCHEMA.CreativeWork),
    (KG.Sector, RDFS.subClassOf, SKOS.Concept),
    (KG.location, RDFS.subPropertyOf, SCHEMA.location),
    (KG.containedInPlace, RDFS.subPropertyOf, SCHEMA.containedInPlace),
    (KG.basedIn, RDFS.subPropertyOf, SCHEMA.location),
    (KG.governmentOf, RDFS.subPropertyOf, SCHEMA.areaServed),
    (KG.unitOf, RDFS.subPropertyOf, ORG.unitOf),
    (KG.memberOf, RDFS.subPropertyOf, ORG.memberOf),
    (KG.member, RDFS.subPropertyOf, ORG.member),
    (KG.organization, RDFS.subPropertyOf, ORG.organization),
    (KG.funder, RDFS.subPropertyOf, SCHEMA.funder),
    (KG.participant, RDFS.subPropertyOf, PROV.wasAssociatedWith),
    (KG.implementer, RDFS.subPropertyOf, KG.participant),
    (KG.partner, RDFS.subPropertyOf, KG.participant),
    (KG.client, RDFS.subPropertyOf, KG.participant),
    (KG.organizer, RDFS.subPropertyOf, SCHEMA.organizer),
    (KG.generated, RDFS.subPropertyOf, PROV.generated),
    (KG.publisher, RDFS.subPropertyOf, DCTERMS.publisher),
    (KG.date, RDFS.subPropertyOf, DCTERMS.date),
    (KG.startDate, RDFS.subPropertyOf, SCHEMA.startDate),
    (KG.endDate, RDFS.subPropertyOf, SCHEMA.endDate),
    (KG.foundingDate, RDFS.subPropertyOf, SCHEMA.foundingDate),
    (KG.asOf, RDFS.subPropertyOf, SCHEMA.observationDate),
    (KG.duration, RDFS.subPropertyOf, SCHEMA.duration),
    (KG.value, RDFS.subPropertyOf, SCHEMA.value),
    (KG.sector, RDFS.subPropertyOf, DCTERMS.subject),
    (KG.agreementType, RDFS.subPropertyOf, DCTERMS.type),
    (KG.partOfSection, RDFS.subPropertyOf, DCTERMS.isPartOf),
    (KG.partOfProgramme, RDFS.subPropertyOf, DCTERMS.isPartOf),
    (KG.EditorialStatement, RDFS.subClassOf, RDF.Statement),
    (KG.EditorialStatement, RDFS.subClassOf, PROV.Entity),
    (KG.EditorialBasis, RDFS.subClassOf, SKOS.Concept),
    (KG.editorialBasis, RDFS.subPropertyOf, DCTERMS.type),
    (KG.about, RDFS.subPropertyOf, SCHEMA.about),
    (KG.underAgreement, RDFS.subPropertyOf, PROV.wasInfluencedBy),
    (KG.sisterCity, RDFS.subPropertyOf, KG.partnerCity),
    (KG.friendshipCity, RDFS.subPropertyOf, KG.partnerCity),
    (KG.environmentalSisterCity, RDFS.subPropertyOf, KG.partnerCity),
]
DISJOINT = [
    (KG.Place, KG.Organization),
    (KG.Agreement, KG.Project),
    (KG.Project, KG.Organization),
    (KG.Project, KG.Event),
    (KG.Company, KG.GovernmentOrganization),
    (KG.Sector, KG.Unit),
    (KG.EditorialBasis, KG.Measure),
]

SAMPLE = """
@prefix kg: <https://w3id.org/kggraph/ontology#> .
@prefix ex: <http://example.org/sample/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:japan a kg:Country .
ex:kitakyushu a kg:City ; kg:containedInPlace ex:japan ; kg:sisterCity ex:haiphong .
ex:haiphong a kg:City .
ex:plant a kg:Facility ; kg:containedInPlace ex:haiphong .
ex:government a kg:MunicipalGovernment ; kg:governmentOf ex:kitakyushu ;
    kg:basedIn ex:kitakyushu ; kg:foundingDate "1963"^^xsd:gYear ;
    kg:foundingDateText "昭和38年"@ja ; kg:memberOf ex:network .
ex:bureau a kg:OrganizationalUnit ; kg:unitOf ex:government .
ex:company a kg:Company ; kg:basedIn ex:kitakyushu .
ex:agency a kg:NationalAgency .
ex:network a kg:InternationalOrganization .
ex:membership a kg:Membership ; kg:member ex:government ; kg:organization ex:network ;
    kg:role "board member"@en .
ex:agreement a kg:Agreement ; kg:party ex:government, ex:company ;
    kg:agreementType ex:sister-city-type ; kg:sector ex:water ;
    kg:date "2014-04"^^xsd:gYearMonth ; kg:dateText "平成26年4月"@ja .
ex:sister-city-type a kg:AgreementType .
ex:water a kg:Sector .
ex:oda a kg:Programme .
ex:project a kg:DemonstrationProject ; kg:location ex:plant ; kg:implementer ex:company ;
    kg:partner ex:government ; kg:funder ex:agency ; kg:partOfProgramme ex:oda ;
    kg:underAgreement ex:agreement ; kg:outcome ex:result ; kg:sector ex:water ;
    kg:fiscalYear ex:fy2022 ; kg:fiscalYearText "令和4年度"@ja ; kg:duration "P3Y"^^xsd:duration .
ex:contract a kg:WaterBusinessContract ; kg:client ex:agency ;
    kg:startDate "2011-03"^^xsd:gYearMonth ; kg:startDateText "平成23年3月"@ja ;
    kg:endDate "2012"^^xsd:gYear ; kg:endDateText "平成24年"@ja .
ex:fy2022 a kg:FiscalYear ; kg:startDate "2022-04-01"^^xsd:date ;
    kg:endDate "2023-03-31"^^xsd:date .
ex:result a kg:Outcome ; kg:value 32 ; kg:unit ex:percent ; kg:measure ex:reduction ;
    kg:about ex:project .
ex:trainees a kg:Statistic ; kg:value 11107 ; kg:unit ex:person ; kg:measure ex:accepted ;
    kg:about ex:government ; kg:asOf "2025-03"^^xsd:gYearMonth ; kg:asOfText "令和7年3月現在"@ja .
ex:percent a kg:Unit .
ex:person a kg:Unit .
ex:reduction a kg:Measure .
ex:accepted a kg:Measure .
ex:prize a kg:Award .
ex:conferral a kg:Recognition ; kg:award ex:prize ; kg:conferredBy ex:network ;
    kg:recipient ex:government ; kg:date "1990"^^xsd:gYear ; kg:dateText "平成2年"@ja .
ex:ministerial a kg:Meeting ; kg:location ex:kitakyushu ; kg:organizer ex:agency ;
    kg:generated ex:statement .
ex:statement a kg:Agreement .
ex:report a kg:Publication ; kg:publisher ex:network ; kg:about ex:kitakyushu .
ex:document a kg:SourceDocument .
ex:section a kg:SourceSection ; kg:partOfSection ex:document ; kg:sectionNumber "§2(4)" .
"""
EX = rdflib.Namespace("http://example.org/sample/")


# --- reading the files


def _parse(paths: Iterable[Path]) -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def kggraph() -> rdflib.Graph:
    return _parse([ONTOLOGY_DIR / "kggraph.ttl"])


@pytest.fixture(scope="module")
def concepts() -> rdflib.Graph:
    return _parse([ONTOLOGY_DIR / "concepts.ttl"])


@pytest.fixture(scope="module")
def external() -> rdflib.Graph:
    return _parse([ONTOLOGY_DIR / "external.ttl"])


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return _parse(sorted(ONTOLOGY_DIR.glob("*.ttl")))


def _data_files() -> list[Path]:
    return sorted((ROOT / "data").rglob("*.ttl"))


def _languages(graph: rdflib.Graph, subject: Node, predicate: URIRef) -> list[str]:
    return sorted(
        o.language or "" if isinstance(o, Literal) else "<iri>"
        for o in graph.objects(subject, predicate)
    )


def _local(node: object) -> str:
    """The last segment of an IRI, for test ids and sample names."""
    return re.split(r"[/#]", str(node))[-1]


def _namespace_of(iri: URIRef) -> str:
    matches = [ns for ns in PREFIXES.values() if str(iri).startswith(ns)]
    return max(matches, key=len) if matches else ""


# --- (1) every KG term, and nothing else, with the right OWL type


def test_the_ontology_files_exist() -> None:
    assert sorted(p.name for p in ONTOLOGY_DIR.glob("*.ttl")) == sorted(ONTOLOGY_FILES)


def _expected_kind(term: URIRef) -> URIRef:
    if term[len(VOCAB_IRI)].isupper():
        return OWL.Class
    return OWL.DatatypeProperty if term in DATATYPE_PROPERTIES else OWL.ObjectProperty


def test_every_kg_term_is_defined_with_its_owl_type(kggraph: rdflib.Graph) -> None:
    wrong = {}
    for term in KG_TERMS:
        kinds = set(kggraph.objects(term, RDF.type)) & set(TERM_KINDS)
        if kinds != {_expected_kind(term)}:
            wrong[term.removeprefix(VOCAB_IRI)] = sorted(str(k) for k in kinds)
    assert not wrong, wrong


def test_the_ontology_defines_no_kg_term_beyond_the_namespace(ontology: rdflib.Graph) -> None:
    used = {
        node
        for triple in ontology
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(VOCAB_IRI)
    }
    assert used - set(KG_TERMS) == set()
    assert {s for s in ontology.subjects() if str(s).startswith(VOCAB_IRI)} == set(KG_TERMS)


def test_the_expected_kinds_add_up() -> None:
    kinds = [_expected_kind(t) for t in KG_TERMS]
    assert (kinds.count(OWL.Class), kinds.count(OWL.DatatypeProperty)) == (45, 24)
    assert kinds.count(OWL.ObjectProperty) == len(KG_TERMS) - 69


def test_city_partnerships_are_symmetric_between_cities(kggraph: rdflib.Graph) -> None:
    for prop in SYMMETRIC:
        assert (prop, RDF.type, OWL.SymmetricProperty) in kggraph, prop
        assert list(kggraph.objects(prop, RDFS.domain)) == [KG.City], prop
        assert list(kggraph.objects(prop, RDFS.range)) == [KG.City], prop
    others = set(kggraph.subjects(RDF.type, OWL.SymmetricProperty)) - set(SYMMETRIC)
    assert not others


# --- (2) labels, definitions and isDefinedBy


@pytest.mark.parametrize("predicate", [RDFS.label, SKOS.definition], ids=["label", "definition"])
def test_every_term_has_one_english_and_one_japanese(
    kggraph: rdflib.Graph, predicate: URIRef
) -> None:
    wrong = {
        str(term): langs
        for term in KG_TERMS
        if (langs := _languages(kggraph, term, predicate)) != ["en", "ja"]
    }
    assert not wrong, wrong


def test_japanese_texts_are_japanese(kggraph: rdflib.Graph) -> None:
    kana_or_kanji = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
    not_japanese = [
        str(o)
        for term in KG_TERMS
        for p in (RDFS.label, SKOS.definition)
        for o in kggraph.objects(term, p)
        if isinstance(o, Literal) and o.language == "ja" and not kana_or_kanji.search(o)
    ]
    assert not not_japanese


def test_definitions_are_one_sentence(kggraph: rdflib.Graph) -> None:
    wrong = []
    for term in KG_TERMS:
        for text in kggraph.objects(term, SKOS.definition):
            end = "." if text.language == "en" else "。"
            if not str(text).endswith(end) or str(text)[:-1].count(end) > 0:
                wrong.append(str(text))
    assert not wrong, wrong


def test_labels_are_unique_per_language(kggraph: rdflib.Graph) -> None:
    labels = [
        (str(o), o.language)
        for term in KG_TERMS
        for o in kggraph.objects(term, RDFS.label)
        if isinstance(o, Literal)
    ]
    duplicates = sorted({label for label in labels if labels.count(label) > 1})
    assert not duplicates


def test_every_term_is_defined_by_the_ontology(kggraph: rdflib.Graph) -> None:
    wrong = [t for t in KG_TERMS if list(kggraph.objects(t, RDFS.isDefinedBy)) != [ONTOLOGY]]
    assert not wrong


# --- (3) domains and ranges


def _declared_classes(ontology: rdflib.Graph) -> set[Node]:
    return set(ontology.subjects(RDF.type, OWL.Class)) | {OWL.Thing}


def test_every_property_has_one_named_domain_and_range(ontology: rdflib.Graph) -> None:
    classes = _declared_classes(ontology)
    wrong = {}
    for prop in (t for t in KG_TERMS if _expected_kind(t) != OWL.Class):
        domains = list(ontology.objects(prop, RDFS.domain))
        ranges = list(ontology.objects(prop, RDFS.range))
        if len(domains) != 1 or len(ranges) != 1 or domains[0] not in classes:
            wrong[str(prop)] = (domains, ranges)
        elif _expected_kind(prop) == OWL.ObjectProperty and ranges[0] not in classes:
            wrong[str(prop)] = (domains, ranges)
    assert not wrong, wrong


def test_datatype_properties_range_over_datatypes(kggraph: rdflib.Graph) -> None:
    ranges = {p: kggraph.value(p, RDFS.range) for p in DATATYPE_PROPERTIES}
    outside = {
        p: r for p, r in ranges.items() if not str(r).startswith((str(XSD), str(RDF), str(RDFS)))
    }
    assert set(outside) == {edtf for _, edtf in EDTF_PAIRS}
    assert set(outside.values()) == {EDTF.EDTF}
    assert {ranges[p] for p, _ in DATED_PAIRS} == {RDFS.Literal}
    assert {ranges[p] for _, p in (*DATED_PAIRS, *FISCAL_PAIRS)} == {RDF.langString}
    assert ranges[KG.duration] == XSD.duration
    assert ranges[KG.value] == XSD.decimal


def test_no_domain_or_range_is_put_on_an_external_term(ontology: rdflib.Graph) -> None:
    for predicate in (RDFS.domain, RDFS.range):
        outside = [s for s in ontology.subjects(predicate) if not str(s).startswith(VOCAB_IRI)]
        assert not outside, outside


# --- (4) version and header


def _project_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def test_version_info_equals_the_package_version(kggraph: rdflib.Graph) -> None:
    version = _project_version()
    assert kggraph.value(ONTOLOGY, OWL.versionInfo) == Literal(version)
    version_iri = kggraph.value(ONTOLOGY, OWL.versionIRI)
    assert version_iri == URIRef(f"{ONTOLOGY_IRI}/{version}")
    assert str(version_iri).endswith(version)


def test_header_is_complete(kggraph: rdflib.Graph) -> None:
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in kggraph
    assert _languages(kggraph, ONTOLOGY, DCTERMS.title) == ["en", "ja"]
    assert _languages(kggraph, ONTOLOGY, DCTERMS.description) == ["en", "ja"]
    license_iri = URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert kggraph.value(ONTOLOGY, DCTERMS.license) == license_iri
    created = kggraph.value(ONTOLOGY, DCTERMS.created)
    modified = kggraph.value(ONTOLOGY, DCTERMS.modified)
    assert isinstance(created, Literal) and isinstance(modified, Literal)
    assert created.datatype == modified.datatype == XSD.date
    assert created.toPython() <= modified.toPython()
    assert kggraph.value(ONTOLOGY, DCTERMS.creator) == Literal("kggraph developers")
    source = URIRef(ID_IRI + "source/white-paper-2025")
    assert kggraph.value(ONTOLOGY, DCTERMS.source) == source
    assert kggraph.value(ONTOLOGY, VANN.preferredNamespacePrefix) == Literal("kg")
    assert kggraph.value(ONTOLOGY, VANN.preferredNamespaceUri) == Literal(VOCAB_IRI)


def test_only_one_ontology_header(ontology: rdflib.Graph) -> None:
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY]


# --- (5) no blank nodes


@pytest.mark.parametrize("name", ONTOLOGY_FILES)
def test_no_blank_nodes(name: str) -> None:
    graph = _parse([ONTOLOGY_DIR / name])
    assert len(graph) > 0
    blank = [t for t in graph if any(isinstance(node, BNode) for node in t)]
    assert not blank, blank[:3]


# --- alignment and disjointness, as written


@pytest.mark.parametrize("triple", ALIGNMENTS, ids=lambda t: f"{_local(t[0])}-{shorten(str(t[2]))}")
def test_alignment_is_stated(kggraph: rdflib.Graph, triple: tuple[URIRef, ...]) -> None:
    assert triple in kggraph


def test_superproperties_have_the_same_owl_type(ontology: rdflib.Graph) -> None:
    wrong = []
    for prop, parent in ontology.subject_objects(RDFS.subPropertyOf):
        kinds = set(TERM_KINDS[1:3])
        if (
            set(ontology.objects(prop, RDF.type)) & kinds
            != set(ontology.objects(parent, RDF.type)) & kinds
        ):
            wrong.append((str(prop), str(parent)))
    assert not wrong, wrong


@pytest.mark.parametrize("pair", DISJOINT, ids=lambda p: f"{_local(p[0])}-{_local(p[1])}")
def test_disjointness_is_stated(kggraph: rdflib.Graph, pair: tuple[URIRef, URIRef]) -> None:
    a, b = pair
    assert (a, OWL.disjointWith, b) in kggraph or (b, OWL.disjointWith, a) in kggraph


def test_no_class_is_under_two_disjoint_classes(kggraph: rdflib.Graph) -> None:
    """Such a class could have no member; OWL RL only notices once a member appears."""
    classes = set(kggraph.subjects(RDF.type, OWL.Class))
    ancestors = {c: set(kggraph.transitive_objects(c, RDFS.subClassOf)) for c in classes}
    clashes = [
        (str(c), str(a), str(b))
        for c in classes
        for a, b in kggraph.subject_objects(OWL.disjointWith)
        if a in ancestors[c] and b in ancestors[c]
    ]
    assert not clashes, clashes


# --- (6) SKOS concepts


def _concepts_of(concepts: rdflib.Graph, scheme: URIRef) -> set[Node]:
    return set(concepts.subjects(SKOS.inScheme, scheme))


def test_there_are_exactly_the_five_schemes(concepts: rdflib.Graph) -> None:
    schemes = set(concepts.subjects(RDF.type, SKOS.ConceptScheme))
    assert schemes == {URIRef(f"{ID_IRI}concept/{slug}") for slug in SCHEME_CLASS}
    for scheme in schemes:
        assert _languages(concepts, scheme, RDFS.label) == ["en", "ja"]
        assert _languages(concepts, scheme, SKOS.prefLabel) == ["en", "ja"]


def test_every_concept_is_labelled_and_in_one_scheme(concepts: rdflib.Graph) -> None:
    wrong = {}
    for concept in set(concepts.subjects(RDF.type, SKOS.Concept)):
        schemes = list(concepts.objects(concept, SKOS.inScheme))
        problems = [
            f"{p.n3(concepts.namespace_manager)} {langs}"
            for p in (RDFS.label, SKOS.prefLabel)
            if (langs := _languages(concepts, concept, p)) != ["en", "ja"]
        ]
        if "en" not in _languages(concepts, concept, SKOS.definition):
            problems.append("no English definition")
        if len(schemes) != 1 or list(concepts.objects(concept, SKOS.topConceptOf)) != schemes:
            problems.append(f"schemes {schemes}")
        elif (schemes[0], SKOS.hasTopConcept, concept) not in concepts:
            problems.append("scheme does not list it as a top concept")
        if problems:
            wrong[str(concept)] = problems
    assert not wrong, wrong
    assert set(concepts.subjects(SKOS.inScheme)) == set(concepts.subjects(RDF.type, SKOS.Concept))


@pytest.mark.parametrize("slug", SCHEME_CLASS)
def test_concepts_have_their_kg_class_and_iri(concepts: rdflib.Graph, slug: str) -> None:
    scheme = URIRef(f"{ID_IRI}concept/{slug}")
    members = _concepts_of(concepts, scheme)
    assert members
    for concept in members:
        assert {SKOS.Concept, SCHEME_CLASS[slug]} == set(concepts.objects(concept, RDF.type))
        local = str(concept).removeprefix(f"{scheme}/")
        assert local != str(concept) and SLUG.fullmatch(local), concept


@pytest.mark.parametrize("slug", REQUIRED_CONCEPTS)
def test_the_slugs_the_data_uses_exist(concepts: rdflib.Graph, slug: str) -> None:
    scheme = URIRef(f"{ID_IRI}concept/{slug}")
    found = _concepts_of(concepts, scheme)
    missing = [c for c in REQUIRED_CONCEPTS[slug] if URIRef(f"{scheme}/{c}") not in found]
    assert not missing


def test_concept_labels_are_unique_within_a_scheme(concepts: rdflib.Graph) -> None:
    for slug in SCHEME_CLASS:
        labels = [
            (str(o), o.language)
            for c in _concepts_of(concepts, URIRef(f"{ID_IRI}concept/{slug}"))
            for o in concepts.objects(c, SKOS.prefLabel)
            if isinstance(o, Literal)
        ]
        assert len(labels) == len(set(labels)), slug


# --- external.ttl


def _external_terms_used(graph: rdflib.Graph) -> set[URIRef]:
    schema_predicates = (RDF.type, RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range)
    used = {p for p in graph.predicates()}
    used |= {o for p in schema_predicates for o in graph.objects(None, p)}
    return {
        u
        for u in used
        if isinstance(u, URIRef) and not str(u).startswith((*BUILT_IN, ID_IRI, VOCAB_IRI))
    }


def test_external_terms_are_declared_with_type_and_namespace(external: rdflib.Graph) -> None:
    wrong = {}
    for term in set(external.subjects()):
        kinds = set(external.objects(term, RDF.type)) & set(EXTERNAL_KINDS)
        defined_by = list(external.objects(term, RDFS.isDefinedBy))
        namespace = _namespace_of(term)
        if len(kinds) != 1 or defined_by != [URIRef(namespace)] or namespace == VOCAB_IRI:
            wrong[str(term)] = (kinds, defined_by)
    assert not wrong, wrong
    assert set(external.predicates()) <= {RDF.type, RDFS.label, RDFS.isDefinedBy, RDFS.seeAlso}
    assert (EDTF.EDTF, RDF.type, RDFS.Datatype) in external


def test_everything_the_ontology_relies_on_is_declared(
    ontology: rdflib.Graph, external: rdflib.Graph
) -> None:
    undeclared = _external_terms_used(ontology) - set(external.subjects())
    assert not undeclared, sorted(undeclared)


def test_everything_the_data_relies_on_is_declared(external: rdflib.Graph) -> None:
    data = _parse(_data_files())
    undeclared = _external_terms_used(data) - set(external.subjects())
    assert not undeclared, sorted(undeclared)
    assert (PROV.wasDerivedFrom, RDF.type, OWL.ObjectProperty) in external


def test_superclasses_are_declared_classes(kggraph: rdflib.Graph, external: rdflib.Graph) -> None:
    """Superproperties are checked by test_superproperties_have_the_same_owl_type."""
    declared = set((external + kggraph).subjects(RDF.type, OWL.Class))
    assert set(kggraph.objects(None, RDFS.subClassOf)) <= declared


# --- (7) and (8) OWL 2 RL reasoning


def _reason(graph: rdflib.Graph) -> rdflib.Graph:
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def _inconsistencies(expanded: rdflib.Graph) -> list[str]:
    """What owlrl found wrong: its err:error messages and any member of owl:Nothing."""
    messages = [str(m) for m in expanded.objects(None, ERRNS.error)]
    nothing = [f"{s} is an owl:Nothing" for s in expanded.subjects(RDF.type, OWL.Nothing)]
    return sorted(messages + nothing)


CLASSES = [t for t in KG_TERMS if _expected_kind(t) == OWL.Class]
ONE_MEMBER_PER_CLASS = [(EX[f"{_local(c)}-member"], RDF.type, c) for c in CLASSES]
"""Every class gets a member: a class under two disjoint classes would then clash."""
LOOSE = (EX.loose, SCHEMA.location, EX.kitakyushu)
"""External properties carry no domain of ours: this says nothing about the type of ex:loose."""
CLASHES = {
    "city-company": ((EX.kitakyushu, RDF.type, KG.Company), EX.kitakyushu, "Disjoint classes"),
    "project-agreement": ((EX.project, RDF.type, KG.Agreement), EX.project, "Disjoint classes"),
    "organisation-project": ((EX.network, RDF.type, KG.Project), EX.network, "Disjoint classes"),
    "sector-unit": ((EX.water, RDF.type, KG.Unit), EX.water, "Disjoint classes"),
    "company-as-location": ((EX.project, KG.location, EX.company), EX.company, "Disjoint classes"),
    "nothing": ((EX.plant, RDF.type, OWL.Nothing), EX.plant, "Nothing"),
}
"""Deliberate mistakes, each on its own node, that the consistency check must report."""


def _with_sample(extra: Iterable[tuple[Node, Node, Node]] = ()) -> rdflib.Graph:
    graph = _parse(sorted(ONTOLOGY_DIR.glob("*.ttl")))
    graph.parse(data=SAMPLE, format="turtle")
    for triple in extra:
        graph.add(triple)
    return graph


@pytest.fixture(scope="module")
def expanded() -> rdflib.Graph:
    """Ontology + sample graph + a member of every class + every data file, under OWL 2 RL."""
    graph = _with_sample([*ONE_MEMBER_PER_CLASS, LOOSE])
    for path in _data_files():
        graph.parse(path, format="turtle")
    return _reason(graph)


@pytest.fixture(scope="module")
def clashing() -> list[str]:
    """What the check reports on the ontology + sample graph with the deliberate mistakes."""
    return _inconsistencies(_reason(_with_sample(t for t, _, _ in CLASHES.values())))


@pytest.mark.slow
def test_ontology_sample_and_data_are_consistent(expanded: rdflib.Graph) -> None:
    assert len(ONE_MEMBER_PER_CLASS) == 45
    assert all(member in expanded for member in ONE_MEMBER_PER_CLASS)
    assert _inconsistencies(expanded) == []


@pytest.mark.slow
@pytest.mark.parametrize("name", CLASHES)
def test_the_consistency_check_reports_a_clash(clashing: list[str], name: str) -> None:
    _, node, needle = CLASHES[name]
    assert any(needle in e and str(node) in e for e in clashing), clashing


@pytest.mark.slow
def test_the_clashes_are_all_that_is_reported(clashing: list[str]) -> None:
    culprits = {str(node) for _, node, _ in CLASHES.values()}
    assert all(any(c in e for c in culprits) for e in clashing), clashing


@pytest.mark.slow
@pytest.mark.parametrize(
    ("node", "expected"),
    [
        (EX.kitakyushu, [SCHEMA.City, SCHEMA.Place, SCHEMA.AdministrativeArea, PROV.Location]),
        (EX.company, [SCHEMA.Corporation, ORG.Organization, PROV.Agent, FOAF.Organization]),
        (EX.government, [SCHEMA.GovernmentOrganization, ORG.Organization, PROV.Agent]),
        (EX.bureau, [ORG.OrganizationalUnit, ORG.Organization]),
        (EX.project, [SCHEMA.Project, PROV.Activity, KG.Project]),
        (EX.agreement, [SCHEMA.CreativeWork, PROV.Entity]),
        (EX.trainees, [SCHEMA.Observation, PROV.Entity]),
        (EX.membership, [ORG.Membership]),
        (EX.fy2022, [TIME.ProperInterval]),
        (EX.water, [SKOS.Concept]),
    ],
    ids=lambda v: _local(v) if isinstance(v, URIRef) else "",
)
def test_reasoning_gives_the_standard_types(
    expanded: rdflib.Graph, node: URIRef, expected: list[URIRef]
) -> None:
    missing = [t for t in expected if (node, RDF.type, t) not in expanded]
    assert not missing


@pytest.mark.slow
@pytest.mark.parametrize(
    "triple",
    [
        (EX.haiphong, KG.sisterCity, EX.kitakyushu),
        (EX.haiphong, KG.partnerCity, EX.kitakyushu),
        (EX.kitakyushu, SCHEMA.containedInPlace, EX.japan),
        (EX.project, PROV.wasAssociatedWith, EX.company),
        (EX.project, SCHEMA.funder, EX.agency),
        (EX.bureau, ORG.subOrganizationOf, EX.government),
        (EX.membership, ORG.member, EX.government),
        (EX.government, ORG.memberOf, EX.network),
        (EX.government, SCHEMA.areaServed, EX.kitakyushu),
        (EX.agreement, PROV.wasAttributedTo, EX.company),
        (EX.section, DCTERMS.isPartOf, EX.document),
        (EX.trainees, SCHEMA.value, Literal(11107)),
    ],
    ids=lambda t: shorten(str(t[1])),
)
def test_reasoning_gives_the_standard_properties(
    expanded: rdflib.Graph, triple: tuple[Node, Node, Node]
) -> None:
    assert triple in expanded


@pytest.mark.slow
def test_reasoning_does_not_widen_external_terms(expanded: rdflib.Graph) -> None:
    assert (LOOSE in expanded) and (EX.kitakyushu, RDF.type, SCHEMA.City) in expanded
    assert set(expanded.objects(EX.loose, RDF.type)) <= {OWL.Thing}
