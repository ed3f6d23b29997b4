"""The change gate of the live flights step: new flights and material changes pass at once,
progress-only changes at most about once a ``progress_s`` per flight, nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.flights import FLIGHT_SCHEMA
from skywitness.flights.gate import ChangeGate, _spread

T0 = datetime(2019, 9, 20, 8, tzinfo=UTC)


def flights(*rows: dict[str, Any]) -> pa.Table:
    full = [
        {
            "icao24": "154060",
            "firstSeen": T0,
            "lastSeen": T0 + timedelta(seconds=r.get("n_positions", 0)),
            **r,
        }
        for r in rows
    ]
    return pa.Table.from_pylist(full, schema=FLIGHT_SCHEMA)


def ids(table: pa.Table) -> list[str]:
    return sorted(table.column("flight_id").to_pylist())


def test_new_and_material_changes_pass_progress_waits() -> None:
    gate = ChangeGate(progress_s=60.0)
    out, gone = gate.select(flights({"flight_id": "a", "n_positions": 1}), [], now=0.0)
    assert ids(out) == ["a"] and gone == [] and gate.held == 0
    out, _ = gate.select(flights({"flight_id": "a", "n_positions": 2}), [], now=1.0)
    assert out.num_rows == 0 and gate.held == 1  # progress only: held
    arrival = {"flight_id": "a", "n_positions": 3, "estArrivalAirport": "SVMI"}
    out, _ = gate.select(flights(arrival), [], now=2.0)
    assert out.to_pylist()[0]["estArrivalAirport"] == "SVMI" and gate.held == 0
    out, _ = gate.select(flights({**arrival, "n_positions": 4}), [], now=3.0)
    assert out.num_rows == 0 and gate.held == 1
    # the held row passes once its interval is over, even in a step that does not touch it
    due = 2.0 + 60.0 * _spread("a")
    out, _ = gate.select(flights({"flight_id": "b"}), [], now=due - 0.1)
    assert ids(out) == ["b"] and gate.held == 1
    out, _ = gate.select(flights(), [], now=due)
    assert [r["n_positions"] for r in out.to_pylist()] == [4] and gate.held == 0


def test_removed_flights_pass_and_are_no_longer_held() -> None:
    gate = ChangeGate(progress_s=60.0)
    gate.select(flights({"flight_id": "a"}, {"flight_id": "b"}), [], now=0.0)
    gate.select(flights({"flight_id": "a", "n_positions": 5}), [], now=1.0)
    assert gate.held == 1
    out, gone = gate.select(flights({"flight_id": "c"}), ["a"], now=2.0)
    assert ids(out) == ["c"] and gone == ["a"] and gate.held == 0 and gate.flush() is None


def test_flush_hands_over_the_latest_held_rows() -> None:
    gate = ChangeGate(progress_s=60.0)
    gate.select(flights({"flight_id": "a"}, {"flight_id": "b"}), [], now=0.0)
    gate.select(flights({"flight_id": "a", "n_positions": 5}), [], now=1.0)
    gate.select(flights({"flight_id": "a", "n_positions": 7}), [], now=2.0)
    held = gate.flush()
    assert held is not None and held.to_pylist()[0]["n_positions"] == 7 and held.num_rows == 1
    assert gate.held == 0 and gate.flush() is None


def test_flights_not_passed_for_long_are_forgotten() -> None:
    gate = ChangeGate(progress_s=60.0, forget_s=3600.0)
    gate.select(flights({"flight_id": "a"}), [], now=0.0)
    gate.select(flights({"flight_id": "b"}), [], now=4000.0)  # prunes "a"
    out, _ = gate.select(flights({"flight_id": "a", "n_positions": 1}), [], now=4001.0)
    assert ids(out) == ["a"]  # counts as new again: passed at once


def test_spread_is_within_half_and_one_and_a_half() -> None:
    values = [_spread(f"{k:06x}-20190920T0800") for k in range(2000)]
    assert 0.5 <= min(values) < 0.55 and 1.45 < max(values) < 1.5


# -- properties: over any sequence of steps -------------------------------------------------
steps = st.lists(
    st.tuples(
        st.floats(0.0, 50.0),  # seconds since the previous step
        st.lists(  # (flight, material value or None, progress) changed in this step
            st.tuples(st.sampled_from("abcd"), st.sampled_from([None, "SVMI", "UUWW"])),
            max_size=4,
            unique_by=lambda t: t[0],
        ),
        st.lists(st.sampled_from("abcd"), max_size=1),  # removed in this step
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(steps)
def test_nothing_is_lost_and_progress_is_rate_limited(seq: list[Any]) -> None:
    gate = ChangeGate(progress_s=60.0)
    now, counter = 0.0, 0
    latest: dict[str, dict[str, Any]] = {}  # the newest row given, per flight (None: removed)
    passed: dict[str, dict[str, Any]] = {}  # the newest row passed on
    last_pass: dict[str, float] = {}
    for dt, changes, removed in seq:
        now += dt
        rows = []
        for fid, airport in changes:
            counter += 1
            if fid in removed:
                continue
            rows.append({"flight_id": fid, "estArrivalAirport": airport, "n_positions": counter})
        out, gone = gate.select(flights(*rows), removed, now=now)
        assert gone == removed
        for fid in removed:
            latest.pop(fid, None)
            passed.pop(fid, None)
            last_pass.pop(fid, None)
        for r in rows:
            fid = r["flight_id"]
            new_or_material = fid not in passed or (
                passed[fid]["estArrivalAirport"] != r["estArrivalAirport"]
            )
            if new_or_material:  # passed at once
                assert fid in out.column("flight_id").to_pylist()
            latest[fid] = r
        for r in out.to_pylist():
            fid = r["flight_id"]
            material = fid in passed and (
                passed[fid]["estArrivalAirport"] != r["estArrivalAirport"]
            )
            if fid in last_pass and not material:  # progress only: not sooner than 0.5x
                assert now - last_pass[fid] >= 30.0
            passed[fid], last_pass[fid] = r, now
        # nothing held longer than 1.5x the interval after its last pass
        held_rows = gate.held_rows()
        held = held_rows.to_pylist() if held_rows is not None else []
        for r in held:
            assert now - last_pass[r["flight_id"]] < 90.0
    flushed = gate.flush()
    for r in flushed.to_pylist() if flushed is not None else []:
        passed[r["flight_id"]] = r
    want = {fid: r["n_positions"] for fid, r in latest.items()}
    assert {fid: r["n_positions"] for fid, r in passed.items()} == want


def test_a_finished_flight_passes_its_held_row_at_once_and_is_forgotten() -> None:
    gate = ChangeGate(progress_s=60.0)
    gate.select(flights({"flight_id": "a", "n_positions": 1}), [], now=0.0)
    out, _ = gate.select(flights({"flight_id": "a", "n_positions": 2}), [], now=1.0)
    assert out.num_rows == 0 and gate.held == 1
    out, _ = gate.select(flights(), [], now=2.0, finished=["a"])
    assert [r["n_positions"] for r in out.to_pylist()] == [2] and gate.held == 0
    # forgotten: a later row of the same id (a recall) counts as new and passes
    out, _ = gate.select(flights({"flight_id": "a", "n_positions": 3}), [], now=3.0)
    assert ids(out) == ["a"]


def test_an_empty_select_at_the_same_clock_changes_nothing() -> None:
    """A hand-over between two windows (nothing changed, the clock not moved): nothing passes
    and the held change stays held, to pass once the clock reaches its due time."""
    gate = ChangeGate(progress_s=60.0)
    gate.select(flights({"flight_id": "a", "n_positions": 1}), [], now=0.0)
    out, _ = gate.select(flights({"flight_id": "a", "n_positions": 2}), [], now=1.0)
    assert out.num_rows == 0 and gate.held == 1
    for now in (1.0, 0.5):
        out, gone = gate.select(flights(), [], now=now)
        assert out.num_rows == 0 and gone == [] and gate.held == 1
        assert out.schema == FLIGHT_SCHEMA
    out, _ = gate.select(flights(), [], now=200.0)
    assert out["n_positions"].to_pylist() == [2] and gate.held == 0
