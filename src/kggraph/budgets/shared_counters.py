"""Client budgets in a file mapped into memory, so that the web processes of one server hold a
client to one budget without Redis.

``kggraph serve`` with more than one web process makes the file (``create``, in ``/dev/shm`` when
the system has it, so it never reaches a disk) and removes it when it stops; every web process
maps it (``SharedCounters``). The file is a table of ``SLOTS`` records, one per client: the hash
of its key, each bucket's balance and when it was last charged, how many of its queries run, and
until when they may (the latest admission plus the hold, as Redis keeps it: a process that dies
mid-query cannot leave a slot taken for good). A client's record lies within ``PROBE`` slots of
where its hash points; a client seen for the first time takes a free slot there, or one whose
client holds nothing (``idle``: the same as never seen), else the one visited longest ago, whose
client starts again with full buckets (as ``MemoryCounters`` forgets past ``MAX_CLIENTS``).

Each operation reads, decides and writes one record under an exclusive ``flock`` of the file, so
the processes never interleave inside one; the decisions are ``kggraph.budgets.counters``'s, on
``time.monotonic``, which is the system's one monotonic clock on Linux, the same in every
process. An operation costs two system calls and a few microseconds.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import mmap
import os
import struct
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from kggraph.budgets.counters import (
    BudgetLimits,
    Entry,
    Refusal,
    admit_entry,
    charge_error,
    idle,
    in_debt,
    out_of_errors,
    settle_entry,
)
from kggraph.core.errors import ConfigError

SLOTS = 65_536
"""Clients the table holds at once (about 3.5 MB)."""
PROBE = 8
"""Slots a client's record may lie from where its hash points."""
MAGIC = b"KGBUDG01"
_HEADER = struct.Struct("<8sI4x")
_RECORD = struct.Struct("<Q5di4x")
"""key hash (0: free), time, time_at, errors, errors_at, held_until, running."""
KEYS_REMEMBERED = 4096
"""Clients whose key a process remembers rather than hashing again."""
THROTTLED_SECONDS = 1.0
"""``throttled`` (for ``/health``) reads the whole table at most this often per process."""


def create(folder: Path | None = None, slots: int = SLOTS) -> Path:
    """A new, empty table in ``folder`` (by default ``default_folder()``), under a name no other
    process can have chosen (``mkstemp``), readable by its owner only; the caller removes it."""
    fd, name = tempfile.mkstemp(prefix="kggraph-budgets-", dir=folder or default_folder())
    try:
        os.write(fd, _HEADER.pack(MAGIC, slots))
        os.ftruncate(fd, _HEADER.size + slots * _RECORD.size)
    finally:
        os.close(fd)
    return Path(name)


def default_folder() -> Path | None:
    """``/dev/shm`` where the system has it (memory, not disk); ``None``: the temporary folder."""
    shm = Path("/dev/shm")  # noqa: S108 # files in it are made by mkstemp, never by a fixed name
    return shm if shm.is_dir() and os.access(shm, os.W_OK) else None


