"""The service description (``/sparql`` without a query) in each of its formats, over real HTTP
on the real build: RDF/XML and N-Triples hold exactly the triples of the Turtle (issue 14), read
by rdflib, whether asked for by ``Accept`` or by ``format``."""

from __future__ import annotations

import httpx
import pytest
import rdflib
from rdflib.compare import isomorphic

from kggraph.dataset.service_description import SD_FORMATS
from tests.conftest import Server

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")


def described(server: Server, *, accept: str | None = None, fmt: str | None = None) -> bytes:
    answer = httpx.get(
        server.sparql,
        params={"format": fmt} if fmt else {},
        headers={"Accept": accept} if accept else {},
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    return answer.content


@pytest.fixture(scope="module")
def turtle(server: Server) -> rdflib.Graph:
    graph = rdflib.Graph().parse(data=described(server, accept="text/turtle"), format="turtle")
    assert (rdflib.URIRef(server.sparql), rdflib.RDF.type, SD.Service) in graph
    assert len(graph) > 20
    return graph


@pytest.mark.parametrize(
    ("accept", "fmt", "media_type", "rdflib_format"),
    [
        ("application/rdf+xml", None, "application/rdf+xml", "xml"),
        ("application/xml", None, "application/rdf+xml", "xml"),
        (None, "rdf", "application/rdf+xml", "xml"),
        (None, "xml", "application/rdf+xml", "xml"),
        ("application/n-triples", None, "application/n-triples", "nt"),
        (None, "nt", "application/n-triples", "nt"),
        (None, "application/n-triples", "application/n-triples", "nt"),
    ],
)
def test_rdf_xml_and_n_triples_hold_the_turtle_triples(
    server: Server,
    turtle: rdflib.Graph,
    accept: str | None,
    fmt: str | None,
    media_type: str,
    rdflib_format: str,
) -> None:
    answer = httpx.get(
        server.sparql,
        params={"format": fmt} if fmt else {},
        headers={"Accept": accept} if accept else {},
        timeout=30,
    )
    assert answer.headers["content-type"] == f"{media_type}; charset=utf-8"
    assert "Accept" in answer.headers["vary"]
    graph = rdflib.Graph().parse(data=answer.content, format=rdflib_format)
    assert isomorphic(graph, turtle)


def test_n_triples_is_one_triple_a_line(server: Server, turtle: rdflib.Graph) -> None:
    lines = described(server, fmt="nt").decode().splitlines()
    assert len(lines) == len(turtle)
    assert all(line.endswith(" .") for line in lines)


def test_turtle_stays_the_default(server: Server) -> None:
    for accept in (None, "*/*", "text/*;q=0.5, */*;q=0.1"):
        answer = httpx.get(server.sparql, headers={"Accept": accept} if accept else {})
        assert answer.headers["content-type"].startswith("text/turtle"), accept


def test_nothing_acceptable_names_all_four(server: Server) -> None:
    answer = httpx.get(server.sparql, headers={"Accept": "image/png"})
    assert answer.status_code == 406
    assert [f.name for f in SD_FORMATS] == ["turtle", "json-ld", "rdf-xml", "n-triples"]
    for fmt in SD_FORMATS:
        assert fmt.media_type in answer.text
