"""``kggraph publish --to``: put a release into a SPARQL store, as one step for its readers.

What a store holds after a publish is what the embedded store holds (``Release.open_store``):
the merged graph (``kggraph.nt``, distinct triples) as the default graph and every source
file's named graph (``kggraph.nq``), plus one more named graph, ``RELEASE_GRAPH``, holding the
release's version (``<DATASET> owl:versionInfo "RELEASE"``). The web processes in front of the
store read that version (``kggraph.query.remote``, which names that graph and the query) and
serve the documents of the release folder of the same name, so their ETags agree.

The default graph is loaded explicitly rather than taken as the union of the named graphs:
Oxigraph's union default graph counts a triple stated in two graphs twice, and it would hold
the version too, so answers would differ from the embedded store's. A store must therefore
not be served with ``--union-default-graph``; the check after loading catches that.

Each store kind is a ``StoreLoader``; ``kggraph.cli.publish.LOADERS`` lists them (one line
each) and ``--kind auto`` picks the one whose ``recognises`` accepts the store's ``Server``
header. ``OxigraphLoader`` is here: see its docstring for why its load is atomic.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Protocol

import pyoxigraph as ox

from kggraph import __version__
from kggraph.core.errors import InvalidArgument, QueryError, QueryUnavailable
from kggraph.core.formats import BY_NAME
from kggraph.core.namespaces import OWL
from kggraph.dataset.identity import DATASET
from kggraph.graph.release import MERGED, NAMED, Release
from kggraph.query.protocol import SPARQL_UPDATE
from kggraph.query.remote import RELEASE_GRAPH as RELEASE_GRAPH  # the loaders' too
from kggraph.query.remote import VERSION_QUERY as VERSION_QUERY

COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
"""The triples of the default graph: after a publish, the release's distinct triples."""
TIMEOUT_S = 600.0
"""How long a load may take before we stop waiting for the store's answer."""

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Published:
    """What a publish did: which release, how many triples and quads, in what time."""

    version: str
    triples: int
    quads: int
    seconds: float
    where: str


class StoreLoader(Protocol):
    """One kind of store: how to recognise it, and how to load a release into it."""

    kind: str

    def recognises(self, server: str) -> bool:
        """True if a ``Server`` response header of this value is this kind of store."""
        ...

    def publish(self, release: Release, url: str, progress: Progress) -> Published:
        """Replace what the store at ``url`` holds with ``release``, as one step for readers;
        raise ``QueryUnavailable`` (unreachable) or ``QueryError`` (refused)."""
        ...


def release_quads(release: Release) -> Iterator[ox.Quad]:
    """Every quad a store gets: the merged graph as the default graph, the named graphs, and
    the version triple in ``RELEASE_GRAPH``."""
    merged, named = release.path / MERGED, release.path / NAMED
    for path in (merged, named):
        if not path.is_file():
            raise InvalidArgument("the release has no such dump", location=str(path))
    yield from ox.parse(path=merged, format=BY_NAME["n-triples"].rdf_format)
    yield from ox.parse(path=named, format=BY_NAME["n-quads"].rdf_format)
    yield version_quad(release.version)


def version_quad(version: str) -> ox.Quad:
    """``<DATASET> owl:versionInfo "version"`` in ``RELEASE_GRAPH``."""
    return ox.Quad(
        ox.NamedNode(DATASET),
        ox.NamedNode(str(OWL.versionInfo)),
        ox.Literal(version),
        ox.NamedNode(RELEASE_GRAPH),
    )


