"""MLAT never overrides an ADS-B position of the same aircraft and time (the tracker's trust
order: SourceKind.MLAT < SourceKind.ADSB), but places an aircraft once ADS-B has gone quiet."""

from __future__ import annotations

import numpy as np

from skywitness.mlat.engine import MlatFixes
from skywitness.mlat.feed import observations
from skywitness.model import Observations, PositionSource, SourceKind
from skywitness.stats import IngestStats
from skywitness.track import Tracker

ICAO = 0x1551E0


def _adsb(t: float, lat: float, lon: float) -> Observations:
    obs = Observations.empty(1, source="rx1.beast")
    obs.timestamp[:] = t
    obs.icao24[:] = ICAO
    obs.latitude[:], obs.longitude[:] = lat, lon
    obs.altitude[:] = 30000.0
    obs.kind[:] = int(SourceKind.ADSB)
    obs.position_source[:] = int(PositionSource.ADSB)
    return obs


def _mlat(t: float, lat: float, lon: float) -> Observations:
    fx = MlatFixes(
        timestamp=np.array([t]), icao24=np.array([ICAO], np.uint32), lat=np.array([lat]),
        lon=np.array([lon]), altitude_ft=np.array([30000.0]), height_m=np.array([9144.0]),
        error_m=np.array([50.0]), receivers=np.array([5]),
    )  # fmt: skip
    return observations(fx, np.array([0]))


def test_mlat_never_overrides_adsb_of_the_same_time() -> None:
    tr = Tracker(rate_s=0.0, stats=IngestStats())
    rows = [tr.update_observations(_adsb(1000.0, 10.60, -66.90))]
    # an mlat fix 0.5 s later, 400 m off: the recent ADS-B position stands
    rows.append(tr.update_observations(_mlat(1000.5, 10.6036, -66.90)))
    rows.append(tr.update_observations(_adsb(1001.0, 10.601, -66.90)))
    rows.append(tr.update_observations(_mlat(1001.2, 10.6046, -66.90)))
    got = [(float(r.latitude[-1]), str(r.position_source[-1])) for r in rows if len(r)]
    assert all(src == "adsb" for _, src in got)
    assert got[-1][0] == 10.601
    # ADS-B silent for a minute (inside the Mode S-only zone): mlat positions are taken
    late = tr.update_observations(_mlat(1070.0, 10.70, -66.90))
    assert float(late.latitude[-1]) == 10.70 and str(late.position_source[-1]) == "mlat"
    assert str(late.source[-1]) == "mlat (5 receivers)"
