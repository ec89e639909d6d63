"""Load generators: keep C connections busy for a while and measure what the server gives back.

Both generators (``wrk`` driven by a Lua script, see ``wrkgen.py``, or the asyncio client here)
work the same way, so their numbers mean the same thing:

- C keep-alive HTTP/1.1 connections, each sending its next request as soon as the last answer
  arrived (a closed loop), cycling through the workload's requests, for ``duration`` seconds;
  after that no connection sends a new request, but the answers still due are waited for, each
  up to its timeout (so a cell lasts at most ``duration + timeout`` seconds);
- a request counts as answered if it got a ``200`` within the timeout; its latency is from the
  first byte sent to the last byte received; requests/s is answered requests over the time
  from the start to the last answer;
- errors are other statuses, broken connections, and requests not answered within the timeout.
"""

from __future__ import annotations

import asyncio
import math
import resource
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from workload import Request


@dataclass(frozen=True)
class Cell:
    """What one generator run measured."""

    done: int
    errors: int
    seconds: float
    latencies_ms: Sequence[float] = field(repr=False)
    client_cpu: float
    """CPU the generator itself used, as a share of one core over the window."""
    error_kinds: dict[str, int] = field(default_factory=dict)
    """Errors by kind: ``status`` (not 200), ``timeout``, ``connect``, ``read``, ``write``."""

    @property
    def rps(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def percentile(self, p: float) -> float | None:
        """The ``p``-th percentile latency in ms (nearest rank), ``None`` without answers."""
        if not self.latencies_ms:
            return None
        ordered = sorted(self.latencies_ms)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


class Generator(Protocol):
    name: str

    def run(
        self,
        host: str,
        port: int,
        requests: Sequence[Request],
        *,
        concurrency: int,
        duration: int,
        timeout: float,
    ) -> Cell: ...


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def raw_request(request: Request, host: str, port: int) -> bytes:
    """``request`` as HTTP/1.1 bytes on a keep-alive connection."""
    lines = [f"{request.method} {request.target} HTTP/1.1", f"Host: {host}:{port}"]
    lines += [f"{name}: {value}" for name, value in request.headers]
    if request.method != "GET":
        lines.append(f"Content-Length: {len(request.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + request.body


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return its status and whether the connection may be reused."""
    head = await reader.readuntil(b"\r\n\r\n")
    status_line, _, rest = head.partition(b"\r\n")
    status = int(status_line.split(b" ", 2)[1])
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(b":") for line in rest.split(b"\r\n") if line)
    }
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            await reader.readexactly(size + 2)
        while await reader.readuntil(b"\r\n") != b"\r\n":
            pass
    elif b"content-length" in headers:
        await reader.readexactly(int(headers[b"content-length"]))
    else:
        await reader.read()
        return status, False
    return status, headers.get(b"connection", b"").lower() != b"close"


@dataclass
class _Tally:
    latencies: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    sent: int = 0


class _Run:
    """One cell of the asyncio generator."""

    def __init__(self, host: str, port: int, requests: Sequence[Request], timeout: float):
        self.host, self.port, self.timeout = host, port, timeout
        self.payloads = [raw_request(r, host, port) for r in requests]
        self.tally = _Tally()

    def next_payload(self) -> bytes:
        self.tally.sent += 1
        return self.payloads[self.tally.sent % len(self.payloads)]

    async def _one(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        start = time.perf_counter()
        writer.write(self.next_payload())
        status, reusable = await read_response(reader)
        elapsed = time.perf_counter() - start
        if status != 200:
            self.tally.errors["status"] += 1
        elif elapsed > self.timeout:
            self.tally.errors["timeout"] += 1
        else:
            self.tally.latencies.append(elapsed * 1000)
        return reusable

    async def connection(self, end: float) -> float:
        """Send requests until ``end``; return when the last answer came (loop time)."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        while loop.time() < end:
            try:
                reader, writer = await asyncio.open_connection(self.host, self.port)
            except OSError:
                self.tally.errors["connect"] += 1
                await asyncio.sleep(0.05)
                continue
            try:
                while loop.time() < end:
                    async with asyncio.timeout(self.timeout):
                        reusable = await self._one(reader, writer)
                    last = loop.time()
                    if not reusable:
                        break
            except TimeoutError:
                self.tally.errors["timeout"] += 1
                last = loop.time()
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                self.tally.errors["read"] += 1
                last = loop.time()
            finally:
                writer.close()
        return last


def _event_loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    try:
        import uvloop
    except ImportError:
        return None
    factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    return factory


class AsyncioGenerator:
    """The built-in generator: one asyncio task per connection (on uvloop when installed)."""

    name = "python-asyncio"

    def __init__(self) -> None:
        self._factory = _event_loop_factory()
        if self._factory is not None:
            self.name = "python-asyncio (uvloop)"

    def run(
        self,
        host: str,
        port: int,
        requests: Sequence[Request],
        *,
        concurrency: int,
        duration: int,
        timeout: float,
    ) -> Cell:
        window = _Run(host, port, requests, timeout)

        async def main() -> float:
            begun = asyncio.get_running_loop().time()
            tasks = [window.connection(begun + duration) for _ in range(concurrency)]
            return max(await asyncio.gather(*tasks)) - begun

        cpu = own_cpu()
        seconds = _run_loop(main(), self._factory)
        t = window.tally
        cpu_share = (own_cpu() - cpu) / seconds if seconds > 0 else 0.0
        errors = dict(t.errors)
        return Cell(len(t.latencies), sum(errors.values()), seconds, t.latencies, cpu_share, errors)


def _run_loop(
    coro: Coroutine[Any, Any, float], factory: Callable[[], asyncio.AbstractEventLoop] | None
) -> float:
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(coro)
