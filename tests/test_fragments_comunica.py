"""``/fragments`` with a third-party client: Comunica answers SPARQL from our fragments alone.

Comunica (``tests/comunica.py``) is given only ``{server}/fragments``; it must find the Hydra
search form there, ask for the fragments each query needs and follow their pages. Its answers
must equal what ``/sparql`` answers to the same queries: a single pattern spread over many pages,
a join of two patterns, a language literal and a typed literal as object. A client that did not
understand the controls would read the first page of the root fragment as a plain document and
find far fewer answers.
"""

from __future__ import annotations

from collections import Counter

import httpx
import pytest

from tests import comunica
from tests.conftest import Server
from tests.sparqlanswers import read_json

PREFIXES = """\
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX kg: <https://w3id.org/kggraph/ontology#>
"""
QUERIES = {
    "one pattern over many pages": "SELECT ?s ?label WHERE { ?s rdfs:label ?label }",
    "a join of two patterns": "SELECT ?city ?label WHERE { ?city a kg:City ; rdfs:label ?label }",
    "a language literal": 'SELECT ?s ?p WHERE { ?s ?p "Dalian"@en }',
    "a typed literal": 'SELECT ?s WHERE { ?s kg:date "2009"^^xsd:gYear }',
}


def endpoint_rows(server: Server, query: str) -> Counter[tuple[tuple[str, str | None], ...]]:
    answer = httpx.get(
        server.sparql,
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    assert answer.status_code == 200, answer.text
    found = read_json(answer.content)
    assert not isinstance(found, bool)
    names, rows = found
    return Counter(tuple(sorted((n, comunica.nt(row[n])) for n in names)) for row in rows)


@pytest.fixture(scope="module")
def answers(server: Server) -> dict[str, comunica.Answer]:
    comunica.require_comunica()
    source = server.url + "/fragments"
    jobs = [comunica.Job(PREFIXES + q, [source]) for q in QUERIES.values()]
    return dict(zip(QUERIES, comunica.run(jobs, timeout=300), strict=True))


@pytest.mark.parametrize("name", list(QUERIES))
def test_comunica_over_fragments_answers_as_the_endpoint(
    server: Server, answers: dict[str, comunica.Answer], name: str
) -> None:
    found = answers[name]
    rows = Counter(tuple(sorted(row.items())) for row in found.rows)
    expected = endpoint_rows(server, PREFIXES + QUERIES[name])
    assert expected, "the query should have answers"
    assert rows == expected
    assert not found.warnings, found.warnings
