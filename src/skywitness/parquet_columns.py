"""Parquet written column-wise from Arrow buffers with numpy, for the ``decode`` output.

Arrow's writer spent ~0.3 CPU s of a ~0.76 s decode of 500k frames (issue 18) turning the
output's 43 mostly-null columns into pages: definition levels built a value at a time from
each validity bitmap, every value gone through its encoder. Here every page is a few numpy
operations on the column's own buffers: the definition levels of a nullable column are its
validity bitmap as one bit-packed run (Parquet's bit order is Arrow's), numbers and times are
their non-null values as they lie (PLAIN), booleans their packed bits, strings each value's
length and bytes, and a dictionary-encoded label column (``decode.dictcols``) its dictionary
page and its codes as one bit-packed or constant run (RLE_DICTIONARY). Pages are compressed
with zstd (Arrow's codec, its default level), one page per column per row group.

The file reads back as Arrow's writer's did with ``store_schema=False``: the same Parquet
types and logical types (UTC timestamps, UTF-8 strings), so every reader sees the same
columns and values (tests/test_parquet_columns.py compares them with ``Table.equals``).
Columns of any other Arrow type are not written here (``supported`` says; the caller then
uses Arrow's writer). Min/max statistics are written for timestamps and for fixed-width
string columns named in ``statistics`` (the address), as Arrow's writer was asked to.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from numpy.lib.stride_tricks import as_strided

from .decode.hexio import bits_of, values_view
from .thrift_compact import Struct, encode, varint

U1 = npt.NDArray[np.uint8]
B1 = npt.NDArray[np.bool_]

#: Parquet's physical types, encodings, codec, page types and converted types used here.
_BOOLEAN, _INT64, _DOUBLE, _BYTE_ARRAY = 0, 2, 5, 6
_PLAIN, _RLE, _DELTA_LENGTH_BYTE_ARRAY, _RLE_DICTIONARY = 0, 3, 6, 8
_ZSTD = 6
_DATA_PAGE, _DICTIONARY_PAGE = 0, 2
_UTF8, _TIMESTAMP_MILLIS, _TIMESTAMP_MICROS = 0, 9, 10
_OPTIONAL = 1
#: Arrow's zstd level for Parquet pages (``pa.Codec.default_compression_level("zstd")``).
ZSTD_LEVEL = 1
#: Distinct value lengths up to which a string column's values are copied per length (one
#: window write each); more go byte by byte.
_PER_LENGTH = 16
#: Largest integer column value written as a one-byte dictionary code (``_small_ints``).
_SMALL_INT_MAX = 255
#: Longest value up to which a string column's distinct lengths are counted by ``bincount``.
_MAX_LENGTHS = 4096
_MAGIC = b"PAR1"
_TIME_UNITS = {"ms": (1, _TIMESTAMP_MILLIS), "us": (2, _TIMESTAMP_MICROS)}
#: A dictionary column's index type by its bit width.
_INDEX_TYPES = {8: np.int8, 16: np.int16, 32: np.int32, 64: np.int64}


def supported(schema: pa.Schema) -> bool:
    """Whether every column of ``schema`` is of a type written here."""
    return all(_kind(f.type) is not None for f in schema)


def _kind(t: pa.DataType) -> str | None:
    if pa.types.is_dictionary(t):
        ok = pa.types.is_string(t.value_type) and pa.types.is_signed_integer(t.index_type)
        return "dict" if ok else None
    if pa.types.is_timestamp(t):
        return "int64" if t.unit in _TIME_UNITS and t.tz in (None, "UTC") else None
    if pa.types.is_string(t):
        return "string"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_int64(t):
        return "int64"
    if pa.types.is_float64(t):
        return "double"
    return None


def _schema_element(field: pa.Field) -> Struct:
    t = field.type
    el: Struct = {3: ("i32", _OPTIONAL), 4: ("bin", field.name.encode())}
    kind = _kind(t)
    if kind in ("string", "dict"):
        el[1] = ("i32", _BYTE_ARRAY)
        el[6] = ("i32", _UTF8)
        el[10] = ("struct", {1: ("struct", {})})  # LogicalType STRING
    elif kind == "bool":
        el[1] = ("i32", _BOOLEAN)
    elif kind == "double":
        el[1] = ("i32", _DOUBLE)
    else:
        el[1] = ("i32", _INT64)
        if pa.types.is_timestamp(t):
            unit, converted = _TIME_UNITS[t.unit]
            utc = t.tz is not None
            stamp: Struct = {1: ("bool", utc), 2: ("struct", {unit: ("struct", {})})}
            el[10] = ("struct", {8: ("struct", stamp)})  # LogicalType TIMESTAMP
            if utc:  # (Arrow sets the legacy type only for UTC-adjusted times)
                el[6] = ("i32", converted)
    return el


def _chunks(col: pa.ChunkedArray | pa.Array) -> list[pa.Array]:
    return list(col.chunks) if isinstance(col, pa.ChunkedArray) else [col]


def _validity(arr: pa.Array) -> B1 | None:
    """Where ``arr`` holds a value; None when it holds one everywhere."""
    if arr.null_count == 0:
        return None
    if arr.null_count == len(arr):
        return np.zeros(len(arr), dtype=np.bool_)
    return bits_of(arr, 0).view(np.bool_)


def _def_levels(valid: B1 | None, n: int) -> bytes:
    """Definition levels (max 1) as the RLE/bit-packed hybrid with its 4-byte length: one
    repeated run when every row is alike, else the validity bits as one bit-packed run."""
    if valid is None or n == 0:
        body = varint(n << 1) + b"\x01"
    elif not valid.any():
        body = varint(n << 1) + b"\x00"
    else:
        body = varint(((n + 7) // 8) << 1 | 1) + np.packbits(valid, bitorder="little").tobytes()
    return len(body).to_bytes(4, "little") + body


def _rows(data: U1, start: npt.NDArray[np.int64], width: int) -> U1:
    """The ``width`` bytes at each ``start`` as (m, width) rows: a view when they lie back to
    back, else a gather through a sliding window."""
    m = start.shape[0]
    first = int(start[0])
    if first + m * width <= data.shape[0] and bool((np.diff(start) == width).all()):
        return data[first : first + m * width].reshape(m, width)
    window = as_strided(data, shape=(data.shape[0] - width + 1, width), strides=(1, 1))
    out: U1 = window[start]
    return out


def _fixed_strings(rows: U1) -> bytes:
    """PLAIN byte arrays of values of one width (the rows of ``rows``)."""
    m, width = rows.shape
    table = np.empty((m, 4 + width), dtype=np.uint8)
    table[:, :4] = np.frombuffer(width.to_bytes(4, "little"), dtype=np.uint8)
    table[:, 4:] = rows
    return table.tobytes()


def _plain_strings(data: U1, start: npt.NDArray[np.int64], size: npt.NDArray[np.int64]) -> bytes:
    """PLAIN byte arrays: each value's 4-byte length, then its bytes."""
    m = start.shape[0]
    if m == 0:
        return b""
    lo, hi = int(size.min()), int(size.max())
    if lo == hi:
        return _fixed_strings(_rows(data, start, lo))
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
            dst[at[rows] + 4] = _rows(data, start[rows], k)
    else:
        total = int(size.sum())
        first = np.zeros(m, dtype=np.int64)
        np.cumsum(size[:-1], out=first[1:])
        step = np.arange(total, dtype=np.int64) - np.repeat(first, size)
        out[np.repeat(at + 4, size) + step] = data[np.repeat(start, size) + step]
    return out[:-1].tobytes()


