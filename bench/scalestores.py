"""The scale benchmark's stores: how each takes in a release, in what time, on what disk.

* Oxigraph server: ``kggraph publish --location`` (``oxigraph load`` into a new folder,
  offline), then ``oxigraph serve-read-only`` (see ``oxigraph_store`` for its time limit).
* Virtuoso Open Source: started as the tests start it (a copy of the package's ini on loopback
  ports), with the buffers its ini recommends for a machine with 8 GB free (the package's
  default, 10,000 buffers, is for a toy database), and loaded with Virtuoso's bulk loader
  (``ld_dir`` + ``rdf_loader_run``), which commits as it goes: ``kggraph publish --kind
  virtuoso`` parses the whole file in one transaction, which is one step for readers but not
  how ten million triples are loaded. Readers then see our graphs only, as after a publish.
* The embedded default: one query worker started on the release, as ``kggraph serve`` starts
  them (``Worker.launch``), its start-up time and its resident memory once it holds the graph.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import itertools
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from kggraph.core.config import load_settings
from kggraph.graph.release import NAMED, Release
from kggraph.graph.store import GRAPH_IRI
from kggraph.publish.to_folder import load_folder
from kggraph.publish.to_store import COUNT_QUERY, select_values
from kggraph.publish.to_virtuoso import Isql, version_triple
from kggraph.query.remote import RELEASE_GRAPH
from kggraph.query.virtuoso import EXCLUDE_RELEASE
from kggraph.query.workers import Worker, WorkerLimits
from procrss import rss_bytes
from scaledata import ScaleData
from servers import HOST, Server, start, stop, tool

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests import virtuoso  # noqa: E402 - the tests' own start-up of Virtuoso

CHUNK_LINES = 500_000
LOADERS = 2
"""Bulk loaders run side by side (one per core of the benchmark machine)."""
PENDING = "SELECT COUNT(*) FROM DB.DBA.load_list WHERE ll_state = 0;"
"""How many files wait for a loader (``ll_state`` 0: not started)."""
BUFFERS = {"NumberOfBuffers": 680_000, "MaxDirtyBuffers": 500_000}


@dataclass(frozen=True)
class Loaded:
    """What loading a release into a store took: wall seconds, and the store's disk or RAM."""

    store: str
    seconds: float
    bytes: int
    what: str
    """What ``bytes`` is: ``disk`` or ``RSS``."""
    note: str = ""


def held(url: str, dialect: str) -> int:
    """How many triples the store's default graph holds, as kggraph's queries see it."""
    prefix = EXCLUDE_RELEASE if dialect == "virtuoso" else ""
    return int(select_values(url, prefix + COUNT_QUERY)[0])


def folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def load_oxigraph(release: Release, location: Path) -> Loaded:
    """``kggraph publish --location`` of ``release`` into the new folder ``location``."""
    started = time.monotonic()
    load_folder(release, location, lambda _step: None)
    return Loaded("oxigraph", time.monotonic() - started, folder_bytes(location), "disk")


def oxigraph_store(location: Path, *, timeout_s: int = 0) -> Server:
    """``oxigraph serve-read-only`` on ``location``; with ``--timeout-s`` only if ``timeout_s``.

    Oxigraph server 0.5 keeps a thread per query for the whole ``--timeout-s`` (one that
    sleeps, then cancels the query if it still runs), so under load it holds about requests/s
    × timeout threads: tens of thousands at a few thousand requests/s, and then it fails
    ("Resource temporarily unavailable", then a panic). By default the benchmark serves it
    without (the tests' store has it: they send a request at a time)."""
    limit = ["--timeout-s", str(timeout_s)] if timeout_s else []
    return Server(
        "oxigraph-store",
        "/query",
        lambda port: [
            tool("oxigraph"),
            "serve-read-only",
            "--location",
            str(location),
            "--bind",
            f"{HOST}:{port}",
            *limit,
        ],  # fmt: skip
    )


@contextlib.contextmanager
def oxigraph_server(location: Path, logs: Path, *, timeout_s: int = 0) -> Iterator[str]:
    """A read-only Oxigraph server on ``location``; yields its query endpoint."""
    running = start(oxigraph_store(location, timeout_s=timeout_s), logs, ready_timeout=120)
    try:
        yield running.url
    finally:
        stop(running)


def _configure_with_buffers(
    ini: str, folder: Path, *, isql_port: int, http_port: int, allowed: Path
) -> str:
    """The tests' ini (``tests.virtuoso.configure``) with the buffers of ``BUFFERS``."""
    text = _package_configure(ini, folder, isql_port=isql_port, http_port=http_port,
                              allowed=allowed)  # fmt: skip
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0].strip()
        lines.append(f"{key} = {BUFFERS[key]}" if key in BUFFERS else line)
    return "\n".join(lines) + "\n"


_package_configure = virtuoso.configure


