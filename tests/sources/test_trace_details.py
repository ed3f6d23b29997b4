"""sources/trace_details: the rows of the details column taken without a copy are the rows a
filter takes, also where a null row holds bytes (then it is a filter)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from skywitness.sources.trace_details import key_ends, present, values_at


def _column(null_bytes: bool) -> pa.Array:
    rows = [
        b'"a":1',
        b"",
        b'"flight":"X1"',
        b"zz" if null_bytes else b"",
        b'"squawk":"7700","category":"A3"',
    ]
    offsets = np.cumsum([0, *map(len, rows)]).astype(np.int32)
    valid = np.packbits(np.array([1, 0, 1, 0, 1], dtype=np.bool_), bitorder="little")
    buffers = [pa.py_buffer(valid), pa.py_buffer(offsets), pa.py_buffer(b"".join(rows))]
    return pa.Array.from_buffers(pa.string(), 5, buffers, null_count=2)


def test_present_rows_as_a_filter_takes_them() -> None:
    for null_bytes in (False, True):
        col = _column(null_bytes)
        where = np.array([0, 2, 4])
        got = present(col, where)
        got.validate(full=True)
        assert got.to_pylist() == col.filter(pa.array([True, False, True, False, True])).to_pylist()


def test_keys_found_within_their_row_only() -> None:
    text = present(_column(False), np.array([0, 2, 4]))
    flight = key_ends(text, "flight")
    assert flight.tolist()[0] == -1 and flight[1] > 0 and flight[2] == -1  # not the next row's
    rows, idx, values = values_at(text, flight)
    assert rows.tolist() == [1] and [values[i] for i in idx] == ['"X1"']
    squawk = key_ends(text, "squawk")
    category = key_ends(text, "category", after=squawk)
    rows, idx, values = values_at(text, category)
    assert rows.tolist() == [2] and [values[i] for i in idx] == ['"A3"']
