"""Pages over HTTP mark what the editors added, with the reason, in English and in Japanese.

A small project (the real ontology and shapes, a few nodes of its own) is built and served by a
real server: a company whose seat the editors added, and a project whose start date they read
as approximate (EDTF ``1975~``). Its statement and reason nodes have pages of their own.
"""

from __future__ import annotations

import html
import re
import shutil
from collections.abc import Iterator

import httpx
import pyoxigraph as ox
import pytest

from kggraph.core.config import Settings
from kggraph.core.namespaces import ID_IRI
from kggraph.pages.describe import PAGE, THIS
from kggraph.publish.build import build
from tests.conftest import ROOT, Server, start_server, stop_server
from tests.test_editorial import ADDED, NODES, NOTES, PREFIXES, SOURCE

pytestmark = pytest.mark.slow

DATED = """
@prefix xsd:  <http://www.w3.org/2001/XMLSchema#> .
@prefix edtf: <http://id.loc.gov/datatypes/edtf/> .
kgid:project\\/test-training a kg:Project ;
    rdfs:label "Test training"@en , "試験研修"@ja ;
    kg:implementer kgid:org\\/test-company ;
    kg:location kgid:country\\/testland ;
    kg:startDate "1975"^^xsd:gYear ;
    kg:startDateText "昭和50年半ば"@ja ;
    prov:wasDerivedFrom kgid:source\\/test\\/s1 .
"""
READ = """
@prefix edtf: <http://id.loc.gov/datatypes/edtf/> .
kgid:project\\/test-training kg:startDateEDTF "1975~"^^edtf:EDTF .
kgid:editorial-reason\\/approximate a kg:EditorialReason ;
    rdfs:label "Approximate date"@en , "おおよその日付"@ja ;
    rdfs:comment "The text says mid-1975; the paragraph suggests around 1980."@en ,
        "本文は昭和50年半ばと記すが、段落からは1980年頃とも読める。"@ja ;
    kg:editorialBasis kgid:concept\\/editorial-basis\\/date-reading .
kgid:editorial\\/test-training-start a kg:EditorialStatement ;
    rdf:subject kgid:project\\/test-training ;
    rdf:predicate kg:startDateEDTF ;
    rdf:object "1975~"^^edtf:EDTF ;
    kg:reason kgid:editorial-reason\\/approximate ;
    prov:wasAttributedTo <https://w3id.org/kggraph/catalog#publisher> ;
    prov:wasDerivedFrom kgid:source\\/test\\/s1 .
"""
HTML = {"Accept": "text/html"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("editorial-project")
    for folder in ("ontology", "shapes"):
        shutil.copytree(ROOT / folder, root / folder)
    data = root / "data"
    data.mkdir()
    (data / "source.ttl").write_text(PREFIXES + SOURCE, encoding="utf-8")
    (data / "nodes.ttl").write_text(PREFIXES + NODES + DATED, encoding="utf-8")
    (data / "editorial.ttl").write_text(PREFIXES + ADDED + NOTES + READ, encoding="utf-8")
    build(Settings(root=root, output=root / "dist"))
    running = start_server(root / "dist", root / "server.log")
    yield running
    stop_server(running)


def _page(server: Server, path: str, lang: str) -> str:
    answer = httpx.get(f"{server.url}/id/{path}?lang={lang}", headers=HTML, timeout=30)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/html")
    return html.unescape(answer.text)


def _added(page: str) -> list[str]:
    """The marks on a page: each badge with the reason beside it, as plain text."""
    marks = re.findall(r'<span class="added">(.*?)</span></span>', page, re.DOTALL)
    return [" ".join(re.sub(r"<[^>]+>", " ", m).split()) for m in marks]


@pytest.mark.parametrize(
    ("lang", "badge", "reason"),
    [
        ("en", "added by the editors", "Seat from outside knowledge"),
        ("ja", "編集者による追加", "典拠外の知識による所在地"),
    ],
)
def test_an_added_value_is_marked_with_its_reason(
    served: Server, lang: str, badge: str, reason: str
) -> None:
    page = _page(served, "org/test-company", lang)
    (mark,) = _added(page)
    assert mark.startswith(badge) and reason in mark
    assert 'href="' + served.url + "/id/editorial/test-company-based-in" in page
    country = _page(served, "country/testland", lang)
    assert any(badge in m and reason in m for m in _added(country)), "marked where it points too"


@pytest.mark.parametrize(
    ("lang", "words", "reason"),
    [("en", "approximate", "Approximate date"), ("ja", "おおよそ", "おおよその日付")],
)
def test_a_date_read_by_the_editors_shows_its_reading(
    served: Server, lang: str, words: str, reason: str
) -> None:
    page = _page(served, "project/test-training", lang)
    row = re.search(r'<td class="iso">(.*?)</td>', page, re.DOTALL)
    assert row is not None
    cell = " ".join(re.sub(r"<[^>]+>", " ", row.group(1)).split())
    assert cell.startswith("1975 (") and words in cell and "1975~" in cell
    assert reason in cell


@pytest.mark.parametrize(
    ("lang", "title", "explains"),
    [
        ("en", "Test Company – based in – Testland", "not made by the source"),
        ("ja", "試験株式会社 – 所在地 – 試験国", "典拠にはなく"),
    ],
)
def test_a_statement_has_a_readable_page(
    served: Server, lang: str, title: str, explains: str
) -> None:
    page = _page(served, "editorial/test-company-based-in", lang)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page)
    assert heading is not None and heading.group(1) == title
    assert explains in page
    assert "/id/editorial-reason/test" in page


