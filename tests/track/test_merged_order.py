"""A merged step (``runtime/gather.py``) interleaves the reads of several receivers in time
order: the tracker takes an aircraft's rows in the order they come (``track/arrival.py``), so
reads queued one receiver after the other would have the second's rows tracked after newer
ones of the first (in passes: its older positions not used).

Real frames (``full_flight_short``, in time order, none at the same instant as another) cut
into reads of 20, dealt to two receivers and queued all of the first's reads, then all of the
second's: the merged step gives what the frames in one step give.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pyarrow.compute as pc

from skywitness.model import FrameBatch
from skywitness.runtime.feeds import Item
from skywitness.runtime.gather import merge
from skywitness.sources import open_source
from skywitness.stats import IngestStats
from skywitness.track import StateVectors, Tracker
from skywitness.track.ingest_step import IngestStep
from skywitness.track.row_sources import RowSources
from tests.conftest import SHARED_DATA

READ = 20
ROWS = 6_000


@cache
def _frames() -> FrameBatch:
    path = SHARED_DATA / "traffic-raw-frames/full_flight_short.jsonl.gz"
    parts = list(open_source(str(path), "jsonl", IngestStats()))
    frames = FrameBatch.concat([p for p in parts if isinstance(p, FrameBatch)])
    # frames at one instant have no order of their own: leave out those (a few pairs)
    step = np.diff(frames.timestamp)
    alone = np.r_[True, step > 0] & np.r_[step > 0, True]
    return frames.take(np.flatnonzero(alone)[:ROWS])


def _tracked(
    chunk: FrameBatch, rs: RowSources | None = None
) -> tuple[list[dict[str, object]], int]:
    stats = IngestStats()
    step = IngestStep(Tracker(stats=stats), stats)
    sv = StateVectors.concat([step.step(chunk, row_sources=rs).states, step.flush()]).to_arrow()
    sv = sv.drop_columns(["source"])
    sv = sv.take(pc.sort_indices(sv, [(c, "ascending") for c in sv.column_names]))
    return sv.to_pylist(), stats.positions


def test_reads_of_two_receivers_queued_one_after_the_other() -> None:
    frames = _frames()
    assert np.all(np.diff(frames.timestamp) > 0)
    reads = [frames.take(np.arange(a, min(a + READ, ROWS))) for a in range(0, ROWS, READ)]
    queued = [Item("rx1", 0.0, r) for r in reads[0::2]] + [Item("rx2", 0.0, r) for r in reads[1::2]]
    item, rs = merge(queued, {})
    assert isinstance(item.chunk, FrameBatch) and rs is not None
    np.testing.assert_array_equal(item.chunk.timestamp, frames.timestamp)
    got = _tracked(item.chunk, rs)
    want = _tracked(frames)
    assert got[1] == want[1] > 300
    assert got[0] == want[0]
