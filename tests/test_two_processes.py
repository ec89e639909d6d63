"""A stateless web tier (issue 16, part 3): two ``kggraph serve`` processes on one published
release answer alike, so a client, a cache or a reverse proxy may ask either.

Each process is started with its own ``PYTHONHASHSEED``, so an answer that depended on the
order of a set or a dict (or on anything else of the process: its clock, its workers' ids)
would differ between them. The checks compare, for the SPARQL endpoint, a resource page in
HTML and Turtle, a canned query, VoID, the catalog and a dump: status, body, ``ETag``,
``Last-Modified`` and the caching headers; and each answers ``304`` to the other's ``ETag``.
Both are asked with the same ``Host``, as a reverse proxy in front of them passes on the
client's: without ``KGGRAPH_PUBLIC_URL`` that is where a page's links point.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from kggraph.core.config import Settings
from kggraph.core.formats import BY_NAME, HTML
from kggraph.core.namespaces import ID_IRI, RDFS, VOCAB_IRI
from kggraph.publish.build import build
from tests.conftest import Server, start_server, stop_server, write_small_project

pytestmark = pytest.mark.slow

HOST = "data.example.org"
"""The host every request names, as a proxy in front of both processes passes it on."""
SAME = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Content-Type", "Kggraph-Version")
"""Headers a cache keeps with an answer: equal from both processes."""
PER_PROCESS = {"health": "/health"}
"""What is of one process by design (its workers' ids and memory): never cached (no
``Cache-Control``), so no proxy hands it to another client."""

COUNTRIES = ("Alphaland", "Betaland", "Gammaland", "Deltaland", "Epsilonland", "Zetaland")
MORE_COUNTRIES = "".join(
    f"""kgid:country\\/{name.lower()} a kg:Country ;
    rdfs:label "{name}"@en , "{name}国"@ja ;
    prov:wasDerivedFrom kgid:source\\/small\\/s1 .
"""
    for name in COUNTRIES
)
"""More countries than the small project's one, so that lists (the country index, query
answers, VoID's counts) have an order that a set's iteration could scramble."""
PREFIXES = """@prefix kg:   <https://w3id.org/kggraph/ontology#> .
@prefix kgid: <https://w3id.org/kggraph/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""

SELECT = (
    f"SELECT ?s ?label WHERE {{ ?s a <{VOCAB_IRI}Country> ; <{RDFS.label}> ?label }} "
    "ORDER BY ?label"
)
DESCRIBE = f"DESCRIBE <{ID_IRI}country/testland>"
PAGE = {"Accept": HTML.media_type}
TURTLE = {"Accept": BY_NAME["turtle"].media_type}
RESULTS = {"Accept": BY_NAME["sparql-json"].media_type}
ANSWERS: dict[str, tuple[str, dict[str, str]]] = {
    "sparql": ("/sparql?" + urlencode({"query": SELECT}), RESULTS),
    "describe": ("/sparql?" + urlencode({"query": DESCRIBE}), TURTLE),
    "page-html": ("/id/country/testland", PAGE),
    "page-ja": ("/id/country/testland", {**PAGE, "Accept-Language": "ja"}),
    "page-turtle": ("/id/country/testland", TURTLE),
    "index": ("/id/country/", PAGE),
    "canned": ("/queries/label-search?text=land", {}),
    "canned-csv": ("/queries/label-search?text=land", {"Accept": BY_NAME["csv"].media_type}),
    "void": ("/.well-known/void", {}),
    "void-html": ("/.well-known/void", PAGE),
    "catalog": ("/catalog", {}),
    "dump": ("/dumps/kggraph.ttl", {"Accept-Encoding": "identity"}),
    "dump-gzip": ("/dumps/kggraph.nt", {"Accept-Encoding": "gzip"}),
    "dumps": ("/dumps/", PAGE),
    "search": ("/search?q=land", PAGE),
    "map": ("/explore/map.json", {}),
    "network": ("/network", {}),
    "network-stats": ("/network/stats", {}),
    "timeline": ("/explore/timeline.json", {}),
}
"""Answers a cache keeps and revalidates, each a path and the request's headers. The network
API's are computed by each process (communities, centralities), so they must agree all the
more: a 304 from one process holds for the other's copy."""


@pytest.fixture(scope="module")
def output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small project, with a few more countries, built and published once."""
    root = write_small_project(
        tmp_path_factory.mktemp("two-processes"), more=PREFIXES + MORE_COUNTRIES
    )
    settings = Settings(root=root, output=root / "dist")
    build(settings)
    return settings.output_dir


@pytest.fixture(scope="module")
def pair(output: Path) -> Iterator[tuple[Server, Server]]:
    """Two ``kggraph serve`` processes on the same release, each with its own hash seed."""
    started: list[Server] = []
    try:
        for seed in ("1", "2"):
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("PYTHONHASHSEED", seed)
                started.append(start_server(output, output / f"web-{seed}.log", via_cli=True))
        yield started[0], started[1]
    finally:
        for server in started:
            stop_server(server)


def ask(server: Server, path: str, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(server.url + path, headers={"Host": HOST, **headers}, timeout=30)


@pytest.mark.parametrize("name", ANSWERS)
def test_both_processes_give_the_same_answer(pair: tuple[Server, Server], name: str) -> None:
    """The same status, body and caching headers; and each process answers ``304`` to the
    ``ETag`` the other gave."""
    path, headers = ANSWERS[name]
    answers = [ask(server, path, headers) for server in pair]
    first, second = answers
    assert first.status_code == second.status_code == 200, (first.text, second.text)
    assert first.content == second.content
    for header in SAME:
        assert first.headers.get(header) == second.headers.get(header), header
    assert "public" in first.headers["Cache-Control"]
    if name.startswith(("sparql", "canned", "index")):  # answers with several rows agree
        assert first.text.count("land") >= len(COUNTRIES)
    for answer, other in zip(answers, pair[::-1], strict=True):
        tag = answer.headers["ETag"]
        held = ask(other, path, {**headers, "If-None-Match": tag})
        assert held.status_code == 304, held.text
        assert held.headers["ETag"] == tag and not held.content


def test_pages_link_to_the_host_asked_for(pair: tuple[Server, Server]) -> None:
    """What makes the pages of both processes equal behind one proxy: their links follow the
    ``Host`` passed on, not the address each process listens on."""
    for server in pair:
        page = ask(server, *ANSWERS["page-html"]).text
        assert f"http://{HOST}/id/country/testland" in page
        assert server.url not in page


def test_what_is_of_one_process_is_not_cacheable(pair: tuple[Server, Server]) -> None:
    first, second = (ask(server, PER_PROCESS["health"], {}) for server in pair)
    assert first.json()["version"] == second.json()["version"]
    pids = [{w["pid"] for w in answer.json()["workers"]} for answer in (first, second)]
    assert not pids[0] & pids[1]  # different processes indeed
    for answer in (first, second):
        assert "Cache-Control" not in answer.headers and "ETag" not in answer.headers


def test_the_processes_are_seeded_differently(pair: tuple[Server, Server]) -> None:
    """The comparison means something only if the processes would order sets differently."""
    seeds = set()
    for server in pair:
        environ = Path(f"/proc/{server.process.pid}/environ").read_bytes().split(b"\0")
        seeds |= {v for v in environ if v.startswith(b"PYTHONHASHSEED=")}
    assert len(seeds) == 2, seeds
