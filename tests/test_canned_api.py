"""``/queries``: every canned query as an HTTP API, against a real server.

Each query's answer through ``/queries/<name>`` must equal what ``/sparql`` gives for the same
query with the same parameters. ``/sparql`` takes no bindings, so there the parameters go in as
``VALUES`` blocks (``kggraph.query.values_binding``, the documented fallback for remote stores,
tested
equal to substitution in ``test_valuesbinding.py``). Where a parameter takes another value, the
expected answer is computed from the published graph itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from kggraph.canned.catalogue import CannedQuery, load_canned_queries
from kggraph.canned.params import bind
from kggraph.core.namespaces import KG, KGID, PREFIXES, RDFS, SKOS
from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from kggraph.query.values_binding import with_values
from tests.conftest import Server, start_server, stop_server
from tests.errorshapes import problem_of

ROOT = Path(__file__).resolve().parents[1]
QUERIES = load_canned_queries(ROOT / "queries")
BY_SLUG = {q.slug: q for q in QUERIES}
HOSTILE = "x> } ; DROP ALL ; #"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CITY_LABELS = """\
# title: A city's labels as a graph
# description: The English and Japanese labels of the given city, as RDF.
# param: city IRI = <https://w3id.org/kggraph/id/city/haiphong> — the city
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?city rdfs:label ?label } WHERE { ?city rdfs:label ?label }
"""

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store(built: BuildResult) -> ox.Store:
    """The release the server serves, loaded here to compute expected answers."""
    return Release(built.release).open_store()


def api(
    server: Server, slug: str, params: dict[str, str] | None = None, **kw: Any
) -> httpx.Response:
    return httpx.get(f"{server.url}/queries/{slug}", params=params or {}, timeout=60, **kw)


def via_sparql(
    server: Server, query: CannedQuery, given: dict[str, str], fmt: str
) -> httpx.Response:
    """The same query through /sparql, its parameters bound by VALUES blocks."""
    text = with_values(query.text, bind(query, given))
    answer = httpx.post(server.sparql, data={"query": text, "format": fmt}, timeout=60)
    assert answer.status_code == 200, answer.text
    return answer


def bindings(answer: httpx.Response) -> list[dict[str, Any]]:
    assert answer.status_code == 200, answer.text
    result: list[dict[str, Any]] = answer.json()["results"]["bindings"]
    return result


def column(answer: httpx.Response, name: str) -> set[str]:
    return {row[name]["value"] for row in bindings(answer) if name in row}


# --- Every query, JSON and CSV, equal to /sparql --------------------------------------------


def test_there_are_canned_queries_with_and_without_parameters() -> None:
    assert len(QUERIES) == len(list((ROOT / "queries").glob("*.rq"))) >= 20
    assert sum(1 for q in QUERIES if q.params) >= 2
    assert any(not q.params for q in QUERIES)


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.slug)
def test_every_query_answers_json_as_sparql_does(server: Server, query: CannedQuery) -> None:
    answer = api(server, query.slug)
    assert answer.headers["content-type"].startswith("application/sparql-results+json")
    assert bindings(answer), "the defaults give an answer (tests/test_queries.py)"
    assert answer.json() == via_sparql(server, query, {}, "json").json()
    for param in query.params:  # each parameter is a column holding its bound default
        values = column(answer, param.name)
        assert values == {param.default}


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: q.slug)
def test_every_query_answers_csv_as_sparql_does(server: Server, query: CannedQuery) -> None:
    by_format = api(server, query.slug, {"format": "csv"})
    by_accept = api(server, query.slug, headers={"Accept": "text/csv"})
    assert by_format.status_code == by_accept.status_code == 200
    assert by_format.headers["content-type"].startswith("text/csv")
    assert by_format.content == by_accept.content == via_sparql(server, query, {}, "csv").content
    table = list(csv.reader(io.StringIO(by_format.text)))
    as_json = api(server, query.slug).json()
    assert table[0] == as_json["head"]["vars"]
    assert len(table) - 1 == len(as_json["results"]["bindings"])


def test_tsv_and_xml_are_offered_too(server: Server) -> None:
    query = BY_SLUG["water-contracts-in-country"]
    for fmt, media in (
        ("tsv", "text/tab-separated-values"),
        ("xml", "application/sparql-results+xml"),
    ):
        answer = api(server, query.slug, {"format": fmt, "country": "country/vietnam"})
        assert answer.headers["content-type"].startswith(media)
        given = {"country": "country/vietnam"}
        assert answer.content == via_sparql(server, query, given, fmt).content


# --- Parameters: another value changes the answer as the graph says --------------------------


def test_a_country_parameter_selects_that_countrys_contracts(
    server: Server, store: ox.Store
) -> None:
    query = BY_SLUG["water-contracts-in-country"]
    vietnam = str(KGID["country/vietnam"])
    expected = {
        str(row["c"].value)  # type: ignore[index]
        for row in store.query(  # type: ignore[union-attr]
            f"PREFIX kg: <{KG}> SELECT DISTINCT ?c WHERE {{ ?c a kg:WaterBusinessContract ; "
            f"kg:location/kg:containedInPlace* <{vietnam}> }}"
        )
    }
    by_path = api(server, query.slug, {"country": "country/vietnam"})
    by_iri = api(server, query.slug, {"country": vietnam})
    assert by_path.content == by_iri.content
    assert expected and column(by_iri, "contract") == expected
    assert column(by_iri, "country") == {vietnam}
    default = column(api(server, query.slug), "contract")
    assert default and not default & expected  # Cambodia's contracts are others
    assert by_iri.json() == via_sparql(server, query, {"country": vietnam}, "json").json()


def test_a_text_parameter_is_matched_as_text(server: Server, store: ox.Store) -> None:
    """``People's`` holds a quote; it is a literal to match, found where the labels have it."""
    query = BY_SLUG["label-search"]
    rdf_type, fiscal_year = ox.NamedNode(PREFIXES["rdf"] + "type"), ox.NamedNode(str(KG.FiscalYear))
    fiscal_years = {q.subject for q in store.quads_for_pattern(None, rdf_type, fiscal_year)}
    expected = set()
    for predicate in (RDFS.label, SKOS.altLabel):
        for quad in store.quads_for_pattern(None, ox.NamedNode(str(predicate)), None):
            node, name = quad.subject, quad.object
            if (
                isinstance(node, ox.NamedNode)
                and isinstance(name, ox.Literal)
                and node.value.startswith(str(KGID))
                and node not in fiscal_years
                and "people's" in name.value.lower()
            ):
                expected.add(node.value)
    answer = api(server, query.slug, {"text": "People's"})
    assert expected and column(answer, "node") == expected
    assert column(answer, "text") == {"People's"}
    assert column(answer, "node") != column(api(server, query.slug), "node")


