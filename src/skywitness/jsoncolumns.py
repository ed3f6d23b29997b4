"""JSON lines of a whole Arrow table at once, for ``output.JsonLinesWriter``.

Each column becomes the texts ``,"name":value`` (null where the value is null) and Arrow runs
each row's non-null ones together (less the first comma), so there is no Python work per row
(the per-row path cost ~20 µs a row: ten times the whole rest of a ``decode``). The text is
the per-row path's (``json.dumps`` of ``jsonable`` values, compact, null fields left out,
ASCII only): integers and booleans are Arrow's casts, which print them as Python does; times
are ``iso_z`` column-wise (``timeutil.iso_z_micros``); texts of plain printable ASCII are
copied between quotes; floats and any other text are printed by the per-row path's own
function, once per distinct value; a dictionary-encoded column's rows are its dictionary's
texts, taken by index. A column of another type (lists, dates, ...) gives None
and the caller goes row by row.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from .jsontext import jsonable
from .timeutil import in_iso_years, iso_z_micros

#: Bytes a JSON string holds as they are (printable ASCII but ``"`` and ``\\``).
_PLAIN = np.zeros(256, dtype=np.bool_)
_PLAIN[0x20:0x7F] = True
_PLAIN[ord('"')] = _PLAIN[ord("\\")] = False
#: Microseconds per tick of each timestamp unit (ns: ticks per microsecond, floored).
_US_PER_TICK = {"s": 1_000_000, "ms": 1_000, "us": 1}


def _call(name: str, args: list[Any], options: Any = None) -> Any:
    """A compute kernel without ``pyarrow.compute``'s start-up (as ``decode.hexio``)."""
    from pyarrow._compute import call_function

    return call_function(name, args, options)


def _join(parts: list[pa.Array], *, nulls_empty: bool = False) -> pa.Array:
    """Each row's texts of ``parts`` run together: null where one is null, or with
    ``nulls_empty`` nulls as "". (Not ``"skip"`` with a comma between: in pyarrow 26 that
    drops the rows where every part is null.)"""
    from pyarrow._compute import JoinOptions

    n = len(parts[0])
    opts = JoinOptions("replace", "") if nulls_empty else JoinOptions("emit_null")
    return _call("binary_join_element_wise", [*parts, constant("", n)], opts)


