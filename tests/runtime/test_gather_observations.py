"""The live tracker steps the ``Observations`` (SBS, readsb JSON) queued from several sources
as one chunk, each row's source kept (``Observations.concat``, ``runtime/gather.py``; issue 18
item 6).

Before, frames of all sources queued together made one tracker step, but each queued read of
an SBS or readsb source was stepped alone (one ~2 ms step per read). Here: the reads of 20 SBS
sources queued together make one step, and that step gives the state vectors, sources and
reject counts that stepping each source alone gives. The reports are dump1090's own SBS output
for the beastblackbox capture (shared data), cut into sources by aircraft so that the order in
which the sources' rows reach the tracker cannot matter.
"""

from __future__ import annotations

import queue
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from skywitness.errors import InputError
from skywitness.model import Observations
from skywitness.runtime.feeds import Item
from skywitness.runtime.gather import merge, runs
from skywitness.runtime.hub import Hub
from skywitness.runtime.tracking import TrackerWorker
from skywitness.sources import open_source
from skywitness.sources.records import obs_take
from skywitness.stats import IngestStats
from skywitness.track import Tracker
from skywitness.track.ingest_step import IngestStep

SBS = "beastblackbox-example/beast_decoded_sbs.txt.gz"


def _reports(shared_data: Path) -> Observations:
    chunks = open_source(str(shared_data / SBS), "sbs", IngestStats())
    obs = Observations.concat([c for c in chunks if isinstance(c, Observations)])
    assert len(obs) == 8622  # dump1090's MSG lines (test_sbs_reproduction)
    return obs


def _split(obs: Observations, k: int, *, by_aircraft: bool = True) -> list[Observations]:
    """``obs`` cut into ``k`` sources by address (else into ``k`` runs of rows), each with one
    report's time blanked and another's address zeroed (rejects of its own)."""
    part = obs.icao24.astype(np.int64) % k if by_aircraft else np.arange(len(obs)) * k // len(obs)
    out = []
    for j in range(k):
        o = obs_take(obs, np.flatnonzero(part == j))
        o.timestamp[0] = np.nan  # bad_timestamp
        o.icao24[1] = 0  # bad_record: no address
        o.source = f"sbs{j}"
        out.append(o)
    return out


def _table(rows: list[pa.Table]) -> list[tuple[object, ...]]:
    t = pa.concat_tables(rows)
    cols = [t.column(n).to_pylist() for n in t.column_names]
    return sorted(zip(*cols, strict=True), key=repr)


def test_one_step_over_several_observation_sources_gives_what_each_alone_gives(
    shared_data: Path,
) -> None:
    parts = _split(_reports(shared_data), 3)
    # each source alone, on a tracker of its own: stepped one after another on one tracker, a
    # source's rows would come in after the newest time of the one before (the tracker's clock
    # loses an aircraft then: track/arrival.py), not beside them as in the merged step
    stats = IngestStats()
    alone_rows = []
    for p in parts:
        own = IngestStats()
        step = IngestStep(Tracker(stats=own), own)
        alone_rows += [step.step(p).to_arrow(), step.flush().to_arrow()]
        stats.accepted += own.accepted
        stats.positions += own.positions
        stats.rejected.update(own.rejected)

    item, rs = merge([Item(p.source, 0.0, p) for p in parts], {})
    assert rs is not None and rs.names == ("sbs0", "sbs1", "sbs2")
    assert isinstance(item.chunk, Observations) and len(item.chunk) == 8622
    stats2 = IngestStats()
    step2 = IngestStep(Tracker(stats=stats2), stats2)
    one = step2.step(item.chunk, row_sources=rs)
    merged_rows = [one.to_arrow(), step2.flush().to_arrow()]

    assert sum(len(t) for t in merged_rows) == sum(len(t) for t in alone_rows) > 300
    assert _table(merged_rows) == _table(alone_rows)
    assert set(pa.concat_tables(merged_rows).column("source").to_pylist()) == {
        "sbs0", "sbs1", "sbs2"
    }  # fmt: skip
    assert stats2.rejected == stats.rejected
    assert stats.rejected["bad_timestamp"] == 3 and stats.rejected["bad_record"] == 3
    assert stats2.accepted == stats.accepted == 8622
    assert stats2.positions == stats.positions > 0


def test_queued_reads_of_twenty_sbs_sources_make_one_tracker_step(shared_data: Path) -> None:
    """Fails on the old worker (it stepped each queued ``Observations`` read alone: 20 steps)."""
    parts = _split(_reports(shared_data), 20, by_aircraft=False)
    inbox: queue.Queue[Item | None] = queue.Queue()
    for p in parts:
        inbox.put(Item(p.source, 1.0, p))
    inbox.put(None)
    stats = IngestStats()
    w = TrackerWorker(inbox, Hub(), stats)
    tables: list[pa.Table] = []
    w.on_states.append(tables.append)
    w.run()
    assert w.failed is None
    assert w.batches == 1
    assert set(pa.concat_tables(tables).column("source").to_pylist()) == {p.source for p in parts}
    assert stats.rejected["bad_timestamp"] == 20 and stats.rejected["bad_record"] == 20


def test_a_merged_step_names_the_source_of_a_bad_report_in_strict_mode(
    shared_data: Path,
) -> None:
    parts = _split(_reports(shared_data), 3)
    parts[0].timestamp[0] = 1.0e9  # only sbs1's first report is bad now
    parts[0].icao24[1] = 0x4CA87C
    parts[2].timestamp[0] = 1.0e9
    parts[2].icao24[1] = 0x4CA87C
    item, rs = merge([Item(p.source, 0.0, p) for p in parts], {})
    stats = IngestStats(strict=True)
    with pytest.raises(InputError) as err:
        IngestStep(Tracker(stats=stats), stats).step(item.chunk, row_sources=rs)
    assert err.value.source == "sbs1" and err.value.reason == "bad_timestamp"


def test_runs_join_observations_of_any_source_and_concat_fills_optional_columns() -> None:
    a, b = Observations.empty(2, source="a"), Observations.empty(3, source="b")
    b.position_error = np.array([5.0, 6.0, 7.0])
    b.new_leg = np.zeros(0, dtype=np.bool_)
    frames = Item("f", 0.0, object())  # type: ignore[arg-type]
    ia, ib = Item("a", 1.0, a), Item("b", 2.0, b)
    assert [len(r) for r in runs([ia, ib, ia, frames, ib], by_source=True)] == [3, 1, 1]
    item, rs = merge([ia, ib], {})
    assert rs is not None and rs.code.tolist() == [0, 0, 1, 1, 1] and item.arrival == 2.0
    c = item.chunk
    assert isinstance(c, Observations) and c.source == "a"
    assert np.isnan(c.position_error[:2]).all() and c.position_error[2:].tolist() == [5, 6, 7]
    assert c.new_leg.tolist() == [False] * 5
    assert len(Observations.concat([])) == 0
