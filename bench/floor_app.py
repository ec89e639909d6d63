"""The endpoint benchmark's floor: uvicorn and pyoxigraph, nothing else.

A bare ASGI application (no framework, no middleware, no limits, budgets, cache or query
workers) that loads one N-Triples file, named by the ``FLOOR_DATA`` environment variable, into
an in-memory pyoxigraph store when it starts, and answers SPARQL queries at ``/sparql`` (GET
``?query=``, a form POST or a direct POST) with ``store.query(query)`` serialised in the first
format the ``Accept`` header names that fits the answer (SPARQL JSON for SELECT and ASK, and
N-Triples for DESCRIBE and CONSTRUCT when it names none). The query runs on the event loop
itself, as the cheapest way a Python process can answer it.

Run by ``bench/endpoint.py`` as ``uvicorn floor_app:app --workers N``: how fast a Python web
process over pyoxigraph can be on this machine, the ceiling of ours. A query that does not
parse or fails gets ``400`` with pyoxigraph's message.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

from kggraph.core.formats import BY_NAME, AnswerKind, Format, default_format, lookup
from kggraph.query.protocol import FORM

DATA = "FLOOR_DATA"
"""The environment variable naming the N-Triples file to serve."""
PATH = "/sparql"
TEXT = b"text/plain; charset=utf-8"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Reply = tuple[int, bytes, bytes]
"""Status, content type, body."""


def load(path: str) -> ox.Store:
    """An in-memory store holding ``path`` as its default graph, loaded as ours loads it."""
    store = ox.Store()
    store.bulk_load(path=path, format=BY_NAME["n-triples"].rdf_format)
    return store


def negotiate(accept: str, kind: AnswerKind) -> Format | None:
    """The first format of ``kind`` that ``accept`` names (parameters and q-values ignored);
    the kind's default for no header or a wildcard; ``None`` if it names only others."""
    for item in accept.split(","):
        media = item.split(";", 1)[0].strip().lower()
        if media in ("", "*/*"):
            return default_format(kind)
        found = lookup(media, kind)
        if found is not None:
            return found
    return None


def answer(store: ox.Store, query: str, accept: str) -> Reply:
    try:
        result = store.query(query)
        kind = AnswerKind.GRAPH if isinstance(result, ox.QueryTriples) else AnswerKind.RESULTS
        fmt = negotiate(accept, kind)
        if fmt is None:
            return 406, TEXT, f"no {kind.value} format in Accept: {accept}".encode()
        if isinstance(result, ox.QueryTriples):
            body = result.serialize(format=fmt.rdf_format)
        else:
            body = result.serialize(format=fmt.results_format)
    except (SyntaxError, ValueError, OSError) as err:
        return 400, TEXT, f"query failed: {err}".encode()
    return 200, fmt.content_type.encode(), body or b""


def query_of(scope: Scope, body: bytes) -> str | None:
    """The query text: ``query`` of the URL or of a form body, or a direct POST's body."""
    if scope["method"] == "GET":
        found = parse_qs(scope["query_string"].decode("latin-1")).get("query")
        return found[0] if found else None
    content_type = dict(scope["headers"]).get(b"content-type", b"").decode("latin-1")
    if content_type.split(";", 1)[0].strip().lower() == FORM:
        found = parse_qs(body.decode()).get("query")
        return found[0] if found else None
    return body.decode() or None


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


class Floor:
    """The ASGI application; its store is loaded at startup (the lifespan)."""

    def __init__(self) -> None:
        self.store: ox.Store | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] == "http":
            status, content_type, body = await self.reply(scope, receive)
            headers = [(b"content-type", content_type), (b"content-length", b"%d" % len(body))]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    self.store = load(os.environ[DATA])
                except (KeyError, OSError, SyntaxError) as err:
                    why = f"set {DATA} to an N-Triples file ({err!r})"
                    await send({"type": "lifespan.startup.failed", "message": why})
                    return
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def reply(self, scope: Scope, receive: Receive) -> Reply:
        if scope["path"] != PATH:
            return 404, TEXT, f"not found: the endpoint is {PATH}".encode()
        if scope["method"] not in ("GET", "POST"):
            return 405, TEXT, b"GET or POST a query"
        body = await read_body(receive) if scope["method"] == "POST" else b""
        try:
            query = query_of(scope, body)
        except UnicodeDecodeError:
            return 400, TEXT, b"the query is not UTF-8"
        if query is None:
            return 400, TEXT, b"no query: send one as ?query=, a form or a direct POST"
        if self.store is None:
            return 503, TEXT, b"the store is not loaded"
        accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
        return answer(self.store, query, accept)


app = Floor()
