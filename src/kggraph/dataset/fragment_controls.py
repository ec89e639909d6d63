"""The metadata and hypermedia controls of one page of a triple pattern fragment, and the page
written out in an RDF format.

Following the Triple Pattern Fragments specification (its sections Metadata, Hypermedia
controls and Paging), every page states:

- the dataset (``kggraph.dataset.identity.DATASET``, the same identity as in the VoID
  description and the catalog): a ``void:Dataset`` and ``hydra:Collection`` with the form
  ``hydra:search`` — a ``hydra:IriTemplate`` ``{server}/fragments{?subject,predicate,object}``
  whose ``hydra:mapping`` ties each variable to ``rdf:subject``, ``rdf:predicate`` and
  ``rdf:object`` (``hydra:ExplicitRepresentation``: literals in quotes), and ``void:subset``
  the fragment;
- the fragment (its address without ``page``, parameters in that order) ``void:subset`` the
  page, which is the address the client asked for, exactly;
- the page: ``hydra:PartialCollectionView``, a title and description, ``void:triples`` and
  ``hydra:totalItems`` (the number of matches, exact), ``hydra:itemsPerPage``, ``hydra:first``,
  and ``hydra:previous``/``hydra:next`` when that page exists and is not empty.

Where the format has graphs (TriG, N-Quads, JSON-LD) the metadata is in a graph of its own,
``{page}#metadata``, which says ``foaf:primaryTopic`` the fragment, and the data stay in the
default graph; this is how clients (Comunica, the LDF server's own) tell the two apart: the
subject of the last ``void:subset`` whose object is the page is the metadata graph's primary
topic, so the fragment's ``void:subset`` is written after the dataset's. In Turtle and N-Triples
the metadata are written after the data, in the one graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from kggraph.core.formats import BY_NAME, Format
from kggraph.core.namespaces import PREFIXES
from kggraph.dataset.fragments import PAGE_SIZE, POSITIONS, Pattern
from kggraph.dataset.identity import DATASET
from kggraph.query.run import as_bytes

HYDRA = "http://www.w3.org/ns/hydra/core#"
VOID = "http://rdfs.org/ns/void#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF_PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

PATH = "/fragments"
"""Where the interface is, under the server's address."""
WITH_GRAPHS: tuple[Format, ...] = (BY_NAME["trig"], BY_NAME["n-quads"], BY_NAME["json-ld"])
"""The formats that carry the metadata in a graph of their own."""
FRAGMENT_PREFIXES = {**PREFIXES, "hydra": HYDRA}