@contextlib.contextmanager
def virtuoso_server(folder: Path, allowed: Path) -> Iterator[virtuoso.Virtuoso]:
    """Virtuoso as the tests start it, with more buffers (see the module's text)."""
    virtuoso.configure = _configure_with_buffers  # running_virtuoso calls it by this name
    try:
        with virtuoso.running_virtuoso(folder, allowed) as server:
            yield server
    finally:
        virtuoso.configure = _package_configure


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def split_quads(release: Release, folder: Path, lines: int = CHUNK_LINES) -> int:
    """The release's N-Quads cut into files of ``lines`` lines in ``folder`` (the bulk loader
    loads a file at a time, several side by side); how many files."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    with (release.path / NAMED).open("rb") as source:
        while chunk := list(itertools.islice(source, lines)):
            (folder / f"part-{count:04d}.nq").write_bytes(b"".join(chunk))
            count += 1
    return count


def rights_sql(release: Release, graphs: Sequence[str]) -> str:
    """The version in ``RELEASE_GRAPH``, and read rights for anonymous readers on our graphs
    only, as ``kggraph publish --kind virtuoso`` leaves them."""
    version = _sql_text(version_triple(release.version))
    lines = [f"DB.DBA.TTLP ({version}, '', {_sql_text(RELEASE_GRAPH)}, 0);",
             "DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0);"]  # fmt: skip
    lines += [
        f"DB.DBA.RDF_GRAPH_USER_PERMS_SET ({_sql_text(graph)}, 'nobody', 1);"
        for graph in (*graphs, RELEASE_GRAPH)
    ]
    return "\n".join([*lines, "checkpoint;", ""])


def _loader(isql: Isql) -> None:
    """One bulk loader: a file at a time (each call well within the client's time limit),
    until no file is waiting."""
    while _count(isql.run(PENDING)) > 0:
        isql.run("rdf_loader_run (1);")


def _count(output: str) -> int:
    """The number an ``isql`` query of one count printed (after its prompt, ``SQL> 1``)."""
    for line in output.splitlines():
        word = line.removeprefix("SQL>").strip()
        if word.isdigit():
            return int(word)
    raise RuntimeError(f"isql printed no count: {output!r}")


def load_virtuoso(server: virtuoso.Virtuoso, data: ScaleData, parts: Path) -> Loaded:
    """The bulk load of the release (cut into files in ``parts``) into ``server`` by
    ``LOADERS`` loaders side by side, checkpointed; its database files' size."""
    cut = time.monotonic()
    files = split_quads(data.release, parts)
    cut = time.monotonic() - cut
    started = time.monotonic()
    isql = server.isql
    isql.run(f"ld_dir ({_sql_text(str(parts.resolve()))}, '*.nq', "
             f"{_sql_text(GRAPH_IRI + 'unnamed')});")  # fmt: skip
    with concurrent.futures.ThreadPoolExecutor(LOADERS) as pool:
        for done in [pool.submit(_loader, isql) for _ in range(LOADERS)]:
            done.result()
    isql.run("checkpoint;\n" + rights_sql(data.release, data.graphs))
    seconds = time.monotonic() - started
    failed = isql.run("SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
    note = f"bulk loader, {LOADERS} loaders, {files} files (cut in {cut:.0f} s, not counted)"
    if ".nq" in failed:
        note += f"; FAILED: {failed.strip()[-300:]}"
    size = sum(p.stat().st_size for p in server.folder.iterdir() if p.suffix in (".db", ".trx"))
    return Loaded("virtuoso", seconds, size, "disk", note)


def embedded(release: Release) -> Loaded:
    """One query worker started on ``release`` (no memory ceiling): seconds until it holds the
    graph, its RSS then; the note gives its peaks (``VmHWM``, and ``VmPeak``, the address space
    that ``KGGRAPH_WORKER_MEMORY`` limits) and that ceiling's default on this machine."""

    async def start() -> tuple[float, int, dict[str, int]]:
        started = time.monotonic()
        worker = Worker.launch(release, WorkerLimits(max_rows=10_000))
        try:
            await worker.ready(timeout=1800)
            seconds = time.monotonic() - started
            pid = worker.process.pid
            assert pid is not None
            return seconds, rss_bytes(pid) or 0, _status(pid, ("VmHWM", "VmPeak"))
        finally:
            worker.kill()

    seconds, rss, peaks = asyncio.run(start())
    ceiling = load_settings().worker_memory_bytes
    mib = 2**20
    note = (
        f"peak RSS {peaks.get('VmHWM', 0) / mib:,.0f} MiB, address space "
        f"{peaks.get('VmPeak', 0) / mib:,.0f} MiB (default ceiling here "
        f"{ceiling / mib:,.0f} MiB)"
    )
    return Loaded("embedded", seconds, rss, "RSS", note)


def _status(pid: int, keys: Sequence[str]) -> dict[str, int]:
    """Fields of ``/proc/<pid>/status`` in bytes."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    found = {}
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key in keys:
            found[key] = int(value.split()[0]) * 1024
    return found
