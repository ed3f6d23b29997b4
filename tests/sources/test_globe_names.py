"""``globe_names.is_globe_input``: which sources an ingest reads as readsb globe-history day
archives (and so hands to ``cli.globe_ingest``), over each kind of source the ingest takes."""

from __future__ import annotations

from pathlib import Path

from skywitness.sources.globe_names import is_globe_input


def test_archives_and_trace_folders_only(tmp_path: Path) -> None:
    archives = [
        "day.tar.aa",
        "v2019.09.20-planes-readsb-prod-0.tar.ab",
        "day.tar",
        "day.tar.gz",
        "day.tar.xz",
        "day.tar.bz2",
    ]
    others = ["states.parquet", "frames.bin", "trace_full_ac671b.json", "avr.txt.gz"]
    for name in [*archives, *others]:
        (tmp_path / name).write_bytes(b"\x00" * 16)
    (tmp_path / "folder" / "traces").mkdir(parents=True)
    (tmp_path / "feeder" / "2024").mkdir(parents=True)
    (tmp_path / "plain").mkdir()
    globe = [str(tmp_path / n) for n in [*archives, "folder", "feeder"]]
    not_globe = [str(tmp_path / n) for n in [*others, "plain", "absent.tar.aa"]]
    not_globe += ["tcp://localhost:30005", "-"]
    assert [s for s in globe if not is_globe_input(s)] == []
    assert [s for s in not_globe if is_globe_input(s)] == []
