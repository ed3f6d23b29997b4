"""``watch`` live on a real Beast capture (sources -> decode -> track -> rules) and ``watch
--replay`` over a store holding the same tracker output give the same alerts; ``alerts`` lists
them."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pyarrow as pa
import pytest

from skywitness.cli.watch_cmd import register
from skywitness.runtime.pipeline import RunOptions, track_tables
from skywitness.stats import IngestStats
from skywitness.store import Store
from skywitness.watch import Alert, list_alerts

CAPTURE = "beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
RULES = """
[[notifier]]
name = "lines"
kind = "jsonl"
path = "alerts.jsonl"

[[rule]]
name = "any-seen"
event = ["seen", "lost"]

[[rule]]
name = "near-pulkovo"
event = ["enter", "leave", "seen"]
once_per = "none"
area = { circle = { lat = 59.8003, lon = 30.2625, radius_nm = 12 } }
"""


def _cli(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="skywitness")
    register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return int(args.func(args))


def _alerts(ddir: Path) -> list[Alert]:
    with Store(ddir, read_only=True) as store:
        return list_alerts(store.connection)


def test_live_equals_replay_through_cli(
    tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES)
    capture = str(shared_data / CAPTURE)
    live_dir, replay_dir = tmp_path / "live", tmp_path / "replay"
    assert _cli(["watch", "--rules", str(rules), capture, "--data-dir", str(live_dir), "-q"]) == 0
    live = _alerts(live_dir)
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert [json.loads(x)["alert_id"] for x in lines] == [a.alert_id for a in live]

    tables = list(track_tables([capture], RunOptions(), IngestStats()))
    with Store(replay_dir) as store:
        ingest = store.begin_ingest(capture, None, "beast", None)
        store.write_batch(ingest, pa.concat_tables(tables))
        store.finish_ingest(ingest, {})
    (tmp_path / "alerts.jsonl").unlink()
    argv = ["watch", "--rules", str(rules), "--replay", "--data-dir", str(replay_dir), "-q"]
    assert _cli([*argv, "--since", "2018-04-03", "--until", "2018-04-03"]) == 0
    replayed = _alerts(replay_dir)
    assert [a.as_dict() for a in replayed] == [a.as_dict() for a in live]
    near = [(a.event, a.icao24, a.timestamp) for a in live if a.rule == "near-pulkovo"]
    assert near == [("enter", "400159", 1522782167.679)]
    assert sum(a.event == "lost" for a in live) == 11  # at the end of the input
    assert sum(a.rule == "any-seen" and a.event == "seen" for a in live) == 11

    capsys.readouterr()
    assert (
        _cli(["alerts", "--data-dir", str(replay_dir), "--format", "csv", "--rule", "any-seen"])
        == 0
    )
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "time,rule,event,icao24,callsign,flight_id,airport,area"
    assert len(out) == 1 + 22
    assert _cli(["alerts", "--data-dir", str(replay_dir), "--format", "json"]) == 0
    got = [json.loads(x)["alert_id"] for x in capsys.readouterr().out.splitlines()]
    assert got == [a.alert_id for a in replayed]
    assert _cli(["alerts", "--data-dir", str(replay_dir), "--since", "2018-04-04"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == []
