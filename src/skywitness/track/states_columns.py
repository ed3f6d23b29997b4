"""The columns of a canonical states table as ``states_gate`` reads them, with one gather per
column: each value array stays in the table's own row order, read straight off its Arrow
buffer (no copy), and only where each field has a value is put in the gate's (aircraft, time)
order; the emitted rows' held values are then gathered from the table's arrays through the row
order composed with where each was last given (``Held``). A million-row column gathered once
rather than sorted and then gathered again is ~9 MB less of fresh memory to fault in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import bits_of, call_function, numpy_of, one_chunk, valid_of, values_view
from .fields import present
from .groups import I8, ffill_index

B1 = npt.NDArray[np.bool_]
F8 = npt.NDArray[np.float64]
I4 = npt.NDArray[np.int32]


@dataclass
class Columns:
    """A states table's fields: values in table order, presence in (aircraft, time) order."""

    order: I8 | None  # the table row of each sorted row (None: the table is in that order)
    floats: dict[str, F8 | None]  # table order; slots of nulls never picked; None: all null
    codes: dict[str, tuple[npt.NDArray[Any], I4]]  # distinct values, each table row's index
    onground: npt.NDArray[np.int8]  # table order: 1 on ground, 0 airborne, -1 unknown
    has: dict[str, B1]  # sorted order: the rows where each field has a value

    def sorted_rows(self, rows: I8) -> I8:
        """The table rows of sorted rows ``rows``."""
        return rows if self.order is None else self.order[rows]


def _sorted(has: B1, order: I8 | None) -> B1:
    """A presence mask in (aircraft, time) order; as it is when every row has the field (any
    order of it is itself: the usual case for positions, ground flags, callsigns)."""
    if order is None or bool(has.all()):
        return has
    out: B1 = has[order]
    return out


def _float(col: pa.ChunkedArray, order: I8 | None) -> tuple[F8 | None, B1]:
    """(the float64 values off the Arrow buffer, where one is given and finite, sorted)."""
    arr = one_chunk(col)
    n = len(arr)
    if arr.null_count == n:
        return None, np.zeros(n, dtype=np.bool_)
    view: F8 = values_view(arr, np.float64)
    has = np.isfinite(view)
    if arr.null_count:
        has &= valid_of(arr)
    return view, _sorted(has, order)


def _onground(col: pa.ChunkedArray) -> npt.NDArray[np.int8]:
    arr = one_chunk(col)
    og = bits_of(arr, 1).view(np.int8)  # a fresh array: written in place below
    if arr.null_count:
        og[~valid_of(arr)] = -1
    return og


def codes(
    col: pa.ChunkedArray, fn: Callable[[Any], Any], dtype: npt.DTypeLike
) -> tuple[npt.NDArray[Any], I4]:
    """(``fn`` of each distinct value of a string column, nulls as ""; each row's index into
    them): the observations reader's per-value work, once per distinct value. A column that
    comes dictionary-encoded (as a Parquet file stores it) is taken as it is, not hashed."""
    if col.null_count == len(col):  # all null: the one value "", nothing to encode
        return np.array([fn("")], dtype=dtype), np.zeros(len(col), dtype=np.int32)
    enc = one_chunk(col)
    if not pa.types.is_dictionary(enc.type):
        enc = call_function("dictionary_encode", [enc])
    values = np.array([fn(v) for v in [*enc.dictionary.to_pylist(), ""]], dtype=dtype)
    idx: I4 = numpy_of(enc.indices, -1)  # int32: half the bytes to gather of int64
    idx[idx < 0] = values.shape[0] - 1
    return values, idx


def _given(values: npt.NDArray[Any], idx: I4) -> B1:
    """Rows whose value (``values[idx]``) is present, as the tracker's ``fields.present``."""
    mask = np.zeros(values.shape[0], dtype=np.bool_)
    mask[present(values)] = True
    out: B1 = mask[idx]
    return out


