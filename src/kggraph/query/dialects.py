"""How to speak to one kind of remote SPARQL store: a ``Dialect``.

``kggraph.query.remote.RemoteStore`` sends every query the same way, a form-encoded POST of the
SPARQL 1.1 Protocol (the text with its bindings written in as ``VALUES``, the protocol's
dataset, an ``Accept``), and reads the answer the same way. What differs between stores is
said here, in two steps:

* ``request(task, timeout_s)``: the form's fields and the headers, where a store can be told
  its own time limit (Virtuoso's ``timeout``; Oxigraph server's is ``--timeout-s``, set when it
  is started) and which answer format to ask for;
* ``check(status, headers, body)``: the store's answer made a clean one, or one of our errors:
  ``QuerySyntaxError`` for a query it rejected (our ``400``, with its message),
  ``QueryTimeout`` / ``QueryUnavailable`` for a store that gave up or is in trouble (``503``),
  ``QueryError`` otherwise.

The answer format asked for is chosen for the limits, not the client: a SELECT comes as TSV and a
graph as N-Triples, one row or triple per line, so rows can be counted while the answer streams
in and the transfer stopped past the row limit; an ASK as SPARQL JSON. The client's format is
written afterwards, by the same serialisers the embedded store uses (``kggraph.query.run``).

``OxigraphDialect`` knows that Oxigraph server stops a query past its ``--timeout-s`` after it
has begun a ``200`` answer: it writes "The SPARQL operation has been cancelled" into the body
and ends it. ``GenericDialect`` keeps to the protocol. Virtuoso's dialect lives in
``kggraph.query.virtuoso``. ``DIALECTS`` names them for the ``store_dialect`` setting.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from kggraph.core.errors import (
    QuerySyntaxError,
    QueryTimeout,
    QueryUnavailable,
    StoreError,
)
from kggraph.core.formats import BY_NAME, Format
from kggraph.query.executor import QueryTask
from kggraph.query.reader import classify
from kggraph.query.values_binding import with_values
from kggraph.query.virtuoso import VirtuosoDialect

Params = list[tuple[str, str]]
"""Form fields, in order; a name may repeat (``named-graph-uri``)."""
MESSAGE_LIMIT = 500
"""Characters of a store's error message passed on to the client."""
OXIGRAPH_CANCELLED = b"The SPARQL operation has been cancelled"
"""What Oxigraph server writes into a ``200`` answer it stops at its ``--timeout-s``."""


class Dialect(Protocol):
    """What one kind of store needs said, and how its answers are read."""

    @property
    def name(self) -> str:
        """The ``store_dialect`` value that chooses it (``oxigraph``, ``generic``…)."""
        ...

    def request(self, task: QueryTask, timeout_s: float) -> tuple[Params, dict[str, str]]:
        """The form fields (``query`` first) and the headers (``Accept``) to send ``task``
        with, the store to stop it after ``timeout_s`` seconds if it can be told."""
        ...

    def check(self, status: int, headers: Mapping[str, str], body: bytes) -> bytes:
        """The answer's body if it is a clean answer, else the matching error raised."""
        ...


def wire_format(task: QueryTask) -> Format | None:
    """The format to ask the store for: TSV for a SELECT, SPARQL JSON for an ASK, N-Triples for
    a graph; ``None`` if the form cannot be read (the store is let choose)."""
    kind = classify(task.query).kind
    if kind == "SELECT":
        return BY_NAME["tsv"]
    if kind == "ASK":
        return BY_NAME["sparql-json"]
    if kind in ("CONSTRUCT", "DESCRIBE"):
        return BY_NAME["n-triples"]
    return None


def any_answer() -> str:
    """An ``Accept`` for a query whose form is unknown: every format we read, line formats
    first."""
    preferred = ("tsv", "n-triples", "sparql-json")
    rest = [f.media_type for f in BY_NAME.values() if f.name not in preferred]
    return ", ".join([BY_NAME[n].media_type for n in preferred] + [f"{m};q=0.5" for m in rest])


def protocol_fields(task: QueryTask) -> Params:
    """``query`` (the bindings written in as ``VALUES``, ``kggraph.query.values_binding``) and
    the protocol's dataset, as the SPARQL 1.1 Protocol names them."""
    params: Params = [("query", with_values(task.query, task.bindings))]
    params += [("default-graph-uri", g) for g in task.default_graphs]
    params += [("named-graph-uri", g) for g in task.named_graphs]
    return params


def store_message(body: bytes) -> str:
    """A store's error text, on one line and not too long."""
    text = " ".join(body.decode("utf-8", errors="replace").split())
    return text if len(text) <= MESSAGE_LIMIT else text[: MESSAGE_LIMIT - 1] + "…"


def protocol_check(status: int, body: bytes) -> bytes:
    """What the protocol's statuses mean: ``2xx`` an answer, ``400`` a query the store
    rejected, ``408``/``504`` a store that gave up in time, ``503``/``429``/``502`` a store that
    cannot answer now, anything else a failure of the store."""
    if 200 <= status < 300:
        return body
    message = store_message(body)
    if status == 400:
        raise QuerySyntaxError(f"the store rejected the query: {message}")
    if status in (408, 504):
        raise QueryTimeout(f"the store stopped the query at its time limit ({status}): {message}")
    if status in (429, 502, 503):
        raise QueryUnavailable(f"the store cannot answer now ({status}): {message}")
    raise StoreError(f"the store failed to answer the query ({status}): {message}")


class GenericDialect:
    """Any SPARQL 1.1 query endpoint: the protocol and nothing more (no time limit can be sent:
    the HTTP time limit alone holds)."""

    name = "generic"

    def request(self, task: QueryTask, timeout_s: float) -> tuple[Params, dict[str, str]]:
        fmt = wire_format(task)
        return protocol_fields(task), {"Accept": fmt.media_type if fmt else any_answer()}

    def check(self, status: int, headers: Mapping[str, str], body: bytes) -> bytes:
        return protocol_check(status, body)


class OxigraphDialect(GenericDialect):
    """Oxigraph server (``oxigraph serve`` / ``serve-read-only``): its time limit is
    ``--timeout-s``, set when it is started; a query it stops after its ``200`` has begun ends
    the body with ``OXIGRAPH_CANCELLED``, which is a timeout, never a short answer."""

    name = "oxigraph"

    def check(self, status: int, headers: Mapping[str, str], body: bytes) -> bytes:
        if status == 200 and body.rstrip().endswith(OXIGRAPH_CANCELLED):
            raise QueryTimeout(
                "the store stopped the query at its time limit (Oxigraph server's --timeout-s) "
                "while sending the answer"
            )
        return protocol_check(status, body)


DIALECTS: dict[str, Dialect] = {
    d.name: d for d in (OxigraphDialect(), GenericDialect(), VirtuosoDialect())
}
"""The dialects by ``store_dialect`` name (``auto`` probes the store instead)."""
