"""The watch's spooled history does not stay in serve's resident set (#17 item 12).

Each evaluated window's rows are a memory-mapped file; the pages an alert's lookup reads
became resident in the process and stayed so for as long as the file was held (30 minutes of
data time): at 100,000 frames/s every new aircraft's ``seen`` alert reads pages all over the
window's file, so serve's RSS grew with the files held. Each file is now mapped again after
every window: the pages read stay in the page cache, not in the process.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from skywitness.model import TIMESTAMP_TYPE
from skywitness.watch.held import ROW_ORDER, Spool
from skywitness.watch.history import History
from skywitness.watch.source import HISTORY_COLUMNS

T0 = 1_633_608_000.0
AIRCRAFT = 2_000
ROWS = 100_000  # per window: ~1.6 MB of columns, 400 pages


def _resident_kb(folder: Path) -> int:
    """kB resident in this process of the files mapped from ``folder`` (/proc/self/smaps)."""
    total, ours = 0, False
    for line in Path("/proc/self/smaps").read_text().splitlines():
        head = line.split()
        if head and "-" in head[0] and len(head) >= 5:  # a mapping's first line
            ours = len(head) >= 6 and head[5].startswith(str(folder))
        elif ours and line.startswith("Rss:"):
            total += int(head[1])
    return total


def _window(w: int) -> pa.Table:
    rng = np.random.default_rng(w)
    end = T0 + 60.0 * (w + 1)
    icao = np.array([f"3c{i:04x}" for i in range(AIRCRAFT)])[rng.integers(0, AIRCRAFT, ROWS)]
    return pa.table({
        "timestamp": pa.array(np.round((end - rng.uniform(0, 60, ROWS)) * 1000).astype(np.int64)
                              ).cast(TIMESTAMP_TYPE),
        "icao24": pa.array(icao),
        "latitude": pa.array(rng.uniform(40, 60, ROWS)),
        "longitude": pa.array(rng.uniform(-5, 20, ROWS)),
        "altitude": pa.array(rng.uniform(0, 40_000, ROWS)),
        "source": pa.array(np.full(ROWS, "rx")),
        "position_source": pa.array(np.full(ROWS, "adsb")),
    }).sort_by(ROW_ORDER)  # fmt: skip


def test_pages_read_leave_the_resident_set(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    hist = History(1800.0, spool, HISTORY_COLUMNS)
    touched = []
    for w in range(4):
        hist.remember(_window(w), T0 + 60.0 * (w + 1))
        before = {f"3c{i:04x}": hist.positions(f"3c{i:04x}", T0 + 60.0 * w + 30, before=3,
                                               after=2) for i in range(0, AIRCRAFT, 7)}  # fmt: skip
        assert all(len(v) == 5 for v in before.values())
        touched.append(_resident_kb(tmp_path))
    assert hist.chunks() == 4
    # what the lookups of one window read (all over its file) is resident now; the earlier
    # windows' pages are not: the resident part does not grow with the files held
    assert touched[0] > 500 and max(touched) < 2 * touched[0], touched
    again = {f"3c{i:04x}": hist.positions(f"3c{i:04x}", T0 + 60.0 * 3 + 30, before=3, after=2)
             for i in range(0, AIRCRAFT, 7)}  # fmt: skip
    assert again == before  # the same rows from the new mappings
    hist.close()
    spool.close()
