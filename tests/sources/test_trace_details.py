"""sources/trace_details: a key's value is found within its own row only."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from skywitness.sources.trace_details import key_ends, values_at


def _column() -> pa.Array:
    """Details as ``trace_bytes`` hands them: a row an object's text, in one buffer."""
    rows = [b'"a":1', b'"flight":"X1"', b'"squawk":"7700","category":"A3"']
    offsets = np.cumsum([0, *map(len, rows)]).astype(np.int32)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(rows))]
    return pa.Array.from_buffers(pa.string(), 3, buffers)


def test_keys_found_within_their_row_only() -> None:
    text = _column()
    flight = key_ends(text, "flight")
    assert flight.tolist()[0] == -1 and flight[1] > 0 and flight[2] == -1  # not the next row's
    rows, idx, values = values_at(text, flight)
    assert rows.tolist() == [1] and [values[i] for i in idx] == ['"X1"']
    squawk = key_ends(text, "squawk")
    category = key_ends(text, "category", after=squawk)
    rows, idx, values = values_at(text, category)
    assert rows.tolist() == [2] and [values[i] for i in idx] == ['"A3"']
