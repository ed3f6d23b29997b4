"""Parse ICAO 24-bit addresses (icao24) given as hex text, one at a time or as whole arrays."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from ..model import B1, U4

#: Largest 24-bit address.
MAX_ADDRESS = 0xFFFFFF

_HEX = set("0123456789abcdef")


def parse_icao24(value: str | int) -> int | None:
    """Address from 6 hex digits or an int; else None (a ``~`` non-ICAO marker is refused)."""
    if isinstance(value, int):
        return value if 0 <= value <= MAX_ADDRESS else None
    text = value.strip().lower()
    if len(text) != 6 or not set(text) <= _HEX:
        return None
    return int(text, 16)


def parse_icao24_array(values: npt.ArrayLike) -> tuple[U4, B1]:
    """Vectorised ``parse_icao24``: (addresses, valid); invalid entries get address 0.

    Accepts unsigned/signed integer arrays (kept where in range) or string arrays (hex text).
    """
    arr: npt.NDArray[Any] = np.asarray(values)
    if arr.dtype.kind in "ui":
        wide = arr.astype(np.int64)
        valid = (wide >= 0) & (wide <= MAX_ADDRESS)
        return np.where(valid, wide, 0).astype(np.uint32), valid
    text = np.char.lower(np.char.strip(arr.astype(str)))
    n = text.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.bool_)
    # Fixed-width bytes view: one row of 6 ASCII codes per entry.
    good_len = np.char.str_len(text) == 6
    padded = np.where(good_len, text, "000000").astype("S6")
    codes = np.frombuffer(padded.tobytes(), dtype=np.uint8).reshape(n, 6).astype(np.int16)
    digit = (codes >= ord("0")) & (codes <= ord("9"))
    letter = (codes >= ord("a")) & (codes <= ord("f"))
    nibble = np.where(digit, codes - ord("0"), codes - ord("a") + 10)
    valid = good_len & (digit | letter).all(axis=1)
    weights = np.array([1 << 20, 1 << 16, 1 << 12, 1 << 8, 1 << 4, 1], dtype=np.int64)
    addr = (np.where(digit | letter, nibble, 0).astype(np.int64) * weights).sum(axis=1)
    return np.where(valid, addr, 0).astype(np.uint32), valid
