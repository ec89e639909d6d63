"""``/sparql`` queries answered straight on ASGI, in front of the framework.

Profiled under load (py-spy, a lookup from 8 clients), the web process spent about a third of
its time in the layers FastAPI and Starlette wrap around every route (error and exception
handling, body limit, CORS, gzip, routing, the request object) and a sixth reading the same
URL again. Lookups are answered by a worker in well under a millisecond, so that overhead
*was* the endpoint's speed. This layer answers the common case itself: a ``GET`` or ``POST`` to
``/sparql`` that carries a query. It reads the request from the ASGI scope, remembers how each
recent URL and ``Accept`` were read (the same URL always reads the same way within a release),
adds the CORS and gzip handling the middlewares would have added, and sends the answer in two
ASGI messages.

Everything else goes to the application unchanged: other paths, ``HEAD`` and ``OPTIONS``
(CORS preflight), ``/sparql`` without a query (the service description or the query page) and
a browser's query, which gets its answer as a page (``kggraph.web.http.results_page``); a
``POST`` body already read is handed on. Both paths share ``prepare`` and ``answer_of``
(``kggraph.web.http.prepared``), so they give the same answers, headers and errors; the endpoint
tests run through this layer, as every client does.
"""

from __future__ import annotations

import asyncio
import gzip
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

from kggraph.core.errors import KggraphError, PayloadTooLarge
from kggraph.core.memo import TextMemo
from kggraph.query.protocol import QueryRequest, read_query_request
from kggraph.web.http.conditional import holds, matches
from kggraph.web.http.errors import error_answer
from kggraph.web.http.prepared import (
    TRUNCATED_HEADER,
    VARY,
    Prepared,
    answer_of,
    prepare_request,
)
from kggraph.web.http.results_page import wants_page
from kggraph.web.http.security import SecuredHeaders, secured_answer
from kggraph.web.runtime import Runtime

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PATH = "/sparql"
MEMO_BYTES = 8 * 2**20
"""Bytes of recent (release, URL query string, Accept) keys whose readings are remembered; each
reading holds its query once more, so the memo holds about twice this at most."""
MEMO_MAX_URL = 16 * 1024
"""Longer query strings are read each time rather than remembered."""
GZIP_LEVEL = 6
"""zlib's default: nearly all of level 9's saving on SPARQL answers at a fraction of its time."""
GZIP_IN_THREAD_BYTES = 1024 * 1024
"""Answers this big are compressed off the event loop, so other clients are not held up."""
_WANTED = {b"accept", b"accept-encoding", b"content-type", b"content-length", b"if-none-match"}


