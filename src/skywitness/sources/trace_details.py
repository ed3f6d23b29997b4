"""The few values read from readsb trace points' details objects, column-wise.

A point's details (``{"type":"adsb_icao","flight":"DAL1812 ",...,"squawk":"4637",
"emergency":"none","category":"A3",...}``, about one point in four, ~300 bytes) give its
callsign, squawk, emitter category and, where the point has none of its own, its source type.
``sources.trace_bytes`` cuts the objects out of the points' rows before Arrow reads them
(``cut_objects``: one string column of their text between the braces, a row an object, and
the rows with each object left as an empty quoted field); ``details_values`` reads them. Each
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
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ..decode.codes import category_code
from ..decode.hexio import numpy_of
from .records import squawk_code

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


def cut_objects(rows: bytes, quotes: npt.NDArray[np.intp]) -> tuple[pa.Buffer, pa.Array] | None:
    """``rows`` with each details object left as an empty quoted field, and the objects' text
    (between their braces) as one string column, in row order (``quotes``: where the quote
    characters are); None when a brace is not closed, the text is not UTF-8 (as Arrow's reader
    refused it in the rows) or too long for 32-bit offsets. Two ``take``s of one string array
    cut at every quote character: its even values are the text around the objects (each with
    its quotes), its odd ones the objects."""
    k = quotes.shape[0]
    if k % 2 or len(rows) >= 1 << 31:
        return None
    data = pa.py_buffer(rows)
    if not k:
        return data, pa.nulls(0, pa.string())
    cuts = np.empty(k + 2, dtype=np.int32)
    cuts[0], cuts[1:-1], cuts[-1] = 0, quotes, len(rows)
    cuts[1:-1:2] += 1  # (an opening quote stays with the text before it)
    parts = pa.Array.from_buffers(pa.string(), k + 1, [None, pa.py_buffer(cuts), data])
    around = pc.take(parts, np.arange(0, k + 1, 2))
    objects = pc.take(parts, np.arange(1, k + 1, 2))
    try:
        objects.validate(full=True)
    except pa.ArrowInvalid:
        return None
    end = int(np.frombuffer(around.buffers()[1], np.int32)[around.offset + len(around)])
    return around.buffers()[2][:end], objects


def details_values(
    col: pa.ChunkedArray,
    text: pa.Array,
    types: npt.NDArray[np.object_],
    untyped: npt.NDArray[np.bool_],
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int16], npt.NDArray[np.int8]] | None:
    """Callsign, squawk and emitter category of each point from its details (``text``: the
    objects of the rows where ``col`` is present, in order; the type too, where the point has
    none, written into ``types``); None when a details field is not an object."""
    n = len(col)
    callsign = np.full(n, "", dtype="<U8")
    squawk = np.full(n, -1, dtype=np.int16)
    category = np.full(n, -1, dtype=np.int8)
    has = numpy_of(pc.is_valid(col))
    if not has.any():
        return callsign, squawk, category
    where = np.flatnonzero(has)
    if not pc.all(pc.starts_with(text, '"')).as_py():  # (no escapes: ``_rows``)
        return None  # not an object or an empty one: the general decoder
    if untyped[where].any():  # (every point with details has its own source type, mostly)
        rows, idx, values = values_at(text, key_ends(text, "type"))
        names = np.array([v[1:-1] for v in values], dtype=object)[idx]
        fill = untyped[where[rows]]
        types[where[rows[fill]]] = names[fill]
    rows, idx, values = values_at(text, key_ends(text, "flight"))
    callsign[where[rows]] = np.array([v[1:-1].strip()[:8] for v in values], dtype="<U8")[idx]
    at = key_ends(text, "squawk")
    rows, idx, values = values_at(text, at, number=True)
    squawk[where[rows]] = np.array([squawk_text(v) for v in values], dtype=np.int16)[idx]
    # readsb writes the category a few keys after the squawk: looked for from there first
    rows, idx, values = values_at(text, key_ends(text, "category", after=at))
    category[where[rows]] = np.array([category_code(v[1:-1]) for v in values], dtype=np.int8)[idx]
    return callsign, squawk, category


def squawk_text(v: str) -> int:
    """A squawk as written in details (``"4637"`` or a bare number) -> ``squawk_code``."""
    try:
        return squawk_code(orjson.loads(v))
    except orjson.JSONDecodeError:
        return -1
