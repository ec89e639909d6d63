"""Named graphs of the N-Quads dump answer at their IRIs with exactly their triples."""

from __future__ import annotations

from collections import defaultdict

import httpx
import pyoxigraph as ox
import pytest

from kggraph.core.namespaces import BASE_IRI
from kggraph.publish.build import BuildResult
from tests.conftest import Server


@pytest.fixture(scope="module")
def graphs(built: BuildResult) -> dict[str, set[ox.Triple]]:
    """Every named graph of the published N-Quads dump and its triples."""
    found: dict[str, set[ox.Triple]] = defaultdict(set)
    with (built.release / "kggraph.nq").open("rb") as dump:
        for quad in ox.parse(dump, format=ox.RdfFormat.N_QUADS):
            assert isinstance(quad.graph_name, ox.NamedNode)
            found[quad.graph_name.value].add(quad.triple)
    return dict(found)


def _served(server: Server, iri: str) -> str:
    assert iri.startswith(BASE_IRI)
    return server.url + "/" + iri[len(BASE_IRI) :]


def test_every_named_graph_answers_turtle_with_exactly_its_triples(
    server: Server, graphs: dict[str, set[ox.Triple]]
) -> None:
    assert len(graphs) >= 10
    for iri, triples in graphs.items():
        answer = httpx.get(_served(server, iri), headers={"Accept": "text/turtle"}, timeout=30)
        assert answer.status_code == 200, (iri, answer.text[:200])
        assert answer.headers["content-type"].startswith("text/turtle")
        assert answer.headers["content-location"].endswith(".ttl")
        parsed = {q.triple for q in ox.parse(answer.content, format=ox.RdfFormat.TURTLE)}
        assert parsed == triples, iri


@pytest.mark.parametrize(
    ("extension", "fmt"),
    [
        ("ttl", ox.RdfFormat.TURTLE),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("rdf", ox.RdfFormat.RDF_XML),
    ],  # fmt: skip
)
def test_extension_addresses_and_browsers(
    server: Server, graphs: dict[str, set[ox.Triple]], extension: str, fmt: ox.RdfFormat
) -> None:
    iri = BASE_IRI + "graph/derived/fiscal-years"
    answer = httpx.get(f"{_served(server, iri)}.{extension}", timeout=30)
    assert answer.status_code == 200
    assert {q.triple for q in ox.parse(answer.content, format=fmt)} == graphs[iri]
    browser = httpx.get(_served(server, iri), headers={"Accept": "text/html,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/turtle")


def test_unknown_graphs_formats_and_conditional_requests(server: Server) -> None:
    missing = httpx.get(server.url + "/graph/data/no-such-file")
    assert missing.status_code == 404
    assert "no named graph" in missing.text
    refused = httpx.get(server.url + "/graph/data/agents", headers={"Accept": "image/png"})
    assert refused.status_code == 406
    first = httpx.get(server.url + "/graph/data/agents")
    assert first.status_code == 200
    again = httpx.get(
        server.url + "/graph/data/agents", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert "Accept" in first.headers["vary"]


def test_the_service_description_names_graphs_that_answer(server: Server) -> None:
    description = httpx.get(server.sparql, headers={"Accept": "text/turtle"})
    named = {
        t.object.value
        for t in ox.parse(description.content, format=ox.RdfFormat.TURTLE)
        if t.predicate.value == "http://www.w3.org/ns/sparql-service-description#name"
        and isinstance(t.object, ox.NamedNode)
    }
    assert named, "the service description names no graph"
    for iri in named:
        assert httpx.get(_served(server, iri), timeout=30).status_code == 200, iri