def test_integer_parameters_bound_the_years(server: Server) -> None:
    query = BY_SLUG["dates-with-source-text"]
    answer = api(server, query.slug, {"fromYear": "2009", "toYear": "2011"})
    rows = bindings(answer)
    assert {int(r["year"]["value"]) for r in rows} == {2009, 2010, 2011}
    assert {(r["fromYear"]["value"], r["fromYear"]["datatype"]) for r in rows} == {
        ("2009", PREFIXES["xsd"] + "integer")
    }
    given = {"fromYear": "2009", "toYear": "2011"}
    assert answer.json() == via_sparql(server, query, given, "json").json()
    assert len(rows) > len(bindings(api(server, query.slug)))  # three years hold more than 2012


# --- Refusals: wrong type, unknown names, hostile values ---------------------------------------


@pytest.mark.parametrize(
    ("slug", "name", "value", "kind"),
    [
        ("activities-in-fiscal-year", "fiscalYear", "soon", "xsd:integer"),
        ("dates-with-source-text", "toYear", "2012.5", "xsd:integer"),
        ("water-contracts-in-country", "country", "not an iri", "IRI"),
        ("water-contracts-in-country", "country", HOSTILE, "IRI"),
    ],
)
def test_a_value_of_the_wrong_type_is_a_400_naming_it(
    server: Server, slug: str, name: str, value: str, kind: str
) -> None:
    answer = api(server, slug, {name: value})
    assert answer.status_code == 400
    detail = problem_of(answer)  # one line: no line break in it
    assert f"parameter {name} expects {kind}" in detail and repr(value) in detail


