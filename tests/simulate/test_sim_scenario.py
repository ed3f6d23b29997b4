"""Scenario files: what loads, and the line-numbered errors for what does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywitness.errors import ConfigError
from skywitness.simulate import list_builtin, load_builtin, load_scenario, parse_scenario, resolve
from skywitness.simulate.flightpath import PARKED_S

from .conftest import SHORT_TOML

GOOD = """\
start = 2020-01-01T00:00:00Z

[[receivers]]
name = "r"
lat = 50.0
lon = 8.5
radius_nm = 200

[[aircraft]]
icao24 = "3c6444"
registration = "D-AIBA"
type = "A319"
callsign = "dlh4ab"
cruise_altitude_ft = 30000
cruise_speed_kt = 420
route = [
    { airport = "EDDF", depart = 2020-01-01T00:10:00Z },
    { airport = "EDDM", ground_min = 40 },
    { airport = "EDDF" },
]
"""


def test_a_good_file_loads_with_defaults() -> None:
    sc = parse_scenario(GOOD, "good.toml")
    assert sc.name == "good" and sc.label == "simulated" and sc.seed == 0
    assert sc.start == 1577836800.0
    (a,) = sc.aircraft
    assert a.icao24 == 0x3C6444 and a.callsign == "DLH4AB"
    assert a.squawk == "1000" and a.category == "A3" and a.operator == ""
    assert [s.airport.icao for s in a.route] == ["EDDF", "EDDM", "EDDF"]
    assert a.route[0].airport.elevation_ft == 364.0
    assert a.route[1].ground_s == 2400.0
    leg1, leg2 = a.plan.legs
    assert leg1.off_block == 1577837400.0 and leg1.start == leg1.off_block - PARKED_S
    assert leg2.off_block == leg1.on_block + 2400.0
    (r,) = sc.receivers
    assert (r.altitude_ft, r.noise_db, r.loss) == (100.0, 0.0, 0.0)
    assert sc.end == leg2.end


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'icao24 = "3c6444"',
            'icao24 = "3c64"',
            "good.toml, line 10: aircraft[0].icao24",
        ),
        ('callsign = "dlh4ab"', 'callsign = "DLH-4"', "line 13: aircraft[0].callsign"),
        ("cruise_speed_kt = 420", "cruise_speed_kt = 2000", "line 15: aircraft[0].cruise_speed_kt"),
        ("cruise_speed_kt = 420", 'cruise_speed_kt = "fast"', "expected a number"),
        ("cruise_speed_kt = 420", "cruise_speed_kt = true", "expected a number"),
        ('"EDDM"', '"XXXX"', "line 18: aircraft[0].airport: unknown airport 'XXXX'"),
        ("ground_min = 40", "ground_min = 1", "line 18: aircraft[0].airport: stop 2: leaves EDDM"),
        (
            '{ airport = "EDDF" },\n]',
            '{ airport = "EDDM" },\n]',
            "line 19: aircraft[0].airport: stop 3",
        ),
        ("radius_nm = 200", "radius_nm = -5", "line 7: receivers[0].radius_nm: -5 is outside"),
        ('name = "r"', 'name = " "', "line 4: receivers[0].name: empty"),
        (
            "start = 2020-01-01T00:00:00Z",
            "start = 2020-01-01T00:00:00",
            "line 1: start: give a UTC",
        ),
        ("start = 2020-01-01T00:00:00Z", "start = 2020-01-01T00:20:00Z", "aircraft[0].depart"),
        ("start = 2020", 'label = "real"\nstart = 2020', "line 1: label: must start with"),
        ("start = 2020", "colour = 1\nstart = 2020", "line 1: colour: unknown key"),
        ("lat = 50.0", "lat = [", "good.toml, line 6: not valid TOML"),
    ],
)
def test_bad_files_name_line_and_field(old: str, new: str, message: str) -> None:
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    with pytest.raises(ConfigError) as err:
        parse_scenario(text, "good.toml")
    assert message in str(err.value)


def test_structural_errors() -> None:
    with pytest.raises(ConfigError, match="start: missing"):
        parse_scenario("[[receivers]]\n", "x.toml")
    with pytest.raises(ConfigError, match="the first stop needs depart"):
        parse_scenario(GOOD.replace(", depart = 2020-01-01T00:10:00Z", ""), "x.toml")
    with pytest.raises(ConfigError, match=r"last stop .* cannot have a departure"):
        parse_scenario(GOOD.replace('"EDDF" },\n]', '"EDDF", ground_min = 5 },\n]'), "x.toml")
    with pytest.raises(ConfigError, match="aircraft: at least one"):
        parse_scenario("aircraft = []\n" + GOOD.split("[[aircraft]]")[0], "x.toml")
    rx = GOOD[GOOD.index("[[receivers]]") : GOOD.index("[[aircraft]]")]
    with pytest.raises(ConfigError, match=r"line 10: receivers\[1\].name: 'r' is also"):
        parse_scenario(GOOD.replace(rx, rx + rx), "x.toml")
    two = GOOD + GOOD[GOOD.index("[[aircraft]]") :]
    with pytest.raises(ConfigError, match=r"line 22: aircraft\[1\].icao24: 3c6444 is also"):
        parse_scenario(two, "x.toml")


def test_files_builtins_and_resolve(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(SHORT_TOML, encoding="utf-8")
    assert load_scenario(path).name == "short"
    assert resolve(str(path)).source == str(path)
    with pytest.raises(ConfigError, match="cannot read scenario"):
        load_scenario(tmp_path / "missing.toml")
    assert list_builtin() == ["caracas"]
    assert resolve("caracas").name == "caracas"
    with pytest.raises(ConfigError, match=r"no built-in scenario 'nowhere' \(built-in: caracas\)"):
        load_builtin("nowhere")
