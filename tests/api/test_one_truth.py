"""#10 acceptance 2: live (``serve`` fed by the simulator), bulk (``ingest`` + flights) and
``watch --replay`` give the same flights and the same alerts, and every alert's flight id is a
flight that ``/api/flights`` lists. Data: the built-in Caracas scenario (11 flights, docs/demo.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from skywitness.api import create_app
from skywitness.cli.main import main
from skywitness.runtime.demo import DEMO_RULES
from skywitness.runtime.history import ingest, open_history
from skywitness.runtime.pipeline import RunOptions
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.simulate import load_builtin, simulate
from skywitness.simulate.writers import write_capture
from skywitness.store import Store
from skywitness.watch import list_alerts
from tests.api.conftest import call
from tests.fixtures import run_service_to_idle

#: Alerts on the Caracas scenario (see ``_expected_alerts``).
CARACAS_ALERTS = 32

#: Every flight event of every aircraft, and the demo's question.
RULES = (
    DEMO_RULES
    + """
[[rule]]
name = "all-flight-events"
event = ["takeoff", "landing", "departure", "arrival"]
"""
)


def _expected_alerts(flights: list[dict[str, Any]]) -> int:
    """One alert per flight event the flights table says happened (docs/rules.md), plus the
    demo rule's two RFF arrivals."""
    n = sum(bool(f["estDepartureAirport"]) + bool(f["estArrivalAirport"]) for f in flights)
    n += sum(bool(f["departure_observed"]) and f["takeoff_time"] is not None for f in flights)
    n += sum(bool(f["arrival_observed"]) and f["landing_time"] is not None for f in flights)
    return n + 2


def _flights(data: Path) -> list[dict[str, Any]]:
    with Store(data, read_only=True) as st:
        return sorted(st.query_flights().to_pylist(), key=lambda r: str(r["flight_id"]))


def _alerts(data: Path) -> list[tuple[Any, ...]]:
    with Store(data, read_only=True) as st:
        found = list_alerts(st.connection)
    return sorted(
        (a.rule, a.event, a.icao24, a.flight_id, round(a.timestamp, 3), a.airport) for a in found
    )


@pytest.fixture(scope="module")
def caracas(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("caracas") / "caracas.jsonl"
    write_capture(simulate(load_builtin("caracas")), str(path))
    return path


def test_live_bulk_and_replay_agree(caracas: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(RULES, encoding="utf-8")
    # bulk: ingest (flights rebuilt), then the rules replayed over the store
    bulk = tmp_path / "bulk"
    store = open_history(bulk)
    try:
        ingest(store, [str(caracas)], RunOptions())
    finally:
        store.close()
    replay = ["watch", "--replay", "--rules", str(rules), "--data-dir", str(bulk), "-q"]
    assert main([*replay, "--since", "2019-09-19", "--until", "2019-09-21"]) == 0
    # live: the service reads the capture as a feed, with the rules
    live = tmp_path / "live"
    cfg = ServiceConfig(
        sources=[str(caracas)],
        data_dir=live,
        rules=rules,
        idle_expiry=False,
        flights_interval_s=0.2,
    )
    run_service_to_idle(cfg)
    assert len(_flights(bulk)) == 11
    assert _flights(live) == _flights(bulk)
    assert len(_alerts(bulk)) == _expected_alerts(_flights(bulk)) == CARACAS_ALERTS
    assert _alerts(live) == _alerts(bulk)
    # what the API of a restarted service lists: every alert names one of its flights
    again = Service(ServiceConfig(sources=[], data_dir=live)).start()
    try:
        app = create_app(again)
        listed = call(app, "GET", "/api/flights?limit=1000").json()["flights"]
        alerts = call(app, "GET", "/api/alerts?limit=1000").json()["alerts"]
    finally:
        again.stop()
        assert again.wait_closed(60)
    ids = {f["flight_id"] for f in listed}
    assert len(ids) == 11 and len(alerts) == CARACAS_ALERTS
    assert all(a["flight_id"] in ids for a in alerts)
