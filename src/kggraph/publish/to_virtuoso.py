"""``kggraph publish --to URL --kind virtuoso``: a release into Virtuoso Open Source, in one step.

Virtuoso keeps no default graph of its own: a query without ``FROM`` reads the union of every
graph the reader may read, Virtuoso's own graphs included (its schema graph ``virtrdf#``, the
service description, the Conductor's DAV graph). So the load does three things in ONE SQL
transaction (a stored procedure, called once through Virtuoso's ``isql``):

1. delete every quad of the graphs under ``GRAPH_IRI`` (the previous release, if any);
2. parse the release's ``kggraph.nq`` with ``DB.DBA.TTLP`` (our graph IRIs kept) and add the
   version triple in ``RELEASE_GRAPH``;
3. make the store a kggraph store for its public endpoint: anonymous readers (SQL user
   ``nobody``) may read our graphs and nothing else (Virtuoso's graph-level security,
   ``RDF_DEFAULT_USER_PERMS_SET``), so the union is the union of our graphs. The store should
   serve kggraph alone: another dataset in it is hidden from ``/sparql`` too.

Until the procedure commits, readers see the previous release; a failure rolls everything back
(an exit handler does: Virtuoso's client would otherwise commit the deletes done before the
error).
The release file travels through the server's file system: the server reads it itself, so its
folder must be under ``DirsAllowed`` in ``virtuoso.ini``, and the server must see the same path
(the same host, or a shared folder). The whole file is parsed inside one transaction: right for
this graph; a graph of millions of triples wants Virtuoso's bulk loader (``ld_dir``,
``rdf_loader_run``), which commits file by file and so is not one step for readers.

What Virtuoso's loader would change is handed to it otherwise or checked first: each
``geo:wktLiteral`` point is spelled ``POINT (x y)`` (``WKT_POINT``: the same point, which it
then keeps in doubles and writes back as the release spells it), and a release whose durations
are not all of years and months is refused before anything is deleted (``check_durations``: it
keeps a duration as a number, which ``kggraph.query.virtuoso`` writes back only for months).
The points are respelled on the server as it reads the file (``SPELLED``), in pieces of whole
lines, since Virtuoso makes no string longer than 10 MB.

What differs from the embedded store (``kggraph.query.virtuoso`` hides the first):
the version triple is in the union (the dialect leaves ``RELEASE_GRAPH`` out of the default
graph), and a triple stated in two graphs counts twice in the union, where the embedded store's
merged graph holds it once (the release has no such triple today; ``check_loaded`` would say).

The SQL port, user and password come from ``KGGRAPH_VIRTUOSO_ISQL`` (``host:port``; default
the endpoint's host and port 1111), ``KGGRAPH_VIRTUOSO_USER`` (default ``dba``) and
``KGGRAPH_VIRTUOSO_PASSWORD`` (default ``dba``, a new database's: change it on a real server).
The password is one of ``isql``'s arguments, which ``ps`` shows. Virtuoso 7.2's ``isql`` takes
it otherwise only at a prompt (the terminal's, or standard input without one), and only after a
failed login: it first tries the user's name as the password. Four failed logins from one
address shut that address out for 60 s, so a publish must not cost one (measured on 07.20.3229).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from kggraph.core.errors import NotFound, QueryError, QueryUnavailable
from kggraph.core.namespaces import GEO, OWL
from kggraph.dataset.identity import DATASET
from kggraph.graph.release import NAMED, Release
from kggraph.graph.store import GRAPH_IRI
from kggraph.publish.to_store import (
    COUNT_QUERY,
    TIMEOUT_S,
    Progress,
    Published,
    http_url,
    select_values,
)
from kggraph.query.remote import RELEASE_GRAPH, VERSION_QUERY
from kggraph.query.virtuoso import EXCLUDE_RELEASE, XSD_DURATION

ISQL = "isql-vt"
"""Virtuoso's SQL client as Debian names it (upstream calls it ``isql``)."""
PROCEDURE = "DB.DBA.KGGRAPH_PUBLISH"
SPELLED = "DB.DBA.KGGRAPH_SPELLED"
PIECE_BYTES = 4_000_000
"""How much of the file is read at once (whole lines of it are respelled and added)."""
UNNAMED_GRAPH = GRAPH_IRI + "unnamed"
"""Where ``TTLP`` would put a quad without a graph (a release has none); cleared with ours."""
DEFAULT_ISQL_PORT = 1111


