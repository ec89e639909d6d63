"""Virtuoso Open Source as kggraph's store (issue 16): ``kggraph publish --kind virtuoso`` loads
the real build into a real Virtuoso (Debian's, started on loopback by ``tests.virtuoso``), and
``kggraph.query.virtuoso.VirtuosoDialect`` turns its quirks into clean answers: each quirk is
provoked on the real server where it can be, and checked on recorded bytes besides."""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pyoxigraph as ox
import pytest

from kggraph.cli.publish import LOADERS
from kggraph.core.errors import (
    QueryError,
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryUnavailable,
    StoreError,
)
from kggraph.core.formats import BY_NAME, HTML
from kggraph.graph.release import NAMED, Release
from kggraph.publish.build import BuildResult
from kggraph.publish.to_store import choose, select_values
from kggraph.publish.to_virtuoso import (
    PIECE_BYTES,
    SPELLED,
    WKT_POINT,
    WKT_POINT_SPELLED,
    Isql,
    VirtuosoLoader,
    check_durations,
)
from kggraph.query.executor import QueryTask
from kggraph.query.protocol import FORM
from kggraph.query.remote import RELEASE_GRAPH, VERSION_QUERY
from kggraph.query.virtuoso import (
    EXCLUDE_RELEASE,
    VIRTRDF_GEOMETRY,
    WKT_LITERAL,
    XSD_DURATION,
    VirtuosoDialect,
    duration_text,
    standard_json,
    standard_triples,
)
from tests.clirun import kggraph
from tests.conftest import free_port
from tests.virtuoso import PASSWORD, USER, Virtuoso, running_virtuoso

pytestmark = pytest.mark.slow

