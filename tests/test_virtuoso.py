"""Virtuoso Open Source as kggraph's store (issue 16): ``kggraph publish --kind virtuoso`` loads
the real build into a real Virtuoso (Debian's, started on loopback by ``tests.virtuoso``), and
``kggraph.query.virtuoso.VirtuosoDialect`` turns its quirks into clean answers: each quirk is
provoked on the real server where it can be, and checked on recorded bytes besides."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from kggraph.cli.publish import LOADERS
from kggraph.core.errors import QueryError, QueryUnavailable
from kggraph.core.formats import BY_NAME
from kggraph.graph.release import NAMED, Release
from kggraph.publish.build import BuildResult
from kggraph.publish.to_store import RELEASE_GRAPH, VERSION_QUERY, choose, select_values
from kggraph.publish.to_virtuoso import EXCLUDE_RELEASE, Isql, VirtuosoLoader
from tests.clirun import kggraph
from tests.conftest import free_port
from tests.virtuoso import PASSWORD, USER, Virtuoso, running_virtuoso

pytestmark = pytest.mark.slow

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
    return Counter(quad.graph_name.value for quad in quads)  # type: ignore[union-attr]


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
