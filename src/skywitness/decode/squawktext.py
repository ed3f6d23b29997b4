"""Identity codes (squawks) as text, the one spelling: a code's last four decimal digits
("7700", "0020"; the codes are octal digits read as decimal), none for a negative code (-1:
no code).

``code_digits`` gives each code's four ASCII digits, gathered from a table of every code's
(built on first use: no 10,000-label table at start-up, and no integer division per row, which
cost ~4x the rest of ``runtime.records.identity_codes`` per batch, issue 18); ``squawk_column``
writes them as an Arrow string column. The ``decode``/ingest records (``runtime.records``) and
the tracker's state vectors (``track.state_vectors``, text and Arrow) both spell codes here.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .hexio import fixed_width_column

#: The place value of each of an identity code's four decimal digits.
_DIGIT_PLACES = np.array([1000, 100, 10, 1], dtype=np.int32)


def squawk_column(codes: npt.NDArray[np.integer], *, empty_nulls: bool = False) -> pa.Array:
    """Identity codes as 4-character strings, null where negative: with "0000" under a null
    row (the records' fixed width), or no characters (``empty_nulls``: the state vectors'
    buffers, hashed by bench/serve_replay.py)."""
    return fixed_width_column(code_digits(codes), codes < 0, empty_nulls=empty_nulls)


def code_digits(codes: npt.NDArray[np.integer]) -> npt.NDArray[np.uint8]:
    """Each code's last four decimal digits as ASCII, (n, 4); "0000" where negative."""
    digits: npt.NDArray[np.uint8] = _code_digits()[last_digits(codes)]
    return digits


def last_digits(codes: npt.NDArray[np.integer]) -> npt.NDArray[np.integer]:
    """Each code's last four decimal digits as a number (0 where missing: negative). A
    decoded code always has four (4 octal digits): then no integer division (the remainder
    in the codes' own type: right for any integer column)."""
    # (= ``np.where(codes < 0, 0, codes)``, one pass; a new array, kept in the codes' type)
    values: npt.NDArray[np.integer] = np.maximum(codes, 0)
    if values.shape[0] and int(values.max()) >= 10_000:
        values %= 10_000
    return values


@functools.cache
def _code_digits() -> npt.NDArray[np.uint8]:
    """The four ASCII digits of each code 0..9999, (10000, 4): one gather a row, built on
    first use (not at start-up)."""
    codes = np.arange(10_000, dtype=np.int32)
    return (codes[:, None] // _DIGIT_PLACES % 10 + ord("0")).astype(np.uint8)
