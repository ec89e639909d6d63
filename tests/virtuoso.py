"""Virtuoso Open Source for the tests: Debian's ``virtuoso-opensource`` started on loopback.

``running_virtuoso`` copies the package's ``virtuoso.ini`` into a temporary folder, points its
database files there, puts its ISQL and HTTP ports on free 127.0.0.1 ports, lets the server read
the release folder (``DirsAllowed``, for the bulk loader), starts ``virtuoso-t +foreground`` and
waits until ``/sparql`` answers (about 3 s: the package's Conductor is not installed, since its
DAV graph is nothing of ours). It stops the server when the block ends. Without the package the
test skips (``require``), naming what is missing; in CI that is a failure.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kggraph.graph.release import Release
from kggraph.publish.build import BuildResult
from kggraph.publish.to_virtuoso import Isql, VirtuosoLoader
from tests.conftest import free_port, require

VIRTUOSO = "virtuoso-t"
ISQL = "isql-vt"
PACKAGE_INI = (
    Path("/etc/virtuoso-opensource-7/virtuoso.ini"),
    Path("/usr/share/virtuoso-opensource-7/virtuoso.ini"),
)
MISSING = "Virtuoso is not installed (Debian: apt-get install virtuoso-opensource)"
USER, PASSWORD = "dba", "dba"
"""A new database's administrator, as Virtuoso creates it; the server listens on loopback."""
START_SECONDS = 60.0
RESULT_ROWS = 100_000
"""Virtuoso's own cap on an answer's rows (``ResultSetMaxRows``; the package says 10000, as
many as kggraph's ``max_rows``, so an answer cut by Virtuoso could not be told from a whole
one): above ``max_rows``, kggraph cuts first and says so."""

_DATABASE_FILES = {"DatabaseFile", "ErrorLogFile", "LockFile", "TransactionFile",
                   "xa_persistent_file"}  # fmt: skip


@dataclass(frozen=True)
class Virtuoso:
    folder: Path
    http_port: int
    isql_port: int
    process: subprocess.Popen[bytes]

    @property
    def sparql(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def isql_url(self) -> str:
        """Where ``kggraph publish --to`` reaches its SQL port (``virtuoso://``)."""
        return f"virtuoso://{USER}:{PASSWORD}@127.0.0.1:{self.isql_port}"

    @property
    def isql(self) -> Isql:
        return Isql(f"127.0.0.1:{self.isql_port}", USER, PASSWORD)

    def publish(self, release: Release) -> None:
        """``kggraph publish --kind virtuoso`` of ``release`` into this server."""
        VirtuosoLoader(self.isql).publish(release, self.sparql, lambda _step: None)

    def log(self) -> str:
        return (self.folder / "virtuoso.out").read_text(errors="replace")


def configure(ini: str, folder: Path, *, isql_port: int, http_port: int, allowed: Path) -> str:
    """The package's ini with its files in ``folder``, its ports on loopback and ``allowed``
    readable by the server; every other line as the package has it."""
    section, lines = "", []
    for line in ini.splitlines():
        heading = re.match(r"\s*\[(.+)\]", line)
        section = heading.group(1) if heading else section
        key = line.split("=", 1)[0].strip() if "=" in line and not line.startswith(";") else ""
        if key in _DATABASE_FILES:
            line = f"{key} = {folder / Path(line.split('=', 1)[1].strip()).name}"
        elif key == "ServerPort" and section in ("Parameters", "HTTPServer"):
            port = isql_port if section == "Parameters" else http_port
            line = f"ServerPort = 127.0.0.1:{port}"
        elif key == "DirsAllowed":
            line = f"DirsAllowed = {allowed}"
        elif key == "VADInstallDir":
            line = f"VADInstallDir = {folder / 'vad'}"
        elif key == "ResultSetMaxRows":
            line = f"ResultSetMaxRows = {RESULT_ROWS}"
        elif key == "DefaultHost" and section == "URIQA":
            line = f"DefaultHost = 127.0.0.1:{http_port}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def _wait_until_up(server: Virtuoso) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"virtuoso-t exited: {server.log()[-2000:]}")
        try:
            answer = httpx.get(server.sparql, params={"query": "ASK {}"}, timeout=1)
            if answer.status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    server.process.kill()
    raise RuntimeError(f"virtuoso-t did not start: {server.log()[-2000:]}")


def _package_ini() -> Path | None:
    return next((path for path in PACKAGE_INI if path.exists()), None)


@contextmanager
def running_virtuoso(folder: Path, allowed: Path) -> Iterator[Virtuoso]:
    """A fresh Virtuoso with its database in ``folder`` that may read files under ``allowed``."""
    binary, isql, ini = shutil.which(VIRTUOSO), shutil.which(ISQL), _package_ini()
    require(binary is not None and isql is not None and ini is not None, MISSING)
    assert binary is not None and ini is not None
    (folder / "vad").mkdir(parents=True, exist_ok=True)
    isql_port, http_port = free_port(), free_port()
    config = folder / "virtuoso.ini"
    text = configure(ini.read_text(), folder, isql_port=isql_port, http_port=http_port,
                     allowed=allowed)  # fmt: skip
    config.write_text(text)
    command = [binary, "+foreground", "+configfile", str(config)]
    with (folder / "virtuoso.out").open("wb") as sink:
        process = subprocess.Popen(command, cwd=folder, stdout=sink, stderr=subprocess.STDOUT)
    server = Virtuoso(folder, http_port, isql_port, process)
    try:
        _wait_until_up(server)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module", name="virtuoso_store")
def virtuoso_store_fixture(
    built: BuildResult, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Virtuoso]:
    """A Virtuoso for the module with the session build published into it (import it:
    ``from tests.virtuoso import virtuoso_store_fixture``, then ask for ``virtuoso_store``)."""
    with running_virtuoso(tmp_path_factory.mktemp("virtuoso"), built.release.parent) as server:
        server.publish(Release(built.release))
        yield server
