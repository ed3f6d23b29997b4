"""Acceptance 3: replay over the store gives exactly the flights table's LFPB landings, and the
same alerts as live processing of the same input."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from skywitness.flights import AirportIndex
from skywitness.store import Store
from skywitness.watch import Alert, Watch, list_alerts, parse_rules, replay

from .conftest import TEST_STEP_S

RULES = """
[[rule]]
name = "landing-lfpb"
event = "landing"
airport = "LFPB"

[[rule]]
name = "takeoff-france"
event = "takeoff"
country = "FR"

[[rule]]
name = "near-cdg"
event = ["enter", "leave"]
area = { circle = { lat = 49.0097, lon = 2.5479, radius_nm = 5 } }
once_per = "none"

[[rule]]
name = "lost-near-lfpb-lfpg"
event = "lost"
area = { polygon = [[2.3, 48.9], [2.7, 48.9], [2.7, 49.1], [2.3, 49.1]] }

[[rule]]
name = "german-seen"
event = "seen"
registry_country = "DE"
"""
SINCE = datetime(2021, 10, 7, tzinfo=UTC)
UNTIL = datetime(2021, 10, 8, tzinfo=UTC)
LIVE_CHUNK_ROWS = 4_000  # about what the tracker hands on per batch


def _key(alerts: list[Alert]) -> list[tuple[object, ...]]:
    return [
        (a.alert_id, a.rule, a.event, a.timestamp, a.icao24, a.flight_id, a.airport, a.area)
        for a in alerts
    ]


@pytest.fixture(scope="module")
def live_alerts(quickstart_states: pa.Table) -> list[Alert]:
    watch = Watch(parse_rules(RULES), step_s=TEST_STEP_S)
    for off in range(0, quickstart_states.num_rows, LIVE_CHUNK_ROWS):
        watch.feed(quickstart_states.slice(off, LIVE_CHUNK_ROWS))
    watch.flush()
    return watch.alerts


@pytest.fixture(scope="module")
def replay_alerts(quickstart_store: Path) -> tuple[list[Alert], list[Alert], pa.Table]:
    with Store(quickstart_store) as store:
        watch = Watch(parse_rules(RULES), store=store, step_s=TEST_STEP_S)
        got = replay(watch, store, SINCE, UNTIL)
        stored = list_alerts(store.connection)
        flights = store.query_flights()
    return got, stored, flights


def test_landing_lfpb_is_the_flights_table(
    replay_alerts: tuple[list[Alert], list[Alert], pa.Table],
) -> None:
    alerts, _, flights = replay_alerts
    lfpb = flights.filter(
        pc.and_(pc.equal(flights["estArrivalAirport"], "LFPB"), flights["arrival_observed"])
    )
    expected = sorted(
        zip(lfpb["flight_id"].to_pylist(), lfpb["landing_time"].to_pylist(), strict=True)
    )
    got = sorted(
        (a.flight_id, datetime.fromtimestamp(a.timestamp, UTC))
        for a in alerts
        if a.rule == "landing-lfpb"
    )
    assert len(expected) == 16
    assert got == expected


def test_takeoff_france_is_the_flights_table(
    replay_alerts: tuple[list[Alert], list[Alert], pa.Table],
) -> None:
    alerts, _, flights = replay_alerts
    airports = AirportIndex.default()
    expected = sorted(
        r["flight_id"]
        for r in flights.to_pylist()
        if r["departure_observed"]
        and r["takeoff_time"] is not None
        and r["estDepartureAirport"]
        and (apt := airports.lookup(r["estDepartureAirport"])) is not None
        and apt.country == "FR"
    )
    got = sorted(a.flight_id for a in alerts if a.rule == "takeoff-france")
    assert got == expected


def test_live_and_replay_identical(
    live_alerts: list[Alert], replay_alerts: tuple[list[Alert], list[Alert], pa.Table]
) -> None:
    alerts, _, _ = replay_alerts
    assert _key(live_alerts) == _key(alerts)
    for x, y in zip(live_alerts, alerts, strict=True):
        dx, dy = x.as_dict(), y.as_dict()
        assert {k: (v, dy[k]) for k, v in dx.items() if dy[k] != v} == {}
    counts = {r: sum(a.rule == r for a in alerts) for r in sorted({a.rule for a in alerts})}
    assert counts == {
        "german-seen": 8,
        "landing-lfpb": 16,
        "lost-near-lfpb-lfpg": 64,
        "near-cdg": 220,
        "takeoff-france": 62,
    }


def test_alerts_stored_with_evidence(
    replay_alerts: tuple[list[Alert], list[Alert], pa.Table],
) -> None:
    alerts, stored, _ = replay_alerts
    by_time = sorted(_key(alerts), key=lambda k: (k[3], k[1], k[4], k[0]))
    assert sorted(_key(stored), key=lambda k: (k[3], k[1], k[4], k[0])) == by_time
    landing = next(a for a in stored if a.rule == "landing-lfpb")
    assert landing.positions and landing.sources
    assert landing.identity["icao24"] == landing.icao24
    assert landing.identity["country"]
