"""Bit-field extraction from a batch of frames held as an ``(n, 14)`` uint8 array.

Each frame is read once into two big-endian 64-bit words (bits 1-64 and 65-112), and every
field is then a shift and a mask over a whole column. Bit positions follow the ICAO documents:
numbered from 1 at the most significant bit of the frame (or of the 56-bit ME/MB field).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..model import U1, U8

I8 = npt.NDArray[np.int64]

#: Bits in an ME / MB field.
PAYLOAD_BITS = 56
_MASK32 = np.uint64(0xFFFFFFFF)


def words(data: U1) -> tuple[U8, U8]:
    """The frame bits as two uint64 columns: bits 1-64, and bits 65-112 left-aligned."""
    n = data.shape[0]
    hi = np.ascontiguousarray(data[:, :8]).view(">u8").reshape(n).astype(np.uint64)
    tail = np.zeros((n, 8), dtype=np.uint8)
    tail[:, :6] = data[:, 8:14]
    lo = tail.view(">u8").reshape(n).astype(np.uint64)
    return hi, lo


def header(hi: U8) -> I8:
    """The first 32 bits of each frame (DF, CA/FS, address or AC/ID fields)."""
    return (hi >> np.uint64(32)).astype(np.int64)


def payload(hi: U8, lo: U8) -> U8:
    """The 56-bit ME / MB field (frame bits 33-88) of long frames, right-aligned."""
    return ((hi & _MASK32) << np.uint64(24)) | (lo >> np.uint64(40))


def field(word: U8 | I8, first: int, last: int, width: int) -> I8:
    """Bits ``first..last`` (1-based, inclusive) of a ``width``-bit column, as int64."""
    shift = width - last
    mask = (1 << (last - first + 1)) - 1
    if word.dtype == np.uint64:  # masked below 2**63: the same bits are the int64 values
        out: I8 = ((word >> np.uint64(shift)) & np.uint64(mask)).view(np.int64)
        return out
    return (word >> shift) & mask


def me(word: U8, first: int, last: int) -> I8:
    """Bits ``first..last`` (1-based, inclusive) of a 56-bit ME / MB column."""
    return field(word, first, last, PAYLOAD_BITS)


def hdr(word: I8, first: int, last: int) -> I8:
    """Bits ``first..last`` (1-based, inclusive) of the 32-bit header column."""
    return field(word, first, last, 32)