def _strings(chars: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> pa.Array:
    n = offsets.shape[0] - 1
    bufs = [None, pa.py_buffer(offsets.astype(np.int32)), pa.py_buffer(chars)]
    return pa.Array.from_buffers(pa.string(), n, bufs)


def constant(text: str, n: int) -> pa.Array:
    """``text`` ``n`` times as an Arrow string column."""
    raw = np.frombuffer(text.encode(), dtype=np.uint8)
    return _strings(np.tile(raw, n), np.arange(n + 1, dtype=np.int64) * raw.size)


def _text(value: Any) -> str:
    """One value as the per-row path prints it."""
    return json.dumps(jsonable(value), separators=(",", ":"))


def _per_distinct(key: str, arr: pa.Array) -> pa.Array:
    """``key`` + ``_text`` of each value, printed once per distinct value (nulls stay null)."""
    enc = _call("dictionary_encode", [arr])
    texts = [(key + _text(v)).encode() for v in enc.dictionary.to_pylist()]
    offsets = np.zeros(len(texts) + 1, dtype=np.int64)
    np.cumsum([len(t) for t in texts], out=offsets[1:])
    chars = np.frombuffer(b"".join(texts), dtype=np.uint8)
    return _call("take", [_strings(chars, offsets), enc.indices])


def _is_plain(arr: pa.Array) -> bool:
    """Every byte of a string column's values needs no JSON escape."""
    _, obuf, dbuf = arr.buffers()
    dtype = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    off = np.frombuffer(obuf, dtype=dtype)[arr.offset : arr.offset + len(arr) + 1]
    if dbuf is None or off[-1] == off[0]:
        return True
    data = np.frombuffer(dbuf, dtype=np.uint8)[int(off[0]) : int(off[-1])]
    return bool(_PLAIN[data].all())


def _quoted(key: str, arr: pa.Array) -> pa.Array:
    n = len(arr)
    return _join([constant(key + '"', n), arr, constant('"', n)])


def _times(key: str, arr: pa.Array) -> pa.Array | None:
    """``iso_z`` of each time (the per-row path floors to microseconds, as here)."""
    n = len(arr)
    ticks = np.frombuffer(arr.buffers()[1], dtype=np.int64)[arr.offset : arr.offset + n]
    unit = arr.type.unit
    us = ticks // 1_000 if unit == "ns" else ticks * _US_PER_TICK[unit]
    valid = np.ones(n, dtype=np.bool_)
    if arr.null_count:
        bits = np.frombuffer(arr.buffers()[0], dtype=np.uint8)
        valid = np.unpackbits(bits, bitorder="little")[arr.offset : arr.offset + n] == 1
        us = np.where(valid, us, 0)
    if not in_iso_years(us):
        return None
    rows, length = iso_z_micros(us)
    chars = rows[np.arange(rows.shape[1]) < length[:, None]]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(length, out=offsets[1:])
    text = _strings(np.ascontiguousarray(chars), offsets)
    if arr.null_count:
        mask = pa.py_buffer(np.packbits(valid, bitorder="little"))
        text = pa.Array.from_buffers(pa.string(), n, [mask, *text.buffers()[1:]])
    return _quoted(key, text)


def _fragments(key: str, arr: pa.Array) -> pa.Array | None:
    """``key`` (``,"name":``) and the value of each row of one column (null where null);
    None: a type not handled column-wise."""
    typ = arr.type
    if pa.types.is_integer(typ) or pa.types.is_boolean(typ):
        from pyarrow._compute import CastOptions

        text = _call("cast", [arr], CastOptions(pa.string()))
        return _join([constant(key, len(arr)), text])
    if pa.types.is_floating(typ) and not pa.types.is_float16(typ):
        return _per_distinct(key, arr)
    if pa.types.is_string(typ) or pa.types.is_large_string(typ):
        return _quoted(key, arr) if _is_plain(arr) else _per_distinct(key, arr)
    if pa.types.is_timestamp(typ):
        return _times(key, arr)
    if pa.types.is_dictionary(typ):  # the decode output's labels (decode.dictcols)
        texts = _fragments(key, arr.dictionary)
        return None if texts is None else _call("take", [texts, arr.indices])
    return None


def json_lines(table: pa.Table) -> bytes | None:
    """The rows of ``table`` as JSON lines (each ending in a newline); None when a column's
    type is not handled column-wise (or names repeat): the caller goes row by row."""
    n = table.num_rows
    names = table.column_names
    if not names or len(set(names)) != len(names):
        return None
    if n == 0:
        return b""
    parts = []
    for name, col in zip(names, table.columns, strict=True):
        arr = col.chunk(0) if col.num_chunks == 1 else col.combine_chunks()
        if arr.null_count == n:  # no row prints it (of any type, as row by row)
            continue
        part = _fragments("," + json.dumps(name) + ":", arr)
        if part is None:
            return None
        parts.append(part)
    if parts:  # ",k1:v1,k2:v2" less its first comma
        from pyarrow._compute import SliceOptions

        body = _call("utf8_slice_codeunits", [_join(parts, nulls_empty=True)], SliceOptions(1))
    else:
        body = constant("", n)
    lines = _join([constant("{", n), body, constant("}\n", n)])
    _, obuf, dbuf = lines.buffers()
    off = np.frombuffer(obuf, dtype=np.int32)[lines.offset : lines.offset + n + 1]
    return bytes(memoryview(dbuf)[int(off[0]) : int(off[-1])])
