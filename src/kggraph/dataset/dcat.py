"""The DCAT catalog of the dataset, written to conform to DCAT-AP 3.0 (what EU portals harvest).

One catalog, one dataset, one distribution per dump file (media type, EU file type, gzip as
``dcat:compressFormat``, byte size, SPDX SHA-256 checksum, download and access URL, licence),
one more distribution for the SPARQL endpoint with its data service, the publisher (the kggraph
project) and a contact point, the spatial coverage (the countries of the graph, with the EU
country authority's IRI where one is known), the temporal coverage (first to last date of the
facts, ``kggraph.dataset.statistics``), and keywords in English and Japanese.

DCAT-AP's range shapes check ``sh:class`` without inference, so every node the catalog points
to is typed here (``dct:LicenseDocument``, ``dct:MediaType``, ``dct:Location`` …).

The source is credited with ``prov:wasDerivedFrom`` (the white paper, published by the City of
Kitakyushu), not ``dct:source``: DCAT-AP gives ``dct:source`` of a dataset the range
``dcat:Dataset``, and a chapter of a white paper is a document, not a dataset.

The licence is the one the ontology's header states (``dcterms:license``), so the data and its
vocabulary are published under the same terms.

The editorial graph (statements the source does not make) is a dataset of its own in the
catalog, part of the main one (``dct:hasPart``/``dct:isPartOf``), identified by its graph IRI,
with its size (``void:triples``) and one distribution: the graph's triples at its IRI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pyoxigraph as ox

from kggraph.core.formats import BY_NAME, GZIP_MEDIA_TYPE
from kggraph.core.namespaces import (
    DCAT,
    DCTERMS,
    FOAF,
    ID_IRI,
    ONTOLOGY_IRI,
    PROV,
    RDF,
    RDFS,
    SKOS,
    VOID,
    XSD,
)
from kggraph.dataset.identity import (
    CATALOG,
    CATALOG_DESCRIPTION,
    CATALOG_TITLE,
    CONTACT,
    CONTACT_NAME,
    DATASET,
    DESCRIPTION,
    DUMPS,
    EDITORIAL_DATASET,
    EDITORIAL_DESCRIPTION,
    EDITORIAL_DISTRIBUTION,
    EDITORIAL_TITLE,
    HOMEPAGE,
    IANA_MEDIA_TYPES,
    KEYWORDS,
    PERIOD,
    PUBLISHER,
    PUBLISHER_NAME,
    SPARQL_DISTRIBUTION,
    SPARQL_ENDPOINT,
    SPARQL_SERVICE,
    SPDX,
    TITLE,
    VCARD,
    VOID_DOCUMENT,
    Download,
    GraphPart,
    Triples,
)
from kggraph.dataset.linksets import LinkSource, describe_sources
from kggraph.dataset.statistics import DatasetFacts, Named

EU = "http://publications.europa.eu/resource/authority/"
LANGUAGES = {"en": EU + "language/ENG", "ja": EU + "language/JPN"}
THEMES = {EU + "data-theme/ENVI": "Environment", EU + "data-theme/REGI": "Regions and cities"}
COUNTRY_CODES = {
    "brazil": "BRA", "cambodia": "KHM", "china": "CHN", "india": "IND", "indonesia": "IDN",
    "japan": "JPN", "malaysia": "MYS", "palau": "PLW", "philippines": "PHL",
    "south-africa": "ZAF", "thailand": "THA", "united-states": "USA", "vietnam": "VNM",
}  # fmt: skip
"""ISO 3166-1 alpha-3 codes of the EU Countries authority list, by the graph's country slug."""
SPARQL_PROTOCOL = "https://www.w3.org/TR/sparql11-protocol/"
SHA256 = SPDX + "checksumAlgorithm_sha256"
DCAT_VERSION = str(DCAT) + "version"


