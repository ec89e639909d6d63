"""What a page shows as taken from outside the source: the statements of the links graph.

``data/links.ttl`` is loaded into its own named graph (``LINKS_GRAPH``): for a place, its
GeoNames and Wikidata IRIs (``skos:exactMatch``, ``schema:sameAs``), its ISO 3166 code, and for a
city its coordinates (``wgs84:lat``, ``wgs84:long``) and a point geometry (``geo:asWKT``). The
source says none of it. As the editors' additions carry their reason (``kggraph.pages.marks``),
these are kept apart on the page: ``OUTSIDE`` asks the links graph itself (the merged default
graph cannot tell where a triple came from), and ``outside`` makes the section that shows
them, with the graph's name and the datasets it was taken from (the ``prov:Entity`` nodes the
links graph describes). The page's table of properties leaves these triples out.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pyoxigraph as ox

from kggraph.core.language import Text, local_name
from kggraph.core.namespaces import GEO, ID_IRI, LINK_TARGETS, LINKS_GRAPH_IRI, PROV, RDF, WGS84
from kggraph.pages.parts import Link, Point, Value
from kggraph.query.executor import QueryTask

LINKS_GRAPH = LINKS_GRAPH_IRI

_ENTITY = str(PROV.Entity)
_RDF_TYPE = ox.NamedNode(str(RDF.type))
_LAT = str(WGS84.lat)
_LONG = str(WGS84.long)
_WKT = str(GEO.asWKT)
_HAS_GEOMETRY = str(GEO.hasGeometry)

OUTSIDE = f"""\
CONSTRUCT {{ ?this ?p ?o . ?o ?op ?ov . ?source ?sp ?sv . }}
WHERE {{
  GRAPH <{LINKS_GRAPH}> {{
    {{ ?this ?p ?o OPTIONAL {{ ?o ?op ?ov }} }}
    UNION {{ ?this ?any ?anything . ?source a <{_ENTITY}> ; ?sp ?sv . }}
  }}
}}
"""
"""The links graph's statements about ``?this`` (and about the nodes they lead to: a geometry's
WKT), and, when there is any, the datasets the graph was taken from."""


def outside_task(iri: str) -> QueryTask:
    """The task that asks the links graph about ``iri``, as N-Triples."""
    return QueryTask(OUTSIDE, "n-triples", bindings=(("this", str(ox.NamedNode(iri))),))


def keys(iri: str, triples: list[ox.Triple]) -> set[tuple[str, str]]:
    """(property, object in N-Triples) of each statement of ``triples`` about ``iri``: what the
    table of properties leaves out."""
    return {(t.predicate.value, str(t.object)) for t in triples if t.subject == ox.NamedNode(iri)}


def _texts(triples: list[ox.Triple], subject: ox.NamedNode, prop: str) -> list[str]:
    """The values (IRIs or literals) of ``subject``'s ``prop`` in ``triples``, as text."""
    return [
        t.object.value
        for t in triples
        if t.subject == subject
        and t.predicate.value == prop
        and isinstance(t.object, ox.NamedNode | ox.Literal)
    ]


def external(iri: str) -> Link:
    """An IRI outside the graph, named by its dataset: ``GeoNames 1814087``, ``Wikidata Q148``."""
    name = next(
        (name for space, name in LINK_TARGETS.values() if iri.startswith(space)),
        urlsplit(iri).hostname or "",
    )
    return Link(iri, Text(f"{name} {local_name(iri)}".strip()))


def point(iri: str, triples: list[ox.Triple]) -> Point | None:
    """The coordinates the links graph gives ``iri`` (and its WKT), if it gives both."""
    node = ox.NamedNode(iri)
    lat, long = _texts(triples, node, _LAT), _texts(triples, node, _LONG)
    if not lat or not long:
        return None
    shapes = (ox.NamedNode(g) for g in _texts(triples, node, _HAS_GEOMETRY))
    wkt = [w for shape in shapes for w in _texts(triples, shape, _WKT)]
    return Point(min(lat), min(long), min(wkt) if wkt else "")


def value_of(
    term: ox.NamedNode | ox.BlankNode | ox.Literal, triples: list[ox.Triple]
) -> Value | None:
    """How a value of the links graph is shown: a geometry by its WKT, an IRI outside the graph
    by its dataset; ``None`` for the rest, which show as on the rest of the page."""
    if not isinstance(term, ox.NamedNode):
        return None
    wkt = _texts(triples, term, _WKT)
    if wkt:
        return Value(link=Link(term.value, Text(min(wkt))))
    if term.value.startswith(ID_IRI):
        return None
    return Value(link=external(term.value))


def sources(triples: list[ox.Triple]) -> list[str]:
    """The datasets named in the links graph (``prov:Entity`` nodes), in IRI order."""
    entity = ox.NamedNode(_ENTITY)
    return sorted(
        {
            t.subject.value
            for t in triples
            if isinstance(t.subject, ox.NamedNode)
            and t.predicate == _RDF_TYPE
            and t.object == entity
        }
    )