WKT_POINT = r'"POINT\((?=[^"\\]*"\^\^<' + re.escape(str(GEO.wktLiteral)) + ">)"
"""The start of a ``geo:wktLiteral`` object written ``POINT(`` in N-Quads (the text up to the
literal's closing quote holds no ``"`` or ``\\``); a PCRE, run by Virtuoso's ``regexp_replace``."""
WKT_POINT_SPELLED = '"POINT ('
"""How the loader is handed it: ``POINT (x y)``, the same point in WKT, and the spelling for
which Virtuoso 7.2 keeps both numbers as doubles (for ``POINT(x y)`` with an x shorter than 9
characters or a y shorter than 8 its ``geo_parse_wkt`` keeps 32-bit floats, so Davao's
``POINT(125.61278 7.07306)`` came back ``POINT(125.61277770996 7.0730600357056)``). Read back,
it writes ``POINT(x y)`` with each double's shortest text, as ``data/links.ttl`` spells it."""


_DURATION = re.compile(rb'"([^"\\]*)"\^\^<' + re.escape(XSD_DURATION.encode()) + rb">")
_OF_MONTHS = re.compile(rb"-?P(?=[0-9])([0-9]+Y)?([0-9]+M)?")
"""A duration of years and months, all that Virtuoso 7.2 gives back whole: its loader keeps a
duration as a number, of months or of seconds, and of one with both only the months (``P1Y2D``
comes back ``12``); the dialect writes a number of months as a duration again."""


def check_durations(nquads: Path) -> None:
    """``QueryError`` naming the first ``xsd:duration`` of ``nquads`` that is not of years and
    months only, since Virtuoso would not give it back as published."""
    with nquads.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            found = _DURATION.finditer(line) if XSD_DURATION.encode() in line else iter(())
            bad = next((d[1] for d in found if not _OF_MONTHS.fullmatch(d[1])), None)
            if bad is not None:
                raise QueryError(
                    f"line {number} of {nquads.name} holds the duration "
                    f"{bad.decode(errors='replace')!r}: Virtuoso 7.2 keeps a duration as a "
                    "number and gives back whole only one of years and months (P3Y, P1Y2M), "
                    "so this release cannot be published there as it is"
                )


def _sql_text(value: str) -> str:
    """``value`` as an SQL string literal (Virtuoso reads ``\\`` in one as an escape)."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def _spelled_sql() -> str:
    """The procedure that reads a file as the loader is to be handed it (``WKT_POINT``), in
    pieces of whole lines: Virtuoso makes a string of 10 MB at most (``HT057``)."""
    return f"""CREATE PROCEDURE {SPELLED} (in path varchar)
{{
  declare spelled, stat any;
  declare piece, rest varchar;
  declare size, done integer;
  spelled := string_output ();
  stat := file_stat (path, 1);
  if (not isstring (stat))
    signal ('22023', concat ('the server finds no file at ', path));
  size := atoi (stat);
  done := 0;
  rest := '';
  while (done < size)
    {{
      piece := concat (rest, string_output_string (
          file_to_string_output (path, done, __min (done + {PIECE_BYTES}, size))));
      done := __min (done + {PIECE_BYTES}, size);
      rest := '';
      if (done < size)
        {{
          rest := subseq (piece, coalesce (strrchr (piece, chr (10)) + 1, 0));
          piece := subseq (piece, 0, length (piece) - length (rest));
        }}
      http (regexp_replace (piece, {_sql_text(WKT_POINT)}, {_sql_text(WKT_POINT_SPELLED)},
          1, null), spelled);
    }}
  return spelled;
}}
;
"""


def procedure_sql() -> str:
    """The procedure that replaces our graphs with a release, in its caller's transaction.

    Its variables are named unlike any column: Virtuoso's SQL ignores case, so a variable ``g``
    in ``WHERE G = g`` would be the column ``G`` itself, and delete every quad."""
    prefix = _sql_text(GRAPH_IRI)
    # our constants only, each an escaped literal; the values come in as parameters
    publish = f"""CREATE PROCEDURE {PROCEDURE} (in path varchar, in version_triple varchar)
{{
  declare previous any;
  declare exit handler for sqlstate '*' {{ rollback work; resignal; }};
  previous := (SELECT VECTOR_AGG (G) FROM (SELECT DISTINCT G FROM DB.DBA.RDF_QUAD) AS graphs
          WHERE starts_with (id_to_iri (G), {prefix}));
  foreach (any graph_id in previous) do
    DELETE FROM DB.DBA.RDF_QUAD WHERE G = graph_id;
  DB.DBA.TTLP ({SPELLED} (path), '', {_sql_text(UNNAMED_GRAPH)}, 255 + 512);
  DB.DBA.TTLP (version_triple, '', {_sql_text(RELEASE_GRAPH)}, 0);
  DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0);
  for (SELECT DISTINCT id_to_iri (G) AS graph_iri FROM DB.DBA.RDF_QUAD
       WHERE starts_with (id_to_iri (G), {prefix})) do
    DB.DBA.RDF_GRAPH_USER_PERMS_SET (graph_iri, 'nobody', 1);
}}
;
"""  # noqa: S608 - our constants, each an escaped literal; the values come in as parameters
    return _spelled_sql() + publish


def version_triple(version: str) -> str:
    """The release's version as one N-Triples line."""
    escaped = version.replace("\\", "\\\\").replace('"', '\\"')
    return f'<{DATASET}> <{OWL.versionInfo}> "{escaped}" .'


