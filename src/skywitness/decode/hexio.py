"""Hex strings -> ``FrameBatch`` (kept under its decode-side name for callers and benchmarks).

The fast implementation (one ``bytes.fromhex`` per frame length) is ``FrameBatch.from_hex``.
"""

from __future__ import annotations

from ..model import FrameBatch

frames_from_hex = FrameBatch.from_hex