class SparqlFastPath:
    """ASGI: queries to ``/sparql`` answered here, every other request passed to ``app``."""

    def __init__(
        self,
        app: ASGIApp,
        runtime: Runtime,
        *,
        gzip_minimum: int,
        exposed_headers: Sequence[str],
    ) -> None:
        self.app = app
        self._runtime = runtime
        self._gzip_minimum = gzip_minimum
        self._cors = [
            (b"access-control-allow-origin", b"*"),
            (b"access-control-expose-headers", ", ".join(exposed_headers).encode("latin-1")),
        ]
        self.memo: TextMemo[_MemoKey, tuple[_Ready | None]] = TextMemo(
            max_bytes=MEMO_BYTES, max_key_bytes=MEMO_MAX_URL
        )
        """URL readings: (release, query string, Accept) → the prepared query and its
        headers, or none."""

    def __getattr__(self, name: str) -> Any:
        """The wrapped application's attributes (``state``, ``routes``) stay reachable."""
        return getattr(self.app, name)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != PATH or scope["method"] not in _METHODS:
            await self.app(scope, receive, send)
            return
        try:
            reply = await self._reply(scope, receive)
        except KggraphError as err:
            # in front of the framework, whose error handler is not here: the same mapping
            await self._error(err, scope, receive, send)
            return
        if isinstance(reply, _Forward):
            await self.app(scope, reply.receive, send)
            return
        await send({"type": "http.response.start", "status": reply.status, "headers": reply.head})
        await send({"type": "http.response.body", "body": reply.body})

    async def _reply(self, scope: Scope, receive: Receive) -> _Reply | _Forward:
        """The answer to a request to ``/sparql``, or ``_Forward`` if it holds no query."""
        runtime = self._runtime
        headers = _headers(scope)
        body = b""
        if scope["method"] == "POST":
            body = await _read_body(receive, headers, runtime.settings.max_body_bytes)
            ready = await self._read_post(scope, headers, body)
        else:
            ready = await self._read_url(runtime.version, scope["query_string"], headers)
        if ready is None:  # no query, or a browser's: the application answers
            # a POST's body has been read here, even an empty one: hand on what was read
            return _Forward(_replay(body) if scope["method"] == "POST" else receive)
        etag = ready.prepared.headers["ETag"]
        raw_if_none_match = headers.get(b"if-none-match")
        if_none_match = raw_if_none_match.decode("latin-1") if raw_if_none_match else None
        if holds(if_none_match, etag):
            return _Reply(304, secured_answer(304, ready.head, None), b"")
        answer = await answer_of(runtime, ready.prepared)
        if matches(if_none_match, etag):  # `*`: the answer exists, so it is not modified
            return _Reply(304, secured_answer(304, ready.head, None), b"")
        raw = [*ready.head, ready.content_type]
        if answer.truncated:
            raw.append((TRUNCATED_HEADER.lower().encode(), str(runtime.settings.max_rows).encode()))
        payload = answer.body
        if len(payload) >= self._gzip_minimum and b"gzip" in headers.get(b"accept-encoding", b""):
            payload = await _gzip(payload)
            raw.append((b"content-encoding", b"gzip"))
        raw.append((b"content-length", str(len(payload)).encode()))
        return _Reply(200, secured_answer(200, raw, ready.content_type[1]), payload)

    async def _read_url(
        self, version: str, query_string: bytes, headers: _HeaderKey
    ) -> _Ready | None:
        """The URL's reading, remembered (a query string up to ``MEMO_MAX_URL`` bytes)."""
        accept = headers.get(b"accept")
        key = (version, query_string, accept)
        found = self.memo.get(key)
        if found is not None:
            return found[0]
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        limit = self._runtime.settings.max_query_bytes
        asked = read_query_request("GET", pairs, None, b"", max_query_bytes=limit)
        ready = await self._prepare(asked, accept)
        self.memo.put(key, (ready,))
        return ready

    async def _read_post(self, scope: Scope, headers: _HeaderKey, body: bytes) -> _Ready | None:
        pairs = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        content_type = headers.get(b"content-type")
        asked = read_query_request(
            "POST",
            pairs,
            content_type.decode("latin-1") if content_type else None,
            body,
            max_query_bytes=self._runtime.settings.max_query_bytes,
        )
        return await self._prepare(asked, headers.get(b"accept"))

    async def _prepare(self, asked: QueryRequest, accept: bytes | None) -> _Ready | None:
        """The request made ready to answer here; ``None`` for the application to answer."""
        accepted = accept.decode("latin-1") if accept else None
        if asked.query is None or wants_page(asked, accepted):
            return None
        prepared = await prepare_request(self._runtime, asked, accepted)
        return _Ready(
            prepared,
            self._head(prepared),
            (b"content-type", prepared.content_type.encode("latin-1")),
        )

    def _head(self, prepared: Prepared) -> tuple[tuple[bytes, bytes], ...]:
        """The answer's caching headers, ``Vary`` and CORS, as ASGI wants them."""
        raw = [
            (name.lower().encode("latin-1"), value.encode("latin-1"))
            for name, value in prepared.headers.items()
            if name != "Vary"
        ]
        raw.append((b"vary", f"{VARY}, Accept-Encoding".encode("latin-1")))
        raw.extend(self._cors)
        return tuple(raw)

    async def _error(self, err: KggraphError, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_answer(err, scope)
        response.raw_headers.extend(self._cors)
        await response(scope, receive, send)


_METHODS = frozenset({"GET", "POST"})
_MemoKey = tuple[str, bytes, bytes | None]


class _Reply(NamedTuple):
    """An answer made here: its status, its headers as ASGI wants them, its body."""

    status: int
    head: SecuredHeaders
    body: bytes


class _Ready(NamedTuple):
    """A request read and prepared, with the headers every answer to it starts with (made
    once per reading: a remembered URL's answers reuse them)."""

    prepared: Prepared
    head: tuple[tuple[bytes, bytes], ...]
    content_type: tuple[bytes, bytes]


@dataclass(frozen=True)
class _Forward:
    """No query, or a browser's: the application answers, reading the body from ``receive``."""

    receive: Receive


class _HeaderKey(dict[bytes, bytes]):
    """The request headers the endpoint reads (the memo keys on ``Accept`` alone)."""


def _headers(scope: Scope) -> _HeaderKey:
    """The request headers the endpoint reads (repeated ones joined with commas, RFC 9110)."""
    found = _HeaderKey()
    for name, value in scope["headers"]:
        if name in _WANTED:
            found[name] = found[name] + b", " + value if name in found else value
    return found


async def _read_body(receive: Receive, headers: _HeaderKey, limit: int) -> bytes:
    """The request body, refused (413) before reading past ``limit`` bytes."""
    declared = headers.get(b"content-length", b"")
    if declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the request body is {int(declared)} bytes; the limit is {limit}")
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the request body is over the limit of {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    """A ``receive`` that gives the application the body this layer has already read."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def _gzip(payload: bytes) -> bytes:
    if len(payload) >= GZIP_IN_THREAD_BYTES:
        return await asyncio.to_thread(gzip.compress, payload, GZIP_LEVEL, mtime=0)
    return gzip.compress(payload, GZIP_LEVEL, mtime=0)
