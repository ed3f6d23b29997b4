"""Streaming invariance: any split of the input into batches gives the same rows and events."""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.model import Messages
from skywitness.track import StateVectors, Tracker
from tests.conftest import SHARED_DATA

from .helpers import LFPG, load_real

#: Rows 14,000-24,000 of full_flight_short: taxi, takeoff, climb (surface and airborne CPR,
#: Mode S replies, callsign and squawk).
WINDOW = slice(14_000, 24_000)


@cache
def _msgs() -> Messages:
    real = load_real(Path(SHARED_DATA) / "traffic-raw-frames" / "full_flight_short.jsonl.gz")
    return real.msgs.take(np.arange(len(real.msgs))[WINDOW])


def _run(
    msgs: Messages, cuts: list[int], rate_s: float, lost_s: float
) -> tuple[StateVectors, list[Any], np.ndarray]:
    tracker = Tracker(rate_s=rate_s, reference=LFPG, lost_after_s=lost_s)
    bounds = [0, *sorted(set(cuts)), len(msgs)]
    parts, lat = [], []
    for a, b in pairwise(bounds):
        if b > a:
            parts.append(tracker.update(msgs.take(np.arange(a, b)), "x"))
            lat.append(tracker.last_positions[0])
    parts.append(tracker.flush())
    events = sorted((e.timestamp, e.kind.value, e.icao24, repr(e.fields)) for e in tracker.events())
    return StateVectors.concat(parts), events, np.concatenate(lat)


@settings(max_examples=20, deadline=None)
@given(
    cuts=st.lists(st.integers(1, WINDOW.stop - WINDOW.start - 1), max_size=6),
    rate_s=st.sampled_from([0.0, 1.0, 5.0]),
    lost_s=st.sampled_from([60.0, 3.0]),  # 3 s: many losses and re-acquisitions
)
def test_any_batching_gives_the_same_output(cuts: list[int], rate_s: float, lost_s: float) -> None:
    msgs = _msgs()
    whole_sv, whole_ev, whole_lat = _run(msgs, [], rate_s, lost_s)
    sv, ev, lat = _run(msgs, cuts, rate_s, lost_s)
    np.testing.assert_array_equal(lat, whole_lat)
    assert ev == whole_ev
    assert len(sv) == len(whole_sv)
    for name in ("timestamp", "latitude", "altitude", "squawk", "onground", "callsign"):
        np.testing.assert_array_equal(getattr(sv, name), getattr(whole_sv, name))
