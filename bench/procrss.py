"""Resident memory of a server and the processes it started, read from ``/proc`` (Linux).

``RssSampler.sample()`` reads ``VmRSS`` of the web process and of every process whose parent it
is (the query workers, and multiprocessing's helper if any), each named by its role; each
process keeps its first, last and highest reading, so a worker replaced halfway shows as two.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")


@dataclass
class Track:
    """One process's resident memory over the run (bytes; seconds from the start)."""

    pid: int
    role: str
    first_at: float
    first: int
    last_at: float = 0.0
    last: int = 0
    peak: int = 0
    at_one_minute: int | None = None
    """The first reading at least a minute after the process was first seen: after its
    warm-up (a worker's graph loaded, the web process's caches filled)."""

    def add(self, at: float, rss: int) -> None:
        self.last_at, self.last, self.peak = at, rss, max(self.peak, rss)
        if self.at_one_minute is None and at - self.first_at >= 60:
            self.at_one_minute = rss

    def as_json(self) -> dict[str, object]:
        mib = 2**20
        return {
            "pid": self.pid,
            "role": self.role,
            "seen_s": [round(self.first_at, 1), round(self.last_at, 1)],
            "rss_mib": {
                "start": round(self.first / mib, 1),
                "after_1_min": None
                if self.at_one_minute is None
                else round(self.at_one_minute / mib, 1),
                "end": round(self.last / mib, 1),
                "max": round(self.peak / mib, 1),
            },
        }


def rss_bytes(pid: int) -> int | None:
    """``VmRSS`` of ``pid`` in bytes, ``None`` once it has gone."""
    try:
        status = (PROC / str(pid) / "status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return None


def children(parent: int) -> list[int]:
    """Processes whose parent is ``parent`` (a scan of ``/proc``)."""
    found = []
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent:
            found.append(int(entry.name))
    return found


def role_of(pid: int) -> str:
    """``query worker`` for a spawned multiprocessing child, else its command's first words."""
    try:
        raw = (PROC / str(pid) / "cmdline").read_bytes()
    except OSError:
        return "gone"
    command = raw.replace(b"\0", b" ").decode(errors="replace")
    if "resource_tracker" in command:
        return "multiprocessing resource tracker"
    if "spawn_main" in command:
        return "query worker"
    return command[:60] or "?"


class RssSampler:
    """Samples the web process ``pid`` and its children; ``tracks`` holds what it saw."""

    def __init__(self, pid: int, started: float) -> None:
        self.pid = pid
        self.started = started
        self.tracks: dict[int, Track] = {}
        self.last_at = 0.0

    def live(self) -> list[Track]:
        """The processes seen at the last sample."""
        return [t for t in self.tracks.values() if t.last_at == self.last_at]

    def sample(self, now: float) -> None:
        at = self.last_at = now - self.started
        for pid in [self.pid, *children(self.pid)]:
            rss = rss_bytes(pid)
            if rss is None:
                continue
            track = self.tracks.get(pid)
            if track is None:
                role = "web process" if pid == self.pid else role_of(pid)
                track = self.tracks[pid] = Track(pid, role, at, rss)
            track.add(at, rss)

    def table(self) -> str:
        """The tracks as a fixed-width table, web process first."""
        lines = [
            f"{'process':34} {'pid':>7} {'seen (s)':>13} {'start':>8} {'1 min':>8}"
            f" {'end':>8} {'max':>8}   (RSS, MiB)"
        ]
        for track in sorted(self.tracks.values(), key=lambda t: (t.pid != self.pid, t.first_at)):
            row = track.as_json()
            rss = row["rss_mib"]
            assert isinstance(rss, dict)
            minute = "-" if rss["after_1_min"] is None else f"{rss['after_1_min']:.1f}"
            seen = f"{track.first_at:.0f}-{track.last_at:.0f}"
            lines.append(
                f"{track.role[:34]:34} {track.pid:>7} {seen:>13} {rss['start']:>8.1f}"
                f" {minute:>8} {rss['end']:>8.1f} {rss['max']:>8.1f}"
            )
        return "\n".join(lines)
