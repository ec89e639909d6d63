"""The endpoint benchmark's output: a table per query, our ratios to the peers, the goals, and
our pages against the static file (the web layer's ceiling)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from loadgen import Cell

OURS = "ours"
OURS_CACHED = "ours (cache on)"
OXIGRAPH = "oxigraph"
RDFLIB = "rdflib-endpoint"
FLOOR = "floor"
"""uvicorn + pyoxigraph, nothing else: a Python endpoint's ceiling (a peer with no goal)."""
STATIC = "static"
"""The pages' baseline: a static file served by the same application."""


@dataclass(frozen=True)
class Result:
    """One cell of the benchmark: a server, a query and a concurrency."""

    server: str
    query: str
    concurrency: int
    cell: Cell | None
    note: str = ""
    """Why there is no cell (skipped), or what else happened (the server was restarted)."""

    @property
    def rps(self) -> float | None:
        return self.cell.rps if self.cell else None


@dataclass(frozen=True)
class Goal:
    """Ours must reach ``least`` × ``peer``'s requests/s on ``query`` (at ``concurrency``); with
    ``p50``, the peer's median time over ours must reach ``least`` (0.67: ours at most 1.5 ×
    the peer's)."""

    query: str
    peer: str
    least: float
    concurrency: int | None = None
    """``None``: at every concurrency measured."""
    p50: bool = False

    def text(self) -> str:
        at = f"c={self.concurrency}" if self.concurrency else "every c"
        if self.p50:
            return f"{self.query} p50 ({at}): ours ≤ {1 / self.least:.3g} × {self.peer}'s"
        return f"{self.query} ({at}): ours ≥ {self.least:g} × {self.peer}"

    @property
    def key(self) -> str:
        return f"{self.peer}/ours p50" if self.p50 else f"ours/{self.peer}"


GOALS = (
    Goal("lookup", OXIGRAPH, 0.5, 8),
    Goal("describe", OXIGRAPH, 0.5, 8),
    Goal("lookup", OXIGRAPH, 1 / 1.5, 1, p50=True),
    Goal("aggregate", OXIGRAPH, 0.9, 1),
    Goal("aggregate", OXIGRAPH, 0.9, 8),
    Goal("lookup", RDFLIB, 3.0),
    Goal("aggregate", RDFLIB, 3.0),
    Goal("describe", RDFLIB, 3.0),
)
"""Issue 15's goals, judged on one run's medians."""


def ratio(ours: float | None, peer: float | None) -> float | None:
    if ours is None or peer is None:
        return None
    if peer == 0:
        return math.inf if ours > 0 else None
    return ours / peer


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 100 else f"{value:,.0f}"


def _times(value: float | None) -> str:
    if value is None:
        return "-"
    return "∞" if math.isinf(value) else f"{value:.2f}×"


def rps_text(value: float | None) -> str:
    """Requests a second as the tables print them."""
    if value is None:
        return "-"
    return f"{value:,.1f}" if value < 1000 else f"{value:,.0f}"


