"""JSON lines of one fixed shape, read without a JSON parser: ``{"timestamp": 1717664319.14,
"frame": "8d4840d6..."}`` (two keys, a plain decimal time and a hex frame, either order),
the shape jet1090/rs1090 and most frame loggers write.

The block's first line gives the literal text around the two values (its prefix, the text
between them and its suffix); every line must have exactly that text, a hex frame of 4, 14 or
28 digits and a plain decimal number (``-?(0|[1-9][0-9]*)(\\.[0-9]+)?``, at most
``NUMBER_CHARS`` characters), checked column-wise in numpy. The numbers are parsed by Arrow's
cast over ``string_view`` spans of the block itself (correctly rounded, as ``float()``), the
frames through the hex-pair table. Anything else (exponents, escapes, spaces that differ,
other keys) makes ``template_jsonl`` return None, and the caller goes on to Arrow's JSON reader
and then line by line: the values are then exactly what ``json.loads`` gives a line.
"""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from ..decode.hexio import call_function, numpy_of
from ..model import U1
from .columns import I8, hex_spans, word_loads
from .textio import line_spans

#: Longest time text read here (a microsecond unix time in ms is 17 digits and a point).
NUMBER_CHARS = 24
#: Bytes of a ``string_view`` value kept inline in its 16-byte view (Arrow's format).
_INLINE = 12
#: Largest offset a ``string_view`` value may have in its buffer (int32).
_MAX_VIEW_OFFSET = (1 << 31) - 1
#: Frame lengths in hex digits, longest first (the first whose opening quote fits wins).
_HEX_DIGITS = (28, 14, 4)
_QUOTE, _POINT, _MINUS, _ZERO = ord('"'), ord("."), ord("-"), ord("0")

_NUM = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?"
_KEY = r'"([a-z]+)"\s*:\s*'
#: Time first, then frame: prefix, number, between, hex, suffix.
_TIME_FIRST = re.compile(rf'(\{{\s*{_KEY})({_NUM})(\s*,\s*{_KEY}")([0-9A-Fa-f]+)("\s*\}})')
#: Frame first, then time.
_FRAME_FIRST = re.compile(rf'(\{{\s*{_KEY}")([0-9A-Fa-f]+)("\s*,\s*{_KEY})({_NUM})(\s*\}})')


class Shape:
    """The literal text of a block's lines around the two values."""

    __slots__ = ("between", "prefix", "suffix", "time_first")

    def __init__(self, prefix: bytes, between: bytes, suffix: bytes, time_first: bool) -> None:
        self.prefix, self.between, self.suffix = prefix, between, suffix
        self.time_first = time_first

    @classmethod
    def learn(
        cls, line: bytes, frame_keys: tuple[str, ...], time_keys: tuple[str, ...]
    ) -> Shape | None:
        """The shape of ``line``, or None when it is not two keys, a time key's plain number
        and a frame key's hex text (whatever ``json.loads`` of the line would say)."""
        try:
            text = line.decode("ascii")
        except UnicodeDecodeError:
            return None
        m = _TIME_FIRST.fullmatch(text)
        if m is not None and m[2] in time_keys and m[5] in frame_keys:
            return cls(m[1].encode(), m[4].encode(), m[7].encode(), True)
        m = _FRAME_FIRST.fullmatch(text)
        if m is not None and m[2] in frame_keys and m[5] in time_keys:
            return cls(m[1].encode(), m[4].encode(), m[7].encode(), False)
        return None


def _literal_at(loads: npt.NDArray[np.uint64], at: I8, text: bytes) -> bool:
    """Whether ``text`` is at every position ``at`` (``loads``: ``columns.word_loads`` of
    bytes padded 8 past the last ``at + len(text)``), compared 8 bytes at a time."""
    if len(text) < 8:
        if not text:
            return True
        mask = np.uint64((1 << 8 * len(text)) - 1)
        return bool(((loads[at] & mask) == np.uint64(int.from_bytes(text, "little"))).all())
    for off in (*range(0, len(text) - 8, 8), len(text) - 8):
        word = np.uint64(int.from_bytes(text[off : off + 8], "little"))
        if not bool((loads[at + off] == word).all()):
            return False
    return True


