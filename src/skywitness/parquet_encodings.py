"""Parquet's value encodings over numpy, for ``parquet_columns``: definition levels from a
validity mask, PLAIN byte arrays, dictionary codes and DELTA_BINARY_PACKED integers as the
RLE/bit-packed hybrid and bit packing lay them out, the bytes of a string array's values,
and the min/max statistics Parquet stores. Pure functions of arrays; no I/O."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from numpy.lib.stride_tricks import as_strided

from .arrow_views import rows_at, select_rows, values_view
from .thrift_compact import varint

U1 = npt.NDArray[np.uint8]
B1 = npt.NDArray[np.bool_]

#: Distinct value lengths up to which a string column's values are copied per length (one
#: window write each); more go byte by byte.
_PER_LENGTH = 16
#: Longest value up to which a string column's distinct lengths are counted by ``bincount``.
_MAX_LENGTHS = 4096
#: DELTA_BINARY_PACKED's layout here: values a block, miniblocks a block (32 values each).
_BLOCK, _MINIBLOCKS = 128, 4


def def_levels(valid: B1 | None, n: int) -> bytes:
    """Definition levels (max 1) as the RLE/bit-packed hybrid with its 4-byte length: one
    repeated run when every row is alike, else the validity bits as one bit-packed run."""
    if valid is None or n == 0:
        body = varint(n << 1) + b"\x01"
    elif not valid.any():
        body = varint(n << 1) + b"\x00"
    else:
        body = varint(((n + 7) // 8) << 1 | 1) + np.packbits(valid, bitorder="little").tobytes()
    return len(body).to_bytes(4, "little") + body


def fixed_strings(rows: U1) -> bytes:
    """PLAIN byte arrays of values of one width (the rows of ``rows``)."""
    m, width = rows.shape
    table = np.empty((m, 4 + width), dtype=np.uint8)
    table[:, :4] = np.frombuffer(width.to_bytes(4, "little"), dtype=np.uint8)
    table[:, 4:] = rows
    return table.tobytes()


def plain_strings(data: U1, start: npt.NDArray[np.int64], size: npt.NDArray[np.int64]) -> bytes:
    """PLAIN byte arrays: each value's 4-byte length, then its bytes."""
    m = start.shape[0]
    if m == 0:
        return b""
    lo, hi = int(size.min()), int(size.max())
    if lo == hi:
        return fixed_strings(rows_at(data, start, lo))
    rec = np.zeros(m + 1, dtype=np.int64)
    np.cumsum(size + 4, out=rec[1:])
    out = np.empty(int(rec[-1]) + 1, dtype=np.uint8)  # (a byte past the end: windows fit)
    at = rec[:-1]
    lens = as_strided(out, shape=(out.shape[0] - 4, 4), strides=(1, 1))
    lens[at] = size.astype("<i4").view(np.uint8).reshape(m, 4)
    widths = np.flatnonzero(np.bincount(size)) if hi <= _MAX_LENGTHS else np.unique(size)
    if widths.shape[0] <= _PER_LENGTH:
        for k in widths.tolist():
            if k == 0:
                continue
            rows = np.flatnonzero(size == k)
            dst = as_strided(out, shape=(out.shape[0] - k + 1, k), strides=(1, 1))
            dst[at[rows] + 4] = rows_at(data, start[rows], k)
    else:
        total = int(size.sum())
        first = np.zeros(m, dtype=np.int64)
        np.cumsum(size[:-1], out=first[1:])
        step = np.arange(total, dtype=np.int64) - np.repeat(first, size)
        out[np.repeat(at + 4, size) + step] = data[np.repeat(start, size) + step]
    return out[:-1].tobytes()


def string_parts(arr: pa.Array, valid: B1 | None) -> tuple[U1, Any, Any]:
    """(bytes, start, length) of the values of an array's non-null rows."""
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    buf = arr.buffers()[2]
    data = np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, np.uint8)
    start = offsets[:-1].astype(np.int64)
    size = np.diff(offsets).astype(np.int64)
    if valid is not None:
        start, size = start[valid], size[valid]
    return data, start, size


