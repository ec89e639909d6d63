"""The endpoint benchmark's workload: its queries, the entities they vary over, and their requests.

Every server gets the same query text and the same sequence of requests. The lookup and the
DESCRIBE go through a fixed list of entities drawn (seeded) from the served file, so that no
request repeats the one before it; the aggregate is one fixed query.

The pages (``PAGES``) are not SPARQL: they are GETs of paths only our server has, so only it is
measured on them. ``page`` goes through the same entities' ``/id/`` pages as HTML, ``canned``
asks one canned query with its default parameters, ``network`` the network's statistics, and
``static`` one of our stylesheets: a file the same application serves without computing
anything, the baseline the others are compared with; ``health`` is the lightest route through
the same stack (a few counters as JSON, no file, no query), for the cost of the stack alone.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlencode

import pyoxigraph as ox

from kggraph.core.namespaces import ID_IRI, PREFIXES, RDF, SKOS, VOCAB_IRI
from kggraph.web.http.site import STYLESHEET

SELECT_JSON = "application/sparql-results+json"
NTRIPLES = "application/n-triples"
HTML = "text/html"
JSON = "application/json"
ENTITIES = 100
"""How many entities the lookup, the DESCRIBE and the pages cycle through."""
SPARQL = ("lookup", "aggregate", "describe")
PAGES = ("static", "health", "page", "canned", "network")
"""What only our server answers (GETs of its own paths); ``static`` is their baseline."""
CANNED = "partner-cities"
"""The canned query of ``canned``: it has no parameters, so it runs as it is written."""
NETWORK_STATS = "/network/stats"
HEALTH = "/health"


def prologue(*names: str) -> str:
    """``PREFIX`` lines for the named project prefixes."""
    return "".join(f"PREFIX {name}: <{PREFIXES[name]}>\n" for name in names)


def lookup(entity: str) -> str:
    """Labels and types of one entity."""
    return prologue("rdf", "rdfs") + (
        f"SELECT ?type ?label WHERE {{\n  <{entity}> rdf:type ?type ; rdfs:label ?label .\n}}\n"
    )


AGGREGATE = prologue("rdf") + (
    "SELECT ?class (COUNT(DISTINCT ?s) AS ?entities) (COUNT(*) AS ?triples) WHERE {\n"
    "  ?s rdf:type ?class ; ?p ?o .\n"
    "}\nGROUP BY ?class\nORDER BY DESC(?triples) ?class\n"
)
"""Instances per class and the triples describing them (VoID's class partitions)."""


def describe(entity: str) -> str:
    return f"DESCRIBE <{entity}>\n"


def page_path(entity: str) -> str:
    """The path of ``entity``'s page on our server: ``/id/…``, its IRI below ``ID_IRI``."""
    return "/id/" + quote(entity.removeprefix(ID_IRI), safe="/")


@dataclass(frozen=True)
class Query:
    """One benchmarked query: its name, the media type asked for, and its texts in order
    (SPARQL texts, or with ``paths`` the paths on our server to GET)."""

    name: str
    accept: str
    texts: tuple[str, ...]
    paths: bool = False
    """The texts are paths only our server serves (``PAGES``), fetched with a plain GET."""

    def requests(self, endpoint: str, method: str) -> list[Request]:
        """The requests in order, SPARQL ones to ``endpoint`` by ``method``."""
        if self.paths:
            return [Request("GET", path, (("Accept", self.accept),)) for path in self.texts]
        return [as_request(endpoint, text, self.accept, method=method) for text in self.texts]


def make_queries(entities: list[str], names: list[str]) -> list[Query]:
    """The benchmarked queries among ``SPARQL`` and ``PAGES``, in that order."""
    every = {
        "lookup": Query("lookup", SELECT_JSON, tuple(lookup(e) for e in entities)),
        "aggregate": Query("aggregate", SELECT_JSON, (AGGREGATE,)),
        "describe": Query("describe", NTRIPLES, tuple(describe(e) for e in entities)),
        "static": Query("static", "text/css", (STYLESHEET,), paths=True),
        "health": Query("health", JSON, (HEALTH,), paths=True),
        "page": Query("page", HTML, tuple(page_path(e) for e in entities), paths=True),
        "canned": Query("canned", SELECT_JSON, (f"/queries/{CANNED}",), paths=True),
        "network": Query("network", JSON, (NETWORK_STATS,), paths=True),
    }
    unknown = sorted(set(names) - set(every))
    if unknown:
        raise ValueError(f"unknown queries: {', '.join(unknown)} (known: {', '.join(every)})")
    return [query for name, query in every.items() if name in names]


def draw_entities(path: Path, *, count: int = ENTITIES, seed: int = 17) -> list[str]:
    """``count`` instance IRIs typed with a kggraph class, drawn from ``path`` (seeded)."""
    typed: set[str] = set()
    concepts: set[str] = set()
    for quad in ox.parse(path=path, format=ox.RdfFormat.N_TRIPLES):
        s, p, o = quad.subject, quad.predicate, quad.object
        if p.value != str(RDF.type) or not isinstance(s, ox.NamedNode):
            continue
        if o.value == str(SKOS.Concept):
            concepts.add(s.value)
        elif o.value.startswith(VOCAB_IRI) and s.value.startswith(ID_IRI):
            typed.add(s.value)
    pool = sorted(typed - concepts)
    rng = random.Random(seed)  # noqa: S311 (a reproducible draw, not a secret)
    return rng.sample(pool, min(count, len(pool)))


@dataclass(frozen=True)
class Request:
    """One HTTP request, as the load generators send it."""

    method: str
    target: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""


def as_request(path: str, text: str, accept: str, *, method: str) -> Request:
    """The SPARQL 1.1 protocol request for ``text``: ``GET ?query=`` or a direct ``POST``."""
    if method == "get":
        return Request(
            "GET", f"{path}?{urlencode({'query': text}, quote_via=quote)}", (("Accept", accept),)
        )
    headers = (("Accept", accept), ("Content-Type", "application/sparql-query"))
    return Request("POST", path, headers, text.encode())


def count_rows(content_type: str, body: bytes) -> int:
    """Result rows of a SPARQL JSON answer, or triples of an N-Triples one (-1: other format)."""
    if content_type.startswith(SELECT_JSON):
        return len(json.loads(body)["results"]["bindings"])
    if content_type.startswith((NTRIPLES, "text/plain")):
        return sum(1 for line in body.splitlines() if line.strip())
    return -1


Send = Callable[[Request], tuple[int, str, bytes]]
"""Sends one request; returns the status, the content type and the body."""


@dataclass(frozen=True)
class Answer:
    """What a server answered to the first requests of a query, before it was timed."""

    status: int
    """The HTTP status, 0 if there was none (``content_type`` then says why)."""
    content_type: str
    rows: int
    size: int = -1
    """The body's bytes (-1: not known)."""

    @property
    def ok(self) -> bool:
        return self.status == 200

    def describe(self) -> str:
        if self.status == 0:
            return self.content_type  # what went wrong
        rows = f"{self.rows} rows" if self.rows >= 0 else "rows not counted"
        size = f", {self.size:,} bytes" if self.size >= 0 else ""
        return f"{self.status} {self.content_type.split(';')[0]}, {rows}{size}"