def template_jsonl(
    block: bytes,
    frame_keys: tuple[str, ...],
    time_keys: tuple[str, ...],
    nl: I8 | None = None,
) -> tuple[npt.NDArray[np.float64], U1, U1] | None:
    """(times as written, frames (n, 14), lengths) of a block of lines of one shape; None
    when any line differs from its first line's shape (``nl``: as ``line_spans``)."""
    if len(block) > _MAX_VIEW_OFFSET:  # a view's offset is an int32
        return None
    cut = block.find(b"\n")
    first = block[: cut if cut >= 0 else len(block)]
    shape = Shape.learn(first[:-1] if first.endswith(b"\r") else first, frame_keys, time_keys)
    if shape is None:  # (before any pass over the block: another shape costs nothing here)
        return None
    b, start, end, _ = line_spans(block, nl)
    pre, mid, suf = len(shape.prefix), len(shape.between), len(shape.suffix)
    if int((end - start).min()) < pre + mid + suf + 1 + min(_HEX_DIGITS):
        return None
    # pad so that a fixed-width look past any line's end stays inside the array
    pad = np.concatenate((b, np.zeros(NUMBER_CHARS + max(_HEX_DIGITS) + 1, dtype=np.uint8)))
    if shape.time_first:
        hex_end = end - suf
        digits = _hex_digits(pad, hex_end, before=True)
        hex_start = hex_end - digits
        num_start, num_end = start + pre, hex_start - mid
    else:
        hex_start = start + pre
        digits = _hex_digits(pad, hex_start, before=False)
        num_start, num_end = hex_start + digits + mid, end - suf
    if not (digits > 0).all():
        return None
    loads = word_loads(pad)
    if not (
        _literal_at(loads, start, shape.prefix)
        and _literal_at(loads, num_end if shape.time_first else hex_start + digits, shape.between)
        and _literal_at(loads, end - suf, shape.suffix)
    ):
        return None
    times = _numbers(pad, loads, block, num_start, num_end - num_start)
    if times is None:
        return None
    data, length, ok = hex_spans(pad, hex_start, digits)
    if not ok.all():
        return None
    return times, data, length


def _hex_digits(pad: U1, at: I8, *, before: bool) -> I8:
    """Digits of each frame that ends (``before``) or starts at ``at``: the shortest length
    whose quote is there; 0 where none is. A wrong guess (a quote from the text around)
    leaves a quote among the digits, which the hex check refuses."""
    digits = np.zeros(at.shape[0], dtype=np.int64)
    for d in _HEX_DIGITS:  # the shortest last, so it wins: a longer one's quote would lie
        # inside the true frame's digits, which are never quotes
        quote = pad[at - d - 1] == _QUOTE if before else pad[at + d] == _QUOTE
        digits[quote] = d
    return digits


def _numbers(
    pad: U1, loads: npt.NDArray[np.uint64], block: bytes, start: I8, size: I8
) -> npt.NDArray[np.float64] | None:
    """The JSON numbers at (start, size) of the block as float64, as ``float()`` of what
    ``json.loads`` reads; None when any is not a plain JSON number (no exponent), is longer
    than ``NUMBER_CHARS`` or is not finite.

    Arrow's parser reads every such number as ``float()`` does (both correctly rounded), and
    accepts more besides; without an exponent, what it accepts that JSON does not is refused
    here from a few characters of each value: a first character other than ``-`` or a digit
    (``+1``, ``.5``, ``nan``, ``inf``), a minus not followed by a digit, a leading zero
    (``01``), a last character other than a digit (``1.``). ``-0`` is refused too:
    ``json.loads`` reads it as the integer 0, which is +0.0."""
    if int(size.min()) < 1 or int(size.max()) > NUMBER_CHARS:
        return None
    head = loads[start]  # the first 8 characters, little-endian
    if _has_exponent(loads, start, size):
        return None
    c0, c1, c2 = (((head >> np.uint64(8 * i)) & np.uint64(0xFF)).astype(np.uint8) for i in range(3))
    minus = c0 == _MINUS
    lead = minus.astype(np.int64)  # where the digits start
    first, after = np.where(minus, c1, c0), np.where(minus, c2, c1)
    last = pad[start + size - 1]
    ok = (
        _is_digit(first)
        & _is_digit(last)
        & (lead < size)
        & ((first != _ZERO) | (lead + 1 == size) | ~_is_digit(after))  # no "01"
        & ~((lead == 1) & (first == _ZERO) & (size == 2))  # no "-0"
    )
    if not ok.all():
        return None
    values = _parse(loads, block, start, size)
    if values is None or not np.isfinite(values).all():
        return None
    return values


