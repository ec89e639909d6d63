"""``kggraph publish --location DIR``: an Oxigraph database folder for a read-only server.

For a deployment that serves the store read-only (``oxigraph serve-read-only --location DIR``),
the release is loaded offline with Oxigraph's own loader, ``oxigraph load``, into a staging
folder beside ``DIR``; the folder is checked with ``oxigraph query`` (it names the release) and
only then renamed to ``DIR``. A failed load leaves no folder behind. The switch for readers is
the operator's: start the read-only server on the new folder (and stop the old one), so a
reader sees one release or the other. ``DIR`` must be new or empty: a folder is never loaded
into twice, as its old graphs would stay.

The database holds what ``kggraph.publish.to_store`` gives any store: the merged graph as the
default graph, the named graphs, and the release's version in ``RELEASE_GRAPH``; serve it
without ``--union-default-graph``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kggraph.core.errors import BuildError, InvalidArgument, NotFound, QueryError
from kggraph.core.formats import BY_NAME
from kggraph.graph.release import MERGED, NAMED, Release
from kggraph.publish.to_store import VERSION_QUERY, Progress, Published, version_quad

COMMAND = "oxigraph"
"""Oxigraph's command-line tool (PyPI ``oxigraph``, in the ``dev`` extra)."""


def oxigraph_command() -> str | None:
    """The ``oxigraph`` command: on the PATH, or beside this Python (an unactivated venv)."""
    found = shutil.which(COMMAND)
    if found:
        return found
    beside = Path(sys.executable).parent / COMMAND
    return str(beside) if beside.is_file() and os.access(beside, os.X_OK) else None


def _run(command: list[str], what: str) -> str:
    """Run one ``oxigraph`` command; its stdout, or ``QueryError`` with its last words."""
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        lines = (done.stderr or done.stdout).strip().splitlines()
        raise QueryError(f"oxigraph could not {what}: {lines[-1] if lines else done.returncode}")
    return done.stdout


def _check_target(location: Path) -> None:
    if location.exists() and (not location.is_dir() or any(location.iterdir())):
        raise InvalidArgument(
            "is not a new or empty folder: publish into a fresh folder, then point "
            "`oxigraph serve-read-only --location` at it",
            location=str(location),
        )
    if not location.parent.is_dir():
        raise NotFound("there is no such folder", location=str(location.parent))


def load_folder(release: Release, location: Path, progress: Progress) -> Published:
    """Load ``release`` into a new Oxigraph database at ``location``."""
    command = oxigraph_command()
    if command is None:
        raise NotFound("the `oxigraph` command is not installed: pip install oxigraph")
    _check_target(location)
    started = time.monotonic()
    staging = Path(tempfile.mkdtemp(prefix=f".{location.name}.loading-", dir=location.parent))
    try:
        with tempfile.TemporaryDirectory() as scratch:
            version = Path(scratch) / "release.nq"
            ox.serialize([version_quad(release.version)], version, BY_NAME["n-quads"].rdf_format)
            files = [release.path / MERGED, release.path / NAMED, version]
            progress(f"Loading release {release.version} with `oxigraph load`")
            args = [arg for path in files for arg in ("--file", str(path))]
            _run([command, "load", "--location", str(staging), *args], "load the release")
        progress("Checking what the folder now holds")
        answer = _run(
            [command, "query", "--location", str(staging), "--query", VERSION_QUERY,
             "--results-format", BY_NAME["tsv"].extension],
            "read the folder back",
        )  # fmt: skip
        if f'"{release.version}"' not in answer:
            raise QueryError(f"the loaded folder does not name release {release.version}")
        _move(staging, location)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    triples = release.read_manifest().triples.total
    with (release.path / NAMED).open("rb") as named:
        quads = sum(1 for _ in named) + triples + 1
    return Published(release.version, triples, quads, time.monotonic() - started, str(location))


def _move(staging: Path, location: Path) -> None:
    try:
        if location.is_dir():
            location.rmdir()  # empty, as _check_target found it
        staging.rename(location)
    except OSError as err:
        raise BuildError(f"cannot move the loaded folder there: {err.strerror}",
                         location=str(location)) from None  # fmt: skip
