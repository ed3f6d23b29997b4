"""Bit-field extraction from a batch of frames held as an ``(n, 14)`` uint8 array.

The 32-bit header and the 56-bit ME / MB field of the frames a step needs are read straight
from the rows' bytes as big-endian words, and every field is then a shift and a mask over a
whole column. Bit positions follow the ICAO documents:
numbered from 1 at the most significant bit of the frame (or of the 56-bit ME/MB field).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import U1, U8

I8 = npt.NDArray[np.int64]

#: Bits in an ME / MB field.
PAYLOAD_BITS = 56
#: The ME / MB field starts at frame byte 5 (offset 4).
_PAYLOAD_BYTE = 4
_WORD_BITS = 64


def _column(data: U1, offset: int, dtype: str) -> npt.NDArray[Any]:
    """Each frame's bytes from ``offset`` on, read as one big-endian ``dtype`` value: a view
    with the rows' stride (no copy; the reads need not be aligned)."""
    rows = np.ascontiguousarray(data)
    n, width = rows.shape
    view: npt.NDArray[Any] = np.ndarray(
        (n,), dtype=dtype, buffer=rows, offset=offset, strides=(width,)
    )
    return view


def header(data: U1, rows: I8) -> I8:
    """The first 32 bits (DF, CA/FS, address or AC/ID fields) of frames ``rows`` of ``data``."""
    if rows.size == 0:
        return np.zeros(0, dtype=np.int64)
    # ``take`` gathers from the unaligned, byte-swapped view twice as fast as indexing does.
    out: I8 = np.take(_column(data, 0, ">u4"), rows).astype(np.int64)
    return out


def payload(data: U1, rows: I8) -> U8:
    """The 56-bit ME / MB field (frame bits 33-88) of long frames ``rows``, right-aligned."""
    if rows.size == 0:
        return np.zeros(0, dtype=np.uint64)
    # Bytes 5-12 of each frame as one word; the last byte (parity) is shifted out.
    out: U8 = np.take(_column(data, _PAYLOAD_BYTE, ">u8"), rows).astype(np.uint64)
    out >>= np.uint64(_WORD_BITS - PAYLOAD_BITS)
    return out


def field(word: U8 | I8, first: int, last: int, width: int) -> I8:
    """Bits ``first..last`` (1-based, inclusive) of a column of ``width``-bit values, as int64.

    The values must fit ``width`` bits (as the header and ME / MB words do): a field that
    starts at bit 1 is then the shifted word as it is, with no mask.
    """
    shift = width - last
    mask = (1 << (last - first + 1)) - 1
    if word.dtype == np.uint64:  # masked below 2**63: the same bits are the int64 values
        if shift == 0:
            return (word & np.uint64(mask)).view(np.int64)
        out = word >> np.uint64(shift)
        if first > 1:
            out &= np.uint64(mask)
        return out.view(np.int64)
    if shift == 0:
        return word & mask
    shifted: I8 = word >> shift
    if first > 1:
        shifted &= mask
    return shifted


def me(word: U8, first: int, last: int) -> I8:
    """Bits ``first..last`` (1-based, inclusive) of a 56-bit ME / MB column."""
    return field(word, first, last, PAYLOAD_BITS)


def hdr(word: I8, first: int, last: int) -> I8:
    """Bits ``first..last`` (1-based, inclusive) of the 32-bit header column."""
    return field(word, first, last, 32)
