"""The SPARQL servers under test: how to start each on a free port, wait for it, and stop it.

Each server runs in the run's work folder (so ``kggraph serve`` finds no sources there to
rebuild from: it serves the release the benchmark published) as its own process group
(``start_new_session``), so stopping it also stops the processes it started (uvicorn workers,
query workers). It is always stopped, on errors and on Ctrl-C too. Its output goes to
``<name>.log`` in the work folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from kggraph import __version__
from kggraph.core.formats import BY_NAME
from kggraph.graph.manifest import Manifest, ReleaseFile, SourceCount, TripleCounts
from kggraph.graph.release import MANIFEST, MERGED, RELEASE_FORMAT

HOST = "127.0.0.1"
PROBE = "ASK { ?s ?p ?o }"
LOAD_TIMEOUT = 900.0
"""Seconds oxigraph may take to take in the data file."""
N_TRIPLES = BY_NAME["n-triples"].media_type
OURS_ENV = {
    "KGGRAPH_QUERY_TIMEOUT": "60",
    "KGGRAPH_MAX_ROWS": "1000000",
    # the load generator is many clients behind one address: its per-client budgets are set
    # far above what a run spends (still counted on every request, as in service), else the
    # default of 5 queries at once would answer most of a run at 8 clients with 429
    "KGGRAPH_CLIENT_CONCURRENCY": "10000",
    "KGGRAPH_CLIENT_BUDGET_SECONDS": "100000",
    "KGGRAPH_CLIENT_BURST_SECONDS": "100000",
}


class ServerFailed(RuntimeError):
    """A server did not start, or stopped answering."""


def tool(name: str) -> str:
    """An executable of the virtual environment the benchmark runs in, else from ``PATH``."""
    beside = Path(sys.executable).with_name(name)
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Server:
    """How to run one server: its command for a port, the path of its SPARQL endpoint."""

    name: str
    path: str
    command: Callable[[int], list[str]]
    env: dict[str, str] = field(default_factory=dict)
    load: Callable[[str], None] | None = None
    """Called with the base URL once the server answers, to load the data into it."""


def oxigraph(data: Path, *, timeout: float) -> Server:
    """``oxigraph serve`` with its in-memory store, loaded by POSTing the file to ``/store``."""

    def load(base: str) -> None:
        with data.open("rb") as body:
            answer = httpx.post(
                f"{base}/store?default",
                content=body,
                headers={"Content-Type": "application/n-triples"},
                timeout=LOAD_TIMEOUT,
            )
        if answer.status_code not in (200, 201, 204):
            raise ServerFailed(f"oxigraph refused the data: {answer.status_code} {answer.text}")

    return Server(
        "oxigraph",
        "/query",
        lambda port: [tool("oxigraph"), "serve", "--bind", f"{HOST}:{port}"],
        load=load,
    )


def rdflib_endpoint(data: Path) -> Server:
    """``rdflib-endpoint serve FILE`` (an rdflib in-memory graph; SPARQL at ``/``)."""
    return Server(
        "rdflib-endpoint",
        "/",
        lambda port: (
            [tool("rdflib-endpoint"), "serve", str(data), "--host", HOST] + ["--port", str(port)]
        ),
    )


def ours_available() -> str | None:
    """``None`` if ``kggraph serve`` exists, else why not."""
    try:
        done = subprocess.run(
            [tool("kggraph"), "serve", "--help"], capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        return str(err)
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        return lines[-1] if lines else f"exit code {done.returncode}"
    return None


def publish(data: Path, out: Path) -> Path:
    """A release folder ``out/releases/bench-<hash>`` holding ``data``, made ``out/current``."""
    digest, triples = hashlib.sha256(), 0
    with data.open("rb") as stream:
        for line in stream:
            digest.update(line)
            if line.strip() and not line.startswith(b"#"):
                triples += 1
    version = f"bench-{digest.hexdigest()[:12]}"
    release = out / "releases" / version
    release.mkdir(parents=True, exist_ok=True)
    target = release / MERGED
    if not target.exists():
        try:
            os.link(data, target)
        except OSError:
            shutil.copyfile(data, target)
    listed = ReleaseFile(MERGED, data.stat().st_size, digest.hexdigest(), N_TRIPLES)
    (release / MANIFEST).write_text(_manifest(data, triples, listed).to_json(), "utf-8")
    current = out / "current"
    if current.is_symlink() or current.exists():
        current.unlink()
    current.symlink_to(Path("releases") / version)
    return release


def _manifest(data: Path, triples: int, listed: ReleaseFile) -> Manifest:
    """The manifest of a release of one N-Triples file, as ``kggraph serve`` reads it: the
    benchmark data is no build of the project, so it has no classes counted nor named graphs."""
    return Manifest(
        name="kggraph",
        version=__version__,
        format=RELEASE_FORMAT,
        built_at=dt.datetime.now(dt.UTC).replace(microsecond=0),
        triples=TripleCounts(triples, {"data": triples}),
        classes={},
        fiscal_years_derived=0,
        violations=0,
        warnings=0,
        sources=(SourceCount(str(data), "data", triples),),
        graphs={},
        files=(listed,),
    )


def ours(data: Path, out: Path, *, cache: bool, settings: dict[str, str] | None = None) -> Server:
    """``kggraph serve`` on a release of ``data``; the result cache off unless ``cache``."""
    publish(data, out)
    env = {**OURS_ENV, **(settings or {}), "KGGRAPH_OUTPUT": str(out)}
    if not cache:
        env["KGGRAPH_CACHE_ENTRIES"] = "0"
    return kggraph_serve("ours (cache on)" if cache else "ours", env)


def kggraph_serve(name: str, env: dict[str, str]) -> Server:
    """``kggraph serve`` on the release already published where ``env`` points, as it is
    (``--no-build``), without an access log (oxigraph serve logs no line per request either)."""
    return Server(
        name,
        "/sparql",
        lambda port: [
            tool("kggraph"),
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
            "--no-access-log",
            "--no-build",
        ],
        env=env,
    )


@dataclass
class Running:
    server: Server
    port: int
    process: subprocess.Popen[bytes]
    log: Path
    started: float = field(default_factory=time.monotonic)

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def url(self) -> str:
        return self.base + self.server.path

    def log_tail(self, lines: int = 15) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def probe(self, timeout: float) -> bool:
        """True if the endpoint answers a tiny query with a 200 within ``timeout`` seconds."""
        try:
            answer = httpx.get(
                self.url,
                params={"query": PROBE},
                headers={"Accept": "application/sparql-results+json"},
                timeout=timeout,
            )
        except httpx.HTTPError:
            return False
        return answer.status_code == 200


def _environ(server: Server) -> dict[str, str]:
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KGGRAPH_")}
    return {**inherited, **server.env}


def start(server: Server, logs: Path, *, ready_timeout: float) -> Running:
    """Start ``server`` on a free port; return once it answers (and holds the data)."""
    started, port = time.monotonic(), free_port()
    log = logs / (re.sub(r"[^a-z0-9]+", "-", server.name.lower()).strip("-") + ".log")
    with log.open("ab") as sink:
        process = subprocess.Popen(
            server.command(port),
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=_environ(server),
            cwd=logs,
            start_new_session=True,
        )
    running = Running(server, port, process, log, started)
    try:
        _wait_ready(running, ready_timeout)
        if server.load is not None:
            server.load(running.base)
    except BaseException:
        stop(running)
        raise
    return running


def _wait_ready(running: Running, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            raise ServerFailed(
                f"{running.server.name} exited with {running.process.returncode}:\n"
                + running.log_tail()
            )
        if running.probe(timeout=5):
            return
        time.sleep(0.2)
    raise ServerFailed(f"{running.server.name} did not answer within {limit:.0f} s")


def stop(running: Running) -> None:
    """Stop the server's process group: SIGTERM, then SIGKILL after 10 s."""
    process = running.process
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)  # anything the server left in its group


class Handle:
    """A started server that can be restarted (a fresh process, the data loaded again)."""

    def __init__(self, server: Server, logs: Path, *, ready_timeout: float) -> None:
        self._args = (server, logs)
        self._ready_timeout = ready_timeout
        self.current = start(server, logs, ready_timeout=ready_timeout)
        self.restarts = 0

    def restart(self) -> None:
        stop(self.current)
        self.current = start(*self._args, ready_timeout=self._ready_timeout)
        self.restarts += 1

    def wait_idle(self, limit: float) -> float:
        """Seconds until the server answers a tiny query; restart it if that takes > ``limit``."""
        start_at = time.monotonic()
        if not self.current.probe(timeout=limit):
            self.restart()
        return time.monotonic() - start_at


@contextlib.contextmanager
def running(server: Server, logs: Path, *, ready_timeout: float) -> Iterator[Handle]:
    """The server, started; stopped when the block ends, however it ends."""
    handle = Handle(server, logs, ready_timeout=ready_timeout)
    try:
        yield handle
    finally:
        stop(handle.current)