def _string_parts(arr: pa.Array, valid: B1 | None) -> tuple[U1, Any, Any]:
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


def _codes(values: npt.NDArray[np.int64], size: int) -> tuple[int, bytes]:
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


class _Chunk:
    """One column's pages in one row group, before compression."""

    __slots__ = ("dictionary", "encoding", "null_count", "pages", "stats", "values")

    def __init__(self) -> None:
        self.dictionary: tuple[bytes, int] | None = None  # PLAIN values, count
        self.pages: list[bytes] = []
        self.encoding = _PLAIN
        self.null_count = 0
        self.values = 0
        self.stats: tuple[bytes, bytes] | None = None


def _column_chunk(arrays: Sequence[pa.Array], stats: bool) -> _Chunk:
    """Definition levels and values of one column over a row group's arrays (one page)."""
    arrays = [a for a in arrays if len(a)] or list(arrays[:1])
    chunk = _Chunk()
    n = sum(len(a) for a in arrays)
    valids = [_validity(a) for a in arrays]
    if all(v is None for v in valids):
        valid = None
    else:
        valid = np.concatenate(
            [
                np.ones(len(a), np.bool_) if v is None else v
                for a, v in zip(arrays, valids, strict=True)
            ]
        )
    chunk.values = n
    chunk.null_count = 0 if valid is None else n - int(np.count_nonzero(valid))
    levels = _def_levels(valid, n)
    t = arrays[0].type
    kind = _kind(t)
    parts: list[bytes] = []
    if kind == "dict":
        parts = [_dictionary_values(arrays, valids, chunk)]
    elif kind == "bool":  # packed once: bits of several arrays do not join at byte edges
        bits = [_bools(a, v) for a, v in zip(arrays, valids, strict=True)]
        parts = [np.packbits(np.concatenate(bits), bitorder="little").tobytes()]
    elif kind == "string":  # all the lengths, then all the bytes
        sizes: list[npt.NDArray[np.int64]] = []
        for a, v in zip(arrays, valids, strict=True):
            if v is not None and not v.any():
                continue
            size, text = _string_values(a, v)
            sizes.append(size)
            parts.append(text)
        lengths = np.concatenate(sizes) if sizes else np.zeros(0, dtype=np.int64)
        parts.insert(0, delta_binary_packed(lengths))
        chunk.encoding = _DELTA_LENGTH_BYTE_ARRAY
    else:
        for a, v in zip(arrays, valids, strict=True):
            if v is not None and not v.any():
                continue  # (an all-null array has no values, and maybe no buffers)
            parts.append(_values(a, v, kind))
        if pa.types.is_int64(t) and parts:
            parts = _small_ints(b"".join(parts), chunk) or parts
    if kind != "dict" and stats and chunk.null_count < n:
        chunk.stats = _min_max(arrays, valids, kind)
    chunk.pages = [levels, *parts]
    return chunk


