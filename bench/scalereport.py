"""The scale benchmark's output: Markdown tables of loads, of requests through kggraph and
directly (with our tier's ratio), and of what went otherwise than a ``200``."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from typing import Any

from report import Result, rps_text

OURS, DIRECT = "kggraph", "direct"


def machine() -> str:
    """CPUs and RAM of this machine."""
    with open("/proc/meminfo", encoding="ascii") as info:
        total_kib = int(info.readline().split()[1])
    return f"{os.cpu_count()} CPUs, {total_kib / 2**20:.0f} GiB RAM"


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.1f}" if value < 100 else f"{value:,.0f}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    return lines + ["| " + " | ".join(row) + " |" for row in rows]


def progress(result: Result) -> None:
    cell = result.cell
    if cell is None:
        print(f"  {result.server:8} {result.query:22} c={result.concurrency:<3} {result.note}")
        return
    print(
        f"  {result.server:8} {result.query:22} c={result.concurrency:<3} {cell.rps:9,.1f} req/s"
        f"  p50 {_ms(cell.percentile(50)):>7} ms  p99 {_ms(cell.percentile(99)):>7} ms"
        f"  errors {cell.errors}" + (f" {cell.error_kinds}" if cell.errors else ""),
        flush=True,
    )


def load_rows(found: dict[str, Any]) -> list[list[str]]:
    rows = []
    for label, size in found["sizes"].items():
        for loaded in size["loads"]:
            rows.append([label, f"{size['triples']:,}", loaded["store"],
                         f"{loaded['seconds']:,.1f}",
                         f"{loaded['bytes'] / 2**20:,.0f} ({loaded['what']})",
                         loaded["note"]])  # fmt: skip
    return rows


def _find(results: Sequence[Result], target: str, cell: str, c: int) -> Result | None:
    return next((r for r in results if (r.server, r.query, r.concurrency) == (target, cell, c)),
                None)  # fmt: skip


def _numbers(result: Result | None) -> list[str]:
    cell = result.cell if result else None
    if cell is None:
        return ["-", "-", "-"]
    errors = f" ({cell.errors} errors)" if cell.errors else ""
    return [rps_text(cell.rps) + errors, _ms(cell.percentile(50)), _ms(cell.percentile(99))]


def request_rows(results: Sequence[Result]) -> list[list[str]]:
    rows = []
    keys = dict.fromkeys((r.query, r.concurrency) for r in results)
    for cell, c in keys:
        ours, direct = _find(results, OURS, cell, c), _find(results, DIRECT, cell, c)
        size, store, kind = cell.split("/")
        a, b = (ours.rps if ours else None), (direct.rps if direct else None)
        ratio = f"{a / b:.2f}" if a is not None and b else "-"
        rows.append([size, store, kind, str(c), *_numbers(ours), *_numbers(direct), ratio])
    return rows


def other_answers(found: dict[str, Any]) -> list[str]:
    lines = []
    for key, first in found["first"].items():
        if first["status"] != 200:
            lines.append(f"- first request of {key}: {first['status'] or 'no answer'}, "
                         f"{first['seconds']:.1f} s: {first['says']}")  # fmt: skip
    for key, cold in found["cold_stats"].items():
        ours, direct = cold["ours"], cold["direct"]
        says = f", {ours['says']}" if ours["says"] else ""
        lines.append(
            f"- {key}: the first /network/stats (every network query through the store) took "
            f"{ours['seconds']:.1f} s ({ours['status'] or 'no answer'}{says}); "
            f"its queries sent directly, one after another, {direct['seconds']:.1f} s "
            f"({direct['status'] or 'no answer'}{', ' + direct['says'] if direct['says'] else ''})"
        )
        slow = [f"{name} {once['seconds']:.1f} s ({once['status'] or 'no answer'})"
                for name, once in cold.get("each", {}).items()]  # fmt: skip
        lines.append(f"  - each network query directly: {', '.join(slow)}")
    return lines


def markdown(found: dict[str, Any], results: Sequence[Result]) -> str:
    head = [
        "# Scale benchmark (bench/scale.py)",
        "",
        f"Run {found['started']} on {machine()}; load generator {found['generator']}; "
        f"whole run {found['elapsed_s']:.0f} s.",
        "",
        "## Loading",
        "",
    ]
    loads = _table(["size", "triples", "store", "load s", "MiB", "note"], load_rows(found))
    header = ["size", "store", "request", "clients", "kggraph req/s", "p50 ms", "p99 ms",
              "direct req/s", "p50 ms", "p99 ms", "kggraph/direct"]  # fmt: skip
    requests = _table(header, request_rows(results))
    notes = other_answers(found)
    return "\n".join([*head, *loads, "", "## Requests: through kggraph and direct", "",
                      *requests, "", "## Other answers", "", *(notes or ["- none"])])  # fmt: skip


def stamp() -> str:
    return time.strftime("%Y-%m-%d", time.gmtime())
