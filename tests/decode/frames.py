"""Test helpers that build valid synthetic frames (correct parity) field by field."""

from __future__ import annotations

import numpy as np

from skywitness.decode.crc import crc24
from skywitness.model import LONG_FRAME_BYTES, FrameBatch


def with_parity(body: bytes) -> str:
    """Hex of ``body`` followed by its CRC-24 parity (a valid DF11/17/18 frame)."""
    return (body + crc24(body).to_bytes(3, "big")).hex()


def es_frame(me: int, *, df: int = 17, ca_or_cf: int = 5, address: int = 0x4CA216) -> str:
    """A DF17/18 frame with the 56-bit ME field ``me`` and a valid parity."""
    head = ((df << 3) | ca_or_cf).to_bytes(1, "big") + address.to_bytes(3, "big")
    return with_parity(head + me.to_bytes(7, "big"))


def me_bits(*fields: tuple[int, int]) -> int:
    """Pack ``(value, width)`` pairs, most significant first, into a 56-bit ME field."""
    out = 0
    used = 0
    for value, width in fields:
        out = (out << width) | (value & ((1 << width) - 1))
        used += width
    return out << (56 - used)


def id13(squawk: str) -> int:
    """13-bit identity field (C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4) of a 4-digit squawk."""
    a, b, c, d = (int(ch, 8) for ch in squawk)
    bits = [
        c & 1, a & 1, (c >> 1) & 1, (a >> 1) & 1, (c >> 2) & 1, (a >> 2) & 1, 0,
        b & 1, d & 1, (b >> 1) & 1, (d >> 1) & 1, (b >> 2) & 1, (d >> 2) & 1,
    ]  # fmt: skip
    out = 0
    for bit in bits:
        out = (out << 1) | bit
    return out


def batch_of(payloads: list[bytes]) -> FrameBatch:
    """A batch of the frames ``payloads`` (raw bytes), timed 0, 1, 2... s, no signal."""
    n = len(payloads)
    data = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
    for i, p in enumerate(payloads):
        data[i, : len(p)] = np.frombuffer(p, dtype=np.uint8)
    return FrameBatch(
        timestamp=np.arange(n, dtype=np.float64),
        data=data,
        length=np.array([len(p) for p in payloads], dtype=np.uint8),
        signal=np.full(n, np.nan, dtype=np.float32),
        ticks=np.zeros(n, dtype=np.uint64),
        receiver=np.zeros(n, dtype=np.uint64),
    )
