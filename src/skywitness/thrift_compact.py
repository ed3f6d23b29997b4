"""The Thrift compact protocol's encoding of structs, as far as Parquet's footer and page
headers need it (``parquet_columns``): integers, booleans, binary, nested structs and lists.

A struct is given as ``{field_id: (kind, value)}``; kinds: ``i16``, ``i32``, ``i64``,
``bool``, ``bin`` (bytes), ``struct`` (a nested dict), ``list_i32``, ``list_bin`` and
``list_struct``. Fields are written in field-id order (the compact protocol's short field
headers carry the id as a delta from the previous one). Only encoding: nothing here reads.
"""

from __future__ import annotations

from typing import Any

#: The compact protocol's type codes.
_TRUE, _FALSE, _I16, _I32, _I64, _BINARY, _LIST, _STRUCT = 1, 2, 4, 5, 6, 8, 9, 12
_SCALAR = {"i16": _I16, "i32": _I32, "i64": _I64, "bin": _BINARY, "struct": _STRUCT}
_ELEMENT = {"list_i32": _I32, "list_bin": _BINARY, "list_struct": _STRUCT}

Struct = dict[int, tuple[str, Any]]


def varint(n: int) -> bytes:
    """Unsigned LEB128."""
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def _zigzag(n: int) -> bytes:
    return varint((n << 1) ^ (n >> 63))


def _value(kind: str, value: Any) -> bytes:
    if kind in ("i16", "i32", "i64"):
        return _zigzag(int(value))
    if kind == "bin":
        return varint(len(value)) + bytes(value)
    if kind == "struct":
        return encode(value)
    raise ValueError(f"no compact encoding for {kind!r}")


def _list(kind: str, items: list[Any]) -> bytes:
    elem = _ELEMENT[kind]
    head = bytes([(len(items) << 4) | elem]) if len(items) < 15 else bytes([0xF0 | elem])
    size = b"" if len(items) < 15 else varint(len(items))
    scalar = "struct" if elem == _STRUCT else ("bin" if elem == _BINARY else "i32")
    return head + size + b"".join(_value(scalar, v) for v in items)


def encode(struct: Struct) -> bytes:
    """The compact-protocol bytes of ``struct`` (fields in id order, then the stop byte)."""
    out = bytearray()
    last = 0
    for fid in sorted(struct):
        kind, value = struct[fid]
        if kind == "bool":
            code = _TRUE if value else _FALSE
        elif kind in _ELEMENT:
            code = _LIST
        else:
            code = _SCALAR[kind]
        delta = fid - last
        if 0 < delta <= 15:
            out.append((delta << 4) | code)
        else:
            out.append(code)
            out += _zigzag(fid)
        last = fid
        if kind == "bool":
            continue
        out += _list(kind, value) if code == _LIST else _value(kind, value)
    out.append(0)
    return bytes(out)
