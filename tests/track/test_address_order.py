"""The address window without times (AVR ``*HEX;`` lines from a file): frame order, not NaN.

Before, every address/parity reply of an untimed file was rejected as ``unknown_address``
(NaN - NaN is never within 60 s): 1,508 of the 8,922 frames of the real dump1090 capture below,
against none for the same frames with their 12 MHz timestamps.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np

from skywitness.runtime.pipeline import RunOptions, decode_tables
from skywitness.stats import IngestStats
from skywitness.track.address_filter import ADDRESS_WINDOW_FRAMES, AddressFilter


def _decode(path: Path) -> IngestStats:
    stats = IngestStats()
    for _ in decode_tables([str(path)], RunOptions(), stats):
        pass
    return stats


def test_untimed_avr_as_timed(shared_data: Path, tmp_path: Path) -> None:
    dump = shared_data / "beastblackbox-example/beast_decoded_dump1090.txt.gz"
    text = gzip.decompress(dump.read_bytes()).decode()
    frames = re.findall(r"^\*([0-9a-f]+);\nCRC.*\nRSSI.*\nTime: ([0-9.]+)us", text, re.M)
    assert len(frames) == 8922
    plain, stamped = tmp_path / "plain.avr", tmp_path / "stamped.avr"
    plain.write_text("".join(f"*{h};\n" for h, _ in frames))
    stamped.write_text("".join(f"@{round(float(t) * 12):012X}{h};\n" for h, t in frames))
    s_plain, s_stamped = _decode(plain), _decode(stamped)
    assert s_plain.frames == s_stamped.frames == 8922
    assert s_stamped.rejected["unknown_address"] == 0
    assert s_plain.rejected["unknown_address"] == 0
    assert s_plain.accepted == s_stamped.accepted


def test_frame_window_expires() -> None:
    af = AddressFilter()
    nan = np.full(1, np.nan)
    key = np.array([0x4840D6], dtype=np.uint32)
    assert af.accept(key, np.array([True]), nan).tolist() == [True]
    assert af.accept(key, np.array([False]), nan).tolist() == [True]  # next frame: vouched
    other = np.full(ADDRESS_WINDOW_FRAMES, 0x123456, dtype=np.uint32)
    af.accept(other, np.ones(other.size, dtype=np.bool_), np.full(other.size, np.nan))
    assert af.accept(key, np.array([False]), nan).tolist() == [False]  # window passed
    # an untimed verified frame never vouches for a timed one, nor the other way round
    assert af.accept(key, np.array([False]), np.array([1e9])).tolist() == [False]
