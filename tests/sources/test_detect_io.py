"""Format detection, compression by magic bytes, missing/empty/cut files."""

from __future__ import annotations

import bz2
import lzma
from pathlib import Path

import pytest

from skywitness.errors import FormatError, InputError
from skywitness.model import FrameBatch
from skywitness.sources import FORMATS, detect_format, open_source
from skywitness.sources.formats import REGISTRY
from skywitness.stats import IngestStats

DATA = Path(__file__).resolve().parents[1] / "data"
CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (CAPTURE, "beast"),
        ("traffic-raw-frames/sample_dump1090.bin", "beast"),
        ("traffic-raw-frames/tutorial.jsonl.gz", "jsonl"),
        ("pymodes-tests/data_20150303_raw.txt", "hex"),
        ("pymodes-tests/sample_data_commb_df21.csv", "hex"),
        ("beastblackbox-example/beast_decoded_sbs.txt.gz", "sbs"),
        ("traffic-trajectories/readsb/trace_full_ac671b.json", "trace"),
    ],
)
def test_detect_real(shared_data: Path, path: str, fmt: str) -> None:
    head = (shared_data / path).read_bytes()[:65536]
    assert detect_format(head, path) == fmt


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("avr_sample.avr", "avr"),
        ("sbs_sample.sbs", "sbs"),
        ("aircraft.json", "readsb"),
        ("aircraft_v2.json", "readsb"),
        ("opensky_states.csv", "opensky"),
        ("opensky_states.json", "opensky"),
    ],
)
def test_detect_fixtures(name: str, fmt: str) -> None:
    assert detect_format((DATA / name).read_bytes(), name) == fmt


def test_detect_mid_stream_beast(shared_data: Path) -> None:
    raw = (shared_data / CAPTURE).read_bytes()
    assert detect_format(raw[5:4096], "-") == "beast"  # joined mid-frame


def test_unknown_format() -> None:
    with pytest.raises(FormatError, match="unknown input format"):
        detect_format(b"hello world\nthis is prose\n", "notes.txt")
    assert detect_format(b"", "x.bin") == "beast"  # empty: the name decides
    assert "beast" in FORMATS and len(FORMATS) == 10


def test_missing_file_and_bad_format(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open"):
        open_source(str(tmp_path / "nope.bin"))
    with pytest.raises(InputError, match="directory"):
        open_source(str(tmp_path))
    with pytest.raises(FormatError):
        open_source(str(DATA / "aircraft.json"), fmt="parquet")


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.bin"
    p.write_bytes(b"")
    stats = IngestStats()
    src = open_source(str(p), stats=stats)
    assert list(src) == [] and src.total_bytes == 0 and not stats.rejected


@pytest.mark.parametrize("compress", [lzma.compress, bz2.compress])
def test_compressed_by_magic(shared_data: Path, tmp_path: Path, compress: object) -> None:
    raw = (shared_data / CAPTURE).read_bytes()
    p = tmp_path / "ulss7--1522782148.136310917--.dat"
    p.write_bytes(compress(raw))  # type: ignore[operator]
    src = open_source(str(p))
    assert src.format == "beast"
    assert sum(len(b) for b in src) == 13954
    assert src.position() == p.stat().st_size


def test_half_written_xz(shared_data: Path, tmp_path: Path) -> None:
    raw = (shared_data / CAPTURE).read_bytes()
    packed = lzma.compress(raw)
    p = tmp_path / "cut--1522782148--.log.xz"
    p.write_bytes(packed[: len(packed) // 2])
    stats = IngestStats()
    frames = FrameBatch.concat(list(open_source(str(p), stats=stats)))  # type: ignore[arg-type]
    assert 0 < len(frames) < 13954
    assert stats.rejected["truncated"] >= 1 and set(stats.rejected) == {"truncated"}
    with pytest.raises(InputError) as e:
        list(open_source(str(p), stats=IngestStats(strict=True)))
    assert e.value.offset is not None


def test_non_utf8_text(tmp_path: Path) -> None:
    p = tmp_path / "x.sbs"
    p.write_bytes(
        b"MSG,3,1,1,4CA2D6,1,2024/07/06,06:43:10.000,2024/07/06,06:43:10.010,,36000,,,,,,,,,,0\n"
        b"MSG,3,1,1,4CA2D6,1,2024/07/06,06:43:\xff\xfe,,,,,,,,,,,,,,\n"
    )
    stats = IngestStats()
    assert sum(len(o) for o in open_source(str(p), stats=stats)) == 1
    assert stats.rejected == {"bad_encoding": 1}


def test_named_pipe(shared_data: Path, tmp_path: Path) -> None:
    import os
    import threading

    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    raw = (shared_data / CAPTURE).read_bytes()

    def writer() -> None:
        with open(fifo, "wb") as w:
            w.write(raw)

    t = threading.Thread(target=writer)
    t.start()
    src = open_source(str(fifo), start_time=0.0)
    assert src.format == "beast" and src.total_bytes is None
    b = FrameBatch.concat(list(src))  # type: ignore[arg-type]
    t.join()
    assert len(b) == 13954 and b.timestamp[0] == 0.0


def test_stop_event_ends_file_reading(shared_data: Path) -> None:
    import threading

    stop = threading.Event()
    src = open_source(str(shared_data / CAPTURE), stop=stop, batch_size=1000)
    it = iter(src)
    next(it)
    stop.set()
    rest = list(it)
    assert sum(len(b) for b in rest) <= 13954


def test_stdin(shared_data: Path) -> None:
    import subprocess
    import sys

    code = (
        "from skywitness.sources import open_source\n"
        "src = open_source('-', start_time=5.0)\n"
        "n = sum(len(b) for b in src)\n"
        "print(src.format, n)\n"
    )
    raw = (shared_data / "traffic-raw-frames/sample_dump1090.bin").read_bytes()
    out = subprocess.run(
        [sys.executable, "-c", code], input=raw, capture_output=True, check=True, timeout=60
    )
    assert out.stdout.split() == [b"beast", b"239"]


def test_detection_is_the_registry_table() -> None:
    """Each format's sniffers sit in its registry row; ranks are unique, so the order in which
    they are tried is the table's, not an accident of listing."""
    ranks = [s.rank for fmt in REGISTRY for s in fmt.sniffs]
    assert len(ranks) == len(set(ranks))
    assert all(fmt.sniffs for fmt in REGISTRY)
    assert tuple(fmt.name for fmt in REGISTRY) == FORMATS
    hints = [n.rank for fmt in REGISTRY for n in fmt.names]
    assert len(hints) == len(set(hints))