XSD = "http://www.w3.org/2001/XMLSchema#"
GRAPHS_QUERY = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@pytest.fixture(scope="module")
def stores(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder Virtuoso may read (``DirsAllowed``): a published build holding a copy of the
    built release as its current one."""
    folder = tmp_path_factory.mktemp("virtuoso-files")
    shutil.copytree(built.release, folder / "releases" / built.release.name)
    (folder / "current").symlink_to(Path("releases") / built.release.name)
    return folder


def current(stores: Path) -> Release:
    return Release((stores / "current").resolve())


@pytest.fixture(scope="module")
def virtuoso(stores: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """One Virtuoso for the module, with the built release published into it."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), stores) as server:
        loader(server).publish(current(stores), server.sparql, lambda _step: None)
        yield server


def loader(server: Virtuoso) -> VirtuosoLoader:
    return VirtuosoLoader(Isql(f"127.0.0.1:{server.isql_port}", USER, PASSWORD))


def graph_counts(endpoint: str) -> Counter[str]:
    accept = {"Accept": BY_NAME["sparql-json"].media_type}
    answer = httpx.post(endpoint, data={"query": GRAPHS_QUERY}, headers=accept, timeout=30)
    answer.raise_for_status()
    rows = answer.json()["results"]["bindings"]
    return Counter({row["g"]["value"]: int(row["n"]["value"]) for row in rows})


def release_counts(release: Path) -> Counter[str]:
    quads = ox.parse(path=release / NAMED, format=ox.RdfFormat.N_QUADS)
    return Counter(quad.graph_name.value for quad in quads)


def test_publish_keeps_the_graphs_and_their_counts(virtuoso: Virtuoso, built: BuildResult) -> None:
    """Every named graph of the release, by its own IRI, with its triple count, plus the version
    graph; none of Virtuoso's own graphs (virtrdf#, the service description) is visible."""
    expected = release_counts(built.release) + Counter({RELEASE_GRAPH: 1})
    assert graph_counts(virtuoso.sparql) == expected
    assert select_values(virtuoso.sparql, VERSION_QUERY) == [built.release.name]


def test_the_default_graph_is_the_union_of_ours(virtuoso: Virtuoso, built: BuildResult) -> None:
    """Virtuoso answers a query without FROM from the union of the graphs its reader may read:
    here our graphs only. With the version's graph left out (``input:default-graph-exclude``,
    as the dialect sends it) that is the release's merged graph; with it, one triple more."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    total = built.manifest.triples.total
    assert select_values(virtuoso.sparql, EXCLUDE_RELEASE + count) == [str(total)]
    assert select_values(virtuoso.sparql, count) == [str(total + 1)]


def test_auto_recognises_virtuoso(virtuoso: Virtuoso) -> None:
    assert choose("auto", virtuoso.sparql, LOADERS).kind == "virtuoso"


def test_publish_replaces_what_was_there(virtuoso: Virtuoso, stores: Path) -> None:
    """A quad of an old release in one of our graphs, and a whole graph the release no longer
    has, are gone after the next publish; Virtuoso's own graphs are kept."""
    stray = "<urn:stray> <urn:p> <urn:o>"
    extra = f"{RELEASE_GRAPH.rsplit('/', 1)[0]}/data/gone"
    loader(virtuoso).isql.run(  # type: ignore[union-attr]
        f"SPARQL INSERT INTO <{RELEASE_GRAPH.rsplit('/', 1)[0]}/links> {{ {stray} }};\n"
        f"SPARQL INSERT INTO <{extra}> {{ {stray} }};\n"
    )
    release = current(stores)
    before = release_counts(release.path) + Counter({RELEASE_GRAPH: 1})
    loader(virtuoso).publish(release, virtuoso.sparql, lambda _step: None)
    assert graph_counts(virtuoso.sparql) == before
    system = loader(virtuoso).isql.run(  # type: ignore[union-attr]
        "SELECT COUNT(*) FROM DB.DBA.RDF_QUAD "
        "WHERE G = iri_to_id ('http://www.openlinksw.com/schemas/virtrdf#');\n"
    )
    assert any(word.isdigit() and int(word) > 100 for word in system.split()), system


def test_a_failed_publish_leaves_the_previous_release(
    virtuoso: Virtuoso, stores: Path, built: BuildResult
) -> None:
    """A release whose dump does not parse is refused with Virtuoso's words, and the store
    still holds the previous release, whole: the load is one transaction."""
    broken = stores / "releases" / "20990101T000000Z-broken"
    shutil.copytree(built.release, broken)
    with (broken / NAMED).open("a") as dump:
        dump.write("<urn:s> <urn:p> this is not N-Quads .\n")
    before = graph_counts(virtuoso.sparql)
    with pytest.raises(QueryError, match="refused the load"):
        loader(virtuoso).publish(Release(broken), virtuoso.sparql, lambda _step: None)
    assert graph_counts(virtuoso.sparql) == before
    assert select_values(virtuoso.sparql, VERSION_QUERY) == [built.release.name]


def test_publish_through_the_cli(virtuoso: Virtuoso, stores: Path, built: BuildResult) -> None:
    """``kggraph publish --to`` finds Virtuoso by its Server header and reaches its SQL port
    as the environment says."""
    env = {
        "KGGRAPH_VIRTUOSO_ISQL": f"127.0.0.1:{virtuoso.isql_port}",
        "KGGRAPH_VIRTUOSO_USER": USER,
        "KGGRAPH_VIRTUOSO_PASSWORD": PASSWORD,
    }
    done = kggraph("publish", "--to", virtuoso.sparql, "--output", str(stores), env=env)
    assert done.exit_code == 0, done.stderr
    assert f"Published {built.release.name} to {virtuoso.sparql}" in done.stdout
    assert f"{built.manifest.triples.total} triples in the default graph" in done.stdout


def test_an_unreachable_sql_port_is_unavailable(virtuoso: Virtuoso, built: BuildResult) -> None:
    closed = VirtuosoLoader(Isql(f"127.0.0.1:{free_port()}", USER, PASSWORD))
    with pytest.raises(QueryUnavailable, match="cannot reach Virtuoso's SQL port"):
        closed.publish(Release(built.release), virtuoso.sparql, lambda _step: None)


# The dialect, on the real Virtuoso: each quirk provoked, then the dialect's clean answer.

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f FILTER (STR(?c) < STR(?f)) }"
"""A cross product of the loaded graph (~48 M pairs) with a filter: runs past 1 s."""
DIALECT = VirtuosoDialect()


def raw(server: Virtuoso, params: list[tuple[str, str]], headers: dict[str, str]) -> httpx.Response:
    form = {"Content-Type": FORM}
    body = urllib.parse.urlencode(params)
    return httpx.post(server.sparql, content=body, headers={**headers, **form}, timeout=60)


def through_dialect(server: Virtuoso, query: str, timeout_s: float = 30.0, **task: object) -> bytes:
    params, headers = DIALECT.request(QueryTask(query, "sparql-json", **task), timeout_s)  # type: ignore[arg-type]
    answer = raw(server, params, headers)
    return DIALECT.check(answer.status_code, answer.headers, answer.content)


