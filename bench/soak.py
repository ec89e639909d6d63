"""Soak: minutes of mixed load at 32 clients on ``kggraph serve``, its memory read from ``/proc``.

The real graph is built into a work folder and served by ``kggraph serve`` on a free 127.0.0.1
port with the default settings (one web process, its query workers, the answer cache on).
Then ``--clients`` keep-alive connections (a closed loop, as in ``endpoint.py``; each its own
client with its own ``User-Agent``) send a mix for ``--minutes``: entity lookups, the class
aggregate and DESCRIBEs over ``/sparql``, ``/id/`` pages as HTML and Turtle, the canned queries
that run without parameters, and a few queries that do not parse. Every ``--sample`` seconds the
resident memory (``VmRSS``) of the web process and of each of its children (the query workers) is
read; at the end each one's RSS at the start, after a minute, at the end and at most is printed,
with the requests and statuses per kind.

The exit status is 1 if any request got another status than its expected one (200, and 400
for the bad queries), or no answer within ``--timeout`` seconds, or the server stopped; else 0.

Usage: ``python bench/soak.py [--minutes 10] [--clients 32] [--sample 5] [--timeout 30]
[--setting NAME=VALUE] [--json FILE] [--workdir DIR]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from endpoint import ours_settings, workdir
from kggraph.namespaces import ID_IRI
from kggraph.release import CURRENT, MERGED
from loadgen import raw_request, read_response
from procrss import RssSampler
from servers import HOST, Running, Server, start, stop, tool
from workload import (
    AGGREGATE,
    NTRIPLES,
    SELECT_JSON,
    Request,
    as_request,
    describe,
    draw_entities,
    lookup,
)

ROOT = Path(__file__).resolve().parents[1]
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


@dataclass
class Tally:
    """What the clients got, per kind of request."""

    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)

    def answered(self, probe: Probe, status: int, seconds: float) -> None:
        self.statuses[(probe.kind, status)] += 1
        self.latencies.setdefault(probe.kind, []).append(seconds * 1000)
        if status != probe.expected and len(self.unexpected) < 20:
            self.unexpected.append(f"{status} for {probe.request.method} {probe.request.target}")

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
                        status, reusable = await read_response(reader)
                except TimeoutError:
                    tally.failed(probe, "timeout")
                    break
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    tally.failed(probe, "broken connection")
                    break
                tally.answered(probe, status, time.perf_counter() - began)
                if not reusable:
                    break
        finally:
            writer.close()


async def soak(
    running: Running, mix: Sequence[Probe], args: argparse.Namespace, sampler: RssSampler
) -> Tally:
    """The clients for ``args.minutes``, with a sample of memory every ``args.sample`` s."""
    tally = Tally()
    loop = asyncio.get_running_loop()
    end = loop.time() + args.minutes * 60
    clients = [
        asyncio.create_task(client(n, mix, running.port, end, args.timeout, tally))
        for n in range(args.clients)
    ]
    next_report = time.monotonic() + 60
    while not all(c.done() for c in clients):
        sampler.sample(time.monotonic())
        if running.process.poll() is not None:
            tally.unexpected.append(f"the server stopped (exit code {running.process.returncode})")
            tally.errors[("server", "stopped")] += 1
            break
        if time.monotonic() >= next_report:
            next_report += 60
            progress(tally, sampler)
        await asyncio.wait(clients, timeout=args.sample)
    for task in clients:
        task.cancel()
    await asyncio.gather(*clients, return_exceptions=True)
    sampler.sample(time.monotonic())
    return tally


def progress(tally: Tally, sampler: RssSampler) -> None:
    minutes = (time.monotonic() - sampler.started) / 60
    done = sum(tally.statuses.values())
    rss = " ".join(f"{t.role.split()[0]}:{t.last / 2**20:.0f}" for t in sampler.tracks.values())
    print(f"  {minutes:4.1f} min: {done:,} answered, {sum(tally.errors.values())} failed;"
          f" RSS MiB {rss}", flush=True)  # fmt: skip


def preflight(base: str, mix: Sequence[Probe], canned: list[str]) -> list[str]:
    """The canned queries that answer 200 without parameters; every other kind of request is
    tried once and must get its expected status."""
    runnable: list[str] = []
    with httpx.Client(base_url=base, timeout=60) as http:
        for name in canned:
            status = http.get(f"/queries/{name}").status_code
            if status == 200:
                runnable.append(name)
            else:
                print(f"  canned query {name}: {status} without parameters, left out")
        for kind in WEIGHTS:
            probe = next((p for p in mix if p.kind == kind), None)
            if probe is None or kind == "canned":
                continue
            request = probe.request
            answer = http.request(request.method, request.target, headers=dict(request.headers))
            if answer.status_code != probe.expected:
                sys.exit(f"{kind}: {answer.status_code} (not {probe.expected}) for "
                         f"{request.target}: {answer.text[:300]}")  # fmt: skip
    return runnable


def build(work: Path) -> Path:
    """A fresh build of the real graph into ``work/dist``; its output folder."""
    output = work / "dist"
    print("building the real graph…", flush=True)
    command = [tool("kggraph"), "build", "--root", str(ROOT), "--output", str(output)]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return output


def report(tally: Tally, mix: Sequence[Probe], sampler: RssSampler, seconds: float) -> str:
    lines = [f"{'kind':10} {'answered':>9} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8}  statuses"]
    for kind in WEIGHTS:
        answers = sorted(tally.latencies.get(kind, []))
        if not answers:
            continue
        statuses = {s: n for (k, s), n in sorted(tally.statuses.items()) if k == kind}
        p50, p99 = (answers[min(len(answers) - 1, int(p * len(answers)))] for p in (0.5, 0.99))
        lines.append(f"{kind:10} {len(answers):>9,} {len(answers) / seconds:>7.1f} {p50:>8.1f}"
                     f" {p99:>8.1f}  {statuses}")  # fmt: skip
    failed = dict(tally.errors)
    lines.append(f"no answer: {failed or 'none'}")
    lines.append(f"unexpected: {tally.count_unexpected(mix)}")
    lines += [f"  {u}" for u in tally.unexpected]
    return "\n".join(lines + ["", sampler.table()])


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--sample", type=float, default=5.0, help="seconds between RSS readings")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument(
        "--setting", action="append", default=[], metavar="NAME=VALUE",
        help="a kggraph setting for the server, e.g. query_workers=3 (repeatable)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--workdir", type=Path, help="keep the build and the server's log here")
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> tuple[dict[str, Any], int]:
    with workdir(args.workdir) as work:
        output = build(work)
        entities = draw_entities((output / CURRENT / MERGED).resolve(), seed=args.seed)
        canned = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
        env = {"KGGRAPH_ROOT": str(ROOT), "KGGRAPH_OUTPUT": str(output)}
        server = Server(
            "kggraph serve",
            "/sparql",
            lambda port: [
                tool("kggraph"),
                "serve",
                "--host",
                HOST,
                "--port",
                str(port),
                "--no-access-log",
                "--no-build",
            ],  # fmt: skip
            env={**env, **ours_settings(args.setting)},
        )
        running = start(server, work, ready_timeout=120)
        try:
            canned = preflight(running.base, make_mix(entities, canned, seed=args.seed), canned)
            mix = make_mix(entities, canned, seed=args.seed)
            print(f"{args.clients} clients for {args.minutes:g} min on {running.base}", flush=True)
            sampler = RssSampler(running.process.pid, time.monotonic())
            tally = asyncio.run(soak(running, mix, args, sampler))
            seconds = time.monotonic() - sampler.started
            health = httpx.get(running.base + "/health", timeout=60).json()
        finally:
            stop(running)
        print(report(tally, mix, sampler, seconds))
        unexpected = tally.count_unexpected(mix)
        numbers = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": f"{platform.machine()}, {platform.platform()}",
            "minutes": round(seconds / 60, 2),
            "clients": args.clients,
            "answered": {f"{k} {s}": n for (k, s), n in sorted(tally.statuses.items())},
            "no_answer": {f"{k} {w}": n for (k, w), n in sorted(tally.errors.items())},
            "unexpected": unexpected,
            "processes": [t.as_json() for t in sampler.tracks.values()],
            "health_at_end": health,
        }
    return numbers, unexpected


def main(argv: Sequence[str] | None = None) -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = arguments(argv)
    try:
        numbers, unexpected = run(args)
    except KeyboardInterrupt:
        sys.exit("interrupted (the server was stopped)")
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2, ensure_ascii=False) + "\n")
        print(f"numbers written to {args.json}")
    if unexpected:
        sys.exit(f"{unexpected} request(s) got an unexpected status or no answer")


if __name__ == "__main__":
    main()
