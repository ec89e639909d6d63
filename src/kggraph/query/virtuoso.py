"""Virtuoso Open Source's dialect: what it needs said, and how its answers are made clean.

Virtuoso (7.2, Debian's ``virtuoso-opensource``) differs from the SPARQL 1.1 Protocol in ways a
client must not pass on (each is tested against a real Virtuoso in ``tests/test_virtuoso.py``):

* Its time limit is the ``timeout`` field, in milliseconds. A query that runs past it is NOT an
  error: Virtuoso answers ``200`` (newer versions ``206``) with the rows found so far and the
  header ``X-SQL-State: S1TAT``: a partial answer, here a ``QueryTimeout`` (``503``).
* A query its optimiser thinks too long is refused before it runs (``500``, "The estimated
  execution time … exceeds the limit"): a ``QueryTimeout`` too.
* It cuts an answer at its ``ResultSetMaxRows`` (``virtuoso.ini``) and says so only in the
  header ``X-SPARQL-MaxRows``: a ``QueryUnavailable`` naming the setting, never a short answer.
* Its SPARQL JSON writes ``"type": "typed-literal"`` (SPARQL 1.0's draft) for a literal with a
  datatype; SPARQL 1.1 says ``"literal"`` with ``"datatype"``, and that is what we pass on.
* Its loader parses every ``geo:wktLiteral`` into a geometry of its own and gives it back with
  the datatype ``virtrdf:Geometry``. ``kggraph publish`` loaded it as a ``geo:wktLiteral``, so
  that datatype (and no other) is named ``geo:wktLiteral`` again, in SELECT results and in
  graphs. Its text is Virtuoso's: it keeps a point as numbers and writes each back as it
  prints a double, without trailing zeros; and for a text ``POINT(x y)`` whose x is written in
  fewer than 9 characters or y in fewer than 8 (its ``geo_parse_wkt``) it keeps 32-bit floats,
  so ``POINT(125.61278 7.07306)`` came back ``POINT(125.61277770996 7.0730600357056)``. The
  release writes each number in its shortest form and ``kggraph publish`` hands the loader each
  point spelled ``POINT (x y)`` (the same point; ``WKT_POINT`` in
  ``kggraph.publish.to_virtuoso``), which it keeps in doubles: so every point comes back as
  published. A query that compares a geometry with a ``geo:wktLiteral`` of its own still meets
  Virtuoso's datatype (and ``DATATYPE()`` there names it).
* Its loader keeps an ``xsd:duration`` as a number (its issue 936): a duration of years and
  months as its whole number of months (``P3Y`` comes back ``"36"^^xsd:duration``, ``P1Y2M``
  ``"14"``), days and times as seconds (``"86400.0"``), and of a duration with both only the
  months (``P1Y2D`` comes back ``"12"``). A whole number with the datatype ``xsd:duration`` is
  written here as its canonical lexical form (``P3Y``, ``P1Y2M``, ``-P1M``; zero parts left out,
  as pyoxigraph writes it; a zero duration, which Virtuoso writes ``0.0``, as ``PT0S``), which
  is exactly the duration published because ``kggraph publish``
  loads a release into Virtuoso only if its every duration is of years and months. Inside a
  query it stays a number: ``STR()`` gives ``"36"``, ``isNumeric()`` is true, it equals ``36``,
  and added to a date it counts seconds; comparisons with another duration (``=``, ``<``, a
  ``"P3Y"^^xsd:duration`` in a pattern or ``VALUES``) answer as on the embedded store.
* Its TSV is not SPARQL TSV (quoted variable names, no ``<>`` around IRIs, no language tags or
  datatypes), so a SELECT is asked for as SPARQL JSON and written here as the TSV that
  ``kggraph.query.dialects.wire_format`` promises the reader; a graph comes as N-Triples, which
  it writes correctly (its JSON-LD drops language tags; it has no N-Quads or TriG answer).
* Without an ``Accept`` it picks odd formats (an ASK as ``text/html``), so one is always sent.
* Errors are SQL errors in plain text: ``37000 … SP030 … syntax error`` is a
  ``QuerySyntaxError`` with its message; another ``37000`` (a SPARQL function it has not
  implemented, as ``BNODE()``) is valid SPARQL it cannot run: ``QueryRefused``.
* A query without ``FROM`` reads the union of every graph its reader may read (the loader,
  ``kggraph.publish.to_virtuoso``, lets anonymous readers read our graphs only). The union holds
  the version's graph too, so the pragma ``define input:default-graph-exclude`` leaves it out
  when the query names no graph at all (no ``FROM``, no ``GRAPH``, no protocol dataset). With
  the pragma, Virtuoso 7.2 ignores a ``FROM`` and answers ``GRAPH <iri>`` wrongly (one triple
  of 437 in our links graph), though ``GRAPH ?g`` right; so a query that names a graph is
  sent as it is, and there the version triple is in the default graph: one triple more than
  the embedded store's merged graph.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pyoxigraph as ox

from kggraph.core.errors import (
    QueryRefused,
    QuerySyntaxError,
    QueryTimeout,
    QueryUnavailable,
    StoreError,
)
from kggraph.core.formats import BY_NAME
from kggraph.core.namespaces import GEO, XSD
from kggraph.graph.store import GRAPH_IRI
from kggraph.query.executor import QueryTask
from kggraph.query.reader import classify

if TYPE_CHECKING:
    from kggraph.query.dialects import Params

# ``kggraph.query.dialects`` lists this dialect in its ``DIALECTS``, so its helpers are imported
# where they are used, not at the top: either module may then be imported first.

RELEASE_GRAPH = GRAPH_IRI + "release"
"""The graph of the release's version (``kggraph.publish.to_store.RELEASE_GRAPH``)."""
EXCLUDE_RELEASE = f"define input:default-graph-exclude <{RELEASE_GRAPH}> "
"""Virtuoso's pragma that leaves the version's graph out of the default graph; on the query's
first line, so the line numbers of Virtuoso's messages stay the query's own."""
TIMED_OUT = "S1TAT"
"""``X-SQL-State`` of an answer cut short at the ``timeout``: "Returning incomplete results"."""
ANYTIME_STATUS = 206
_DATASET = re.compile(r"\b(FROM|GRAPH)\b", re.IGNORECASE)
"""A query that names graphs (or might: the word in a string is enough) is sent as it is."""
_ERROR = re.compile(
    r"Virtuoso (?P<state>\w{5}) Error (?:(?P<code>[A-Z]{2}\d{3}): )?(?P<message>.*)"
)
VIRTRDF_GEOMETRY = "http://www.openlinksw.com/schemas/virtrdf#Geometry"
"""The datatype Virtuoso's loader gives a ``geo:wktLiteral`` it has parsed into a geometry."""
WKT_LITERAL = str(GEO.wktLiteral)
_GEOMETRY_OBJECT = re.compile(
    rb'"\^\^<' + re.escape(VIRTRDF_GEOMETRY.encode()) + rb">(?=[ \t]*\.[ \t]*\r?$)", re.MULTILINE
)
"""A geometry's datatype in N-Triples: the last term of a line (a literal holds no line break,
and a ``"`` inside it is escaped, so this is the object's own datatype)."""
_WKT_OBJECT = f'"^^<{WKT_LITERAL}>'.encode()
XSD_DURATION = str(XSD.duration)
_MONTHS = re.compile(r"-?[0-9]+|-?0\.0")
"""A duration's text as Virtuoso writes one of years and months: its number of months (a zero
duration it writes ``0.0``, as zero seconds)."""
_MONTHS_OBJECT = re.compile(
    rb'(?<=[ \t])"(-?[0-9]+|-?0\.0)"\^\^<'
    + re.escape(XSD_DURATION.encode())
    + rb">(?=[ \t]*\.[ \t]*\r?$)",
    re.MULTILINE,
)
"""Such a duration as the object of an N-Triples line (a ``"`` after a blank is no literal's
inner quote, which is escaped)."""