#: Masks of the first 0..8 bytes of a little-endian word.
_BYTE_MASKS = np.array([(1 << 8 * k) - 1 for k in range(8)] + [(1 << 64) - 1], dtype=np.uint64)
_LOW7, _HIGH = np.uint64(0x7F7F7F7F7F7F7F7F), np.uint64(0x8080808080808080)
_CASE, _LOWER_E = np.uint64(0x2020202020202020), np.uint64(0x6565656565656565)


def _has_exponent(loads: npt.NDArray[np.uint64], start: I8, size: I8) -> bool:
    """Whether any value at (start, size) holds an ``e`` or ``E``, 8 characters at a time
    (a byte of ``x`` is zero exactly where its high bit of ``~((x & 0x7f..) + 0x7f.. | x)``
    is set)."""
    shortest = int(size.min())
    for k in range(0, int(size.max()), 8):
        x = (loads[start + k] | _CASE) ^ _LOWER_E  # zero bytes: e or E
        zero = ~(((x & _LOW7) + _LOW7) | x) & _HIGH
        if shortest - k < 8:  # some value ends inside this word: only its own bytes count
            zero &= _BYTE_MASKS[np.clip(size - k, 0, 8)]
        if bool(zero.any()):
            return True
    return False


def _is_digit(c: U1) -> npt.NDArray[np.bool_]:
    out: npt.NDArray[np.bool_] = (c >= _ZERO) & (c <= _ZERO + 9)
    return out


def _parse(
    loads: npt.NDArray[np.uint64], block: bytes, start: I8, size: I8
) -> npt.NDArray[np.float64] | None:
    """Arrow's string -> float64 cast over ``string_view`` spans of ``block`` (no copy of the
    text); None if Arrow refuses one."""
    from pyarrow._compute import CastOptions

    n = start.shape[0]
    # Arrow's 16-byte views as two little-endian words: the length and the first 4 bytes;
    # then buffer 0 and the offset in it, or (12 bytes at most) the next 8 bytes, zero-padded
    views = np.empty((n, 2), dtype=np.uint64)
    views[:, 0] = (loads[start] << np.uint64(32)) | size.astype(np.uint64)
    views[:, 1] = start.astype(np.uint64) << np.uint64(32)
    short = size <= _INLINE
    if short.any():
        rows = np.flatnonzero(short)
        keep = _BYTE_MASKS[np.clip(size[rows], 0, 4)]  # the first word holds 4 characters
        views[rows, 0] &= (keep << np.uint64(32)) | np.uint64(0xFFFFFFFF)
        views[rows, 1] = loads[start[rows] + 4] & _BYTE_MASKS[np.clip(size[rows] - 4, 0, 8)]
    arr = pa.Array.from_buffers(
        pa.string_view(), n, [None, pa.py_buffer(views), pa.py_buffer(block)]
    )
    try:
        out = call_function("cast", [arr], CastOptions.safe(pa.float64()))
    except (pa.ArrowException, ValueError):
        return None
    values: npt.NDArray[np.float64] = numpy_of(out, np.nan).astype(np.float64)
    return values
