"""Column-wise helpers for the text readers' fast paths: a block of lines parsed by Arrow's
native CSV reader into string columns, and hex / ASCII columns turned into numpy arrays through
lookup tables, with no Python work per row.

Every helper is strict: it returns None (or an all-False ``ok``) as soon as anything differs
from the clean shape, and the reader then goes line by line, which counts each bad line with
its reason. So the fast path only ever handles input on which both paths agree.
"""

from __future__ import annotations

import binascii
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from numpy.lib.stride_tricks import sliding_window_view

from ..arrow_views import rows_at as rows_at
from ..decode.hexio import call_function, numpy_of, one_chunk
from ..model import LONG_FRAME_BYTES, U1, U8
from .textio import _NIBBLE, FRAME_HEX_CHARS

I8 = npt.NDArray[np.int64]


@functools.cache
def hex_pairs() -> npt.NDArray[np.uint16]:
    """Each two ASCII bytes, read as one native uint16, to the byte their two hex digits
    spell (either case); 0xFFFF where either is not a hex digit. One lookup per output byte
    instead of two nibble lookups, a shift and an or (~3x faster over a block's frames).
    Built on first use (128 KiB): ``unhex`` reads clean text without it, so most runs never
    need it (~0.5 ms of start-up)."""
    codes = np.arange(256)
    chars = np.empty((256, 256, 2), dtype=np.uint8)
    chars[..., 0], chars[..., 1] = codes[:, None], codes[None, :]
    hi, lo = _NIBBLE.astype(np.uint16)[:, None], _NIBBLE.astype(np.uint16)[None, :]
    value = np.where((hi != 255) & (lo != 255), (hi << 4) | lo, 0xFFFF).astype(np.uint16)
    table = np.full(1 << 16, 0xFFFF, dtype=np.uint16)
    table[chars.reshape(-1, 2).view(np.uint16).ravel()] = value.ravel()
    return table


def read_strings(
    block: bytes,
    names: list[str],
    include: list[str],
    *,
    quoting: bool = True,
    floats: tuple[str, ...] = (),
    dicts: tuple[str, ...] = (),
    empty_lines: bool = False,
    check_utf8: bool = True,
) -> pa.Table | None:
    """The comma-separated ``block`` as string columns ``include`` (every line must have
    exactly ``len(names)`` fields; empty lines are skipped); None when Arrow refuses it.
    Columns named in ``floats`` are parsed as float64 by the reader itself (an empty or
    ``nan``-like field is null), as ``numbers`` would parse their text: Arrow's one correctly
    rounded parser, without loading pyarrow.compute. Columns named in ``dicts`` come
    dictionary-encoded (the same strings: distinct values and an index per row), built while
    parsing, for ``mapped``: ~2x cheaper than strings encoded afterwards. With
    ``empty_lines`` an empty line is a line of one field (so the block is refused), not
    skipped: every row is then one line. ``check_utf8`` False: string columns are not
    checked for valid UTF-8 (for a caller that checks their bytes itself)."""
    import pyarrow.csv as pa_csv  # on use: ~0.1 s of start-up that Beast input never needs

    try:
        return pa_csv.read_csv(
            pa.py_buffer(block),
            read_options=pa_csv.ReadOptions(
                column_names=names, use_threads=False, block_size=len(block) + 1
            ),
            parse_options=pa_csv.ParseOptions(
                delimiter=",",
                quote_char='"' if quoting else False,
                newlines_in_values=False,
                ignore_empty_lines=not empty_lines,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={n: _csv_type(n, floats, dicts) for n in include},
                include_columns=include,
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=check_utf8,
            ),
        )
    except (pa.ArrowException, ValueError):
        return None


def _csv_type(name: str, floats: tuple[str, ...], dicts: tuple[str, ...]) -> pa.DataType:
    if name in floats:
        return pa.float64()
    return pa.dictionary(pa.int32(), pa.string()) if name in dicts else pa.string()


def spans(col: pa.Array | pa.ChunkedArray) -> tuple[U1, I8, I8] | None:
    """(bytes, start, length) of each value of a string column; None with nulls."""
    arr = one_chunk(col)  # (a lone chunk as it is: ``combine_chunks`` copies even one)
    if arr.null_count:
        return None
    if arr.type == pa.large_string():
        arr = arr.cast(pa.string())
    n = len(arr)
    _, obuf, dbuf = arr.buffers()
    off = np.frombuffer(obuf, dtype=np.int32)[arr.offset : arr.offset + n + 1].astype(np.int64)
    data = np.frombuffer(dbuf, dtype=np.uint8) if dbuf is not None else np.zeros(0, np.uint8)
    return data, off[:-1], off[1:] - off[:-1]


