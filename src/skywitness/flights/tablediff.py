"""Which flights of a rebuild are new or changed: row-by-row comparison of two flight tables
by ``flight_id``, every column compared (nulls equal nulls, NaN equals NaN, lists and structs
element by element), vectorised over the rows."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

B1 = npt.NDArray[np.bool_]


def _equal(x: pa.Array, y: pa.Array) -> B1:
    """Element-wise equality of two arrays of one type (nulls equal nulls, NaN equals NaN)."""
    t = x.type
    if pa.types.is_list(t):
        lx = np.asarray(pc.fill_null(pc.list_value_length(x), -1).to_numpy(), dtype=np.int64)
        ly = np.asarray(pc.fill_null(pc.list_value_length(y), -1).to_numpy(), dtype=np.int64)
        ok: B1 = np.asarray(lx == ly, dtype=bool)
        px = np.asarray(pc.list_parent_indices(x).to_numpy(), dtype=np.int64)
        py = np.asarray(pc.list_parent_indices(y).to_numpy(), dtype=np.int64)
        # compare values only of lists of equal length: then both sides line up
        sx, sy = ok[px], ok[py]
        same = _equal(
            pc.list_flatten(x).filter(pa.array(sx)), pc.list_flatten(y).filter(pa.array(sy))
        )
        ok[px[sx][~same]] = False
        return ok
    if pa.types.is_struct(t):
        both: B1 = _valid(x) == _valid(y)
        for fx, fy in zip(x.flatten(), y.flatten(), strict=True):
            both &= _equal(fx, fy)
        return both
    # flat columns: numpy compares (nulls become None, NaN or NaT on both sides alike)
    a, b = x.to_numpy(zero_copy_only=False), y.to_numpy(zero_copy_only=False)
    eq = np.asarray(a == b, dtype=bool)
    if a.dtype.kind == "f":
        eq |= np.isnan(a) & np.isnan(b)
    elif a.dtype.kind in "mM":
        eq |= np.isnat(a) & np.isnat(b)
    return eq


def _valid(x: pa.Array) -> B1:
    return np.asarray(x.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _rows_equal(a: pa.Table, b: pa.Table) -> B1:
    ok = np.ones(a.num_rows, dtype=bool)
    for name in a.column_names:
        ok &= _equal(a[name].combine_chunks(), b[name].combine_chunks())
    return ok


def diff_flights(before: pa.Table, fresh: pa.Table) -> tuple[pa.Table, list[str]]:
    """(rows of ``fresh`` that are new or differ from ``before``, ids only in ``before``)."""
    idx = pc.index_in(fresh["flight_id"], value_set=before["flight_id"].combine_chunks())
    pos = np.asarray(pc.fill_null(idx, -1).to_numpy(), dtype=np.int64)
    matched = pos >= 0
    same = np.zeros(fresh.num_rows, dtype=bool)
    if matched.any():
        same[matched] = _rows_equal(
            fresh.filter(pa.array(matched)), before.take(pa.array(pos[matched]))
        )
    changed = fresh.filter(pa.array(~same))
    changed = changed.sort_by([("icao24", "ascending"), ("firstSeen", "ascending")])
    gone = pc.invert(pc.is_in(before["flight_id"], value_set=fresh["flight_id"].combine_chunks()))
    return changed, sorted(before.filter(gone)["flight_id"].to_pylist())
