"""The live tracker steps everything queued as one chunk, each row's source kept
(``runtime/gather.py``, ``track/row_sources.py``; issue 18 item 6, issue 17 item 12).

Before, the tracker thread stepped each queued read of each receiver alone (it merged only
consecutive reads of one source): at 2,000 frames/s from 20 receivers the soak's reads of ~20
frames each cost one ~2 ms step apiece, ~300 µs of CPU per frame. Here: reads of 20 sources
queued together make one step, and that one step gives the state vectors, rejects and sources
that stepping each source alone gives (the sources' aircraft kept apart, so that the order in
which their rows reach the tracker cannot matter).
"""

from __future__ import annotations

import queue
from pathlib import Path

import numpy as np
import pyarrow as pa

from skywitness.decode import decode_batch
from skywitness.model import FrameBatch
from skywitness.runtime.feeds import Item
from skywitness.runtime.gather import gather, merge, runs
from skywitness.runtime.hub import Hub
from skywitness.runtime.tracking import TrackerWorker
from skywitness.sources import open_source
from skywitness.stats import IngestStats
from skywitness.track import Tracker
from skywitness.track.ingest_step import IngestStep

BEAST = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"


def _frames(shared_data: Path) -> FrameBatch:
    chunks = open_source(str(shared_data / BEAST), "beast", IngestStats())
    return FrameBatch.concat([c for c in chunks if isinstance(c, FrameBatch)])


def _address(fb: FrameBatch) -> np.ndarray:
    """Each frame's aircraft address as the decoder finds it (0: none), to split by aircraft."""
    return decode_batch(fb).icao24.astype(np.int64)


def _split(fb: FrameBatch, k: int, *, by_aircraft: bool = True) -> list[FrameBatch]:
    """``fb`` cut into ``k`` sources by address (the frames of one aircraft in one source;
    else into ``k`` runs of frames), each with one frame's CRC broken (a decoder reject of
    its own)."""
    part = _address(fb) % k if by_aircraft else np.arange(len(fb)) * k // len(fb)
    out = []
    for j in range(k):
        b = fb.take(np.flatnonzero(part == j))
        df17 = np.flatnonzero((b.length == 14) & (b.data[:, 0] >> 3 == 17))
        b.data[df17[0], 13] ^= 0x01  # one flipped bit: a bad CRC (DF17: not an address)
        out.append(FrameBatch(b.timestamp, b.data, b.length, b.signal, b.ticks, b.receiver,
                              f"src{j}"))  # fmt: skip
    return out


def _table(rows: list[pa.Table]) -> list[tuple[object, ...]]:
    t = pa.concat_tables(rows)
    cols = [t.column(n).to_pylist() for n in t.column_names]
    return sorted(zip(*cols, strict=True), key=repr)


def test_one_step_over_several_sources_gives_what_each_alone_gives(shared_data: Path) -> None:
    parts = _split(_frames(shared_data), 3)
    alone_rejects: dict[str, IngestStats] = {}
    # each source alone, on a step of its own: stepped one after another on one step, a
    # source's frames would come in after the newest time of the one before (too late to merge
    # as copies, and the tracker's clock loses an aircraft: track/arrival.py, sources/dedup.py),
    # not beside them as in the merged step
    stats = IngestStats()
    alone_rows = []
    for p in parts:
        own = IngestStats()
        step = IngestStep(Tracker(stats=own), own)
        one_src = step.step(p, rejects=alone_rejects.setdefault(p.source, IngestStats()))
        alone_rows += [one_src.to_arrow(), step.flush().to_arrow()]
        stats.accepted += own.accepted
        stats.rejected.update(own.rejected)

    merged_rejects: dict[str, IngestStats] = {}
    item, rs = merge([Item(p.source, 0.0, p) for p in parts], merged_rejects)
    assert rs is not None and rs.names == ("src0", "src1", "src2")
    stats2 = IngestStats()
    step2 = IngestStep(Tracker(stats=stats2), stats2)
    one = step2.step(item.chunk, rejects=IngestStats(), row_sources=rs)
    merged_rows = [one.to_arrow(), step2.flush().to_arrow()]

    assert sum(len(t) for t in merged_rows) == sum(len(t) for t in alone_rows) > 300
    assert _table(merged_rows) == _table(alone_rows)
    assert set(pa.concat_tables(merged_rows).column("source").to_pylist()) == {
        "src0", "src1", "src2"
    }  # fmt: skip
    for name in ("src0", "src1", "src2"):
        assert merged_rejects[name].rejected == alone_rejects[name].rejected
        assert merged_rejects[name].rejected_total >= 1
    assert stats2.accepted == stats.accepted
    assert stats2.rejected == stats.rejected


def test_queued_reads_of_twenty_sources_make_one_tracker_step(shared_data: Path) -> None:
    """Fails on the old worker (it stepped each source's read alone: 20 steps)."""
    parts = _split(_frames(shared_data), 20, by_aircraft=False)
    inbox: queue.Queue[Item | None] = queue.Queue()
    for p in parts:
        inbox.put(Item(p.source, 1.0, p))
    inbox.put(None)
    w = TrackerWorker(inbox, Hub(), IngestStats())
    tables: list[pa.Table] = []
    w.on_states.append(tables.append)
    w.run()
    assert w.failed is None
    assert w.batches == 1
    assert set(pa.concat_tables(tables).column("source").to_pylist()) == {
        p.source for p in parts if len(p)
    }
    assert sorted(w.decode_stats) == sorted(p.source for p in parts)
    assert all(w.decode_stats[p.source].rejected_total >= 1 for p in parts)


def test_runs_and_gather_keep_queue_order() -> None:
    fb = FrameBatch.from_hex(["8D40621D58C382D690C8AC2863A7"], [1.0])
    a, b = Item("a", 1.0, fb), Item("b", 2.0, fb)
    other = Item("c", 3.0, object())  # type: ignore[arg-type]
    assert [len(r) for r in runs([a, b, a, other, b])] == [3, 1, 1]
    assert [len(r) for r in runs([a, a, b, other], by_source=True)] == [2, 1, 1]
    inbox: queue.Queue[Item | None] = queue.Queue()
    for it in (b, a, None, a):
        inbox.put(it)
    items, end = gather(inbox, a, deadline=0.0)
    assert [i.source for i in items] == ["a", "b", "a"] and end
    item, rs = merge([a, b, a], {})
    assert rs is not None and rs.code.tolist() == [0, 1, 0] and item.arrival == 1.0
