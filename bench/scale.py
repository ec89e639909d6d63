"""Ten million triples: the embedded store, Oxigraph server and Virtuoso on a synthetic graph.

For each size (``--sizes``, default 1M and 10M triples) it writes a release of a synthetic graph
shaped like ours (``scaledata.py``), then measures:

* the embedded default: one query worker loading the release (seconds, resident memory);
* Oxigraph server and Virtuoso: the load (wall seconds, the database's size on disk), then
  ``kggraph serve --store`` in front of the store (result cache off) and the store queried
  directly, per kind of request (``scalework.py``) and concurrency, in alternating order:
  requests/s, p50/p99 and our tier's ratio (kggraph / direct).

It prints Markdown tables and writes them to ``--markdown FILE`` if asked. Every process it
starts runs on 127.0.0.1 and is stopped when it is done, on errors and Ctrl-C too. See
``bench/README.md``.

Usage: ``python bench/scale.py [--sizes 1000000,10000000] [--stores oxigraph,virtuoso]
[--concurrency 1,8,32] [--duration 5] [--markdown FILE] [--json FILE] [--workdir DIR]``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import signal
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from endpoint import choose_generator, csv, median_cells, workdir
from loadgen import Generator
from report import Result
from scaledata import ScaleData, entities, make_release, size_label
from scalereport import markdown, progress
from scalestores import (
    Loaded,
    embedded,
    held,
    load_oxigraph,
    load_virtuoso,
    oxigraph_server,
    virtuoso_server,
)
from scalework import KINDS, Once, Work, cold_stats, send_once, workloads
from servers import HOST, Running, kggraph_serve, start, stop
from synthetic import real_build
from workload import SELECT_JSON, as_request, draw_entities

STORES = ("oxigraph", "virtuoso")
OURS, DIRECT = "kggraph", "direct"
TIER = {
    "KGGRAPH_CACHE_ENTRIES": "0",
    "KGGRAPH_CLIENT_BUDGET_SECONDS": "0",
    "KGGRAPH_CLIENT_CONCURRENCY": "0",
    "KGGRAPH_CLIENT_ERRORS": "0",
}
"""kggraph's settings in front of a store: no answer cache (each request reaches the store,
as each direct one does), and no per-client budgets (the load generator is one client)."""


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=csv(int), default=[1_000_000, 10_000_000])
    parser.add_argument("--stores", type=csv(str, STORES), default=list(STORES))
    parser.add_argument("--kinds", type=csv(str, KINDS), default=list(KINDS))
    parser.add_argument("--concurrency", type=csv(int), default=[1, 8, 32])
    parser.add_argument("--duration", type=int, default=5, help="seconds per cell")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds per target and kind")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds; median kept")
    parser.add_argument(
        "--oxigraph-timeout", type=int, default=0, metavar="S",
        help="serve Oxigraph with --timeout-s S (default: without; see scalestores.py)",
    )  # fmt: skip
    parser.add_argument("--no-embedded", action="store_true", help="skip the embedded worker")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--markdown", type=Path, help="also write the tables to this file")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--workdir", type=Path, help="keep data, stores and logs here")
    return parser.parse_args(argv)


class Target:
    """Where a cell's requests go: kggraph in front of the store, or the store itself."""

    def __init__(self, name: str, port: int, probe: Any) -> None:
        self.name, self.port, self.probe = name, port, probe

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def wait_idle(self, limit: float) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline and not self.probe():
            time.sleep(0.5)


def warm_up(target: Target, requests: Sequence[Any], args: argparse.Namespace) -> Once:
    first = send_once(target.base, requests[0], args.timeout)
    end, sent = time.monotonic() + args.warmup, 1
    while time.monotonic() < end and first.status == 200:
        send_once(target.base, requests[sent % len(requests)], args.timeout)
        sent += 1
    return first


def cells(
    store: str, work: Work, targets: dict[str, Target], generator: Generator, args: Any
) -> list[Result]:
    """Each concurrency, kggraph and direct in turns (who goes first alternates); a target that
    answered nothing within the timeout is not loaded harder."""
    results, silent = [], set()
    for number, c in enumerate(args.concurrency):
        order = [OURS, DIRECT] if (number + args.round) % 2 == 0 else [DIRECT, OURS]
        for name in order:
            where = f"{store}/{work.kind}"
            if name in silent:
                results.append(Result(name, where, c, None, "skipped: nothing answered before"))
                continue
            requests = work.ours if name == OURS else work.direct
            try:
                cell = generator.run(HOST, targets[name].port, requests, concurrency=c,
                                     duration=args.duration, timeout=args.timeout)  # fmt: skip
            except RuntimeError as err:
                results.append(Result(name, where, c, None, str(err)))
                continue
            targets[name].wait_idle(max(30.0, 3 * args.timeout))
            results.append(Result(name, where, c, cell))
            progress(results[-1])
            if cell.done == 0:
                silent.add(name)
    return results


