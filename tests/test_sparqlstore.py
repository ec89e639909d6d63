"""rdflib's ``SPARQLStore``, a second third-party client, against a real server (issue 14).

An rdflib ``Graph`` over our endpoint: its queries go over HTTP as rdflib sends them (GET, a
direct POST of ``application/sparql-query``, a form POST), answers come back in SPARQL XML
(rdflib's default) or JSON and are read by rdflib's own parsers. Every canned query, an ASK, a
CONSTRUCT, the graph's size, a triple pattern and ``initBindings`` must give what our own
``/sparql`` answers (read by ``tests/sparqlanswers.py``, written as ``tests/comunica.py`` writes
terms).

rdflib asks a JSON-only store for CONSTRUCT answers in ``application/sparql-results+json``
alone, which no graph can be written in: our 406 is right, so CONSTRUCT is tried with XML only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import httpx
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from rdflib.query import Result
from rdflib.term import Node

from kggraph.core.formats import BY_NAME
from tests.comunica import literal, nt
from tests.conftest import ROOT, Server
from tests.sparqlanswers import read_json, read_ntriples

pytestmark = pytest.mark.slow

KG = "https://w3id.org/kggraph/ontology#"
CITY = "https://w3id.org/kggraph/id/city/kitakyushu"
ORG = "https://w3id.org/kggraph/id/org/kitakyushu-city-government"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
CANNED = sorted((ROOT / "queries").glob("*.rq"))
WAYS = [("xml", "GET"), ("xml", "POST"), ("xml", "POST_FORM"), ("json", "GET"), ("json", "POST")]
"""rdflib's answer formats and request methods (``POST`` sends the query as the body)."""
CONSTRUCT = f"""PREFIX kg: <{KG}>
CONSTRUCT {{ ?org kg:governmentOf ?city ; <{LABEL}> ?label }}
WHERE {{ ?org kg:governmentOf ?city ; <{LABEL}> ?label }}"""
PLACES = f"""PREFIX kg: <{KG}>
SELECT ?place ?label WHERE {{ ?place kg:containedInPlace ?city ; <{LABEL}> ?label }}"""

Rows = Counter[frozenset[tuple[str, str]]]


def _store(server: Server, answer_format: str = "xml", method: str = "GET") -> Graph:
    return Graph(store=SPARQLStore(server.sparql, returnFormat=answer_format, method=method))


def _term(node: Node) -> str:
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    assert isinstance(node, Literal), node
    return literal(str(node), str(node.datatype) if node.datatype else None, node.language)


def _theirs(result: Result) -> Rows:
    assert result.vars is not None
    names = [str(v) for v in result.vars]
    return Counter(
        frozenset((n, _term(v)) for n, v in zip(names, row, strict=True) if v is not None)
        for row in result
    )


def _post(server: Server, query: str, format_name: str) -> bytes:
    accept = {"Accept": BY_NAME[format_name].media_type}
    answer = httpx.post(server.sparql, data={"query": query}, headers=accept, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer.content


def _ours(server: Server, query: str) -> Rows | bool:
    read = read_json(_post(server, query, "sparql-json"))
    if isinstance(read, bool):
        return read
    return Counter(
        frozenset((k, str(nt(v))) for k, v in row.items() if v is not None) for row in read[1]
    )


def _triples(triples: Iterable[tuple[Node, Node, Node]]) -> set[tuple[str, ...]]:
    return {tuple(_term(t) for t in triple) for triple in triples}


@pytest.mark.parametrize("query", CANNED, ids=lambda q: q.stem)
def test_every_canned_query(server: Server, query: Path) -> None:
    text = query.read_text(encoding="utf-8")
    assert _theirs(_store(server).query(text)) == _ours(server, text)


@pytest.mark.parametrize(("answer_format", "method"), WAYS)
def test_select_and_ask_each_way(server: Server, answer_format: str, method: str) -> None:
    graph = _store(server, answer_format, method)
    theirs = _theirs(graph.query(PLACES))
    assert theirs == _ours(server, PLACES)
    assert len(theirs) > 3
    assert graph.query(f"ASK {{ <{ORG}> <{KG}governmentOf> <{CITY}> }}").askAnswer is True
    assert graph.query(f"ASK {{ <{CITY}> <{KG}governmentOf> <{ORG}> }}").askAnswer is False


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_construct(server: Server, method: str) -> None:
    answer = _store(server, "xml", method).query(CONSTRUCT)
    assert answer.graph is not None
    theirs = _triples(answer.graph)
    ours = {
        tuple(str(nt(t)) for t in triple)
        for triple in read_ntriples(_post(server, CONSTRUCT, "n-triples"))
    }
    assert theirs == ours
    assert (f"<{ORG}>", f"<{KG}governmentOf>", f"<{CITY}>") in theirs


def test_the_graph_as_rdflib_sees_it(server: Server) -> None:
    """``len``, a triple pattern and ``value`` become SPARQL queries of rdflib's own making."""
    graph = _store(server)
    count = _ours(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(count, Counter)
    ((row, _),) = count.items()
    assert len(graph) == int(dict(row)["n"].split('"')[1])
    about = _triples(graph.triples((URIRef(CITY), None, None)))
    ours = _ours(server, f"SELECT ?p ?o WHERE {{ <{CITY}> ?p ?o }}")
    assert isinstance(ours, Counter)
    assert about == {(f"<{CITY}>", dict(r)["p"], dict(r)["o"]) for r in ours}
    assert (f"<{CITY}>", f"<{LABEL}>", '"Kitakyushu"@en') in about
    names = {Literal("Kitakyushu", lang="en"), Literal("北九州市", lang="ja")}
    assert graph.value(URIRef(CITY), URIRef(LABEL)) in names


def test_init_bindings(server: Server) -> None:
    """rdflib adds ``initBindings`` to the query text as a VALUES block."""
    graph = _store(server)
    theirs = _theirs(graph.query(PLACES, initBindings={"city": URIRef(CITY)}))
    bound = PLACES.replace("WHERE {", f"WHERE {{ VALUES ?city {{ <{CITY}> }}", 1)
    assert theirs == _ours(server, bound)
    assert theirs
    assert len(theirs) < len(_theirs(graph.query(PLACES)))


def test_named_graphs(server: Server) -> None:
    graphs = {str(g) for g in _store(server).store.contexts()}
    ours = _ours(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
    assert isinstance(ours, Counter)
    assert graphs == {dict(row)["g"].strip("<>") for row in ours}
    assert "https://w3id.org/kggraph/graph/editorial" in graphs
