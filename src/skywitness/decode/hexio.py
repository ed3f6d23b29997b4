"""Fast hex strings -> ``FrameBatch``: one ``bytes.fromhex`` per frame length, not per frame.

Same contract as ``FrameBatch.from_hex`` (ValueError naming the first bad frame) but about an
order of magnitude faster on large lists, because frames of equal length are joined into one
string and parsed in a single call.
"""

from __future__ import annotations

import numpy as np

from ..model import (
    F8,
    LONG_FRAME_BYTES,
    MODEAC_FRAME_BYTES,
    SHORT_FRAME_BYTES,
    FrameBatch,
)

_VALID_BYTES = (MODEAC_FRAME_BYTES, SHORT_FRAME_BYTES, LONG_FRAME_BYTES)


def frames_from_hex(
    frames: list[str],
    timestamps: list[float] | F8 | None = None,
    source: str = "",
) -> FrameBatch:
    """Build a batch from hex strings; raises ValueError on bad hex or a bad length."""
    n = len(frames)
    data = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
    chars = np.fromiter(map(len, frames), dtype=np.int64, count=n)
    length = (chars // 2).astype(np.uint8)
    bad_length = ~np.isin(chars, [2 * b for b in _VALID_BYTES])
    if bad_length.any():
        i = int(np.flatnonzero(bad_length)[0])
        raise ValueError(f"frame {i}: {chars[i] / 2:g} bytes is not a Mode S/AC length")
    for nbytes in _VALID_BYTES:
        idx = np.flatnonzero(chars == 2 * nbytes)
        if idx.size == 0:
            continue
        group = frames if idx.size == n else [frames[i] for i in idx]
        try:
            raw = bytes.fromhex("".join(group))
        except ValueError:
            for j in idx.tolist():
                try:
                    bytes.fromhex(frames[j])
                except ValueError as exc:
                    raise ValueError(f"frame {j}: bad hex ({exc})") from None
            raise
        block = np.frombuffer(raw, dtype=np.uint8).reshape(idx.size, nbytes)
        if idx.size == n:
            data[:, :nbytes] = block
        else:
            data[idx, :nbytes] = block
    ts = (
        np.full(n, np.nan, dtype=np.float64)
        if timestamps is None
        else np.asarray(timestamps, dtype=np.float64)
    )
    return FrameBatch(
        timestamp=ts,
        data=data,
        length=length,
        signal=np.full(n, np.nan, dtype=np.float32),
        ticks=np.zeros(n, dtype=np.uint64),
        receiver=np.zeros(n, dtype=np.uint64),
        source=source,
    )
