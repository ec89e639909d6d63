"""A memo of what was computed from a text, bounded by the bytes its keys hold.

A memo keyed by query texts must not grow with every distinct query a client invents: each
key may be up to a megabyte. ``TextMemo`` keeps the most recently used entries while their
keys hold at most ``max_bytes`` (``sys.getsizeof``, so what the process really holds), and
does not keep an entry whose key is bigger than ``max_key_bytes`` at all: reading a text that
long costs more than looking it up saves, and one of them would push out many small ones.
It may be used from several threads (the web process reads long queries in a thread).
"""

from __future__ import annotations

import sys
import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TextMemo(Generic[K, V]):
    """Least recently used entries, bounded by the bytes of their keys."""

    def __init__(self, *, max_bytes: int, max_key_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_key_bytes = min(max_key_bytes, max_bytes)
        self._entries: OrderedDict[K, tuple[V, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        """Bytes the kept keys hold."""
        return self._bytes

    def get(self, key: K) -> V | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def put(self, key: K, value: V) -> None:
        size = key_bytes(key)
        if size > self.max_key_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._entries[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, dropped) = self._entries.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def key_bytes(key: Hashable) -> int:
    """Bytes a key holds: a text's own size, or the sum over a tuple's parts."""
    if isinstance(key, tuple):
        return sys.getsizeof(key) + sum(key_bytes(part) for part in key)
    return sys.getsizeof(key)