@dataclass(frozen=True)
class Isql:
    """How to reach Virtuoso's SQL port with its ``isql`` client."""

    address: str
    user: str = "dba"
    password: str = field(default="dba", repr=False)
    command: str = ISQL

    @classmethod
    def from_env(cls, endpoint: str) -> Isql:
        host = urllib.parse.urlsplit(endpoint).hostname or "127.0.0.1"
        return cls(
            os.environ.get("KGGRAPH_VIRTUOSO_ISQL", f"{host}:{DEFAULT_ISQL_PORT}"),
            os.environ.get("KGGRAPH_VIRTUOSO_USER", "dba"),
            os.environ.get("KGGRAPH_VIRTUOSO_PASSWORD", "dba"),
        )

    def run(self, script: str) -> str:
        """Run an SQL script; its output, or ``QueryError`` with Virtuoso's first error
        (``QueryUnavailable`` if the server cannot be reached)."""
        binary = shutil.which(self.command)
        if binary is None:
            raise NotFound(f"Virtuoso's SQL client {self.command!r} is not installed "
                           "(Debian: apt-get install virtuoso-opensource)")  # fmt: skip
        done = subprocess.run(  # noqa: S603 - our own script, to the configured server
            [binary, self.address, self.user, self.password, "VERBOSE=OFF", "BANNER=OFF"],
            input=script, capture_output=True, text=True, timeout=TIMEOUT_S, check=False,
        )  # fmt: skip
        errors = [line for line in done.stderr.splitlines() if line.startswith("*** Error")]
        if done.returncode != 0 or errors:
            first = errors[0].removeprefix("*** ") if errors else done.stderr.strip()
            if "CL033" in first or "Connect failed" in first:
                raise QueryUnavailable(f"cannot reach Virtuoso's SQL port {self.address}: {first}")
            hint = (
                " (add the release's folder to DirsAllowed in virtuoso.ini)"
                if "FA003" in first
                else ""
            )
            raise QueryError(f"Virtuoso at {self.address} refused the load: {first}{hint}")
        return done.stdout


def check_virtuoso(endpoint: str, release: Release, expected_triples: int) -> None:
    """The store names ``release`` and its default graph (the union of our graphs but the
    version's) holds the release's triples; else ``QueryError`` saying what differs."""
    versions = select_values(endpoint, VERSION_QUERY)
    if versions != [release.version]:
        raise QueryError(f"after loading, the store at {endpoint} names release(s) "
                         f"{versions or 'none'}, not {release.version}")  # fmt: skip
    count = int(select_values(endpoint, EXCLUDE_RELEASE + COUNT_QUERY)[0])
    if count != expected_triples:
        raise QueryError(
            f"the union of the graphs at {endpoint} holds {count} triples, the release's merged "
            f"graph {expected_triples}: a triple stated in two graphs counts twice in Virtuoso's "
            "union, or the store holds graphs of another dataset"
        )


class VirtuosoLoader:
    """Virtuoso Open Source: one SQL transaction through ``isql`` (see the module's text)."""

    kind = "virtuoso"

    def __init__(self, isql: Isql | None = None) -> None:
        self.isql = isql

    def recognises(self, server: str) -> bool:
        return server.lower().startswith("virtuoso")

    def publish(self, release: Release, url: str, progress: Progress) -> Published:
        endpoint = http_url(url)
        isql = self.isql or Isql.from_env(endpoint)
        started = time.monotonic()
        progress(f"Checking the store at {endpoint}")
        select_values(endpoint, "SELECT * WHERE { } LIMIT 1")
        named = (release.path / NAMED).resolve()
        if not named.is_file():
            raise NotFound("the release has no such dump", location=str(named))
        check_durations(named)
        progress(f"Loading release {release.version} through Virtuoso's SQL port {isql.address}")
        arguments = f"{_sql_text(str(named))}, {_sql_text(version_triple(release.version))}"
        call = f"{PROCEDURE} ({arguments});"
        isql.run(procedure_sql() + call + "\ncheckpoint;\n")
        progress("Checking what the store now holds")
        triples = release.read_manifest().triples.total
        check_virtuoso(endpoint, release, triples)
        with named.open("rb") as lines:
            quads = sum(1 for _ in lines) + 1
        return Published(release.version, triples, quads, time.monotonic() - started, endpoint)
