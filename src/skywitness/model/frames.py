"""``FrameBatch``: raw Mode S / Mode A/C frames as framed by ``sources`` (Beast, AVR, hex
lines), one row per frame."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .arrays import F4, F8, U1, U8, filled
from .codes import LONG_FRAME_BYTES, MODEAC_FRAME_BYTES, SHORT_FRAME_BYTES

#: One frame's data row (``LONG_FRAME_BYTES``) as a single opaque item: gathers of rows copy
#: one item each.
FRAME_ITEM = np.dtype((np.void, LONG_FRAME_BYTES))


def frame_items(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.void] | None:
    """``data`` (rows of ``LONG_FRAME_BYTES``) as one ``FRAME_ITEM`` per row, a view (None:
    its rows are not contiguous bytes)."""
    if data.ndim != 2 or data.shape[1] != LONG_FRAME_BYTES or data.strides[1] != 1:
        return None
    return data.view(FRAME_ITEM)[:, 0]


@dataclass(slots=True)
class FrameBatch:
    """Raw frames from one source, one row per frame.

    ``data`` holds each payload left-aligned in 14 bytes, zero padded; ``length`` says how many
    bytes are real (2 for Mode A/C, 7 short, 14 long).
    """

    timestamp: F8  # unix seconds UTC; NaN where the source gave no wall-clock time
    data: U1  # shape (n, 14)
    length: U1  # bytes in payload: 2, 7 or 14
    signal: F4  # signal level dBFS; NaN when unknown
    ticks: U8  # raw receiver timestamp (Beast 12 MHz counter / GPS ns of day); 0 when none
    receiver: U8  # receiver id (Beast 0xe3 frames); 0 when none
    source: str = ""  # which feed/receiver produced the batch (spec or file name)
    #: Each frame as lowercase hex (an Arrow string column, the input's own text) when the
    #: source read it so and every frame was valid: what ``hex_column`` of ``data`` and
    #: ``length`` would give, kept so ``decode`` writes it as is (issue 18); None otherwise.
    #: Only the constructor and row slices (``rows``) keep it; ``take`` and ``concat`` drop it.
    text: pa.Array | None = None

    def __len__(self) -> int:
        return int(self.length.shape[0])

    @classmethod
    def empty(cls, source: str = "") -> FrameBatch:
        return cls(
            timestamp=filled(np.float64),
            data=np.zeros((0, LONG_FRAME_BYTES), dtype=np.uint8),
            length=filled(np.uint8),
            signal=filled(np.float32),
            ticks=filled(np.uint64),
            receiver=filled(np.uint64),
            source=source,
        )

    @classmethod
    def from_hex(
        cls,
        frames: list[str],
        timestamps: list[float] | F8 | None = None,
        source: str = "",
    ) -> FrameBatch:
        """Build a batch from hex strings; ValueError naming the first bad frame.

        Frames of equal length are joined and parsed by one ``bytes.fromhex`` call, not one
        call per frame (about ten times faster on large lists).
        """
        n = len(frames)
        data = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
        chars = np.fromiter(map(len, frames), dtype=np.int64, count=n)
        valid = (MODEAC_FRAME_BYTES, SHORT_FRAME_BYTES, LONG_FRAME_BYTES)
        bad_length = ~np.isin(chars, [2 * b for b in valid])
        if bad_length.any():
            i = int(np.flatnonzero(bad_length)[0])
            raise ValueError(f"frame {i}: {chars[i] / 2:g} bytes is not a Mode S/AC length")
        for nbytes in valid:
            idx = np.flatnonzero(chars == 2 * nbytes)
            if idx.size == 0:
                continue
            group = frames if idx.size == n else [frames[i] for i in idx]
            try:
                raw = bytes.fromhex("".join(group))
            except ValueError:
                raw = b""
            if len(raw) != idx.size * nbytes:  # bad hex, or whitespace (fromhex skips it)
                _name_bad_hex(frames, idx.tolist(), nbytes)
            data[idx, :nbytes] = np.frombuffer(raw, dtype=np.uint8).reshape(idx.size, nbytes)
        ts = (
            np.full(n, np.nan, dtype=np.float64)
            if timestamps is None
            else np.asarray(timestamps, dtype=np.float64)
        )
        return cls(
            timestamp=ts,
            data=data,
            length=(chars // 2).astype(np.uint8),
            signal=np.full(n, np.nan, dtype=np.float32),
            ticks=np.zeros(n, dtype=np.uint64),
            receiver=np.zeros(n, dtype=np.uint64),
            source=source,
        )

    def hex(self, i: int) -> str:
        return bytes(self.data[i, : int(self.length[i])]).hex()

    def rows(self, rows: slice) -> FrameBatch:
        """The frames ``rows`` (a step-1 slice) of ``self``: views of its arrays, no copy."""
        start, stop, _ = rows.indices(len(self))
        text = None if self.text is None else self.text.slice(start, max(stop - start, 0))
        return FrameBatch(
            timestamp=self.timestamp[rows],
            data=self.data[rows],
            length=self.length[rows],
            signal=self.signal[rows],
            ticks=self.ticks[rows],
            receiver=self.receiver[rows],
            source=self.source,
            text=text,
        )

    def take(self, index: npt.NDArray[Any]) -> FrameBatch:
        """The frames at ``index`` (positions or a mask), copied; the input text is dropped.
        Data rows are gathered as one ``FRAME_ITEM`` each where they are contiguous bytes
        (numpy copies a 2-D row gather byte by byte)."""
        items = frame_items(self.data)
        if items is None or index.dtype == np.bool_:
            data = self.data[index]
        else:
            data = np.take(items, index).view(np.uint8).reshape(-1, LONG_FRAME_BYTES)
        return FrameBatch(
            timestamp=self.timestamp[index],
            data=data,
            length=self.length[index],
            signal=self.signal[index],
            ticks=self.ticks[index],
            receiver=self.receiver[index],
            source=self.source,
        )

    @staticmethod
    def concat(batches: list[FrameBatch]) -> FrameBatch:
        if not batches:
            return FrameBatch.empty()
        return FrameBatch(
            timestamp=np.concatenate([b.timestamp for b in batches]),
            data=np.concatenate([b.data for b in batches]),
            length=np.concatenate([b.length for b in batches]),
            signal=np.concatenate([b.signal for b in batches]),
            ticks=np.concatenate([b.ticks for b in batches]),
            receiver=np.concatenate([b.receiver for b in batches]),
            source=batches[0].source,
        )


def _name_bad_hex(frames: list[str], idx: list[int], nbytes: int) -> None:
    """Raise ValueError naming the first of ``frames[idx]`` that is not ``nbytes`` in hex."""
    for j in idx:
        try:
            ok = len(bytes.fromhex(frames[j])) == nbytes
        except ValueError as exc:
            raise ValueError(f"frame {j}: bad hex ({exc})") from None
        if not ok:
            raise ValueError(f"frame {j}: bad hex (not {2 * nbytes} hex digits: {frames[j]!r})")
    raise AssertionError("unreachable: every frame parsed alone")  # pragma: no cover