def word_loads(data: U1) -> npt.NDArray[np.uint64]:
    """The 8 bytes at every offset of ``data`` as one little-endian uint64 each: a view of
    ``data`` itself (overlapping, unaligned). A gather of one 8-byte value a row costs about
    half of ``rows_at``'s row gather (which costs the same for 1 or 28 bytes)."""
    out: npt.NDArray[np.uint64] = np.ndarray(
        shape=(max(data.shape[0] - 7, 0),), dtype="<u8", buffer=data, strides=(1,)
    )
    return out


def unhex(text: U1) -> U1 | None:
    """The bytes the hex digits of ``text`` spell (either case; an even number of digits),
    read-only; None when any is not a hex digit. One C pass
    (``binascii.unhexlify``), which checks every digit as it goes: ~2x cheaper than the
    ``hex_pairs`` lookup, its cast of every index and its check pass (issue 18)."""
    try:
        # (the array's own buffer, no copy; it is C-contiguous wherever it comes from here)
        raw = binascii.unhexlify(np.ascontiguousarray(text).data)
    except binascii.Error:
        return None
    return np.frombuffer(raw, dtype=np.uint8)


def _pairs_or_none(text: U1) -> tuple[npt.NDArray[np.uint16], npt.NDArray[np.bool_]]:
    """Each row's bytes through ``hex_pairs`` (> 0xFF where a digit is not hex) and whether
    the row is all hex: the per-row answer, when ``unhex`` of the whole refused."""
    value = np.take(hex_pairs(), np.ascontiguousarray(text).view(np.uint16))
    return value, np.asarray((value <= 0xFF).all(axis=1), dtype=np.bool_)


def _place(out: U1, rows: npt.NDArray[np.intp], packed: U1) -> None:
    """``packed`` (k, nbytes) into the first ``nbytes`` of ``out``'s ``rows``: a plain copy
    when those are all the rows, else each row copied as one opaque value."""
    k = packed.shape[1]
    if rows.shape[0] == out.shape[0]:
        out[:, :k] = packed
        return
    out[:, :k].view(f"V{k}")[:, 0][rows] = np.ascontiguousarray(packed).view(f"V{k}")[:, 0]


def hex_spans(data: U1, start: I8, size: I8) -> tuple[U1, U1, npt.NDArray[np.bool_]]:
    """Frames from hex text spans: (left-aligned 14-byte rows, length in bytes, ok), as
    ``textio.hex_frames`` gives for the same strings."""
    n = start.shape[0]
    out = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
    length = np.zeros(n, dtype=np.uint8)
    ok = np.zeros(n, dtype=np.bool_)
    for nchars in FRAME_HEX_CHARS:
        sel = np.flatnonzero(size == nchars)
        if sel.size == 0:
            continue
        text = rows_at(data, start[sel], nchars)
        k = nchars // 2
        packed = unhex(text)
        rows = sel
        if packed is not None:
            packed = packed.reshape(sel.size, k)
        else:  # a non-hex digit: only those rows are not frames
            value, good = _pairs_or_none(text)
            rows, packed = sel[good], value[good].astype(np.uint8)
        _place(out, rows, packed)
        length[rows] = k
        ok[rows] = True
    return out, length, ok