def dictionary_codes(values: npt.NDArray[np.int64], size: int) -> tuple[int, bytes]:
    """Dictionary codes (0..size-1) as RLE/bit-packed hybrid data: one repeated run when all
    are one code, else one bit-packed run of 8, 16 or 32 bits a code, which is the codes'
    own little-endian bytes (no bit shuffling). (bit width, data)."""
    width = 8 if size <= 1 << 8 else 16 if size <= 1 << 16 else 32
    m = values.shape[0]
    if m == 0:
        return width, b""
    first = int(values[0])
    if bool((values == first).all()):
        return width, varint(m << 1) + first.to_bytes(width // 8, "little")
    groups = (m + 7) // 8
    packed = np.zeros(groups * 8, dtype=f"<u{width // 8}")
    packed[:m] = values
    return width, varint(groups << 1 | 1) + packed.tobytes()


def string_values(arr: pa.Array, valid: B1 | None) -> tuple[npt.NDArray[np.int64], Any]:
    """The lengths and the bytes, back to back, of a string array's non-null values: its
    text buffer as it lies when the nulls hold no bytes (``hexio``'s columns), else gathered."""
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    size = np.diff(offsets).astype(np.int64)
    buf = arr.buffers()[2]
    data = np.frombuffer(buf, dtype=np.uint8) if buf is not None else np.zeros(0, np.uint8)
    if valid is not None:
        size = size[valid]
    first, last = int(offsets[0]), int(offsets[-1])
    if int(size.sum()) == last - first:  # no bytes under the nulls: the text as it lies
        return size, data[first:last]
    rows = fixed_rows(arr)
    if rows is not None:
        return size, (rows if valid is None else select_rows(rows, valid)).ravel()
    start = offsets[:-1].astype(np.int64)
    start = start if valid is None else start[valid]
    total = int(size.sum())
    at = np.zeros(size.shape[0], dtype=np.int64)
    np.cumsum(size[:-1], out=at[1:])
    return size, data[np.repeat(start - at, size) + np.arange(total, dtype=np.int64)]


#: DELTA_BINARY_PACKED's layout here: values a block, miniblocks a block (32 values each).
_BLOCK, _MINIBLOCKS = 128, 4


def delta_binary_packed(values: npt.NDArray[np.int64]) -> bytes:
    """Integers (a string column's lengths) as DELTA_BINARY_PACKED: the first value, then the
    differences less one smallest difference, bit-packed at one width for every miniblock
    (any width that fits is valid; a column of one length packs to 0 bits). The last block
    writes only the miniblocks it needs, with zero widths for the rest (the format's rule)."""
    n = values.shape[0]
    head = varint(_BLOCK) + varint(_MINIBLOCKS) + varint(n) + zigzag(int(values[0]) if n else 0)
    if n <= 1:
        return head
    deltas = np.diff(values)
    low = int(deltas.min())
    adj = (deltas - low).astype(np.uint64)
    width = int(adj.max()).bit_length()
    blocks = -(-(n - 1) // _BLOCK)
    padded = np.zeros(blocks * _BLOCK, dtype="<u8")
    padded[: n - 1] = adj
    per_block = _BLOCK * width // 8  # bytes of a block's miniblocks
    packed = pack_bits(padded, width).reshape(blocks, per_block)
    block_head = np.frombuffer(zigzag(low) + bytes([width] * _MINIBLOCKS), dtype=np.uint8)
    table = np.empty((blocks, block_head.shape[0] + per_block), dtype=np.uint8)
    table[:, : block_head.shape[0]] = block_head
    table[:, block_head.shape[0] :] = packed
    needed = -(-((n - 1) - (blocks - 1) * _BLOCK) // (_BLOCK // _MINIBLOCKS))
    last = zigzag(low) + bytes([width] * needed + [0] * (_MINIBLOCKS - needed))
    body = packed[-1, : needed * (_BLOCK // _MINIBLOCKS) * width // 8].tobytes()
    return head + table[:-1].tobytes() + last + body


def pack_bits(values: npt.NDArray[np.uint64], width: int) -> U1:
    """Values (a multiple of 8 of them, each below ``2**width``) bit-packed LSB first, as
    Parquet packs them: up to 8 bits, each group of 8 values is one 64-bit sum of shifted
    values, its first ``width`` bytes; wider, bit by bit."""
    if width == 0:
        return np.zeros(0, dtype=np.uint8)
    if width <= 8:
        groups = values.reshape(-1, 8)
        word = groups[:, 0].copy()
        for i in range(1, 8):
            word |= groups[:, i] << np.uint64(width * i)
        out: U1 = np.ascontiguousarray(word.astype("<u8").view(np.uint8).reshape(-1, 8)[:, :width])
        return out.ravel()
    bits = np.unpackbits(
        values.astype("<u8").view(np.uint8).reshape(-1, 8), axis=1, bitorder="little"
    )
    packed: U1 = np.packbits(bits[:, :width].ravel(), bitorder="little")
    return packed


def zigzag(n: int) -> bytes:
    return varint((n << 1) ^ (n >> 63))


def min_max(
    arrays: Sequence[pa.Array], valids: Sequence[B1 | None], kind: str | None
) -> tuple[bytes, bytes] | None:
    """(min, max) as Parquet writes them: little-endian int64, or a string's bytes (only of
    strings of one width up to 8 bytes, compared as big-endian numbers)."""
    lo: list[int] = []
    hi: list[int] = []
    width: int | None = None
    for a, v in zip(arrays, valids, strict=True):
        if v is not None and not v.any():
            continue
        if kind == "int64":
            keys = values_view(a, np.int64)
        elif kind == "string":
            rows = fixed_rows(a)
            if rows is not None and v is not None:
                rows = select_rows(rows, v)
            elif rows is None:  # values of one width apart (nulls without bytes)
                data, start, size = string_parts(a, v)
                if size.shape[0] == 0 or int(size.min()) != int(size.max()):
                    return None
                rows = rows_at(data, start, int(size[0]))
            if not 0 < rows.shape[1] <= 8 or width not in (None, rows.shape[1]):
                return None
            width = rows.shape[1]
            big = np.zeros((rows.shape[0], 8), dtype=np.uint8)
            big[:, :width] = rows
            keys = big.view(">u8").ravel()
            v = None  # (the rows are the non-null ones already)
        else:
            return None
        keys = keys if v is None else keys[v]
        if keys.shape[0] == 0:
            continue
        lo.append(int(keys.min()))
        hi.append(int(keys.max()))
    if not lo:
        return None
    if width is None:
        return min(lo).to_bytes(8, "little", signed=True), max(hi).to_bytes(
            8, "little", signed=True
        )
    return min(lo).to_bytes(8, "big")[:width], max(hi).to_bytes(8, "big")[:width]


def fixed_rows(arr: pa.Array) -> U1 | None:
    """Every row's bytes (nulls' too) as (n, width) rows of a string array whose values all
    have one width and lie back to back (``hexio.fixed_width_column``'s); None otherwise."""
    n = len(arr)
    offsets = np.frombuffer(arr.buffers()[1], dtype=np.int32)[arr.offset : arr.offset + n + 1]
    width = int(offsets[1] - offsets[0]) if n else 0
    if n == 0 or not bool((np.diff(offsets) == width).all()):
        return None
    buf = arr.buffers()[2]
    if buf is None or width == 0:
        return None
    first = int(offsets[0])
    rows: U1 = np.frombuffer(buf, dtype=np.uint8)[first : first + n * width].reshape(n, width)
    return rows
