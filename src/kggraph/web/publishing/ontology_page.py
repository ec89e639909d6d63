"""The ontology at its own IRI: ``https://w3id.org/kggraph/ontology`` is served at ``/ontology``.

Browsers (``Accept: text/html``) get its documentation, generated from the ontology graph of
the current release: the header (version IRI, licence, dates), every class and property with
its English and Japanese labels, definitions, domain and range, super- and sub-terms,
alignments to ORG, schema.org, PROV-O, DCTERMS, SKOS and OWL-Time, and a diagram. Programs get
Turtle (also for ``*/*``), JSON-LD, N-Triples or RDF/XML; ``/ontology.ttl`` and the other
extensions name a format outright, and ``/ontology.svg`` is the diagram alone.

A term IRI such as ``…/ontology#City`` is fetched as ``/ontology`` and the browser jumps to
the fragment: every entry's anchor is its local name. The version IRI
(``…/ontology/0.1.0``) answers the same while it is the current version; an older or unknown
version gets ``404`` naming the current one.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
from starlette.responses import Response

from kggraph.core.errors import NotFound
from kggraph.core.formats import HTML
from kggraph.core.namespaces import BASE_IRI, ONTOLOGY_IRI, PREFIXES, VOCAB_IRI, shorten
from kggraph.dataset.identity import ONTOLOGY_FILE, location
from kggraph.dataset.ontology_diagram import diagram
from kggraph.dataset.ontology_doc import OntologyDoc, Term, read_ontology
from kggraph.web.publishing.context import Context, ContextRoute, answer, triples_of
from kggraph.web.publishing.rdf_answer import chosen, document, serialize

SVG = "image/svg+xml"


def routes() -> list[ContextRoute]:
    return [
        ("/ontology", ontology),
        ("/ontology.{ext}", ontology),
        ("/ontology/{version}", ontology),
    ]


def _read(path: Path) -> tuple[list[ox.Triple], OntologyDoc]:
    triples = triples_of(path)
    return triples, read_ontology(triples)


async def ontology(context: Context) -> Response:
    triples, doc = context.read(ONTOLOGY_FILE, _read)
    asked = context.request.path_params.get("version")
    if asked is not None and BASE_IRI + "ontology/" + asked != doc.version_iri:
        raise NotFound(
            f"there is no version {asked!r} of the ontology here; "
            f"the current version IRI is <{doc.version_iri}>"
        )
    extension = context.request.path_params.get("ext")
    address = location(ONTOLOGY_IRI, context.server)
    if extension == "svg":
        svg = context.body(("ontology-svg",), lambda: diagram(doc).encode("utf-8"))
        return answer(context, svg, SVG)
    fmt = chosen(context, extension, "the ontology")

    def make() -> bytes:
        if fmt is HTML:
            return _page(context, doc, address)
        return serialize(triples, fmt, dict(PREFIXES))

    return document(context, address=address, extension=extension, fmt=fmt, make=make)


def _page(context: Context, doc: OntologyDoc, address: str) -> bytes:
    def href(iri: str) -> str:
        if iri.startswith(VOCAB_IRI) and doc.term(iri) is not None:
            return "#" + iri.removeprefix(VOCAB_IRI)
        return location(iri, context.server)

    used = {
        PREFIXES[name]: name
        for name in PREFIXES
        if any(i.startswith(PREFIXES[name]) for t in doc.terms for i in _iris(t))
    }
    return context.render(
        "pub_ontology.html",
        doc=doc,
        svg=diagram(doc),
        address=address,
        href=href,
        curie=lambda iri: shorten(iri).strip("<>"),
        namespaces=sorted((name, iri) for iri, name in used.items()),
    )


def _iris(term: Term) -> list[str]:
    return [term.iri, *term.parents, *term.equivalents, *term.domains, *term.ranges]
