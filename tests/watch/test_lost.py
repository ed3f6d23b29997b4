"""Lost aircraft remembered in columns (``watch.lost``) until the watch forgets them: the same
events as when each kept its ``AircraftState`` in the event source's dict, and the Python
objects of an aircraft gone let go when it is lost, not a day later (#17 item 12)."""

from __future__ import annotations

import gc
import sys
from typing import Any

from skywitness.watch import EventSource, WatchKind
from skywitness.watch.lost import LostAircraft, address_code, address_text
from skywitness.watch.source import FORGET_S, LOST_S
from skywitness.watch.state_events import AircraftState

from .helpers import T0, states


def test_address_codes_round_trip() -> None:
    for text in ("000000", "3c6444", "ffffff", "~3c6444", "~000001"):
        code = address_code(text)
        assert code is not None and address_text(code) == text
    assert address_code("~3c6444") != address_code("3c6444")
    for bad in ("3C6444", "3c644", "3c64444", "~3c64", "zz0000", "", "~"):
        assert address_code(bad) is None


def test_take_gives_back_the_state_it_left_and_forget_names_the_old() -> None:
    lost = LostAircraft()
    a = AircraftState(last_t=100.0, lat=50.0, lon=8.5, alt=3000.0, callsign="DLH4AB",
                      squawk="7700", inside=[True], has_position=True, lost=True)  # fmt: skip
    b = AircraftState(last_t=50.0, callsign="A" * 9, lost=True)  # too long: stays with caller
    c = AircraftState(last_t=60.0, lost=True)
    assert lost.add(["3c6444", "3c0001", "~00abcd", "x1"], [a, b, c, c]) == [1, 3]
    assert len(lost) == 2 and lost.first_t() == 60.0
    back = lost.take(["3c6444", "3c9999", "bad"])
    assert list(back) == ["3c6444"] and len(lost) == 1
    got = back["3c6444"]
    assert (got.last_t, got.lat, got.lon, got.alt) == (100.0, 50.0, 8.5, 3000.0)
    assert (got.callsign, got.squawk, got.lost) == ("DLH4AB", "7700", True)
    assert lost.forget(60.0) == [] and lost.forget(60.5) == ["~00abcd"] and len(lost) == 0
    assert lost.take(["3c6444"]) == {} and lost.first_t() is None


def _rows(icao: str, t0: float, n: int = 3, callsign: str = "T1") -> list[dict[str, Any]]:
    return [{"t": t0 + 10.0 * k, "icao24": icao, "callsign": callsign, "latitude": 50.0,
             "longitude": 8.0 + 0.01 * k, "altitude": 30000.0, "squawk": "1000",
             "source": "test"} for k in range(n)]  # fmt: skip


def _events(src: EventSource, rows: list[dict[str, Any]]) -> list[tuple[str, int, float]]:
    ev = src.feed(states(sorted(rows, key=lambda r: (r["t"], r["icao24"]))))
    return [(str(a), int(k), float(t) - T0)
            for a, k, t in zip(ev.icao24, ev.kind, ev.timestamp, strict=True)]  # fmt: skip


def test_a_lost_aircraft_back_is_seen_again_and_forgotten_after_a_day() -> None:
    """Lost, in the columns (one with an address that is not hex stays in the dict): heard
    again, seen again with its last callsign; lost again, then forgotten a day after."""
    src = EventSource(subscribed=True)
    first = [*_rows("3c6444", T0), *_rows("odd1", T0)]
    got = _events(src, first)
    got += _events(src, _rows("4b0001", T0 + LOST_S + 400.0))
    assert ("3c6444", int(WatchKind.LOST), 20.0) in got and (
        "odd1",
        int(WatchKind.LOST),
        20.0,
    ) in got
    assert len(src._lost) == 1 and "3c6444" not in src._aircraft and src._aircraft["odd1"].lost
    assert src.remembered() == 2  # (4b0001's window not evaluated yet: 120 s late)
    again = _events(src, [*_rows("3c6444", T0 + 2000.0), *_rows("odd1", T0 + 2000.0)])
    again += _events(src, _rows("4b0003", T0 + 2300.0))  # (their window evaluated)
    seen = [(a, t) for a, k, t in again if k == int(WatchKind.SEEN)]
    assert seen[-2:] == [("3c6444", 2000.0), ("odd1", 2000.0)]
    assert src._lost.code.tolist() == [address_code("4b0001")]  # lost meanwhile
    assert not src._aircraft["3c6444"].lost
    later = T0 + 2000.0 + FORGET_S + 2 * LOST_S + 600.0
    _events(src, _rows("4b0002", later))
    forgotten, _ = src.take_forgotten()
    assert sorted(forgotten) == ["3c6444", "4b0001", "4b0003", "odd1"]
    assert src.remembered() == 0 and len(src._lost) == 0  # (4b0002: not evaluated yet)


def test_the_objects_of_a_lost_aircraft_are_let_go() -> None:
    """5,000 aircraft heard, then lost: the interpreter's blocks fall by more than 5 an
    aircraft (each held ~10 as an ``AircraftState``: it held them for a day)."""
    n = 5000
    src = EventSource(subscribed=True)
    rows = [r for i in range(n) for r in _rows(f"3c{i:04x}", T0, 2, callsign=f"T{i}")]
    _events(src, rows)
    _events(src, _rows("4b0001", T0 + 200.0))  # the window of the 5,000 evaluated
    gc.collect()
    live = sys.getallocatedblocks()
    assert len(src._aircraft) == n
    _events(src, _rows("4b0002", T0 + LOST_S + 500.0))  # ... and those that lose them
    gc.collect()
    assert len(src._lost) == n + 1 and len(src._aircraft) == 0
    assert sys.getallocatedblocks() < live - 5 * n
