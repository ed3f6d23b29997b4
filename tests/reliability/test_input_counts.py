"""Counted rejects instead of tracebacks, and counts that add up (issue #17 defects 10, 11):
states input accepted once, physical ranges on decoded readers (OpenSky CSV on SBS text),
invalid UTF-8 in a jsonl frame, 1e400 values, deep JSON nesting in every JSON reader, and
clear errors (not tracebacks) for outputs and stores that cannot be written."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from skywitness.cli.main import main
from skywitness.runtime.pipeline import RunOptions, decode_tables, track_tables
from skywitness.sources.source import make_parser
from skywitness.stats import IngestStats

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
DATA = Path(__file__).resolve().parents[1] / "data"


def test_states_json_is_counted_once(tmp_path: Path, shared_data: Path) -> None:
    """Defect 11: a states JSON document reported accepted 756 > read 378 (counted twice)."""
    table = pa.concat_tables(list(track_tables([str(shared_data / CAPTURE)], RunOptions(),
                                               IngestStats())))  # fmt: skip
    rows = table.to_pylist()
    for r in rows:
        r["timestamp"] = round(r["timestamp"].timestamp() * 1000)  # unix ms, as traffic writes
    doc = tmp_path / "states.json"
    doc.write_text(json.dumps(rows, default=str), encoding="utf-8")
    stats = IngestStats()
    got = sum(t.num_rows for t in decode_tables([str(doc)], RunOptions(fmt="states"), stats))
    assert stats.frames == stats.accepted == len(rows) == got == 526


def test_opensky_format_on_sbs_text_accepts_nothing() -> None:
    """Defect 11: ``--format opensky`` on SBS text accepted rows at 777,847 kt."""
    from skywitness.sources import open_source

    st = IngestStats()
    got = sum(len(b) for b in open_source(str(DATA / "sbs_sample.sbs"), "opensky", st))
    assert got == 0 and st.frames == st.rejected_total == 9


def test_speeds_times_and_squawks_out_of_range_are_rejected(tmp_path: Path) -> None:
    doc = {"now": 1717667763.0, "aircraft": [
        {"hex": "4840d6", "gs": 777847.0},
        {"hex": "4840d7", "alt_baro": 1e300},
        {"hex": "4840d8", "seen": -1e300},
        {"hex": "4840d9", "squawk": 1e300, "gs": 120},
    ]}  # fmt: skip
    from skywitness.sources import open_source

    path = tmp_path / "aircraft.json"
    path.write_text(json.dumps(doc))
    st = IngestStats()
    (obs,) = [b for b in open_source(str(path), "readsb", st) if len(b)]
    assert len(obs) == 1 and obs.squawk.tolist() == [-1]  # type: ignore[union-attr]
    assert st.rejected["bad_record"] == 3


def test_jsonl_frame_with_invalid_utf8_is_a_counted_reject() -> None:
    """Defect 10: the fast jsonl path raised UnicodeDecodeError."""
    good = b'{"timestamp":1717667763.69,"frame":"8d4840d6202cc371c32ce0576098"}\n'
    bad = good.replace(b'098"', b'098\xff"')
    st = IngestStats()
    p = make_parser("jsonl", st, "x")
    out = p.feed(bad + good) + p.finish()
    assert sum(len(b) for b in out) == 1 and dict(st.rejected) == {"bad_encoding": 1}


@pytest.mark.parametrize(
    ("fmt", "doc"),
    [
        ("readsb", b'{"now": 1, "aircraft": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
        ("trace", b"[" * 50_000),
        ("jsonl", b'{"frame": ' + b"[" * 50_000 + b"\n"),
        ("states", b"{" * 50_000),
        ("opensky", b'{"time": 1, "states": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"),
    ],
)
def test_json_nested_too_deep_is_a_counted_reject(fmt: str, doc: bytes) -> None:
    """Defect 10: RecursionError from every JSON reader."""
    st = IngestStats()
    p = make_parser(fmt, st, "x", document=fmt == "opensky")
    out = p.feed(doc) + p.finish()
    assert out == [] and st.rejected_total == 1


def test_unwritable_output_and_store_are_clear_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Defect 10: ``-o`` or a data dir that cannot be written gave a traceback. (A file where a
    directory is needed fails like a read-only file system does, for any user.)"""
    blocker = tmp_path / "file"
    blocker.write_text("x")
    src = str(DATA / "sbs_sample.sbs")
    assert main(["track", src, "-o", str(blocker / "out.parquet"), "-q"]) == 1
    assert main(["ingest", src, "--data-dir", str(blocker / "data"), "-q"]) == 1
    err = capsys.readouterr().err
    assert err.count("skywitness: error:") == 2 and "Traceback" not in err
    assert "Not a directory" in err and "cannot open store" in err


def test_a_100_mb_line_stays_bounded() -> None:
    """A newline-less 100 MB stream: never more than one line's bound held, each 1 MiB piece
    rejected as one bad line."""
    from skywitness.sources.textio import MAX_LINE_BYTES

    st = IngestStats()
    p = make_parser("sbs", st, "x")
    chunk = b"A" * (1 << 20)
    held = 0
    for _ in range(100):
        assert p.feed(chunk) == []
        held = max(held, p._lines.pending)  # type: ignore[attr-defined]
    p.finish()
    assert held <= MAX_LINE_BYTES and st.frames == st.rejected["bad_line"] >= 49


@pytest.mark.parametrize("name", ["/dev/zero", "big"])
def test_rule_area_and_rules_file_sizes_are_bounded(tmp_path: Path, name: str) -> None:
    """Defect 9: ``area = {geojson = "/dev/zero"}`` grew until the OOM killer came."""
    from skywitness.errors import ConfigError
    from skywitness.watch.rules import load_rules, parse_rules

    path = name
    if name == "big":
        big = tmp_path / "big.geojson"
        with big.open("wb") as fh:
            fh.truncate((64 << 20) + 1)  # sparse: no disk used
        path = str(big)
    text = f'[[rule]]\nname = "r"\nevent = "seen"\narea = {{geojson = "{path}"}}\n'
    with pytest.raises(ConfigError, match="larger than"):
        parse_rules(text, "rules.toml", tmp_path)
    rules = tmp_path / "rules.toml"
    rules.symlink_to("/dev/zero") if name == "/dev/zero" else rules.write_bytes(b"#" * (5 << 20))
    with pytest.raises(ConfigError, match="larger than"):
        load_rules(rules)