def table(tsv: bytes) -> list[dict[str, Any]]:
    solutions = ox.parse_query_results(tsv, format=BY_NAME["tsv"].results_format)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in solutions]


def test_a_timed_out_query_is_a_timeout_not_a_partial_answer(virtuoso: Virtuoso) -> None:
    """Virtuoso answers 200 with a partial count and X-SQL-State: S1TAT past its timeout."""
    answer = raw(
        virtuoso,
        [("query", SLOW), ("timeout", "1000")],
        {"Accept": BY_NAME["sparql-json"].media_type},
    )
    assert answer.status_code == 200
    assert answer.headers["X-SQL-State"] == "S1TAT"
    assert answer.json()["results"]["bindings"]  # a partial count, which looks like an answer
    with pytest.raises(QueryTimeout, match="S1TAT"):
        through_dialect(virtuoso, SLOW, timeout_s=1.0)


def test_typed_literals_become_standard_literals(virtuoso: Virtuoso, built: BuildResult) -> None:
    query = (
        f"SELECT (COUNT(*) AS ?n) (STRDT('2021-01', <{XSD}gYearMonth>) AS ?m) WHERE {{ ?s ?p ?o }}"
    )
    answer = raw(virtuoso, [("query", query)], {"Accept": BY_NAME["sparql-json"].media_type})
    assert b'"typed-literal"' in answer.content
    rows = table(through_dialect(virtuoso, query))
    assert rows == [
        {
            "n": ox.Literal(
                str(built.manifest.triples.total), datatype=ox.NamedNode(XSD + "integer")
            ),
            "m": ox.Literal("2021-01", datatype=ox.NamedNode(XSD + "gYearMonth")),
        }
    ]


def test_virtuoso_tsv_is_not_sparql_tsv_so_it_is_never_asked_for(virtuoso: Virtuoso) -> None:
    query = 'SELECT ?s ("x"@en AS ?l) WHERE { ?s ?p ?o } LIMIT 1'
    answer = raw(virtuoso, [("query", query)], {"Accept": BY_NAME["tsv"].media_type})
    assert answer.text.splitlines()[0] == '"s"\t"l"'  # SPARQL TSV: ?s ?l
    rows = table(through_dialect(virtuoso, query))
    assert rows[0]["l"] == ox.Literal("x", language="en")
    assert isinstance(rows[0]["s"], ox.NamedNode)


def test_an_ask_without_accept_is_html_so_accept_is_always_sent(virtuoso: Virtuoso) -> None:
    answer = raw(virtuoso, [("query", "ASK { ?s ?p ?o }")], {})
    assert answer.headers["Content-Type"].startswith(HTML.media_type)
    params, headers = DIALECT.request(QueryTask("ASK { ?s ?p ?o }", "sparql-json"), 5.0)
    assert headers["Accept"] == BY_NAME["sparql-json"].media_type
    assert ("timeout", "5000") in params
    assert json.loads(through_dialect(virtuoso, "ASK { ?s ?p ?o }")) == {
        "head": {"link": []},
        "boolean": True,
    }


def test_a_graph_comes_as_n_triples_with_its_languages(virtuoso: Virtuoso) -> None:
    query = 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER (LANG(?o) = "ja") } LIMIT 5'
    triples = list(ox.parse(through_dialect(virtuoso, query), format=ox.RdfFormat.N_TRIPLES))
    assert len(triples) == 5
    assert all(isinstance(t.object, ox.Literal) and t.object.language == "ja" for t in triples)


def test_the_default_graph_leaves_the_version_out(virtuoso: Virtuoso, built: BuildResult) -> None:
    """Through the dialect the default graph is the release's merged graph; a query's own FROM
    and the protocol's dataset are kept as they are."""
    count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
    links = f"{RELEASE_GRAPH.rsplit('/', 1)[0]}/links"
    expected = release_counts(built.release)[links]
    assert table(through_dialect(virtuoso, count.format("")))[0]["n"].value == str(
        built.manifest.triples.total
    )
    assert table(through_dialect(virtuoso, count.format(f"FROM <{links}>")))[0]["n"].value == str(
        expected
    )
    in_graph = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{links}> {{ ?s ?p ?o }} }}"
    assert table(through_dialect(virtuoso, in_graph))[0]["n"].value == str(expected)
    answer = through_dialect(virtuoso, count.format(""), default_graphs=(links,))
    assert table(answer)[0]["n"].value == str(expected)
    assert table(through_dialect(virtuoso, VERSION_QUERY)) == [
        {"version": ox.Literal(built.release.name)}
    ]


