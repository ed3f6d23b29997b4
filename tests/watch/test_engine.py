"""Geofences, identity matchers, time windows, the cooldown gate and state-derived events."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from skywitness.identify import Identity
from skywitness.identify.identity import WatchlistEntry
from skywitness.watch import Cooldown, EventSource, Geofence, Watch, WatchKind, parse_rules
from skywitness.watch.engine import identity_matches, in_time_window

from .helpers import T0, states


def test_polygon_with_hole_and_circle() -> None:
    outer = [[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]]
    hole = [[4.0, 4.0], [6.0, 4.0], [6.0, 6.0], [4.0, 6.0]]
    fence = Geofence.make_polygons("f", [[outer, hole]])
    lat = np.array([1.0, 5.0, 9.9, 11.0, np.nan, 5.0])
    lon = np.array([1.0, 5.0, 9.9, 5.0, 5.0, 3.0])
    assert fence.contains(lat, lon).tolist() == [True, False, True, False, False, True]
    circle = Geofence.make_circle("c", 48.0, 2.0, 10.0)  # 10 nm = 0.1667 deg of latitude
    got = circle.contains(np.array([48.16, 48.17, 48.0]), np.array([2.0, 2.0, np.nan]))
    assert got.tolist() == [True, False, False]


def _ident(**kw: object) -> Identity:
    return Identity(icao24="4b7f4a", **kw)  # type: ignore[arg-type]


def test_identity_matchers() -> None:
    rs = parse_rules(
        """
[[rule]]
name = "a"
event = "seen"
registry_country = "CH"
classification = "military"
registration = "T-7*"
operator = "SWISS AIR FORCE"
watchlist_tag = "jet"
"""
    )
    rule = rs.rules[0]
    wl = WatchlistEntry("plane-alert-db", "Swiss Air Force", "Mil", "Jet, Fighter", "", "pa 1")
    hit = _ident(
        country_iso2="CH",
        country="Switzerland",
        registration="T-711",
        operator="Swiss Air Force",
        classification="military",
        watchlists=(wl,),
    )
    assert identity_matches(rule, hit)
    assert not identity_matches(rule, _ident(country_iso2="CH", classification="military"))
    from dataclasses import replace

    assert not identity_matches(rule, replace(hit, registration="HB-JVA"))
    assert not identity_matches(rule, replace(hit, classification="civil"))


def test_time_window_wraps_midnight_and_days() -> None:
    rs = parse_rules(
        '[[rule]]\nname = "n"\nevent = "seen"\nhours = ["22:00-06:00"]\ndays = "thu"\n'
    )
    # T0 is Thursday 12:00 UTC; +11 h = 23:00 Thu, +17 h = 05:00 Fri, +35 h = 23:00 Fri
    t = T0 + np.array([0.0, 11.0, 17.0, 35.0, -7.0]) * 3600  # -7 h: Thu 05:00
    assert in_time_window(rs.rules[0], t).tolist() == [False, True, False, False, True]


RULE_COOLDOWN = parse_rules(
    '[[rule]]\nname = "c"\nevent = "seen"\ncooldown = 600\nonce_per = "none"\n'
).rules[0]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c"]), st.floats(0, 5_000, allow_nan=False)),
        max_size=60,
    )
)
def test_cooldown_never_fires_twice_within_window(events: list[tuple[str, float]]) -> None:
    gate = Cooldown()
    fired: dict[str, list[float]] = {}
    for icao, t in events:
        if gate.allow(RULE_COOLDOWN, "seen", icao, "", t):
            fired.setdefault(icao, []).append(t)
    for times in fired.values():
        for i, a in enumerate(times):
            for b in times[i + 1 :]:
                assert abs(a - b) >= 600
    if events:  # the first event of each aircraft always fires
        assert set(fired) == {i for i, _ in events}


def test_once_per_flight() -> None:
    rule = parse_rules('[[rule]]\nname = "o"\nevent = "landing"\n').rules[0]
    gate = Cooldown()
    assert gate.allow(rule, "landing", "a", "f1", 0.0)
    assert not gate.allow(rule, "landing", "a", "f1", 9_999.0)
    assert gate.allow(rule, "landing", "a", "f2", 10.0)
    assert gate.allow(rule, "landing", "b", "f1", 10.0)


def _track() -> list[dict[str, object]]:
    """One aircraft flying north through a 5 nm circle, squawking 7700 inside it, then lost."""
    rows = []
    for k in range(40):
        rows.append(
            {
                "t": T0 + 10.0 * k,
                "icao24": "3c6444",
                "callsign": "DLH4AB",
                "latitude": 49.8 + 0.01 * k,
                "longitude": 2.0,
                "altitude": 30000.0,
                "squawk": "7700" if 15 <= k < 18 else "1000",
                "onground": False,
                "source": "test",
            }
        )
    return rows


RULES = """
[[rule]]
name = "zone"
event = ["enter", "leave"]
once_per = "none"
area = { circle = { lat = 50.0, lon = 2.0, radius_nm = 5 } }

[[rule]]
name = "mayday"
event = "emergency"

[[rule]]
name = "gone"
event = ["seen", "lost"]
registry_country = "DE"
"""


def test_state_events_independent_of_chunking() -> None:
    rows = _track()
    src_all = EventSource(parse_rules(RULES).fences)
    whole = [src_all.feed(states(rows)), src_all.flush()]
    src_one = EventSource(parse_rules(RULES).fences)
    ones = [src_one.feed(states([r])) for r in rows] + [src_one.flush()]

    def flat(parts: list) -> list:  # type: ignore[type-arg]
        out = []
        for p in parts:
            out += [p.row(i) for i in range(len(p))]
        return out

    events = flat(whole)
    assert events == flat(ones)
    assert [(e["event"], e["timestamp"] - T0) for e in events] == [
        ("seen", 0.0),
        ("enter", 120.0),
        ("emergency", 150.0),
        ("leave", 290.0),
        ("lost", 390.0),
    ]


def test_watch_alerts_from_states() -> None:
    watch = Watch(parse_rules(RULES))
    watch.feed(states(_track()))
    watch.flush()
    got = [(a.rule, a.event, a.timestamp - T0, a.area) for a in watch.alerts]
    assert got == [
        ("gone", "seen", 0.0, ""),
        ("zone", "enter", 120.0, "zone"),
        ("mayday", "emergency", 150.0, ""),
        ("zone", "leave", 290.0, "zone"),
        ("gone", "lost", 390.0, ""),
    ]
    mayday = watch.alerts[2]
    assert mayday.squawk == "7700" and mayday.identity["country"] == "DE"
    assert [p["timestamp"] - T0 for p in mayday.positions] == [130.0, 140.0, 150.0, 160.0, 170.0]
    assert mayday.sources == ["test"]
    assert WatchKind.EMERGENCY.label == "emergency"