def _header(headers: Mapping[str, str], name: str) -> str:
    wanted = name.lower()
    return next((v for k, v in headers.items() if k.lower() == wanted), "")


def duration_text(months: int) -> str:
    """A duration of ``months`` months in its canonical lexical form: ``P3Y``, ``P1Y2M``,
    ``-P1M``; ``PT0S`` for none (as pyoxigraph writes them)."""
    if months == 0:
        return "PT0S"
    years, rest = divmod(abs(months), 12)
    parts = (f"{years}Y" if years else "") + (f"{rest}M" if rest else "")
    return ("-" if months < 0 else "") + "P" + parts


def _months(text: str) -> int:
    return 0 if "." in text else int(text)


def standard_json(body: bytes) -> bytes:
    """Virtuoso's SPARQL JSON with every ``typed-literal`` made a ``literal`` (its datatype
    kept), as SPARQL 1.1 writes it, a ``virtrdf:Geometry`` a ``geo:wktLiteral`` again, and a
    duration kept as its months written as a duration."""
    document = json.loads(body)
    for row in document.get("results", {}).get("bindings", []):
        for term in row.values():
            if term.get("type") == "typed-literal":
                term["type"] = "literal"
            if term.get("datatype") == VIRTRDF_GEOMETRY:
                term["datatype"] = WKT_LITERAL
            elif term.get("datatype") == XSD_DURATION and _MONTHS.fullmatch(term["value"]):
                term["value"] = duration_text(_months(term["value"]))
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _duration_object(found: re.Match[bytes]) -> bytes:
    text = duration_text(_months(found[1].decode()))
    return f'"{text}"^^<{XSD_DURATION}>'.encode()


