"""Conversion of tables to the canonical state-vector schema the lake stores
(``model.STATE_SCHEMA``, defined once there). ``canonicalize`` also sorts out the rows
the lake cannot hold (no time, no valid address), counting each in ``IngestStats``.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..model import STATE_COLUMNS, STATE_SCHEMA, STATE_TYPES, TIMESTAMP_TYPE, RejectReason
from ..stats import IngestStats

__all__ = ["STATE_SCHEMA", "TIMESTAMP_TYPE", "canonicalize", "conform"]

_ICAO24_RE = "^[0-9a-f]{6}$"


def is_dictionary_of(typ: pa.DataType, target: pa.DataType) -> bool:
    """Whether ``typ`` is ``target`` dictionary-encoded (values of that type, any indices)."""
    return bool(pa.types.is_dictionary(typ) and typ.value_type == target)


def _cast_column(
    table: pa.Table, name: str, n: int, dictionaries: bool = False
) -> pa.ChunkedArray | pa.Array:
    target = STATE_TYPES[name]
    if name not in table.column_names:
        return pa.nulls(n, type=target)
    col = table.column(name)
    if col.type == target or (dictionaries and is_dictionary_of(col.type, target)):
        return col
    if name == "timestamp" and pa.types.is_timestamp(col.type):
        if col.type.tz is None:
            col = pc.assume_timezone(col, "UTC")
        return col.cast(target)
    return col.cast(target)


def conform(
    table: pa.Table, columns: tuple[str, ...] | None = None, *, dictionaries: bool = False
) -> pa.Table:
    """``table`` with exactly STATE_SCHEMA's columns and types (missing ones all null);
    ``columns``: only these of them, in this order. ``dictionaries``: a string column that
    comes dictionary-encoded stays so (``is_dictionary_of``), not decoded."""
    n = table.num_rows
    names = STATE_COLUMNS if columns is None else columns
    cols = [_cast_column(table, name, n, dictionaries) for name in names]
    if dictionaries:
        return pa.Table.from_arrays(cols, names=list(names))
    schema = STATE_SCHEMA if columns is None else pa.schema([STATE_SCHEMA.field(c) for c in names])
    return pa.Table.from_arrays(cols, schema=schema)


def _lower_hex(b: npt.NDArray[np.uint8]) -> bool:
    """Whether every byte is a lowercase hex digit: compares (unsigned wrap-around puts the
    bytes below ``'0'`` or ``'a'`` far above), ~30x faster than a 256-entry table's lookup."""
    return bool((((b - np.uint8(48)) < 10) | ((b - np.uint8(97)) < 6)).all())


#: Rows checked at a time (cache-sized temporaries, reused, not fresh pages of a whole batch).
CHECK_ROWS = 65_536


def all_canonical_icao24(col: pa.ChunkedArray | pa.Array) -> bool:
    """Whether every value of a string column is 6 lowercase hex digits (no nulls): what the
    ``_ICAO24_RE`` match below finds for all, read straight off the Arrow buffers, chunk by
    chunk and ``CHECK_ROWS`` rows at a time."""
    if isinstance(col, pa.ChunkedArray):
        return all(all_canonical_icao24(chunk) for chunk in col.chunks)
    if isinstance(col, pa.DictionaryArray):  # each row one of its values: those checked
        return not col.null_count and all_canonical_icao24(col.dictionary)
    if col.null_count or col.type != pa.string():
        return False
    n = len(col)
    if n == 0:
        return True
    _, obuf, dbuf = col.buffers()
    off = np.frombuffer(obuf, dtype=np.int32)[col.offset : col.offset + n + 1]
    if int(off[-1]) - int(off[0]) != 6 * n:
        return False
    data = np.frombuffer(dbuf, dtype=np.uint8)[int(off[0]) : int(off[-1])]
    for lo in range(0, n, CHECK_ROWS):
        hi = min(lo + CHECK_ROWS, n)
        if bool(np.any(np.diff(off[lo : hi + 1]) != 6)):
            return False
        if not _lower_hex(data[6 * lo : 6 * hi]):
            return False
    return True


def canonicalize(
    table: pa.Table,
    *,
    stats: IngestStats | None = None,
    source: str = "store",
    dictionaries: bool = False,
) -> pa.Table:
    """Return ``table`` with exactly STATE_SCHEMA and only the rows the lake can hold.

    Extra columns are left out. Rows with a null timestamp are rejected as BAD_TIMESTAMP,
    ``~``-prefixed (non-ICAO) addresses as NON_ICAO, other addresses that are not 6 hex
    digits as BAD_RECORD; each is counted in ``stats`` (strict stats raise on the first).
    ``dictionaries``: string columns that come dictionary-encoded stay so (``conform``); the
    addresses are then checked once per distinct value.
    """
    n = table.num_rows
    out = conform(table, dictionaries=dictionaries)
    icao = out.column("icao24")
    if not out.column("timestamp").null_count and all_canonical_icao24(icao):
        return out  # the usual case, checked off the string buffer
    if pa.types.is_dictionary(icao.type):  # not all canonical (rare): checked row by row
        icao = icao.cast(pa.string())
        out = out.set_column(1, "icao24", icao)
    if pc.any(pc.match_substring_regex(icao, "[A-F]")).as_py():
        icao = pc.utf8_lower(icao)
        out = out.set_column(1, "icao24", icao)
    ts_ok = pc.is_valid(out.column("timestamp"))
    icao_ok = pc.fill_null(pc.match_substring_regex(icao, _ICAO24_RE), False)
    keep = pc.and_(ts_ok, icao_ok)
    kept = int(pc.sum(keep).as_py() or 0)
    if kept == n:
        return out
    if stats is not None:
        bad_ts = n - int(pc.sum(ts_ok).as_py() or 0)
        bad_icao = pc.and_(ts_ok, pc.invert(icao_ok))
        non_icao = pc.and_(bad_icao, pc.fill_null(pc.starts_with(icao, "~"), False))
        n_non_icao = int(pc.sum(non_icao).as_py() or 0)
        n_bad_icao = int(pc.sum(bad_icao).as_py() or 0) - n_non_icao
        stats.reject(RejectReason.BAD_TIMESTAMP, source, count=bad_ts, detail="no timestamp")
        stats.reject(RejectReason.NON_ICAO, source, count=n_non_icao)
        stats.reject(RejectReason.BAD_RECORD, source, count=n_bad_icao, detail="bad icao24")
    return out.filter(keep)
