"""Dereferenceable IRIs, resource pages, class indexes and search, over real HTTP.

Every expectation is read from the published dump (``kggraph.nt`` of the session build) or
asked of the server's own SPARQL endpoint, never copied from what the pages print.

Every IRI of the dump is asked for in Turtle and must answer with its triples. The other
formats and the HTML pages are asked for a sample (``sample``): a few IRIs of every kind,
chosen so that every property, incoming property and kind of literal of the kind is in it.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from collections import defaultdict
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pyoxigraph as ox
import pytest
import rdflib
from rdflib import Literal, URIRef

from kggraph.core.namespaces import BASE_IRI, ID_IRI, KG, PROV, RDF, RDFS, XSD
from kggraph.publish.build import BuildResult
from tests.conftest import PUBLIC_URL, Server

TURTLE = {"Accept": "text/turtle"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
FORMATS = {
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
EXTENSIONS = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}
DALIAN = ID_IRI + "city/dalian"
HAIPHONG = ID_IRI + "city/haiphong"
AGREEMENT = ID_IRI + "agreement/kitakyushu-haiphong-sister-city-2014"
LOCATOR_SCRIPTS = {
    "/static/d3-array/d3-array.min.js",
    "/static/d3-geo/d3-geo.min.js",
    "/static/topojson-client/topojson-client.min.js",
    "/static/kggraph/locator.js",
}
"""The scripts of a place's locator map, the one script a linked-data page may have."""


@pytest.fixture(scope="module")
def dump(built: BuildResult) -> rdflib.Graph:
    """The published merged graph, read with rdflib (not with the server's code)."""
    graph = rdflib.Graph()
    graph.parse(Path(built.release) / "kggraph.nt", format="nt")
    return graph


@pytest.fixture(scope="module")
def entities(dump: rdflib.Graph) -> list[URIRef]:
    """Every IRI under …/id/ that the dump holds, as subject or object."""
    found = {t for s, _, o in dump for t in (s, o) if isinstance(t, URIRef)}
    return sorted(t for t in found if str(t).startswith(ID_IRI))


SAMPLE_LEAST = 3
"""IRIs of each kind in the sample at least; a kind with fewer is in it whole."""
Feature = tuple[str, rdflib.term.Node, rdflib.term.Node | None, str | None]


def kind_of(iri: URIRef) -> str:
    """``city`` for ``…/id/city/dalian``."""
    return str(iri).removeprefix(ID_IRI).split("/")[0]


def _features(dump: rdflib.Graph, entity: URIRef) -> set[Feature]:
    """What a description or page of ``entity`` shows: each property it has, each property it
    is the value of, each kind of literal it has (property, datatype, language)."""
    found: set[Feature] = {("in", p, None, None) for p in dump.predicates(None, entity)}
    for p, o in dump.predicate_objects(entity):
        found.add(("out", p, None, None))
        if isinstance(o, Literal):
            found.add(("literal", p, o.datatype, o.language))
    return found


