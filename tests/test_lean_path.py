"""The ``/sparql`` request path made leaner (issue 15) keeps its behaviour: the fast path's own
security headers are what ``secured`` would add, headers already secured pass the middleware
as they are, and a client is identified once while it is remembered (within bounds)."""

from __future__ import annotations

import asyncio
from collections.abc import MutableMapping
from typing import Any

import pytest

from kggraph.budgets.counters import BudgetLimits, MemoryCounters, Rate
from kggraph.web.http.budgeting import (
    KNOWN_CLIENTS,
    KNOWN_HEADER_BYTES,
    ClientBudgets,
    _current,
)
from kggraph.web.http.client_id import ClientIdentifier
from kggraph.web.http.security import (
    SecuredHeaders,
    SecurityHeaders,
    secured,
    secured_answer,
)

Message = MutableMapping[str, Any]
ANSWER = [(b"etag", b'W/"k"'), (b"cache-control", b"public, max-age=60"), (b"vary", b"Accept")]
TYPES = [
    None,
    b"application/sparql-results+json; charset=utf-8",
    b"text/turtle",
    b"text/html; charset=utf-8",
    b"image/svg+xml",
    b"Application/XHTML+XML ; q=1",
]


@pytest.mark.parametrize("status", [200, 304, 400, 404, 410, 429, 500])
@pytest.mark.parametrize("content_type", TYPES)
def test_a_secured_answer_is_what_secured_makes(status: int, content_type: bytes | None) -> None:
    headers = ANSWER + ([(b"content-type", content_type)] if content_type else [])
    expected = secured(status, list(headers))
    assert secured_answer(status, tuple(headers), content_type) == expected
    assert type(secured_answer(status, headers, content_type)) is SecuredHeaders
    # securing them again would add or remove nothing (an error page's last headers may swap)
    assert sorted(secured(status, list(expected))) == sorted(expected)


def _served(headers: list[tuple[bytes, bytes]], status: int = 200) -> list[tuple[bytes, bytes]]:
    async def app(scope: Message, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": b""})

    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    asyncio.run(SecurityHeaders(app)({"type": "http", "path": "/"}, receive, send))
    return list(sent[0]["headers"])


def test_secured_headers_pass_the_middleware_as_they_are_and_others_are_secured() -> None:
    plain = [(b"content-type", b"text/plain")]
    assert _served(plain) == secured(200, plain) != plain
    # a SecuredHeaders says `secured` made it: the middleware does not look again
    assert _served(SecuredHeaders(plain)) == plain
    assert _served(secured(404, plain), 404) == secured(404, plain)


class _CountingIdentifier(ClientIdentifier):
    """The real identifier, counting how often it is asked."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0

    def key(self, peer: str | None, forwarded_for: str | None, user_agent: str) -> str:
        self.asked += 1
        return super().key(peer, forwarded_for, user_agent)


def _budgets() -> tuple[ClientBudgets, _CountingIdentifier, list[str]]:
    seen: list[str] = []

    async def app(scope: Message, receive: Any, send: Any) -> None:
        spender = _current.get()
        assert spender is not None
        seen.append(spender.client)

    limits = BudgetLimits(Rate(60, 60), Rate(0, 0), 0)
    identifier = _CountingIdentifier()
    layer = ClientBudgets(app, MemoryCounters(limits), limits=limits, identifier=identifier)
    return layer, identifier, seen


def _ask(layer: ClientBudgets, peer: str, headers: list[tuple[bytes, bytes]]) -> None:
    scope = {"type": "http", "path": "/", "client": (peer, 1234), "headers": headers}

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        pass

    asyncio.run(layer(scope, receive, send))


def test_a_client_is_identified_once_and_gets_the_same_key() -> None:
    layer, identifier, seen = _budgets()
    agent = [(b"user-agent", b"curl/8")]
    for _ in range(3):
        _ask(layer, "10.0.0.1", agent)
    _ask(layer, "10.0.0.2", agent)
    _ask(layer, "10.0.0.1", [*agent, (b"x-forwarded-for", b"1.2.3.4")])
    assert identifier.asked == 3
    plain = ClientIdentifier()
    assert seen[:3] == [plain.key("10.0.0.1", None, "curl/8")] * 3
    assert seen[3] == plain.key("10.0.0.2", None, "curl/8")
    assert seen[4] == plain.key("10.0.0.1", "1.2.3.4", "curl/8")  # untrusted: ignored, same key


def test_the_memory_of_clients_stays_bounded() -> None:
    layer, identifier, seen = _budgets()
    long_agent = [(b"user-agent", b"x" * (KNOWN_HEADER_BYTES + 1))]
    _ask(layer, "10.0.0.1", long_agent)
    _ask(layer, "10.0.0.1", long_agent)
    assert identifier.asked == 2 and seen[0] == seen[1]  # identified each time, not remembered
    for n in range(KNOWN_CLIENTS + 10):
        _ask(layer, f"10.1.{n // 256}.{n % 256}", [])
    assert 0 < len(layer._known) <= KNOWN_CLIENTS
