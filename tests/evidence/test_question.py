"""The question model: options and TOML give the same question; bad input is named."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from skywitness.errors import SkywitnessError
from skywitness.evidence.query import sequence_window
from skywitness.evidence.question import Sequence, from_dict, load_toml, parse_sequence

TOML = """
text = "Russian state aircraft that flew to Venezuela"
[aircraft]
registry_country = ["RU"]
military = true
government = true
[where]
countries = ["VE"]
sequence = { first = "RU", then = "VE", hours = 24 }
[when]
since = 2019-09-15
until = "2019-09-25"
"""


def test_toml_and_dict_agree(tmp_path: Path) -> None:
    path = tmp_path / "q.toml"
    path.write_text(TOML, encoding="utf-8")
    q = load_toml(path)
    assert q.query.who.registry_country == ("RU",)
    assert q.query.who.classes == ("military", "government")
    assert q.query.flights.via_country == ("VE",)
    assert q.sequence == Sequence("RU", "VE", 24.0)
    assert q.since == datetime(2019, 9, 15, tzinfo=UTC)
    assert q.until == datetime(2019, 9, 26, tzinfo=UTC)  # a bare date includes that day
    assert from_dict(q.as_dict()) == q
    assert q.describe() == (
        "aircraft (military or government) (registered in RU); flying from or to VE; "
        "seen in RU, then in VE within 24 h; between 2019-09-15T00:00:00Z and 2019-09-26T00:00:00Z"
    )


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"classes": "pirate"}, "unknown classification"),
        ({"countries": "VEN"}, "alpha-2"),
        ({"colour": "red"}, r"unknown question key\(s\): colour"),
        ({"since": "yesterday"}, "not a date or time"),
        ({"since": "2019-09-20", "until": "2019-09-19T00:00"}, "--until must be after"),
        ({"sequence": "RU,VE"}, "PLACE_A,PLACE_B,HOURS"),
        ({"sequence": "RU,VE,soon"}, "hours must be a number"),
    ],
)
def test_bad_questions_are_named(doc: dict[str, object], message: str) -> None:
    with pytest.raises(SkywitnessError, match=message):
        from_dict(doc)


def test_bad_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text("since = [", encoding="utf-8")
    with pytest.raises(SkywitnessError, match=r"bad\.toml"):
        load_toml(path)


def test_comma_lists_and_sequence_text() -> None:
    q = from_dict({"icao24": ["1551E0,154073"], "airports": "svmi, uuww"})  # an old key
    assert q.query.flights.icao24 == ("1551e0", "154073")
    assert q.query.flights.via == ("SVMI", "UUWW")
    assert q.as_dict()["via"] == ["SVMI", "UUWW"]
    assert parse_sequence("UUWW,SVMI,14") == Sequence("UUWW", "SVMI", 14.0)


def test_sequence_window() -> None:
    ts = np.array(["2019-09-20T05:00", "2019-09-20T06:00", "2019-09-20T17:00"], "datetime64[ms]")
    in_a = np.array([True, True, False])
    in_b = np.array([False, False, True])
    assert sequence_window(ts, in_a, in_b, 12.0) == (ts[1], ts[2])
    assert sequence_window(ts, in_a, in_b, 10.0) is None
    assert sequence_window(ts, in_b, in_a, 48.0) is None  # B before A is no sequence
