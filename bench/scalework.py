"""The scale benchmark's workload: each kind of request through kggraph, and its counterpart
sent to the store directly.

The direct counterpart of a request is the query kggraph itself sends the store for it, built
by the store's own dialect (``kggraph.query.dialects``: the same text with its bindings written
in, the same ``Accept``, Virtuoso's time limit), as one form ``POST``:

* ``lookup``: ``SELECT ?p ?o WHERE { <entity> ?p ?o }`` (``/sparql`` ↔ the store);
* ``page``: an ``/id/`` page as HTML ↔ the page's main query (``pages.describe.PAGE``; the page
  asks a few smaller ones too);
* ``canned``: ``/queries/agreements-per-type`` ↔ its text;
* ``stats``: ``/network/stats`` ↔ the network's queries (``network.facts.QUERIES``) in turn:
  kggraph runs them all for its first request and then answers from what it kept for the
  release, so after the first request this cell shows that memory, not the store.

Lookups and pages cycle through entities drawn at random from the replicas.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from kggraph.canned.catalogue import read_canned_query
from kggraph.network.facts import QUERIES, query_text
from kggraph.pages.describe import page_task
from kggraph.query.executor import QueryTask
from kggraph.query.protocol import FORM
from kggraph.query.remote import dialect_named
from scaledata import page_path
from workload import SELECT_JSON, Request, as_request

ROOT = Path(__file__).resolve().parents[1]
CANNED = "agreements-per-type"
HTML = "text/html"
KINDS = ("lookup", "page", "canned", "stats")
TIMEOUT_S = 30.0
"""The time limit sent to the store with each direct query (as kggraph's is)."""


@dataclass(frozen=True)
class Work:
    """One kind of request: what kggraph is asked, and what the store is asked directly."""

    kind: str
    ours: tuple[Request, ...]
    direct: tuple[Request, ...]


def lookup(entity: str) -> str:
    return f"SELECT ?p ?o WHERE {{ <{entity}> ?p ?o }}"


def direct_request(path: str, dialect: str, task: QueryTask) -> Request:
    """The request kggraph's ``RemoteStore`` sends the store for ``task``."""
    params, headers = dialect_named(dialect).request(task, TIMEOUT_S)
    body = urlencode(params).encode("utf-8")
    return Request("POST", path, (*headers.items(), ("Content-Type", FORM)), body)


def get(path: str, accept: str) -> Request:
    return Request("GET", path, (("Accept", accept),))


def workloads(entities: Sequence[str], store_path: str, dialect: str) -> list[Work]:
    """Every kind of request, for a store whose endpoint is at ``store_path``."""
    canned = read_canned_query(ROOT / "queries" / f"{CANNED}.rq")

    def direct(task: QueryTask) -> Request:
        return direct_request(store_path, dialect, task)

    return [
        Work(
            "lookup",
            tuple(as_request("/sparql", lookup(e), SELECT_JSON, method="get") for e in entities),
            tuple(direct(QueryTask(lookup(e), "sparql-json")) for e in entities),
        ),
        Work(
            "page",
            tuple(get(page_path(e), HTML) for e in entities),
            tuple(direct(page_task(e)) for e in entities),
        ),
        Work(
            "canned",
            (get(f"/queries/{CANNED}", SELECT_JSON),),
            (direct(QueryTask(canned.text, "sparql-json")),),
        ),
        Work(
            "stats",
            (get("/network/stats", "application/json"),),
            tuple(direct(QueryTask(query_text(name), "sparql-json")) for name in QUERIES),
        ),
    ]


@dataclass(frozen=True)
class Once:
    """One request sent once: its status, the seconds it took, and its body's first words."""

    status: int
    seconds: float
    says: str

    @property
    def ok(self) -> bool:
        return self.status == 200


def send_once(base: str, request: Request, timeout: float) -> Once:
    """Send ``request`` to the server at ``base``; status 0 if it failed, or if its whole
    answer had not come within ``timeout`` seconds (a store may stream a slow answer for
    minutes, each piece within a read timeout)."""
    started = time.monotonic()
    body = bytearray()
    try:
        with httpx.stream(request.method, base + request.target, headers=dict(request.headers),
                          content=request.body or None, timeout=timeout) as answer:  # fmt: skip
            for chunk in answer.iter_bytes():
                body += chunk
                if time.monotonic() - started > timeout:
                    return Once(0, time.monotonic() - started, f"not whole within {timeout:g} s")
    except httpx.HTTPError as err:
        return Once(0, time.monotonic() - started, f"{type(err).__name__}: {err}")
    text = body[:200].decode("utf-8", errors="replace")
    says = " ".join(text.split())[:160] if answer.status_code != 200 else ""
    return Once(answer.status_code, time.monotonic() - started, says)


def cold_stats(ours_base: str, store_base: str, work: Work, timeout: float) -> dict[str, Any]:
    """The first ``/network/stats`` (every network query through the store), and the same
    queries sent directly one after another (the sum of their times, and each one's)."""
    first = send_once(ours_base, work.ours[0], timeout)
    each = {
        name: send_once(store_base, r, timeout)
        for name, r in zip(QUERIES, work.direct, strict=True)
    }
    statuses = {once.status for once in each.values()}
    says = next((once.says for once in each.values() if once.says), "")
    total = sum(once.seconds for once in each.values())
    worst = 200 if statuses == {200} else min(statuses - {200})
    return {
        "ours": vars(first),
        "direct": vars(Once(worst, total, says)),
        "each": {name: vars(once) for name, once in each.items()},
    }