def timed_hex_spans(data: U1, start: I8, size: I8, lead: int) -> tuple[U8, U1, U1] | None:
    """Spans of ``lead`` hex digits of a number (an even count, up to 16) followed at once by
    a frame's (AVR's ``@`` lines: the time and the frame are one run of digits): (the
    numbers, left-aligned 14-byte frame rows, lengths in bytes), each span read by one
    ``unhex``: the same as ``hex_ints`` of the lead and ``hex_spans`` of the rest, with one
    gather instead of two. None unless every span is all hex and of a frame's length."""
    n = start.shape[0]
    out = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
    length = np.zeros(n, dtype=np.uint8)
    numbers = np.zeros((n, 8), dtype=np.uint8)  # big-endian uint64 rows
    k, found = lead // 2, 0
    for nchars in FRAME_HEX_CHARS:
        sel = np.flatnonzero(size == lead + nchars)
        if sel.size == 0:
            continue
        raw = unhex(rows_at(data, start[sel], lead + nchars))
        if raw is None:
            return None
        rows = raw.reshape(sel.size, k + nchars // 2)
        if sel.size == n:
            numbers[:, 8 - k :] = rows[:, :k]
        else:
            numbers[sel, 8 - k :] = rows[:, :k]
        _place(out, sel, rows[:, k:])
        length[sel] = nchars // 2
        found += sel.size
    if found != n:
        return None
    return numbers.view(">u8").ravel().astype(np.uint64), out, length


def _frame_chars(size: I8) -> bool:
    """Whether every size is a frame's length in hex digits (``FRAME_HEX_CHARS``)."""
    good = size == FRAME_HEX_CHARS[0]
    for nchars in FRAME_HEX_CHARS[1:]:
        good |= size == nchars
    return bool(good.all())


def hex_packed(data: U1, start: I8, size: I8) -> tuple[U1, U1] | None:
    """``hex_spans`` when the values lie back to back in ``data`` (an Arrow string column's
    own buffer) and all are valid: one ``unhex`` of the whole buffer and, with frames of
    several lengths, one gather, no per-row check. None when they are not back to back or
    any value is not a frame."""
    n = start.shape[0]
    if n == 0:
        return None
    all_long = bool((size == 2 * LONG_FRAME_BYTES).all())
    if not (all_long or _frame_chars(size)):
        return None
    end = int(start[-1] + size[-1])
    if not (start[1:] == start[:-1] + size[:-1]).all():
        return None
    packed = unhex(data[int(start[0]) : end])  # (an even number of digits: every size is)
    if packed is None:
        return None
    if all_long:  # long frames only: the rows as they lie (a writeable copy)
        return packed.reshape(n, LONG_FRAME_BYTES).copy(), np.full(n, LONG_FRAME_BYTES, np.uint8)
    length = (size // 2).astype(np.uint8)
    out = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
    at = (start - start[0]) // 2  # each frame's first byte in ``packed``
    for nchars in FRAME_HEX_CHARS:  # each length's rows copied as one opaque value a row
        k = nchars // 2
        rows = np.flatnonzero(length == k)
        if rows.size:
            src = sliding_window_view(packed, k).view(f"V{k}")[:, 0]
            out[:, :k].view(f"V{k}")[:, 0][rows] = src[at[rows]]
    return out, length


def hex_column(col: pa.Array | pa.ChunkedArray) -> tuple[U1, U1, npt.NDArray[np.bool_]] | None:
    """``hex_spans`` of a string column; None with nulls."""
    sp = spans(col)
    if sp is None:
        return None
    fast = hex_packed(*sp)
    if fast is not None:
        return fast[0], fast[1], np.ones(fast[1].shape[0], dtype=np.bool_)
    return hex_spans(*sp)


def lower_text(col: pa.Array | pa.ChunkedArray) -> pa.Array | None:
    """``col`` (a string column whose values ``hex_column`` read, every one a frame) as one
    array when its values lie back to back and none holds an uppercase digit: each frame's
    lowercase hex, as ``decode`` writes it (``FrameBatch.text``); None otherwise. Hex digits
    A-F are the only ones without bit 0x20 (``0-9``, ``a-f`` have it): one AND over the text."""
    arr = col.chunk(0) if isinstance(col, pa.ChunkedArray) and col.num_chunks == 1 else col
    if isinstance(arr, pa.ChunkedArray) or arr.type != pa.string():
        return None
    sp = spans(arr)
    if sp is None or sp[1].shape[0] == 0:
        return None
    data, start, size = sp
    if not (start[1:] == start[:-1] + size[:-1]).all():
        return None
    text = data[int(start[0]) : int(start[-1] + size[-1])]
    if text.size and not int(np.bitwise_and.reduce(text)) & 0x20:
        return None
    return arr


def hex_ints(data: U1, start: I8, digits: int) -> tuple[I8, npt.NDArray[np.bool_]]:
    """The ``digits`` hex digits at each ``start`` as a number (up to 15 digits), and ok."""
    if digits % 2 == 0:  # whole bytes: one ``unhex`` of them all (AVR's 12-digit times)
        text = rows_at(data, start, digits)
        n = start.shape[0]
        raw = unhex(text)
        if raw is not None:
            value: npt.NDArray[Any] = raw.reshape(n, digits // 2)
            good = np.ones(n, dtype=np.bool_)
        else:  # (a row-wise answer only then)
            value, good = _pairs_or_none(text)
        big = np.zeros((n, 8), dtype=np.uint8)  # big-endian uint64 rows
        big[:, 8 - digits // 2 :] = value
        return big.view(">u8").ravel().astype(np.int64), good
    nib = _NIBBLE[rows_at(data, start, digits)]
    ok = (nib != 255).all(axis=1)
    if digits % 2:  # a leading zero nibble makes whole bytes
        nib = np.concatenate((np.zeros((nib.shape[0], 1), dtype=np.uint8), nib), axis=1)
    nbytes = nib.shape[1] // 2
    big = np.zeros((nib.shape[0], 8), dtype=np.uint8)  # big-endian uint64 rows
    big[:, 8 - nbytes :] = ((nib[:, 0::2] & 0xF) << 4) | (nib[:, 1::2] & 0xF)
    out: I8 = big.view(">u8").ravel().astype(np.int64)
    return out, ok


def numbers(col: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.float64] | None:
    """A string column as float64 (NaN where empty); None when a value is not a plain number.
    Arrow's and Python's float parsing are both correctly rounded, so values are identical."""
    import pyarrow.compute as pc

    arr = one_chunk(col)  # (a lone chunk as it is: ``combine_chunks`` copies even one)
    sp = spans(arr)
    if sp is None:
        return None
    empty = sp[2] == 0
    if empty.any():  # "" -> null, on the same buffers (a Python "" scalar would load pandas)
        valid = np.ones(arr.offset + len(arr), dtype=np.bool_)
        valid[arr.offset :] = ~empty
        bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
        _, obuf, dbuf = arr.buffers()
        arr = pa.Array.from_buffers(arr.type, len(arr), [bitmap, obuf, dbuf], offset=arr.offset)
    try:
        f = pc.cast(arr, pa.float64())
    except (pa.ArrowException, ValueError):
        return None
    out: npt.NDArray[np.float64] = numpy_of(f, np.nan).astype(np.float64)
    return out


#: Most values a ``mapped`` memo keeps (then it starts again): bounds a long stream's memory.
MEMO_VALUES = 1 << 16


def mapped(
    col: pa.Array | pa.ChunkedArray,
    fn: Callable[[Any], Any],
    dtype: npt.DTypeLike,
    memo: dict[Any, Any] | None = None,
) -> npt.NDArray[Any]:
    """``fn`` applied to each *distinct* value of a string column (nulls as ""), spread to
    every row: the per-line parser's own function, so the result is the same by construction,
    at the cost of one call per distinct value (addresses, squawks, dates, altitudes repeat a
    lot). A dictionary column (``read_strings``' ``dicts``) is used as it is. ``memo`` (one
    per column and ``fn``, kept by the caller across blocks) holds ``fn``'s results, so a
    value seen in an earlier block costs a lookup, not a call."""
    arr = one_chunk(col)  # (a lone chunk as it is: ``combine_chunks`` copies even one)
    enc = arr if pa.types.is_dictionary(arr.type) else call_function("dictionary_encode", [arr])
    distinct = [*enc.dictionary.to_pylist(), ""]
    if memo is None:
        values = [fn(v) for v in distinct]
    else:
        if len(memo) > MEMO_VALUES:
            memo.clear()
        values = []
        for v in distinct:
            got = memo.get(v, memo)  # the memo itself: not there
            if got is memo:
                got = memo[v] = fn(v)
            values.append(got)
    table = np.array(values, dtype=dtype)
    ind = enc.indices
    idx: npt.NDArray[np.signedinteger[Any]]
    if ind.null_count:
        idx = numpy_of(ind, -1).astype(np.int64)
        idx[idx < 0] = len(values) - 1
    else:  # the index buffer as it lies (int32), no copies
        idx = np.frombuffer(ind.buffers()[1], dtype=np.int32)[ind.offset : ind.offset + len(ind)]
    out: npt.NDArray[Any] = np.take(table, idx, axis=0)
    return out
