"""``/fragments``: Triple Pattern Fragments of the session build, checked against ``/sparql``.

Every count a fragment states is the endpoint's ``COUNT`` of the same pattern; following
``hydra:next`` from the first page gives every matching triple exactly once; each format parses
with rdflib and holds the same triples; the controls are those the specification names; a bad
part of a pattern is a ``400`` that names it. The pattern reader is also tested on its own.
"""

from __future__ import annotations

import warnings
from urllib.parse import quote

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import RDF, Literal, URIRef

from kggraph.core.errors import InvalidArgument
from kggraph.dataset.fragments import read_page, read_pattern
from tests.conftest import Server
from tests.sparqlanswers import read_json

HYDRA = rdflib.Namespace("http://www.w3.org/ns/hydra/core#")
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
FOAF_TOPIC = URIRef("http://xmlns.com/foaf/0.1/primaryTopic")
DATASET = URIRef("https://w3id.org/kggraph/catalog#dataset")
RDF_TYPE = str(RDF.type)
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
KG = "https://w3id.org/kggraph/ontology#"
DALIAN = "https://w3id.org/kggraph/id/city/dalian"
GYEAR = "http://www.w3.org/2001/XMLSchema#gYear"
QUOTED = '"The value is approximate (the source says "about")."@en'
"""A literal whose text holds double quotes, written as clients send it: unescaped."""

PATTERNS: dict[str, dict[str, str]] = {
    "everything": {},
    "predicate": {"predicate": RDF_TYPE},
    "subject": {"subject": DALIAN},
    "iri object": {"object": KG + "City"},
    "predicate and object": {"predicate": RDF_TYPE, "object": f"<{KG}City>"},
    "language literal": {"object": '"Dalian"@en'},
    "typed literal": {"object": f'"2009"^^{GYEAR}'},
    "typed literal in brackets": {"predicate": KG + "date", "object": f'"2009"^^<{GYEAR}>'},
    "quoted literal": {"object": QUOTED},
    "nothing": {"subject": "https://example.org/not-here"},
}
SPARQL_PATTERN = {
    "everything": "?s ?p ?o",
    "predicate": f"?s <{RDF_TYPE}> ?o",
    "subject": f"<{DALIAN}> ?p ?o",
    "iri object": f"?s ?p <{KG}City>",
    "predicate and object": f"?s <{RDF_TYPE}> <{KG}City>",
    "language literal": '?s ?p "Dalian"@en',
    "typed literal": f'?s ?p "2009"^^<{GYEAR}>',
    "typed literal in brackets": f'?s <{KG}date> "2009"^^<{GYEAR}>',
    "quoted literal": '?s ?p "The value is approximate (the source says \\"about\\")."@en',
    "nothing": "<https://example.org/not-here> ?p ?o",
}


def address(server: Server, params: dict[str, str]) -> str:
    """The fragment's address as a client expands the template (RFC 6570, ``{?…}``)."""
    query = "&".join(f"{k}={quote(v, safe='')}" for k, v in params.items())
    return f"{server.url}/fragments" + (f"?{query}" if query else "")


def get(url: str, accept: str = "application/trig") -> httpx.Response:
    return httpx.get(url, headers={"Accept": accept}, timeout=60)


def fragment(url: str) -> tuple[rdflib.Dataset, rdflib.Graph, rdflib.Graph]:
    """The TriG page at ``url``: the whole dataset, its default graph (the data) and its
    metadata graph (``{url}#metadata``)."""
    answer = get(url)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/trig")
    parsed = read_dataset(answer.text, "trig")
    return parsed, parsed.default_graph, parsed.graph(URIRef(url + "#metadata"))


def read_dataset(text: str, syntax: str) -> rdflib.Dataset:
    parsed = rdflib.Dataset()
    with warnings.catch_warnings():  # rdflib 7's own Dataset.parse calls what it deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        parsed.parse(data=text, format=syntax)
    return parsed


