"""``skywitness track --receivers``: Beast files per receiver, or one stream with 0xe3 ids;
and the receivers TOML file's errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from skywitness.cli.main import main
from skywitness.errors import ConfigError
from skywitness.mlat import ClockKind, parse_receivers
from skywitness.mlat.receivers import receivers_toml
from skywitness.simulate.multirx import Capture, ModeSOnly, SimReceiver, capture
from skywitness.simulate.scenario import AircraftSpec

from .netsim import T0, network, traffic

DURATION_S = 60.0
#: The aircraft, the Mode S-only ones, the receivers and what they heard.
Sim = tuple[list[AircraftSpec], ModeSOnly, tuple[SimReceiver, ...], Capture]


@pytest.fixture(scope="module")
def sim() -> Sim:
    acs, only = traffic(16, 3, DURATION_S, seed=11)
    rxs = network(ClockKind.COUNTER_12MHZ, seed=4)
    return acs, only, rxs, capture(acs, rxs, T0, T0 + DURATION_S, seed=2, mode_s_only=only)


def _check(out: Path, only: ModeSOnly) -> None:
    t = pq.read_table(out)
    assert "position_error" in t.column_names
    src = np.array(t.column("position_source").to_pylist(), dtype=object)
    icao = np.array(t.column("icao24").to_pylist())
    err = np.array([np.nan if e is None else e for e in t.column("position_error").to_pylist()])
    mlat = src == "mlat"
    assert {f"{a:06x}" for a in only.icao24} <= set(icao[mlat].tolist())
    assert np.all(np.isfinite(err[mlat])) and np.all(np.isnan(err[~mlat]))
    print(f"\n[mlat cli] {mlat.sum()} mlat rows, median stated error {np.median(err[mlat]):.0f} m")
    assert np.median(err[mlat]) < 250.0


def test_track_receivers_one_file_per_receiver(sim: Sim, tmp_path: Path) -> None:
    _, only, rxs, cap = sim
    files = []
    for name, data in cap.beast_files().items():
        f = tmp_path / f"{name}.beast"
        f.write_bytes(data)
        files.append(str(f))
    toml = tmp_path / "receivers.toml"
    toml.write_text(receivers_toml([r.site for r in rxs]))
    out = tmp_path / "states.parquet"
    start = datetime.fromtimestamp(T0, UTC).isoformat()
    rc = main(
        ["track", *files, "--receivers", str(toml), "--start-time", start, "-o", str(out), "-q"]
    )
    assert rc == 0
    _check(out, only)


def test_track_receivers_one_stream_with_receiver_ids(sim: Sim, tmp_path: Path) -> None:
    _, only, rxs, cap = sim
    f = tmp_path / "merged.beast"
    f.write_bytes(cap.beast_merged())
    toml = tmp_path / "receivers.toml"
    toml.write_text(receivers_toml([r.site for r in rxs]))
    out = tmp_path / "states.parquet"
    start = datetime.fromtimestamp(T0, UTC).isoformat()
    rc = main(
        ["track", str(f), "--receivers", str(toml), "--start-time", start, "-o", str(out), "-q"]
    )
    assert rc == 0
    _check(out, only)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[receivers]]\nname = "a"\nlatitude = 95\nlongitude = 0\naltitude_m = 1\n',
            "<r>, line 3: receivers[0].latitude: 95 is outside -90..90",
        ),
        (
            '[[receivers]]\nname = "a"\nlatitude = 1\nlongitude = 0\naltitude_m = 1\nclock = "x"\n',
            "<r>, line 6: receivers[0].clock: expected one of ['12mhz', 'gps'], got 'x'",
        ),
        (
            '[[receivers]]\nname = "a"\nlatitude = 1\nlongitude = 0\n',
            "<r>, line 1: receivers[0].altitude_m: missing",
        ),
        (
            '[[receivers]]\nname = "a"\nlatitude = 1\nlongitude = 0\naltitude_m = 1\n'
            '[[receivers]]\nname = "a"\nlatitude = 1\nlongitude = 0\naltitude_m = 1\n',
            "<r>, line 7: receivers[1].name: 'a' is also receivers[0]",
        ),
        (
            '[[receivers]]\nname = "a"\nid = "zz"\nlatitude = 1\nlongitude = 0\naltitude_m = 1\n',
            "<r>, line 3: receivers[0].id: expected an integer or 0x hex text, got 'zz'",
        ),
    ],
)
def test_receivers_file_errors_name_the_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_receivers(text, "<r>")
    assert str(exc.value) == message


def test_receivers_round_trip() -> None:
    rxs = network(ClockKind.GPS)
    sites = parse_receivers(receivers_toml([r.site for r in rxs]))
    assert sites == tuple(r.site for r in rxs)
    assert sites[0].clock is ClockKind.GPS and sites[1].id == 2