@pytest.mark.parametrize(("lang", "label"), [("en", "Approximate date"), ("ja", "おおよその日付")])
def test_a_reason_has_a_readable_page(served: Server, lang: str, label: str) -> None:
    page = _page(served, "editorial-reason/approximate", lang)
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page)
    assert heading is not None and heading.group(1) == label
    assert "around 1980" in page and "1980年頃" in page
    assert "/id/editorial/test-training-start" in page
    assert "Test training – " in page or "試験研修 – " in page


def test_pages_without_added_values_have_no_mark(served: Server) -> None:
    assert _added(_page(served, "source/test/s1", "en")) == []


def test_the_page_query_brings_only_the_statements_about_the_resource() -> None:
    """The statements of the page of a resource are those about it, not every statement."""
    store = ox.Store()
    turtle = PREFIXES + NODES + DATED + ADDED + NOTES + READ
    store.load(turtle.encode(), format=ox.RdfFormat.TURTLE)
    training = ox.NamedNode(ID_IRI + "project/test-training")
    found = store.query(PAGE, substitutions={ox.Variable(THIS): training})
    assert isinstance(found, ox.QueryTriples)
    subjects = {t.subject.value.removeprefix(ID_IRI) for t in found}
    assert "editorial/test-training-start" in subjects
    assert "editorial-reason/approximate" in subjects
    assert "editorial/test-company-based-in" not in subjects
    assert "editorial-reason/test" not in subjects


def test_the_documented_recipes_leave_the_editorial_graph_out(served: Server) -> None:
    """``GRAPH ?g`` with a filter, ``FROM`` and ``default-graph-uri``: the EDTF reading the
    editors added is in the union and in none of the three."""
    subject = f"<{ID_IRI}project/test-training>"
    graphs = [f"https://w3id.org/kggraph/graph/data/{name}" for name in ("nodes", "source")]
    union = f"SELECT ?o WHERE {{ {subject} ?p ?o }}"
    filtered = (
        f"SELECT ?o WHERE {{ GRAPH ?g {{ {subject} ?p ?o }} "
        "FILTER(?g != <https://w3id.org/kggraph/graph/editorial>) }"
    )
    from_clauses = "SELECT ?o " + "".join(f"FROM <{g}> " for g in graphs) + union[9:]

    def values(query: str, **extra: object) -> set[str]:
        params = {"query": query, **extra}
        answer = httpx.get(
            served.sparql,
            params=params,
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return {b["o"]["value"] for b in answer.json()["results"]["bindings"]}

    assert "1975~" in values(union)
    for answered in (
        values(filtered),
        values(from_clauses),
        values(union, **{"default-graph-uri": graphs}),
    ):
        assert "1975~" not in answered and "1975" in answered