def _covering(members: list[URIRef], features: dict[URIRef, set[Feature]]) -> list[URIRef]:
    """Of ``members`` (sorted), the first that has most of the features still missing, until
    none is missing; then evenly spaced members up to ``SAMPLE_LEAST``."""
    missing = set().union(*features.values())
    picked: list[URIRef] = []
    while missing:
        best = max(members, key=lambda member: len(features[member] & missing))
        picked.append(best)
        missing -= features[best]
    spaced = members[:: max(1, len(members) // SAMPLE_LEAST)]
    picked += [m for m in spaced if m not in picked][: max(0, SAMPLE_LEAST - len(picked))]
    return sorted(picked)


@pytest.fixture(scope="module")
def kinds(dump: rdflib.Graph, entities: list[URIRef]) -> dict[str, dict[URIRef, set[Feature]]]:
    """The IRIs of each kind (``/id/<kind>/``), each with its features."""
    found: dict[str, dict[URIRef, set[Feature]]] = defaultdict(dict)
    for entity in entities:
        found[kind_of(entity)][entity] = _features(dump, entity)
    return found


@pytest.fixture(scope="module")
def sample(kinds: dict[str, dict[URIRef, set[Feature]]]) -> list[URIRef]:
    """A few IRIs of every kind, the same every run (about 90 of the 630)."""
    return [iri for members in kinds.values() for iri in _covering(sorted(members), members)]


@pytest.fixture(scope="module")
def client(server: Server) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as session:
        yield session


def path_of(iri: str) -> str:
    return "/" + iri.removeprefix(BASE_IRI)


FETCHES = 4
"""Requests in flight at once when a test asks for hundreds: the server answers one while the
test reads another, where one at a time each waited for the other."""


def fetch_all(
    client: httpx.Client, requests: Sequence[tuple[URIRef, str]]
) -> Iterator[httpx.Response]:
    """The answers to GET each IRI's path with ``Accept`` as given, in order."""
    with ThreadPoolExecutor(FETCHES) as pool:
        yield from pool.map(
            lambda request: client.get(path_of(request[0]), headers={"Accept": request[1]}),
            requests,
        )


def parsed(body: bytes, fmt: str) -> rdflib.Graph:
    """``body`` read by rdflib (whose JSON-LD reader still builds a deprecated ConjunctiveGraph
    inside: that warning is rdflib's own business)."""
    graph = rdflib.Graph()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=body, format=fmt)
    return graph


def _term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return Literal(term.value, datatype=None if datatype == str(XSD.string) else datatype)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    raise TypeError(f"no RDF 1.1 term: {term}")


def turtle_triples(body: bytes) -> set[tuple[rdflib.term.Node, ...]]:
    """``body``, Turtle, read by pyoxigraph (ten times faster than rdflib), as rdflib terms to
    compare with the dump, which rdflib read."""
    return {
        (_term(t.subject), _term(t.predicate), _term(t.object))
        for t in ox.parse(body, format=ox.RdfFormat.TURTLE)
    }


def label(dump: rdflib.Graph, iri: str, lang: str) -> str:
    found = [o for o in dump.objects(URIRef(iri), RDFS.label) if o.language == lang]
    assert len(found) == 1, f"{iri} should have one @{lang} label in the dump"
    return str(found[0])


def page_text(response: httpx.Response) -> str:
    return html.unescape(response.text)


# --- descriptions: every IRI of the dump, every format ----------------------------------------


def test_the_dump_has_entities_to_check(entities: list[URIRef]) -> None:
    kinds = {kind_of(e) for e in entities}
    assert len(entities) > 300
    assert {"city", "agreement", "org", "company", "project", "source"} <= kinds


def test_the_sample_has_every_kind_and_all_it_shows(
    kinds: dict[str, dict[URIRef, set[Feature]]], entities: list[URIRef], sample: list[URIRef]
) -> None:
    assert len(sample) == len(set(sample)) < len(entities) / 4
    for kind, members in kinds.items():
        mine = [iri for iri in sample if kind_of(iri) == kind]
        assert len(mine) >= min(len(members), SAMPLE_LEAST), kind
        shown = set().union(*(members[iri] for iri in mine))
        assert shown == set().union(*members.values()), kind


@pytest.mark.slow
def test_every_iri_answers_turtle_with_its_triples(
    client: httpx.Client, dump: rdflib.Graph, entities: list[URIRef]
) -> None:
    failures = []
    answers = fetch_all(client, [(entity, TURTLE["Accept"]) for entity in entities])
    for entity, response in zip(entities, answers, strict=True):
        if response.status_code != 200 or not response.headers["content-type"].startswith(
            "text/turtle"
        ):
            failures.append(f"{entity}: {response.status_code} {response.headers['content-type']}")
            continue
        graph = turtle_triples(response.content)
        own = set(dump.triples((entity, None, None)))
        incoming = set(dump.triples((None, None, entity)))
        missing = (own | incoming) - graph
        if missing:
            failures.append(f"{entity}: {len(missing)} triples missing, e.g. {min(missing)}")
        neighbours = {o for _, _, o in own if isinstance(o, URIRef)} | {s for s, _, _ in incoming}
        for n in neighbours:
            if set(dump.triples((n, RDFS.label, None))) - graph:
                failures.append(f"{entity}: the labels of its neighbour {n} are missing")
    assert not failures, "\n".join(failures[:20])


@pytest.mark.slow
def test_every_kind_of_iri_answers_every_rdf_format_with_the_same_triples(
    client: httpx.Client, sample: list[URIRef]
) -> None:
    failures = []
    accepts = [TURTLE["Accept"], *FORMATS]
    answers = fetch_all(client, [(entity, accept) for entity in sample for accept in accepts])
    for entity in sample:
        turtle = set(parsed(next(answers).content, "turtle"))
        for media_type, fmt in FORMATS.items():
            response = next(answers)
            if response.status_code != 200 or media_type not in response.headers["content-type"]:
                failures.append(f"{entity} as {media_type}: {response.status_code}")
            elif set(parsed(response.content, fmt)) != turtle:
                failures.append(f"{entity} as {media_type}: not the same triples as Turtle")
    assert not failures, "\n".join(failures[:20])


def test_the_description_keeps_the_persistent_iris(client: httpx.Client) -> None:
    graph = parsed(client.get(path_of(DALIAN), headers=TURTLE).content, "turtle")
    subjects = {str(s) for s in graph.subjects()}
    assert DALIAN in subjects
    assert not any(s.startswith(str(client.base_url)) for s in subjects)


@pytest.mark.parametrize("extension", sorted(EXTENSIONS))
def test_extension_addresses_answer_their_format_whatever_accept_says(
    client: httpx.Client, dump: rdflib.Graph, extension: str
) -> None:
    media_type, fmt = EXTENSIONS[extension]
    response = client.get(f"{path_of(DALIAN)}.{extension}", headers=BROWSER)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "content-location" not in response.headers
    assert set(dump.triples((URIRef(DALIAN), None, None))) <= set(parsed(response.content, fmt))


def test_the_html_extension_is_the_page(client: httpx.Client, dump: rdflib.Graph) -> None:
    response = client.get(path_of(DALIAN) + ".html", headers=TURTLE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Accept-Language" in response.headers["vary"]
    assert f'<h1 lang="en">{label(dump, DALIAN, "en")}</h1>' in page_text(response)


@pytest.mark.parametrize(
    ("accept", "media_type", "extension"),
    [
        ("text/turtle", "text/turtle", "ttl"),
        ("application/ld+json", "application/ld+json", "jsonld"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/rdf+xml", "application/rdf+xml", "rdf"),
        (BROWSER["Accept"], "text/html", "html"),
        ("text/turtle;q=0.5, application/ld+json", "application/ld+json", "jsonld"),
        ("*/*", "text/html", "html"),
    ],
)
def test_negotiation_answers_directly_with_vary_and_content_location(
    client: httpx.Client, server: Server, accept: str, media_type: str, extension: str
) -> None:
    response = client.get(path_of(DALIAN), headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    vary = {v.strip().lower() for v in response.headers["vary"].split(",")}
    assert {"accept", "accept-language"} <= vary
    assert response.headers["content-location"] == f"{server.url}{path_of(DALIAN)}.{extension}"
    alternates = response.headers["link"]
    for other in {"ttl", "jsonld", "nt", "rdf", "html"} - {extension}:
        assert f'<{server.url}{path_of(DALIAN)}.{other}>; rel="alternate"' in alternates


def test_an_unknown_media_type_gets_406(client: httpx.Client) -> None:
    response = client.get(path_of(DALIAN), headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["content-type"].startswith("text/plain")
    assert "text/turtle" in response.text and response.text.count("\n") == 1


def test_head_answers_like_get_without_a_body(client: httpx.Client) -> None:
    response = client.head(path_of(DALIAN), headers=TURTLE)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    assert response.content == b""


# --- 404 ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/id/city/atlantis", "/id/nowhere", "/id/city/a%20b", "/id/city/x.html"]
)
def test_unknown_iris_get_a_404_page_with_a_search_box(
    client: httpx.Client, server: Server, path: str
) -> None:
    response = client.get(path, headers=BROWSER)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert f'<form class="search big" action="{server.url}/search"' in response.text
    assert "<html lang=" in response.text


def test_unknown_iris_get_one_line_of_text_for_programs(client: httpx.Client) -> None:
    response = client.get("/id/city/atlantis", headers=TURTLE)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text == (
        f"404 Not Found: there is no resource <{ID_IRI}city/atlantis> in the graph\n"
    )


def test_an_empty_kind_is_404(client: httpx.Client) -> None:
    assert client.get("/id/atlantis/", headers=BROWSER).status_code == 404


def test_a_404_under_a_known_kind_links_its_list(client: httpx.Client, server: Server) -> None:
    response = client.get("/id/city", headers=BROWSER)
    assert response.status_code == 404
    assert f'<a class="kind" href="{server.url}/id/city/">' in response.text
    assert client.get(f"{server.url}/id/city/", headers=BROWSER).status_code == 200


# --- pages ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_every_kind_of_iri_has_a_page_with_its_labels_dates_and_sections(
    client: httpx.Client, dump: rdflib.Graph, sample: list[URIRef], server: Server
) -> None:
    failures = []
    answers = fetch_all(client, [(entity, BROWSER["Accept"]) for entity in sample])
    for entity, response in zip(sample, answers, strict=True):
        if response.status_code != 200:
            failures.append(f"{entity}: {response.status_code}")
            continue
        text = page_text(response)
        failures += [f"{entity}: {p}" for p in _page_problems(dump, entity, text, server.url)]
    assert not failures, "\n".join(failures[:20])


def _page_problems(dump: rdflib.Graph, entity: URIRef, text: str, base: str) -> list[str]:
    problems = []
    english = [o for o in dump.objects(entity, RDFS.label) if o.language == "en"]
    if english and f">{english[0]}</h1>" not in text:
        problems.append(f"no <h1> with the label {english[0]!r}")
    for prop in (KG.date, KG.startDate, KG.endDate, KG.foundingDate, KG.asOf):
        for iso in dump.objects(entity, prop):
            if f">{iso}</time>" not in text:
                problems.append(f"the date {iso} is not shown")
    for prop in (KG.dateText, KG.startDateText, KG.endDateText, KG.fiscalYearText, KG.asOfText):
        for era in dump.objects(entity, prop):
            if str(era) not in text:
                problems.append(f"the era text {era} is not shown")
    for section in dump.objects(entity, PROV.wasDerivedFrom):
        number = dump.value(section, KG.sectionNumber)
        if f'href="{base}{path_of(section)}"' not in text or f">{number}</span>" not in text:
            problems.append(f"the section {number} is not linked")
    for _, _, neighbour in dump.triples((entity, None, None)):
        if str(neighbour).startswith(ID_IRI) and f'href="{base}{path_of(neighbour)}"' not in text:
            problems.append(f"no link to its neighbour {neighbour}")
    scripts = set(re.findall(r'<script src="[^"]*?(/static/[^"]+)"', text))
    if text.count("<script") != len(scripts) or not scripts <= LOCATOR_SCRIPTS:
        problems.append("the page has a script besides its locator map's")
    return problems


def test_a_page_groups_incoming_links_by_property(
    client: httpx.Client, dump: rdflib.Graph, server: Server
) -> None:
    text = page_text(client.get(path_of(HAIPHONG), headers=BROWSER))
    incoming = text.split('<section class="incoming">')[1].split("</section>")[0]
    for subject, prop, _ in dump.triples((None, None, URIRef(HAIPHONG))):
        assert f'title="kg:{str(prop).rsplit("#", 1)[1]}"' in incoming
        assert f'href="{server.url}{path_of(subject)}"' in incoming


def test_a_city_page_links_the_agreements_of_its_government(
    client: httpx.Client, dump: rdflib.Graph, server: Server
) -> None:
    governments = set(dump.subjects(KG.governmentOf, URIRef(HAIPHONG)))
    agreements = {a for g in governments for a in dump.subjects(KG.party, g)}
    assert URIRef(AGREEMENT) in agreements
    text = page_text(client.get(path_of(HAIPHONG), headers=BROWSER))
    via = text.split('<section class="via">')[1].split("</section>")[0]
    for agreement in agreements:
        assert f'href="{server.url}{path_of(agreement)}"' in via


def test_a_page_shows_dates_in_iso_and_in_the_source_era_form(
    client: httpx.Client, dump: rdflib.Graph
) -> None:
    iso = str(dump.value(URIRef(AGREEMENT), KG.date))
    era = str(dump.value(URIRef(AGREEMENT), KG.dateText))
    text = page_text(client.get(path_of(AGREEMENT), headers=BROWSER))
    row = re.search(r"<td class=\"iso\">(.*?)</td>\s*<td class=\"era\" lang=\"ja\">(.*?) <", text)
    assert row is not None
    assert f'datetime="{iso}"' in row.group(1)
    assert row.group(2) == era


def test_a_derived_date_is_written_in_the_era_form_too(
    client: httpx.Client, dump: rdflib.Graph
) -> None:
    year = URIRef(ID_IRI + "fiscal-year/2016")
    start = dump.value(year, KG.startDate)
    assert str(start) == "2016-04-01"
    text = page_text(client.get(path_of(year), headers=BROWSER))
    assert f'datetime="{start}">{start}</time>' in text
    assert "平成28年4月1日" in text  # 2016 is Heisei 28 (1989 is Heisei 1)


def test_a_page_shows_the_section_of_the_source_and_the_sections_above(
    client: httpx.Client, dump: rdflib.Graph, server: Server
) -> None:
    text = page_text(client.get(path_of(AGREEMENT), headers=BROWSER))
    source = text.split('<section class="source">')[1].split("</section>")[0]
    for section in dump.objects(URIRef(AGREEMENT), PROV.wasDerivedFrom):
        assert f'href="{server.url}{path_of(section)}"' in source
        parent = dump.value(section, KG.partOfSection)
        assert f'href="{server.url}{path_of(parent)}"' in source
        assert label(dump, str(section), "en") in source


def test_a_page_links_its_machine_readable_forms_and_a_describe_query(
    client: httpx.Client, dump: rdflib.Graph, server: Server
) -> None:
    text = client.get(path_of(DALIAN), headers=BROWSER).text
    for extension, (media_type, _) in EXTENSIONS.items():
        address = f"{server.url}{path_of(DALIAN)}.{extension}"
        assert f'<link rel="alternate" type="{media_type}" href="{address}">' in text
    editor = re.search(r'<a class="describe" href="([^"]+)"', text)
    assert editor is not None
    fragment = parse_qs(urlsplit(html.unescape(editor.group(1))).fragment)
    assert fragment["query"] == [f"DESCRIBE <{DALIAN}>"]
    run = re.search(r'href="([^"]+)">run it \(Turtle\)', text)
    assert run is not None
    answer = client.get(html.unescape(run.group(1)))
    assert answer.status_code == 200
    assert set(dump.triples((URIRef(DALIAN), None, None))) <= set(parsed(answer.content, "turtle"))


def own_links(text: str) -> list[str]:
    """The links of a page but those of its section of links to other datasets, which lead
    outside (GeoNames, Wikidata) by design."""
    return re.findall(
        r'href="([^"]+)"',
        re.sub(r'<section class="outside">.*?</section>', "", text, flags=re.DOTALL),
    )


def test_page_links_point_at_this_server(client: httpx.Client, server: Server) -> None:
    text = client.get(path_of(HAIPHONG), headers=BROWSER).text
    hrefs = own_links(text)
    ours = [h for h in hrefs if not h.startswith("?")]
    assert ours and all(h.startswith(server.url + "/") for h in ours), ours
    assert not any(h.startswith("https://w3id.org") for h in hrefs)


def test_pages_are_made_for_phones_and_need_no_javascript(client: httpx.Client) -> None:
    """A page needs no script; a place with coordinates has one extra, its locator map, drawn
    from this server's files, whose coordinates are written out for a reader without script."""
    text = client.get(path_of(AGREEMENT), headers=BROWSER).text
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in text
    assert "<script" not in text
    city = client.get(path_of(HAIPHONG), headers=BROWSER).text
    scripts = set(re.findall(r'<script src="[^"]*?(/static/[^"]+)"', city))
    assert scripts == LOCATOR_SCRIPTS and city.count("<script") == len(LOCATOR_SCRIPTS)
    assert 'id="locator"' in city and "POINT(" in city
    css = client.get("/static/kggraph/pages.css")
    assert css.status_code == 200 and "@media (max-width:" in css.text


# --- language ---------------------------------------------------------------------------------


def test_accept_language_chooses_the_page_language(
    client: httpx.Client, dump: rdflib.Graph
) -> None:
    ja = client.get(path_of(AGREEMENT), headers={**BROWSER, "Accept-Language": "ja,en;q=0.5"})
    assert ja.headers["content-language"] == "ja"
    assert '<html lang="ja">' in ja.text
    assert f'<h1 lang="ja">{label(dump, AGREEMENT, "ja")}</h1>' in page_text(ja)
    en = client.get(path_of(AGREEMENT), headers={**BROWSER, "Accept-Language": "en-GB,ja;q=0.8"})
    assert en.headers["content-language"] == "en"
    assert f'<h1 lang="en">{label(dump, AGREEMENT, "en")}</h1>' in page_text(en)
    assert ja.headers["etag"] != en.headers["etag"]


def test_the_switch_overrides_accept_language_and_is_kept_in_links(
    client: httpx.Client, dump: rdflib.Graph, server: Server
) -> None:
    page = client.get(path_of(HAIPHONG), headers={**BROWSER, "Accept-Language": "ja"})
    assert '<a lang="en" hreflang="en" href="?lang=en">English</a>' in page.text
    switched = client.get(
        path_of(HAIPHONG) + "?lang=en", headers={**BROWSER, "Accept-Language": "ja"}
    )
    assert f'<h1 lang="en">{label(dump, HAIPHONG, "en")}</h1>' in page_text(switched)
    links = re.findall(rf'href="{re.escape(server.url)}/id/([^"]+)"', switched.text)
    pages = [link for link in links if not link.endswith((".ttl", ".jsonld", ".nt", ".rdf"))]
    assert len(pages) > 10 and all(link.endswith("lang=en") for link in pages)


def test_labels_fall_back_to_the_other_language(client: httpx.Client, dump: rdflib.Graph) -> None:
    # skos:Concept is labelled in English only: a Japanese page names it with that label or the
    # page's own word for it, never with nothing
    concept = next(
        s for s in dump.subjects(RDF.type, rdflib.SKOS.Concept) if str(s).startswith(ID_IRI)
    )
    assert not [o for o in dump.objects(rdflib.SKOS.Concept, RDFS.label) if o.language == "ja"]
    text = page_text(client.get(path_of(concept) + "?lang=ja", headers=BROWSER))
    types = text.split('<p class="types">')[1].split("</p>")[0]
    assert re.search(r">[^<\s]+</span></a>", types)
    # a class labelled in both languages is named in the page's language
    assert '<span lang="ja">' in types


# --- indexes and search -----------------------------------------------------------------------


def _sparql_counts(client: httpx.Client) -> dict[tuple[str, str], int]:
    query = f"""SELECT ?s ?class WHERE {{ ?s a ?class FILTER(STRSTARTS(STR(?s), "{ID_IRI}")) }}"""
    answer = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    counts: dict[tuple[str, str], set[str]] = {}
    for row in json.loads(answer.content)["results"]["bindings"]:
        kind = row["s"]["value"].removeprefix(ID_IRI).split("/")[0]
        counts.setdefault((kind, row["class"]["value"]), set()).add(row["s"]["value"])
    return {key: len(members) for key, members in counts.items()}


def test_the_class_index_counts_equal_sparql_counts(client: httpx.Client) -> None:
    expected = _sparql_counts(client)
    text = page_text(client.get("/id/", headers=BROWSER))
    shown = {
        (kind, cls): int(n)
        for kind, cls, n in re.findall(r'data-kind="([^"]+)" data-class="([^"]+)">(\d+)<', text)
    }
    assert shown == expected
    assert ("city", str(KG.City)) in shown


def test_the_class_index_counts_each_resource_once_per_kind(
    client: httpx.Client, dump: rdflib.Graph
) -> None:
    text = page_text(client.get("/id/", headers=BROWSER))
    totals = {
        k: int(n) for k, n in re.findall(r'<td class="count" data-kind="([^"]+)">(\d+)<', text)
    }
    typed = {s for s, _, _ in dump.triples((None, RDF.type, None)) if str(s).startswith(ID_IRI)}
    expected: dict[str, int] = {}
    for s in typed:
        kind = str(s).removeprefix(ID_IRI).split("/")[0]
        expected[kind] = expected.get(kind, 0) + 1
    assert totals == expected


def test_the_class_index_is_bilingual(client: httpx.Client, dump: rdflib.Graph) -> None:
    city_ja = [o for o in dump.objects(KG.City, RDFS.label) if o.language == "ja"][0]
    text = page_text(client.get("/id/?lang=ja", headers=BROWSER))
    assert f'<span lang="ja">{city_ja}</span>' in text


def test_a_kind_lists_its_resources_by_label(
    client: httpx.Client, dump: rdflib.Graph, server: Server
) -> None:
    cities = {s for s in dump.subjects(RDF.type, KG.City) if str(s).startswith(ID_IRI + "city/")}
    text = page_text(client.get("/id/city/", headers=BROWSER))
    listed = re.findall(
        rf'<td><a href="{re.escape(server.url)}/id/(city/[^"]+)"><span lang="en">([^<]+)<', text
    )
    assert {ID_IRI + path for path, _ in listed} == {str(c) for c in cities}
    names = [name for _, name in listed]
    assert names == sorted(names, key=str.casefold)


def test_a_kind_filtered_by_class(client: httpx.Client, dump: rdflib.Graph) -> None:
    contracts = set(dump.subjects(RDF.type, KG.WaterBusinessContract))
    text = client.get(
        "/id/project/", params={"class": "kg:WaterBusinessContract"}, headers=BROWSER
    ).text
    assert text.count("<td><a href=") == len(contracts)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("大連", DALIAN),
        ("Dalian", DALIAN),
        ("dALIAN", DALIAN),
        ("フォン", HAIPHONG),
        ("ODA", ID_IRI + "programme/oda"),
    ],
)
def test_search_finds_labels_in_both_languages(
    client: httpx.Client, server: Server, q: str, expected: str
) -> None:
    response = client.get("/search", params={"q": q}, headers=BROWSER)
    assert response.status_code == 200
    assert f'href="{server.url}{path_of(expected)}"' in response.text


def test_search_finds_exactly_the_labels_that_contain_the_text(
    client: httpx.Client, dump: rdflib.Graph, server: Server
) -> None:
    names = (RDFS.label, rdflib.SKOS.prefLabel, rdflib.SKOS.altLabel)
    expected = {
        str(s)
        for p in names
        for s, o in dump.subject_objects(p)
        if str(s).startswith(ID_IRI) and isinstance(o, Literal) and "大連" in str(o)
    }
    text = client.get("/search", params={"q": "大連"}, headers=BROWSER).text
    found = set(re.findall(rf'<li><a href="{re.escape(server.url)}/id/([^"]+)"', text))
    assert {ID_IRI + f for f in found} == expected
    # the exact name first
    assert found and text.index(path_of(DALIAN) + '"') < min(
        text.index(path_of(ID_IRI + f) + '"') for f in found if ID_IRI + f != DALIAN
    )


def test_search_without_text_shows_the_form_and_refuses_long_text(client: httpx.Client) -> None:
    assert client.get("/search", headers=BROWSER).status_code == 200
    assert client.get("/search", params={"q": "x" * 201}).status_code == 400
    response = client.get("/search", params={"q": 'x" } ; DROP ALL ; #'}, headers=BROWSER)
    assert response.status_code == 200 and '<ol class="hits">' not in response.text


# --- caching ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (path_of(DALIAN), BROWSER),
        (path_of(DALIAN), TURTLE),
        (path_of(DALIAN) + ".jsonld", {}),
        ("/id/", BROWSER),
        ("/id/city/", BROWSER),
        ("/search?q=" + quote("大連"), BROWSER),
    ],
)
def test_etag_last_modified_and_304(
    client: httpx.Client, built: BuildResult, path: str, headers: dict[str, str]
) -> None:
    first = client.get(path, headers=headers)
    assert first.status_code == 200
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert built.manifest.built_at.date().isoformat() in _iso(modified)
    again = client.get(path, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    since = client.get(path, headers={**headers, "If-Modified-Since": modified})
    assert since.status_code == 304
    older = client.get(
        path, headers={**headers, "If-Modified-Since": "Mon, 01 Jan 2001 00:00:00 GMT"}
    )
    assert older.status_code == 200
    other = client.get(path, headers={**headers, "If-None-Match": 'W/"something-else"'})
    assert other.status_code == 200


def _iso(http_date: str) -> str:
    from email.utils import parsedate_to_datetime

    return parsedate_to_datetime(http_date).date().isoformat()


def test_formats_have_their_own_etags(client: httpx.Client) -> None:
    tags = {
        client.get(path_of(DALIAN), headers={"Accept": media_type}).headers["etag"]
        for media_type in ("text/html", "text/turtle", "application/ld+json")
    }
    assert len(tags) == 3


# --- behind a proxy ---------------------------------------------------------------------------


@pytest.mark.slow
def test_links_follow_the_public_url(published: Server) -> None:
    base = PUBLIC_URL.rstrip("/")
    response = httpx.get(published.url + path_of(HAIPHONG), headers=BROWSER)
    hrefs = [h for h in own_links(response.text) if not h.startswith("?")]
    assert hrefs and all(h.startswith(base + "/") for h in hrefs), hrefs
    assert f'href="{base}/id/country/vietnam"' in response.text
    turtle = httpx.get(published.url + path_of(HAIPHONG), headers=TURTLE)
    assert turtle.headers["content-location"] == f"{base}{path_of(HAIPHONG)}.ttl"
