"""The incremental builder forgets aircraft codes with their aircraft (``flights.forget``, #17
item 12): its code dict and per-code arrays hold the aircraft in play, not every address seen.
And an aircraft heard only every few seconds is cut once its rows held span
``cutting.SETTLE_SPAN_S`` (not only at ``settle_rows``): it holds minutes of rows, not its
whole flight, and its flights are still the bulk build's."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest

from skywitness.flights import FlightBuilder, build_flights, cutting, forget

from .test_incremental import _stream
from .test_settle import ORDER, _flight, _live

H_MS = 3_600_000


def _later(row: pa.Table, icao24: str, t_ms: int) -> pa.Table:
    """``row`` as aircraft ``icao24`` at ``t_ms``."""
    row = row.set_column(0, "timestamp", pa.array([t_ms]).cast(pa.timestamp("ms", tz="UTC")))
    return row.set_column(1, "icao24", pa.array([icao24]))


def _fed(states: pa.Table) -> FlightBuilder:
    """``states`` (in time order) fed in 10-minute windows."""
    ms = states["timestamp"].cast("int64").to_numpy()
    builder = FlightBuilder()
    edges = np.searchsorted(ms, np.arange(ms[0], ms[-1] + 600_000, 600_000))
    for a, b in itertools.pairwise([*edges.tolist(), ms.shape[0]]):
        if b > a:
            builder.update(states.slice(a, b - a))
    return builder


def test_forgotten_aircraft_free_their_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    """12 aircraft one after another for 30 h; 13 h after the last point a new aircraft: the
    12 were forgotten 6 h after their last points and are 12 h past them (``FORGET_CODE_S``),
    so their codes go (the threshold set to 1 code); the flights are the bulk build's. A
    freed aircraft heard again is a new aircraft (the bulk build's flights still)."""
    monkeypatch.setattr(forget, "FORGET_MIN_CODES", 1)
    stream = _stream()
    builder = _fed(stream)
    # over the 30 h, at most 5 of the 12 aircraft were free at once: fewer than half
    assert (len(builder._code), builder.codes_freed) == (12, 0)
    end = int(stream["timestamp"].cast("int64").to_numpy()[-1])
    new = _later(stream.slice(0, 1), "4cb000", end + 13 * H_MS)
    builder.update(new)
    assert (list(builder._code), builder.codes_freed) == (["4cb000"], 12)
    assert builder._names.tolist() == ["4cb000"]
    assert builder._newest.tolist() == [end + 13 * H_MS]
    assert builder.retained_rows() == 1
    both = pa.concat_tables([stream, new])
    assert builder.flights().equals(build_flights(both).sort_by(ORDER))
    again = _later(stream.slice(0, 1), "4ca000", end + 13 * H_MS + 30_000)
    builder.update(again)
    assert list(builder._code) == ["4cb000", "4ca000"]
    assert builder.flights().num_rows == 12 * 12  # (a point on the ground alone: no flight)
    assert builder.flights().equals(build_flights(pa.concat_tables([both, again])).sort_by(ORDER))


def test_codes_kept_below_the_threshold() -> None:
    """With the default threshold (``FORGET_MIN_CODES`` 4,096 codes) 12 free codes stay."""
    stream = _stream()
    builder = _fed(stream)
    end = int(stream["timestamp"].cast("int64").to_numpy()[-1])
    builder.update(_later(stream.slice(0, 1), "4cb000", end + 13 * H_MS))
    assert (len(builder._code), builder.codes_freed, int(forget.free_codes(builder).sum())) == (
        13,
        0,
        12,
    )


@pytest.mark.parametrize(
    ("step_s", "cuts", "held_max", "held_end", "cuts_rows_only", "held_max_rows_only"),
    [(3.0, 9, 441, 281, 2, 981), (2.0, 9, 661, 421, 4, 991)],
)
def test_sparse_aircraft_cut_by_span(
    monkeypatch: pytest.MonkeyPatch,
    step_s: float,
    cuts: int,
    held_max: int,
    held_end: int,
    cuts_rows_only: int,
    held_max_rows_only: int,
) -> None:
    """A 2 h flight heard every ``step_s`` (2,400 or 3,600 rows) fed a minute at a time: cut
    once its rows span 20 min (``SETTLE_SPAN_S``, 400 or 600 rows), then each time its rows
    double, it holds at most 441 / 661 rows; cut only at ``settle_rows`` (1,000 rows) it held
    981 / 991. The flights are the bulk build's either way. One aircraft stands for the many
    whose cuts pay for their build (``cutting.CUT_MIN_ROWS`` 0)."""
    monkeypatch.setattr(cutting, "CUT_MIN_ROWS", 0)
    states = _flight(2.0, step_s, 450.0)
    bulk = build_flights(states).sort_by(ORDER)
    builder = FlightBuilder()
    held = _live(states, builder)
    assert (builder.cuts, max(held), held[-1]) == (cuts, held_max, held_end)
    assert builder.flights().equals(bulk)
    monkeypatch.setattr(cutting, "SETTLE_SPAN_S", 1e9)  # rows only, as before
    builder = FlightBuilder()
    held = _live(states, builder)
    assert (builder.cuts, max(held)) == (cuts_rows_only, held_max_rows_only)
    assert builder.flights().equals(bulk)
