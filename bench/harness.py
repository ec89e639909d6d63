"""Run the workload on each server in turn: check, warm up, then measure every cell."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from loadgen import Generator
from report import OURS, Result
from servers import HOST, Handle, Running, Server, ServerFailed, running
from workload import SELECT_JSON, Answer, Query, Request, count_rows

ONLY_OURS = "skipped: the pages are measured on ours (cache off) alone"


@dataclass(frozen=True)
class Options:
    concurrency: list[int]
    duration: int
    warmup: float
    timeout: float
    method: str
    page_duration: int = 0
    """Seconds per cell of the pages (``Query.paths``); 0: ``duration``."""

    def duration_of(self, query: Query) -> int:
        if query.paths and self.page_duration > 0:
            return min(self.duration, self.page_duration)
        return self.duration

    @property
    def drain_limit(self) -> float:
        """Seconds a server may stay busy after a cell before it is restarted."""
        return max(30.0, 3 * self.timeout)


def send(client: httpx.Client, server: Running, request: Request) -> Answer:
    answer = client.request(
        request.method,
        server.base + request.target,
        headers=dict(request.headers),
        content=request.body or None,
    )
    content_type = answer.headers.get("content-type", "")
    try:
        rows = count_rows(content_type, answer.content) if answer.status_code == 200 else -1
    except (ValueError, KeyError):
        rows = -1
    return Answer(answer.status_code, content_type, rows, len(answer.content))


def warm_up(server: Running, requests: Sequence[Request], options: Options) -> Answer:
    """Send the first request (its answer is returned), then more, one at a time, for a while."""
    with httpx.Client(timeout=options.timeout) as client:
        try:
            first = send(client, server, requests[0])
            end = time.monotonic() + options.warmup
            sent = 1
            while time.monotonic() < end:
                send(client, server, requests[sent % len(requests)])
                sent += 1
        except httpx.TimeoutException:
            return Answer(0, f"no answer within {options.timeout:g} s", -1)
        except httpx.HTTPError as err:
            return Answer(0, f"failed: {err}", -1)
    return first


COUNT = "SELECT (COUNT(*) AS ?triples) WHERE { ?s ?p ?o }"


def count_triples(server: Running, timeout: float) -> int | None:
    """How many triples the server's default graph holds (``None`` if it would not say)."""
    try:
        answer = httpx.get(
            server.url,
            params={"query": COUNT},
            headers={"Accept": SELECT_JSON},
            timeout=timeout,
        )
        return int(answer.json()["results"]["bindings"][0]["triples"]["value"])
    except (httpx.HTTPError, ValueError, KeyError, IndexError):
        return None


def _cells(
    handle: Handle, query: Query, requests: list[Request], generator: Generator, options: Options
) -> list[Result]:
    name = handle.current.server.name
    duration = options.duration_of(query)
    results: list[Result] = []
    silent = False  # no request answered within the timeout at a lower concurrency
    for c in options.concurrency:
        if silent:
            why = "skipped: no request answered within the timeout at a lower concurrency"
            results.append(Result(name, query.name, c, None, why))
            continue
        try:
            cell = generator.run(
                HOST,
                handle.current.port,
                requests,
                concurrency=c,
                duration=duration,
                timeout=options.timeout,
            )
        except RuntimeError as err:
            results.append(Result(name, query.name, c, None, f"the load generator failed: {err}"))
            continue
        note = _drain(handle, limit=options.drain_limit)
        results.append(Result(name, query.name, c, cell, note))
        silent = cell.done == 0
        _progress(results[-1])
    return results


def _progress(result: Result) -> None:
    cell = result.cell
    assert cell is not None
    p50, p99 = (cell.percentile(p) for p in (50, 99))
    print(
        f"  {result.server:16} {result.query:10} c={result.concurrency:<3}"
        f" {cell.rps:10,.1f} req/s  p50 {'-' if p50 is None else f'{p50:.2f}':>8} ms"
        f"  p99 {'-' if p99 is None else f'{p99:.2f}':>8} ms  errors {cell.errors}"
        + (f" {cell.error_kinds}" if cell.errors else "")
        + (f"  ({result.note})" if result.note else ""),
        flush=True,
    )


def _drain(handle: Handle, limit: float) -> str:
    """Wait until the server is idle again (it may still work on dropped requests)."""
    restarts = handle.restarts
    waited = handle.wait_idle(limit)
    if handle.restarts > restarts:
        return f"still busy {limit:.0f} s after the window: restarted"
    return f"busy {waited:.0f} s after the window" if waited >= 1 else ""


def measure(
    servers: Sequence[Server],
    queries: Sequence[Query],
    generator: Generator,
    options: Options,
    logs: Path,
    triples: int,
) -> tuple[list[Result], dict[tuple[str, str], Answer]]:
    """Every cell of every server, and each server's answers to each query's first request."""
    results: list[Result] = []
    answers: dict[tuple[str, str], Answer] = {}
    for server in servers:
        served = [q for q in queries if not q.paths or server.name == OURS]
        results += [
            Result(server.name, q.name, c, None, ONLY_OURS)
            for q in queries
            if q not in served
            for c in options.concurrency
        ]
        if not served:
            continue
        print(f"{server.name}: starting…", flush=True)
        try:
            with running(server, logs, ready_timeout=60 + triples / 5_000) as handle:
                _check_size(handle.current, triples, options)
                for query in served:
                    requests = query.requests(server.path, options.method)
                    answers[(server.name, query.name)] = warm_up(handle.current, requests, options)
                    _drain(handle, limit=options.drain_limit)
                    results += _cells(handle, query, requests, generator, options)
        except ServerFailed as err:
            print(f"{server.name}: FAILED: {err}", flush=True)
    return results, answers


def _check_size(server: Running, triples: int, options: Options) -> None:
    held = count_triples(server, timeout=max(60.0, options.timeout))
    age = time.monotonic() - server.started
    print(f"{server.server.name}: ready in {age:.1f} s, holding {held} triples", flush=True)
    if held != triples:
        print(f"{server.server.name}: WARNING: it holds {held}, not {triples}", flush=True)
