"""``flights.windows``: a window's rows in the order Arrow's stable sort by (window end,
icao24, timestamp) gives them, nulls last, computed by numpy over ranked icao24 codes (issue
17 item 12: Arrow's sort by a string key was ~0.5 s of a window's ~2 s at 5,000 aircraft); and
the builder keeps a window's rows uncopied only where they hold their own buffers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.flights.rowarrays import flight_states, holds_own_buffers
from skywitness.flights.windows import _SORT, DataWindows, _window_order

ICAO = st.one_of(st.none(), st.sampled_from(["3c6444", "3C6444", "a0b1c2", "", "zz", "é1"]))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(ICAO, st.one_of(st.none(), st.integers(0, 5)), st.integers(0, 2)),
        min_size=1,
        max_size=40,
    ),
    st.data(),
)
def test_window_order_is_arrows_stable_sort(
    rows: list[tuple[str | None, int | None, int]], data: st.DataObject
) -> None:
    """Any rows (null and repeated icao24 and times, in two chunks), any selection: the same
    indices as Arrow's ``sort_indices`` over the selected rows, nulls last."""
    table = pa.table(
        {
            "icao24": pa.array([r[0] for r in rows], pa.string()),
            "timestamp": pa.array([r[1] for r in rows], pa.timestamp("ms", tz="UTC")),
        }
    )
    cut = data.draw(st.integers(0, len(rows)))  # the rows in two chunks (parts pushed)
    table = pa.concat_tables([table.slice(0, cut), table.slice(cut)])
    ends = np.array([r[2] for r in rows], dtype=np.int64)
    sel = np.flatnonzero(data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows))))
    keyed = table.take(pa.array(sel)).append_column("_end", pa.array(ends[sel]))
    want = pc.sort_indices(keyed, [("_end", "ascending"), *_SORT]).to_numpy()
    assert _window_order(table, ends, sel).tolist() == sel[want].tolist()


def test_windows_hand_over_sorted_rows_and_keep_the_rest() -> None:
    """Rows pushed out of order: each sealed window's rows by icao24 then time; the rows of
    the window still open stay buffered and come out at the drain."""
    t0 = 1_717_200_000_000
    ms = [t0 + 70_000, t0 + 1_000, t0 + 2_000, t0 + 500, t0 + 130_000, t0 + 61_000]
    icao = ["b", "b", "a", None, "a", "a"]
    table = pa.table(
        {
            "timestamp": pa.array(ms, pa.timestamp("ms", tz="UTC")),
            "icao24": pa.array(icao, pa.string()),
        }
    )
    w = DataWindows(step_s=60.0, lateness_s=5.0)
    w.push(table)
    got = w.ready()
    assert [r["icao24"].to_pylist() for _, r in got] == [["a", "b", None], ["a", "b"]]
    assert w.rows == 1
    rest = w.drain()
    assert [r["timestamp"].cast(pa.int64()).to_pylist() for _, r in rest] == [[t0 + 130_000]]


def test_rows_are_kept_uncopied_only_where_they_hold_their_own_buffers() -> None:
    """``rowarrays.holds_own_buffers``: a window's take holds its own buffers (kept as it is);
    a slice of a larger table, or of a larger IPC message read zero-copy, does not (copied)."""
    n = 1000
    t = pa.table(
        {
            "timestamp": pa.array(np.arange(n) * 1000, pa.timestamp("ms", tz="UTC")),
            "icao24": ["abc123"] * n,
            "callsign": ["AFR12"] * n,
        }
    )
    big = pa.concat_tables([t] * 10).combine_chunks()
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, big.schema) as writer:
        writer.write_table(big)
    read = pa.ipc.open_stream(sink.getvalue()).read_all()
    assert holds_own_buffers(flight_states(big.take(pa.array(np.arange(n)))))
    assert holds_own_buffers(flight_states(read))
    assert not holds_own_buffers(flight_states(big.slice(0, n)))
    assert not holds_own_buffers(flight_states(read.slice(0, n)))
