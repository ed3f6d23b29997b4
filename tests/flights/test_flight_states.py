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

#: Flights of the switzerland collection gated as ``ingest`` gates it (the same as of its
#: texts decoded, which is what main built: ``bench/ingest_same.py`` compares the stores).
FLIGHTS = 1_244


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


def test_dictionary_texts_kept_but_the_addresses(shared_data: Path) -> None:
    """The states gate's dictionary-encoded texts: callsign and source kept encoded (the
    flights' word codes read them so), the addresses decoded; the same flights either way."""
    from skywitness.flights.builder import airport_inference
    from skywitness.flights.stage import build_all
    from skywitness.sources.states import plain_texts
    from skywitness.stats import IngestStats
    from skywitness.store.schema import canonicalize
    from skywitness.track.states_gate import gate_states

    path = shared_data / "traffic-trajectories/collections/switzerland.json.gz"
    gated = gate_states(canonicalize(load_traffic_json(path)), stats=IngestStats())
    out = flight_states(gated)
    assert pa.types.is_dictionary(out.column("callsign").type)
    assert pa.types.is_dictionary(out.column("source").type)
    assert out.column("icao24").type == pa.string()
    assert plain_texts(out).equals(flight_states(plain_texts(gated)))
    inference = airport_inference(None, None)
    flights = build_all(gated, inference)
    assert flights.equals(build_all(plain_texts(gated), inference))
    assert flights.num_rows == FLIGHTS
