"""The flights worker's last step is waited for while its child works (``step_wait``): a
starved child (niced, on a loaded machine) that keeps working is not cut off by the wall clock
(tests/runtime/test_emitter_categories.py::test_glider_known_by_its_category_live lost its one
flight under load that way); a hung one (no CPU) or one past its CPU bound is given up on."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

from skywitness.runtime.step_wait import join_working


def _thread(seconds: float) -> threading.Thread:
    t = threading.Thread(target=time.sleep, args=(seconds,), daemon=True)
    t.start()
    return t


def _cpu(step: float) -> Callable[[], float]:
    ticks = itertools.count()
    return lambda: next(ticks) * step


def test_a_working_child_is_waited_for_past_the_idle_bound() -> None:
    start = time.monotonic()
    assert join_working(_thread(0.6), _cpu(0.01), cpu_s=60.0, idle_s=0.2, poll_s=0.05)
    assert time.monotonic() - start >= 0.55


def test_a_child_without_cpu_is_given_up_on() -> None:
    t = _thread(5.0)
    start = time.monotonic()
    assert not join_working(t, lambda: 3.0, cpu_s=60.0, idle_s=0.2, poll_s=0.05)
    assert 0.2 <= time.monotonic() - start < 2.0


def test_the_cpu_bound_and_the_deadline_hold() -> None:
    assert not join_working(_thread(5.0), _cpu(1.0), cpu_s=3.0, idle_s=10.0, poll_s=0.05)
    start = time.monotonic()
    assert not join_working(
        _thread(5.0), _cpu(0.01), cpu_s=60.0, idle_s=10.0, deadline_s=0.3, poll_s=0.05
    )
    assert time.monotonic() - start < 2.0


def test_unreadable_cpu_waits_the_idle_bound_of_wall_time() -> None:
    assert join_working(_thread(0.1), lambda: None, idle_s=1.0, poll_s=0.05)
    start = time.monotonic()
    assert not join_working(_thread(5.0), lambda: None, idle_s=0.3, poll_s=0.05)
    assert time.monotonic() - start < 2.0


def test_a_fresh_child_starts_its_own_count() -> None:
    """The first child from 50 s, a fresh one (the first died) from 0.5 s: the bound counts the
    fresh one's own CPU (the first one's start would leave it unbounded)."""
    values = iter([50.0, 55.0, *(0.5 + 2.0 * i for i in range(1000))])
    start = time.monotonic()
    assert not join_working(_thread(5.0), lambda: next(values), cpu_s=6.0, poll_s=0.05)
    assert time.monotonic() - start < 2.0
