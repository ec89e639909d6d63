"""``/catalog``: the DCAT catalog conforms to DCAT-AP 3.0 and tells the truth about the dumps.

Validated with pySHACL against the DCAT-AP 3.0.1 shapes in ``shared/standards/dcat-ap``: the
base shapes (mandatory properties, cardinalities, node kinds, datatypes) and the range shapes
(the class of every object), together. The release does not ship the controlled-vocabulary
shapes (``mdr-vocabularies.shape.ttl``), which need the EU vocabularies loaded. The facts the
catalog states are checked against the session build: file sizes and checksums against the
files served under ``/dumps/``, coverage and licence against SPARQL on the graph.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from pyshacl import validate
from rdflib import Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF

from kggraph.core.namespaces import ID_IRI, KG, ONTOLOGY_IRI
from kggraph.graph.release import Release
from kggraph.graph.store import EDITORIAL_GRAPH
from kggraph.publish.build import BuildResult
from tests.conftest import PUBLIC_URL, ROOT, Server, require

STANDARDS = ROOT.parent / "shared" / "standards" / "dcat-ap"
SHAPE_FILES = ("dcat-ap_3.0.1_shacl_shapes.ttl", "dcat-ap_3.0.1_shacl_range.ttl")
SPDX = rdflib.Namespace("http://spdx.org/rdf/terms#")
VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
PROV = rdflib.Namespace("http://www.w3.org/ns/prov#")
TURTLE = {"Accept": "text/turtle"}
IDENTITY = {"Accept-Encoding": "identity"}
CATALOG = URIRef("https://w3id.org/kggraph/catalog")
DATASET = URIRef("https://w3id.org/kggraph/catalog#dataset")
DATE_PROPERTIES = ("date", "startDate", "endDate", "foundingDate", "asOf")


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    missing = [name for name in SHAPE_FILES if not (STANDARDS / name).is_file()]
    require(
        not missing,
        f"the DCAT-AP shapes {', '.join(missing)} in ../shared/standards/dcat-ap are missing",
    )
    graph = rdflib.Graph()
    for name in SHAPE_FILES:
        graph.parse(STANDARDS / name, format="turtle")
    return graph


@pytest.fixture(scope="module")
def catalog(server: Server) -> Iterator[rdflib.Graph]:
    answer = httpx.get(server.url + "/catalog", headers=TURTLE, timeout=30)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/turtle")
    yield rdflib.Graph().parse(data=answer.text, format="turtle")


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    return Release(built.release).open_store()


def _rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    return [tuple(term.value for term in row if term is not None) for row in solutions]


def _violations(data: rdflib.Graph, shapes: rdflib.Graph) -> tuple[bool, str]:
    conforms, _report, text = validate(data, shacl_graph=shapes)
    return bool(conforms), str(text)


def test_catalog_conforms_to_dcat_ap_3(catalog: rdflib.Graph, shapes: rdflib.Graph) -> None:
    conforms, text = _violations(catalog, shapes)
    assert conforms, text
    # the shapes had something to check: every DCAT-AP main class is present
    for cls in (
        DCAT.Catalog,
        DCAT.Dataset,
        DCAT.Distribution,
        DCAT.DataService,
        FOAF.Agent,
        SPDX.Checksum,
        DCTERMS.PeriodOfTime,
        DCTERMS.LicenseDocument,
    ):
        assert (None, RDF.type, cls) in catalog, cls


def test_the_shapes_catch_a_broken_catalog(catalog: rdflib.Graph, shapes: rdflib.Graph) -> None:
    """The same validation fails on a catalog with a mandatory property gone, a wrong
    datatype and an untyped licence: it is not green by accident."""
    broken = rdflib.Graph()
    for triple in catalog:
        broken.add(triple)
    broken.remove((CATALOG, DCTERMS.publisher, None))
    distribution = next(iter(catalog.objects(DATASET, DCAT.distribution)))
    size = catalog.value(distribution, DCAT.byteSize)
    broken.remove((distribution, DCAT.byteSize, None))
    broken.add((distribution, DCAT.byteSize, Literal(str(size))))
    license_iri = catalog.value(DATASET, DCTERMS.license)
    broken.remove((license_iri, RDF.type, DCTERMS.LicenseDocument))
    conforms, text = _violations(broken, shapes)
    assert not conforms
    for path in ("dct:publisher", "dcat:byteSize", "dct:license"):
        assert f"Result Path: {path}" in text, path


def _distributions(catalog: rdflib.Graph) -> dict[str, URIRef]:
    """Downloadable distributions by file name."""
    found = {}
    for node in catalog.objects(DATASET, DCAT.distribution):
        url = catalog.value(node, DCAT.downloadURL)
        if url is not None:
            assert isinstance(node, URIRef)
            found[str(url).rsplit("/", 1)[-1]] = node
    return found


def test_one_distribution_per_dump(catalog: rdflib.Graph, built: BuildResult) -> None:
    dumps = {p.name for p in built.release.iterdir() if p.name.startswith("kggraph.")}
    assert set(_distributions(catalog)) == dumps
    assert len(dumps) == 8


def test_sizes_and_checksums_are_those_of_the_served_files(
    catalog: rdflib.Graph, server: Server
) -> None:
    listing = {e["name"]: e for e in httpx.get(server.url + "/dumps/", timeout=30).json()["files"]}
    for name, node in _distributions(catalog).items():
        url = str(catalog.value(node, DCAT.downloadURL))
        assert url == f"{server.url}/dumps/{name}"
        assert str(catalog.value(node, DCAT.accessURL)) == url
        served = httpx.get(url, headers=IDENTITY, timeout=30)
        assert served.status_code == 200, url
        size = catalog.value(node, DCAT.byteSize)
        assert isinstance(size, Literal) and size.datatype == rdflib.XSD.nonNegativeInteger
        assert int(size) == len(served.content) == listing[name]["bytes"]
        checksum = catalog.value(node, SPDX.checksum)
        assert catalog.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        value = catalog.value(checksum, SPDX.checksumValue)
        assert isinstance(value, Literal) and value.datatype == rdflib.XSD.hexBinary
        assert str(value) == hashlib.sha256(served.content).hexdigest() == listing[name]["sha256"]


def test_media_types_and_compression(catalog: rdflib.Graph, server: Server) -> None:
    iana = "http://www.iana.org/assignments/media-types/"
    for name, node in _distributions(catalog).items():
        media = str(catalog.value(node, DCAT.mediaType)).removeprefix(iana)
        packed = catalog.value(node, DCAT.compressFormat)
        plain = name.removesuffix(".gz")
        served = httpx.head(f"{server.url}/dumps/{plain}", headers=IDENTITY, timeout=30)
        assert served.headers["content-type"].split(";")[0] == media, name
        assert (packed is not None) == name.endswith(".gz"), name
        if packed is not None:
            assert str(packed) == iana + "application/gzip"
        file_type = catalog.value(node, DCTERMS.format)
        assert str(file_type).startswith("http://publications.europa.eu/resource/authority/")
        assert (file_type, RDF.type, DCTERMS.MediaTypeOrExtent) in catalog


def test_the_sparql_endpoint_is_a_data_service(catalog: rdflib.Graph, server: Server) -> None:
    service = catalog.value(CATALOG, DCAT.service)
    assert str(catalog.value(service, DCAT.endpointURL)) == server.sparql
    assert catalog.value(service, DCAT.servesDataset) == DATASET
    answer = httpx.get(
        server.sparql,
        params={"query": "ASK { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert answer.json()["boolean"] is True
    access = [
        d
        for d in catalog.objects(DATASET, DCAT.distribution)
        if catalog.value(d, DCAT.accessService) == service
    ]
    assert len(access) == 1


def test_licence_is_the_ontologys(catalog: rdflib.Graph, store: ox.Store) -> None:
    [(license_iri,)] = _rows(
        store, f"SELECT ?l WHERE {{ <{ONTOLOGY_IRI}> <{DCTERMS.license}> ?l }}"
    )
    for node in (CATALOG, DATASET, *catalog.objects(DATASET, DCAT.distribution)):
        assert str(catalog.value(node, DCTERMS.license)) == license_iri, node


def test_spatial_coverage_is_every_country_of_the_graph(
    catalog: rdflib.Graph, store: ox.Store
) -> None:
    countries = {iri for (iri,) in _rows(store, f"SELECT ?c WHERE {{ ?c a <{KG.Country}> }}")}
    spatial = {str(s) for s in catalog.objects(DATASET, DCTERMS.spatial)}
    assert {s for s in spatial if s.startswith(ID_IRI)} == countries
    authority = {s for s in spatial if "/authority/country/" in s}
    assert "http://publications.europa.eu/resource/authority/country/JPN" in authority
    assert len(authority) == len(countries)
    for place in spatial:
        assert (URIRef(place), RDF.type, DCTERMS.Location) in catalog


def _span(value: str, datatype: str) -> tuple[dt.date, dt.date]:
    """The days a date value covers (written apart from kggraph.dataset.statistics on purpose)."""
    if datatype.endswith("#gYear"):
        return dt.date(int(value), 1, 1), dt.date(int(value), 12, 31)
    if datatype.endswith("#gYearMonth"):
        year, month = (int(part) for part in value.split("-"))
        after = dt.date(year + month // 12, month % 12 + 1, 1)
        return dt.date(year, month, 1), after - dt.timedelta(days=1)
    day = dt.date.fromisoformat(value[:10])
    return day, day


def test_temporal_coverage_runs_from_the_first_to_the_last_date(
    catalog: rdflib.Graph, store: ox.Store
) -> None:
    values = ", ".join(f"<{KG[name]}>" for name in DATE_PROPERTIES)
    rows = _rows(
        store, f"SELECT ?v (DATATYPE(?v) AS ?t) WHERE {{ ?s ?p ?v FILTER(?p IN ({values})) }}"
    )
    assert len(rows) > 50
    spans = [_span(value, datatype) for value, datatype in rows]
    period = catalog.value(DATASET, DCTERMS.temporal)
    start = catalog.value(period, DCAT.startDate)
    end = catalog.value(period, DCAT.endDate)
    assert isinstance(start, Literal) and isinstance(end, Literal)
    assert start.toPython() == min(s[0] for s in spans)
    assert end.toPython() == max(s[1] for s in spans)


def test_keywords_titles_and_descriptions_in_both_languages(catalog: rdflib.Graph) -> None:
    keywords = [k for k in catalog.objects(DATASET, DCAT.keyword) if isinstance(k, Literal)]
    english = [k for k in keywords if k.language == "en"]
    japanese = [k for k in keywords if k.language == "ja"]
    assert english and len(english) == len(japanese)
    for node in (CATALOG, DATASET):
        for predicate in (DCTERMS.title, DCTERMS.description):
            languages = {v.language for v in catalog.objects(node, predicate)}
            assert languages == {"en", "ja"}, (node, predicate)


def test_publisher_contact_point_and_source(catalog: rdflib.Graph, store: ox.Store) -> None:
    publisher = catalog.value(DATASET, DCTERMS.publisher)
    assert publisher == catalog.value(CATALOG, DCTERMS.publisher)
    names = {n.language for n in catalog.objects(publisher, FOAF.name)}
    assert names == {"en", "ja"}
    contact = catalog.value(DATASET, DCAT.contactPoint)
    assert (contact, RDF.type, VCARD.Kind) in catalog
    assert catalog.value(contact, VCARD.fn) is not None
    [(document, city)] = _rows(
        store,
        f"SELECT ?doc ?by WHERE {{ ?doc a <{KG.SourceDocument}> ; <{DCTERMS.publisher}> ?by }}",
    )
    assert str(catalog.value(DATASET, PROV.wasDerivedFrom)) == document
    assert str(catalog.value(URIRef(document), DCTERMS.publisher)) == city
    city_names = {str(n) for n in catalog.objects(URIRef(city), FOAF.name)}
    labels = {
        label
        for (label,) in _rows(
            store, f"SELECT ?l WHERE {{ <{city}> <http://www.w3.org/2000/01/rdf-schema#label> ?l }}"
        )
    }
    assert city_names == labels and labels


def test_modified_is_the_build_time(catalog: rdflib.Graph, built: BuildResult) -> None:
    modified = catalog.value(DATASET, DCTERMS.modified)
    assert isinstance(modified, Literal) and modified.datatype == rdflib.XSD.dateTime
    assert modified.toPython() == built.manifest.built_at


def _triples(data: bytes, fmt: ox.RdfFormat) -> set[ox.Triple]:
    return {ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(data, format=fmt)}


@pytest.mark.parametrize(
    ("suffix", "fmt"),
    [
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("rdf", ox.RdfFormat.RDF_XML),
    ],
)
def test_every_format_holds_the_same_catalog(
    server: Server, suffix: str, fmt: ox.RdfFormat
) -> None:
    turtle = httpx.get(server.url + "/catalog.ttl", timeout=30).content
    other = httpx.get(f"{server.url}/catalog.{suffix}", timeout=30).content
    assert _triples(other, fmt) == _triples(turtle, ox.RdfFormat.TURTLE)


def test_a_browser_gets_a_page_listing_every_distribution(
    catalog: rdflib.Graph, server: Server
) -> None:
    page = httpx.get(server.url + "/catalog", headers={"Accept": "text/html"}, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.headers["content-location"] == server.url + "/catalog.html"
    for name, node in _distributions(catalog).items():
        assert f'href="{catalog.value(node, DCAT.downloadURL)}"' in page.text, name
        assert (
            str(catalog.value(catalog.value(node, SPDX.checksum), SPDX.checksumValue)) in page.text
        )


def test_catalog_has_validators_and_304(server: Server) -> None:
    first = httpx.get(server.url + "/catalog", headers=TURTLE, timeout=30)
    assert first.headers["etag"] and first.headers["last-modified"]
    again = httpx.get(
        server.url + "/catalog",
        headers={**TURTLE, "If-None-Match": first.headers["etag"]},
        timeout=30,
    )
    assert again.status_code == 304


@pytest.mark.slow
def test_locations_follow_the_public_url_and_identities_stay(published: Server) -> None:
    public = PUBLIC_URL.rstrip("/")
    text = httpx.get(published.url + "/catalog", headers=TURTLE, timeout=30).text
    graph = rdflib.Graph().parse(data=text, format="turtle")
    assert (DATASET, RDF.type, DCAT.Dataset) in graph
    downloads = {str(u) for u in graph.objects(None, DCAT.downloadURL)}
    assert downloads and all(u.startswith(public + "/dumps/") for u in downloads)
    service = graph.value(CATALOG, DCAT.service)
    assert str(graph.value(service, DCAT.endpointURL)) == public + "/sparql"


def test_the_editorial_graph_is_a_dataset_of_the_catalog(
    catalog: rdflib.Graph, store: ox.Store, server: Server
) -> None:
    """Listed by its graph IRI, with its size and both languages; its distribution answers."""
    editorial = URIRef("https://w3id.org/kggraph/catalog#editorial")
    assert (CATALOG, DCAT.dataset, editorial) in catalog
    assert (DATASET, DCTERMS.hasPart, editorial) in catalog
    assert (editorial, RDF.type, DCAT.Dataset) in catalog
    assert catalog.value(editorial, DCTERMS.identifier) == Literal(EDITORIAL_GRAPH.value)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{EDITORIAL_GRAPH.value}> {{ ?s ?p ?o }} }}"
    [(count,)] = _rows(store, query)
    void_triples = URIRef("http://rdfs.org/ns/void#triples")
    assert int(catalog.value(editorial, void_triples)) == int(count) > 0
    for predicate in (DCTERMS.title, DCTERMS.description):
        languages = {t.language for t in catalog.objects(editorial, predicate)}
        assert languages == {"en", "ja"}, predicate
    distribution = catalog.value(editorial, DCAT.distribution)
    access = catalog.value(distribution, DCAT.accessURL)
    assert str(access) == server.url + "/graph/editorial"
    answer = httpx.get(str(access), headers=TURTLE, timeout=30)
    assert answer.status_code == 200
    assert len(rdflib.Graph().parse(data=answer.text, format="turtle")) == int(count)
