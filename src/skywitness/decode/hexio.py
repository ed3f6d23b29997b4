"""Hex text <-> frames, whole columns at a time.

``frames_from_hex`` (hex strings -> ``FrameBatch``) is kept under its decode-side name for
callers and benchmarks; the fast implementation (one ``bytes.fromhex`` per frame length) is
``FrameBatch.from_hex``. The other way, ``hex_column`` and ``address_column`` write frames and
24-bit addresses as Arrow string columns through a byte -> two-hex-digit table, with no Python
work per row (``bytes.hex()`` per frame was 10 % of a ``decode`` run).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from numpy.lib.stride_tricks import as_strided

from ..arrow_views import bits_of as bits_of
from ..arrow_views import valid_of as valid_of
from ..arrow_views import values_view as values_view
from ..model import FrameBatch

frames_from_hex = FrameBatch.from_hex

#: Each byte value as its two lowercase hex digits (ASCII), shape (256, 2).
_PAIRS = np.frombuffer(b"".join(b"%02x" % i for i in range(256)), dtype=np.uint8).reshape(256, 2)
#: The same pairs as one 16-bit value each (one gather per byte instead of two).
_PAIRS16 = np.ascontiguousarray(_PAIRS).view(np.uint16).ravel()


#: Most text an Arrow ``string`` column holds, bytes: its offsets are int32.
MAX_TEXT_BYTES = (1 << 31) - 1


def check_text_bytes(size: int) -> None:
    """OverflowError when ``size`` bytes of text do not fit one ``string`` column (its int32
    offsets would wrap and the values read back as garbage)."""
    if size > MAX_TEXT_BYTES:
        raise OverflowError(
            f"{size:,} bytes of text in one string column; at most {MAX_TEXT_BYTES:,} fit"
        )


def _strings(
    chars: npt.NDArray[np.uint8],
    offsets: npt.NDArray[np.int64] | npt.NDArray[np.int32],
    valid: pa.Buffer | None,
    nulls: int,
) -> pa.Array:
    n = offsets.shape[0] - 1
    check_text_bytes(int(offsets[-1]))
    off32 = offsets.astype(np.int32, copy=False)  # (int32 offsets are the caller's own, kept)
    return pa.Array.from_buffers(
        pa.string(),
        n,
        [valid, pa.py_buffer(off32), pa.py_buffer(np.ascontiguousarray(chars))],
        null_count=nulls,
    )


def _fixed_offsets(n: int, width: int) -> npt.NDArray[np.int64] | npt.NDArray[np.int32]:
    """The offsets of ``n`` strings of ``width`` bytes each: int32, the type Arrow keeps
    (no conversion after), unless the text is too long for it (``_strings`` then says so)."""
    if n * width > MAX_TEXT_BYTES:
        return np.arange(n + 1, dtype=np.int64) * width
    narrow: npt.NDArray[np.int32] = np.arange(n + 1, dtype=np.int32)
    narrow *= width
    return narrow


def hex_column(data: npt.NDArray[np.uint8], length: npt.NDArray[np.uint8]) -> pa.Array:
    """Each row's first ``length`` bytes of ``data`` (n, k) as lowercase hex strings. Every
    row's digits come from one lookup per two bytes (``_quads``); the rows of each length
    are then written whole, one opaque value a row, at their offsets in the text (through a
    writeable window view of it): no per-character mask over every row."""
    n, k = data.shape
    if n and k and bool((length == k).all()):  # every row whole (long frames): no offsets
        # to add up nor rows to place, the digits are the text (~4x cheaper, issue 18)
        return _strings(_digits(data).ravel(), _fixed_offsets(n, 2 * k), None, 0)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(length.astype(np.int64) * 2, out=offsets[1:])
    total = int(offsets[-1])
    text = np.empty(total + 2 * k, dtype=np.uint8)  # (2k spare: every window fits)
    digits = _digits(data)
    counts = np.bincount(length, minlength=k + 1)
    for size in np.flatnonzero(counts).tolist():
        if size == 0:
            continue
        width = 2 * size
        rows = np.flatnonzero(length == size) if counts[size] < n else slice(None)
        src = digits[:, :width].view(f"V{width}")[:, 0]
        window = as_strided(text, shape=(total + 1, width), strides=(1, 1))
        window.view(f"V{width}")[:, 0][offsets[:-1][rows]] = src[rows]
    return _strings(text[:total], offsets, None, 0)


def _digits(data: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """Every byte of ``data`` (n, k) as its two lowercase hex digits, (n, 2k) ASCII."""
    if data.shape[1] % 2 == 0:
        # (np.take: indexing by an index array costs ~2x, as in sources/columns.py)
        quads = np.take(_quads(), np.ascontiguousarray(data).view("<u2"))
        return quads.view(np.uint8)
    out: npt.NDArray[np.uint8] = np.take(_PAIRS16, data).view(np.uint8)
    return out


@functools.cache
def _quads() -> npt.NDArray[np.uint32]:
    """Each two bytes (read as one little-endian uint16) as their four lowercase hex digits
    (one little-endian uint32 of ASCII): half the lookups of ``_PAIRS16``; built on first
    use (256 KiB, not at start-up)."""
    both = np.arange(1 << 16, dtype=np.uint32)
    pairs = _PAIRS16.astype(np.uint32)
    out: npt.NDArray[np.uint32] = (pairs[both & 0xFF] | (pairs[both >> 8] << 16)).astype("<u4")
    return out


def address_column(
    icao: npt.NDArray[np.uint32], null: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """24-bit addresses as 6 lowercase hex digits (the canonical ``icao24``); null where
    ``null`` is set."""
    return fixed_width_column(address_digits(icao), null)


def address_digits(icao: npt.NDArray[np.uint32]) -> npt.NDArray[np.uint8]:
    """The low 24 bits of each of ``icao`` as six lowercase hex digits, (n, 6) ASCII."""
    a = icao.astype(np.uint32, copy=False)
    # the top two octets as one index, the higher one in its low byte: ``_quads`` writes its
    # digits first; then the last octet's two (two gathers a row, not three: ~1.5x cheaper)
    top = (a >> np.uint32(16)) & np.uint32(0xFF)
    top |= a & np.uint32(0xFF00)
    rows = np.empty(a.shape[0], dtype=_ADDRESS_ROW)
    rows["top"] = np.take(_quads(), top)
    rows["last"] = np.take(_PAIRS16, a & np.uint32(0xFF))
    return rows.view(np.uint8).reshape(a.shape[0], 6)


#: An address's six hex digits: the top two octets' four, the last octet's two (packed).
_ADDRESS_ROW = np.dtype([("top", "<u4"), ("last", "<u2")])


def fixed_width_column(
    chars: npt.NDArray[np.uint8],
    null: npt.NDArray[np.bool_] | None = None,
    *,
    empty_nulls: bool = False,
) -> pa.Array:
    """Rows of ASCII ``chars`` (n, k) as Arrow strings of k characters; null where ``null``
    (the row's characters kept under it, or none: ``empty_nulls``)."""
    n, k = chars.shape
    if null is None or not null.any():
        return _strings(chars, _fixed_offsets(n, k), None, 0)
    valid, nulls = valid_bits(null), int(np.count_nonzero(null))
    if empty_nulls:
        rows = np.flatnonzero(~null)
        offsets = _sparse_offsets(rows, np.full(rows.shape[0], k), n)
        return _strings(chars[rows], offsets, valid, nulls)
    return _strings(chars, _fixed_offsets(n, k), valid, nulls)


def _empty_strings(text: npt.NDArray[np.str_]) -> npt.NDArray[np.bool_]:
    """``text == ""``: the rows whose codes are all NUL, or-ed a word at a time (a string
    comparison of every row cost ~5x more)."""
    n = text.shape[0]
    raw = np.ascontiguousarray(text).view(np.uint8).reshape(n, text.dtype.itemsize)
    words = raw.view(np.uint64 if raw.shape[1] % 8 == 0 else np.uint32)
    if words.shape[1] == 0:
        return np.ones(n, dtype=np.bool_)
    # column by column: numpy's reduce along axis 1 runs a short inner loop per row (500k
    # 8-character rows, in process: 7.9 -> 3.0 ms)
    acc = words[:, 0].copy()
    for j in range(1, words.shape[1]):
        np.bitwise_or(acc, words[:, j], out=acc)
    out: npt.NDArray[np.bool_] = acc == 0
    return out


def text_column(text: npt.NDArray[np.str_]) -> pa.Array:
    """A fixed-width numpy string column (callsigns, ``<U8``) as Arrow strings, "" -> null;
    ASCII rows are copied byte-wise (only the non-empty ones are looked at: most frames carry
    no callsign), anything else goes through Arrow's own conversion."""
    n = text.shape[0]
    width = text.dtype.itemsize // 4
    null = _empty_strings(text)
    rows = np.flatnonzero(~null)
    some = np.ascontiguousarray(text[rows])
    codes = some.view(np.uint32).reshape(rows.shape[0], width)
    if width == 0 or (codes >= 128).any():
        return pa.array(text.astype(object), type=pa.string(), mask=null)
    keep = codes != 0  # numpy pads with NUL (and drops trailing ones)
    size_some = _prefix_sizes(keep)
    if size_some is None:  # a character after a NUL: a NUL inside a value
        return pa.array(text.astype(object), type=pa.string(), mask=null)
    offsets = _sparse_offsets(rows, size_some, n)
    chars = codes[keep].astype(np.uint8)
    nulls = n - rows.shape[0]
    valid = valid_bits(null) if nulls else None
    return _strings(chars, offsets, valid, nulls)


#: Eight 0/1 bytes read as one little-endian word, summed into its top byte.
_BYTE_SUM = np.uint64(0x0101010101010101)
#: The word of eight 0/1 bytes whose first k are 1, by k (0..8).
_PREFIX_WORDS = np.array(
    [((1 << (8 * k)) - 1) & 0x0101010101010101 for k in range(9)], dtype=np.uint64
)


def _prefix_sizes(keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.integer] | None:
    """Each row's count of set flags, the set ones being a prefix of the row; None when a
    row has a set flag after an unset one. Rows of 8 flags (``<U8``, callsigns) are read as
    one word each (~7x cheaper than a sum along the rows and a check of every neighbour)."""
    if keep.shape[1] == 8:
        words = np.ascontiguousarray(keep).view("<u8").ravel()
        sizes = ((words * _BYTE_SUM) >> np.uint64(56)).astype(np.intp)
        return sizes if bool((np.take(_PREFIX_WORDS, sizes) == words).all()) else None
    if (keep[:, 1:] & ~keep[:, :-1]).any():
        return None
    out: npt.NDArray[np.integer] = keep.sum(axis=1)
    return out


def _sparse_offsets(
    rows: npt.NDArray[np.intp], sizes: npt.NDArray[np.integer], n: int
) -> npt.NDArray[np.int64]:
    """The string offsets (n + 1) of ``n`` values, empty but for ``rows`` (ascending) of
    ``sizes``: each non-empty row's running total repeated over the rows up to the next
    (~2x cheaper than a sum over all ``n`` rows, most of them empty)."""
    totals = np.zeros(rows.shape[0] + 1, dtype=np.int64)
    np.cumsum(sizes, out=totals[1:])
    out: npt.NDArray[np.int64] = np.repeat(totals, np.diff(rows, prepend=-1, append=n))
    return out


# Building Arrow columns from numpy buffers, not with ``pa.array``/``to_numpy``: in pyarrow 26
# those (and any Python scalar handed to a compute function) import pandas when it is
# installed, ~0.3 s of start-up for a command that never needs it.


def _bitmap(valid: npt.NDArray[np.bool_]) -> pa.Buffer | None:
    return None if bool(valid.all()) else pa.py_buffer(np.packbits(valid, bitorder="little"))


def valid_bits(null: npt.NDArray[np.bool_]) -> pa.Buffer:
    """Arrow's validity bitmap for rows not ``null`` (the caller knows some are null)."""
    return pa.py_buffer(np.packbits(~null, bitorder="little"))


def check_codes(live: npt.NDArray[np.integer], size: int) -> None:
    """IndexError unless every code in ``live`` (the non-null rows') indexes ``size`` names."""
    if live.shape[0] and (int(live.min()) < 0 or int(live.max()) >= size):
        raise IndexError(f"label code outside 0..{size - 1}")


def numeric_column(
    values: npt.NDArray[np.generic], typ: pa.DataType, null: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """A fixed-width Arrow column (numbers, timestamps) over ``values``' own bytes."""
    n = values.shape[0]
    nulls = 0 if null is None else int(np.count_nonzero(null))
    if n and nulls == n:
        return null_column(n, typ)  # most decoded fields are absent from most frames
    v = np.ascontiguousarray(values)
    validity = None
    if nulls and null is not None:
        validity = valid_bits(null)
    return pa.Array.from_buffers(typ, n, [validity, pa.py_buffer(v)], null_count=nulls)


#: Rows of the all-null column kept per type (``null_column``): a ``decode`` batch's, 8 bytes
#: a row at most (256 KiB); longer columns are made afresh, not kept.
NULL_ROWS = 1 << 15
_NULLS: dict[pa.DataType, pa.Array] = {}


def null_column(n: int, typ: pa.DataType) -> pa.Array:
    """``pa.nulls(n, typ)``: up to ``NULL_ROWS``, a slice of one column made once per type
    (Arrow arrays are immutable). ``pa.nulls`` allocates and zeroes its buffers on every call,
    ~0.1 ms for 32k rows, and a ``decode`` batch has a few such columns: each decoded field no
    frame of the batch carries (70 per 500k frames of the bench's csv, issue 18)."""
    if n > NULL_ROWS:
        return pa.nulls(n, typ)
    whole = _NULLS.get(typ)
    if whole is None:
        whole = _NULLS[typ] = pa.nulls(NULL_ROWS, typ)
    return whole.slice(0, n)


def bool_column(
    values: npt.NDArray[np.bool_], null: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """An Arrow boolean column (null where ``null``)."""
    validity = None if null is None else _bitmap(~null)
    nulls = 0 if validity is None or null is None else int(np.count_nonzero(null))
    bits = pa.py_buffer(np.packbits(np.asarray(values, dtype=np.bool_), bitorder="little"))
    return pa.Array.from_buffers(pa.bool_(), values.shape[0], [validity, bits], null_count=nulls)


def string_array(values: list[str]) -> pa.Array:
    """A (small) Arrow string column from Python strings."""
    data = [v.encode() for v in values]
    offsets = np.zeros(len(data) + 1, dtype=np.int64)
    np.cumsum([len(d) for d in data], out=offsets[1:])
    chars = np.frombuffer(b"".join(data), dtype=np.uint8)
    return _strings(chars, offsets, None, 0)


#: Text (bytes) a ``labels`` column holds above which Arrow's ``take`` builds it.
ARROW_TAKE_BYTES = 1 << 20


def labels(
    names: pa.Array, codes: npt.NDArray[np.integer], null: npt.NDArray[np.bool_] | None = None
) -> pa.Array:
    """``names[codes]`` (null where ``null``; IndexError for a code outside ``names``), gathered
    in numpy up to ``ARROW_TAKE_BYTES`` of text: Arrow's ``take`` loads its compute registry
    (~4 ms of every ``decode``), but copies a row at a time where numpy indexes each character
    (a globe batch's 70-character member names: 0.4 µs a row against 0.01)."""
    n = codes.shape[0]
    idx = codes.astype(np.intp) if null is None else np.where(null, 0, codes).astype(np.intp)
    check_codes(idx, len(names))
    offsets = np.frombuffer(names.buffers()[1], dtype=np.int32)
    offsets = offsets[names.offset : names.offset + len(names) + 1].astype(np.int64)
    data = names.buffers()[2]
    chars = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8)
    start = offsets[idx]
    size = offsets[idx + 1] - start
    if null is not None:
        size[null] = 0
    out = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(size, out=out[1:])
    if int(out[-1]) > ARROW_TAKE_BYTES:  # a gather per character costs more than the start-up
        valid = None if null is None else _bitmap(~null)
        indices = pa.Array.from_buffers(pa.int64(), n, [valid, pa.py_buffer(idx.astype(np.int64))])
        return call_function("take", [names, indices])
    gathered = chars[np.repeat(start - out[:-1], size) + np.arange(out[-1])]
    if null is None or not null.any():
        return _strings(gathered, out, None, 0)
    return _strings(gathered, out, _bitmap(~null), int(np.count_nonzero(null)))


def call_function(name: str, args: list[Any], options: Any = None) -> Any:
    """Arrow's compute kernel ``name`` (with its ``options``, a ``pyarrow._compute`` options
    object) through its one entry point in ``pyarrow._compute`` (in every pyarrow since 1.0):
    ``pyarrow.compute`` itself spends ~0.04 s of start-up generating wrappers and docstrings
    for every kernel, on every ``decode``."""
    from pyarrow._compute import call_function as call

    return call(name, args, options)


def repeated(value: str, n: int) -> pa.Array:
    """``value`` ``n`` times (a source name column); OverflowError past ``MAX_TEXT_BYTES``
    (checked before the text is built)."""
    raw = np.frombuffer(value.encode(), dtype=np.uint8)
    check_text_bytes(raw.size * n)
    # the offsets made as the int32 Arrow keeps (no int64 range and product of n rows first)
    size = raw.size
    offsets = (
        np.arange(0, (n + 1) * size, size, dtype=np.int32) if size else np.zeros(n + 1, np.int32)
    )
    return _strings(np.tile(raw, n), offsets, None, 0)


def numpy_of(arr: pa.Array | pa.ChunkedArray, fill: float | int = 0) -> npt.NDArray[Any]:
    """A fixed-width Arrow column (numbers, timestamps as int64) as numpy, nulls -> ``fill``."""
    arr = one_chunk(arr)
    if pa.types.is_timestamp(arr.type):  # stored as int64: the same buffers, no cast kernel
        arr = pa.Array.from_buffers(pa.int64(), len(arr), arr.buffers(), offset=arr.offset)
    out: npt.NDArray[Any]
    if pa.types.is_boolean(arr.type):
        out = bits_of(arr, 1).view(np.bool_)
    else:
        out = values_view(arr, _NUMPY_OF[str(arr.type)]).copy()
    if arr.null_count:
        out = out.astype(np.result_type(out.dtype, np.asarray(fill).dtype))
        out[~valid_of(arr)] = fill
    return out


_NUMPY_OF = {
    "double": np.float64, "float": np.float32, "int64": np.int64, "int32": np.int32,
    "int16": np.int16, "int8": np.int8, "uint64": np.uint64, "uint32": np.uint32,
    "uint16": np.uint16, "uint8": np.uint8,
}  # fmt: skip


# Zero-copy views of an Arrow column's buffers: the pieces of ``numpy_of``, shared by the
# readers that must not copy a million-row column (``sources.states``, ``track.states_columns``).


def one_chunk(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    """A column as one Arrow array: its only chunk as it is, several combined."""
    if isinstance(col, pa.ChunkedArray):
        return col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
    return col
