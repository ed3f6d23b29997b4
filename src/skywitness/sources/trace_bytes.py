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
lists) have the row breaks found by pattern instead. The scan that checks the brackets notes the
braces too: before Arrow reads the rows, each details object is cut out of them (left as an
empty quoted field) and handed over as a column of its own (``trace_details.cut_objects``).
Details are ~45 % of a point's bytes, and Arrow's parser walks a quoted field a byte at a time:
its read of the rows costs ~a quarter less, more than the cut costs.

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

from ..decode.hexio import numpy_of
from ..model import Observations
from .records import icao_of
from .trace_details import cut_objects, details_values
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
_LBRACE, _RBRACE = ord("{"), ord("}")
#: Values per trace point read: dt, lat, lon, alt, gs, track, flags, vrate, details,
#: source_type, geom_alt, geom_rate (readsb writes up to 14 and at least 7).
TRACE_FIELDS = 12
TRACE_MIN_FIELDS = 7
_STRING_FIELDS = {3, 8, 9}  # alt ("ground"), details, source_type
_NAMES = [f"f{i}" for i in range(TRACE_FIELDS)]
_TYPES: dict[str, pa.DataType] = {
    name: pa.string() if i in _STRING_FIELDS else pa.float64() for i, name in enumerate(_NAMES)
}
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


#: A trace's points as CSV rows (``_rows``): the text, its number of fields, of rows, and where
#: its quote characters (the details' braces) are in the text.
Rows = tuple[memoryview, int, int, npt.NDArray[np.intp]]


def _rows(data: bytes, start: int, end: int) -> Rows | None:
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
        quotes = np.flatnonzero(np.frombuffer(general[0], np.uint8) == _QUOTE[0])
        got = (general[0], 0, len(general[0]), general[1], quotes)
    text, start, end, n, braces = got
    quoted = text[start : text.find(b"\n", start, end)].split(_QUOTE)
    if len(quoted) not in (1, 3):
        return None
    fields = sum(q.count(b",") for q in quoted[::2]) + 1  # commas inside details aside
    if fields < TRACE_MIN_FIELDS:
        return None
    return memoryview(text)[start:end], fields, n, braces


def _rows_plain(
    data: bytes, start: int, end: int
) -> tuple[bytes, int, int, int, npt.NDArray[np.intp]] | None:
    """One ``bytes.translate`` when the only brackets are those around the points (as readsb
    writes them, compact or a point a line): ``]`` becomes the line break, ``[`` and the line
    breaks of the layout spaces. None when a bracket is anywhere else. The whole document is
    translated (the rows: its ``start:end``), so the points are not copied out of it first."""
    a = np.frombuffer(data, np.uint8, count=end - start, offset=start)
    marks = np.flatnonzero((a == _OPEN) | (a == _CLOSE) | (a == _LBRACE) | (a == _RBRACE))
    kind = a[marks]
    brackets = marks[(kind == _OPEN) | (kind == _CLOSE)]
    opening, closing = brackets[0::2], brackets[1::2]
    n = len(closing)
    if len(opening) != n or not ((a[opening] == _OPEN).all() and (a[closing] == _CLOSE).all()):
        return None  # not ``[`` ``]`` in turn
    if n > 1 and not (a[closing[:-1] + 1] == _COMMA).all():
        return None
    braces = marks[(kind == _LBRACE) | (kind == _RBRACE)]
    return data.translate(_PLAIN), start, end, n, braces


def _rows_general(body: bytes) -> tuple[bytes, int] | None:
    """Row breaks found by pattern (``],[`` with any white space around the comma)."""
    rows = body[1:-1]
    if b"\n" in rows or b"], [" in rows:
        rows = _ROW_BREAK.sub(b"\n,", rows)
    else:
        rows = rows.replace(b"],[", b"\n,")
    return rows.translate(_BRACES) + b"\n", rows.count(b"\n") + 1


