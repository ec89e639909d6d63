"""Namespaces of kggraph: the one place where the persistent base IRI is set.

Every other module, the Turtle files (checked by ``tests/test_namespaces.py``), the
SPARQL prefixes and the HTML pages take their IRIs from here.
"""

from __future__ import annotations

from types import MappingProxyType

from rdflib import Namespace, URIRef
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    TIME,
    VANN,
    VOID,
    XSD,
    DefinedNamespace,
)

__all__ = [
    "BASE_IRI",
    "DATED_PAIRS",
    "DCAT",
    "DCTERMS",
    "EDTF",
    "EDTF_PAIRS",
    "FISCAL_PAIRS",
    "FOAF",
    "GEO",
    "GEOF",
    "ID_IRI",
    "KG",
    "KGID",
    "KGSH",
    "LINKS_GRAPH_IRI",
    "LINK_TARGETS",
    "ONTOLOGY_IRI",
    "ORG",
    "OWL",
    "PREFIXES",
    "PROV",
    "RDF",
    "RDFS",
    "SCHEMA",
    "SH",
    "SHAPES_IRI",
    "SKOS",
    "TIME",
    "VANN",
    "VOCAB_IRI",
    "VOID",
    "WGS84",
    "XSD",
    "shorten",
    "sparql_prologue",
]

BASE_IRI = "https://w3id.org/kggraph/"
"""The persistent base of every kggraph IRI (w3id.org convention)."""

ONTOLOGY_IRI = BASE_IRI + "ontology"
VOCAB_IRI = ONTOLOGY_IRI + "#"
ID_IRI = BASE_IRI + "id/"
LINKS_GRAPH_IRI = BASE_IRI + "graph/links"
"""The named graph of the links out, taken from outside the source (``data/links.ttl``)."""
SHAPES_IRI = BASE_IRI + "shapes#"

SCHEMA = SDO
"""schema.org in its https form (rdflib's closed ``SDO`` namespace)."""

EDTF = Namespace("http://id.loc.gov/datatypes/edtf/")
"""The Library of Congress's datatype for Extended Date/Time Format values: ``EDTF.EDTF``."""

WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
"""The W3C Basic Geo vocabulary: ``wgs84:lat`` and ``wgs84:long``, what GeoNames and DBpedia
harvesters read."""

GEO = Namespace("http://www.opengis.net/ont/geosparql#")
"""GeoSPARQL: ``geo:hasGeometry`` and ``geo:asWKT`` (a ``geo:wktLiteral``, longitude first)."""

GEOF = Namespace("http://www.opengis.net/def/function/geosparql/")
"""GeoSPARQL's functions (``geof:distance``), for queries; pyoxigraph evaluates them."""

LINK_TARGETS: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "geonames": ("https://sws.geonames.org/", "GeoNames"),
        "wikidata": ("http://www.wikidata.org/entity/", "Wikidata"),
    }
)
"""The datasets places link out to: short name → (URI space, name). A GeoNames feature is
``https://sws.geonames.org/ID/``, a Wikidata item ``http://www.wikidata.org/entity/Q…``."""


