"""An input that yields nothing: exit status 1, the reason said, and not recorded as ingested
(a retry reads it again instead of answering "already ingested")."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from skywitness.cli import ingest_cmd
from skywitness.store import Store


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    ingest_cmd.register(parser.add_subparsers())
    args = parser.parse_args(["ingest", "--quiet", *argv])
    return int(args.func(args))


def test_input_that_yields_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "states.csv"
    junk.write_text("time,icao24,lat,lon,baroaltitude\nnot-a-time,zz,1,2,3\n")
    data = tmp_path / "data"
    assert run("--data-dir", str(data), str(junk)) == 1
    err = capsys.readouterr().err
    assert "nothing stored" in err and "none usable" in err
    assert run("--data-dir", str(data), str(junk)) == 1  # read again, not "already ingested"
    assert "already ingested" not in capsys.readouterr().err
    with Store(data, read_only=True) as s:
        assert [r.status for r in s.ingests()] == ["empty", "empty"]
        assert s.find_ingest(s.ingests()[0].sha256 or "") is None