def test_unknown_and_repeated_parameters_are_400(server: Server) -> None:
    answer = api(server, "water-contracts-in-country", {"contry": "country/vietnam"})
    assert answer.status_code == 400
    assert "no parameter 'contry'; its parameters: country" in problem_of(answer)
    twice = httpx.get(
        f"{server.url}/queries/dates-with-source-text?fromYear=2009&fromYear=2010", timeout=60
    )
    assert twice.status_code == 400
    assert "parameter 'fromYear' is given twice" in problem_of(twice)
    # a name with a line break is quoted, so the refusal stays one line (found by schemathesis)
    broken = httpx.get(f"{server.url}/queries/dates-with-source-text?a%0Ab=1&a%0Ab=2", timeout=60)
    assert broken.status_code == 400
    assert "parameter 'a\\nb' is given twice" in problem_of(broken)


def test_a_hostile_string_is_bound_as_a_literal_and_nothing_runs(server: Server) -> None:
    before = httpx.post(server.sparql, data={"query": COUNT, "format": "json"}, timeout=60).json()
    answer = api(server, "label-search", {"text": HOSTILE})
    assert answer.status_code == 200
    assert bindings(answer) == []  # no label contains that text
    after = httpx.post(server.sparql, data={"query": COUNT, "format": "json"}, timeout=60).json()
    assert after == before
    assert int(after["results"]["bindings"][0]["n"]["value"]) > 0


def test_an_unknown_query_is_a_404_listing_the_names(server: Server) -> None:
    answer = api(server, "partner-city")
    assert answer.status_code == 404
    detail = problem_of(answer)
    assert "there is no canned query 'partner-city'" in detail
    assert all(q.slug in detail for q in QUERIES)


def test_a_graph_format_for_a_table_is_406(server: Server) -> None:
    answer = api(server, "partner-cities", {"format": "turtle"})
    assert answer.status_code == 406
    assert "does not fit a results table" in problem_of(answer)


# --- Caching like /sparql ---------------------------------------------------------------------