def sparql_count(server: Server, pattern: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"
    answer = httpx.get(
        server.sparql,
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=60,
    )
    found = read_json(answer.content)
    assert not isinstance(found, bool)
    term = found[1][0]["n"]
    assert term is not None
    return int(term[1])


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_the_count_is_the_endpoints(server: Server, name: str) -> None:
    url = address(server, PATTERNS[name])
    _, data, metadata = fragment(url)
    expected = sparql_count(server, SPARQL_PATTERN[name])
    assert metadata.value(URIRef(url), VOID.triples) == Literal(expected)
    assert metadata.value(URIRef(url), HYDRA.totalItems) == Literal(expected)
    assert len(data) == min(expected, 100)
    if name == "nothing":
        assert expected == 0
    else:
        assert expected > 0


def _pages(first: str) -> list[tuple[rdflib.term.Node, ...]]:
    """Every data triple of the fragment, following ``hydra:next`` from ``first``, in order."""
    found: list[tuple[rdflib.term.Node, ...]] = []
    url: str | None = first
    while url is not None:
        _, data, metadata = fragment(url)
        following = metadata.value(URIRef(url), HYDRA.next)
        assert len(data) == 100 if following is not None else len(data) <= 100
        found += [tuple(t) for t in data]
        url = str(following) if following is not None else None
        assert len(found) < 20_000, "hydra:next does not end"
    return found


@pytest.mark.parametrize("params", [{}, {"predicate": RDF_TYPE}], ids=["everything", "type"])
def test_paging_gives_every_triple_once(server: Server, params: dict[str, str]) -> None:
    triples = _pages(address(server, params))
    pattern = f"?s <{RDF_TYPE}> ?o" if params else "?s ?p ?o"
    assert len(triples) == len(set(triples)) == sparql_count(server, pattern)
    answer = httpx.get(
        server.sparql,
        params={"query": f"CONSTRUCT {{ {pattern} }} WHERE {{ {pattern} }}"},
        headers={"Accept": "application/n-triples"},
        timeout=60,
    )
    assert answer.status_code == 200
    endpoint = rdflib.Graph().parse(data=answer.text, format="nt")
    assert set(triples) == {tuple(t) for t in endpoint}


def test_paging_follows_the_spec_links(server: Server) -> None:
    base = address(server, {"predicate": RDF_TYPE})
    total = sparql_count(server, f"?s <{RDF_TYPE}> ?o")
    last = -(-total // 100)
    _, _, first = fragment(base)
    page = URIRef(base)
    assert first.value(page, HYDRA.first) == page
    assert first.value(page, HYDRA.previous) is None
    assert first.value(page, HYDRA.next) == URIRef(base + "&page=2")
    assert first.value(page, HYDRA.itemsPerPage) == Literal(100)
    url = base + f"&page={last}"
    _, data, end = fragment(url)
    assert len(data) == total - (last - 1) * 100
    assert end.value(URIRef(url), HYDRA.next) is None
    assert end.value(URIRef(url), HYDRA.previous) == URIRef(base + f"&page={last - 1}")
    assert end.value(URIRef(base), VOID.subset) == URIRef(url)
    beyond = base + f"&page={last + 5}"
    _, data, far = fragment(beyond)
    assert len(data) == 0
    assert far.value(URIRef(beyond), HYDRA.previous) is None
    assert far.value(URIRef(beyond), VOID.triples) == Literal(total)


def test_the_controls_are_the_specifications(server: Server) -> None:
    url = address(server, {"subject": DALIAN})
    parsed, data, metadata = fragment(url)
    assert metadata.value(URIRef(url + "#metadata"), FOAF_TOPIC) == URIRef(url)
    assert (DATASET, RDF.type, HYDRA.Collection) in metadata
    assert (DATASET, VOID.subset, URIRef(url)) in metadata
    form = metadata.value(DATASET, HYDRA.search)
    assert form is not None
    assert metadata.value(form, RDF.type) == HYDRA.IriTemplate
    template = str(metadata.value(form, HYDRA.template))
    assert template == f"{server.url}/fragments{{?subject,predicate,object}}"
    mappings = {
        str(metadata.value(m, HYDRA.variable)): metadata.value(m, HYDRA.property)
        for m in metadata.objects(form, HYDRA.mapping)
    }
    assert mappings == {"subject": RDF.subject, "predicate": RDF.predicate, "object": RDF.object}
    assert not any(str(p).startswith(str(HYDRA)) for _, p, _ in data)
    assert {str(s) for s, _, _ in data} == {DALIAN}


@pytest.mark.parametrize(
    ("accept", "syntax"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/n-quads", "nquads"),
        ("application/ld+json", "json-ld"),
        ("application/trig", "trig"),
    ],
)
def test_every_format_parses_with_the_same_triples(
    server: Server, accept: str, syntax: str
) -> None:
    url = address(server, {"predicate": LABEL})
    answer = get(url, accept)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith(accept)
    parsed = read_dataset(answer.text, syntax)
    labels = {(s, o) for s, p, o, _ in parsed.quads() if str(p) == LABEL}
    _, data, _ = fragment(url)
    assert labels == {(s, o) for s, _, o in data}
    counts = [o for _, p, o, _ in parsed.quads() if p == VOID.triples]
    assert counts == [Literal(sparql_count(server, f"?s <{LABEL}> ?o"))]


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"subject": "_:b0"}, "subject"),
        ({"subject": '"Dalian"@en'}, "subject"),
        ({"predicate": "not an iri"}, "predicate"),
        ({"object": '"Dalian"@not a tag'}, "object"),
        ({"object": '"Dalian"en'}, "object"),
        ({"object": '"unclosed'}, "object"),
        ({"object": '"1"^^integer'}, "object"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"graph": DALIAN}, "graph"),
    ],
)
def test_a_bad_parameter_is_a_400_that_names_it(
    server: Server, params: dict[str, str], named: str
) -> None:
    answer = get(address(server, params), "text/turtle")
    assert answer.status_code == 400, answer.text
    assert named in answer.text
    assert answer.headers["access-control-allow-origin"] == "*"


