"""Beast framing of record types: frames of the three frame types are taken, readsb's
record types that carry no frame are skipped silently, any other type is rejected as
BAD_TYPE (``beast_frame``: the ignored types are looked up for unknown records alone)."""

from __future__ import annotations

from skywitness.model import RejectReason
from skywitness.sources.beast_frame import IGNORED_TYPES, frame_beast


def frame(kind: int, payload: bytes, ticks: int = 0x010203040506, signal: int = 0x80) -> bytes:
    body = bytes([kind]) + ticks.to_bytes(6, "big") + bytes([signal]) + payload
    return b"\x1a" + body.replace(b"\x1a", b"\x1a\x1a")


SHORT = frame(0x32, bytes.fromhex("5d3c6444a5b7c8"))
LONG = frame(0x33, bytes.fromhex("8d3c6444990d9e1a8f0c1c2d3e4f"))  # holds an escaped 0x1a


def test_ignored_types_skipped_unknown_rejected() -> None:
    for ignored in IGNORED_TYPES:
        skipped = b"\x1a" + bytes([ignored]) + bytes(range(1, 11))
        bad = b"\x1a\x77" + bytes(range(1, 11))
        buf = SHORT + skipped + LONG + bad + SHORT
        fr = frame_beast(buf, final=True)
        assert fr.length.tolist() == [7, 14, 7]
        assert fr.data[1].tobytes() == bytes.fromhex("8d3c6444990d9e1a8f0c1c2d3e4f")
        assert fr.ticks.tolist() == [0x010203040506] * 3
        assert [(r[0], r[1]) for r in fr.rejects] == [
            (RejectReason.BAD_TYPE, len(SHORT + skipped + LONG))
        ]
        assert fr.consumed == len(buf)
