"""Benchmark our SPARQL endpoint against `oxigraph serve` and rdflib-endpoint, in one run.

Each server is started on a free 127.0.0.1 port with the same N-Triples (the real build, or with
``--scale`` a synthetic graph of about a million triples shaped like it), answers each query once
(checked and compared), is warmed up, then is loaded at each concurrency for ``--duration``
seconds by the same load generator (``wrk`` when installed, else a Python asyncio client). It
prints a table per query, our ratios to each peer and the goals of the issue, and is always
stopped, on errors and Ctrl-C too. ``floor`` (uvicorn + pyoxigraph, nothing else; ``floor.py``)
is the ceiling of a Python endpoint over pyoxigraph, run with as many web processes as ours. Our
server alone is also measured on pages only it has (an ``/id/`` page, a canned query, the
network's statistics) against a static file it serves (the ceiling of its web layer). See
``bench/README.md``.

Usage: ``python bench/endpoint.py [--servers ours,ours-cached,oxigraph,rdflib,floor]
[--queries lookup,aggregate,describe,static,health,page,canned,network] [--concurrency 1,8,32]
[--duration 5] [--page-duration 3] [--scale [N]] [--json FILE]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from floor import floor_like_ours
from harness import Options, measure
from loadgen import AsyncioGenerator, Generator
from report import (
    GOALS,
    Result,
    cell_json,
    goal_table,
    json_ratio,
    judge,
    page_rows,
    page_table,
    query_table,
    ratio_rows,
    ratio_table,
)
from servers import Server, ours, ours_available, oxigraph, rdflib_endpoint
from synthetic import generate, real_build
from workload import (
    CANNED,
    NETWORK_STATS,
    PAGES,
    SPARQL,
    Answer,
    Query,
    draw_entities,
    make_queries,
)
from wrkgen import WrkGenerator

ROOT = Path(__file__).resolve().parents[1]
SERVERS = ("ours", "ours-cached", "oxigraph", "rdflib", "floor")
QUERIES = SPARQL + PAGES
ABOUT = {
    "lookup": "labels and types of one entity (cycling through {n} entities)",
    "aggregate": "instances and triples per class (GROUP BY, one fixed query)",
    "describe": "DESCRIBE one entity (cycling through {n} entities)",
    "static": "GET {text}, a static file of our server (its web layer's ceiling)",
    "health": "GET {text}, the lightest route through the same stack (no file, no query)",
    "page": "GET an entity's /id/ page as HTML (cycling through {n} entities)",
    "canned": f"GET /queries/{CANNED}, a canned query, as SPARQL JSON",
    "network": f"GET {NETWORK_STATS}, the organisation network's statistics",
}


def csv(kind: type, known: Sequence[str] | None = None) -> Any:
    def parse(text: str) -> list[Any]:
        items = [kind(item.strip()) for item in text.split(",") if item.strip()]
        unknown = [i for i in items if known is not None and i not in known]
        if unknown or not items:
            raise argparse.ArgumentTypeError(f"choose among {', '.join(known or ())}")
        return items

    return parse


def arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=csv(str, SERVERS), default=list(SERVERS))
    parser.add_argument(
        "--queries", type=csv(str, QUERIES), default=list(QUERIES),
        help=f"among {','.join(QUERIES)} (default: all); the last {len(PAGES)} only on ours",
    )  # fmt: skip
    parser.add_argument("--concurrency", type=csv(int), default=[1, 8, 32])
    parser.add_argument("--duration", type=int, default=5, help="seconds per cell")
    parser.add_argument(
        "--page-duration", type=int, default=3,
        help="seconds per cell of the pages (static, health, page, canned, network), at most "
        "--duration",
    )  # fmt: skip
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds per server and query")
    parser.add_argument("--timeout", type=float, default=20.0, help="seconds per request")
    parser.add_argument("--method", choices=("get", "post"), default="get")
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument(
        "--scale", type=int, nargs="?", const=1_000_000, metavar="TRIPLES",
        help="run on a synthetic graph of about TRIPLES triples (default 1,000,000)",
    )  # fmt: skip
    parser.add_argument(
        "--rounds", type=int, default=1,
        help="measure every server this many times, alternating their order, and keep each "
        "cell's median (load that drifts during a run then weighs on every server alike)",
    )  # fmt: skip
    parser.add_argument(
        "--ours-setting", action="append", default=[], metavar="NAME=VALUE",
        help="a kggraph setting for our server, e.g. query_workers=3 (repeatable)",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=17, help="for the entities and --scale")
    parser.add_argument("--json", type=Path, help="also write the numbers to this file")
    parser.add_argument("--workdir", type=Path, help="keep data, releases and logs here")
    return parser.parse_args(argv)


def choose_generator(kind: str) -> Generator:
    wrk = WrkGenerator.find() if kind in ("auto", "wrk") else None
    if kind == "wrk" and wrk is None:
        sys.exit("--generator wrk: wrk is not installed (apt-get install wrk)")
    return wrk if wrk is not None else AsyncioGenerator()


@dataclass(frozen=True)
class Data:
    path: Path
    triples: int
    description: str


def prepare_data(args: argparse.Namespace, work: Path) -> Data:
    if args.scale is None:
        path = real_build()
        triples = sum(1 for _ in path.open("rb"))
        return Data(path, triples, f"the real build ({path})")
    print(f"generating a synthetic graph of about {args.scale:,} triples…", flush=True)
    made = generate(work / "synthetic.nt", triples=args.scale, seed=args.seed)
    about = f"{made.replicas} replicas of {made.per_replica} instance triples + vocabulary"
    return Data(made.path, made.triples, f"synthetic ({about})")


def make_servers(
    keys: Sequence[str],
    data: Path,
    work: Path,
    timeout: float,
    settings: dict[str, str] | None = None,
) -> list[Server]:
    servers: list[Server] = []
    wanted_ours = [k for k in ("ours", "ours-cached") if k in keys]
    if wanted_ours:
        missing = ours_available()
        if missing is not None:
            print(f"ours: SKIPPED: `kggraph serve --help` failed ({missing})", flush=True)
        else:
            # it runs in ``work``, where it looks for the canned queries (and for no sources)
            shutil.copytree(ROOT / "queries", work / "queries", dirs_exist_ok=True)
            for key in wanted_ours:
                out = work / ("ours-cached" if key == "ours-cached" else "ours")
                servers.append(ours(data, out, cache=key == "ours-cached", settings=settings))
    if "oxigraph" in keys:
        servers.append(oxigraph(data, timeout=timeout))
    if "rdflib" in keys:
        servers.append(rdflib_endpoint(data))
    if "floor" in keys:
        servers += floor_like_ours(data, settings or {})
    return servers


def ours_settings(pairs: Sequence[str]) -> dict[str, str]:
    """``query_workers=3`` → ``{"KGGRAPH_QUERY_WORKERS": "3"}``."""
    found = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            sys.exit(f"--ours-setting wants NAME=VALUE, not {pair!r}")
        found["KGGRAPH_" + name.strip().upper()] = value.strip()
    return found


def median_cells(rounds: Sequence[Sequence[Result]]) -> list[Result]:
    """Per server, query and concurrency, the round with the median requests/s (the lower
    middle one for an even count), in the first round's order."""
    by_cell: dict[tuple[str, str, int], list[Result]] = {}
    for found in rounds:
        for result in found:
            by_cell.setdefault((result.server, result.query, result.concurrency), []).append(result)
    chosen = []
    for cell in by_cell.values():
        ranked = sorted(cell, key=lambda r: -1.0 if r.rps is None else r.rps)
        chosen.append(ranked[(len(ranked) - 1) // 2])
    return chosen


def answer_table(answers: dict[tuple[str, str], Answer], queries: Sequence[Query]) -> str:
    lines = ["== answers to each query's first request (checked before timing)"]
    for (server, query), answer in answers.items():
        lines.append(f"{server:16} {query:10} {answer.describe()}")
    for q in queries:
        counts = {a.rows for (s, name), a in answers.items() if name == q.name and a.rows >= 0}
        if len(counts) > 1:
            lines.append(f"   WARNING: the servers' answers to {q.name} differ in size: {counts}")
    return "\n".join(lines)


def report(
    results: Sequence[Result], queries: Sequence[Query], answers: dict[tuple[str, str], Answer]
) -> dict[str, Any]:
    sections = [
        query_table(q.name, ABOUT[q.name].format(n=len(q.texts), text=q.texts[0]), results)
        for q in queries
    ]
    sparql = [q for q in queries if not q.paths]
    rows = ratio_rows([r for r in results if r.query in {q.name for q in sparql}])
    judged = [judge(goal, rows) for goal in GOALS if goal.query in {q.name for q in sparql}]
    if sparql:
        sections += [ratio_table(rows), goal_table(judged)]
    pages = page_rows(results, [q.name for q in queries if q.paths])
    if pages:
        sections.append(page_table(pages))
    sections.append(answer_table(answers, queries))
    for section in sections:
        print()
        print(section)
    return {
        "cells": [cell_json(r) for r in results],
        "ratios": [{k: json_ratio(v) if "/" in k else v for k, v in r.items()} for r in rows],
        "pages": [{**r, "of static": json_ratio(r["of static"])} for r in pages],
        "goals": [{**j, "ratio": json_ratio(j["ratio"])} for j in judged],
        "answers": {f"{s} | {q}": vars(a) for (s, q), a in answers.items()},
    }


@contextlib.contextmanager
def workdir(path: Path | None) -> Iterator[Path]:
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
        yield path.resolve()
        return
    with tempfile.TemporaryDirectory(prefix="kggraph-bench-") as tmp:
        yield Path(tmp)


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.monotonic()
    generator = choose_generator(args.generator)
    print(f"load generator: {generator.name}", flush=True)
    with workdir(args.workdir) as work:
        data = prepare_data(args, work)
        print(f"data: {data.triples:,} triples, {data.description}", flush=True)
        entities = draw_entities(data.path, seed=args.seed)
        queries = make_queries(entities, args.queries)
        settings = ours_settings(args.ours_setting)
        servers = make_servers(args.servers, data.path, work, args.timeout, settings)
        options = Options(
            args.concurrency, args.duration, args.warmup, args.timeout, args.method,
            page_duration=args.page_duration,
        )  # fmt: skip
        rounds: list[list[Result]] = []
        answers: dict[tuple[str, str], Answer] = {}
        for number in range(max(1, args.rounds)):
            order = servers if number % 2 == 0 else servers[::-1]
            if args.rounds > 1:
                print(f"== round {number + 1} of {args.rounds}", flush=True)
            found, answers = measure(order, queries, generator, options, work, data.triples)
            rounds.append(found)
        results = median_cells(rounds)
    numbers = report(results, queries, answers)
    elapsed = time.monotonic() - started
    print(f"\nwhole run: {elapsed:.0f} s")
    meta = {
        "generator": generator.name,
        "data": {"triples": data.triples, "source": data.description},
        "entities": len(entities),
        "rounds": args.rounds,
        "options": vars(options),
        "elapsed_s": round(elapsed, 1),
    }
    return {**meta, **numbers}


def main(argv: Sequence[str] | None = None) -> None:
    # Servers are stopped in ``finally`` blocks: make Ctrl-C and SIGTERM raise, even when this
    # process was started with SIGINT ignored (as background jobs of a script are).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = arguments(argv)
    try:
        numbers = run(args)
    except KeyboardInterrupt:
        sys.exit("interrupted (every server started was stopped)")
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2, ensure_ascii=False) + "\n")
        print(f"numbers written to {args.json}")


if __name__ == "__main__":
    main()
