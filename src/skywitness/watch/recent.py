"""``RecentSet``: the distinct values among the last ``n`` added (the service's watched
aircraft: those with one of its last alerts; a webhook's delivered alert ids), so that a
service running for months does not hold every value it ever saw.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator


class RecentSet:
    """A set of the values among the last ``n`` ``add`` calls; O(1) per add."""

    def __init__(self, n: int) -> None:
        self._order: deque[str] = deque()
        self._count: Counter[str] = Counter()
        self.n = n

    def add(self, value: str) -> None:
        self._order.append(value)
        self._count[value] += 1
        if len(self._order) > self.n:
            old = self._order.popleft()
            self._count[old] -= 1
            if not self._count[old]:
                del self._count[old]

    def __contains__(self, value: object) -> bool:
        return value in self._count

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._count))

    def __len__(self) -> int:
        return len(self._count)
