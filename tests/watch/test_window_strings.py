"""A window's string columns (``state_events._strings``): the same values as one string per row,
"" for null, with one Python string per distinct value shared by its rows (a window of serve at
100,000 frames/s is ~1.2M rows: ~3.5M strings a window before)."""

from __future__ import annotations

import gc
import sys

import numpy as np
import pyarrow as pa

from skywitness.watch.state_events import _strings


def test_values_as_before_shared_per_distinct_value() -> None:
    col = pa.chunked_array([["3c6444", None, "4b0001"], ["", "3c6444"]])
    got = _strings(col)
    assert got.tolist() == ["3c6444", "", "4b0001", "", "3c6444"]
    assert got[0] is got[4] and got.dtype == object
    coded = pa.chunked_array([pa.array(["x", None]).dictionary_encode(), pa.array(["x"])
                              .dictionary_encode()])  # fmt: skip
    assert _strings(coded).tolist() == ["x", "", "x"]


def test_a_large_window_makes_few_objects() -> None:
    n = 200_000
    col = pa.chunked_array([pa.array(np.char.mod("%06x", np.arange(n) % 500).astype(object))])
    gc.collect()
    before = sys.getallocatedblocks()
    got = _strings(col)
    assert sys.getallocatedblocks() - before < 2_000  # ~500 strings, not 200,000
    assert got.shape == (n,) and got[-1] == f"{(n - 1) % 500:06x}"