def through(
    store: str, url: str, dialect: str, data: ScaleData, found: dict[str, Any], args: Any
) -> list[Result]:
    """kggraph serve --store ``url`` and the store itself, every kind of request."""
    work_dir = data.release.path.parents[2]
    env = {"KGGRAPH_OUTPUT": str(data.release.path.parents[1]), "KGGRAPH_STORE": url,
           "KGGRAPH_STORE_DIALECT": dialect, **TIER}  # fmt: skip
    ours: Running = start(kggraph_serve(f"kggraph-{store}", env), work_dir, ready_timeout=180)
    try:
        path = "/" + url.split("/", 3)[3]
        port = int(url.split("/")[2].rsplit(":", 1)[1])
        ask = as_request(path, "ASK { }", SELECT_JSON, method="get")
        direct = Target(DIRECT, port, lambda: send_once(f"http://{HOST}:{port}", ask, 10).ok)
        targets = {OURS: Target(OURS, ours.port, lambda: ours.probe(10)), DIRECT: direct}
        every = {w.kind: w for w in workloads(found["entities"], path, dialect)}
        results: list[Result] = []
        # stats last: a network query Oxigraph (served without a time limit) cannot finish goes
        # on using its CPU after we stop waiting, and would weigh on every later cell
        for kind in sorted(args.kinds, key=lambda k: k == "stats"):
            if kind == "stats":
                cold = cold_stats(ours.base, direct.base, every["stats"], args.timeout)
                found["cold_stats"][f"{size_label(args.size)}/{store}"] = cold
                if cold["ours"]["status"] != 200:
                    why = "skipped: the first /network/stats was not answered"
                    where = f"{store}/stats"
                    results += [Result(t, where, c, None, why) for c in args.concurrency
                                for t in (OURS, DIRECT)]  # fmt: skip
                    continue
            for name, target in targets.items():
                requests = every[kind].ours if name == OURS else every[kind].direct
                first = warm_up(target, requests, args)
                found["first"][f"{size_label(args.size)}/{store}/{kind}/{name}"] = vars(first)
            results += cells(store, every[kind], targets, choose_generator(args.generator), args)
        return results
    finally:
        stop(ours)


def one_size(triples: int, work: Path, found: dict[str, Any], args: Any) -> list[Result]:
    """Write the data of one size, load it into each store and measure."""
    label = size_label(triples)
    args.size = triples
    print(f"== {label}: writing the synthetic release…", flush=True)
    data = make_release(work / "dist", triples, seed=args.seed)
    size = {"triples": data.triples, "replicas": data.replicas, "written_s": data.seconds}
    found["sizes"][label] = {**size, "loads": []}
    print(f"{label}: {data.triples:,} triples ({data.replicas} replicas), "
          f"written in {data.seconds:.0f} s", flush=True)  # fmt: skip
    drawn = draw_entities(real_build(), seed=args.seed)
    found["entities"] = entities(data, drawn, seed=args.seed)
    loads = found["sizes"][label]["loads"]
    if not args.no_embedded:
        loads.append(_loaded(embedded(data.release)))
    results: list[Result] = []
    if "oxigraph" in args.stores:
        location = work / f"oxigraph-{label}"
        shutil.rmtree(location, ignore_errors=True)
        loads.append(_loaded(load_oxigraph(data.release, location)))
        with oxigraph_server(location, work, timeout_s=args.oxigraph_timeout) as url:
            _holds(loads[-1], url, "oxigraph")
            results += _each(through("oxigraph", url, "oxigraph", data, found, args), label)
        shutil.rmtree(location, ignore_errors=True)
    if "virtuoso" in args.stores:
        folder = work / f"virtuoso-{label}"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        with virtuoso_server(folder, work) as server:
            loads.append(_loaded(load_virtuoso(server, data, work / f"parts-{label}")))
            _holds(loads[-1], server.sparql, "virtuoso")
            results += _each(through("virtuoso", server.sparql, "virtuoso", data, found, args),
                             label)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
        shutil.rmtree(work / f"parts-{label}", ignore_errors=True)
    return results


def _holds(loaded: dict[str, Any], url: str, dialect: str) -> None:
    count = held(url, dialect)
    loaded["held"] = count
    loaded["note"] = "; ".join(filter(None, [f"holds {count:,} triples", loaded["note"]]))
    print(f"  {loaded['store']} holds {count:,} triples", flush=True)


def _loaded(loaded: Loaded) -> dict[str, Any]:
    print(f"  {loaded.store}: {loaded.seconds:.1f} s, {loaded.what} "
          f"{loaded.bytes / 2**20:,.0f} MiB {loaded.note}", flush=True)  # fmt: skip
    return vars(loaded)


def _each(results: list[Result], label: str) -> list[Result]:
    return [Result(r.server, f"{label}/{r.query}", r.concurrency, r.cell, r.note) for r in results]


def run(args: argparse.Namespace) -> tuple[dict[str, Any], list[Result]]:
    started = time.monotonic()
    generator = choose_generator(args.generator)
    found: dict[str, Any] = {"generator": generator.name, "sizes": {}, "first": {},
                             "cold_stats": {}, "started": time.strftime("%Y-%m-%d %H:%M UTC",
                                                                        time.gmtime())}  # fmt: skip
    with workdir(args.workdir) as work:
        queries = work / "queries"
        if not queries.exists():
            queries.symlink_to(Path(__file__).resolve().parents[1] / "queries")
        rounds = []
        for number in range(max(1, args.rounds)):
            args.round = number
            everything: list[Result] = []
            for triples in args.sizes:
                everything += one_size(triples, work, found, args)
            rounds.append(everything)
        results = median_cells(rounds)
    found.pop("entities", None)
    found["elapsed_s"] = round(time.monotonic() - started, 1)
    return found, results


def main(argv: Sequence[str] | None = None) -> None:
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = arguments(argv)
    try:
        found, results = run(args)
    except KeyboardInterrupt:
        sys.exit("interrupted (every process started was stopped)")
    text = markdown(found, results)
    print("\n" + text)
    if args.markdown:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text + "\n", encoding="utf-8")
    if args.json:
        cells = [{"target": r.server, "cell": r.query, "concurrency": r.concurrency,
                  "rps": r.rps, "p50": r.cell.percentile(50) if r.cell else None,
                  "p99": r.cell.percentile(99) if r.cell else None} for r in results]  # fmt: skip
        args.json.write_text(json.dumps({**found, "cells": cells}, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
