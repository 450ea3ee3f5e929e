"""The one cache of search: least recently used first out, bounded in entries and in bytes."""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any


class Recent:
    """A thread-safe LRU map. `items` bounds how many entries it keeps; `budget` (with `size`,
    the bytes of a value) how much memory. A value larger than the whole budget is not kept."""

    def __init__(self, items: int | None = None, budget: int | None = None,
                 size: Callable[[Any], int] = lambda _value: 0):
        self.items, self.budget, self.size = items, budget, size
        self._map: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable, default=None):
        with self._lock:
            found = self._map.get(key)
            if found is None:
                return default
            self._map.move_to_end(key)
            return found[0]

    def put(self, key: Hashable, value) -> None:
        weight = self.size(value)
        if self.budget is not None and weight > self.budget:
            return
        with self._lock:
            old = self._map.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._map[key] = (value, weight)
            self._bytes += weight
            while self._map and ((self.items is not None and len(self._map) > self.items)
                                 or (self.budget is not None and self._bytes > self.budget)):
                _, (_, dropped) = self._map.popitem(last=False)
                self._bytes -= dropped

    def discard(self, match: Callable[[Hashable], bool]) -> None:
        """Forget the entries whose key matches."""
        with self._lock:
            for key in [k for k in self._map if match(k)]:
                self._bytes -= self._map.pop(key)[1]

    def clear(self) -> None:
        with self._lock:
            self._map.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._map)

    @property
    def bytes(self) -> int:
        return self._bytes