GEO_AS_WKT = "http://www.opengis.net/ont/geosparql#asWKT"
WKT = """PREFIX geo: <http://www.opengis.net/ont/geosparql#>
SELECT ?g ?wkt WHERE { ?g geo:asWKT ?wkt } ORDER BY ?g"""
WKT_GRAPH = """PREFIX geo: <http://www.opengis.net/ont/geosparql#>
CONSTRUCT { ?g geo:asWKT ?wkt ; ?p ?o } WHERE { ?g geo:asWKT ?wkt ; ?p ?o }"""


def test_geometries_come_back_as_geo_wkt_literals(virtuoso: Virtuoso, built: BuildResult) -> None:
    """Virtuoso's loader made each geo:wktLiteral a virtrdf:Geometry; the dialect names them
    geo:wktLiteral again, in SELECT results and in graphs, and leaves the other terms alone."""
    answer = raw(virtuoso, [("query", WKT)], {"Accept": BY_NAME["sparql-json"].media_type})
    datatypes = {row["wkt"]["datatype"] for row in answer.json()["results"]["bindings"]}
    assert datatypes == {VIRTRDF_GEOMETRY}
    published = built.manifest.classes["geo:Geometry"]
    rows = table(through_dialect(virtuoso, WKT))
    assert len(rows) == published
    assert {row["wkt"].datatype.value for row in rows} == {WKT_LITERAL}
    graph = list(ox.parse(through_dialect(virtuoso, WKT_GRAPH), format=ox.RdfFormat.N_TRIPLES))
    wkt = [t.object for t in graph if t.predicate.value.endswith("#asWKT")]
    assert len(wkt) == published and {o.datatype.value for o in wkt} == {WKT_LITERAL}
    assert any(isinstance(t.object, ox.Literal) and t.object.language for t in graph)
    assert VIRTRDF_GEOMETRY not in {
        t.object.datatype.value for t in graph if isinstance(t.object, ox.Literal)
    }


def published(built: BuildResult, query: str) -> list[dict[str, Any]]:
    """``query``'s rows on the release's own dump, as the embedded store answers them."""
    store = ox.Store()
    store.load(path=built.release / NAMED, format=ox.RdfFormat.N_QUADS)
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n] for n in names if row[n] is not None} for row in solutions]


def test_every_geometry_comes_back_as_published(virtuoso: Virtuoso, built: BuildResult) -> None:
    """Handed each point as POINT (x y), Virtuoso keeps doubles and writes back the text the
    release has (each number in its shortest form): the raw answer's text is already ours."""
    ours = {row["g"]: row["wkt"].value for row in published(built, WKT)}
    assert len(ours) == built.manifest.classes["geo:Geometry"]
    answer = raw(virtuoso, [("query", WKT)], {"Accept": BY_NAME["sparql-json"].media_type})
    texts = {r["g"]["value"]: r["wkt"]["value"] for r in answer.json()["results"]["bindings"]}
    assert texts == {g.value: text for g, text in ours.items()}
    rows = table(through_dialect(virtuoso, WKT))
    assert {row["g"]: row["wkt"] for row in rows} == {
        g: ox.Literal(text, datatype=ox.NamedNode(WKT_LITERAL)) for g, text in ours.items()
    }


def test_the_loader_is_handed_each_point_with_a_space() -> None:
    """``WKT_POINT`` (a PCRE, the same in Python's re) finds the start of every geo:wktLiteral
    point of an N-Quads line, and of nothing else."""
    pattern = re.compile(WKT_POINT)
    wkt = f'<http://x/g> <{GEO_AS_WKT}> "POINT(125.61278 7.07306)"^^<{WKT_LITERAL}> <http://x/n> .'
    assert pattern.sub(WKT_POINT_SPELLED, wkt) == wkt.replace('"POINT(', '"POINT (')
    for other in (
        '<http://x/a> <http://x/b> "POINT(1 2)" <http://x/n> .',
        '<http://x/a> <http://x/b> "POINT(1 2)"@en <http://x/n> .',
        f'<http://x/a> <http://x/b> "POINT(1 \\"2)"^^<{WKT_LITERAL}> <http://x/n> .',
        f'<http://x/a> <http://x/b> "LINESTRING(1 2, 3 4)"^^<{WKT_LITERAL}> <http://x/n> .',
    ):
        assert pattern.sub(WKT_POINT_SPELLED, other) == other


