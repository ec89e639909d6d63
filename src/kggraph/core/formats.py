"""The formats kggraph reads and writes: media types, names, file extensions, and which answers
they fit. Every other module asks this table; none spells a media type or maps its own names to
pyoxigraph's formats (``tests/test_formats.py`` checks that).

SELECT and ASK give *results* (a table or a boolean); CONSTRUCT and DESCRIBE give a *graph*.
Each format names its media type, the other media types clients use for it, the short names
accepted by the ``format`` parameter (``json`` means SPARQL JSON for results and JSON-LD for a
graph, as SPARQLWrapper and browsers expect), the extension of its files and addresses
(``…/dalian.ttl``, ``kggraph.nq``), and how pyoxigraph writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox


class AnswerKind(Enum):
    """What a query form returns: a results table/boolean, or an RDF graph."""

    RESULTS = "results"
    GRAPH = "graph"


GRAPH_FORMS = frozenset({"CONSTRUCT", "DESCRIBE"})
"""The query forms whose answer is a graph; SELECT and ASK answer results."""


def kind_of_form(form: str | None) -> AnswerKind:
    """What a query of ``form`` (``SELECT``, ``CONSTRUCT``, … as the reader names it) answers."""
    return AnswerKind.GRAPH if form in GRAPH_FORMS else AnswerKind.RESULTS


@dataclass(frozen=True)
class Format:
    """One serialisation of an answer or a file."""

    name: str
    media_type: str
    kind: AnswerKind
    aliases: tuple[str, ...] = ()
    """Other media types that mean this format."""
    short_names: tuple[str, ...] = ()
    """Names accepted by the ``format`` request parameter."""
    spec: str = ""
    """The W3C format IRI (``http://www.w3.org/ns/formats/…``), for the service description."""
    extension: str = ""
    """The file extension, without its dot, of files and addresses in this format."""
    label: str = ""
    """The format's name for people (``Turtle``), as catalogs and messages show it."""
    native: ox.RdfFormat | ox.QueryResultsFormat | None = None
    """pyoxigraph's serialiser of the format (``None`` for a page, which no serialiser writes)."""
    line_per_item: bool = False
    """One triple per line, nothing else (N-Triples lines are N-Quads lines in the default
    graph): a count of newlines is a count of triples."""
    quads: bool = False
    """Written as quads: triples go into the default graph first."""
    prefixed: bool = False
    """Writes prefixed names for the prefixes it is given (pyoxigraph ignores them otherwise)."""
    xml: bool = False
    """An XML 1.0 document, which cannot carry every character an RDF literal may hold."""
    eu_file_type: str = ""
    """The EU file-type authority's IRI for the format, for DCAT-AP distributions."""

    @property
    def content_type(self) -> str:
        """The ``Content-Type`` header: every format here is text, always UTF-8."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)

    @property
    def rdf_format(self) -> ox.RdfFormat:
        """pyoxigraph's RDF format of a graph format; ``TypeError`` for any other."""
        if not isinstance(self.native, ox.RdfFormat):
            raise TypeError(f"{self.name} is not an RDF format pyoxigraph writes")
        return self.native

    @property
    def results_format(self) -> ox.QueryResultsFormat:
        """pyoxigraph's results format of a results format; ``TypeError`` for any other."""
        if not isinstance(self.native, ox.QueryResultsFormat):
            raise TypeError(f"{self.name} is not a results format pyoxigraph writes")
        return self.native


_W3C = "http://www.w3.org/ns/formats/"
_EU = "http://publications.europa.eu/resource/authority/file-type/"
R, G = AnswerKind.RESULTS, AnswerKind.GRAPH
_Q, _X = ox.QueryResultsFormat, ox.RdfFormat

FORMATS: tuple[Format, ...] = (
    Format("sparql-json", "application/sparql-results+json", R,
           ("application/json",), ("json", "srj"), _W3C + "SPARQL_Results_JSON",
           extension="srj", label="SPARQL JSON", native=_Q.JSON),
    Format("sparql-xml", "application/sparql-results+xml", R,
           ("application/xml", "text/xml"), ("xml", "srx"), _W3C + "SPARQL_Results_XML",
           extension="srx", label="SPARQL XML", native=_Q.XML, xml=True),
    Format("csv", "text/csv", R, (), ("csv",), _W3C + "SPARQL_Results_CSV",
           extension="csv", label="CSV", native=_Q.CSV),
    Format("tsv", "text/tab-separated-values", R, (), ("tsv",), _W3C + "SPARQL_Results_TSV",
           extension="tsv", label="TSV", native=_Q.TSV),
    Format("turtle", "text/turtle", G,
           ("application/x-turtle", "application/turtle"), ("turtle", "ttl", "n3"),
           _W3C + "Turtle", extension="ttl", label="Turtle", native=_X.TURTLE, prefixed=True,
           eu_file_type=_EU + "RDF_TURTLE"),
    Format("n-triples", "application/n-triples", G,
           ("text/plain",), ("ntriples", "nt", "n-triples"), _W3C + "N-Triples",
           extension="nt", label="N-Triples", native=_X.N_TRIPLES, line_per_item=True,
           eu_file_type=_EU + "RDF_N_TRIPLES"),
    Format("json-ld", "application/ld+json", G,
           ("application/json",), ("json-ld", "jsonld", "json"), _W3C + "JSON-LD",
           extension="jsonld", label="JSON-LD", native=_X.JSON_LD, eu_file_type=_EU + "JSON_LD"),
    Format("rdf-xml", "application/rdf+xml", G,
           ("application/xml", "text/xml"), ("rdf+xml", "rdfxml", "rdf", "xml"),
           _W3C + "RDF_XML", extension="rdf", label="RDF/XML", native=_X.RDF_XML,
           prefixed=True, xml=True),
    Format("n-quads", "application/n-quads", G, (), ("nquads", "nq", "n-quads"),
           _W3C + "N-Quads", extension="nq", label="N-Quads", native=_X.N_QUADS,
           line_per_item=True, quads=True, eu_file_type=_EU + "RDF_N_QUADS"),
    Format("trig", "application/trig", G, (), ("trig",), _W3C + "TriG",
           extension="trig", label="TriG", native=_X.TRIG, quads=True, prefixed=True),
)  # fmt: skip
"""Every answer format, the default of each kind first."""

BY_NAME = {f.name: f for f in FORMATS}

HTML = Format("html", "text/html", G, ("application/xhtml+xml",), ("html",),
              extension="html", label="HTML")  # fmt: skip
"""A page for people: no SPARQL answer format, but one that negotiation for a resource, a
document or a listing can choose (it is not in ``FORMATS``)."""

GZIP_MEDIA_TYPE = "application/gzip"
"""The media type of a gzip file, such as the compressed twin of each dump."""


def formats_for(kind: AnswerKind) -> tuple[Format, ...]:
    """The formats an answer of this kind can be given in, its default first."""
    return tuple(f for f in FORMATS if f.kind is kind)


def default_format(kind: AnswerKind) -> Format:
    return formats_for(kind)[0]


def by_extension(extension: str, among: Iterable[Format] = FORMATS) -> Format | None:
    """The format of ``among`` whose files end in ``.{extension}`` (given without the dot)."""
    if not extension:
        return None
    return next((f for f in among if f.extension == extension), None)


def lookup(value: str, kind: AnswerKind) -> Format | None:
    """The format of ``kind`` that ``value`` names: one of its short names (``ttl``), media
    types or its own name, in any case; ``None`` if it names none."""
    wanted = value.strip().lower()
    for fmt in formats_for(kind):
        if wanted in fmt.short_names or wanted in fmt.media_types or wanted == fmt.name:
            return fmt
    return None
