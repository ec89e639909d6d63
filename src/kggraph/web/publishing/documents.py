"""``/.well-known/void`` and ``/catalog``: the dataset described for harvesters and people.

Both are files of the release (``void.ttl``, ``catalog.ttl``, written by the build from the graph it
published, see ``kggraph.publish.self_description``). Served, their locations (download URLs, the
SPARQL endpoint, pages) are mapped to this server, and the catalog gets the build time as
``dct:modified``; identities stay persistent (``kggraph.dataset.identity``). Formats by ``Accept``
or extension (``kggraph.web.publishing.rdf_answer``); for browsers, a page that shows the same
triples.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
from starlette.responses import Response

from kggraph.core.formats import HTML
from kggraph.core.language import pick
from kggraph.core.namespaces import DCAT, DCTERMS, RDFS, VOID, shorten
from kggraph.dataset.dcat import when_built
from kggraph.dataset.identity import (
    CATALOG,
    CATALOG_FILE,
    DATASET,
    DESCRIPTION_PREFIXES,
    VOID_DOCUMENT,
    VOID_FILE,
    at_server,
    location,
)
from kggraph.web.http.conditional import built_at
from kggraph.web.publishing.context import Context, ContextRoute
from kggraph.web.publishing.rdf_answer import chosen, document, serialize

SPDX_VALUE = "http://spdx.org/rdf/terms#checksumValue"
SPDX_CHECKSUM = "http://spdx.org/rdf/terms#checksum"


def routes() -> list[ContextRoute]:
    return [
        ("/.well-known/void", void),
        ("/.well-known/void.{ext}", void),
        ("/catalog", catalog),
        ("/catalog.{ext}", catalog),
    ]


async def void(context: Context) -> Response:
    return _serve(context, VOID_FILE, VOID_DOCUMENT, "the VoID description", _void_page)


async def catalog(context: Context) -> Response:
    return _serve(context, CATALOG_FILE, CATALOG, "the catalog", _catalog_page)


def _serve(
    context: Context,
    name: str,
    iri: str,
    what: str,
    page: Callable[[Context, list[ox.Triple]], bytes],
) -> Response:
    extension = context.request.path_params.get("ext")
    fmt = chosen(context, extension, what)
    triples = served_triples(context, name)

    def make() -> bytes:
        if fmt is HTML:
            return page(context, triples)
        return serialize(triples, fmt, DESCRIPTION_PREFIXES)

    return document(
        context,
        address=location(iri, context.server),
        extension=extension,
        fmt=fmt,
        make=make,
    )


def served_triples(context: Context, name: str) -> list[ox.Triple]:
    """The release's file as served here: locations at this server, the build time added."""
    triples = at_server(context.read(name), context.server)
    when = built_at(context.runtime)
    if name == CATALOG_FILE and when is not None:
        triples += when_built(when)
    return triples


class _Graph:
    """The few look-ups the pages make in a small description graph."""

    def __init__(self, triples: list[ox.Triple]) -> None:
        self.triples = triples

    def objects(self, subject: str, predicate: object) -> list[ox.NamedNode | ox.Literal]:
        found = [
            t.object
            for t in self.triples
            if isinstance(t.subject, ox.NamedNode)
            and t.subject.value == subject
            and t.predicate.value == str(predicate)
            and isinstance(t.object, ox.NamedNode | ox.Literal)
        ]
        return sorted(found, key=str)

    def value(self, subject: str, predicate: object) -> str:
        found = self.objects(subject, predicate)
        return found[0].value if found else ""

    def texts(self, subject: str, predicate: object) -> dict[str, str]:
        return {
            (o.language or ""): o.value
            for o in self.objects(subject, predicate)
            if isinstance(o, ox.Literal)
        }


def _void_page(context: Context, triples: list[ox.Triple]) -> bytes:
    g = _Graph(triples)
    numbers = {
        name: g.value(DATASET, VOID[name])
        for name in ("triples", "entities", "distinctSubjects", "distinctObjects",
                     "classes", "properties")
    }  # fmt: skip

    def partitions(kind: str, what: str, count: str) -> list[tuple[str, str, int]]:
        rows = []
        for node in g.objects(DATASET, VOID[kind]):
            term = g.value(node.value, VOID[what])
            rows.append((shorten(term), term, int(g.value(node.value, VOID[count]) or 0)))
        return sorted(rows, key=lambda r: (-r[2], r[0]))

    return context.render(
        "pub_void.html",
        title=g.texts(DATASET, DCTERMS.title),
        description=g.texts(DATASET, DCTERMS.description),
        numbers=numbers,
        endpoint=g.value(DATASET, VOID.sparqlEndpoint),
        dumps=[o.value for o in g.objects(DATASET, VOID.dataDump)],
        uri_space=g.value(DATASET, VOID.uriSpace),
        vocabularies=[o.value for o in g.objects(DATASET, VOID.vocabulary)],
        examples=[o.value for o in g.objects(DATASET, VOID.exampleResource)],
        license=g.value(DATASET, DCTERMS.license),
        classes=partitions("classPartition", "class", "entities"),
        properties=partitions("propertyPartition", "property", "triples"),
        address=location(VOID_DOCUMENT, context.server),
        local=_local_link(context),
    )


def _catalog_page(context: Context, triples: list[ox.Triple]) -> bytes:
    g = _Graph(triples)
    distributions: list[dict[str, Any]] = []
    for node in g.objects(DATASET, DCAT.distribution):
        checksum = g.value(node.value, SPDX_CHECKSUM)
        size = g.value(node.value, DCAT.byteSize)
        distributions.append(
            {
                "title": _english(g.texts(node.value, DCTERMS.title), node.value),
                "url": g.value(node.value, DCAT.downloadURL) or g.value(node.value, DCAT.accessURL),
                "media": g.value(node.value, DCAT.mediaType).rsplit("media-types/", 1)[-1],
                "packed": bool(g.value(node.value, DCAT.compressFormat)),
                "bytes": int(size) if size else None,
                "sha256": g.value(checksum, SPDX_VALUE) if checksum else "",
            }
        )
    period = g.value(DATASET, DCTERMS.temporal)
    spatial = [(o.value, g.texts(o.value, RDFS.label)) for o in g.objects(DATASET, DCTERMS.spatial)]
    return context.render(
        "pub_catalog.html",
        title=g.texts(DATASET, DCTERMS.title),
        description=g.texts(DATASET, DCTERMS.description),
        keywords=sorted(
            (o.language or "", o.value)
            for o in g.objects(DATASET, DCAT.keyword)
            if isinstance(o, ox.Literal)
        ),
        license=g.value(DATASET, DCTERMS.license),
        dataset_version=g.value(DATASET, str(DCAT) + "version"),
        modified=g.value(DATASET, DCTERMS.modified),
        start=g.value(period, DCAT.startDate) if period else "",
        end=g.value(period, DCAT.endDate) if period else "",
        spatial=spatial,
        source=g.value(DATASET, "http://www.w3.org/ns/prov#wasDerivedFrom"),
        distributions=sorted(distributions, key=lambda d: str(d["title"])),
        address=location(CATALOG, context.server),
        local=_local_link(context),
    )


def _local_link(context: Context) -> Callable[[str], str]:
    """Where an IRI of ours is served here (for the pages' links)."""
    return lambda iri: location(iri, context.server)


def _english(texts: dict[str, str], iri: str) -> str:
    """The English text of ``texts`` by the one label rule (``kggraph.core.language``): these
    pages are in English."""
    return pick({lang: [text] for lang, text in texts.items()}, "en", iri=iri).value
