"""The formats the endpoint answers in: media types, short names, and which answers they fit.

SELECT and ASK give *results* (a table or a boolean); CONSTRUCT and DESCRIBE give a *graph*.
Each format names its media type, the other media types clients use for it, and the short
names accepted by the ``format`` parameter (``json`` means SPARQL JSON for results and JSON-LD
for a graph, as SPARQLWrapper and browsers expect).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class AnswerKind(Enum):
    """What a query form returns: a results table/boolean, or an RDF graph."""

    RESULTS = "results"
    GRAPH = "graph"


@dataclass(frozen=True)
class Format:
    """One serialisation of an answer."""

    name: str
    media_type: str
    kind: AnswerKind
    aliases: tuple[str, ...] = ()
    """Other media types that mean this format."""
    short_names: tuple[str, ...] = ()
    """Names accepted by the ``format`` request parameter."""
    spec: str = ""
    """The W3C format IRI (``http://www.w3.org/ns/formats/…``), for the service description."""

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header: every format here is text, always UTF-8."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


_W3C = "http://www.w3.org/ns/formats/"
R, G = AnswerKind.RESULTS, AnswerKind.GRAPH

FORMATS: tuple[Format, ...] = (
    Format("sparql-json", "application/sparql-results+json", R,
           ("application/json",), ("json", "srj"), _W3C + "SPARQL_Results_JSON"),
    Format("sparql-xml", "application/sparql-results+xml", R,
           ("application/xml", "text/xml"), ("xml", "srx"), _W3C + "SPARQL_Results_XML"),
    Format("csv", "text/csv", R, (), ("csv",), _W3C + "SPARQL_Results_CSV"),
    Format("tsv", "text/tab-separated-values", R, (), ("tsv",), _W3C + "SPARQL_Results_TSV"),
    Format("turtle", "text/turtle", G,
           ("application/x-turtle", "application/turtle"), ("turtle", "ttl", "n3"),
           _W3C + "Turtle"),
    Format("n-triples", "application/n-triples", G,
           ("text/plain",), ("ntriples", "nt", "n-triples"), _W3C + "N-Triples"),
    Format("json-ld", "application/ld+json", G,
           ("application/json",), ("json-ld", "jsonld", "json"), _W3C + "JSON-LD"),
    Format("rdf-xml", "application/rdf+xml", G,
           ("application/xml", "text/xml"), ("rdf+xml", "rdfxml", "rdf", "xml"),
           _W3C + "RDF_XML"),
    Format("n-quads", "application/n-quads", G, (), ("nquads", "nq", "n-quads"), _W3C + "N-Quads"),
    Format("trig", "application/trig", G, (), ("trig",), _W3C + "TriG"),
)  # fmt: skip
"""Every format, the default of each kind first."""

BY_NAME = {f.name: f for f in FORMATS}


def formats_for(kind: AnswerKind) -> tuple[Format, ...]:
    """The formats an answer of this kind can be given in, its default first."""
    return tuple(f for f in FORMATS if f.kind is kind)


def default_format(kind: AnswerKind) -> Format:
    return formats_for(kind)[0]
