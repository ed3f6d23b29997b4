"""The few values read from readsb trace points' details objects, column-wise.

A point's details (``{"type":"adsb_icao","flight":"DAL1812 ",...,"squawk":"4637",
"emergency":"none","category":"A3",...}``, about one point in four, ~300 bytes) give its
callsign, squawk, emitter category and, where the point has none of its own, its source type.
``sources.trace_bytes`` hands their text (between the braces) as one Arrow string column; each
key's value is the one after its first ``"key":`` in the row, as a regular expression
(``"key":\\s*"([^"]*)"``) finds it: the reading of these values was ~a quarter of the reader's
time, each expression scanning the rows from their start.

Here a key is searched (Arrow's ``find_substring``) in windows of the rows: views over the
column's own bytes (an array whose offsets are where each row's window starts, so a window
runs into the next row's bytes: a key found past its row's end is none). readsb writes
``category`` a few keys after ``squawk``, so it is searched from the squawk on (a few dozen
bytes, not the ~250 before), and from the row's start only where it is not there. The value
is then read by an expression anchored where it starts. With no escapes in the text (the
caller's rule), a quote only opens or closes a string, so ``"type":`` is never the tail of
``"sil_type":`` nor text inside a value; a key written twice (which JSON parsers read as the
last) is read as its first, and white space between a key and its colon (which neither readsb
nor a JSON writer's default puts there) hides it, both as the expressions did.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..decode.hexio import bool_column, numpy_of

I8 = npt.NDArray[np.int64]
#: A value as written after its key's colon (white space before it allowed, as JSON does): a
#: string with its quotes; with ``number``, a bare number too.
_STRING = r'^(?P<v>\s*"[^"]*")'
_STRING_OR_NUMBER = r'^(?P<v>\s*(?:"[^"]*"|[-0-9.eE+]+))'


def _windows(text: pa.Array, start: I8, end: I8) -> pa.Array:
    """Rows ``data[start[i]:start[i+1]]`` (the last to ``end[-1]``) over ``text``'s bytes;
    ``start`` ascending, each within its row."""
    cuts = np.append(start, end[-1]).astype(np.int32)
    data = text.buffers()[2]
    return pa.Array.from_buffers(pa.string(), start.shape[0], [None, pa.py_buffer(cuts), data])


def find_key(text: pa.Array, rows: I8, start: I8, end: I8, key: str) -> I8:
    """Where ``"key":`` first is (its end, in ``text``'s bytes) in each row ``rows`` between
    ``start`` and ``end``; -1 where it is not."""
    if not rows.shape[0]:
        return np.zeros(0, dtype=np.int64)
    pattern = f'"{key}":'
    pos = numpy_of(pc.find_substring(_windows(text, start, end), pattern), -1).astype(np.int64)
    after = start + pos + len(pattern)
    return np.where((pos >= 0) & (after <= end), after, -1)


def present(col: pa.Array, where: I8) -> pa.Array:
    """The rows ``where`` of a string column whose other rows are null: a view over its bytes
    when those are empty (as Arrow's CSV reader leaves them: the rows between two present ones
    then add nothing), else a copy (``filter``)."""
    offsets = offsets_of(col)
    size = np.diff(offsets)
    if size.sum() != size[where].sum() or not where.shape[0]:
        keep = np.zeros(len(col), dtype=np.bool_)
        keep[where] = True
        return col.filter(bool_column(keep))
    cuts = np.append(offsets[where], offsets[where[-1] + 1]).astype(np.int32)
    data = col.buffers()[2]
    return pa.Array.from_buffers(pa.string(), where.shape[0], [None, pa.py_buffer(cuts), data])


def offsets_of(text: pa.Array) -> I8:
    n = len(text)
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)
    return offsets[text.offset : text.offset + n + 1].astype(np.int64)


def key_ends(text: pa.Array, key: str, after: I8 | None = None) -> I8:
    """Per row of ``text``: the end of its first ``"key":`` (-1 none); ``after``: where it is
    looked for first (a position in each row, -1: the row's start), the rows without it there
    then searched from their start."""
    offsets = offsets_of(text)
    starts, ends = offsets[:-1], offsets[1:]
    n = starts.shape[0]
    out = np.full(n, -1, dtype=np.int64)
    todo = np.arange(n, dtype=np.int64)
    if after is not None:
        near = np.flatnonzero(after >= 0)
        out[near] = find_key(text, near, after[near], ends[near], key)
        todo = np.flatnonzero(out < 0)
    out[todo] = find_key(text, todo, starts[todo], ends[todo], key)
    return out


def values_at(
    text: pa.Array, at: I8, *, number: bool = False
) -> tuple[I8, npt.NDArray[np.intp], list[str]]:
    """The value written at ``at`` (a key's end, -1 none) in each row of ``text``: (the rows
    that have one, each one's index into the values, the distinct values as written, white
    space before them stripped: a string with its quotes; with ``number``, a bare number
    too)."""
    rows = np.flatnonzero(at >= 0)
    if not rows.shape[0]:
        return rows, np.zeros(0, dtype=np.intp), []
    end = offsets_of(text)[1:][rows]
    tails = _windows(text, at[rows], end)
    got = pc.struct_field(pc.extract_regex(tails, _STRING_OR_NUMBER if number else _STRING), [0])
    enc = pc.dictionary_encode(got)
    idx = numpy_of(enc.indices, -1)
    size = numpy_of(pc.binary_length(got), 0)
    inside = (idx >= 0) & (size <= end - at[rows])  # (a value cut by its row's end: none)
    values = [v.strip() for v in enc.dictionary.to_pylist()]
    return rows[inside], idx[inside].astype(np.intp), values
