"""Structure-aware mutation of real samples: every operator keeps enough of the input's shape
(lines, fields, frames) to reach past the first check of a parser. Deterministic for a given
``random.Random``."""

from __future__ import annotations

import random
from collections.abc import Callable

#: Byte strings that break parsers in interesting ways: escapes, separators, numbers out of
#: range, nesting, encodings.
TOKENS = (
    b"\x1a", b"\x1a\x1a", b"\x1a\x33", b"\x1a\xe3", b"\x00", b"\xff", b"\xc3\x28", b"\r", b"\n",
    b",", b";", b"*", b"@", b"~", b'"', b"\\", b"\\u0000", b"{", b"}", b"[", b"]", b"null",
    b"-1", b"-1E400", b"1e400", b"NaN", b"Infinity", b"-0", b"99999999999999999999", b"0x1f",
    b"ground", b"MSG", b"[[rule]]", b"=", b"'''", b"\xef\xbb\xbf", b"2024/13/45", b"25:61:61",
)  # fmt: skip
#: Largest input a mutation makes, bytes (the "huge line" operator reaches it).
MAX_BYTES = 2 << 20

Op = Callable[[random.Random, bytes, list[bytes]], bytes]


def _truncate(r: random.Random, b: bytes, _: list[bytes]) -> bytes:
    return b[: r.randrange(len(b) + 1)]


def _bit_flips(r: random.Random, b: bytes, _: list[bytes]) -> bytes:
    if not b:
        return b
    out = bytearray(b)
    for _k in range(r.choice((1, 1, 2, 3, 8))):
        i = r.randrange(len(out))
        out[i] ^= 1 << r.randrange(8)
    return bytes(out)


def _token(r: random.Random, b: bytes, _: list[bytes]) -> bytes:
    i = r.randrange(len(b) + 1)
    j = min(len(b), i + r.choice((0, 0, 1, 2, 4)))
    return b[:i] + r.choice(TOKENS) + b[j:]


def _delete(r: random.Random, b: bytes, _: list[bytes]) -> bytes:
    if not b:
        return b
    i = r.randrange(len(b))
    return b[:i] + b[i + r.randint(1, 16) :]


def _duplicate(r: random.Random, b: bytes, _: list[bytes]) -> bytes:
    if not b:
        return b
    i = r.randrange(len(b))
    j = min(len(b), i + r.randint(1, 64))
    return b[:j] + b[i:j] * r.randint(1, 8) + b[j:]


def _huge_line(r: random.Random, b: bytes, _: list[bytes]) -> bytes:
    """One line (or field) grown to up to 2 MB: a memory bound must hold."""
    piece = b[: r.randint(1, 64)] or b"x"
    piece = piece.replace(b"\n", b" ")
    size = r.choice((70_000, 1 << 20, MAX_BYTES - len(b) - 1))
    return b + piece * max(1, size // len(piece))


def _swap_lines(r: random.Random, b: bytes, _: list[bytes]) -> bytes:
    lines = b.split(b"\n")
    r.shuffle(lines)
    return b"\n".join(lines)


def _field(r: random.Random, b: bytes, _: list[bytes]) -> bytes:
    """Replace one comma/colon-separated field of one line by a token or a number."""
    lines = b.split(b"\n")
    k = r.randrange(len(lines))
    sep = r.choice((b",", b":", b" "))
    fields = lines[k].split(sep)
    fields[r.randrange(len(fields))] = r.choice((*TOKENS, str(r.uniform(-1e9, 1e9)).encode()))
    lines[k] = sep.join(fields)
    return b"\n".join(lines)


def _nest(r: random.Random, b: bytes, _: list[bytes]) -> bytes:
    depth = r.choice((100, 2_000, 100_000))
    i = r.randrange(len(b) + 1)
    return b[:i] + b"[" * depth + b[i:] + b"]" * r.choice((0, depth))


def _splice(r: random.Random, b: bytes, others: list[bytes]) -> bytes:
    """Another seed's bytes (often another format) spliced in: wrong formats."""
    other = r.choice(others) if others else b
    i, j = r.randrange(len(b) + 1), r.randrange(len(other) + 1)
    return b[:i] + other[j : j + r.randint(1, 4096)]


OPS: tuple[Op, ...] = (
    _truncate, _bit_flips, _bit_flips, _token, _token, _delete, _duplicate, _huge_line,
    _swap_lines, _field, _field, _nest, _splice,
)  # fmt: skip


def mutate(r: random.Random, seed: bytes, others: list[bytes]) -> bytes:
    """One to four operators applied to ``seed``; the result is at most ``MAX_BYTES``."""
    out = seed
    for _k in range(r.choice((1, 1, 2, 3, 4))):
        op = r.choice(OPS)
        if op is _huge_line and r.random() < 0.98:  # expensive (ms to s): 1 input in ~300
            op = _bit_flips
        out = op(r, out, others)[:MAX_BYTES]
    return out
