"""Beast framing on real captures, escapes, receiver ids, bad input, clocks."""

from __future__ import annotations

import collections
import time
from pathlib import Path

import numpy as np
import pytest

from skywitness.errors import InputError
from skywitness.model import RejectReason
from skywitness.sources import open_source
from skywitness.sources.beast import BeastParser, encode_beast, frame_beast, signal_dbfs
from skywitness.sources.clock import TickClock, time_from_name
from skywitness.stats import IngestStats
from tests.fixtures import frames_of

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"


@pytest.fixture(scope="module")
def capture(shared_data: Path) -> bytes:
    return (shared_data / CAPTURE).read_bytes()


def test_capture_frame_counts(capture: bytes) -> None:
    fr = frame_beast(capture, final=True)
    assert len(fr) == 13954
    assert collections.Counter(fr.length.tolist()) == {2: 5026, 7: 4942, 14: 3986}
    df = collections.Counter((fr.data[fr.length > 2, 0] >> 3).tolist())
    assert df == {0: 440, 4: 328, 5: 196, 11: 3978, 16: 62, 17: 3436, 20: 262, 21: 226}
    assert fr.rejects == [] and fr.consumed == len(capture)
    # frames whose payload contains an escaped 0x1a come back unescaped
    i = int(np.flatnonzero((fr.data == 0x1A).any(axis=1))[0])
    assert bytes(fr.data[i, : fr.length[i]]).hex() == "5d4caaae1a5c50"
    assert int(fr.offset[i]) == 696


def test_capture_source_timestamps(shared_data: Path) -> None:
    stats = IngestStats()
    src = open_source(str(shared_data / CAPTURE), stats=stats)
    batches = frames_of(src)
    assert src.format == "beast" and not src.live
    assert src.total_bytes == src.position() == 227244
    b = batches[0]
    assert sum(len(x) for x in batches) == 13954
    # base time from the file name, then the 12 MHz counter
    assert b.timestamp[0] == pytest.approx(1522782148.136310917, abs=1e-6)
    assert b.timestamp[-1] - b.timestamp[0] == pytest.approx((3350562529458 - 3349832057515) / 12e6)
    assert b.hex(0) == "5f4001594b0fbb"
    assert b.signal[0] == pytest.approx(-22.5557, abs=1e-3)  # dump1090 printed RSSI -22.6
    assert stats.frames == 13954 and stats.bytes_read == 227244 and not stats.rejected


def test_sample_dump1090(shared_data: Path) -> None:
    fr = frame_beast((shared_data / "traffic-raw-frames/sample_dump1090.bin").read_bytes())
    assert len(fr) == 239
    assert collections.Counter(fr.length.tolist()) == {7: 185, 14: 54}


def test_start_time_overrides_name(shared_data: Path) -> None:
    src = open_source(str(shared_data / CAPTURE), start_time=1000.0, batch_size=5000)
    batches = frames_of(src)
    assert [len(b) for b in batches] == [5000, 5000, 3954]
    assert batches[0].timestamp[0] == 1000.0


def test_time_from_name() -> None:
    assert time_from_name("x/ulss7-beast-bin-utc--1522782148.136310917--.log") == pytest.approx(
        1522782148.136310917
    )
    assert time_from_name("cap_20240706_064309.bin") == 1720248189.0
    assert time_from_name("capture.bin") is None


def test_signal_dbfs() -> None:
    out = signal_dbfs(np.array([255, 0, 128], dtype=np.uint8))
    assert out[0] == 0.0 and np.isnan(out[1])
    assert out[2] == pytest.approx(20 * np.log10(128 / 255), abs=1e-5)


def test_receiver_id_and_escapes() -> None:
    payload = bytes.fromhex("8d1a1a1a0000000000000000001a")
    buf = encode_beast(
        [payload], ticks=[0x1A1A1A1A1A1A], signal=[0x1A], receiver=0x1A00000000000042
    )
    assert buf.count(b"\x1a\x1a") > 6
    fr = frame_beast(buf, final=True)
    assert len(fr) == 1 and not fr.rejects
    assert bytes(fr.data[0]) == payload and int(fr.ticks[0]) == 0x1A1A1A1A1A1A
    assert int(fr.signal_byte[0]) == 0x1A and int(fr.receiver[0]) == 0x1A00000000000042
    assert fr.receiver_after == 0x1A00000000000042


