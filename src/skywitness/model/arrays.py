"""Column array types of the value types (numpy arrays of equal length) and how an empty
or filled column is made."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

F8 = npt.NDArray[np.float64]
F4 = npt.NDArray[np.float32]
U1 = npt.NDArray[np.uint8]
U4 = npt.NDArray[np.uint32]
U8 = npt.NDArray[np.uint64]
I1 = npt.NDArray[np.int8]
I2 = npt.NDArray[np.int16]
I4 = npt.NDArray[np.int32]
B1 = npt.NDArray[np.bool_]
Str = npt.NDArray[np.str_]


def filled(dtype: Any, n: int = 0, fill: Any = None) -> Any:
    """A new column of ``n`` values of ``dtype``, each ``fill`` (uninitialised when None).
    An all-zero-bytes fill (integer 0, False, "") is ``np.zeros``: ``fill`` of a text column
    writes one value at a time, ~2x the cost (``Messages.empty`` per ``decode`` batch, issue
    18). (Not for a float 0.0: -0.0 is not all zero bytes.)"""
    if fill is False or (type(fill) is int and fill == 0) or (type(fill) is str and not fill):
        return np.zeros(n, dtype=dtype)
    arr = np.empty(n, dtype=dtype)
    if fill is not None:
        arr.fill(fill)
    return arr