def test_etag_and_304(server: Server) -> None:
    slug, params = "activities-in-fiscal-year", {"fiscalYear": "2016"}
    first = api(server, slug, params)
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and first.headers["cache-control"].startswith("public, max-age=")
    again = api(server, slug, params, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert api(server, slug, {"fiscalYear": "02016"}).headers["etag"] == etag  # same number
    assert api(server, slug, {"fiscalYear": "2017"}).headers["etag"] != etag
    assert api(server, slug, {**params, "format": "csv"}).headers["etag"] != etag
    stale = api(server, slug, {"fiscalYear": "2017"}, headers={"If-None-Match": etag})
    assert stale.status_code == 200 and bindings(stale)


def test_a_repeated_call_is_answered_from_the_cache(server: Server) -> None:
    params = {"text": "kitakyushu"}
    api(server, "label-search", params)
    hits = httpx.get(server.url + "/health", timeout=60).json()["cache"]["hits"]
    assert api(server, "label-search", params).status_code == 200
    assert httpx.get(server.url + "/health", timeout=60).json()["cache"]["hits"] == hits + 1


# --- The catalogue and the OpenAPI description -----------------------------------------------


def test_the_catalogue_lists_every_query_with_its_parameters(server: Server) -> None:
    answer = httpx.get(server.url + "/queries", timeout=60)
    assert answer.status_code == 200
    listed = answer.json()["queries"]
    assert [e["name"] for e in listed] == [q.slug for q in QUERIES]
    for entry, query in zip(listed, QUERIES, strict=True):
        assert (entry["title"], entry["description"], entry["sparql"]) == (
            query.title,
            query.description,
            query.text,
        )
        assert [(p["name"], p["type"], p["default"]) for p in entry["parameters"]] == [
            (p.name, p.type, p.default) for p in query.params
        ]
        assert entry["links"]["self"] == f"{server.url}/queries/{query.slug}"
        assert entry["links"]["csv"] == f"{server.url}/queries/{query.slug}?format=csv"
    first = httpx.get(listed[0]["links"]["csv"], timeout=60)
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/csv")


def test_openapi_documents_every_query_and_its_typed_parameters(server: Server) -> None:
    document = httpx.get(server.url + "/openapi.json", timeout=60).json()
    assert "/queries" in document["paths"]
    schema_type = {"IRI": "string", "xsd:string": "string", "xsd:integer": "integer"}
    for query in QUERIES:
        operation = document["paths"][f"/queries/{query.slug}"]["get"]
        assert operation["summary"] == query.title
        assert operation["description"].startswith(query.description)
        params = {p["name"]: p for p in operation["parameters"]}
        assert list(params) == [p.name for p in query.params] + ["format"]
        for param in query.params:
            documented = params[param.name]
            assert documented["in"] == "query" and documented["required"] is False
            assert documented["schema"]["type"] == schema_type[param.type]
            default = int(param.default) if param.type == "xsd:integer" else param.default
            assert documented["schema"]["default"] == default
            assert param.type in documented["description"]
        assert params["format"]["schema"]["enum"][:3] == ["json", "xml", "csv"]
        assert "text/csv" in operation["responses"]["200"]["content"]
    docs = httpx.get(server.url + "/docs", timeout=60)
    assert docs.status_code == 200 and "openapi.json" in docs.text


# --- A canned CONSTRUCT, on a server whose queries/ folder holds one ---------------------------


@pytest.fixture(scope="module")
def construct_server(
    built: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("project")
    (root / "queries").mkdir()
    (root / "queries" / "city-labels.rq").write_text(CITY_LABELS, encoding="utf-8")
    (root / "queries" / "broken.rq").write_text("# no title\nASK {}\n", encoding="utf-8")
    running = start_server(built.release.parent.parent, root / "server.log", root=str(root))
    yield running
    stop_server(running)


def test_a_canned_construct_answers_turtle_and_json_ld(
    construct_server: Server, store: ox.Store
) -> None:
    davao = ox.NamedNode(str(KGID["city/davao"]))
    label = ox.NamedNode(str(RDFS.label))
    expected = {
        ox.Quad(q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(davao, label, None)
    }
    assert len(expected) == 2  # English and Japanese
    url = construct_server.url + "/queries/city-labels"
    turtle = httpx.get(url, params={"city": "city/davao"}, timeout=60)
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert set(ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)) == expected
    json_ld = httpx.get(
        url, params={"city": "city/davao"}, headers={"Accept": "application/ld+json"}
    )
    assert json_ld.headers["content-type"].startswith("application/ld+json")
    assert set(ox.parse(json_ld.content, format=ox.RdfFormat.JSON_LD)) == set(
        ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)
    )
    assert httpx.get(url, params={"format": "csv"}).status_code == 406


def test_a_query_with_a_broken_header_is_left_out(construct_server: Server) -> None:
    listed = httpx.get(construct_server.url + "/queries", timeout=60).json()["queries"]
    assert [(e["name"], e["form"]) for e in listed] == [("city-labels", "CONSTRUCT")]
    assert httpx.get(construct_server.url + "/queries/broken").status_code == 404
    operation = httpx.get(construct_server.url + "/openapi.json").json()["paths"]
    assert "/queries/broken" not in operation
    enum = operation["/queries/city-labels"]["get"]["parameters"][-1]["schema"]["enum"]
    assert enum[0] == "turtle" and "json-ld" in enum