def _small_ints(plain: bytes, chunk: _Chunk) -> list[bytes] | None:
    """Integers all in 0..255 (the decoded codes: downlink format, type code, category) as
    dictionary codes over 0..max, one byte each: an eighth of the bytes to compress. None
    for any other integers (they stay PLAIN)."""
    values = np.frombuffer(plain, dtype="<i8")
    if values.shape[0] == 0:
        return None
    lo, hi = int(values.min()), int(values.max())
    if lo < 0 or hi > _SMALL_INT_MAX:
        return None
    chunk.dictionary = (np.arange(hi + 1, dtype="<i8").tobytes(), hi + 1)
    chunk.encoding = _RLE_DICTIONARY
    width, data = _codes(values, hi + 1)
    return [bytes([width]), data]


def _bools(arr: pa.Array, valid: B1 | None) -> B1:
    """The values of a boolean array's non-null rows."""
    if valid is not None and not valid.any():
        return np.zeros(0, dtype=np.bool_)
    bits = bits_of(arr, 1).view(np.bool_)
    return bits if valid is None else bits[valid]


def _string_values(arr: pa.Array, valid: B1 | None) -> tuple[npt.NDArray[np.int64], Any]:
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
    rows = _fixed_rows(arr)
    if rows is not None:
        return size, (rows if valid is None else _select(rows, valid)).ravel()
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
    head = varint(_BLOCK) + varint(_MINIBLOCKS) + varint(n) + _zigzag(int(values[0]) if n else 0)
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
    block_head = np.frombuffer(_zigzag(low) + bytes([width] * _MINIBLOCKS), dtype=np.uint8)
    table = np.empty((blocks, block_head.shape[0] + per_block), dtype=np.uint8)
    table[:, : block_head.shape[0]] = block_head
    table[:, block_head.shape[0] :] = packed
    needed = -(-((n - 1) - (blocks - 1) * _BLOCK) // (_BLOCK // _MINIBLOCKS))
    last = _zigzag(low) + bytes([width] * needed + [0] * (_MINIBLOCKS - needed))
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


def _select(rows: U1, valid: B1) -> U1:
    """The rows of (n, width) ``rows`` where ``valid``: selected as one opaque value a row
    (~50x cheaper than a boolean index over a 2-D array of narrow rows)."""
    width = rows.shape[1]
    if width == 0:
        return rows[valid]
    flat = np.ascontiguousarray(rows).reshape(-1).view(f"V{width}")
    out: U1 = flat[valid].view(np.uint8).reshape(-1, width)
    return out


def _zigzag(n: int) -> bytes:
    return varint((n << 1) ^ (n >> 63))


def _values(arr: pa.Array, valid: B1 | None, kind: str | None) -> Any:
    """PLAIN values of an array's non-null rows (numbers, times)."""
    dtype = np.float64 if kind == "double" else np.int64
    vals = values_view(arr, dtype)
    return vals if valid is None else vals[valid]  # (bytes-like: joined into the page as is)


def _dictionary_values(
    arrays: Sequence[pa.Array], valids: Sequence[B1 | None], chunk: _Chunk
) -> bytes:
    """The row group's dictionary (each distinct dictionary of its arrays, in turn) and the
    codes, shifted into it, as RLE_DICTIONARY data."""
    dicts: list[pa.Array] = []
    base: list[int] = []
    for a in arrays:
        d = a.dictionary
        at = next((i for i, seen in enumerate(dicts) if seen is d or seen.equals(d)), None)
        if at is None:
            dicts.append(d)
            at = len(dicts) - 1
        base.append(sum(len(x) for x in dicts[:at]))
    codes = []
    for a, v, b in zip(arrays, valids, base, strict=True):
        if v is not None and not v.any():
            continue
        idx = a.indices
        raw = values_view(idx, _INDEX_TYPES[idx.type.bit_width]).astype(np.int64)
        codes.append((raw if v is None else raw[v]) + b)
    total = sum(len(d) for d in dicts)
    plain = b"".join(_plain_strings(*_string_parts(d, None)) for d in dicts)
    chunk.dictionary = (plain, total)
    chunk.encoding = _RLE_DICTIONARY
    values = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    width, data = _codes(values, total)
    return bytes([width]) + data


def _min_max(
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
            rows = _fixed_rows(a)
            if rows is not None and v is not None:
                rows = _select(rows, v)
            elif rows is None:  # values of one width apart (nulls without bytes)
                data, start, size = _string_parts(a, v)
                if size.shape[0] == 0 or int(size.min()) != int(size.max()):
                    return None
                rows = _rows(data, start, int(size[0]))
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


def _fixed_rows(arr: pa.Array) -> U1 | None:
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


class ColumnParquetFile:
    """A Parquet file written row group by row group (``write_row_group``) to a binary
    stream, its footer by ``close``; zstd pages, no Arrow schema stored."""

    def __init__(
        self, stream: IO[bytes], schema: pa.Schema, statistics: Sequence[str] = ()
    ) -> None:
        if not supported(schema):
            raise TypeError(f"a column type not written column-wise: {schema}")
        self._out = stream
        self._schema = schema
        self._stats = {
            f.name for f in schema if pa.types.is_timestamp(f.type) or f.name in statistics
        }
        self._codec = pa.Codec("zstd", compression_level=ZSTD_LEVEL)
        self._groups: list[Struct] = []
        self._rows = 0
        self._pos = len(_MAGIC)
        stream.write(_MAGIC)

    def _write(self, data: bytes) -> None:
        self._out.write(data)
        self._pos += len(data)

    def _page(self, kind: int, raw: bytes, header: tuple[int, Struct]) -> tuple[int, int]:
        """Compress and write one page; (uncompressed, compressed) bytes with its header."""
        body = self._codec.compress(raw, asbytes=True)
        fields: Struct = {
            1: ("i32", kind),
            2: ("i32", len(raw)),
            3: ("i32", len(body)),
            header[0]: ("struct", header[1]),
        }
        head = encode(fields)
        self._write(head)
        self._write(body)
        return len(head) + len(raw), len(head) + len(body)

    def write_row_group(self, table: pa.Table) -> None:
        n = table.num_rows
        if n == 0:
            return
        columns: list[Struct] = []
        start = self._pos
        raw_total = 0
        for i, field in enumerate(self._schema):
            chunk = _column_chunk(_chunks(table.column(i)), field.name in self._stats)
            first = self._pos
            raw_size = packed = 0
            meta: Struct = {}
            encodings = sorted({_PLAIN, _RLE, chunk.encoding})
            if chunk.dictionary is not None:
                plain, count = chunk.dictionary
                r, c = self._page(
                    _DICTIONARY_PAGE, plain, (7, {1: ("i32", count), 2: ("i32", _PLAIN)})
                )
                raw_size, packed = raw_size + r, packed + c
                meta[11] = ("i64", first)
            data_at = self._pos
            page: Struct = {
                1: ("i32", n),
                2: ("i32", chunk.encoding),
                3: ("i32", _RLE),
                4: ("i32", _RLE),
            }
            r, c = self._page(_DATA_PAGE, b"".join(chunk.pages), (5, page))
            raw_size, packed = raw_size + r, packed + c
            raw_total += raw_size
            meta.update(
                {
                    1: ("i32", _schema_element(field)[1][1]),
                    2: ("list_i32", encodings),
                    3: ("list_bin", [field.name.encode()]),
                    4: ("i32", _ZSTD),
                    5: ("i64", n),
                    6: ("i64", raw_size),
                    7: ("i64", packed),
                    9: ("i64", data_at),
                }
            )
            if field.name in self._stats:
                st: Struct = {3: ("i64", chunk.null_count)}
                if chunk.stats is not None:
                    st[5] = ("bin", chunk.stats[1])
                    st[6] = ("bin", chunk.stats[0])
                meta[12] = ("struct", st)
            columns.append({2: ("i64", 0), 3: ("struct", meta)})
        self._groups.append(
            {
                1: ("list_struct", columns),
                2: ("i64", raw_total),
                3: ("i64", n),
                5: ("i64", start),
                6: ("i64", self._pos - start),
                7: ("i16", len(self._groups)),
            }
        )
        self._rows += n

    def close(self) -> None:
        """The footer: schema, row groups, and the type-defined order of every column (so
        readers trust the min/max statistics)."""
        root: Struct = {4: ("bin", b"schema"), 5: ("i32", len(self._schema))}
        meta: Struct = {
            1: ("i32", 2),
            2: ("list_struct", [root, *(_schema_element(f) for f in self._schema)]),
            3: ("i64", self._rows),
            4: ("list_struct", self._groups),
            6: ("bin", b"skywitness parquet_columns"),
            7: ("list_struct", [{1: ("struct", {})} for _ in self._schema]),
        }
        footer = encode(meta)
        self._write(footer)
        self._write(len(footer).to_bytes(4, "little") + _MAGIC)
