"""Simulator -> decoder round trip: every frame decodes to exactly what the scenario flew."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyModeS
from pyModeS.position import airborne_position_pair, surface_position_pair
from pyModeS.util import crc as pms_crc

from skywitness.decode.cpr import airborne_global, airborne_local, nl, surface_global
from skywitness.model import CprKind
from skywitness.simulate.encode import (
    quantised_altitude,
    quantised_vertical_rate,
    track7,
    velocity_components,
)
from skywitness.simulate.flightpath import State, evaluate

from .conftest import Run

MAX_ERROR_M = 10.0
PAIR_WINDOW_S = 10.0


def distance_m(lat1: Any, lon1: Any, lat2: Any, lon2: Any) -> Any:
    """Great-circle distance in metres (haversine), scalars or arrays."""
    la1, lo1, la2, lo2 = map(np.radians, (lat1, lon1, lat2, lon2))
    h = np.sin((la2 - la1) / 2) ** 2 + np.cos(la1) * np.cos(la2) * np.sin((lo2 - lo1) / 2) ** 2
    return 2 * 6_371_008.8 * np.arcsin(np.sqrt(h))


def truth_at(run: Run) -> State:
    """The scenario's true state at each frame's time, for the aircraft that sent it."""
    t = run.frames.timestamp
    parts = {}
    for spec in run.scenario.aircraft:
        mask = run.msgs.icao24 == spec.icao24
        parts[spec.icao24] = (mask, evaluate(spec.plan, t[mask]))
    fields = {}
    for name in State.__slots__:
        first = next(iter(parts.values()))[1]
        col = np.zeros(len(t), dtype=getattr(first, name).dtype)
        for mask, st in parts.values():
            col[mask] = getattr(st, name)
        fields[name] = col
    return State(**fields)


def test_every_frame_decodes_with_the_right_address(short_run: Run) -> None:
    m = short_run.msgs
    n = len(m)
    assert n > 20_000
    assert (m.reject == 0).all()
    assert sorted(np.unique(m.df).tolist()) == [4, 5, 11, 17, 20, 21]
    icaos = {a.icao24 for a in short_run.scenario.aircraft}
    assert set(np.unique(m.icao24).tolist()) == icaos
    # pyModeS as an independent CRC: 0 for DF11/17, the address for the AP formats
    for i in range(n):
        frame = short_run.frames.hex(i)
        rem = pms_crc(frame)
        expected = 0 if m.df[i] in (11, 17) else int(m.icao24[i])
        assert rem == expected, (i, frame)
    st = truth_at(short_run)
    assert st.valid.all()


def test_identity_altitude_and_velocity_decode_exactly(short_run: Run) -> None:
    m, st = short_run.msgs, truth_at(short_run)
    by_icao = {a.icao24: a for a in short_run.scenario.aircraft}
    callsign = np.array([by_icao[int(a)].callsign for a in m.icao24])
    squawk = np.array([int(by_icao[int(a)].squawk) for a in m.icao24])

    ident = ((m.df == 17) & (m.typecode == 4)) | np.isin(m.df, [20, 21])
    assert ident.sum() > 500
    assert (m.callsign[ident] == callsign[ident]).all()
    has_squawk = np.isin(m.df, [5, 21])
    assert has_squawk.sum() > 200
    assert (m.squawk[has_squawk] == squawk[has_squawk]).all()
    assert {4312, 7613} == set(m.squawk[has_squawk].tolist())

    has_alt = ((m.df == 17) & (m.typecode == 11)) | np.isin(m.df, [4, 20])
    assert has_alt.sum() > 8_000
    assert np.array_equal(m.altitude[has_alt], quantised_altitude(st.altitude[has_alt]))

    vel = (m.df == 17) & (m.typecode == 19)
    assert vel.sum() > 5_000
    east, north = velocity_components(st.groundspeed[vel], st.track[vel])
    np.testing.assert_allclose(m.groundspeed[vel], np.hypot(east, north), atol=1e-9)
    np.testing.assert_allclose(
        m.vertical_rate[vel], quantised_vertical_rate(st.vertical_rate[vel]), atol=0
    )
    track = np.mod(np.degrees(np.arctan2(east, north)), 360.0)
    diff = np.abs((m.track[vel] - track + 180.0) % 360.0 - 180.0)
    assert diff.max() < 1e-6
    # quantisation only: 1 kt per component, 64 ft/min
    assert np.abs(m.groundspeed[vel] - st.groundspeed[vel]).max() < 1.0
    assert np.abs(m.vertical_rate[vel] - st.vertical_rate[vel]).max() <= 32.0

    surf = (m.df == 17) & (m.typecode == 6)
    assert surf.sum() > 500
    assert np.array_equal(m.track[surf], track7(st.track[surf]) * 360.0 / 128.0)
    # movement code: the speed step at or below the true speed (DO-260B step sizes)
    gs_dec, gs_true = m.groundspeed[surf], st.groundspeed[surf]
    step = np.select(
        [gs_true >= 100, gs_true >= 70, gs_true >= 15, gs_true >= 2, gs_true >= 1],
        [5.0, 2.0, 1.0, 0.5, 0.25],
        0.125,
    )
    assert (gs_dec <= gs_true + 1e-9).all() and (gs_true - gs_dec < step).all()
    assert gs_true.max() > 140.0  # takeoff and landing rolls are surface positions too
    stopped = gs_true < 0.125
    assert stopped.sum() > 20 and (gs_dec[stopped] == 0).all()

    # ground/airborne flags of DF11 (CA), DF4/5/20/21 (FS) and DF17 (CA) follow the truth
    has_flag = m.onground >= 0
    assert has_flag.sum() > len(m) * 0.5
    assert np.array_equal(m.onground[has_flag] == 1, st.onground[has_flag])


def _pairs(run: Run, kind: CprKind) -> tuple[np.ndarray, np.ndarray]:
    """(newer, older): each position with the latest earlier one of the other parity of the
    same aircraft within the pairing window (as a decoder keeps its last even and odd)."""
    m = run.msgs
    newer, older = [], []
    for spec in run.scenario.aircraft:
        idx = np.flatnonzero((m.icao24 == spec.icao24) & (m.cpr_kind == kind))
        pos = np.arange(idx.size)
        odd = m.cpr_odd[idx] == 1
        last_odd = np.maximum.accumulate(np.where(odd, pos, -1))
        last_even = np.maximum.accumulate(np.where(~odd, pos, -1))
        # the latest of the other parity strictly before each position
        partner = np.concatenate(([-1], np.where(odd[1:], last_even[:-1], last_odd[:-1])))
        ok = partner >= 0
        cur, prev = idx[ok], idx[partner[ok]]
        close = run.frames.timestamp[cur] - run.frames.timestamp[prev] <= PAIR_WINDOW_S
        newer.append(cur[close])
        older.append(prev[close])
    return np.concatenate(newer), np.concatenate(older)


def test_airborne_positions_within_10_m(short_run: Run) -> None:
    m, st = short_run.msgs, truth_at(short_run)
    new, old = _pairs(short_run, CprKind.AIRBORNE)
    n_pos = int((m.cpr_kind == CprKind.AIRBORNE).sum())
    # every airborne position but the first of each aircraft pairs with its predecessor
    assert new.size == n_pos - len(short_run.scenario.aircraft)
    odd_new = m.cpr_odd[new] == 1
    even = np.where(odd_new, old, new)
    odd = np.where(odd_new, new, old)
    lat, lon = airborne_global(
        m.cpr_lat[even], m.cpr_lon[even], m.cpr_lat[odd], m.cpr_lon[odd], odd_new
    )
    # A pair straddling a longitude-zone (NL) boundary cannot be resolved globally (decoders
    # skip it); those, and only those, are resolved locally against the previous fix.
    straddle = nl(st.lat[new]) != nl(st.lat[old])
    assert np.array_equal(np.isnan(lat), straddle)
    assert 0 < straddle.sum() < 10
    k = np.flatnonzero(straddle)
    j = new[k]
    lat[k], lon[k] = airborne_local(
        m.cpr_lat[j], m.cpr_lon[j], m.cpr_odd[j], lat[k - 1], lon[k - 1]
    )
    err = distance_m(lat, lon, st.lat[new], st.lon[new])
    print(f"airborne: {new.size} pairs ({straddle.sum()} local), max error {err.max():.2f} m")
    assert err.max() < MAX_ERROR_M
    # pyModeS as an independent CPR decoder agrees
    for k in np.flatnonzero(~straddle)[::7]:
        got = airborne_position_pair(
            int(m.cpr_lat[even[k]]),
            int(m.cpr_lon[even[k]]),
            int(m.cpr_lat[odd[k]]),
            int(m.cpr_lon[odd[k]]),
            even_is_newer=not odd_new[k],
        )
        assert got is not None
        assert distance_m(got[0], got[1], st.lat[new[k]], st.lon[new[k]]) < MAX_ERROR_M


def test_surface_positions_within_10_m(short_run: Run) -> None:
    m, st = short_run.msgs, truth_at(short_run)
    new, old = _pairs(short_run, CprKind.SURFACE)
    n_pos = int((m.cpr_kind == CprKind.SURFACE).sum())
    # all but the first surface position at each end of each flight pair up
    assert new.size == n_pos - 2 * len(short_run.scenario.aircraft)
    odd_new = m.cpr_odd[new] == 1
    even = np.where(odd_new, old, new)
    odd = np.where(odd_new, new, old)
    # reference: the receiver that heard the frame (surface CPR needs one within 45 NM)
    rx = np.array([(r.lat, r.lon) for r in short_run.scenario.receivers])
    ref = rx[short_run.frames.receiver[new].astype(int) - 1]
    lat, lon = surface_global(
        m.cpr_lat[even],
        m.cpr_lon[even],
        m.cpr_lat[odd],
        m.cpr_lon[odd],
        odd_new,
        ref[:, 0],
        ref[:, 1],
    )
    err = distance_m(lat, lon, st.lat[new], st.lon[new])
    print(f"surface: {new.size} pairs, max error {err.max():.2f} m")
    assert err.max() < MAX_ERROR_M
    for k in range(0, new.size, 5):
        got = surface_position_pair(
            int(m.cpr_lat[even[k]]),
            int(m.cpr_lon[even[k]]),
            int(m.cpr_lat[odd[k]]),
            int(m.cpr_lon[odd[k]]),
            lat_ref=float(ref[k, 0]),
            lon_ref=float(ref[k, 1]),
            even_is_newer=not odd_new[k],
        )
        assert got is not None
        assert distance_m(got[0], got[1], st.lat[new[k]], st.lon[new[k]]) < MAX_ERROR_M


def test_pymodes_reads_the_same_fields(short_run: Run) -> None:
    """A sample of every kind of frame through pyModeS's own decoder."""
    m = short_run.msgs
    for df in (4, 5, 11, 17, 20, 21):
        for i in np.flatnonzero(m.df == df)[::97]:
            d = pyModeS.decode(short_run.frames.hex(int(i)))
            assert d["icao"].lower() == f"{int(m.icao24[i]):06x}"
            if "altitude" in d and d["altitude"] is not None:
                assert d["altitude"] == m.altitude[i]
            if "squawk" in d:
                assert int(d["squawk"]) == m.squawk[i]
            if d.get("callsign"):
                assert d["callsign"] == m.callsign[i]
            if d.get("typecode") == 19:
                assert d["groundspeed"] == int(m.groundspeed[i])  # pyModeS truncates to 1 kt
                assert d["vertical_rate"] == m.vertical_rate[i]