def catalog_triples(
    facts: DatasetFacts,
    files: Sequence[Download],
    *,
    version: str,
    editorial: GraphPart | None = None,
    links: Sequence[LinkSource] = (),
) -> list[ox.Triple]:
    """The catalog: DCAT-AP 3.0 triples for the dataset, its dumps and its endpoint; the
    sources of the links out are ``dct:source`` of the dataset, with their licences."""
    g = Triples()
    _catalog(g, facts)
    _dataset(g, facts, version)
    describe_sources(g, list(links))
    if editorial is not None:
        _editorial(g, editorial, facts.license)
    for download in files:
        _distribution(g, download, facts.license)
    _sparql(g, facts.license)
    _agents(g, facts)
    _coverage(g, facts)
    _vocabularies(g, facts)
    return g.items


def when_built(built_at: dt.datetime) -> list[ox.Triple]:
    """``dct:modified`` of the catalog and the dataset: the build time, which the release's
    files leave out so that two builds of the same input write the same bytes."""
    g = Triples()
    stamp = built_at.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z"
    for node in (CATALOG, DATASET):
        g.typed(node, DCTERMS.modified, stamp, XSD.dateTime)
    return g.items


def distribution_iri(name: str) -> str:
    return f"{CATALOG}#dump-{name}"


def _catalog(g: Triples, facts: DatasetFacts) -> None:
    g.iri(CATALOG, RDF.type, DCAT.Catalog)
    g.texts(CATALOG, DCTERMS.title, CATALOG_TITLE)
    g.texts(CATALOG, DCTERMS.description, CATALOG_DESCRIPTION)
    g.iri(CATALOG, DCTERMS.publisher, PUBLISHER)
    g.iri(CATALOG, FOAF.homepage, HOMEPAGE)
    g.iri(CATALOG, DCAT.dataset, DATASET)
    g.iri(CATALOG, DCAT.service, SPARQL_SERVICE)
    for language in LANGUAGES.values():
        g.iri(CATALOG, DCTERMS.language, language)
    if facts.license:
        g.iri(CATALOG, DCTERMS.license, facts.license)


def _dataset(g: Triples, facts: DatasetFacts, version: str) -> None:
    g.iri(DATASET, RDF.type, DCAT.Dataset)
    g.texts(DATASET, DCTERMS.title, TITLE)
    g.texts(DATASET, DCTERMS.description, DESCRIPTION)
    g.text(DATASET, DCTERMS.identifier, DATASET)
    g.text(DATASET, DCAT_VERSION, version)
    for english, japanese in KEYWORDS:
        g.text(DATASET, DCAT.keyword, english, "en")
        g.text(DATASET, DCAT.keyword, japanese, "ja")
    for theme in THEMES:
        g.iri(DATASET, DCAT.theme, theme)
    g.iri(DATASET, DCTERMS.publisher, PUBLISHER)
    g.iri(DATASET, DCTERMS.creator, PUBLISHER)
    g.iri(DATASET, DCAT.contactPoint, CONTACT)
    g.iri(DATASET, DCAT.landingPage, DUMPS)
    g.iri(DATASET, FOAF.page, VOID_DOCUMENT)
    g.iri(DATASET, DCTERMS.conformsTo, ONTOLOGY_IRI)
    for language in LANGUAGES.values():
        g.iri(DATASET, DCTERMS.language, language)
    if facts.license:
        g.iri(DATASET, DCTERMS.license, facts.license)
    if facts.source is not None:
        g.iri(DATASET, PROV.wasDerivedFrom, facts.source.iri)
    g.iri(DATASET, DCAT.distribution, SPARQL_DISTRIBUTION)


