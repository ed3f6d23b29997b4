"""Column-wise text readers: the fast path gives exactly what the line-by-line path gives.

Each real sample is read twice by the same parser class: once as shipped (blocks of lines go to
Arrow's native readers and numpy lookup tables, with the line-by-line path as fallback), and
once with the column-wise path switched off (``parse_block`` returns None, so every line goes
through ``parse_lines``: the readers as they were before the column-wise path). Frame bytes,
timestamps, every observation column and the counts must be identical, fed whole and fed in
odd-sized pieces (lines cut across feeds), with bad lines mixed in.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from skywitness.model import FrameBatch, Observations, RejectReason
from skywitness.sources.avr import AvrParser
from skywitness.sources.clock import TickClock
from skywitness.sources.hexlines import HexParser, JsonlParser
from skywitness.sources.opensky import OpenskyCsvParser
from skywitness.sources.sbs import SbsParser
from skywitness.stats import IngestStats

TESTS = Path(__file__).resolve().parents[1]


def _read(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


class _Recording(IngestStats):
    """Counts, and remembers where each reject was (line number and reason)."""

    def __init__(self) -> None:
        super().__init__()
        self.where: list[tuple[int | None, str]] = []
        self.by_line = 0  # lines that went through parse_lines

    def reject(self, reason: RejectReason, source: str, **kw: Any) -> None:
        super().reject(reason, source, **kw)
        self.where.append((kw.get("line"), reason.label))


def _make(kind: str, stats: IngestStats, slow: bool) -> Any:
    cls: Any = {
        "hex": HexParser,
        "jsonl": JsonlParser,
        "sbs": SbsParser,
        "avr": AvrParser,
        "opensky": OpenskyCsvParser,
    }[kind]
    if slow:
        cls = type("Slow" + cls.__name__, (cls,), {"parse_block": lambda self, *a: None})
    else:
        base = cls

        def parse_lines(self: Any, lines: list[bytes], *a: Any) -> Any:
            self.stats.by_line += len(lines)
            return base.parse_lines(self, lines, *a)

        cls = type("Counted" + cls.__name__, (cls,), {"parse_lines": parse_lines})
    if kind == "avr":
        return cls(stats, "s", TickClock(1000.0))
    return cls(stats, "s")


def _run(kind: str, data: bytes, slow: bool, piece: int) -> tuple[list[Any], _Recording]:
    stats = _Recording()
    p = _make(kind, stats, slow)
    out: list[Any] = []
    for i in range(0, len(data), piece):
        out += p.feed(data[i : i + piece])
    out += p.finish()
    return out, stats


def _columns(chunks: list[Any]) -> dict[str, np.ndarray]:
    if not chunks:
        return {}
    if isinstance(chunks[0], FrameBatch):
        b = FrameBatch.concat(chunks)
        return {
            "timestamp": b.timestamp,
            "data": b.data,
            "length": b.length,
            "ticks": b.ticks,
            "signal": b.signal,
        }
    cols = {}
    for f in Observations.__dataclass_fields__:
        if f != "source":
            cols[f] = np.concatenate([getattr(c, f) for c in chunks])
    return cols


def _same(kind: str, data: bytes, pieces: tuple[int, ...] = (1 << 20, 7919)) -> _Recording:
    """Both paths on ``data`` fed in pieces of each size; returns the fast path's counts of
    the whole feed (``by_line``: how many lines it had to read one by one)."""
    for piece in pieces:
        fast, fstats = _run(kind, data, False, piece)
        slow, sstats = _run(kind, data, True, piece)
        fc, sc = _columns(fast), _columns(slow)
        assert fc.keys() == sc.keys()
        for name in fc:
            np.testing.assert_array_equal(fc[name], sc[name], err_msg=name, strict=True)
        assert fstats.frames == sstats.frames
        assert fstats.rejected == sstats.rejected
        assert fstats.sources == sstats.sources
        assert fstats.where == sstats.where
    return fstats


HEX_SAMPLES = [
    "pymodes-tests/data_20150303_raw.txt",
    "pymodes-tests/sample_data_adsb.csv",
    "pymodes-tests/sample_data_commb_df20.csv",
    "pymodes-tests/sample_data_commb_df21.csv",
    "pymodes-tests/ehs_20160310_with_reference.csv",
]


@pytest.mark.parametrize("name", HEX_SAMPLES)
def test_hex_samples_identical(shared_data: Path, name: str) -> None:
    stats = _same("hex", _read(shared_data / name))
    assert stats.frames > 1000 and not stats.rejected
    if "raw.txt" not in name:  # ``ISO-time HEX`` (space-separated) is read line by line
        assert stats.by_line <= 3


def _jsonl_as_hex_csv(shared_data: Path) -> bytes:
    import json

    text = _read(shared_data / "traffic-raw-frames/tutorial.jsonl.gz")
    rows = [json.loads(x) for x in text.splitlines()]
    return b"".join(f"{r['timestamp']!r},{r['frame']}\n".encode() for r in rows)


def test_timestamp_hex_csv_identical(shared_data: Path) -> None:
    data = _jsonl_as_hex_csv(shared_data)
    stats = _same("hex", data)
    assert stats.frames == data.count(b"\n") and not stats.rejected and stats.by_line == 1


def test_bad_lines_still_counted_per_line(shared_data: Path) -> None:
    lines = _jsonl_as_hex_csv(shared_data).splitlines(keepends=True)[:20000]
    lines[5000] = b"1717664319.1,8d3461ce399e40586b4ee49322zz\n"
    lines[9000] = b"not a line\n"
    lines[15000] = b"1717664319.1,8d3461ce399e40586b4e\n"
    stats = _same("hex", b"".join(lines))
    assert stats.rejected == {"bad_line": 3}
    assert [w[0] for w in stats.where] == [5001, 9001, 15001]
    assert stats.by_line <= 1 + 3 * 256  # only the pieces holding a bad line


@pytest.mark.parametrize(
    "name",
    ["traffic-raw-frames/tutorial.jsonl.gz", "traffic-raw-frames/full_flight_short.jsonl.gz"],
)
def test_jsonl_samples_identical(shared_data: Path, name: str) -> None:
    stats = _same("jsonl", _read(shared_data / name))
    assert stats.frames > 10000 and not stats.rejected and stats.by_line == 0


def test_sbs_sample_identical(shared_data: Path) -> None:
    stats = _same("sbs", _read(shared_data / "beastblackbox-example/beast_decoded_sbs.txt.gz"))
    assert stats.frames > 5000
    assert stats.by_line <= 256  # the trailer lines (a summary, not SBS) and their piece


def _avr_from_dump(shared_data: Path, stamp: Callable[[int], bytes]) -> bytes:
    text = _read(shared_data / "beastblackbox-example/beast_decoded_dump1090.txt.gz")
    frames = [ln for ln in text.splitlines() if ln.startswith(b"*") and ln.endswith(b";")]
    return b"".join(stamp(i) + f[1:] + b"\r\n" for i, f in enumerate(frames))


def test_avr_identical(shared_data: Path) -> None:
    plain = _avr_from_dump(shared_data, lambda i: b"*")
    stamped = _avr_from_dump(shared_data, lambda i: b"@%012X" % (1_000_000 + 12_000 * i))
    signal = _avr_from_dump(
        shared_data, lambda i: b"<%012X%02X" % (1_000_000 + 12_000 * i, i % 256)
    )
    for data in (plain, stamped, signal):
        stats = _same("avr", data)
        assert stats.frames == data.count(b"\n") and not stats.rejected and stats.by_line == 0
    mixed = plain.splitlines(keepends=True)
    mixed[100] = b"*8d4840d6202cc371c32ce05760;\n"
    mixed[200] = b"garbage\n"
    mixed[300] = b"@0000016D3A5G8D4840D6202CC371C32CE0576098;\n"
    stats = _same("avr", b"".join(mixed))
    assert stats.rejected == {"bad_hex": 2, "bad_line": 1}


def test_avr_fixture_identical() -> None:
    _same("avr", (TESTS / "data/avr_sample.avr").read_bytes(), pieces=(1 << 20, 5))


def test_sbs_fixture_identical() -> None:
    _same("sbs", (TESTS / "data/sbs_sample.sbs").read_bytes(), pieces=(1 << 20, 5))


def test_opensky_fixture_identical() -> None:
    _same("opensky", (TESTS / "data/opensky_states.csv").read_bytes(), pieces=(1 << 20, 5))


def test_opensky_csv_identical(shared_data: Path) -> None:
    from skywitness.store import load_traffic_json

    q = load_traffic_json(shared_data / "traffic-trajectories/collections/quickstart.json.gz")
    q = q.slice(0, 40000).to_pydict()

    def v(x: object) -> str:
        return "" if x is None else str(x)

    lines = ["time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,"
             "squawk,baroaltitude,geoaltitude,lastposupdate,lastcontact,hour"]  # fmt: skip
    for i in range(len(q["icao24"])):
        t = q["timestamp"][i].timestamp()
        og = "" if q["onground"][i] is None else str(q["onground"][i]).lower()
        lines.append(
            f"{int(t)},{q['icao24'][i]},{v(q['latitude'][i])},{v(q['longitude'][i])},"
            f"{v(q['groundspeed'][i])},{v(q['track'][i])},{v(q['vertical_rate'][i])},"
            f"{v(q['callsign'][i])},{og},false,false,{v(q['squawk'][i])},{v(q['altitude'][i])},"
            f"{v(q['geoaltitude'][i])},{t},{t},{int(t) // 3600 * 3600}"
        )
    data = ("\n".join(lines) + "\n").encode()
    stats = _same("opensky", data)
    assert stats.frames == 40000 and not stats.rejected and stats.by_line == 1


def test_jsonl_key_variants_identical(shared_data: Path) -> None:
    """The reader narrows Arrow's schema to the keys of a block's first line; lines that use
    other keys (or none) must still come out as the line-by-line path reads them."""
    import json

    text = _read(shared_data / "traffic-raw-frames/tutorial.jsonl.gz")
    rows = [json.loads(x) for x in text.splitlines()[:6000]]
    out = []
    for i, r in enumerate(rows):
        t, f = r["timestamp"], r["frame"]
        obj: dict[str, object] = {"timestamp": t, "frame": f}
        if 2000 <= i < 2100:
            obj = {"ts": t, "frame": f}
        elif 3000 <= i < 3100:
            obj = {"timestamp": t * 1000, "rawmsg": f}
        elif 4000 <= i < 4100:
            obj = {"frame": f}  # no time: NaN
        elif 5000 <= i < 5100:
            obj = {"time": t, "msg": f, "frame": f}
        out.append(json.dumps(obj))
    data = ("\n".join(out) + "\n").encode()
    stats = _same("jsonl", data, pieces=(1 << 20, 7919, 100_003))
    assert stats.frames == 6000 and not stats.rejected
