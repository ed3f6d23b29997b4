"""runtime/globe_batch: a batch's callsign column built from its runs is the column
``text_column`` builds (the stored Parquet depends on it being the same)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.decode.hexio import labels, string_array, text_column
from skywitness.runtime.globe_batch import callsign_column, source_column


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
