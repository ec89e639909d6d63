"""Soak: minutes of mixed load at 32 clients on ``kggraph serve``, its memory read from ``/proc``.

The real graph is built into a work folder and served by ``kggraph serve`` on a free 127.0.0.1
port with the default settings but one web process (``KGGRAPH_WORKERS=1``: the memory sampled is
that process's and its query workers'), the answer cache on.
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
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from endpoint import ours_settings, workdir
from kggraph.graph.release import CURRENT, MERGED
from procrss import RssSampler
from servers import Running, kggraph_serve, start, stop, tool
from soakload import WEIGHTS, Probe, Tally, client, make_mix
from workload import draw_entities

ROOT = Path(__file__).resolve().parents[1]


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
    rss = " ".join(f"{t.role.split()[-1]} {t.last / 2**20:.0f}" for t in sampler.live())
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
        env = {"KGGRAPH_ROOT": str(ROOT), "KGGRAPH_OUTPUT": str(output), "KGGRAPH_WORKERS": "1"}
        server = kggraph_serve("kggraph serve", {**env, **ours_settings(args.setting)})
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
