"""A live read's few records take cheaper paths than a file's many (issue 18 item 6): the
same frames and the same clock either way.

``frame_beast`` gathers up to ``_SMALL_RECORDS`` records by one index op instead of the
strided window view, and the live clock takes a read's median counter by one partition
instead of ``np.median``: both cut the fixed cost of a feed thread's ~20-frame read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skywitness.sources import beast_frame
from skywitness.sources.beast_frame import frame_beast
from skywitness.sources.clock import _median_int

BEAST = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
READ_BYTES = 500  # a live TCP read of ~20 frames


def _framed(data: bytes) -> list[tuple[object, ...]]:
    out: list[tuple[object, ...]] = []
    rest, receiver = b"", 0
    for a in range(0, len(data), READ_BYTES):
        buf = rest + data[a : a + READ_BYTES]
        fr = frame_beast(buf, receiver=receiver)
        rest, receiver = buf[fr.consumed :], fr.receiver_after
        out.append((fr.data.tobytes(), fr.length.tobytes(), fr.ticks.tobytes(),
                    fr.signal_byte.tobytes(), fr.receiver.tobytes(), fr.offset.tobytes(),
                    fr.consumed, fr.rejects))  # fmt: skip
    return out


def test_small_reads_frame_as_the_window_view_frames_them(
    shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = (shared_data / BEAST).read_bytes()[:200_000]
    small = _framed(data)
    monkeypatch.setattr(beast_frame, "_SMALL_RECORDS", -1)  # always the window view
    assert _framed(data) == small
    assert sum(len(r[1]) for r in small if isinstance(r[1], bytes)) > 5_000


@given(st.lists(st.integers(0, (1 << 48) - 1), min_size=1, max_size=64))
def test_median_int_is_int_of_numpy_median(values: list[int]) -> None:
    a = np.array(values, dtype=np.int64)
    assert _median_int(a) == int(np.median(a))