def test_a_repeated_parameter_is_refused(server: Server) -> None:
    answer = get(f"{server.url}/fragments?subject={quote(DALIAN)}&subject={quote(DALIAN)}")
    assert answer.status_code == 400
    assert "more than once" in answer.text


def test_validators_cors_head_and_fallback_format(server: Server) -> None:
    url = address(server, {"subject": DALIAN})
    first = get(url, "text/turtle")
    assert first.headers["access-control-allow-origin"] == "*"
    assert first.headers["vary"].startswith("Accept")
    again = httpx.get(
        url, headers={"Accept": "text/turtle", "If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    other = get(url, "application/trig")
    assert other.headers["etag"] != first.headers["etag"]
    head = httpx.head(url, headers={"Accept": "text/turtle"})
    assert head.status_code == 200 and head.content == b""
    odd = get(url, "image/png")
    assert odd.status_code == 200
    assert odd.headers["content-type"].startswith("text/turtle")


def test_a_browser_gets_the_pattern_form_and_the_triples(server: Server) -> None:
    url = address(server, {"subject": DALIAN})
    answer = get(url, "text/html,application/xhtml+xml,*/*;q=0.8")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    for name in ("subject", "predicate", "object"):
        assert f'<label for="tpf-{name}">' in page
    assert f'value="{DALIAN}"' in page
    assert ">Dalian</a>" in page and 'lang="en"' in page
    count = sparql_count(server, f"<{DALIAN}> ?p ?o")
    assert f"{count:,} triples match" in page


def test_the_pattern_reader() -> None:
    quoted = read_pattern(object=QUOTED)
    assert quoted.object == ox.Literal(
        'The value is approximate (the source says "about").', language="en"
    )
    typed = read_pattern(object=f'"2009"^^{GYEAR}')
    assert typed == read_pattern(object=f'"2009"^^<{GYEAR}>')
    assert typed.object == ox.Literal("2009", datatype=ox.NamedNode(GYEAR))
    assert read_pattern(subject=f"<{DALIAN}>") == read_pattern(subject=DALIAN)
    assert read_pattern(object='"x"').object == ox.Literal("x")
    same = read_pattern(subject="?x", predicate="?y", object="?x")
    assert same.same == (("subject", "object"),)
    assert same.describe() == "{ ?s ?p ?s }"
    assert read_pattern(subject="?x", object="?z").same == ()
    assert read_page(None) == 1 and read_page("12") == 12
    for bad in ("0", "-1", "1.5", "١"):
        with pytest.raises(InvalidArgument):
            read_page(bad)
    with pytest.raises(InvalidArgument, match="predicate"):
        read_pattern(predicate='"x"')
    with pytest.raises(InvalidArgument, match="longer"):
        read_pattern(subject="http://example.org/" + "a" * 3000)


def test_shared_variables_match_equal_terms(server: Server) -> None:
    url = address(server, {"subject": "?x", "object": "?x"})
    _, data, metadata = fragment(url)
    expected = sparql_count(server, "?x ?p ?x")
    assert metadata.value(URIRef(url), VOID.triples) == Literal(expected)
    assert all(s == o for s, _, o in data)


def test_the_void_description_names_the_lookup(server: Server) -> None:
    """VoID's ``void:uriLookupEndpoint``: its address with an IRI appended, URL-encoded, is the
    fragment of that subject; a server names its own address there, as it does its endpoint."""
    answer = get(server.url + "/.well-known/void", "text/turtle")
    void = rdflib.Graph().parse(data=answer.text, format="turtle")
    lookup = str(void.value(DATASET, VOID.uriLookupEndpoint))
    assert lookup == f"{server.url}/fragments?subject="
    url = lookup + quote(DALIAN, safe="")
    _, data, metadata = fragment(url)
    assert {str(s) for s, _, _ in data} == {DALIAN}
    expected = sparql_count(server, f"<{DALIAN}> ?p ?o")
    assert metadata.value(URIRef(url), VOID.triples) == Literal(expected)
