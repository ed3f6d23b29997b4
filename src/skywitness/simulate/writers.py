"""Captures of simulated frames: Beast binary (what readsb serves on port 30005) and JSON lines.

Beast: ``0x1a``, type (``0x31`` Mode A/C, ``0x32`` short, ``0x33`` long), 6-byte 12 MHz
timestamp, 1 signal byte, payload; every ``0x1a`` after the leading marker is doubled. Built for
a whole batch at once with ``np.repeat``. JSON lines: ``{"timestamp": unix_s, "frame": hex}`` per
frame, the jet1090 shape. ``write_capture`` picks the format by file extension.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

from ..errors import SkywitnessError
from ..model import LONG_FRAME_BYTES, MODEAC_FRAME_BYTES, SHORT_FRAME_BYTES, FrameBatch

ESCAPE = 0x1A
TYPE_BY_LENGTH = {MODEAC_FRAME_BYTES: 0x31, SHORT_FRAME_BYTES: 0x32, LONG_FRAME_BYTES: 0x33}
_HEAD = 9  # marker, type, 6 timestamp bytes, signal byte
_TICK_MASK = (1 << 48) - 1

#: Capture formats by file extension.
EXTENSIONS = {".bin": "beast", ".beast": "beast", ".jsonl": "jsonl", ".ndjson": "jsonl"}


def signal_byte(dbfs: np.ndarray) -> np.ndarray:
    """Beast signal byte of a level in dBFS (readsb: dBFS = 20 log10(byte / 255)); 0 if NaN."""
    level = np.asarray(dbfs, dtype=np.float64)
    value = np.rint(255.0 * np.power(10.0, np.nan_to_num(level, nan=-np.inf) / 20.0))
    return np.clip(value, 0, 255).astype(np.uint8)


def beast_bytes(batch: FrameBatch) -> bytes:
    """The batch as a Beast binary stream (escaped), frames in batch order."""
    n = len(batch)
    if n == 0:
        return b""
    rows = np.zeros((n, _HEAD + LONG_FRAME_BYTES), dtype=np.uint8)
    rows[:, 0] = ESCAPE
    types = np.zeros(256, dtype=np.uint8)
    for length, code in TYPE_BY_LENGTH.items():
        types[length] = code
    rows[:, 1] = types[batch.length]
    ticks = batch.ticks.astype(np.uint64) & np.uint64(_TICK_MASK)
    for k in range(6):
        rows[:, 2 + k] = ((ticks >> np.uint64(8 * (5 - k))) & np.uint64(0xFF)).astype(np.uint8)
    rows[:, 8] = signal_byte(batch.signal)
    rows[:, _HEAD:] = batch.data
    cols = np.arange(rows.shape[1])
    valid = (cols[None, :] < _HEAD) | (cols[None, :] - _HEAD < batch.length[:, None])
    doubled = (rows == ESCAPE) & (cols[None, :] >= 1)
    counts = valid.astype(np.int64) * (1 + doubled.astype(np.int64))
    return np.repeat(rows.ravel(), counts.ravel()).tobytes()


def jsonl_text(batch: FrameBatch) -> str:
    """The batch as JSON lines: ``{"timestamp": unix_s, "frame": hex}``."""
    dumps = json.dumps
    lines = [
        dumps({"timestamp": round(float(batch.timestamp[i]), 6), "frame": batch.hex(i)})
        for i in range(len(batch))
    ]
    return "".join(line + "\n" for line in lines)


@dataclass
class CaptureSummary:
    frames: int = 0
    first: float = float("nan")  # unix s of the first frame
    last: float = float("nan")

    def add(self, batch: FrameBatch) -> None:
        if len(batch) == 0:
            return
        if self.frames == 0:
            self.first = float(batch.timestamp[0])
        self.last = float(batch.timestamp[-1])
        self.frames += len(batch)


def capture_format(path: str) -> str:
    """``beast`` or ``jsonl`` from the file name ('-' is Beast on stdout)."""
    if path == "-":
        return "beast"
    fmt = EXTENSIONS.get(Path(path).suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(EXTENSIONS))
        raise SkywitnessError(f"{path}: unknown capture extension (use one of {known})")
    return fmt


def write_stream(batches: Iterable[FrameBatch], stream: IO[bytes], fmt: str) -> CaptureSummary:
    """Write every batch to a binary stream in ``fmt`` (beast or jsonl), flushing per batch."""
    summary = CaptureSummary()
    for batch in batches:
        if fmt == "beast":
            stream.write(beast_bytes(batch))
        else:
            stream.write(jsonl_text(batch).encode("utf-8"))
        stream.flush()
        summary.add(batch)
    return summary


def write_capture(batches: Iterable[FrameBatch], path: str) -> CaptureSummary:
    """Write a capture file (format by extension; '-' for Beast on stdout).

    The file is written under a temporary name and renamed when complete, so a reader never
    sees half a capture.
    """
    fmt = capture_format(path)
    if path == "-":
        return write_stream(batches, sys.stdout.buffer, fmt)
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    try:
        with partial.open("wb") as f:
            summary = write_stream(batches, f, fmt)
        partial.replace(target)
    except OSError as exc:
        raise SkywitnessError(f"{path}: cannot write capture ({exc})") from exc
    finally:
        partial.unlink(missing_ok=True)
    return summary
