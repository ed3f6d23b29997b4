"""The flights child hands the memory a step freed back to the system (#17 item 12: at 100,000
frames/s its RSS rose ~300 MB a minute of data while the rows it holds rose ~110 MB; kept
freed memory, not held rows): ``release.release_freed`` after a call that stepped a
window, at most every ``RELEASE_EVERY_S`` (``Releaser``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pytest

import skywitness
from skywitness.runtime import release
from skywitness.runtime.release import RELEASE_EVERY_S, Releaser

SRC = str(Path(skywitness.__file__).resolve().parents[1])
#: 2,000 freed blocks of 125 kB below one still in use (the C heap cannot shrink from its top:
#: glibc keeps them), then ``release_freed``: the RSS before and after, MB.
CHILD = """
import numpy as np
from skywitness.runtime.release import release_freed
from skywitness.runtime.memory import rss_mb
blocks = [np.ones(16_000) for _ in range(2000)]
last = np.ones(16_000)
del blocks
before = rss_mb()
release_freed()
print(before, rss_mb())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's heap and /proc")
def test_release_hands_freed_heap_back() -> None:
    env = {**os.environ, "PYTHONPATH": SRC}
    r = subprocess.run(
        [sys.executable, "-c", CHILD], capture_output=True, env=env, check=True, timeout=120
    )
    before, after = map(float, r.stdout.decode().split())
    assert before - after > 150  # of the ~250 MB freed


def test_released_after_a_stepped_call_at_most_every_interval(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(release, "release_freed", lambda: calls.append(1))
    every = Releaser()
    assert every.every_s == RELEASE_EVERY_S > 0
    every.after(False)  # nothing stepped: nothing freed worth handing back
    assert calls == []
    every.after(True)
    every.after(True)  # within the interval: put off
    assert len(calls) == every.releases == 1
    every._last -= RELEASE_EVERY_S  # the interval has passed: the next call, stepped or not
    every.after(False)
    every.after(False)
    assert len(calls) == every.releases == 2
    always = Releaser(every_s=0.0)
    always.after(True)
    always.after(True)
    assert len(calls) == 4


def test_only_the_columns_the_stage_reads_go_to_the_child() -> None:
    """A state vector in the child's windows: the ``FLIGHT_COLUMNS`` of the tracker's rows
    (squawk, geoaltitude, position source and error left out), fewer bytes through the pipe."""
    from skywitness.flights.rowarrays import FLIGHT_COLUMNS
    from skywitness.runtime.flights_ipc import flight_columns, to_ipc
    from tests.watch.helpers import states

    rows = states([{"t": 1_700_000_000.0 + k, "icao24": "3c6444"} for k in range(50)])
    rows = rows.append_column("squawk", pa.array(["7000"] * 50))
    rows = rows.append_column("position_error", pa.array([12.5] * 50))
    sent = flight_columns(rows)
    assert set(sent.column_names) == set(FLIGHT_COLUMNS) & set(rows.column_names)
    assert "squawk" not in sent.column_names and "position_error" not in sent.column_names
    assert len(to_ipc(sent)) < len(to_ipc(rows))
    assert flight_columns(sent) is sent