@dataclass(frozen=True)
class Fragment:
    """One page of a fragment as served: where, which pattern, which page, how many matches."""

    server: str
    """The server's address (``kggraph.web.http.public_url``), without a trailing slash."""
    asked: str
    """The address the client asked for, exactly: the page's IRI."""
    pattern: Pattern
    page: int
    total: int

    @property
    def address(self) -> str:
        """The fragment's own address: the parameters that hold a term, in the template's
        order, each encoded as RFC 6570 expands ``{?subject,predicate,object}``."""
        query = "&".join(
            f"{p}={quote(v, safe='')}" for p in POSITIONS if (v := self.pattern.parameter(p))
        )
        return self.server + PATH + (f"?{query}" if query else "")

    def page_address(self, page: int) -> str:
        """The address of page ``page`` of this fragment (page 1 is the fragment itself)."""
        if page == 1:
            return self.address
        return f"{self.address}{'&' if '?' in self.address else '?'}page={page}"

    @property
    def last_page(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def next(self) -> str | None:
        return self.page_address(self.page + 1) if self.page < self.last_page else None

    @property
    def previous(self) -> str | None:
        wanted = self.page - 1
        return self.page_address(wanted) if 1 <= wanted <= self.last_page else None

    @property
    def template(self) -> str:
        return self.server + PATH + "{?" + ",".join(POSITIONS) + "}"

    @property
    def metadata_graph(self) -> str:
        return self.asked.split("#", 1)[0] + "#metadata"


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _count(number: int) -> ox.Literal:
    return ox.Literal(str(number), datatype=_n(XSD_INTEGER))


def controls(fragment: Fragment) -> list[ox.Triple]:
    """The dataset, its search form, and the fragment as a subset of it."""
    dataset, form = _n(DATASET), ox.BlankNode("search")
    found = [
        ox.Triple(dataset, _n(RDF + "type"), _n(VOID + "Dataset")),
        ox.Triple(dataset, _n(RDF + "type"), _n(HYDRA + "Collection")),
        ox.Triple(dataset, _n(VOID + "subset"), _n(fragment.address)),
        ox.Triple(dataset, _n(HYDRA + "search"), form),
        ox.Triple(form, _n(RDF + "type"), _n(HYDRA + "IriTemplate")),
        ox.Triple(form, _n(HYDRA + "template"), ox.Literal(fragment.template)),
        ox.Triple(form, _n(HYDRA + "variableRepresentation"), _n(HYDRA + "ExplicitRepresentation")),
    ]
    for position in POSITIONS:
        mapping = ox.BlankNode(position)
        found += [
            ox.Triple(form, _n(HYDRA + "mapping"), mapping),
            ox.Triple(mapping, _n(RDF + "type"), _n(HYDRA + "IriTemplateMapping")),
            ox.Triple(mapping, _n(HYDRA + "variable"), ox.Literal(position)),
            ox.Triple(mapping, _n(HYDRA + "property"), _n(RDF + position)),
        ]
    return found


def page_metadata(fragment: Fragment) -> list[ox.Triple]:
    """The page: what it is part of, how many triples match, and the links to its neighbours."""
    page, dataset = _n(fragment.asked), _n(DATASET)
    title = "Triple pattern fragment of the kggraph dataset"
    about = f"The triples of the kggraph dataset that match {fragment.pattern.describe()}"
    found = [
        ox.Triple(_n(fragment.address), _n(VOID + "subset"), page),
        ox.Triple(page, _n(RDF + "type"), _n(HYDRA + "PartialCollectionView")),
        ox.Triple(page, _n(DCTERMS + "title"), ox.Literal(title, language="en")),
        ox.Triple(
            page,
            _n(DCTERMS + "description"),
            ox.Literal(f"{about}, page {fragment.page}.", language="en"),
        ),
        ox.Triple(page, _n(DCTERMS + "source"), dataset),
        ox.Triple(page, _n(VOID + "triples"), _count(fragment.total)),
        ox.Triple(page, _n(HYDRA + "totalItems"), _count(fragment.total)),
        ox.Triple(page, _n(HYDRA + "itemsPerPage"), _count(PAGE_SIZE)),
        ox.Triple(page, _n(HYDRA + "first"), _n(fragment.page_address(1))),
    ]
    for relation, target in (("previous", fragment.previous), ("next", fragment.next)):
        if target is not None:
            found.append(ox.Triple(page, _n(HYDRA + relation), _n(target)))
    return found


def metadata(fragment: Fragment) -> list[ox.Triple]:
    """Every metadata and control triple of the page, the fragment's ``void:subset`` last of
    the two that name the page."""
    return controls(fragment) + page_metadata(fragment)


def serialize(fragment: Fragment, data: Iterable[ox.Triple], fmt: Format) -> bytes:
    """The page in ``fmt``: the data, and the metadata in their own graph if ``fmt`` has
    graphs."""
    prefixes = FRAGMENT_PREFIXES if fmt.prefixed else None
    if fmt in WITH_GRAPHS:
        graph = _n(fragment.metadata_graph)
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in data]
        quads.append(ox.Quad(graph, _n(FOAF_PRIMARY_TOPIC), _n(fragment.address), graph))
        quads += [ox.Quad(t.subject, t.predicate, t.object, graph) for t in metadata(fragment)]
        return as_bytes(ox.serialize(quads, format=fmt.rdf_format, prefixes=prefixes))
    triples = [*data, *metadata(fragment)]
    return as_bytes(ox.serialize(triples, format=fmt.rdf_format, prefixes=prefixes))