def _editorial(g: Triples, part: GraphPart, license_iri: str | None) -> None:
    node, turtle = EDITORIAL_DATASET, BY_NAME["turtle"]
    g.iri(CATALOG, DCAT.dataset, node)
    g.iri(DATASET, DCTERMS.hasPart, node)
    g.iri(node, DCTERMS.isPartOf, DATASET)
    g.iri(node, RDF.type, DCAT.Dataset)
    g.texts(node, DCTERMS.title, EDITORIAL_TITLE)
    g.texts(node, DCTERMS.description, EDITORIAL_DESCRIPTION)
    g.text(node, DCTERMS.identifier, part.iri)
    g.typed(node, VOID.triples, str(part.triples), XSD.integer)
    g.iri(node, DCTERMS.publisher, PUBLISHER)
    g.iri(node, DCAT.contactPoint, CONTACT)
    g.iri(node, DCTERMS.conformsTo, ONTOLOGY_IRI)
    g.iri(node, DCAT.distribution, EDITORIAL_DISTRIBUTION)
    g.iri(EDITORIAL_DISTRIBUTION, RDF.type, DCAT.Distribution)
    g.text(EDITORIAL_DISTRIBUTION, DCTERMS.title, "The editorial graph at its IRI (Turtle)", "en")
    g.text(EDITORIAL_DISTRIBUTION, DCTERMS.title, "編集上の記述のグラフ (Turtle)", "ja")
    g.iri(EDITORIAL_DISTRIBUTION, DCAT.accessURL, part.iri)
    g.iri(EDITORIAL_DISTRIBUTION, DCAT.mediaType, IANA_MEDIA_TYPES + turtle.media_type)
    g.iri(EDITORIAL_DISTRIBUTION, DCTERMS.format, turtle.eu_file_type)
    if license_iri:
        g.iri(node, DCTERMS.license, license_iri)
        g.iri(EDITORIAL_DISTRIBUTION, DCTERMS.license, license_iri)


def _distribution(g: Triples, download: Download, license_iri: str | None) -> None:
    node = distribution_iri(download.name)
    kind = download.kind
    g.iri(DATASET, DCAT.distribution, node)
    g.iri(node, RDF.type, DCAT.Distribution)
    for lang, note in (("en", " (gzip)"), ("ja", " (gzip 圧縮)")):
        shown = note if download.compressed else ""
        g.text(node, DCTERMS.title, f"{download.name}: {kind.label}{shown}", lang)
    g.iri(node, DCAT.accessURL, download.iri)
    g.iri(node, DCAT.downloadURL, download.iri)
    g.iri(node, DCAT.mediaType, IANA_MEDIA_TYPES + kind.media_type)
    g.iri(node, DCTERMS.format, kind.eu_file_type)
    if download.compressed:
        g.iri(node, DCAT.compressFormat, IANA_MEDIA_TYPES + GZIP_MEDIA_TYPE)
    g.typed(node, DCAT.byteSize, str(download.bytes), XSD.nonNegativeInteger)
    checksum = f"{CATALOG}#sha256-{download.name}"
    g.iri(node, SPDX + "checksum", checksum)
    g.iri(checksum, RDF.type, SPDX + "Checksum")
    g.iri(checksum, SPDX + "algorithm", SHA256)
    g.typed(checksum, SPDX + "checksumValue", download.sha256, XSD.hexBinary)
    if license_iri:
        g.iri(node, DCTERMS.license, license_iri)


def _sparql(g: Triples, license_iri: str | None) -> None:
    node, service = SPARQL_DISTRIBUTION, SPARQL_SERVICE
    g.iri(node, RDF.type, DCAT.Distribution)
    g.text(node, DCTERMS.title, "SPARQL 1.1 endpoint", "en")
    g.text(node, DCTERMS.title, "SPARQL 1.1 エンドポイント", "ja")
    g.iri(node, DCAT.accessURL, SPARQL_ENDPOINT)
    g.iri(node, DCAT.accessService, service)
    g.iri(service, RDF.type, DCAT.DataService)
    g.text(service, DCTERMS.title, "kggraph SPARQL endpoint", "en")
    g.text(service, DCTERMS.title, "kggraph SPARQL エンドポイント", "ja")
    g.iri(service, DCAT.endpointURL, SPARQL_ENDPOINT)
    g.iri(service, DCAT.endpointDescription, SPARQL_ENDPOINT)
    g.iri(service, DCAT.servesDataset, DATASET)
    g.iri(service, DCTERMS.conformsTo, SPARQL_PROTOCOL)
    g.iri(service, DCTERMS.publisher, PUBLISHER)
    g.iri(service, DCAT.contactPoint, CONTACT)
    if license_iri:
        g.iri(node, DCTERMS.license, license_iri)
        g.iri(service, DCTERMS.license, license_iri)


