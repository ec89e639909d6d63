"""Half-sent requests are closed, connections are capped, descriptors are raised (issue 13, 7).

A real ``kggraph serve`` on 127.0.0.1 with a short header deadline and a small cap; raw sockets
play the slow clients. Every wait is bounded by a deadline, never a fixed sleep.
"""

from __future__ import annotations

import os
import resource
import selectors
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kggraph.publish.build import BuildResult
from tests.conftest import ROOT, free_port, require

pytestmark = pytest.mark.slow

HEADER_TIMEOUT = 2
MAX_CONNECTIONS = 60
LOWERED_SOFT_LIMIT = 256
WAIT = 20.0
"""Seconds a test waits at most for what should happen after HEADER_TIMEOUT (a bound, not a
speed: only a server that never closes them runs into it)."""


@dataclass
class Served:
    url: str
    port: int
    process: subprocess.Popen[bytes]


def _lower_soft_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (LOWERED_SOFT_LIMIT, hard))


@pytest.fixture(scope="module")
def served(built: BuildResult, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """``kggraph serve`` started with a soft descriptor limit lowered below its hard limit."""
    port = free_port()
    env = {
        **os.environ,
        "KGGRAPH_ROOT": str(ROOT),
        "KGGRAPH_OUTPUT": str(built.release.parent.parent),
        "KGGRAPH_PORT": str(port),
        "KGGRAPH_HOST": "127.0.0.1",
        "KGGRAPH_QUERY_WORKERS": "1",
        "KGGRAPH_WORKERS": "1",  # the connection cap is per web process
        "KGGRAPH_HEADER_TIMEOUT": str(HEADER_TIMEOUT),
        "KGGRAPH_MAX_CONNECTIONS": str(MAX_CONNECTIONS),
    }
    log = tmp_path_factory.mktemp("connections") / "serve.log"
    command = [sys.executable, "-m", "kggraph", "serve", "--no-build", "--no-access-log"]
    with log.open("wb") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own command
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, preexec_fn=_lower_soft_limit
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, process, log)
        yield Served(url, port, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kggraph serve exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url + "/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"kggraph serve did not start: {log.read_text(errors='replace')[-2000:]}")


def _open(port: int, count: int, first_bytes: bytes) -> list[socket.socket]:
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        if first_bytes:
            sock.sendall(first_bytes)
        sockets.append(sock)
    return sockets


def _read_until_closed(sockets: list[socket.socket], wait: float) -> dict[socket.socket, bytes]:
    """What each socket received before the server closed it, for those it closed within
    ``wait`` seconds (the others are missing from the answer)."""
    received = {s: b"" for s in sockets}
    closed: dict[socket.socket, bytes] = {}
    with selectors.DefaultSelector() as selector:
        for sock in sockets:
            sock.setblocking(False)
            selector.register(sock, selectors.EVENT_READ)
        deadline = time.monotonic() + wait
        while len(closed) < len(sockets) and time.monotonic() < deadline:
            for key, _ in selector.select(timeout=max(deadline - time.monotonic(), 0)):
                ready = key.fileobj
                assert isinstance(ready, socket.socket)
                try:
                    chunk = ready.recv(4096)
                except ConnectionResetError:
                    chunk = b""
                if chunk:
                    received[ready] += chunk
                else:
                    closed[ready] = received[ready]
                    selector.unregister(ready)
    return closed


def _close(sockets: list[socket.socket]) -> None:
    for sock in sockets:
        sock.close()


def test_half_sent_requests_are_closed_while_others_are_answered(served: Served) -> None:
    half = _open(served.port, 40, b"GET /spa")  # half a request line
    trickled = _open(served.port, 5, b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    silent = _open(served.port, 5, b"")  # connected, nothing sent
    try:
        for _ in range(3):  # answered meanwhile, each on a new connection
            assert httpx.get(served.url + "/health", timeout=10).status_code == 200
        closed = _read_until_closed(half + trickled + silent, WAIT)
        assert len(closed) == 50, f"{50 - len(closed)} half-sent connections still open"
        assert all(data == b"" for data in closed.values()), "closed without an answer"
    finally:
        _close(half + trickled + silent)


def test_a_kept_alive_connection_has_the_same_deadline_for_its_next_request(
    served: Served,
) -> None:
    sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
    try:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(4096)
        assert answer.startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET /health HTTP/1.1\r\nHost")  # the next request, never finished
        closed = _read_until_closed([sock], WAIT)
        assert sock in closed
    finally:
        sock.close()


def test_connections_past_the_cap_are_refused_at_once(served: Served) -> None:
    held = _open(served.port, MAX_CONNECTIONS + 15, b"")
    try:
        closed = _read_until_closed(held, HEADER_TIMEOUT / 2)
        refused = [data for data in closed.values() if data]
        assert len(refused) >= 15
        assert all(data.startswith(b"HTTP/1.1 503 ") for data in refused)
        assert all(b"connection: close" in data.lower() for data in refused)
    finally:
        _close(held)
    # once they are gone, the server answers again (connections are counted down)
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        try:
            if httpx.get(served.url + "/health", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise AssertionError("the server did not answer after the held connections were closed")


def test_the_descriptor_limit_is_raised_to_the_hard_limit(served: Served) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    require(
        hard > LOWERED_SOFT_LIMIT,
        f"the open-files hard limit ({hard}) must exceed {LOWERED_SOFT_LIMIT} to show it raised",
    )
    limits = Path(f"/proc/{served.process.pid}/limits").read_text(encoding="utf-8")
    line = next(x for x in limits.splitlines() if x.startswith("Max open files"))
    soft_now, hard_now = line.split()[3:5]
    assert int(soft_now) == int(hard_now) == hard
