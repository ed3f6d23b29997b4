"""Numpy views of Arrow buffers and of byte rows: an Arrow array's values, its validity and a
boolean array's bits, offsets applied (zero-copy: the readers that must not copy a million-row
column, ``sources.states`` and ``track.states_columns`` through ``decode.hexio``), and
fixed-width rows of bytes gathered as one opaque value a row (the text readers,
``sources.columns``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from numpy.lib.stride_tricks import sliding_window_view

U1 = npt.NDArray[np.uint8]


def values_view(arr: pa.Array, dtype: npt.DTypeLike) -> npt.NDArray[Any]:
    """A fixed-width array's values as ``dtype``, a view of its own buffer (no copy; slots of
    nulls hold whatever the writer left there)."""
    n = len(arr)
    out: npt.NDArray[Any] = np.frombuffer(arr.buffers()[1], dtype=dtype)[
        arr.offset : arr.offset + n
    ]
    return out


def bits_of(arr: pa.Array, buffer: int) -> npt.NDArray[np.uint8]:
    """Buffer ``buffer`` of ``arr`` (0: validity, 1: a boolean array's values) as one fresh
    0/1 byte per row."""
    bits = np.frombuffer(arr.buffers()[buffer], dtype=np.uint8)
    out: npt.NDArray[np.uint8] = np.unpackbits(bits, bitorder="little")[
        arr.offset : arr.offset + len(arr)
    ]
    return out


def valid_of(arr: pa.Array) -> npt.NDArray[np.bool_]:
    """Where ``arr`` holds a value (it has a validity bitmap: ``null_count`` > 0)."""
    out: npt.NDArray[np.bool_] = bits_of(arr, 0).view(np.bool_)
    return out


def rows_at(data: U1, start: npt.NDArray[np.int64], width: int) -> U1:
    """The ``width`` bytes at each ``start`` as (n, width) rows: when the rows lie back to
    back (a column of values of one width), a view of ``data`` itself; otherwise a copy, rows
    of a sliding-window view, one index per row (an (n, width) index array cost ~4x more)."""
    if data.shape[0] < width:
        return np.zeros((0, width), dtype=np.uint8)
    n = start.shape[0]
    if n and (np.diff(start) == width).all() and int(start[0]) + n * width <= data.shape[0]:
        first = int(start[0])
        rows: U1 = data[first : first + n * width].reshape(n, width)
        return rows
    if width == 0:
        return np.zeros((n, 0), dtype=np.uint8)
    # one opaque ``width``-byte value a row: a copy each, not a per-byte fancy index (~3x)
    values = sliding_window_view(data, width).view(f"V{width}")[:, 0][start]
    out: U1 = values.view(np.uint8).reshape(n, width)
    return out