class SharedCounters:
    """The counts in a table shared by the web processes that map the same file."""

    backend = "shared"

    def __init__(
        self, path: Path, limits: BudgetLimits, *, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits
        self._clock = clock
        self._fd = os.open(path, os.O_RDWR)
        try:
            self._map = mmap.mmap(self._fd, 0)
        except (OSError, ValueError) as err:
            os.close(self._fd)
            raise ConfigError(f"the budget table {path} cannot be mapped: {err}") from None
        magic, self._slots = _HEADER.unpack_from(self._map, 0)
        if magic != MAGIC or len(self._map) != _HEADER.size + self._slots * _RECORD.size:
            self.close_now()
            raise ConfigError(f"{path} is not a kggraph budget table")
        self._throttled: tuple[float, int] | None = None
        self._lock = _FileLock(self._fd)

    def __len__(self) -> int:
        """Clients with a record (idle ones included until their slot is taken)."""
        return sum(1 for record in self._records() if record[0])

    async def before(self, client: str) -> Refusal | None:
        """Read without the lock: a quick look that ``admit`` makes again under it, so a record
        written meanwhile can only make this look early or late by that one write."""
        now = self._clock()
        found = self._find(_key(client), now)
        return out_of_errors(found[1] if found else None, self.limits, now)

    async def admit(self, client: str, ticket: str) -> Refusal | None:
        now = self._clock()
        limits = self.limits
        key = _key(client)
        with self._lock:
            slot, entry, _ = self._claim(key, now)
            refused = out_of_errors(entry, limits, now)
            if refused is not None or (not limits.time.on and not limits.concurrency):
                return refused
            refused = admit_entry(entry, limits, now)
            if refused is None:
                self._write(slot, key, entry, now + limits.hold_seconds)
        return refused

    async def settle(self, client: str, ticket: str, seconds: float) -> None:
        if not self.limits.time.on and not self.limits.concurrency:
            return
        now = self._clock()
        key = _key(client)
        with self._lock:
            slot, entry, held = self._claim(key, now)
            settle_entry(entry, self.limits, now, seconds)
            self._write(slot, key, entry, held)

    async def count_error(self, client: str) -> None:
        if not self.limits.errors.on:
            return
        now = self._clock()
        key = _key(client)
        with self._lock:
            slot, entry, held = self._claim(key, now)
            charge_error(entry, self.limits, now)
            self._write(slot, key, entry, held)

    async def throttled(self) -> int:
        """Clients in debt, from a copy of the table read without the lock (a record written
        meanwhile counts as before or after), at most ``THROTTLED_SECONDS`` old."""
        now = self._clock()
        if self._throttled is not None and now - self._throttled[0] < THROTTLED_SECONDS:
            return self._throttled[1]
        count = sum(
            1
            for record in self._records()
            if record[0] and in_debt(_entry(record, now), self.limits, now)
        )
        self._throttled = (now, count)
        return count

    async def close(self) -> None:
        self.close_now()

    def close_now(self) -> None:
        if not self._map.closed:
            self._map.close()
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def _claim(self, key: int, now: float) -> tuple[int, Entry, float]:
        """The slot, numbers and hold of ``key``'s record; if it has none, a slot for it with full
        buckets: a free one, one whose client holds nothing, or the one visited longest ago."""
        found = self._find(key, now)
        if found is not None:
            return found
        slots = self._probed(key)
        chosen = min(slots, key=lambda slot: _rank(self._read(slot), self.limits, now))
        return chosen, Entry.full(self.limits, now), 0.0

    def _find(self, key: int, now: float) -> tuple[int, Entry, float] | None:
        """The record of ``key``: its slot, numbers and hold; ``None`` if it has none."""
        slot = key % self._slots
        for _ in range(PROBE):
            record = _RECORD.unpack_from(self._map, _HEADER.size + slot * _RECORD.size)
            if record[0] == key:
                return slot, _entry(record, now), record[5]
            slot = slot + 1 if slot + 1 < self._slots else 0
        return None

    def _probed(self, key: int) -> list[int]:
        """The slots where the record of ``key`` may lie."""
        start = key % self._slots
        return [(start + step) % self._slots for step in range(PROBE)]

    def _read(self, slot: int) -> tuple[int, float, float, float, float, float, int]:
        record: tuple[int, float, float, float, float, float, int] = _RECORD.unpack_from(
            self._map, _HEADER.size + slot * _RECORD.size
        )
        return record

    def _write(self, slot: int, key: int, entry: Entry, held_until: float) -> None:
        _RECORD.pack_into(
            self._map,
            _HEADER.size + slot * _RECORD.size,
            key,
            entry.time,
            entry.time_at,
            entry.errors,
            entry.errors_at,
            held_until,
            entry.running,
        )

    def _records(self) -> Iterator[tuple[int, float, float, float, float, float, int]]:
        table = self._map[_HEADER.size :]
        yield from _RECORD.iter_unpack(table)


class _FileLock:
    """An exclusive ``flock`` of the table for the length of a ``with`` block."""

    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def __enter__(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def __exit__(self, *_: object) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)


@functools.lru_cache(maxsize=KEYS_REMEMBERED)
def _key(client: str) -> int:
    """The client's place in every process alike (Python's ``hash`` differs between processes);
    never 0, which marks a free slot."""
    digest = hashlib.blake2b(client.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little") or 1


def _entry(record: tuple[int, float, float, float, float, float, int], now: float) -> Entry:
    """The numbers of a record; queries still counted past their hold have ended somewhere
    that could not say so, and count no more."""
    _, spent, spent_at, errors, errors_at, held_until, running = record
    return Entry(spent, spent_at, errors, errors_at, running if now <= held_until else 0)


def _rank(
    record: tuple[int, float, float, float, float, float, int], limits: BudgetLimits, now: float
) -> float:
    """How readily a slot is given to a new client: free or idle first (-inf), then the one
    whose client was charged longest ago; one with a query running last (its hold is later than
    any charge)."""
    if not record[0]:
        return float("-inf")
    entry = _entry(record, now)
    if idle(entry, limits, now):
        return float("-inf")
    return record[5] if entry.running else max(entry.time_at, entry.errors_at)