def table(title: str, header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    every = [list(header), *[list(r) for r in rows]]
    widths = [max(len(r[i]) for r in every) for i in range(len(header))]
    lines = [f"== {title}"]
    for row in every:
        cells = [row[0].ljust(widths[0])]
        cells += [v.rjust(w) for v, w in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def query_table(query: str, about: str, results: Sequence[Result]) -> str:
    header = ("server", "conc", "req/s", "p50 ms", "p99 ms", "answered", "errors", "gen CPU")
    rows = []
    notes = []
    noted: dict[tuple[str, str], list[str]] = {}
    for r in results:
        if r.query != query:
            continue
        c = r.cell
        rows.append(
            (
                r.server,
                str(r.concurrency),
                rps_text(r.rps),
                _ms(c.percentile(50) if c else None),
                _ms(c.percentile(99) if c else None),
                str(c.done) if c else "-",
                str(c.errors) if c else "-",
                f"{c.client_cpu:.0%}" if c else "-",
            )
        )
        if c is not None and c.errors:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(c.error_kinds.items()))
            notes.append(f"   errors: {r.server} c={r.concurrency}: {kinds}")
        if r.note:
            noted.setdefault((r.server, r.note), []).append(str(r.concurrency))
    notes += [f"   note: {s} c={','.join(cs)}: {note}" for (s, note), cs in noted.items()]
    return "\n".join([table(f"{query}: {about}", header, rows), *notes])


def _rps_of(results: Sequence[Result], server: str, query: str, c: int) -> float | None:
    found = _result_of(results, server, query, c)
    return found.rps if found else None


def _p50_of(results: Sequence[Result], server: str, query: str, c: int) -> float | None:
    found = _result_of(results, server, query, c)
    return found.cell.percentile(50) if found and found.cell else None


def _result_of(results: Sequence[Result], server: str, query: str, c: int) -> Result | None:
    return next(
        (r for r in results if (r.server, r.query, r.concurrency) == (server, query, c)), None
    )


def ratio_rows(results: Sequence[Result]) -> list[dict[str, Any]]:
    """Ours over each peer, the floor too (and the cache on over off), per query and
    concurrency."""
    rows = []
    cells = sorted({(r.query, r.concurrency) for r in results}, key=lambda k: k[1])
    order = list(dict.fromkeys(r.query for r in results))
    for query, c in sorted(cells, key=lambda k: (order.index(k[0]), k[1])):
        ours = _rps_of(results, OURS, query, c)
        rows.append(
            {
                "query": query,
                "concurrency": c,
                "ours/oxigraph": ratio(ours, _rps_of(results, OXIGRAPH, query, c)),
                "oxigraph/ours p50": ratio(
                    _p50_of(results, OXIGRAPH, query, c), _p50_of(results, OURS, query, c)
                ),
                "ours/rdflib-endpoint": ratio(ours, _rps_of(results, RDFLIB, query, c)),
                "ours/floor": ratio(ours, _rps_of(results, FLOOR, query, c)),
                "cache on/off": ratio(_rps_of(results, OURS_CACHED, query, c), ours),
            }
        )
    return rows


def page_rows(results: Sequence[Result], pages: Sequence[str]) -> list[dict[str, Any]]:
    """Our numbers for each of ``pages`` per concurrency, and its requests/s over the static
    file's at the same concurrency (the share of the web layer's ceiling it reaches)."""
    ours = {(r.query, r.concurrency): r for r in results if r.server == OURS}
    rows = []
    for query in pages:
        for c in sorted({c for q, c in ours if q == query}):
            cell = ours[(query, c)].cell
            static = ours.get((STATIC, c))
            rows.append(
                {
                    "query": query,
                    "concurrency": c,
                    "requests_per_s": round(cell.rps, 3) if cell else None,
                    "p50_ms": cell.percentile(50) if cell else None,
                    "p99_ms": cell.percentile(99) if cell else None,
                    "of static": ratio(cell.rps if cell else None, static.rps if static else None),
                }
            )
    return rows


def page_table(rows: Sequence[dict[str, Any]]) -> str:
    header = ("page", "conc", "req/s", "p50 ms", "p99 ms", "of static")
    body = [
        (
            r["query"],
            str(r["concurrency"]),
            rps_text(r["requests_per_s"]),
            _ms(r["p50_ms"]),
            _ms(r["p99_ms"]),
            _times(r["of static"]),
        )
        for r in rows
    ]
    title = "our pages (result cache off) against a static file from the same server"
    return table(title, header, body)


def ratio_table(rows: Sequence[dict[str, Any]]) -> str:
    rows = [r for r in rows if any(v is not None for k, v in r.items() if "/" in k)]
    if not rows:
        return "== ratios: none (ours was not measured)"
    header = ("query", "conc", "ours/oxigraph", "p50 ours÷oxigraph", "ours/rdflib-endpoint",
              "ours/floor", "ours cache on/off")  # fmt: skip
    body = [
        (
            r["query"],
            str(r["concurrency"]),
            _times(r["ours/oxigraph"]),
            _times(1 / r["oxigraph/ours p50"] if r["oxigraph/ours p50"] else None),
            _times(r["ours/rdflib-endpoint"]),
            _times(r["ours/floor"]),
            _times(r["cache on/off"]),
        )
        for r in rows
    ]
    return table("ratios of requests/s (ours: result cache off)", header, body)


def judge(goal: Goal, rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The goal with the worst measured ratio and whether it is met."""
    key = goal.key
    found = [
        (r[key], r["concurrency"])
        for r in rows
        if r["query"] == goal.query
        and r[key] is not None
        and goal.concurrency in (None, r["concurrency"])
    ]
    worst = min(found, default=None)
    status = "not measured" if worst is None else "met" if worst[0] >= goal.least else "NOT MET"
    return {
        "goal": goal.text(),
        "ratio": worst[0] if worst else None,
        "at_concurrency": worst[1] if worst else None,
        "status": status,
        "shown": (1 / worst[0] if goal.p50 and worst[0] else worst[0]) if worst else None,
    }


def goal_table(judged: Sequence[dict[str, Any]]) -> str:
    rows = [
        (
            j["goal"],
            _times(j["shown"]) + (f" (c={j['at_concurrency']})" if j["ratio"] is not None else ""),
            j["status"],
        )
        for j in judged
    ]
    return table("goals (worst ratio measured)", ("goal", "ratio", "status"), rows)


def cell_json(r: Result) -> dict[str, Any]:
    c = r.cell
    numbers: dict[str, Any] = {}
    if c is not None:
        numbers = {
            "requests_per_s": round(c.rps, 3),
            "p50_ms": c.percentile(50),
            "p99_ms": c.percentile(99),
            "answered": c.done,
            "errors": c.errors,
            "error_kinds": c.error_kinds,
            "seconds": round(c.seconds, 3),
            "generator_cpu": round(c.client_cpu, 3),
        }
    return {"server": r.server, "query": r.query, "concurrency": r.concurrency, **numbers} | (
        {"note": r.note} if r.note else {}
    )


def json_ratio(value: float | None) -> float | str | None:
    if value is None:
        return None
    return "inf" if math.isinf(value) else round(value, 4)
