"""``serve --receivers``: per-receiver Beast files through the live service; /api/stats shows
each receiver's clock sync and /api/aircraft the Mode S-only aircraft placed by mlat."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from skywitness.api import create_app
from skywitness.mlat import ClockKind
from skywitness.mlat.receivers import receivers_toml
from skywitness.runtime.service import Service, ServiceConfig
from skywitness.simulate.multirx import capture
from tests.api.conftest import call, wait_for

from .netsim import T0, network, traffic


def test_serve_with_receivers(tmp_path: Path) -> None:
    acs, only = traffic(16, 3, 60.0, seed=11)
    rxs = network(ClockKind.COUNTER_12MHZ, seed=4)
    cap = capture(acs, rxs, T0, T0 + 60.0, seed=2, mode_s_only=only)
    files = []
    for name, data in cap.beast_files().items():
        f = tmp_path / f"{name}--{int(T0)}.beast"  # the capture start in the name anchors it
        f.write_bytes(data)
        files.append(str(f))
    sites = [r.site for r in rxs]
    toml = tmp_path / "receivers.toml"
    # matched by source: the file names are not the receivers' names
    toml.write_text(
        receivers_toml(
            [
                s.make(s.name, s.id, s.latitude, s.longitude, s.altitude_m, s.clock, files[i])
                for i, s in enumerate(sites)
            ]
        )
    )
    svc = Service(ServiceConfig(sources=files, receivers=toml, idle_expiry=False)).start()
    try:
        total = sum(len(h.ticks) for h in cap.heard)
        wait_for(lambda: svc.frames() == total, 60.0)
        wait_for(lambda: svc.lag_s() == 0.0 and svc.inbox.empty(), 60.0)
        app = create_app(svc)
        stats = call(app, "GET", "/api/stats").json()["mlat"]

        def rows() -> list[dict[str, Any]]:
            return list(call(app, "GET", "/api/aircraft").json()["aircraft"])

        # the live snapshot: mlat positions carry their 95 % radius, ADS-B ones none
        wait_for(lambda: any(r["position_source"] == "mlat" for r in rows()), 30.0)
        live = rows()
    finally:
        svc.stop()
    assert svc.wait_closed(10)
    by = {r["receiver"]: r for r in stats["receivers"]}
    assert set(by) == {s.name for s in sites}
    assert all(r["synced"] and r["pairs_in_sync"] == 5 for r in by.values())
    assert sum(r["reference"] for r in by.values()) == 1
    assert all(abs(r["drift_ppm"]) < 120 and r["residual_ns"] < 100 for r in by.values())
    assert stats["counters"]["fixes"] > 100
    mlat = [r for r in live if r["position_source"] == "mlat"]
    adsb = [r for r in live if r["position_source"] == "adsb"]
    assert mlat and all(0 < r["position_error"] < 1000 for r in mlat)
    assert adsb and all(r["position_error"] is None for r in adsb)
    print(
        f"\n[mlat serve] {stats['counters']['fixes']} fixes; clock sync: "
        + "; ".join(f"{k} {v['drift_ppm']} ppm {v['residual_ns']} ns" for k, v in by.items())
    )
