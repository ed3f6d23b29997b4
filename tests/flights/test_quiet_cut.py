"""Aircraft gone quiet (``incremental.QUIET_S`` behind the newest point of any aircraft) are cut
at their last settled airborne rows (``flights.settle``): their older rows are released long
before ``FINAL_SILENCE_S``, and the flights are still the bulk build's, whatever comes after
the silence (a turnaround and a new flight, a return airborne, nothing). A quiet cut waits until
the quiet aircraft hold ``cutting.CUT_MIN_ROWS`` (its check is a build): here each test's one
or two aircraft stand for those many, the bound 0, but in the last test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from skywitness.flights import FlightBuilder, build_flights, cutting
from skywitness.flights.settle import CUT_POINTS

from .test_settle import ORDER, _flight, _live
from .truth import load_any

EDDF = (50.0379, 8.5622)
CUT_MIN_ROWS = cutting.CUT_MIN_ROWS  # the default, before the fixture below sets it to 0


@pytest.fixture(autouse=True, scope="module")
def _every_quiet_cut() -> Iterator[None]:
    """Quiet aircraft cut however few rows they hold (module-scoped: the property tests')."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cutting, "CUT_MIN_ROWS", 0)
        yield


def _with(table: pa.Table, icao: str, t0_ms: int) -> pa.Table:
    """``table`` as aircraft ``icao`` with its first row at ``t0_ms``."""
    ms = np.asarray(table["timestamp"].cast(pa.int64()).to_numpy())
    ts = pa.array(ms - ms[0] + t0_ms).cast(pa.timestamp("ms", tz="UTC"))
    table = table.set_column(0, "timestamp", ts)
    return table.set_column(1, "icao24", pa.array([icao] * table.num_rows))


def _back(out: pa.Table) -> pa.Table:
    """``out`` flown backwards: from where it ended back down to its first row's ground."""
    rev = out.take(pa.array(np.arange(out.num_rows)[::-1]))
    ms = np.asarray(out["timestamp"].cast(pa.int64()).to_numpy())
    t = (ms[-1] + 1000) + (ms[-1] - ms[::-1])
    rev = rev.set_column(0, "timestamp", pa.array(t).cast(out["timestamp"].type))
    trk = (np.asarray(rev["track"].to_numpy()) + 180.0) % 360.0
    rev = rev.set_column(rev.schema.get_field_index("track"), "track", pa.array(trk))
    vr = -np.asarray(rev["vertical_rate"].to_numpy())
    i = rev.schema.get_field_index("vertical_rate")
    return rev.set_column(i, "vertical_rate", pa.array(vr))


def _day(out_h: float, step_s: float, kt: float, silence_h: float, vanish_min: float,
         again: bool, heading: float, clock_s: float = 30.0) -> pa.Table:  # fmt: skip
    """An aircraft flies out of LFPG and back (landing, taxi; or, with ``vanish_min``, out of
    coverage that long before its landing), is silent ``silence_h``, then (``again``) flies
    once more from LFPG; another aircraft out of EDDF the whole time (a row every ``clock_s``)
    keeps the clock going."""
    out = _flight(out_h, step_s, kt, heading=heading)
    trip = pa.concat_tables([out, _back(out)])
    ms = np.asarray(trip["timestamp"].cast(pa.int64()).to_numpy())
    if vanish_min:
        trip = trip.filter(pa.array(ms < ms[-1] - vanish_min * 60_000))
    end = int(np.asarray(trip["timestamp"].cast(pa.int64()).to_numpy())[-1])
    parts = [trip]
    if again:
        nxt = _flight(out_h, step_s, kt, heading=heading + 40.0)
        parts.append(_with(nxt, "39bda3", end + round(silence_h * 3_600_000)))
    span_h = (end - ms[0]) / 3_600_000 + silence_h + (2 * out_h if again else 0.0) + 0.5
    clock = _flight(span_h, clock_s, 450.0, start=EDDF, heading=200.0)
    parts.append(_with(clock, "4ca777", int(ms[0])))
    return pa.concat_tables(parts)


def test_a_landed_aircraft_holds_its_last_minutes_only(runways: pa.Table) -> None:
    """Out and back at one row a second, landed, silent for 4 h: cut when quiet, its rows
    before its last airborne minutes released (held for the 4 h before: its rows since the
    last cut of its flight in progress, over 1,000), the same flights as bulk."""
    states = _day(1.0, 1.0, 450.0, 4.0, 0.0, False, 95.0, clock_s=120.0)
    builder, uncut = FlightBuilder(runways), FlightBuilder(runways, quiet_s=None)
    _live(states, builder)
    _live(states, uncut)
    bulk = build_flights(states, runways=runways).sort_by(ORDER)
    assert builder.flights().equals(bulk) and uncut.flights().equals(bulk)
    assert builder.quiet_cuts == 1
    assert uncut.retained_rows_of("39bda3") > 1_000
    # its last airborne minute or two and its landing roll and taxi (5 min at 1 row a second)
    assert CUT_POINTS < builder.retained_rows_of("39bda3") < 600
    # and the released rows are freed: the cut's summary holds copies of its rows, not slices
    # that keep alive every row it was cut from (they did: more bytes than the uncut held)
    assert builder.held_bytes() * 2 < uncut.held_bytes()


def test_a_few_quiet_aircraft_wait_for_a_cut_that_pays(
    runways: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same day with the default ``CUT_MIN_ROWS``: the landed aircraft's ~1,000 rows
    alone do not pay for a quiet cut's build, so it keeps them (memory, no step's work: it has
    no new rows to rebuild); once the bound is below what it holds, it is cut. The flights are
    the bulk build's either way."""
    states = _day(1.0, 1.0, 450.0, 4.0, 0.0, False, 95.0, clock_s=120.0)
    bulk = build_flights(states, runways=runways).sort_by(ORDER)
    monkeypatch.setattr(cutting, "CUT_MIN_ROWS", CUT_MIN_ROWS)
    waits = FlightBuilder(runways)
    _live(states, waits)
    monkeypatch.setattr(cutting, "CUT_MIN_ROWS", 1_000)
    cut = FlightBuilder(runways)
    _live(states, cut)
    assert waits.flights().equals(bulk) and cut.flights().equals(bulk)
    assert (waits.quiet_cuts, cut.quiet_cuts) == (0, 1)
    assert waits.retained_rows_of("39bda3") > 1_000 > cut.retained_rows_of("39bda3")


#: The days of ``_day`` the property tests draw (and tests/flights/test_parking.py's), with the
#: window of the live steps.
DAYS = {
    "out_h": st.floats(0.4, 1.2),
    "step_s": st.sampled_from([1.0, 5.0, 15.0]),
    "kt": st.sampled_from([150.0, 460.0]),
    "silence_h": st.sampled_from([0.05, 0.2, 0.5, 2.0, 5.5]),
    "vanish_min": st.sampled_from([0.0, 3.0, 20.0]),
    "again": st.booleans(),
    "heading": st.floats(0.0, 359.0),
    "window_s": st.sampled_from([60, 300]),
}


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(**DAYS)
def test_quiet_cuts_never_change_a_flight(
    runways: pa.Table,
    out_h: float,
    step_s: float,
    kt: float,
    silence_h: float,
    vanish_min: float,
    again: bool,
    heading: float,
    window_s: int,
) -> None:
    """Landed or vanished airborne, silent for minutes or hours, back for a new flight or not:
    the live flights with quiet cuts equal the bulk build over all the rows."""
    states = _day(out_h, step_s, kt, silence_h, vanish_min, again, heading)
    builder = FlightBuilder(runways)
    _live(states, builder, window_s)
    assert builder.late == 0
    assert builder.flights().equals(build_flights(states, runways=runways).sort_by(ORDER))


@pytest.mark.parametrize("name", ["switzerland.json.gz", "calfire.json.gz"])
def test_real_quiet_aircraft_cut_live_equal_bulk(
    trajectories: Path, runways: pa.Table, name: str
) -> None:
    """Real trajectories of many aircraft in 60 s windows: aircraft that went quiet were cut,
    fewer rows held than without, the same flights as bulk."""
    states = load_any(next(trajectories.rglob(name)))
    builder, uncut = FlightBuilder(runways), FlightBuilder(runways, quiet_s=None)
    held, held_uncut = _live(states, builder), _live(states, uncut)
    assert builder.quiet_cuts > 0
    assert sum(held) < sum(held_uncut)
    bulk = build_flights(states, runways=runways).sort_by(ORDER)
    assert builder.flights().equals(bulk) and uncut.flights().equals(bulk)
