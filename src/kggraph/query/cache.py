"""A bounded in-memory cache of serialised answers, keyed by dataset version, query and format.

The published graph changes only when it is rebuilt, so an answer stays right until the next
build: ``clear`` is called when the server follows a new release. Least recently used answers
go first when either bound (entries or bytes) is reached; an answer bigger than a quarter of the
byte budget is not kept at all, so one huge result cannot flush everything else.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

from kggraph.query.executor import Answer, QueryTask


def answer_key(version: str, task: QueryTask) -> str:
    """A digest of everything an answer depends on; also the basis of its ``ETag``."""
    parts = (
        version,
        task.format,
        "\x1f".join(task.default_graphs),
        "\x1f".join(task.named_graphs),
        "\x1f".join(f"{name}={term}" for name, term in task.bindings),
        task.query,
    )
    return hashlib.blake2b("\x1e".join(parts).encode("utf-8"), digest_size=16).hexdigest()


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    evictions: int = 0


class AnswerCache:
    """LRU over answers, bounded by entry count and total body bytes."""

    def __init__(self, *, max_entries: int, max_bytes: int) -> None:
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._entries: OrderedDict[str, Answer] = OrderedDict()
        self._bytes = 0
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def get(self, key: str) -> Answer | None:
        answer = self._entries.get(key)
        if answer is None:
            self.stats.misses += 1
            return None
        self._entries.move_to_end(key)
        self.stats.hits += 1
        return answer

    def put(self, key: str, answer: Answer) -> None:
        size = len(answer.body)
        if self._max_entries == 0 or size > self._max_bytes // 4:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._bytes -= len(old.body)
        self._entries[key] = answer
        self._bytes += size
        while len(self._entries) > self._max_entries or self._bytes > self._max_bytes:
            _, dropped = self._entries.popitem(last=False)
            self._bytes -= len(dropped.body)
            self.stats.evictions += 1

    def clear(self) -> None:
        self._entries.clear()
        self._bytes = 0
