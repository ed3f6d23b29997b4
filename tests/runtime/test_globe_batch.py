"""runtime/globe_batch: a batch's columns built from their runs (callsign, address, squawk,
kind, position source) and its source column are the columns made row by row (the stored
Parquet depends on them being the same)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode.hexio import address_column, labels, string_array, text_column
from skywitness.decode.squawktext import squawk_column
from skywitness.model import Observations, PositionSource, SourceKind
from skywitness.runtime.globe_batch import (
    RUN_ROWS,
    callsign_column,
    carry_forward,
    run_column,
    run_columns,
    source_column,
)
from skywitness.runtime.records import (
    kind_column,
    observations_table,
    position_source_column,
)


def test_callsign_column_of_runs_as_text_column() -> None:
    values = np.array(["", "DAL1812", "AB", "X" * 8, "", "Z1", "DAL1812"], dtype="<U8")
    callsign = np.repeat(values, [3, 5, 1, 4, 2, 1, 6])
    got = callsign_column(callsign)
    got.validate(full=True)
    assert got.equals(text_column(callsign))
    assert got.null_count == 5 and got[3].as_py() == "DAL1812" and got[9].as_py() == "X" * 8


def test_callsign_column_not_ascii_and_short_inputs_as_text_column() -> None:
    for callsign in (
        np.array(["É1", "É1", "", "AB"], dtype="<U8"),
        np.array(["A"], dtype="<U8"),
        np.array([], dtype="<U8"),
        np.array(["AB", "CD"], dtype="<U4"),
    ):
        assert callsign_column(callsign).equals(text_column(callsign))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "A", "RYR12AB", "DLH4XY  ", "12345678"]),
                          st.integers(1, 20)), max_size=40))  # fmt: skip
def test_callsign_column_property(runs: list[tuple[str, int]]) -> None:
    callsign = np.array([v for v, k in runs for _ in range(k)], dtype="<U8")
    assert callsign_column(callsign).equals(text_column(callsign))


def test_source_column_as_labels() -> None:
    same = [f"day.tar:traces/{i:02x}/trace_full_a{i:05x}.json" for i in range(5)]
    mixed = [*same, "day.tar:traces/~1/trace_full_~abc.json", "é"]
    for names in (same, mixed):
        for of_row in (np.repeat(np.arange(len(names)), 3), np.array([4, 0, 0, 2, 4]), np.zeros(0)):
            rows = of_row.astype(np.intp)
            got = source_column(names, rows)
            got.validate(full=True)
            assert got.equals(labels(string_array(names), rows))


_ROW_MAKERS: dict[str, tuple[Callable[[Any], pa.Array], Any, list[Any]]] = {
    "icao24": (address_column, np.uint32, [0xAC671B, 0x3C6444, 0]),
    "squawk": (squawk_column, np.int16, [-1, 4637, 7700, 20]),  # -1: null rows (their bytes kept)
    "kind": (kind_column, np.uint8, [int(k) for k in SourceKind]),
    "position_source": (position_source_column, np.uint8, [int(p) for p in PositionSource]),
    "callsign": (text_column, np.dtype("<U8"), ["", "DAL1812", "X" * 8, "É1"]),
}


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(_ROW_MAKERS)), st.lists(st.tuples(st.integers(0, 10),
       st.integers(1, 80)), max_size=30))  # fmt: skip
def test_run_column_as_the_column_of_every_row(name: str, runs: list[tuple[int, int]]) -> None:
    make, dtype, pool = _ROW_MAKERS[name]
    values: np.ndarray = np.array(
        [pool[v % len(pool)] for v, k in runs for _ in range(k)], dtype=dtype
    )
    got = run_column(values, make)
    if got is None:  # runs too short (or none): made per row by the caller
        assert not values.shape[0] or len(runs) * RUN_ROWS > values.shape[0]
        return
    got.validate(full=True)
    assert got.equals(make(values))


def test_run_columns_of_a_batch_as_observations_table() -> None:
    n = 4 * RUN_ROWS
    obs = Observations.empty(n, "day.tar")
    obs.timestamp = np.arange(n, dtype=np.float64)
    obs.icao24 = np.repeat(np.array([0xAC671B, 0x3C6444], dtype=np.uint32), n // 2)
    obs.squawk = np.repeat(np.array([-1, 4637, 7700, 4637], dtype=np.int16), n // 4)
    obs.callsign = np.repeat(np.array(["", "DAL1812"], dtype="<U8"), n // 2)
    obs.kind[:] = SourceKind.ADSB
    obs.position_source[: n // 2] = PositionSource.MLAT
    built = run_columns(obs)
    assert sorted(built) == ["callsign", "icao24", "kind", "position_source", "squawk"]
    got = observations_table(obs, built=built)
    assert got.equals(observations_table(obs))
    assert got.column("squawk").to_pylist()[n // 4 - 1 : n // 4 + 1] == [None, "4637"]
    assert got.column("position_source")[0].as_py() == "mlat"
    # runs of a row or two each: every column made per row
    obs.squawk = np.arange(n, dtype=np.int16)
    obs.callsign = np.array([f"C{i}" for i in range(n)], dtype="<U8")
    built = run_columns(obs)
    assert "squawk" not in built and "callsign" in built  # (``callsign_column``'s)
    assert observations_table(obs, built=built).equals(observations_table(obs))


def _carried(col: np.ndarray, missing: object) -> np.ndarray:
    """The last given value at or before each row (none before the first): the gather that
    ``carry_forward`` replaced, as the oracle."""
    has = col != missing
    idx = np.maximum.accumulate(np.where(has, np.arange(col.shape[0]), 0))
    out = col[idx]
    out[~has & (np.maximum.accumulate(has) == 0)] = missing
    return out


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", "DAL1812", "AB"]), st.integers(-1, 7700)),
                min_size=1, max_size=60))  # fmt: skip
def test_carry_forward_as_the_last_given_value(points: list[tuple[str, int]]) -> None:
    obs = Observations.empty(len(points), "day.tar")
    obs.callsign = np.array([c for c, _ in points], dtype="<U8")
    obs.squawk = np.array([q for _, q in points], dtype=np.int16)
    want = _carried(obs.callsign, ""), _carried(obs.squawk, -1)
    got = carry_forward(obs)
    assert got.callsign.tolist() == want[0].tolist()
    assert got.squawk.tolist() == want[1].tolist() and got.squawk.dtype == np.int16
    assert carry_forward(got).callsign.tolist() == want[0].tolist()