def test_runs_of_escapes_framed_in_any_two_reads() -> None:
    """Frames whose every byte is an escaped 0x1a, next to ones with none: each frame start
    follows a run of 0x1a of another length (1, 3, 5...: escaped pairs then the start), and
    runs are cut by every read boundary (a trailing run is held for the next read)."""
    pays = [b"\x1a" * 14, b"\x1a" * 7, bytes(2), b"\x1a\x1a", bytes.fromhex("5d4840d6f8741a")]
    ticks = [0x1A1A1A1A1A1A, 0x1A, 0x1A00000000, 0, 0x1A1A]
    buf = encode_beast(pays, ticks=ticks, signal=[0x1A, 0, 0x1A, 0x1A, 7], receiver=0x1A1A)
    assert b"\x1a" * 5 in buf
    for cut in range(len(buf) + 1):
        parser = BeastParser(IngestStats(), "t", TickClock(0.0))
        parts = parser.feed(buf[:cut]) + parser.feed(buf[cut:]) + parser.finish()
        got = [bytes(b.data[i, : int(b.length[i])]) for b in parts for i in range(len(b))]
        assert got == pays, cut
        assert [int(t) for b in parts for t in b.ticks] == ticks, cut
        assert sum(parser.stats.rejected.values()) == 0, cut


def test_bad_input_is_counted_with_offsets() -> None:
    good = encode_beast([bytes.fromhex("5d4840d6f87407")], ticks=[5])
    buf = b"junk" + good + b"\x1a\x99abc" + good + good[:9]
    stats = IngestStats()
    p = BeastParser(stats, "t", TickClock(0.0))
    out = p.feed(buf) + p.finish()
    assert sum(len(b) for b in out) == 2
    assert stats.rejected == {"bad_escape": 1, "truncated": 1, "bad_type": 1}
    strict = IngestStats(strict=True)
    p = BeastParser(strict, "t", TickClock(0.0))
    p.feed(good)
    with pytest.raises(InputError) as e:
        p.feed(b"\x1a\x99" + good)
    assert e.value.offset == len(good) and e.value.reason == RejectReason.BAD_TYPE.label


def test_frame_cut_by_stray_escape_resyncs() -> None:
    good = encode_beast([bytes.fromhex("5d4840d6f87407")], ticks=[5])
    broken = good[:10] + b"\x1a\x32" + good[2:]  # a lone 0x1a inside a frame
    fr = frame_beast(broken + good, final=True)
    assert len(fr) == 2
    assert [r[0] for r in fr.rejects] == [RejectReason.BAD_ESCAPE]


def test_heartbeats_dropped() -> None:
    hb = bytes([0x1A, 0x31] + [0] * 9)
    stats = IngestStats()
    p = BeastParser(stats, "t", TickClock(0.0))
    assert p.feed(hb * 3) == [] and p.finish() == []
    assert not stats.rejected


def test_gps_clock_auto() -> None:
    # GPS time of day: 18 bits of seconds, 30 bits of ns; seconds step, ns stays < 1e9
    tod = np.array([43200 * 10**9 + 999_000_000, 43201 * 10**9 + 1000, 43201 * 10**9 + 5000])
    secs, ns = tod // 10**9, tod % 10**9
    ticks = ((secs << 30) | ns).astype(np.uint64)
    clk = TickClock(base=1720224000.0 + 40000)  # 2024-07-06 11:06:40 UTC
    out = clk.convert(ticks)
    assert clk.is_gps
    assert out[0] == pytest.approx(1720224000.0 + 43200.999)
    assert out[2] == pytest.approx(1720224000.0 + 43201.000005)


def test_counter_reset_keeps_time_monotonic() -> None:
    clk = TickClock(base=100.0, mode="12mhz")
    ticks = np.array([12_000_000_000, 12_012_000_000, 24_000, 12_024_000], dtype=np.uint64)
    out = clk.convert(ticks)
    assert out.tolist() == pytest.approx([100.0, 101.0, 101.0, 102.0])


def test_live_clock_resyncs_to_arrival() -> None:
    clk = TickClock(mode="12mhz", live=True)
    a = clk.convert(np.array([12_000_000], dtype=np.uint64), arrival=500.0)
    b = clk.convert(np.array([24_000_000], dtype=np.uint64), arrival=501.0)
    c = clk.convert(np.array([24_000_000_000], dtype=np.uint64), arrival=502.0)  # jump
    assert (a[0], b[0], c[0]) == (500.0, 501.0, 502.0)


def test_throughput(capture: bytes) -> None:
    big = capture * 40  # 558k frames, 9 MB
    t0 = time.perf_counter()
    n, rest = 0, b""
    for i in range(0, len(big), 1 << 20):
        fr = frame_beast(rest + big[i : i + (1 << 20)])
        n += len(fr)
        rest = (rest + big[i : i + (1 << 20)])[fr.consumed :]
    dt = time.perf_counter() - t0
    assert n == 13954 * 40
    # > 1M frames/s on an idle core; loose bound here as the test machine is shared
    assert n / dt > 300_000