class KG(DefinedNamespace):
    """The kggraph ontology: every class and property, checked against ``ontology/``."""

    _fail = True
    _NS = Namespace(VOCAB_IRI)

    # --- classes: places
    Place: URIRef
    Country: URIRef
    AdministrativeArea: URIRef
    City: URIRef
    Facility: URIRef
    # --- classes: agents
    Organization: URIRef
    GovernmentOrganization: URIRef
    MunicipalGovernment: URIRef
    NationalAgency: URIRef
    OrganizationalUnit: URIRef
    InternationalOrganization: URIRef
    FoundationOrAssociation: URIRef
    ConsortiumOrCouncil: URIRef
    Company: URIRef
    PublicUtility: URIRef
    University: URIRef
    Membership: URIRef
    # --- classes: relations and activities
    Agreement: URIRef
    Project: URIRef
    GrassrootsCooperationProject: URIRef
    FeasibilityStudy: URIRef
    DemonstrationProject: URIRef
    WaterBusinessContract: URIRef
    TrainingProgramme: URIRef
    Programme: URIRef
    Award: URIRef
    Recognition: URIRef
    Event: URIRef
    Meeting: URIRef
    Publication: URIRef
    Statistic: URIRef
    Outcome: URIRef
    FiscalYear: URIRef
    SourceDocument: URIRef
    SourceSection: URIRef
    EditorialStatement: URIRef
    EditorialReason: URIRef
    Quantity: URIRef
    Target: URIRef
    # --- classes: controlled vocabularies (SKOS concepts)
    AgreementType: URIRef
    Sector: URIRef
    Unit: URIRef
    Measure: URIRef
    EditorialBasis: URIRef
    ValueQualifier: URIRef

    # --- object properties
    containedInPlace: URIRef
    location: URIRef
    basedIn: URIRef
    governmentOf: URIRef
    unitOf: URIRef
    partnerCity: URIRef
    friendshipCity: URIRef
    sisterCity: URIRef
    environmentalSisterCity: URIRef
    party: URIRef
    agreementType: URIRef
    sector: URIRef
    participant: URIRef
    implementer: URIRef
    partner: URIRef
    client: URIRef
    funder: URIRef
    partOfProgramme: URIRef
    underAgreement: URIRef
    outcome: URIRef
    award: URIRef
    conferredBy: URIRef
    recipient: URIRef
    organizer: URIRef
    generated: URIRef
    publisher: URIRef
    about: URIRef
    measure: URIRef
    unit: URIRef
    member: URIRef
    memberOf: URIRef
    organization: URIRef
    fiscalYear: URIRef
    startFiscalYear: URIRef
    partOfSection: URIRef
    reason: URIRef
    editorialBasis: URIRef
    valueQualifier: URIRef
    baselineFiscalYear: URIRef
    targetFiscalYear: URIRef
    target: URIRef
    foundingPlace: URIRef
    foundingEvent: URIRef
    registeredBy: URIRef
    usedBy: URIRef
    relatedAccount: URIRef

    # --- datatype properties (each ISO value has a *Text twin with the source's wording)
    date: URIRef
    dateText: URIRef
    startDate: URIRef
    startDateText: URIRef
    endDate: URIRef
    endDateText: URIRef
    foundingDate: URIRef
    foundingDateText: URIRef
    asOf: URIRef
    asOfText: URIRef
    dateEDTF: URIRef
    startDateEDTF: URIRef
    endDateEDTF: URIRef
    foundingDateEDTF: URIRef
    asOfEDTF: URIRef
    fiscalYearText: URIRef
    startFiscalYearText: URIRef
    baselineFiscalYearText: URIRef
    targetFiscalYearText: URIRef
    duration: URIRef
    value: URIRef
    role: URIRef
    sectionNumber: URIRef
    iso3166Code: URIRef


KGID = Namespace(ID_IRI)
"""Instances: ``{BASE_IRI}id/{kind}/{slug}``."""

KGSH = Namespace(SHAPES_IRI)

DATED_PAIRS: tuple[tuple[URIRef, URIRef], ...] = (
    (KG.date, KG.dateText),
    (KG.startDate, KG.startDateText),
    (KG.endDate, KG.endDateText),
    (KG.foundingDate, KG.foundingDateText),
    (KG.asOf, KG.asOfText),
)
"""Pairs of (ISO value property, original Japanese text property)."""

EDTF_PAIRS: tuple[tuple[URIRef, URIRef], ...] = (
    (KG.date, KG.dateEDTF),
    (KG.startDate, KG.startDateEDTF),
    (KG.endDate, KG.endDateEDTF),
    (KG.foundingDate, KG.foundingDateEDTF),
    (KG.asOf, KG.asOfEDTF),
)
"""Pairs of (ISO value property, its EDTF companion for a date the editors read)."""

FISCAL_PAIRS: tuple[tuple[URIRef, URIRef], ...] = (
    (KG.fiscalYear, KG.fiscalYearText),
    (KG.startFiscalYear, KG.startFiscalYearText),
    (KG.baselineFiscalYear, KG.baselineFiscalYearText),
    (KG.targetFiscalYear, KG.targetFiscalYearText),
)
"""Pairs of (fiscal-year node property, original Japanese text property)."""

PREFIXES: MappingProxyType[str, str] = MappingProxyType(
    {
        "kg": VOCAB_IRI,
        "kgid": ID_IRI,
        "kgsh": SHAPES_IRI,
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "owl": str(OWL),
        "xsd": str(XSD),
        "skos": str(SKOS),
        "dcterms": str(DCTERMS),
        "dcat": str(DCAT),
        "prov": str(PROV),
        "org": str(ORG),
        "schema": str(SCHEMA),
        "foaf": str(FOAF),
        "time": str(TIME),
        "vann": str(VANN),
        "void": str(VOID),
        "sh": str(SH),
        "edtf": str(EDTF),
        "wgs84": str(WGS84),
        "geo": str(GEO),
    }
)
"""The prefix map shared by Turtle output, SPARQL queries and HTML pages."""


def sparql_prologue(prefixes: MappingProxyType[str, str] = PREFIXES) -> str:
    """Return ``PREFIX`` lines for every project prefix, for SPARQL query text."""
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in prefixes.items())


def shorten(iri: str, prefixes: MappingProxyType[str, str] = PREFIXES) -> str:
    """``kg:City`` for the full IRI of ``City``; the IRI in ``<>`` if no prefix fits."""
    best = max(
        ((name, ns) for name, ns in prefixes.items() if iri.startswith(ns)),
        key=lambda item: len(item[1]),
        default=None,
    )
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else f"<{iri}>"