def test_a_file_of_many_pieces_is_handed_over_whole(virtuoso: Virtuoso, stores: Path) -> None:
    """Virtuoso makes a string of 10 MB at most, so the file is read and respelled in pieces of
    whole lines: every point of a file of three pieces comes back as written (none in 32-bit
    floats), and a string that spells a point is left alone."""
    point = f'"POINT(125.61278 7.07306)"^^<{WKT_LITERAL}>'
    lines = [f"<urn:p{i}> <{GEO_AS_WKT}> {point} <urn:spelled> .\n" for i in range(60_000)]
    lines.append('<urn:s> <urn:t> "POINT(125.61278 7.07306)" <urn:spelled> .\n')
    big = stores / "spelled.nq"
    big.write_text("".join(lines))
    assert big.stat().st_size > 2 * PIECE_BYTES
    load = f"DB.DBA.TTLP ({SPELLED} ({str(big)!r}), '', 'urn:unnamed', 255 + 512);\n"
    count = (
        "SPARQL SELECT ?o (COUNT(*) AS ?n) WHERE { GRAPH <urn:spelled> { ?s ?p ?o } } "
        "GROUP BY ?o ORDER BY ?n;\n"
    )
    isql = loader(virtuoso).isql
    assert isql is not None
    try:
        found = [word for word in isql.run(load + count).split() if word != "SQL>"]
    finally:
        isql.run("SPARQL CLEAR GRAPH <urn:spelled>;\n")
    # two rows, "POINT(125.61278 7.07306)  1" (the string) and the same text 60000 times
    assert found[-6:] == [
        "POINT(125.61278",
        "7.07306)",
        "1",
        "POINT(125.61278",
        "7.07306)",
        "60000",
    ]


def test_inside_a_query_the_geometry_keeps_virtuosos_datatype(virtuoso: Virtuoso) -> None:
    """What the dialect cannot undo: DATATYPE() names Virtuoso's datatype (an IRI, a value of
    the answer, left alone), and a query with a geo:wktLiteral constant fails (our 502)."""
    kitakyushu = "<https://w3id.org/kggraph/id/geometry/city/kitakyushu>"
    query = f"SELECT (DATATYPE(?w) AS ?d) WHERE {{ {kitakyushu} <{GEO_AS_WKT}> ?w }}"
    assert table(through_dialect(virtuoso, query)) == [{"d": ox.NamedNode(VIRTRDF_GEOMETRY)}]
    constant = (
        f'SELECT ?g WHERE {{ ?g <{GEO_AS_WKT}> "POINT(130.85034 33.85181)"^^<{WKT_LITERAL}> }}'
    )
    with pytest.raises(StoreError, match="Bad datatype code"):
        through_dialect(virtuoso, constant)