def http_url(url: str) -> str:
    """``url`` without a trailing slash; ``InvalidArgument`` unless it is http(s) with a host."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidArgument(f"not an http(s) URL of a store: {url!r}")
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def send(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
    timeout: float = 30.0,
) -> tuple[bytes, dict[str, str]]:  # fmt: skip
    """The body and headers of a GET (or a POST of ``data``) to ``url``. A store that cannot be
    reached is ``QueryUnavailable``; an error status is ``QueryError`` with the store's words."""
    request = urllib.request.Request(  # noqa: S310 - http_url checked the scheme
        url, data=data, headers={"User-Agent": f"kggraph/{__version__}", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.read(), dict(response.headers.items())
    except urllib.error.HTTPError as err:
        text = err.read().decode("utf-8", "replace").strip()
        first = text.splitlines()[0][:500] if text else str(err.reason)
        raise QueryError(f"the store at {url} refused it ({err.code}): {first}") from None
    except urllib.error.URLError as err:
        raise QueryUnavailable(f"cannot reach the store at {url}: {err.reason}") from None
    except TimeoutError:
        raise QueryUnavailable(f"no answer from the store at {url} within {timeout:g} s") from None


def server_of(url: str) -> str:
    """The ``Server`` header the store at ``url`` answers with (any status), or ``""``."""
    request = urllib.request.Request(url, headers={"User-Agent": f"kggraph/{__version__}"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return str(response.headers.get("Server", ""))
    except urllib.error.HTTPError as err:
        return str(err.headers.get("Server", ""))
    except (urllib.error.URLError, TimeoutError) as err:
        reason = getattr(err, "reason", err)
        raise QueryUnavailable(f"cannot reach the store at {url}: {reason}") from None


def choose(kind: str, url: str, loaders: dict[str, StoreLoader]) -> StoreLoader:
    """The loader of ``kind``; for ``auto``, the one named by the URL's scheme
    (``virtuoso://…``), else the one that recognises the store at ``url`` by its answer."""
    if kind != "auto":
        if kind not in loaders:
            raise InvalidArgument(f"no store kind {kind!r}: use one of auto, {', '.join(loaders)}")
        return loaders[kind]
    scheme = urllib.parse.urlsplit(url.strip()).scheme
    if scheme in loaders:
        return loaders[scheme]
    server = server_of(http_url(url))
    for loader in loaders.values():
        if loader.recognises(server):
            return loader
    said = f"it answers as {server!r}" if server else "it names no Server"
    raise InvalidArgument(
        f"cannot tell which store answers at {url} ({said}): give --kind {'|'.join(loaders)}"
    )


def select_values(endpoint: str, query: str) -> list[str]:
    """The first column of a SELECT's answer from a SPARQL endpoint, as strings."""
    accept = BY_NAME["sparql-json"].content_type
    url = endpoint + "?" + urllib.parse.urlencode({"query": query})
    body, _ = send(url, headers={"Accept": accept})
    parsed = ox.parse_query_results(body, format=BY_NAME["sparql-json"].results_format)
    if not isinstance(parsed, ox.QuerySolutions):
        raise QueryError(f"the store at {endpoint} answered a SELECT with no table")
    return [str(row[0].value) for row in parsed if row[0] is not None]


def check_loaded(endpoint: str, release: Release, expected_triples: int) -> None:
    """Ask the store what it now holds: the release's version and its triple count, else
    ``QueryError`` saying what differs."""
    versions = select_values(endpoint, VERSION_QUERY)
    if versions != [release.version]:
        raise QueryError(
            f"after loading, the store at {endpoint} names release(s) {versions or 'none'}, "
            f"not {release.version}"
        )
    count = int(select_values(endpoint, COUNT_QUERY)[0])
    if count != expected_triples:
        raise QueryError(
            f"the default graph of the store at {endpoint} holds {count} triples, the release "
            f"{expected_triples}: is the store served with --union-default-graph? kggraph loads "
            "the merged graph as the default graph; serve the store without that option"
        )


def update_text(quads: Iterator[ox.Quad]) -> tuple[str, int]:
    """One SPARQL update replacing the whole store with ``quads``: ``DROP ALL`` then one
    ``INSERT DATA`` (the default graph's triples, then one ``GRAPH`` block per graph). Also
    gives the number of quads."""
    default: list[str] = []
    graphs: dict[str, list[str]] = {}
    count = 0
    for quad in quads:
        line = f"{quad.subject} {quad.predicate} {quad.object} ."
        if isinstance(quad.graph_name, ox.DefaultGraph):
            default.append(line)
        else:
            graphs.setdefault(str(quad.graph_name), []).append(line)
        count += 1
    parts = ["DROP SILENT ALL ;", "INSERT DATA {", *default]
    for graph, lines in graphs.items():
        parts += [f"GRAPH {graph} {{", *lines, "}"]
    parts.append("}")
    return "\n".join(parts) + "\n", count


class OxigraphLoader:
    """Oxigraph server (``oxigraph serve``, read-write) over HTTP.

    The load is ONE SPARQL update request, ``DROP ALL ; INSERT DATA { … }``, posted to the
    server's ``/update``. Oxigraph runs an update request in a single transaction, and its
    readers read snapshots, so a query sees the previous release or the new one, never an empty
    or half-loaded store. The alternatives are not atomic: ``PUT /store`` clears the store in
    one transaction and loads in another, and ``POST /store`` cannot remove the old graphs; and
    versioned graph names would change the graph IRIs the queries and the service description
    name. The whole release travels in one request and is held in memory by the server while it
    commits: fine for this graph (a few MB); for a large one, load offline (``--location``).
    """

    kind = "oxigraph"

    def recognises(self, server: str) -> bool:
        return server.lower().startswith("oxigraph")

    def publish(self, release: Release, url: str, progress: Progress) -> Published:
        base = oxigraph_base(url)
        started = time.monotonic()
        progress(f"Checking the store at {base}")
        select_values(base + "/query", "SELECT * WHERE { } LIMIT 1")
        progress(f"Reading release {release.version}")
        text, quads = update_text(release_quads(release))
        progress(f"Loading {quads} quads into {base} in one transaction")
        send(
            base + "/update",
            data=text.encode("utf-8"),
            headers={"Content-Type": f"{SPARQL_UPDATE}; charset=utf-8"},
            timeout=TIMEOUT_S,
        )
        progress("Checking what the store now holds")
        triples = release.read_manifest().triples.total
        check_loaded(base + "/query", release, triples)
        return Published(release.version, triples, quads, time.monotonic() - started, base)


OXIGRAPH_PATHS = ("/query", "/update", "/store")


def oxigraph_base(url: str) -> str:
    """Oxigraph server's address from its address or one of its endpoints' (``…/query``)."""
    base = http_url(url)
    for path in OXIGRAPH_PATHS:
        if base.endswith(path):
            return base[: -len(path)]
    return base
