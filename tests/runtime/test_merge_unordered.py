"""The tracker thread leaves the merged step's reordering to the deduplicator, which copies
the rows it keeps in that order anyway (``gather.merge_unordered``, ``Deduplicator.filter``'s
``order``), and, without re-broadcast outputs, counts Mode A/C replies without decoding them
(``IngestStep(modeac_messages=False)``; bench/RESULTS.md "## serve"): the same state vectors,
sources, decoder rejects and counts, on reads of several receivers that overlap in time."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from skywitness.model import FrameBatch
from skywitness.runtime.feeds import Item
from skywitness.runtime.gather import merge, merge_unordered
from skywitness.sources import open_source
from skywitness.stats import IngestStats
from skywitness.track import Tracker
from skywitness.track.ingest_step import IngestStep

BEAST = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
READ = 500  # frames per read


def _reads(shared_data: Path, sources: int) -> list[Item]:
    """The capture dealt in reads of ``READ`` frames to ``sources`` receivers (each its own
    receiver id), every receiver hearing every frame, each with its own small delay: reads that
    overlap in time and copies to merge."""
    chunks = open_source(str(shared_data / BEAST), "beast", IngestStats())
    fb = FrameBatch.concat([c for c in chunks if isinstance(c, FrameBatch)])
    out = []
    for at in range(0, len(fb), READ):
        for k in range(sources):
            b = fb.take(np.arange(at, min(at + READ, len(fb))))
            b.timestamp = b.timestamp + 0.003 * k
            b.receiver[:] = k + 1
            b.source = f"rx{k}"
            out.append(Item(b.source, 0.0, b))
    return out


def _steps(
    items: list[Item], ordered: bool, modeac: bool = True
) -> tuple[list[pa.Table], dict[str, dict[str, int]]]:
    rejects: dict[str, IngestStats] = {}
    stats = IngestStats()
    tracker = Tracker(stats=stats)
    step = IngestStep(tracker, stats, modeac_messages=modeac)
    tables = []
    for at in range(0, len(items), 12):
        run = items[at : at + 12]
        if ordered:
            item, rs = merge(run, rejects)
            out = step.step(item.chunk, rejects=IngestStats(), row_sources=rs)
        else:
            item, rs, order = merge_unordered(run, rejects)
            out = step.step(item.chunk, rejects=IngestStats(), row_sources=rs, order=order)
        tables.append(out.to_arrow())
    tables.append(step.flush().to_arrow())
    counts = {k: dict(v.rejected) for k, v in rejects.items()}
    counts["all"] = dict(stats.rejected) | {"accepted": stats.accepted}
    counts["tracker"] = dict(tracker.counters)
    return tables, counts


def test_unordered_merge_steps_as_the_ordered_merge(shared_data: Path) -> None:
    items = _reads(shared_data, 3)
    want, want_counts = _steps(items, ordered=True)
    got, got_counts = _steps(items, ordered=False)
    assert [t.num_rows for t in got] == [t.num_rows for t in want]
    assert pa.concat_tables(got).equals(pa.concat_tables(want))
    assert sum(t.num_rows for t in got) > 300
    assert got_counts == want_counts
    assert got_counts["all"]["duplicate"] > 20_000  # the receivers' copies were merged
    # the runs were reordered (reads overlapping in time), so the order path was taken
    assert any(merge_unordered(items[a : a + 12], {})[2] is not None for a in (0, 12, 24))


def test_steps_without_modeac_messages_give_the_same_states_and_counts(shared_data: Path) -> None:
    """``IngestStep(modeac_messages=False)`` (serve without re-broadcast outputs): Mode A/C
    replies counted, not decoded; the same state vectors, per-source rejects, accepted count
    and tracker counters as decoding them."""
    items = _reads(shared_data, 2)
    want, want_counts = _steps(items, ordered=True)
    got, got_counts = _steps(items, ordered=False, modeac=False)
    assert pa.concat_tables(got).equals(pa.concat_tables(want))
    assert got_counts == want_counts
    assert got_counts["tracker"]["modeac_or_no_address"] > 5_000  # the capture's replies
