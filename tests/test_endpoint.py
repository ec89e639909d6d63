"""The SPARQL 1.1 Protocol at /sparql, over real HTTP against a real uvicorn server.

SPARQLWrapper reads every result format as a researcher's script would; httpx probes the
protocol's edge cases (methods, media types, negotiation, errors, caching).
"""

from __future__ import annotations

import csv
import io
import json

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from SPARQLWrapper import CSV, JSON, JSONLD, N3, RDFXML, TSV, TURTLE, XML, SPARQLWrapper

from kggraph.core.namespaces import PREFIXES
from tests.conftest import Server

PREFIX_LINES = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
HAIPHONG = "https://w3id.org/kggraph/id/city/haiphong"
LABELS = (
    PREFIX_LINES + "SELECT ?label WHERE { kgid:city\\/haiphong rdfs:label ?label } ORDER BY ?label"
)
CITIES = PREFIX_LINES + "SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c a kg:City }"
ASK_HAIPHONG = PREFIX_LINES + 'ASK { kgid:city\\/haiphong rdfs:label "Haiphong"@en }'
CONSTRUCT = PREFIX_LINES + (
    "CONSTRUCT { kgid:city\\/haiphong rdfs:label ?l } WHERE { kgid:city\\/haiphong rdfs:label ?l }"
)
DESCRIBE = PREFIX_LINES + "DESCRIBE kgid:city\\/haiphong"


def wrapper(server: Server, query: str, fmt: str) -> SPARQLWrapper:
    client = SPARQLWrapper(server.sparql)
    client.setQuery(query)
    client.setReturnFormat(fmt)
    return client


@pytest.fixture(scope="module")
def expected_cities(server: Server) -> int:
    """The number of kg:City nodes, counted from the published dump with pyoxigraph."""
    store = ox.Store()
    store.bulk_load(path=server.output / "current" / "kggraph.nt", format=ox.RdfFormat.N_TRIPLES)
    city = ox.NamedNode(PREFIXES["kg"] + "City")
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    return len({q.subject for q in store.quads_for_pattern(None, rdf_type, city)})


# --- SPARQLWrapper, every result format -------------------------------------------------------


def test_select_as_sparql_json(server: Server) -> None:
    result = wrapper(server, LABELS, JSON).queryAndConvert()
    labels = {
        (b["label"]["value"], b["label"].get("xml:lang")) for b in result["results"]["bindings"]
    }
    assert ("Haiphong", "en") in labels
    assert ("ハイフォン市", "ja") in labels or any(lang == "ja" for _, lang in labels)


def test_select_as_sparql_xml(server: Server) -> None:
    document = wrapper(server, CITIES, XML).queryAndConvert()
    literal = document.getElementsByTagName("literal")[0]
    assert int(literal.firstChild.data) >= 10


def test_select_counts_agree_across_formats(server: Server, expected_cities: int) -> None:
    as_json = wrapper(server, CITIES, JSON).queryAndConvert()
    assert int(as_json["results"]["bindings"][0]["n"]["value"]) == expected_cities
    as_csv = wrapper(server, CITIES, CSV).queryAndConvert().decode("utf-8")
    assert list(csv.reader(io.StringIO(as_csv))) == [["n"], [str(expected_cities)]]
    as_tsv = wrapper(server, CITIES, TSV).queryAndConvert().decode("utf-8")
    rows = [line.split("\t") for line in as_tsv.strip().splitlines()]
    assert rows[0] == ["?n"]
    assert rows[1][0].startswith(f'"{expected_cities}"') or rows[1][0] == str(expected_cities)


def test_ask_in_json_and_xml(server: Server) -> None:
    assert wrapper(server, ASK_HAIPHONG, JSON).queryAndConvert()["boolean"] is True
    document = wrapper(server, ASK_HAIPHONG, XML).queryAndConvert()
    assert document.getElementsByTagName("boolean")[0].firstChild.data == "true"
    missing = ASK_HAIPHONG.replace('"Haiphong"@en', '"Hai Phong"@en')
    assert wrapper(server, missing, JSON).queryAndConvert()["boolean"] is False


GRAPH_FORMATS = {
    TURTLE: ox.RdfFormat.TURTLE,
    N3: ox.RdfFormat.TURTLE,
    RDFXML: ox.RdfFormat.RDF_XML,
    JSONLD: ox.RdfFormat.JSON_LD,
}


