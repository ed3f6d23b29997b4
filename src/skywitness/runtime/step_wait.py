"""Waiting for the flights worker's last step when its work runs in a child process: bounded
by the child's work, not by the wall clock.

A niced child (``flights_proc.CHILD_NICE``) on a loaded machine gets a small share of the CPU:
a last step of a few CPU-seconds can then take minutes of wall time, and a wall-clock bound cut
it off and lost the flights in progress (the tests under load: a 1,415-row step not done in
60 s). ``join_working`` waits while the child works: until ``cpu_s`` CPU-seconds of the child
went by (the step's bound), or the child used no CPU for ``idle_s`` (hung: blocked, not
starved), or no wall bound is left to the caller's ``deadline_s``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: The last step's bound when ``stop`` is given none: CPU-seconds of the child's work, and wall
#: seconds without any CPU of the child, s.
LAST_STEP_CPU_S = 60.0
LAST_STEP_IDLE_S = 60.0
#: How often the child's CPU is read while waiting, s.
POLL_S = 0.5


def join_working(
    thread: threading.Thread,
    child_cpu: Callable[[], float | None],
    *,
    cpu_s: float = LAST_STEP_CPU_S,
    idle_s: float = LAST_STEP_IDLE_S,
    deadline_s: float | None = None,
    poll_s: float = POLL_S,
) -> bool:
    """Join ``thread`` while the child it waits on works (``child_cpu``: its CPU-seconds so
    far, None when they cannot be read: then ``idle_s`` of wall time bounds the wait, as
    before); whether the thread ended. ``deadline_s``: wall seconds at most, in any case."""
    start = time.monotonic()
    first = child_cpu()
    last, last_at = first, start
    while True:
        thread.join(poll_s)
        if not thread.is_alive():
            return True
        now = time.monotonic()
        if deadline_s is not None and now - start >= deadline_s:
            return False
        cpu = child_cpu()
        if cpu is None or first is None:
            if now - start >= idle_s:
                return False
            continue
        if last is not None and cpu < last:  # a fresh child (the last one died): its own
            first = cpu
        if cpu - first >= cpu_s:
            return False
        if last is None or cpu != last:
            last, last_at = cpu, now
        elif now - last_at >= idle_s:
            return False
