"""The built-in Caracas scenario, simulated once: who flies, from where, when, and the gap."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from skywitness.decode import decode_batch
from skywitness.decode.cpr import surface_global
from skywitness.model import CprKind, FrameBatch, Messages
from skywitness.simulate import Scenario, legs_table, load_builtin, simulate, truth
from skywitness.simulate.flightpath import Airport

from .test_sim_roundtrip import distance_m

RUSSIA_BLOCK = (0x140000, 0x157FFF)
MOSCOW_AREA = {"UUWW", "UUMU", "UUEE", "UUDD"}
NM = 1852.0


@pytest.fixture(scope="module")
def caracas() -> tuple[Scenario, list[FrameBatch], FrameBatch, Messages]:
    sc = load_builtin("caracas")
    batches = list(simulate(sc))
    frames = FrameBatch.concat(batches)
    return sc, batches, frames, decode_batch(frames)


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


def test_state_aircraft_route(
    caracas: tuple[Scenario, list[FrameBatch], FrameBatch, Messages],
) -> None:
    sc, _, _, _ = caracas
    legs = legs_table(sc).to_pylist()
    state = [leg for leg in legs if leg["callsign"].startswith("RFF")]
    assert [(s["icao24"], s["registration"], s["type"]) for s in state] == [
        ("1551e0", "RA-86496", "IL62"),
        ("154073", "RA-82035", "A124"),
    ]
    for leg in state:
        assert RUSSIA_BLOCK[0] <= int(leg["icao24"], 16) <= RUSSIA_BLOCK[1]
        assert leg["origin"] in MOSCOW_AREA and leg["destination"] == "SVMI"
        assert leg["takeoff"].date().isoformat() == "2019-09-20"
        assert leg["landing"].date().isoformat() == "2019-09-20"
    assert len(legs) == 11  # 8 aircraft, three of them out and back
    assert {leg["icao24"] for leg in legs if leg["destination"] == "SVMI"} >= {"3444ce", "0c2011"}


def test_everything_is_labelled_simulated(
    caracas: tuple[Scenario, list[FrameBatch], FrameBatch, Messages],
) -> None:
    sc, batches, frames, msgs = caracas
    assert sc.label == "simulated"
    assert {b.source for b in batches} == {"simulated:caracas"}
    assert truth(sc).column("source").unique().to_pylist() == ["simulated:caracas"]
    # time ordered across batches, every frame decodes (CRC good), 8 aircraft heard
    assert (np.diff(frames.timestamp) >= 0).all()
    assert (msgs.reject == 0).all()
    assert len(np.unique(msgs.icao24)) == 8
    assert len(frames) > 150_000


@pytest.mark.parametrize(("icao", "origin"), [(0x1551E0, "UUWW"), (0x154073, "UUMU")])
def test_departure_gap_and_arrival(
    caracas: tuple[Scenario, list[FrameBatch], FrameBatch, Messages], icao: int, origin: str
) -> None:
    sc, _, frames, msgs = caracas
    mine = msgs.icao24 == icao
    gaps_h = np.diff(frames.timestamp[mine]) / 3600
    print(f"{icao:06x}: gaps over 10 min (h): {np.round(gaps_h[gaps_h > 1 / 6], 2).tolist()}")
    t = frames.timestamp[mine]
    assert _day(t[0]) == _day(t[-1]) == "2019-09-20"
    # heard on the ground at its Moscow-area airport first, at Maiquetia last
    spec = next(a for a in sc.aircraft if a.icao24 == icao)
    origin_ap, dest_ap = spec.route[0].airport, spec.route[-1].airport
    assert origin_ap.icao == origin and dest_ap.icao == "SVMI"
    first_fix = _surface_fixes(frames, msgs, icao, origin_ap)
    assert distance_m(*first_fix, origin_ap.lat, origin_ap.lon) < 3 * NM
    last_fix = _surface_fixes(frames, msgs, icao, dest_ap, last=True)
    assert distance_m(*last_fix, dest_ap.lat, dest_ap.lon) < 3 * NM
    # the Atlantic: hours with no frame at all from this aircraft
    gaps = np.diff(t)
    assert gaps.max() > 5 * 3600
    g = int(np.argmax(gaps))
    assert int((gaps > 600).sum()) <= 2  # Moscow -> Sweden, then the ocean
    leg = spec.plan.legs[0]
    assert leg.takeoff < t[g] and t[g + 1] < leg.landing  # the gap is in flight


def _surface_fixes(
    frames: FrameBatch, msgs: Messages, icao: int, ref: Airport, last: bool = False
) -> tuple[float, float]:
    """The first (or last) surface position of an aircraft, from an even/odd pair."""
    idx = np.flatnonzero((msgs.icao24 == icao) & (msgs.cpr_kind == CprKind.SURFACE))
    idx = idx[-2:] if last else idx[:2]
    odd = msgs.cpr_odd[idx] == 1
    assert odd.sum() == 1 and frames.timestamp[idx[1]] - frames.timestamp[idx[0]] < 10
    e, o = idx[~odd][0], idx[odd][0]
    lat, lon = surface_global(
        msgs.cpr_lat[e], msgs.cpr_lon[e], msgs.cpr_lat[o], msgs.cpr_lon[o], o > e, ref.lat, ref.lon
    )
    return float(lat), float(lon)
