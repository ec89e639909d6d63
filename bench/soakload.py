"""The soak's load: the mix of requests, and clients that send it and count what comes back.

Each client is one keep-alive connection with its own ``User-Agent`` (so the server counts it
as a client of its own), sending the mix in a closed loop from its own place in it.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

from kggraph.core.namespaces import ID_IRI
from loadgen import raw_request
from servers import HOST
from workload import AGGREGATE, NTRIPLES, SELECT_JSON, Request, as_request, describe, lookup

BAD_QUERIES = (
    "SELECT * WHERE { ?s ?p }",
    "SELECT ?x WHERE { ?x a <https://w3id.org/kggraph/ontology#City> FILTER( }",
)
WEIGHTS = {"lookup": 8, "describe": 4, "page": 4, "aggregate": 2, "canned": 2, "bad query": 1}
"""How often each kind of request comes in the mix, relative to the others."""
MIX_LENGTH = 5000
"""Requests in the mix; each client goes round it from its own place."""


@dataclass(frozen=True)
class Probe:
    """One request of the mix, the kind it counts under and the status it should get."""

    kind: str
    request: Request
    expected: int = 200


def page(entity: str, accept: str) -> Request:
    """``/id/…`` of ``entity``, asking for ``accept``."""
    path = "/id/" + quote(entity.removeprefix(ID_IRI), safe="/")
    return Request("GET", path, (("Accept", accept),))


def make_mix(entities: list[str], canned: list[str], *, seed: int) -> list[Probe]:
    """A seeded sequence of requests in the proportions of ``WEIGHTS``."""

    def sparql(text: str, accept: str) -> Request:
        return as_request("/sparql", text, accept, method="get")

    pools = {
        "lookup": [Probe("lookup", sparql(lookup(e), SELECT_JSON)) for e in entities],
        "describe": [Probe("describe", sparql(describe(e), NTRIPLES)) for e in entities],
        "page": [Probe("page", page(e, "text/html")) for e in entities]
        + [Probe("page", page(e, "text/turtle")) for e in entities[::4]],
        "aggregate": [Probe("aggregate", sparql(AGGREGATE, SELECT_JSON))],
        "canned": [Probe("canned", Request("GET", f"/queries/{n}", ())) for n in canned],
        "bad query": [Probe("bad query", sparql(q, SELECT_JSON), 400) for q in BAD_QUERIES],
    }
    rng = random.Random(seed)  # noqa: S311 (a reproducible mix, not a secret)
    kinds = [k for k in WEIGHTS if pools[k]]
    taken: Counter[str] = Counter()
    mix = []
    for kind in rng.choices(kinds, weights=[WEIGHTS[k] for k in kinds], k=MIX_LENGTH):
        mix.append(pools[kind][taken[kind] % len(pools[kind])])
        taken[kind] += 1
    return mix


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
    """One response: its status, whether the connection may be reused, and its body (as
    ``loadgen.read_response`` reads it, keeping the body to show what went wrong)."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, rest = head.partition(b"\r\n")
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(b":") for line in rest.split(b"\r\n") if line)
    }
    status, body = int(status_line.split(b" ", 2)[1]), b""
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            body += (await reader.readexactly(size + 2))[:-2]
        while await reader.readuntil(b"\r\n") != b"\r\n":
            pass
    elif b"content-length" in headers:
        body = await reader.readexactly(int(headers[b"content-length"]))
    else:
        return status, False, await reader.read()
    return status, headers.get(b"connection", b"").lower() != b"close", body


@dataclass
class Tally:
    """What the clients got, per kind of request."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)

    def answered(self, probe: Probe, status: int, seconds: float, body: bytes) -> None:
        self.statuses[(probe.kind, status)] += 1
        self.latencies.setdefault(probe.kind, []).append(seconds * 1000)
        if status != probe.expected and len(self.unexpected) < 20:
            said = body[:300].decode(errors="replace").strip().splitlines()[:1]
            self.unexpected.append(
                f"{status} for {probe.request.method} {probe.request.target[:120]}: {said}"
            )

    def failed(self, probe: Probe, why: str) -> None:
        self.errors[(probe.kind, why)] += 1
        if len(self.unexpected) < 20:
            self.unexpected.append(f"{why}: {probe.request.method} {probe.request.target}")

    def count_unexpected(self, mix: Sequence[Probe]) -> int:
        expected = {p.kind: p.expected for p in mix}
        wrong = sum(n for (kind, status), n in self.statuses.items() if status != expected[kind])
        return wrong + sum(self.errors.values())


async def client(
    number: int, mix: Sequence[Probe], port: int, end: float, timeout: float, tally: Tally
) -> None:
    """One client: its own ``User-Agent``, a keep-alive connection, requests until ``end``."""
    agent = (("User-Agent", f"kggraph-soak/{number}"),)
    payloads = [
        raw_request(
            Request(p.request.method, p.request.target, p.request.headers + agent), HOST, port
        )
        for p in mix
    ]
    loop = asyncio.get_running_loop()
    sent = number * (len(mix) // 32 + 1)
    while loop.time() < end:
        try:
            reader, writer = await asyncio.open_connection(HOST, port)
        except OSError:
            tally.failed(mix[sent % len(mix)], "connect")
            await asyncio.sleep(0.5)
            continue
        try:
            while loop.time() < end:
                probe, payload = mix[sent % len(mix)], payloads[sent % len(mix)]
                sent += 1
                began = time.perf_counter()
                try:
                    async with asyncio.timeout(timeout):
                        writer.write(payload)
                        status, reusable, body = await read_answer(reader)
                except TimeoutError:
                    tally.failed(probe, "timeout")
                    break
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    tally.failed(probe, "broken connection")
                    break
                tally.answered(probe, status, time.perf_counter() - began, body)
                if not reusable:
                    break
        finally:
            writer.close()
