"""Which flights of a rebuild are new or changed: row-by-row comparison of two flight tables
by ``flight_id``, every column compared (nulls equal nulls, NaN equals NaN, lists and structs
element by element), vectorised over the rows; a few rows (a live step's: ``PY_ROWS``) as
Python values instead, the same comparison (one conversion of each table then costs less
than some 45 columns' numpy comparisons, a live step's fixed cost)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .rowarrays import as_int64

B1 = npt.NDArray[np.bool_]

#: Tables of at most this many rows are compared as Python values.
PY_ROWS = 256


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and v != v)


def _same(x: Any, y: Any) -> bool:
    """``_equal`` of two Python values (``to_pylist``'s): nulls equal nulls, NaN equals NaN
    (and a null float equals NaN, as in ``_equal``'s numpy arrays), lists and structs (dicts)
    element by element."""
    if x == y:
        return True
    if isinstance(x, float) or isinstance(y, float):
        return _blank(x) and _blank(y)
    if isinstance(x, list) and isinstance(y, list):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y, strict=True))
    if isinstance(x, dict) and isinstance(y, dict):
        return x.keys() == y.keys() and all(_same(x[k], y[k]) for k in x)
    return False


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


#: Flat columns that move with nearly every step of a flight in progress: a row whose values
#: differ in one of them is changed, whatever the others (compared first, as integers).
QUICK_COLUMNS = ("lastSeen", "n_positions")


def _ints(col: pa.ChunkedArray) -> npt.NDArray[np.int64]:
    """Integer values of a flat column (nulls: the smallest int64)."""
    if pa.types.is_timestamp(col.type):
        col = as_int64(col)
    if col.null_count:
        col = pc.fill_null(col, -(2**63))
    return np.asarray(col.to_numpy(), dtype=np.int64)


def _few_same(fresh: pa.Table, before: pa.Table, pos: npt.NDArray[np.int64]) -> B1:
    """``diff_flights``' sameness of a few rows: ``QUICK_COLUMNS`` as integers, then only the
    rows equal there compared whole as Python values (most rows of a live step differ in
    ``lastSeen``: their nested columns are then never converted)."""
    matched = pos >= 0
    cand = matched.copy()
    for name in QUICK_COLUMNS:
        if name in fresh.column_names and name in before.column_names:
            f, b = _ints(fresh[name]), _ints(before[name])
            cand &= f == b[np.maximum(pos, 0)]
    same = np.zeros(fresh.num_rows, dtype=bool)
    idx = np.flatnonzero(cand)
    if idx.size:
        rows_f = fresh.take(pa.array(idx)).to_pylist()
        rows_b = before.take(pa.array(pos[idx])).to_pylist()
        for i, x, y in zip(idx.tolist(), rows_f, rows_b, strict=True):
            same[i] = _same(x, y)
    return same


def diff_flights(before: pa.Table, fresh: pa.Table) -> tuple[pa.Table, list[str]]:
    """(rows of ``fresh`` that are new or differ from ``before``, ids only in ``before``)."""
    if fresh.num_rows <= PY_ROWS and before.num_rows <= PY_ROWS:
        return _diff_few(before, fresh)
    idx = pc.index_in(fresh["flight_id"], value_set=before["flight_id"].combine_chunks())
    pos = np.asarray(pc.fill_null(idx, -1).to_numpy(), dtype=np.int64)
    matched = pos >= 0
    same = np.zeros(fresh.num_rows, dtype=bool)
    if matched.any():
        same[matched] = _rows_equal(
            fresh.filter(pa.array(matched)), before.take(pa.array(pos[matched]))
        )
    # one take of the wide table (each costs ~0.3 ms for a few rows): the changed rows in order
    idx = np.flatnonzero(~same)
    keys = fresh.select(["icao24", "firstSeen"]).take(pa.array(idx))
    order = pc.sort_indices(keys, [("icao24", "ascending"), ("firstSeen", "ascending")])
    changed = fresh.take(pa.array(idx[np.asarray(order.to_numpy(), dtype=np.int64)]))
    gone = pc.invert(pc.is_in(before["flight_id"], value_set=fresh["flight_id"].combine_chunks()))
    return changed, sorted(before["flight_id"].filter(gone).to_pylist())


def _diff_few(before: pa.Table, fresh: pa.Table) -> tuple[pa.Table, list[str]]:
    """``diff_flights`` of a few rows with Python's lists and sorts (each Arrow call on the
    wide table costs ~0.1-0.3 ms, a live step's fixed cost): the same rows, in the same
    order (by icao24, then firstSeen; ties in row order, as Arrow's stable sort)."""
    ids_f: list[str] = fresh["flight_id"].to_pylist()
    ids_b: list[str] = before["flight_id"].to_pylist()
    at = {fid: i for i, fid in reversed(list(enumerate(ids_b)))}  # the first row of an id
    pos = np.array([at.get(fid, -1) for fid in ids_f], dtype=np.int64)
    same = _few_same(fresh, before, pos) if (pos >= 0).any() else np.zeros(len(ids_f), bool)
    idx = np.flatnonzero(~same).tolist()
    icao: list[str] = fresh["icao24"].to_pylist()
    first = _ints(fresh["firstSeen"]).tolist()
    idx.sort(key=lambda i: (icao[i], first[i]))
    in_order = idx == list(range(fresh.num_rows))  # every row, in order: no take
    changed = fresh if in_order else fresh.take(pa.array(idx, pa.int64()))
    kept = set(ids_f)
    return changed, sorted(fid for fid in ids_b if fid not in kept)
