"""What the watch remembers is bounded by the aircraft heard lately, not by every aircraft
ever alerted on (#17 item 12: memory flat at 100,000 frames/s for hours).

The cooldown's once-per keys and fired times, the event source's reported flight events and
the rule engine's identities used to grow with every aircraft and alert of a run; an aircraft
the source forgets (``FORGET_S`` after it was lost) is now forgotten by all of them, with the
same alerts as before.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from skywitness.runtime.service import ALERTS_KEPT, Service, ServiceConfig
from skywitness.watch import Cooldown, EventSource, Watch, WatchKind, parse_rules
from skywitness.watch import engine as engine_mod
from skywitness.watch.recent import RecentSet
from skywitness.watch.source import FORGET_S, LOST_S

from .helpers import T0, states

RULES = """
[[rule]]
name = "first-seen"
event = "seen"

[[rule]]
name = "zone"
event = ["enter", "leave"]
area = { circle = { lat = 50.0, lon = 2.0, radius_nm = 5 } }
"""


def _flight(icao: str, t0: float, n: int = 40) -> list[dict[str, Any]]:
    """``icao`` flying north through the 5 nm circle from ``t0``, a point every 10 s."""
    return [
        {
            "t": t0 + 10.0 * k,
            "icao24": icao,
            "callsign": f"T{icao[-4:]}",
            "latitude": 49.8 + 0.01 * k,
            "longitude": 2.0,
            "altitude": 30000.0,
            "squawk": "1000",
            "onground": False,
            "source": "test",
        }
        for k in range(n)
    ]


def _alerts(watch: Watch) -> list[tuple[str, str, str, float]]:
    return [(a.rule, a.event, a.icao24, a.timestamp - T0) for a in watch.alerts]


def test_forgotten_aircraft_leave_nothing_behind() -> None:
    watch = Watch(parse_rules(RULES))
    first = [r for i in range(30) for r in _flight(f"3c{i:04x}", T0 + i)]
    watch.feed(states(sorted(first, key=lambda r: (r["t"], r["icao24"]))))
    kept = watch.kept()
    # seen and enter each (the leave's window is not evaluated yet: 120 s late)
    assert kept["aircraft"] == 30 and kept["cooldown"] == 30 * 2
    assert kept["identities"] == 30
    # a day later another aircraft: the first 30 were lost, then forgotten
    later = T0 + FORGET_S + 2 * LOST_S + 3600.0
    watch.feed(states(_flight("4b0001", later)))
    watch.flush()
    kept = watch.kept()
    assert kept["aircraft"] == 1 and kept["spans"] == 1 and kept["identities"] == 31
    assert kept["cooldown"] == 3  # the new aircraft's keys only
    got = _alerts(watch)
    assert len([a for a in got if a[0] == "first-seen"]) == 31
    assert len([a for a in got if a[1] == "enter"]) == 31


def test_a_forgotten_aircraft_alerts_as_a_new_one() -> None:
    """Once forgotten, an aircraft's old once-per keys no longer block it: the same alerts as
    an aircraft never seen (here the zone's enter and leave of the same flight id "")."""
    watch = Watch(parse_rules(RULES))
    watch.feed(states(_flight("3c0001", T0)))
    again = T0 + FORGET_S + 2 * LOST_S + 3600.0
    watch.feed(states(_flight("3c0001", again)))
    watch.flush()
    got = [(rule, ev, t - (again - T0) if t > FORGET_S else t) for rule, ev, _, t in _alerts(watch)]
    assert got[:3] == [
        ("first-seen", "seen", 0.0),
        ("zone", "enter", 120.0),
        ("zone", "leave", 290.0),
    ]
    assert got[3:] == got[:3]


def _flight_row(fid: str, icao: str, t0: float) -> pa.Table:
    ts = pa.timestamp("ms", tz="UTC")
    row = {
        "flight_id": fid, "icao24": icao, "callsign": "T0001",
        "firstSeen": (t0, ts), "lastSeen": (t0 + 390.0, ts), "takeoff_time": (t0 + 5.0, ts),
        "landing_time": (None, ts), "estDepartureAirport": "EDDF", "estArrivalAirport": None,
        "departure_observed": True, "arrival_observed": False,
    }  # fmt: skip
    cols = {}
    for k, v in row.items():
        cols[k] = (
            pa.array([round(v[0] * 1000)], pa.int64()).cast(v[1])
            if (isinstance(v, tuple) and v[0] is not None)
            else pa.array([None], v[1])
            if isinstance(v, tuple)
            else pa.array([v])
        )
    return pa.table(cols)


def test_reported_flight_events_are_forgotten_with_their_aircraft() -> None:
    """The (flight, event kind) pairs reported were kept for every flight of the run."""
    src = EventSource(subscribed=True)
    src.feed(states(_flight("3c0001", T0)))
    src.on_flights(_flight_row("3c0001-1", "3c0001", T0), [])
    got = src.feed(states(_flight("3c0002", T0 + 400.0, 60)))
    assert [(int(k), float(t) - T0) for k, t in zip(got.kind, got.timestamp, strict=True)
            if got.icao24[0] == "3c0001"].count((int(WatchKind.TAKEOFF), 5.0)) == 1  # fmt: skip
    assert src.kept()["emitted"] == 2  # takeoff, departure
    later = T0 + FORGET_S + 2 * LOST_S + 3600.0
    src.feed(states(_flight("4b0001", later)))
    assert src.kept()["emitted"] == 0 and src.take_forgotten()[0] == ["3c0001", "3c0002"]


def test_cooldown_forget_keeps_times_inside_the_cooldown() -> None:
    rule = parse_rules('[[rule]]\nname = "c"\nevent = "seen"\ncooldown = "10m"\n').rules[0]
    gate = Cooldown()
    assert gate.allow(rule, "seen", "a", "", 0.0)
    assert len(gate) == 2  # the once-per key and the fired time
    gate.forget(["a"], 300.0, [rule])
    assert len(gate) == 1  # the fired time still blocks: the cooldown has not passed
    assert not gate.allow(rule, "seen", "a", "", 400.0)
    gate.forget(["a"], 700.0, [rule])
    assert len(gate) == 0
    assert gate.allow(rule, "seen", "a", "", 700.0)


def test_no_cooldown_keeps_no_times() -> None:
    """A rule without a cooldown (the default) kept an empty list per rule and aircraft."""
    rule = parse_rules('[[rule]]\nname = "s"\nevent = "seen"\nonce_per = "none"\n').rules[0]
    gate = Cooldown()
    for i in range(100):
        assert gate.allow(rule, "seen", f"{i:06x}", "", float(i))
    assert len(gate) == 0


def test_identity_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = sorted(  # aircraft coming one after the other: a few at a time are new
        (r for i in range(12) for r in _flight(f"3c{i:04x}", T0 + 30.0 * i)),
        key=lambda r: (r["t"], r["icao24"]),
    )
    whole = Watch(parse_rules(RULES))
    whole.feed(states(rows))
    whole.flush()
    monkeypatch.setattr(engine_mod, "IDENTITIES_KEPT", 5)
    small = Watch(parse_rules(RULES))
    held = []
    for k in range(0, len(rows), 7):
        small.feed(states(rows[k : k + 7]))
        held.append(small.kept()["identities"])
    small.flush()
    assert max(held) == 6 and whole.kept()["identities"] == 12  # 5 + one window's new one
    assert _alerts(small) == _alerts(whole)
    assert [a.identity for a in small.alerts] == [a.identity for a in whole.alerts]


def test_recent_set_holds_the_last_n() -> None:
    s = RecentSet(3)
    for v in ["a", "b", "a", "c", "d"]:
        s.add(v)
    assert sorted(s) == ["a", "c", "d"] and len(s) == 3 and "b" not in s
    s.add("e")  # the older "a" goes; the newer one stays until it is 3 adds old
    assert sorted(s) == ["c", "d", "e"]


def test_service_watched_is_bounded() -> None:
    """``watched`` was every aircraft alerted on since start: 19,636 entries after 3 minutes
    of the 100,000 frames/s load, growing for as long as serve ran."""
    svc = Service(ServiceConfig(sources=[]))
    for i in range(ALERTS_KEPT + 5):
        svc.publish_alert({"id": f"a{i}", "icao24": f"{i:06x}", "rule": "r"})
    assert len(svc.watched) == ALERTS_KEPT and len(svc.alerts) == ALERTS_KEPT
    assert f"{4:06x}" not in svc.watched and f"{5:06x}" in svc.watched
    assert f"{ALERTS_KEPT + 4:06x}" in svc.watched
