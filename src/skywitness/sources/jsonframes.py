"""JSON lines of frames (jet1090 / rs1090 shape), column-wise, for ``hexlines.JsonlParser``:
lines of the plain two-key shape without a JSON parser (``jsontemplate``), others through
Arrow's native JSON reader in one pass.

Nothing reaches Arrow that is not, line by line, one JSON object's text: Arrow's JSON reader
crashes the process on some other documents (a first line ``null``: a segfault in pyarrow 26).
"""

from __future__ import annotations

import io
import json

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import numpy_of
from ..model import U1, FrameBatch
from .columns import hex_column
from .jsontemplate import template_jsonl
from .textio import line_spans

#: Above this a numeric timestamp is in milliseconds, not seconds.
MS_THRESHOLD = 1e11
#: Where a frame / its time may be, in order of precedence.
FRAME_KEYS = ("frame", "rawmsg", "msg", "hex", "raw", "message")
TIME_KEYS = ("timestamp", "ts", "time", "t", "mintime")

_FAST_SCHEMA = pa.schema(
    [(k, pa.string()) for k in FRAME_KEYS] + [(k, pa.float64()) for k in TIME_KEYS]
)


def object_lines(block: bytes, nl: npt.NDArray[np.int64] | None = None) -> int | None:
    """Number of non-empty lines when each one is a single JSON object's text, as far as its
    first and last bytes tell (``{`` ... ``}``); None otherwise. Arrow's JSON reader crashes
    the process on some other documents (a first line ``null``: a segfault in pyarrow 26), so
    nothing else is handed to it."""
    b, start, end, _ = line_spans(block, nl)
    if start.size == 0 or not ((b[start] == 0x7B) & (b[end - 1] == 0x7D)).all():
        return None
    return int(start.size)


def fast_jsonl(block: bytes, nl: npt.NDArray[np.int64] | None = None) -> FrameBatch | None:
    """All lines clean (one object each, hex frame, numeric time): one Arrow pass instead of
    one ``json.loads`` per line. None when anything is unusual; the caller then goes line by
    line and locates each problem. ``nl``: where the block's ``\\n`` lie, when known."""
    shaped = template_jsonl(block, FRAME_KEYS, TIME_KEYS, nl)
    if shaped is not None:  # the common two-key shape: no JSON parser at all
        t, data, length = shaped
        return _batch(np.where(np.abs(t) > MS_THRESHOLD, t / 1000.0, t), data, length)
    count = object_lines(block, nl)
    if count is None:
        return None
    narrow = _narrow_schema(block)
    if narrow is not None:
        got = _read_jsonl(block, count, narrow, every_time=True)
        if got is not None:
            return got
    return _read_jsonl(block, count, _FAST_SCHEMA, every_time=False)


def _narrow_schema(block: bytes) -> pa.Schema | None:
    """Only the keys the first line uses (a frame key and a time key) and those that take
    precedence over them, so that Arrow fills 2 columns instead of 11 (twice as fast); None
    when the first line has no numeric time."""
    end = block.find(b"\n")
    try:
        obj = json.loads(block[: end if end >= 0 else len(block)])
    except (ValueError, RecursionError):  # the line-by-line path counts it
        return None
    if not isinstance(obj, dict):
        return None
    f = next((i for i, k in enumerate(FRAME_KEYS) if isinstance(obj.get(k), str)), None)
    t = next(
        (
            i
            for i, k in enumerate(TIME_KEYS)
            if isinstance(obj.get(k), int | float) and not isinstance(obj.get(k), bool)
        ),
        None,
    )
    if f is None or t is None:
        return None
    frames = [(k, pa.string()) for k in FRAME_KEYS[: f + 1]]
    return pa.schema(frames + [(k, pa.float64()) for k in TIME_KEYS[: t + 1]])


def _read_jsonl(
    block: bytes, count: int, schema: pa.Schema, *, every_time: bool
) -> FrameBatch | None:
    """The block through Arrow's JSON reader with ``schema``; ``every_time``: None unless
    each line has a time among the schema's keys (a narrowed schema may miss one)."""
    import pyarrow.json as pa_json

    try:
        tbl = pa_json.read_json(
            io.BytesIO(block),
            read_options=pa_json.ReadOptions(use_threads=False, block_size=1 << 26),
            parse_options=pa_json.ParseOptions(
                explicit_schema=schema, unexpected_field_behavior="ignore"
            ),
        )
    except (pa.ArrowException, ValueError):
        return None
    if tbl.num_rows != count:
        return None
    frame: pa.ChunkedArray | None = None
    for k in FRAME_KEYS:  # the first present key wins, as in the line-by-line path
        if k not in tbl.column_names:
            continue
        col = tbl.column(k)
        if col.null_count == 0:
            frame = col
            break
        if col.null_count != tbl.num_rows:
            return None
    if frame is None:
        return None
    t = np.full(tbl.num_rows, np.nan)
    for k in reversed(TIME_KEYS):
        if k in tbl.column_names:
            if np.isnan(numpy_of(tbl.column(k), 0.0)).any():  # a NaN written, not a key left
                return None  # out: ``json.loads`` reads it, and the line has no usable time
            col = numpy_of(tbl.column(k), np.nan).astype(np.float64)
            t = np.where(np.isnan(col), t, col)
    if np.isinf(t).any() or (every_time and np.isnan(t).any()):
        return None
    t = np.where(np.abs(t) > MS_THRESHOLD, t / 1000.0, t)
    got = hex_column(frame)
    if got is None or not got[2].all():
        return None
    return _batch(t, got[0], got[1])


def _batch(t: npt.NDArray[np.float64], data: U1, length: U1) -> FrameBatch:
    n = t.shape[0]
    return FrameBatch(
        timestamp=t,
        data=data,
        length=length,
        signal=np.full(n, np.nan, dtype=np.float32),
        ticks=np.zeros(n, dtype=np.uint64),
        receiver=np.zeros(n, dtype=np.uint64),
    )
