"""The incremental builder's per-aircraft counts of the rows it holds and the time of the oldest
(``flights.chunks.hold`` / ``release``, issue 17 item 12): kept up to date as rows come, are
cut, age out or are forgotten, instead of counted over every row held each step. After every
step they equal the count over the rows held, through cuts, quiet cuts, flights made final and
aircraft forgotten; and the texts held dictionary-encoded (``rowarrays.held_texts``) give the
bulk build's flights from plain texts."""

from __future__ import annotations

import itertools

import numpy as np
import pyarrow as pa
import pytest

from skywitness.flights import FlightBuilder, build_flights, cutting
from skywitness.flights.rowarrays import ALWAYS, HELD_TEXT_TYPE, HELD_TEXTS

from .test_cut_batch import _aircraft
from .test_quiet_cut import _day
from .test_settle import ORDER, WINDOW_S


def _counted(b: FlightBuilder) -> tuple[np.ndarray, np.ndarray]:
    """Rows held and the oldest's time per code, counted over every row held."""
    alive = b._k_code[b._k_alive]
    held = np.bincount(alive, minlength=len(b._code))
    oldest = np.full(len(b._code), ALWAYS, dtype=np.int64)
    np.minimum.at(oldest, alive, b._k_ms[b._k_alive])
    return held, oldest


def _stepped(states: pa.Table, b: FlightBuilder) -> int:
    """Feed ``states`` in 60 s windows, the counts checked after each step; the steps."""
    ms = np.asarray(states["timestamp"].cast(pa.int64()).to_numpy())
    order = np.argsort(ms, kind="stable")
    states, ms = states.take(pa.array(order)), ms[order]
    steps = 0
    for lo, hi in itertools.pairwise(
        range(int(ms[0]), int(ms[-1]) + 2 * WINDOW_S * 1000, WINDOW_S * 1000)
    ):
        a, z = np.searchsorted(ms, [lo, hi])
        if z > a:
            b.update(states.slice(int(a), int(z - a)))
            held, oldest = _counted(b)
            assert np.array_equal(b._held, held) and np.array_equal(b._oldest, oldest)
            assert b.retained_rows() == int(held.sum())
            steps += 1
    return steps


def test_counts_follow_cuts_of_several_aircraft(runways: pa.Table) -> None:
    """Four aircraft cut every 300 rows held (batched cuts): the counts are the rows held
    after every step, and the flights the bulk build's."""
    states = pa.concat_tables([_aircraft(f"39bda{k}", 20.0 * k, 40.0 + 70 * k) for k in range(4)])
    b = FlightBuilder(runways, settle_rows=300)
    assert _stepped(states, b) > 100
    assert b.cuts >= 20
    assert b.flights().equals(build_flights(states, runways=runways).sort_by(ORDER))


def test_counts_follow_quiet_cuts_and_forgotten_aircraft(
    runways: pa.Table, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out and back, landed, silent for 6.5 h (quiet cut, then forgotten), a new flight: the
    counts are the rows held after every step; the flights the bulk build's. (The aircraft
    stands for the many whose quiet rows pay for a cut's build: ``CUT_MIN_ROWS`` 0.)"""
    monkeypatch.setattr(cutting, "CUT_MIN_ROWS", 0)
    states = _day(0.6, 5.0, 450.0, 6.5, 0.0, True, 95.0, clock_s=120.0)
    b = FlightBuilder(runways)
    _stepped(states, b)
    assert b.quiet_cuts >= 1
    assert b.flights().equals(build_flights(states, runways=runways).sort_by(ORDER))


def test_texts_are_held_dictionary_encoded(runways: pa.Table) -> None:
    """Plain callsigns and sources in, held as dictionaries (int32 indices into their words:
    a feed's source ~30 bytes a row as text); the flights those of the plain rows."""
    states = _aircraft("39bda1", 0.0, 70.0)
    assert all(pa.types.is_string(states[name].type) for name in HELD_TEXTS)
    b = FlightBuilder(runways, settle_rows=300)
    _stepped(states, b)
    assert all(c[name].type == HELD_TEXT_TYPE for c in b._chunks for name in HELD_TEXTS)
    assert b.flights().equals(build_flights(states, runways=runways).sort_by(ORDER))
