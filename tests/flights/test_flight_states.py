"""``rowarrays.flight_states``: the flight columns in canonical types, addresses lowercase;
a column with no capital is kept as it is (not lowered into fresh memory), one with any capital
(ASCII or not, in any chunk) is lowered as ``utf8_lower`` lowers it."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import rowarrays
from skywitness.flights.rowarrays import FLIGHT_COLUMNS, flight_states
from skywitness.store import load_traffic_json


def test_canonical_addresses_kept_as_they_are(shared_data: Path) -> None:
    t = load_traffic_json(shared_data / "traffic-trajectories/collections/quickstart.json.gz")
    out = flight_states(t)
    assert out.column_names == list(FLIGHT_COLUMNS)
    assert out.num_rows == 284_505
    assert out.column("icao24").equals(t.column("icao24").cast(pa.string()))
    col = t.column("icao24").combine_chunks()
    assert rowarrays._lower(col) is col


def test_capitals_lowered_in_any_chunk() -> None:
    for texts in (["abc123", "ABC123"], ["abc123", "ÀBC123"], ["abc123", "4ca2dZ"]):
        col = pa.chunked_array([pa.array(["4ca2d6", None]), pa.array(texts)])
        assert rowarrays._lower(col).equals(pc.utf8_lower(col)), texts
        assert not rowarrays._lower(col).equals(col)


def test_a_slice_checks_its_own_text_only(monkeypatch: pytest.MonkeyPatch) -> None:
    arr = pa.array(["ABCDEF", "abc123", "4ca2d6", "XYZ999"]).slice(1, 2)
    assert rowarrays._lower(arr) is arr
    monkeypatch.setattr(rowarrays, "CASE_CHECK_BYTES", 1)  # a byte a block: same answers
    assert rowarrays._lower(arr) is arr
    assert rowarrays._lower(pa.array(["abc12Z"])).equals(pa.array(["abc12z"]))
    assert rowarrays._lower(pa.array([], pa.string())).equals(pa.array([], pa.string()))
