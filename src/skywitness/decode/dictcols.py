"""Dictionary-encoded string columns: a label column built from its codes.

``coded(names, codes)`` is the column ``names[codes]`` without gathering any text: the codes
become the indices of an Arrow dictionary array over ``names``. The Parquet writer writes such
a column as its dictionary page and the codes as they are, where a plain string column must be
hashed row by row into a dictionary again (the ``decode`` output's label columns: ~0.05 s per
500k frames built, ~0.02 s more written, issue 18). The values are the same strings: a Parquet
file written from them reads back as plain strings (``output.ParquetWriter``), JSON lines and
CSV print the same text (``jsoncolumns``, Arrow's CSV writer).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .hexio import check_codes, numeric_column


def coded(
    names: pa.Array, codes: npt.NDArray[np.integer], null: npt.NDArray[np.bool_] | None = None
) -> pa.DictionaryArray:
    """``names[codes]`` (null where ``null``; IndexError for a code outside ``names``) as a
    dictionary-encoded column: the codes are its indices (int8 below 128 names, else int16),
    no text is gathered."""
    if not _in_range(codes, len(names)):  # (the null rows' codes may be anything: then the
        check_codes(codes if null is None else codes[~null], len(names))  # others alone)
    if len(names) <= 128:
        idx = codes.view(np.int8) if codes.dtype == np.uint8 else codes.astype(np.int8)
        indices = numeric_column(idx, pa.int8(), null)
    else:
        indices = numeric_column(codes.astype(np.int16), pa.int16(), null)
    return pa.DictionaryArray.from_arrays(indices, names, safe=False)


def _in_range(codes: npt.NDArray[np.integer], size: int) -> bool:
    """Whether every code indexes ``size`` names (a decoded label's codes always do: one
    pass, no gather of the non-null rows' codes first)."""
    return not codes.shape[0] or (int(codes.min()) >= 0 and int(codes.max()) < size)


def same_value(names: pa.Array, n: int) -> pa.DictionaryArray:
    """``names[0]`` ``n`` times (a source name column), as a dictionary-encoded column."""
    return coded(names, np.zeros(n, dtype=np.int8))