def read_columns(
    table: pa.Table,
    order: I8 | None,
    floats: tuple[str, ...],
    strings: dict[str, tuple[Callable[[Any], Any], npt.DTypeLike]],
    given: tuple[str, ...],
) -> Columns:
    """``table``'s ``floats``, ``strings`` (per column: the function of each distinct value and
    its dtype) and ``onground``; presence of the floats, of the ``given`` strings and of
    ``onground``."""
    out = Columns(order, {}, {}, _onground(table.column("onground")), {})
    for f in floats:
        out.floats[f], out.has[f] = _float(table.column(f), order)
    for f, (fn, dtype) in strings.items():
        out.codes[f] = codes(table.column(f), fn, dtype)
        if f in given:
            out.has[f] = _sorted(_given(*out.codes[f]), order)
    out.has["onground"] = _sorted(out.onground >= 0, order)
    return out


class Held:
    """The emitted (sorted) rows ``rows``' fields, each as last given at or before the row in
    its segment (``gstart``: each sorted row's segment start), gathered from the table's
    arrays; where each was last given is worked out once per distinct presence mask (ground
    speed, track and vertical rate come together and share one). When every row is emitted
    (already-tracked input, the usual case) only the rows lacking a field are looked at: each
    takes it from the row before its run of such rows, and the rest give their own. The rows
    of the last presence mask asked for are kept for the next pick (a caller picks the fields
    held alike one after the other)."""

    def __init__(self, columns: Columns, gstart: I8, rows: I8) -> None:
        self.columns, self.gstart, self.rows = columns, gstart, rows
        self._done: list[tuple[B1, I8, B1 | None]] = []
        self._own: I8 | None = None  # the table row of each emitted row
        self._at: I8 | None = None  # where each sorted row is among ``rows`` (all emitted)

    def _own_rows(self) -> I8:
        if self._own is None:
            self._own = self.columns.sorted_rows(self.rows)
        return self._own

    def _source(self, has: B1) -> tuple[I8, B1 | None]:
        """(the table row each emitted row takes the field from, the rows with none)."""
        for mask, src, none in self._done:
            if mask is has or np.array_equal(mask, has):
                return src, none
        self._done.clear()  # one mask's rows at a time: ~9 MB of indices each, not all kept
        if bool(has.all()):  # each row gives it itself
            src, none = self._own_rows(), None
        elif self.rows.shape[0] == has.shape[0]:  # every row emitted: patch the rows lacking it
            src, none = self._patched(has)
        else:
            at = ffill_index(has, self.gstart)[self.rows]
            none = at < 0
            src = self.columns.sorted_rows(at)  # -1 picks the last row: replaced in ``pick``
        self._done.append((has, src, none))
        return src, none

    def _patched(self, has: B1) -> tuple[I8, B1]:
        """``_source`` where ``rows`` holds every sorted row: ``ffill_index`` worked out for
        the rows lacking the field alone (the last row giving it before a run of rows lacking
        it is the one before the run, if in the same segment)."""
        n = self.rows.shape[0]
        miss = np.flatnonzero(~has)
        first = np.ones(miss.shape[0], dtype=np.bool_)
        first[1:] = miss[1:] != miss[:-1] + 1
        before = miss[first][np.cumsum(first) - 1] - 1  # the row before each one's run
        given = before >= self.gstart[miss]
        if self._at is None:
            self._at = np.empty(n, dtype=np.int64)
            self._at[self.rows] = np.arange(n)
        where = self._at[miss]
        src = self._own_rows().copy()
        src[where[given]] = self.columns.sorted_rows(before[given])
        none = np.zeros(n, dtype=np.bool_)
        none[where[~given]] = True  # their ``src`` (their own row) is replaced in ``pick``
        return src, none

    def pick(self, values: npt.NDArray[Any] | None, has: B1, missing: Any) -> npt.NDArray[Any]:
        """``values`` (table order; None: all missing) held at the emitted rows."""
        if values is None or not has.any():
            dtype = np.float64 if values is None else values.dtype
            return np.full(self.rows.shape[0], missing, dtype=dtype)
        src, none = self._source(has)
        out: npt.NDArray[Any] = values[src]
        if none is not None:
            out[none] = missing
        return out