def test_errors_are_ours(virtuoso: Virtuoso) -> None:
    with pytest.raises(QuerySyntaxError, match="SP030"):
        through_dialect(virtuoso, "SELECT ?s WHERE { ?s ?p }")
    with pytest.raises(QueryRefused, match="not implemented"):
        through_dialect(virtuoso, "SELECT ?b WHERE { BIND (BNODE() AS ?b) }")
    with pytest.raises(QueryTimeout, match="estimated execution time"):
        through_dialect(
            virtuoso, "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        )


# The dialect's answer checking on recorded bytes (what Virtuoso 7.2 sent, shortened).

JSON_TYPE = {"Content-Type": BY_NAME["sparql-json"].media_type}
RECORDED_JSON = (
    b'\n{ "head": { "link": [], "vars": ["n", "l"] },\n  "results": { "distinct": false, '
    b'"ordered": true, "bindings": [\n    { "n": { "type": "typed-literal", "datatype": '
    b'"http://www.w3.org/2001/XMLSchema#integer", "value": "847552" }\t, "l": { "type": '
    b'"literal", "xml:lang": "ja", "value": "\xe5\xa4\xa7" }} ] } }'
)


def test_recorded_typed_literal() -> None:
    fixed = json.loads(standard_json(RECORDED_JSON))
    row = fixed["results"]["bindings"][0]
    assert row["n"] == {"type": "literal", "datatype": XSD + "integer", "value": "847552"}
    assert row["l"] == {"type": "literal", "xml:lang": "ja", "value": "大"}
    assert table(DIALECT.check(200, JSON_TYPE, RECORDED_JSON))[0]["l"] == ox.Literal(
        "大", language="ja"
    )


def test_recorded_partial_answers_are_timeouts() -> None:
    s1tat = {
        **JSON_TYPE,
        "x-sql-state": "S1TAT",
        "X-SQL-Message": "RC...: Returning incomplete results",
    }
    with pytest.raises(QueryTimeout, match="incomplete results"):
        DIALECT.check(200, s1tat, RECORDED_JSON)
    with pytest.raises(QueryTimeout):
        DIALECT.check(206, JSON_TYPE, RECORDED_JSON)
    with pytest.raises(QueryUnavailable, match="ResultSetMaxRows"):
        DIALECT.check(200, {**JSON_TYPE, "X-SPARQL-MaxRows": "10000"}, RECORDED_JSON)


def test_recorded_errors() -> None:
    syntax = (
        b"Virtuoso 37000 Error SP030: SPARQL compiler, line 1: syntax error at '}' before '}'"
        b"\n\nSPARQL query:\ndefine sql:big-data-const 0 SELECT ?s WHERE { ?s ?p }"
    )
    with pytest.raises(QuerySyntaxError) as caught:
        DIALECT.check(400, {}, syntax)
    said = "SP030: SPARQL compiler, line 1: syntax error at '}' before '}'"
    assert caught.value.message == f"the store rejected the query: {said}"
    estimated = (
        b"Virtuoso 42000 Error The estimated execution time 26597 (sec) exceeds the limit of "
        b"400 (sec).\n\nSPARQL query:\nSELECT 37000"
    )
    with pytest.raises(QueryTimeout, match="26597"):
        DIALECT.check(500, {}, estimated)
    with pytest.raises(QueryUnavailable):
        DIALECT.check(503, {}, b"Service Unavailable")
    with pytest.raises(QueryError, match="did not ask for: text/html"):
        DIALECT.check(200, {"Content-Type": HTML.content_type}, b"true")


def test_the_dialect_names_the_version_graph_as_the_store_does() -> None:
    assert EXCLUDE_RELEASE == f"define input:default-graph-exclude <{RELEASE_GRAPH}> "


RECORDED_GEOMETRY_JSON = (
    b'\n{ "head": { "link": [], "vars": ["w", "d"] },\n  "results": { "distinct": false, '
    b'"ordered": true, "bindings": [\n    { "w": { "type": "typed-literal", "datatype": '
    b'"http://www.openlinksw.com/schemas/virtrdf#Geometry", "value": "POINT(130.85034 '
    b'33.85181)" }\t, "d": { "type": "uri", "value": '
    b'"http://www.openlinksw.com/schemas/virtrdf#Geometry" }} ] } }'
)
"""``SELECT ?w (DATATYPE(?w) AS ?d)`` of Kitakyushu's geometry, as Virtuoso 7.2 answered."""
RECORDED_GEOMETRY_TRIPLES = (
    b"<https://w3id.org/kggraph/id/geometry/city/davao>\t<http://www.w3.org/2000/01/rdf-schema"
    b'#label>\t"Point of Davao (GeoNames)"@en .\n<https://w3id.org/kggraph/id/geometry/city/'
    b'davao>\t<http://www.opengis.net/ont/geosparql#asWKT>\t"POINT(125.61277770996 '
    b'7.0730600357056)"^^<http://www.openlinksw.com/schemas/virtrdf#Geometry> .\n'
    b'<http://x/a>\t<http://x/b>\t"x\\"^^<http://www.openlinksw.com/schemas/virtrdf#Geometry>'
    b' ." .\n'
)
"""A CONSTRUCT's N-Triples from Virtuoso 7.2: Davao's geometry (the text as Virtuoso keeps
it), and a string whose text looks like a geometry's datatype, which stays a string."""


def test_recorded_geometries() -> None:
    row = json.loads(standard_json(RECORDED_GEOMETRY_JSON))["results"]["bindings"][0]
    assert row["w"] == {
        "type": "literal",
        "datatype": WKT_LITERAL,
        "value": "POINT(130.85034 33.85181)",  # the text kept as Virtuoso wrote it
    }
    assert row["d"] == {"type": "uri", "value": VIRTRDF_GEOMETRY}  # a value, not a datatype
    found = table(DIALECT.check(200, JSON_TYPE, RECORDED_GEOMETRY_JSON))[0]
    assert found["w"] == ox.Literal("POINT(130.85034 33.85181)", datatype=ox.NamedNode(WKT_LITERAL))
    nt = {"Content-Type": BY_NAME["n-triples"].media_type}
    label, wkt, text = list(
        ox.parse(DIALECT.check(200, nt, RECORDED_GEOMETRY_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
    )
    assert label.object == ox.Literal("Point of Davao (GeoNames)", language="en")
    assert wkt.object == ox.Literal(
        "POINT(125.61277770996 7.0730600357056)", datatype=ox.NamedNode(WKT_LITERAL)
    )
    assert text.object == ox.Literal(f'x"^^<{VIRTRDF_GEOMETRY}> .')
    without = RECORDED_GEOMETRY_TRIPLES.split(b"\n")[0] + b"\n"
    assert standard_triples(without) is without


DURATIONS = """PREFIX kg: <https://w3id.org/kggraph/ontology#>
SELECT ?s ?d WHERE { ?s kg:duration ?d } ORDER BY ?s"""
DURATIONS_GRAPH = """PREFIX kg: <https://w3id.org/kggraph/ontology#>
CONSTRUCT { ?s kg:duration ?d } WHERE { ?s kg:duration ?d }"""


def test_durations_come_back_as_published(virtuoso: Virtuoso, built: BuildResult) -> None:
    """Virtuoso's loader kept each duration as its number of months (P3Y as 36, its issue
    936); the dialect writes it as the duration again, in SELECT results and in graphs."""
    ours = published(built, DURATIONS)
    assert {row["d"].value for row in ours} == {"P3Y", "P4Y"}
    answer = raw(virtuoso, [("query", DURATIONS)], {"Accept": BY_NAME["sparql-json"].media_type})
    assert {r["d"]["value"] for r in answer.json()["results"]["bindings"]} == {"36", "48"}
    assert table(through_dialect(virtuoso, DURATIONS)) == ours
    graph = set(ox.parse(through_dialect(virtuoso, DURATIONS_GRAPH), format=ox.RdfFormat.N_TRIPLES))
    assert {(t.subject, t.object) for t in graph} == {(row["s"], row["d"]) for row in ours}


def test_inside_a_query_a_duration_is_a_number(virtuoso: Virtuoso) -> None:
    """What the dialect cannot undo: inside a query Virtuoso's duration is its months (STR()
    gives "36", isNumeric() is true, written 1 as Virtuoso writes a boolean); compared with
    another duration it answers as the embedded store does."""
    prefix = f"PREFIX kg: <https://w3id.org/kggraph/ontology#> PREFIX xsd: <{XSD}> "
    one = "<https://w3id.org/kggraph/id/project/davao-waste-management-grassroots-1>"
    query = f"SELECT (STR(?d) AS ?t) (isNumeric(?d) AS ?n) WHERE {{ {one} kg:duration ?d }}"
    assert table(through_dialect(virtuoso, prefix + query)) == [
        {"t": ox.Literal("36"), "n": ox.Literal("1", datatype=ox.NamedNode(XSD + "integer"))}
    ]
    for compared, found in (('= "P3Y"^^xsd:duration', 2), ('> "P3Y"^^xsd:duration', 1)):
        query = f"SELECT ?s WHERE {{ ?s kg:duration ?d FILTER (?d {compared}) }}"
        assert len(table(through_dialect(virtuoso, prefix + query))) == found, compared


def test_a_release_with_other_durations_is_refused(virtuoso: Virtuoso, stores: Path) -> None:
    """A duration with days or times Virtuoso would not give back whole (P1Y2D as 12 months):
    the publish is refused before the store is touched, naming the line."""
    release = current(stores)
    before = graph_counts(virtuoso.sparql)
    other = stores / "releases" / "20990102T000000Z-days"
    shutil.copytree(release.path, other)
    with (other / NAMED).open("a") as dump:
        dump.write(f'<urn:s> <urn:p> "P1Y2D"^^<{XSD_DURATION}> <{RELEASE_GRAPH}x> .\n')
    with pytest.raises(QueryError, match="'P1Y2D': Virtuoso 7.2 keeps a duration as a number"):
        loader(virtuoso).publish(Release(other), virtuoso.sparql, lambda _step: None)
    assert graph_counts(virtuoso.sparql) == before


@pytest.mark.parametrize(
    ("text", "fine"),
    [("P3Y", True), ("P1Y2M", True), ("-P14M", True), ("P0Y", True), ("P1D", False),
     ("P1Y2D", False), ("PT0S", False), ("P1Y2MT0S", False), ("P", False), ("36", False)],
)  # fmt: skip
def test_only_durations_of_years_and_months_are_published(
    tmp_path: Path, text: str, fine: bool
) -> None:
    dump = tmp_path / NAMED
    dump.write_text(
        f'<urn:s> <urn:q> "P1D" <urn:g> .\n<urn:s> <urn:p> "{text}"^^<{XSD_DURATION}> <urn:g> .\n'
    )
    if fine:
        check_durations(dump)
    else:
        with pytest.raises(QueryError, match=f"line 2 of {NAMED} holds the duration '{text}'"):
            check_durations(dump)


@pytest.mark.parametrize(
    ("months", "text"),
    [(36, "P3Y"), (48, "P4Y"), (14, "P1Y2M"), (1, "P1M"), (12, "P1Y"), (-13, "-P1Y1M"),
     (0, "PT0S")],
)  # fmt: skip
def test_a_number_of_months_is_written_as_pyoxigraph_writes_the_duration(
    months: int, text: str
) -> None:
    assert duration_text(months) == text
    spelled = f"P{abs(months)}M" if months else "P0M"
    store = ox.Store()
    constant = f"{'-' if months < 0 else ''}{spelled}"
    solutions = store.query(f'SELECT ?d WHERE {{ BIND ("{constant}"^^<{XSD_DURATION}> AS ?d) }}')
    assert isinstance(solutions, ox.QuerySolutions)
    assert [row["d"] for row in solutions] == [
        ox.Literal(text, datatype=ox.NamedNode(XSD_DURATION))
    ]


RECORDED_DURATION_JSON = (
    b'\n{ "head": { "link": [], "vars": ["d", "z", "t", "s"] },\n  "results": { "distinct": '
    b'false, "ordered": true, "bindings": [\n    { "d": { "type": "typed-literal", "datatype": '
    b'"http://www.w3.org/2001/XMLSchema#duration", "value": "36" }\t, "z": { "type": '
    b'"typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#duration", "value": "0.0" '
    b'}\t, "t": { "type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#duration"'
    b', "value": "86400.0" }\t, "s": { "type": "literal", "value": "36" }} ] } }'
)
"""Virtuoso 7.2's JSON of the durations P3Y, P0Y and P1D, and of STR() of the first."""
RECORDED_DURATION_TRIPLES = (
    b"<https://w3id.org/kggraph/id/project/davao-waste-management-grassroots-1>\t<https://w3id"
    b'.org/kggraph/ontology#duration>\t"36"^^<http://www.w3.org/2001/XMLSchema#duration> .\n'
    b'<urn:s9>\t<urn:d>\t"-13"^^<http://www.w3.org/2001/XMLSchema#duration> .\n'
    b'<http://x/a>\t<http://x/b>\t"x\\" \\"36\\"^^<http://www.w3.org/2001/XMLSchema#duration>'
    b' ." .\n'
)
"""A CONSTRUCT's N-Triples from Virtuoso 7.2 (P3Y and -P1Y1M), and a string whose text looks
like such a duration, which stays a string."""


def test_recorded_durations() -> None:
    row = json.loads(standard_json(RECORDED_DURATION_JSON))["results"]["bindings"][0]
    assert row["d"] == {"type": "literal", "datatype": XSD_DURATION, "value": "P3Y"}
    assert row["z"] == {"type": "literal", "datatype": XSD_DURATION, "value": "PT0S"}
    assert row["t"]["value"] == "86400.0"  # days and times are seconds: not ours to guess
    assert row["s"] == {"type": "literal", "value": "36"}
    nt = {"Content-Type": BY_NAME["n-triples"].media_type}
    first, negative, text = list(
        ox.parse(DIALECT.check(200, nt, RECORDED_DURATION_TRIPLES), format=ox.RdfFormat.N_TRIPLES)
    )
    assert first.object == ox.Literal("P3Y", datatype=ox.NamedNode(XSD_DURATION))
    assert negative.object == ox.Literal("-P1Y1M", datatype=ox.NamedNode(XSD_DURATION))
    assert text.object == ox.Literal(f'x" "36"^^<{XSD_DURATION}> .')