def standard_triples(body: bytes) -> bytes:
    """Virtuoso's N-Triples with every ``virtrdf:Geometry`` object named a ``geo:wktLiteral``
    again and every duration kept as its months written as a duration (the body as it came
    when it holds neither)."""
    if VIRTRDF_GEOMETRY.encode() in body:
        body = _GEOMETRY_OBJECT.sub(_WKT_OBJECT, body)
    if XSD_DURATION.encode() in body:
        body = _MONTHS_OBJECT.sub(_duration_object, body)
    return body


def _clean_results(body: bytes) -> bytes:
    """A SELECT's answer as SPARQL TSV (what the reader expects of a SELECT), an ASK's as
    standard SPARQL JSON."""
    fixed = standard_json(body)
    parsed = ox.parse_query_results(fixed, format=BY_NAME["sparql-json"].results_format)
    if isinstance(parsed, ox.QuerySolutions):
        written = parsed.serialize(format=BY_NAME["tsv"].results_format)
        return written or b""
    return fixed


def virtuoso_error(body: bytes) -> tuple[str, str, str]:
    """Virtuoso's error text read: its SQL state, its error code and its message, without the
    query it echoes (``("", "", text)`` for a text of another shape)."""
    from kggraph.query.dialects import store_message

    text = body.decode("utf-8", errors="replace").split("SPARQL query:")[0]
    message = store_message(text.encode("utf-8"))
    found = _ERROR.match(message)
    if not found:
        return "", "", message
    return found["state"], found["code"], found["message"]


def _raise_error(status: int, body: bytes) -> None:
    """Virtuoso's SQL error turned into our error; ``protocol_check`` for the rest."""
    from kggraph.query.dialects import protocol_check

    state, code, message = virtuoso_error(body)
    said = f"{code}: {message}" if code else message
    if state == "37000" and (code == "SP030" or "syntax error" in message):
        raise QuerySyntaxError(f"the store rejected the query: {said}")
    if state == "37000":
        raise QueryRefused(f"the store cannot run this query: {said}")
    if code == "SR171" or "estimated execution time" in message:
        raise QueryTimeout(f"the store stopped the query at its time limit: {said}")
    protocol_check(status, said.encode("utf-8"))


class VirtuosoDialect:
    """Virtuoso Open Source 7 (see the module's text for each quirk)."""

    name = "virtuoso"

    def request(self, task: QueryTask, timeout_s: float) -> tuple[Params, dict[str, str]]:
        from kggraph.query.dialects import protocol_fields

        params = protocol_fields(task)
        if not (task.has_dataset or _DATASET.search(task.query)):
            params[0] = ("query", EXCLUDE_RELEASE + params[0][1])
        params.append(("timeout", str(max(1, round(timeout_s * 1000)))))
        kind = classify(task.query).kind
        if kind in ("CONSTRUCT", "DESCRIBE"):
            accept = BY_NAME["n-triples"].media_type
        elif kind in ("SELECT", "ASK"):
            accept = BY_NAME["sparql-json"].media_type
        else:
            accept = f"{BY_NAME['sparql-json'].media_type}, {BY_NAME['n-triples'].media_type}"
        return params, {"Accept": accept}

    def check(self, status: int, headers: Mapping[str, str], body: bytes) -> bytes:
        if _header(headers, "X-SQL-State") == TIMED_OUT or status == ANYTIME_STATUS:
            said = _header(headers, "X-SQL-Message") or "incomplete results"
            raise QueryTimeout(
                "the store stopped the query at its time limit and sent a partial answer "
                f"(X-SQL-State: {TIMED_OUT}: {' '.join(said.split())[:300]})"
            )
        if not 200 <= status < 300:
            _raise_error(status, body)
        cap = _header(headers, "X-SPARQL-MaxRows")
        if cap:
            raise QueryUnavailable(
                f"the store cut the answer at {cap} rows (ResultSetMaxRows in virtuoso.ini): "
                "raise that setting above kggraph's max_rows"
            )
        media = _header(headers, "Content-Type").split(";")[0].strip().lower()
        if media in BY_NAME["sparql-json"].media_types:
            return _clean_results(body)
        if media in BY_NAME["n-triples"].media_types:
            return standard_triples(body)
        raise StoreError(f"the store answered in a format we did not ask for: {media or 'none'}")
