"""``globe_options.maybe_archive``: never False where ``sources.globe.is_globe_input`` is True
(an ingest would skip an archive), over each kind of source the ingest takes."""

from __future__ import annotations

from pathlib import Path

from skywitness.cli.globe_options import maybe_archive
from skywitness.sources.globe import is_globe_input


def test_maybe_archive_holds_of_every_globe_input(tmp_path: Path) -> None:
    names = [
        "day.tar.aa",
        "v2019.09.20-planes-readsb-prod-0.tar.ab",
        "day.tar",
        "day.tar.gz",
        "day.tar.xz",
        "day.tar.bz2",
        "states.parquet",
        "frames.bin",
        "trace_full_ac671b.json",
        "avr.txt.gz",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"\x00" * 16)
    (tmp_path / "folder" / "traces").mkdir(parents=True)
    (tmp_path / "feeder" / "2024").mkdir(parents=True)
    (tmp_path / "plain").mkdir()
    specs = [str(tmp_path / n) for n in [*names, "folder", "feeder", "plain", "absent.tar.aa"]]
    specs += ["tcp://localhost:30005", "-"]
    globe = [s for s in specs if is_globe_input(s)]
    assert len(globe) == 8  # the six archives and the two folders of traces
    for s in globe:
        assert maybe_archive([s]), s
    for s in specs:
        if ".tar" not in Path(s).name and not Path(s).is_dir():
            assert not maybe_archive([s]), s
