"""Already-tracked states gated column-wise (``track.states_gate``): row for row what a fresh
``Tracker`` makes of the same rows (their ``Observations``, one batch, then its flush), on real
``traffic`` collections and on generated documents with gaps, repeats, holes and spikes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.sources.states import observations_from_states, plain_texts
from skywitness.stats import IngestStats
from skywitness.store import load_traffic_json
from skywitness.store.schema import canonicalize
from skywitness.track import StateVectors, Tracker
from skywitness.track.states_gate import GATED_SCHEMA, gate_states

ORDER = [("icao24", "ascending"), ("timestamp", "ascending")]


def tracked(
    table: pa.Table, rate_s: float = 1.0, lost_after_s: float = 60.0
) -> tuple[pa.Table, IngestStats]:
    """What the tracker makes of ``table``'s rows in time order (as the ingest step gives it
    a document): the reference the gate must equal."""
    stats = IngestStats()
    tracker = Tracker(rate_s=rate_s, lost_after_s=lost_after_s, stats=stats)
    obs = observations_from_states(table, "doc")
    rows = tracker.update_observations(obs.take(np.argsort(obs.timestamp, kind="stable")))
    out = StateVectors.concat([rows, tracker.flush()]).to_arrow()
    return out.take(pc.sort_indices(out, _every_column(out))), stats


def _every_column(t: pa.Table) -> list[tuple[str, str]]:
    """(icao24, time), then every other column: rows of one aircraft at the same millisecond
    have no order of their own (the lake's readers order by time), so ties are compared as
    sets of rows."""
    return ORDER + [(c, "ascending") for c in t.column_names if c not in ("icao24", "timestamp")]


def gated(
    table: pa.Table, rate_s: float = 1.0, lost_after_s: float = 60.0
) -> tuple[pa.Table, IngestStats]:
    """The gate's rows, texts decoded (it gives them dictionary-encoded: ``GATED_SCHEMA``)."""
    stats = IngestStats()
    out = gate_states(table, stats=stats, source="doc", rate_s=rate_s, lost_after_s=lost_after_s)
    assert out.num_rows == 0 or out.schema == GATED_SCHEMA
    return plain_texts(out), stats


def assert_same(table: pa.Table, rate_s: float = 1.0, lost_after_s: float = 60.0) -> pa.Table:
    want, want_stats = tracked(table, rate_s, lost_after_s)
    got, got_stats = gated(table, rate_s, lost_after_s)
    # the gate gives the lake's order (day, icao24, time): the same as (icao24, time) in a day,
    # with rows at the same millisecond in any order
    got_sorted = got.take(pc.sort_indices(got, _every_column(got)))
    assert got_sorted.schema == want.schema
    for name in want.column_names:
        assert got_sorted.column(name).equals(want.column(name)), name
    assert got_stats.rejected == want_stats.rejected
    assert got_stats.positions == want_stats.positions
    assert got_stats.aircraft == want_stats.aircraft
    return got


REAL = {
    # file: (rows in, rows out, implausible positions) as the tracker gives them
    "collections/quickstart.json.gz": (284_505, 284_505, 4),
    "collections/switzerland.json.gz": (139_098, 139_098, 0),
    "noisy/noisy_spoofing.json.gz": (8_681, 8_681, 29),
    "noisy/noisy_time_issue.json.gz": (8_294, 8_294, 26),
    # several reports a second; 14,835 before one row per stored millisecond (4d20cd twice
    # at 2019-10-05 19:47:08)
    "onground/zurich_airport.json.gz": (17_132, 14_834, 3),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_collections_as_the_tracker_makes_them(shared_data: Path, name: str) -> None:
    table = canonicalize(load_traffic_json(shared_data / "traffic-trajectories" / name))
    rows_in, rows_out, implausible = REAL[name]
    assert table.num_rows == rows_in
    got = assert_same(table)
    assert got.num_rows == rows_out
    assert gated(table)[1].rejected.get("implausible_position", 0) == implausible


def test_quickstart_thinned_and_cut_often(shared_data: Path) -> None:
    path = shared_data / "traffic-trajectories/collections/quickstart.json.gz"
    table = canonicalize(load_traffic_json(path))
    # one row per 5 s at most (plus each segment's last): well under the 1 Hz input
    assert assert_same(table, rate_s=5.0, lost_after_s=3.0).num_rows < 284_505 // 4
    assert assert_same(table, rate_s=0.0).num_rows == 284_505


@pytest.mark.parametrize("chunk", [1, 7, 1_000])
def test_the_speed_gate_in_chunks_of_whole_segments(
    shared_data: Path, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The gate runs over a few segments at a time (less fresh memory): any chunk size gives
    the tracker's verdicts, segments longer than a chunk included (29 implausible here)."""
    from skywitness.track import states_gate

    path = shared_data / "traffic-trajectories/noisy/noisy_spoofing.json.gz"
    table = canonicalize(load_traffic_json(path))
    monkeypatch.setattr(states_gate, "GATE_CHUNK_ROWS", chunk)
    assert_same(table)
    assert assert_same(table, lost_after_s=3.0).num_rows == 8_681
    assert gated(table)[1].rejected == {"implausible_position": 29}


def test_address_zero_is_counted_and_dropped(shared_data: Path) -> None:
    path = shared_data / "traffic-trajectories/noisy/noisy_landing.json.gz"
    table = canonicalize(load_traffic_json(path))
    icao = pc.if_else(
        pa.array(np.arange(table.num_rows) % 10 == 0), "000000", table.column("icao24")
    )
    table = table.set_column(1, "icao24", icao)
    got = assert_same(table)
    assert gated(table)[1].rejected == {"bad_record": 85}
    assert "000000" not in set(got.column("icao24").to_pylist())


def test_squawk_of_five_digits_read_as_the_tracker_reads_it() -> None:
    """A squawk text of 5 or more digits is no squawk (-1) to the states reader, so to the
    tracker fed by ``observations_from_states``; the gate once read it as a number of its own
    (12345) and emitted a row the tracker does not."""
    ms = 1_633_600_000_000 + np.array([0, 1_000, 2_000, 3_000], dtype=np.int64)
    doc = pa.table(
        {
            "timestamp": pa.array(ms, pa.timestamp("ms", tz="UTC")),
            "icao24": ["3c6444"] * 4,
            "squawk": ["7700", "12345", "012345", "7000"],
        }
    )
    table = canonicalize(doc)
    assert table.column("squawk").to_pylist() == ["7700", "12345", "012345", "7000"]
    got = assert_same(table)
    assert got.column("timestamp").cast(pa.int64()).to_pylist() == [ms[0], ms[3]]
    assert got.column("squawk").to_pylist() == ["7700", "7000"]


@st.composite
def documents(draw: st.DrawFn) -> pa.Table:
    """Small state documents: two aircraft, times with repeats, gaps and disorder, fields
    often missing, positions with jumps, odd callsigns and squawks."""
    n = draw(st.integers(1, 60))

    def column(values: st.SearchStrategy[object]) -> list[object]:
        return draw(st.lists(values, min_size=n, max_size=n))

    steps = column(st.sampled_from([0, 1, 250, 900, 1000, 5000, 70_000]))
    ms = 1_633_600_000_000 + np.cumsum(np.array(steps, dtype=np.int64))
    if draw(st.booleans()):
        ms = ms[np.array(draw(st.permutations(list(range(n)))), dtype=np.int64)]
    jumps = column(st.one_of(st.none(), st.sampled_from([0.0, 0.001, 0.01, 2.0])))
    lat = [None if v is None else 48.0 + float(v) for v in jumps]  # type: ignore[arg-type]
    altitude = st.one_of(st.none(), st.just(float("nan")), st.floats(-1000, 40_000))
    return pa.table(
        {
            "timestamp": pa.array(ms, pa.timestamp("ms", tz="UTC")),
            "icao24": column(st.sampled_from(["3c6444", "4ca7b5"])),
            "callsign": column(st.sampled_from([None, "", "AFR123", "TOOLONGCALL", "A"])),
            "latitude": pa.array(lat, pa.float64()),
            "longitude": pa.array([None if v is None else 2.0 for v in lat], pa.float64()),
            "altitude": pa.array(column(altitude), pa.float64()),
            "squawk": column(st.sampled_from([None, "7700", "12", "x1", "", "12345"])),
            "onground": column(st.sampled_from([None, True, False])),
            "position_source": column(st.sampled_from([None, "adsb", "mlat", "?"])),
        }
    )


@settings(max_examples=150, deadline=None)
@given(
    doc=documents(),
    rate_s=st.sampled_from([0.0, 1.0, 5.0]),
    lost_after_s=st.sampled_from([60.0, 3.0]),
)
def test_any_document_as_the_tracker_makes_it(
    doc: pa.Table, rate_s: float, lost_after_s: float
) -> None:
    assert_same(canonicalize(doc), rate_s, lost_after_s)


def test_held_fields_when_every_row_is_emitted() -> None:
    """Every row emitted (the usual already-tracked input): a row lacking a field takes it from
    the row before its run of such rows, never across a segment's start (70 s unheard) nor
    before an aircraft's first row; rows out of order in the document, two aircraft."""
    t0 = 1_633_600_000_000
    ms = t0 + 1_000 * np.r_[np.arange(10), 80 + np.arange(6)]
    alt = [None, None, 1000.0, 1100.0, None, None, None, 1400.0, None, 1500.0,
           None, None, 2000.0, None, 2100.0, None]  # fmt: skip
    one = {"timestamp": ms, "icao24": ["3c6444"] * 16, "altitude": alt}
    two = {"timestamp": ms[:8] + 500, "icao24": ["4ca7b5"] * 8, "altitude": alt[8:]}
    doc = pa.concat_tables(
        [
            pa.table(
                {
                    "timestamp": pa.array(d["timestamp"], pa.timestamp("ms", tz="UTC")),
                    "icao24": d["icao24"],
                    "altitude": pa.array(d["altitude"], pa.float64()),
                    "callsign": ["AFR1"] * len(d["icao24"]),
                }
            )
            for d in (two, one)
        ]
    )
    got = assert_same(canonicalize(doc))
    assert got.num_rows == 24
    mine = got.filter(pc.equal(got.column("icao24"), "3c6444"))
    assert mine.column("altitude").to_pylist() == [
        None, None, 1000.0, 1100.0, 1100.0, 1100.0, 1100.0, 1400.0, 1400.0, 1500.0,
        None, None, 2000.0, 2000.0, 2100.0, 2100.0,
    ]  # fmt: skip


def test_lake_order_and_all_null_columns() -> None:
    """Rows come out by UTC day first (days as 16-bit offsets, and as they are when they span
    65,536 days or more), each day in (icao24, time) order; a column null in every row of the
    document (and ``position_error``) is null in every row out, its buffers valid."""
    from skywitness.store.lake import MS_PER_DAY
    from skywitness.track.states_gate import _lake_order

    t0 = 1_633_600_000_000
    for span_days in (3, 70_000):
        ms = t0 + np.array([0, span_days * MS_PER_DAY, 1_000, MS_PER_DAY, 2_000], np.int64)
        e = np.arange(5, dtype=np.int64)  # (aircraft, time) order, days interleaved
        day = ms // MS_PER_DAY
        assert _lake_order(e, ms).tolist() == np.argsort(day, kind="stable").tolist()
    doc = pa.table(
        {
            "timestamp": pa.array(t0 + np.arange(3) * MS_PER_DAY, pa.timestamp("ms", tz="UTC")),
            "icao24": ["4ca7b5", "3c6444", "4ca7b5"],
            "altitude": pa.array([1000.0, 1100.0, 1200.0]),
            "geoaltitude": pa.nulls(3, pa.float64()),
        }
    )
    got = assert_same(canonicalize(doc))
    assert got.column("icao24").to_pylist() == ["4ca7b5", "3c6444", "4ca7b5"]
    for name in ("geoaltitude", "position_error", "groundspeed"):
        col = got.column(name)
        col.validate(full=True)
        assert col.null_count == 3, name