@pytest.mark.parametrize("fmt", list(GRAPH_FORMATS))
def test_construct_in_every_graph_format(server: Server, fmt: str) -> None:
    # the raw answer, parsed by pyoxigraph (SPARQLWrapper's own conversion goes through a
    # deprecated rdflib class for some formats)
    body = wrapper(server, CONSTRUCT, fmt).query().response.read()
    triples = list(ox.parse(body, format=GRAPH_FORMATS[fmt]))
    labels = {t.object.value for t in triples if t.subject == ox.NamedNode(HAIPHONG)}
    assert "Haiphong" in labels
    assert len(labels) >= 2


def test_describe_gives_the_resource_triples(server: Server) -> None:
    graph = wrapper(server, DESCRIBE, TURTLE).queryAndConvert()
    if isinstance(graph, bytes):
        parsed = rdflib.Graph().parse(data=graph, format="turtle")
    else:
        parsed = graph
    assert (
        rdflib.URIRef(HAIPHONG),
        rdflib.RDF.type,
        rdflib.URIRef(PREFIXES["kg"] + "City"),
    ) in parsed


# --- the three ways to send a query -----------------------------------------------------------


def test_get_post_form_and_post_body_give_the_same_answer(server: Server) -> None:
    accept = {"Accept": "application/sparql-results+json"}
    by_get = httpx.get(server.sparql, params={"query": LABELS}, headers=accept)
    by_form = httpx.post(server.sparql, data={"query": LABELS}, headers=accept)
    by_body = httpx.post(
        server.sparql,
        content=LABELS.encode(),
        headers={**accept, "Content-Type": "application/sparql-query"},
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert by_get.json() == by_form.json() == by_body.json()
    assert by_get.headers["content-type"] == "application/sparql-results+json; charset=utf-8"


def test_default_graph_uri_restricts_the_dataset(server: Server) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    manifest = json.loads((server.output / "current" / "manifest.json").read_text())
    graphs = manifest["graphs"]
    places = next(iri for iri in graphs if iri.endswith("/data/places"))
    answer = httpx.get(
        server.sparql,
        params={"query": query, "default-graph-uri": places},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200
    assert int(answer.json()["results"]["bindings"][0]["n"]["value"]) == graphs[places]
    whole = httpx.get(server.sparql, params={"query": query}, headers={"Accept": "text/csv"})
    assert whole.text.split()[1] == str(manifest["triples"]["total"])


def test_named_graph_uri_names_the_graphs_a_query_sees(server: Server) -> None:
    manifest = json.loads((server.output / "current" / "manifest.json").read_text())
    chosen = sorted(manifest["graphs"])[:2]
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    answer = httpx.post(
        server.sparql,
        data={"query": query, "named-graph-uri": chosen},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert [b["g"]["value"] for b in answer.json()["results"]["bindings"]] == chosen


def test_construct_as_n_quads_and_trig(server: Server) -> None:
    for accept, fmt in (
        ("application/n-quads", ox.RdfFormat.N_QUADS),
        ("application/trig", ox.RdfFormat.TRIG),
    ):
        answer = httpx.get(server.sparql, params={"query": CONSTRUCT}, headers={"Accept": accept})
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(accept)
        quads = list(ox.parse(answer.content, format=fmt))
        assert any(q.object == ox.Literal("Haiphong", language="en") for q in quads)


# --- negotiation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("*/*", "application/sparql-results+json"),
        ("application/json", "application/sparql-results+json"),
        ("text/tab-separated-values, */*;q=0.1", "text/tab-separated-values"),
        ("text/csv;q=0, */*;q=0.2", "application/sparql-results+json"),
    ],
)
def test_accept_with_q_values(server: Server, accept: str, expected: str) -> None:
    answer = httpx.get(server.sparql, params={"query": CITIES}, headers={"Accept": accept})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == f"{expected}; charset=utf-8"
    assert "Accept" in answer.headers["vary"]


def test_format_parameter_overrides_accept(server: Server) -> None:
    answer = httpx.get(
        server.sparql,
        params={"query": CITIES, "format": "csv"},
        headers={"Accept": "application/json"},
    )
    assert answer.headers["content-type"].startswith("text/csv")
    graph = httpx.get(server.sparql, params={"query": CONSTRUCT, "format": "json"})
    assert graph.headers["content-type"].startswith("application/ld+json")
    json.loads(graph.text)


def test_nothing_acceptable_gives_406(server: Server) -> None:
    answer = httpx.get(server.sparql, params={"query": CITIES}, headers={"Accept": "image/png"})
    assert answer.status_code == 406
    assert "application/sparql-results+json" in answer.text
    wrong = httpx.get(server.sparql, params={"query": CONSTRUCT, "format": "csv"})
    assert wrong.status_code == 406
    assert "turtle" in wrong.text


# --- service description ----------------------------------------------------------------------


def test_service_description_in_turtle_and_json_ld(server: Server) -> None:
    sd = "http://www.w3.org/ns/sparql-service-description#"
    turtle = httpx.get(server.sparql, headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    service = rdflib.URIRef(server.sparql)
    assert (service, rdflib.RDF.type, rdflib.URIRef(sd + "Service")) in graph
    formats = {str(o) for o in graph.objects(service, rdflib.URIRef(sd + "resultFormat"))}
    assert "http://www.w3.org/ns/formats/SPARQL_Results_CSV" in formats
    assert "http://www.w3.org/ns/formats/Turtle" in formats
    named = set(graph.objects(None, rdflib.URIRef(sd + "name")))
    manifest = json.loads((server.output / "current" / "manifest.json").read_text())
    assert {str(n) for n in named} == set(manifest["graphs"])
    void = {str(o) for o in graph.objects(service, rdflib.RDFS.seeAlso)}
    assert void == {server.url + "/.well-known/void"}
    as_json_ld = httpx.get(server.sparql, headers={"Accept": "application/ld+json"})
    assert as_json_ld.headers["content-type"].startswith("application/ld+json")
    assert len(list(ox.parse(as_json_ld.content, format=ox.RdfFormat.JSON_LD))) == len(graph)


# --- errors that help -------------------------------------------------------------------------


def test_syntax_error_gives_400_with_position(server: Server) -> None:
    answer = httpx.get(server.sparql, params={"query": "SELECT ?x WHERE { ?x ?y }"})
    assert answer.status_code == 400
    assert answer.headers["content-type"].startswith("text/plain")
    assert "line 1, column" in answer.text
    assert "Traceback" not in answer.text and len(answer.text) < 600


def test_missing_and_doubled_queries_give_400(server: Server) -> None:
    none = httpx.post(server.sparql, data={"default-graph-uri": "http://example.org/g"})
    assert none.status_code == 400
    two = httpx.get(server.sparql, params=[("query", CITIES), ("query", CITIES)])
    assert two.status_code == 400 and "one query" in two.text
    both = httpx.post(server.sparql, params={"query": CITIES}, data={"query": CITIES})
    assert both.status_code == 400
    empty = httpx.get(server.sparql, params={"query": "  "})
    assert empty.status_code == 400


def test_wrong_method_gives_405_and_wrong_body_type_415(server: Server) -> None:
    for method in ("PUT", "DELETE", "PATCH"):
        answer = httpx.request(method, server.sparql, content=b"x")
        assert answer.status_code == 405
        assert "GET" in answer.headers["allow"]
    odd = httpx.post(server.sparql, content=b"{}", headers={"Content-Type": "application/json"})
    assert odd.status_code == 415


def test_body_over_the_limit_gives_413(server: Server) -> None:
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_100_000
    answer = httpx.post(
        server.sparql, content=huge.encode(), headers={"Content-Type": "application/sparql-query"}
    )
    assert answer.status_code == 413


def test_a_bad_graph_iri_gives_400(server: Server) -> None:
    answer = httpx.get(server.sparql, params={"query": CITIES, "default-graph-uri": "not an iri"})
    assert answer.status_code == 400
    assert "default-graph-uri" in answer.text


# --- read-only and safe -----------------------------------------------------------------------

UPDATES = [
    'INSERT DATA { <http://example.org/a> <http://example.org/b> "c" }',
    "DELETE WHERE { ?s ?p ?o }",
    "CLEAR ALL",
    "DROP DEFAULT",
    "CREATE GRAPH <http://example.org/g>",
    "LOAD <file:///etc/passwd>",
    "COPY DEFAULT TO <http://example.org/g>",
    "WITH <http://example.org/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


def total_triples(server: Server) -> int:
    answer = httpx.get(
        server.sparql,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "format": "csv"},
        headers={"Cache-Control": "no-cache"},
    )
    return int(answer.text.split()[1])


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused_and_change_nothing(server: Server, update: str) -> None:
    before = total_triples(server)
    as_query = httpx.post(server.sparql, data={"query": update})
    assert as_query.status_code == 400
    assert "read-only" in as_query.text
    as_update = httpx.post(server.sparql, data={"update": update})
    assert as_update.status_code == 403
    as_body = httpx.post(
        server.sparql,
        content=update.encode(),
        headers={"Content-Type": "application/sparql-update"},
    )
    assert as_body.status_code == 403
    assert total_triples(server) == before


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://example.org/sparql> { ?s ?p ?o } }",
        "PREFIX ex: <http://example.org/> SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }",
        "SELECT * WHERE { BIND(<http://example.org/s> AS ?e) SERVICE ?e { ?s ?p ?o } }",
        "select * where { service <http://example.org/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_outside_the_allow_list_gives_400(server: Server, query: str) -> None:
    answer = httpx.get(server.sparql, params={"query": query})
    assert answer.status_code == 400
    assert "SERVICE" in answer.text
    assert "no outbound calls" in answer.text


def test_service_as_a_name_is_not_mistaken_for_the_keyword(server: Server) -> None:
    query = 'SELECT ?service WHERE { BIND("SERVICE <http://example.org/>" AS ?service) } # SERVICE'
    answer = httpx.get(server.sparql, params={"query": query, "format": "json"})
    assert answer.status_code == 200
    assert answer.json()["results"]["bindings"][0]["service"]["value"].startswith("SERVICE")


def test_no_query_reads_files_of_the_machine(server: Server) -> None:
    query = "SELECT (COUNT(*) AS ?n) FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"
    answer = httpx.get(server.sparql, params={"query": query, "format": "csv"})
    assert answer.status_code == 200
    assert answer.text.split()[1] == "0"
    named = "SELECT ?s WHERE { GRAPH <file:///etc/hostname> { ?s ?p ?o } }"
    assert "root" not in httpx.get(server.sparql, params={"query": named}).text


# --- headers: CORS, gzip, caching ---------------------------------------------------------------


def test_cors_for_get_and_post_without_credentials(server: Server) -> None:
    origin = {"Origin": "https://portal.example.org"}
    answer = httpx.get(server.sparql, params={"query": CITIES}, headers=origin)
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in answer.headers
    assert "ETag" in answer.headers["access-control-expose-headers"]
    preflight = httpx.options(
        server.sparql,
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


def test_large_answers_are_gzipped(server: Server) -> None:
    query = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 500"
    answer = httpx.get(
        server.sparql,
        params={"query": query, "format": "json"},
        headers={"Accept-Encoding": "gzip"},
    )
    assert answer.headers.get("content-encoding") == "gzip", (answer.headers, answer.text)
    assert len(answer.json()["results"]["bindings"]) == 500
    small = httpx.get(
        server.sparql, params={"query": ASK_HAIPHONG}, headers={"Accept-Encoding": "gzip"}
    )
    assert "content-encoding" not in small.headers


def test_answers_bigger_than_a_socket_buffer_come_through_every_worker(server: Server) -> None:
    """Regression: uvloop left the worker pipe non-blocking, and big answers failed half-way."""
    for limit in range(1200, 1206):  # different queries, so no cache hit; each worker twice+
        query = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {limit}"
        answer = httpx.get(server.sparql, params={"query": query, "format": "json"})
        assert answer.status_code == 200, answer.text
        assert len(answer.content) > 200_000
        assert len(answer.json()["results"]["bindings"]) == limit


def test_etag_cache_control_and_304(server: Server) -> None:
    first = httpx.get(server.sparql, params={"query": LABELS, "format": "json"})
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert "max-age=" in first.headers["cache-control"]
    again = httpx.get(
        server.sparql, params={"query": LABELS, "format": "json"}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other_format = httpx.get(
        server.sparql, params={"query": LABELS, "format": "csv"}, headers={"If-None-Match": etag}
    )
    assert other_format.status_code == 200
    assert other_format.headers["etag"] != etag
    other_query = httpx.get(
        server.sparql, params={"query": CITIES, "format": "json"}, headers={"If-None-Match": etag}
    )
    assert other_query.status_code == 200


def test_repeated_queries_are_served_from_the_cache(server: Server) -> None:
    query = PREFIX_LINES + "SELECT (COUNT(*) AS ?n) WHERE { ?a kg:party ?b } # cache probe"

    def cache_state() -> tuple[int, int, int]:
        cache = httpx.get(server.url + "/health").json()["cache"]
        return cache["hits"], cache["misses"], cache["entries"]

    # The session's server is shared: the cache may already be full (other tests' queries), so
    # the probe counts misses and hits, not entries.
    hits, misses, _ = cache_state()
    first = httpx.get(server.sparql, params={"query": query, "format": "json"})
    after_first = cache_state()
    second = httpx.get(server.sparql, params={"query": query, "format": "json"})
    after_second = cache_state()
    assert first.content == second.content
    assert after_first[:2] == (hits, misses + 1)
    assert after_first[2] >= 1
    assert after_second[:2] == (hits + 1, misses + 1)
    assert after_second[2] == after_first[2]
