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

from .arrow_views import bits_of, values_view
from .parquet_encodings import (
    def_levels,
    delta_binary_packed,
    dictionary_codes,
    min_max,
    plain_strings,
    string_parts,
    string_values,
)
from .thrift_compact import Struct, encode

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
#: Largest integer column value written as a one-byte dictionary code (``_small_ints``).
_SMALL_INT_MAX = 255
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
    levels = def_levels(valid, n)
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
            size, text = string_values(a, v)
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
        chunk.stats = min_max(arrays, valids, kind)
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
    width, data = dictionary_codes(values, hi + 1)
    return [bytes([width]), data]


def _bools(arr: pa.Array, valid: B1 | None) -> B1:
    """The values of a boolean array's non-null rows."""
    if valid is not None and not valid.any():
        return np.zeros(0, dtype=np.bool_)
    bits = bits_of(arr, 1).view(np.bool_)
    return bits if valid is None else bits[valid]


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
    plain = b"".join(plain_strings(*string_parts(d, None)) for d in dicts)
    chunk.dictionary = (plain, total)
    chunk.encoding = _RLE_DICTIONARY
    values = np.concatenate(codes) if codes else np.zeros(0, np.int64)
    width, data = dictionary_codes(values, total)
    return bytes([width]) + data


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
