"""readsb trace documents decoded column-wise from their bytes, without a Python object per value.

A ``trace_full_<hex>.json`` is a small head (``icao``, ``timestamp``, ``r``, ``t``, ``dbFlags``,
``desc``, ...) and a ``trace`` array of points, ~100 M of them in a day of the world: parsed as
JSON, every value of every point becomes a Python object (~1 µs a point). Here the head alone is
parsed as JSON (``orjson``) and the points are handed to Arrow's CSV reader as they are: each
``],[`` between two points becomes a line break, the ``{...}`` details objects become quoted
fields (their braces the quote character), so each point is one CSV row of typed columns.

Only documents of the plain shape readsb writes take this path (``trace`` the last key, every
point an array of the same length, numbers, ``null``, ``"ground"`` and type strings where they
belong, no escapes in strings). Anything else (a broken or cut document, mixed point lengths, a
point that is not an array, text where a number belongs) gives ``None``, and the caller reads
that document with the general decoder (``sources.readsb.trace_observations``), which names
every bad point: the two agree on every document this one accepts
(tests/sources/test_trace_bytes.py). The points' JSON syntax is not checked beyond that shape:
a number Arrow reads that JSON forbids (``+1``, ``nan``) is taken as a number (a gzip'd member
is protected by its CRC; a cut one is refused).

Rows are made with one ``bytes.translate`` where the only brackets are those around the points
(readsb's layout, a point a line, or compact): ``]`` ends a row, ``[`` and line breaks become
spaces, the comma between two points becomes an empty first field; brackets elsewhere (details'
lists) have the row breaks found by pattern instead.

``trace_arrays`` is the one place a trace's columns become ``Observations`` (both decoders end
there).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..decode.codes import category_code
from ..decode.hexio import numpy_of
from ..model import Observations
from .records import icao_of, squawk_code
from .trace_details import key_ends, present, values_at
from .trace_points import TraceColumns, trace_arrays

_TRACE_KEY = re.compile(rb'"trace"\s*:\s*\[')
_ROW_BREAK = re.compile(rb"\]\s*,\s*\[")
#: Braces of the details objects become this CSV quote character (never in readsb's JSON).
_QUOTE = b"\x01"
_BRACES = bytes.maketrans(b"{}", _QUOTE * 2)
#: ``]`` ends a row, braces quote, ``[`` and the layout's white space become spaces (a table
#: without deletions: ~40 % cheaper than deleting them; Arrow trims the spaces before a number,
#: and a space left anywhere a string or ``null`` is read, or inside details, refuses the
#: document for the general decoder).
_PLAIN = bytes.maketrans(b"]{}[\n\r\t", b"\n" + _QUOTE * 2 + b"    ")
_OPEN, _CLOSE, _COMMA = ord("["), ord("]"), ord(",")
#: Values per trace point read: dt, lat, lon, alt, gs, track, flags, vrate, details,
#: source_type, geom_alt, geom_rate (readsb writes up to 14 and at least 7).
TRACE_FIELDS = 12
TRACE_MIN_FIELDS = 7
_STRING_FIELDS = {3, 8, 9}  # alt ("ground"), details, source_type
_TYPE_FIELD = 9
_NAME_CODES = pa.dictionary(pa.int32(), pa.string())
_NAMES = [f"f{i}" for i in range(TRACE_FIELDS)]
#: Bytes of CSV text Arrow parses at a time.
_BLOCK_BYTES = 16 << 20
_PARSE = pacsv.ParseOptions(
    quote_char=_QUOTE.decode(), double_quote=False, newlines_in_values=False
)


@dataclass(frozen=True, slots=True)
class TraceSplit:
    """A trace document of the plain shape: its head and where its points lie."""

    head: dict[str, Any]  # the document with an empty ``trace``
    start: int  # of the points ``[..],[..]`` in the document's bytes
    end: int
    last_dt: float  # the last point's time offset, s (inf when it cannot be told cheaply)


def split_document(data: bytes) -> TraceSplit | None:
    """The head and the points of a document whose last key is ``trace``; None otherwise."""
    m = _TRACE_KEY.search(data)
    end = data.rfind(b"]")
    if m is None or end < m.end() - 1 or data[end + 1 :].strip() != b"}":
        return None
    try:
        head = orjson.loads(data[: m.end()] + data[end:])
    except orjson.JSONDecodeError:
        return None
    if not isinstance(head, dict) or head.get("trace") != []:
        return None
    start = m.end()
    while start < end and data[start] in b" \t\r\n":
        start += 1
    while end > start and data[end - 1] in b" \t\r\n":
        end -= 1  # (so the points' bytes need no stripping: a copy of them)
    return TraceSplit(head, start, end, _last_dt(data, start, end))


def _last_dt(data: bytes, start: int, end: int) -> float:
    tail_from = max(start, end - 8192)
    breaks = list(_ROW_BREAK.finditer(data, tail_from, end))
    first = breaks[-1].end() if breaks else start + 1
    if not breaks and tail_from > start:
        return float("inf")
    comma = data.find(b",", first, end)
    try:
        return float(data[first:comma])
    except ValueError:
        return float("inf")


def _rows(data: bytes, start: int, end: int) -> tuple[memoryview, int, int] | None:
    """The points ``[..],[..]`` of ``data[start:end]`` as CSV rows, their number of fields and
    of rows; None when they are not of the plain shape.

    Each row but the first starts with an empty field (the comma between two points), each ends
    with a line break: ``read_points`` puts a comma before the first, so every row has one
    leading empty field to pass over (indentation before a time offset is trimmed by Arrow).
    """
    while end > start and data[end - 1] in b" \t\r\n":
        end -= 1
    if end - start < 2 or data[start] != _OPEN or data[end - 1] != _CLOSE:
        return None
    if data.find(_QUOTE, start, end) >= 0 or data.find(b"\\", start, end) >= 0:
        return None  # escapes (in details' strings): the general decoder
    got = _rows_plain(data, start, end)
    if got is None:  # brackets inside the points (details' lists): line breaks placed apart
        general = _rows_general(data[start:end])
        if general is None:
            return None
        got = (general[0], 0, len(general[0]), general[1])
    text, start, end, n = got
    quoted = text[start : text.find(b"\n", start, end)].split(_QUOTE)
    if len(quoted) not in (1, 3):
        return None
    fields = sum(q.count(b",") for q in quoted[::2]) + 1  # commas inside details aside
    return (memoryview(text)[start:end], fields, n) if fields >= TRACE_MIN_FIELDS else None


def _rows_plain(data: bytes, start: int, end: int) -> tuple[bytes, int, int, int] | None:
    """One ``bytes.translate`` when the only brackets are those around the points (as readsb
    writes them, compact or a point a line): ``]`` becomes the line break, ``[`` and the line
    breaks of the layout spaces. None when a bracket is anywhere else. The whole document is
    translated (the rows: its ``start:end``), so the points are not copied out of it first."""
    a = np.frombuffer(data, np.uint8, count=end - start, offset=start)
    brackets = np.flatnonzero((a == _OPEN) | (a == _CLOSE))  # (one scan for both kinds)
    opening, closing = brackets[0::2], brackets[1::2]
    n = len(closing)
    if len(opening) != n or not ((a[opening] == _OPEN).all() and (a[closing] == _CLOSE).all()):
        return None  # not ``[`` ``]`` in turn
    if n > 1 and not (a[closing[:-1] + 1] == _COMMA).all():
        return None
    return data.translate(_PLAIN), start, end, n


def _rows_general(body: bytes) -> tuple[bytes, int] | None:
    """Row breaks found by pattern (``],[`` with any white space around the comma)."""
    rows = body[1:-1]
    if b"\n" in rows or b"], [" in rows:
        rows = _ROW_BREAK.sub(b"\n,", rows)
    else:
        rows = rows.replace(b"],[", b"\n,")
    return rows.translate(_BRACES) + b"\n", rows.count(b"\n") + 1


def _read(rows: bytes, fields: int, n: int) -> TraceColumns | None:
    """Rows made by ``_rows`` (of ``fields`` values and ``n`` rows in all), a comma before the
    first, as columns; None when Arrow cannot read them so or reads another number of rows."""
    include = _NAMES[: min(fields, TRACE_FIELDS)]
    types: dict[str, pa.DataType] = {
        name: pa.string() if i in _STRING_FIELDS else pa.float64() for i, name in enumerate(include)
    }
    if len(include) > _TYPE_FIELD:  # (read as codes of its few names: no column of texts)
        types[include[_TYPE_FIELD]] = _NAME_CODES
    convert = pacsv.ConvertOptions(
        column_types=types,
        include_columns=include,
        null_values=["null"],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    names = ["_", *(f"f{i}" for i in range(fields))]
    read = pacsv.ReadOptions(column_names=names, use_threads=False, block_size=_BLOCK_BYTES)
    try:
        table = pacsv.read_csv(pa.py_buffer(rows), read, _PARSE, convert)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_columns != len(include) or table.num_rows != n:
        return None
    objects = n - table.column("f8").null_count if fields > 8 else 0
    quotes = np.count_nonzero(np.frombuffer(rows, np.uint8) == _QUOTE[0])  # (``bytes.count``: ~10x)
    if quotes != 2 * objects:
        return None  # a brace in a details string or a nested object: the general decoder
    return _columns(table)


#: A document's bytes and where its points ``[..],[..]`` lie in them.
Span = tuple[bytes, int, int]


def read_points(bodies: Sequence[bytes | Span]) -> list[TraceColumns | None]:
    """The points of each body ``[..],[..]`` (bytes, or a document and where its points lie)
    as columns (None for one not of the plain shape).

    Bodies of the same number of fields are read together, one CSV read for many traces (a
    read costs ~0.2 ms whatever its size); when a read together fails, each is read alone.
    """
    out: list[TraceColumns | None] = [None] * len(bodies)
    groups: dict[int, list[tuple[int, memoryview, int]]] = {}
    for i, body in enumerate(bodies):
        got = _rows(*body) if isinstance(body, tuple) else _rows(body, 0, len(body))
        if got is not None:
            groups.setdefault(got[1], []).append((i, got[0], got[2]))
    for width, members in groups.items():
        together = None
        if len(members) > 1:
            joined = b",".join([b"", *(r for _, r, _ in members)])  # (one copy)
            together = _read(joined, width, sum(n for _, _, n in members))
        if together is None:
            for i, rows, n in members:
                out[i] = _read(b",".join([b"", rows]), width, n)
            continue
        at = 0
        for i, _, n in members:
            out[i] = _slice(together, at, at + n)
            at += n
    return out


def _slice(c: TraceColumns, a: int, b: int) -> TraceColumns:
    return TraceColumns(*(getattr(c, f.name)[a:b] for f in fields(TraceColumns)))


def _columns(table: pa.Table) -> TraceColumns | None:
    n = table.num_rows
    cols = [table.column(i) for i in range(table.num_columns)]
    cols += [pa.chunked_array([pa.nulls(n, pa.float64())])] * (TRACE_FIELDS - len(cols))

    def floats(i: int) -> npt.NDArray[np.float64]:
        return _finite(cols[i])

    dt = floats(0)
    if not np.isfinite(dt).all():  # the general decoder names each point without time
        return None
    alt_text = cols[3]
    ground = numpy_of(pc.fill_null(pc.equal(alt_text, '"ground"'), False))
    try:
        alt = pc.cast(pc.if_else(ground, None, alt_text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None  # text where an altitude belongs
    named = _quoted_names(cols[9])
    details = None if named is None else _details(cols[8], *named)
    if named is None or details is None:
        return None
    types = named[0]
    callsign, squawk, category = details
    return TraceColumns(
        dt=dt,
        lat=floats(1),
        lon=floats(2),
        alt=_finite(alt),
        ground=np.asarray(ground, dtype=np.bool_),
        gs=floats(4),
        track=floats(5),
        flags=floats(6),
        vrate=floats(7),
        geom_alt=floats(10),
        geom_rate=floats(11),
        callsign=callsign,
        squawk=squawk,
        types=types,
        category=category,
    )


def _finite(col: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.float64]:
    out = numpy_of(col, np.nan)  # (a copy of Arrow's buffer: changed in place)
    finite = np.isfinite(out)
    if not finite.all():
        out[~finite] = np.nan
    return out


def _quoted_names(
    col: pa.ChunkedArray,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.bool_]] | None:
    """Source type names (``"adsb_icao"`` as written) without their quotes, and where a point
    has none; None on other text."""
    enc = (col if pa.types.is_dictionary(col.type) else pc.dictionary_encode(col)).combine_chunks()
    names: list[str | None] = []
    for v in enc.dictionary.to_pylist():
        if len(v) < 2 or v[0] != '"' or v[-1] != '"' or '"' in v[1:-1] or "\\" in v:
            return None
        names.append(v[1:-1])
    idx = numpy_of(enc.indices, -1)
    return np.array([*names, None], dtype=object)[idx], idx < 0


def _details(
    col: pa.ChunkedArray, types: npt.NDArray[np.object_], untyped: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.str_], npt.NDArray[np.int16], npt.NDArray[np.int8]] | None:
    """Callsign, squawk and emitter category of each point from its details (the type too,
    where the point has none, written into ``types``; ``sources.trace_details``); None when a
    details field is not an object."""
    n = len(col)
    callsign = np.full(n, "", dtype="<U8")
    squawk = np.full(n, -1, dtype=np.int16)
    category = np.full(n, -1, dtype=np.int8)
    has = numpy_of(pc.is_valid(col))
    if not has.any():
        return callsign, squawk, category
    where = np.flatnonzero(has)
    text = present(col.combine_chunks(), where)
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
    squawk[where[rows]] = np.array([_squawk_text(v) for v in values], dtype=np.int16)[idx]
    # readsb writes the category a few keys after the squawk: looked for from there first
    rows, idx, values = values_at(text, key_ends(text, "category", after=at))
    category[where[rows]] = np.array([category_code(v[1:-1]) for v in values], dtype=np.int8)[idx]
    return callsign, squawk, category


def _squawk_text(v: str) -> int:
    """A squawk as written in details (``"4637"`` or a bare number) -> ``squawk_code``."""
    try:
        return squawk_code(orjson.loads(v))
    except orjson.JSONDecodeError:
        return -1


def fast_trace(data: bytes, source: str = "") -> tuple[dict[str, Any], Observations] | None:
    """(the head, the points) of one inflated trace document of the plain shape; None when it
    is not (see module doc: the general decoder then reads it)."""
    split = split_document(data)
    if split is None:
        return None
    cols = read_points([(data, split.start, split.end)])[0]
    obs = None if cols is None else observations(split.head, cols, source)
    return None if obs is None else (split.head, obs)


def observations(head: dict[str, Any], cols: TraceColumns, source: str) -> Observations | None:
    """The points of a trace with head ``head`` (None when it has no usable address or time)."""
    addr = icao_of(head.get("icao"))
    base = head.get("timestamp")
    if addr is None or base.__class__ not in (int, float) or not len(cols.dt):
        return None
    return trace_arrays(cols, float(base) + cols.dt, addr, source)
