"""``runtime.proc_stat``: a process's CPU seconds from ``/proc/PID/stat``."""

from __future__ import annotations

import os
import time
from pathlib import Path

from skywitness.runtime.proc_stat import cpu_s, stat_fields


def test_cpu_seconds_of_a_stat_file(tmp_path: Path) -> None:
    """A command name with ") (" in it is read from the end; times are clock ticks."""
    tick = os.sysconf("SC_CLK_TCK")
    times = ["S", "7"] + ["0"] * 9 + [str(3 * tick), str(tick), str(2 * tick), "0"] + ["0"] * 30
    (tmp_path / "42").mkdir()
    (tmp_path / "42" / "stat").write_text("42 (python -m x) (y) " + " ".join(times) + "\n")
    assert stat_fields(42, tmp_path) == times
    assert cpu_s(42, root=tmp_path) == 4.0
    assert cpu_s(42, waited=True, root=tmp_path) == 6.0
    assert cpu_s(43, root=tmp_path) is None
    (tmp_path / "44").mkdir()
    (tmp_path / "44" / "stat").write_text("44 (cut short) S 1\n")
    assert cpu_s(44, root=tmp_path) is None


def test_cpu_seconds_of_this_process() -> None:
    t0 = time.process_time()
    while time.process_time() - t0 < 0.2:
        pass
    own = time.process_time()
    got = cpu_s(os.getpid())
    assert got is not None
    assert abs(got - own) <= 0.05  # to the clock tick, and the /proc read itself