def _agents(g: Triples, facts: DatasetFacts) -> None:
    for kind in (FOAF.Agent, FOAF.Organization):
        g.iri(PUBLISHER, RDF.type, kind)
    g.texts(PUBLISHER, FOAF.name, PUBLISHER_NAME)
    g.iri(PUBLISHER, FOAF.homepage, HOMEPAGE)
    for vcard_class in ("Kind", "Organization"):
        g.iri(CONTACT, RDF.type, VCARD + vcard_class)
    g.text(CONTACT, VCARD + "fn", CONTACT_NAME)
    g.iri(CONTACT, VCARD + "hasURL", HOMEPAGE)
    g.iri(HOMEPAGE, RDF.type, FOAF.Document)
    g.iri(DUMPS, RDF.type, FOAF.Document)
    g.iri(VOID_DOCUMENT, RDF.type, FOAF.Document)
    if facts.source is not None:
        _labelled(g, facts.source, DCTERMS.title)
        if facts.source_publisher is not None:
            g.iri(facts.source.iri, DCTERMS.publisher, facts.source_publisher.iri)
            g.iri(facts.source_publisher.iri, RDF.type, FOAF.Agent)
            _labelled(g, facts.source_publisher, FOAF.name)


def _coverage(g: Triples, facts: DatasetFacts) -> None:
    for country in facts.countries:
        g.iri(DATASET, DCTERMS.spatial, country.iri)
        g.iri(country.iri, RDF.type, DCTERMS.Location)
        _labelled(g, country, RDFS.label)
        code = COUNTRY_CODES.get(country.iri.removeprefix(ID_IRI + "country/"))
        if code:
            g.iri(DATASET, DCTERMS.spatial, EU + "country/" + code)
            g.iri(EU + "country/" + code, RDF.type, DCTERMS.Location)
    if facts.first_date and facts.last_date:
        g.iri(DATASET, DCTERMS.temporal, PERIOD)
        g.iri(PERIOD, RDF.type, DCTERMS.PeriodOfTime)
        g.typed(PERIOD, DCAT.startDate, facts.first_date.isoformat(), XSD.date)
        g.typed(PERIOD, DCAT.endDate, facts.last_date.isoformat(), XSD.date)


def _vocabularies(g: Triples, facts: DatasetFacts) -> None:
    """Type every node the catalog points to, as DCAT-AP's ranges ask."""
    if facts.license:
        g.iri(facts.license, RDF.type, DCTERMS.LicenseDocument)
    for language in LANGUAGES.values():
        g.iri(language, RDF.type, DCTERMS.LinguisticSystem)
    for theme, label in THEMES.items():
        g.iri(theme, RDF.type, SKOS.Concept)
        g.text(theme, SKOS.prefLabel, label, "en")
    g.iri(ONTOLOGY_IRI, RDF.type, DCTERMS.Standard)
    g.iri(SPARQL_PROTOCOL, RDF.type, DCTERMS.Standard)
    g.text(SPARQL_PROTOCOL, DCTERMS.title, "SPARQL 1.1 Protocol", "en")
    named = [(t.predicate, t.object.value) for t in g.items if isinstance(t.object, ox.NamedNode)]
    for media in sorted({iri for p, iri in named if p.value in _MEDIA}):
        g.iri(media, RDF.type, DCTERMS.MediaType)
    for file_type in sorted({iri for p, iri in named if p == _FORMAT}):
        g.iri(file_type, RDF.type, DCTERMS.MediaTypeOrExtent)


_MEDIA = {str(DCAT.mediaType), str(DCAT.compressFormat)}
_FORMAT = ox.NamedNode(str(DCTERMS.format))


def _labelled(g: Triples, node: Named, predicate: object) -> None:
    for lang, text in node.labels:
        g.text(node.iri, predicate, text, lang or None)
