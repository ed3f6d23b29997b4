"""Handing the memory a big step freed back to the system, at most every so often: Arrow's
pool and the C heap otherwise keep a step's temporaries resident (#17 item 12). Used by the
flights child (``runtime.flights_proc``) after a call that stepped a window."""

from __future__ import annotations

import time

import pyarrow as pa

from .memory import trim_heap

#: Freed memory is handed back at most this often (after a call that stepped a window), s.
RELEASE_EVERY_S = 2.0


def release_freed() -> None:
    """Hand the memory a step freed back to the system: Arrow's pool (mimalloc) and the C
    heap (numpy's temporaries) otherwise keep it. A window's step over 20,000 aircraft frees
    hundreds of MB of temporaries; kept, the child's RSS rose ~300 MB a minute of data at
    100,000 frames/s while the rows it holds rose ~110 MB (#17 item 12). ~20 ms then, ~2 ms for
    a few aircraft (a replay's calls follow each other): see ``Releaser``."""
    pa.default_memory_pool().release_unused()
    trim_heap()


class Releaser:
    """``release_freed`` after a call that stepped a window, at most once per ``every_s`` of
    wall time (when memory goes back changes no output): one put off is made after the first
    call once the interval has passed, stepped or not."""

    def __init__(self, every_s: float = RELEASE_EVERY_S) -> None:
        self.every_s = every_s
        self._last = float("-inf")
        self._due = False  # a stepped call's freed memory not handed back yet
        self.releases = 0

    def after(self, stepped: bool) -> None:
        self._due |= stepped
        if self._due and time.monotonic() - self._last >= self.every_s:
            release_freed()
            self._last, self._due = time.monotonic(), False
            self.releases += 1