def _read(rows: bytes, fields: int, n: int, quotes: npt.NDArray[np.intp]) -> TraceColumns | None:
    """Rows made by ``_rows`` (of ``fields`` values and ``n`` rows in all; ``quotes``: where
    their quote characters are), a comma before the first, as columns; None when Arrow cannot
    read them so or reads another number of rows.

    The details objects are cut out of the text before Arrow reads it (each left as an empty
    quoted field: ~45 % of the bytes, which Arrow's parser walks a byte at a time inside
    quotes) and handed to ``_columns`` as one column of their own, in row order."""
    cut = cut_objects(rows, quotes)
    if cut is None:
        return None
    text, details = cut
    # (the values after those read, readsb writes up to 14, are read as text only to be sure
    # no details object was among them: ``_objects_in_details``)
    include = _NAMES[: min(fields, TRACE_FIELDS)] + _extra(fields)
    convert = pacsv.ConvertOptions(
        column_types={name: _TYPES.get(name, pa.string()) for name in include},
        include_columns=include,
        null_values=["null"],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    names = ["_", *(f"f{i}" for i in range(fields))]
    read = pacsv.ReadOptions(column_names=names, use_threads=False, block_size=_BLOCK_BYTES)
    try:
        table = pacsv.read_csv(text, read, _PARSE, convert)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if table.num_columns != len(include) or table.num_rows != n:
        return None
    if not _objects_in_details(table, fields, len(details)):
        return None  # a brace in a details string or a nested object: the general decoder
    return _columns(table.select(_NAMES[: min(fields, TRACE_FIELDS)]), details)


def _objects_in_details(table: pa.Table, fields: int, objects: int) -> bool:
    """Whether the cut-out objects were exactly the details fields: as many present details
    as objects, each left empty (an empty quoted field), and no empty field among the values
    not read (where an object would otherwise pass unseen; an empty field anywhere else is
    refused as it was: not a number, not a source type)."""
    if fields <= 8:
        return objects == 0
    f8 = table.column("f8")
    if len(f8) - f8.null_count != objects:
        return False
    for chunk in f8.chunks:  # (no bytes in the whole chunk: its offsets' first and last)
        offsets = np.frombuffer(chunk.buffers()[1], np.int32)
        if offsets[chunk.offset + len(chunk)] != offsets[chunk.offset]:
            return False
    return not any(pc.any(pc.equal(table.column(name), "")).as_py() for name in _extra(fields))


def _extra(fields: int) -> list[str]:
    return [f"f{i}" for i in range(TRACE_FIELDS, fields)]


#: A document's bytes and where its points ``[..],[..]`` lie in them.
Span = tuple[bytes, int, int]


def read_points(bodies: Sequence[bytes | Span]) -> list[TraceColumns | None]:
    """The points of each body ``[..],[..]`` (bytes, or a document and where its points lie)
    as columns (None for one not of the plain shape).

    Bodies of the same number of fields are read together, one CSV read for many traces (a
    read costs ~0.2 ms whatever its size); when a read together fails, each is read alone.
    """
    out: list[TraceColumns | None] = [None] * len(bodies)
    groups: dict[int, list[tuple[int, Rows]]] = {}
    for i, body in enumerate(bodies):
        got = _rows(*body) if isinstance(body, tuple) else _rows(body, 0, len(body))
        if got is not None:
            groups.setdefault(got[1], []).append((i, got))
    for width, members in groups.items():
        together = None
        if len(members) > 1:
            joined = b",".join([b"", *(r[0] for _, r in members)])  # (one copy)
            # each text's braces where they lie in the joined text (a comma before each text)
            at = np.cumsum([1] + [len(r[0]) + 1 for _, r in members[:-1]]).tolist()
            quotes = np.concatenate([r[3] + a for (_, r), a in zip(members, at, strict=True)])
            together = _read(joined, width, sum(r[2] for _, r in members), quotes)
        if together is None:
            for i, (rows, _, n, braces) in members:
                out[i] = _read(b",".join([b"", rows]), width, n, braces + 1)
            continue
        start = 0
        for i, r in members:
            out[i] = _slice(together, start, start + r[2])
            start += r[2]
    return out


def _slice(c: TraceColumns, a: int, b: int) -> TraceColumns:
    return TraceColumns(*(getattr(c, f.name)[a:b] for f in fields(TraceColumns)))


def _columns(table: pa.Table, details: pa.Array) -> TraceColumns | None:
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
    values = None if named is None else details_values(cols[8], details, *named)
    if named is None or values is None:
        return None
    types = named[0]
    callsign, squawk, category = values
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
    enc = pc.dictionary_encode(col).combine_chunks()
    names: list[str | None] = []
    for v in enc.dictionary.to_pylist():
        if len(v) < 2 or v[0] != '"' or v[-1] != '"' or '"' in v[1:-1] or "\\" in v:
            return None
        names.append(v[1:-1])
    idx = numpy_of(enc.indices, -1)
    return np.array([*names, None], dtype=object)[idx], idx < 0


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
