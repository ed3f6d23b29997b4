"""Flight kinematics: phases, profile and consistency of position, speed and track."""

from __future__ import annotations

import math

import numpy as np
import pytest

from skywitness.simulate.flightpath import (
    CLIMB_RATE_FPM,
    DESCENT_ANGLE_DEG,
    M_PER_FT,
    MS_PER_KT,
    PARKED_S,
    TAXI_OUT_S,
    PlanError,
    Stop,
    evaluate,
    great_circle_nm,
    plan_flight,
)
from skywitness.simulate.scenario import airport

from .test_sim_roundtrip import distance_m

T0 = 1568956200.0  # 2019-09-20T05:10:00Z


def test_moscow_to_caracas_profile() -> None:
    a, b = airport("UUWW"), airport("SVMI")
    assert a is not None and b is not None
    assert great_circle_nm(a, b) == pytest.approx(5351.8, abs=0.1)
    plan = plan_flight([Stop(a, depart=T0), Stop(b)], 35000.0, 460.0)
    (leg,) = plan.legs
    assert leg.start == T0 - PARKED_S
    # taxi 300 s, then a 1,800 m roll from 15 to 150 kt: 42.4 s
    assert leg.takeoff - leg.off_block == pytest.approx(TAXI_OUT_S + 42.4, abs=0.05)
    assert (leg.landing - leg.takeoff) / 3600 == pytest.approx(11.855, abs=0.001)
    assert leg.cruise_altitude_ft == 35000.0

    t = np.append(np.arange(leg.start, leg.end, 1.0), leg.end)
    st = evaluate(plan, t)
    assert st.valid.all() and (st.leg == 0).all()
    assert st.onground[0] and st.onground[-1]
    assert st.altitude.max() == 35000.0 and st.groundspeed.max() == pytest.approx(460.0)
    # first and last positions are gates near the airports (within 3 km)
    assert distance_m(st.lat[0], st.lon[0], a.lat, a.lon) < 3000
    assert distance_m(st.lat[-1], st.lon[-1], b.lat, b.lon) < 3000
    # climb at 2,000 ft/min, descend on a 3 degree path (vertical rate = gs * tan 3 deg)
    climbing = st.vertical_rate > 0
    assert np.allclose(st.vertical_rate[climbing], CLIMB_RATE_FPM)
    desc = st.vertical_rate < 0
    gs_fpm = st.groundspeed[desc] * MS_PER_KT / M_PER_FT * 60.0
    assert np.allclose(-st.vertical_rate[desc] / gs_fpm, math.tan(math.radians(DESCENT_ANGLE_DEG)))
    # altitude changes as the vertical rate says; touchdown at the airport's elevation
    vr0, vr1 = st.vertical_rate[:-1], st.vertical_rate[1:]
    same = (np.sign(vr0) == np.sign(vr1)) & (vr0 != 0) & (np.diff(t) == 1.0)
    assert same.sum() > 2000
    assert np.abs(np.diff(st.altitude) - (vr0 + vr1) / 120.0)[same].max() < 0.5
    assert st.altitude[~st.onground].min() >= b.elevation_ft
    after = evaluate(plan, np.array([leg.landing + 0.001]))
    assert after.onground[0] and after.altitude[0] == b.elevation_ft

    # distance flown each second matches the ground speed; track matches the bearing flown
    step = distance_m(st.lat[:-1], st.lon[:-1], st.lat[1:], st.lon[1:])
    mean_speed = (st.groundspeed[:-1] + st.groundspeed[1:]) / 2 * MS_PER_KT
    moving = mean_speed > 1.0
    turns = np.abs(np.diff(st.track)) > 1.0  # the two 90-degree turns at runway ends
    ok = moving & ~turns & (st.groundspeed[1:] > 0) & (st.groundspeed[:-1] > 0)
    assert np.abs(step[ok] - mean_speed[ok]).max() < 0.5  # m; exact within a phase
    la1, lo1, la2, lo2 = map(np.radians, (st.lat[:-1], st.lon[:-1], st.lat[1:], st.lon[1:]))
    y = np.sin(lo2 - lo1) * np.cos(la2)
    x = np.cos(la1) * np.sin(la2) - np.sin(la1) * np.cos(la2) * np.cos(lo2 - lo1)
    bearing = np.degrees(np.arctan2(y, x)) % 360
    diff = np.abs((bearing - st.track[:-1] + 180) % 360 - 180)
    assert diff[ok & (mean_speed > 50)].max() < 0.05


def test_short_leg_cruises_lower_and_times_outside_are_invalid() -> None:
    a, b = airport("EDDF"), airport("EDDS")  # Frankfurt - Stuttgart, about 84 NM
    assert a is not None and b is not None
    plan = plan_flight([Stop(a, depart=T0), Stop(b)], 41000.0, 450.0)
    (leg,) = plan.legs
    assert 10000.0 < leg.cruise_altitude_ft < 41000.0
    st = evaluate(plan, np.array([leg.start - 1.0, leg.start, leg.end, leg.end + 1.0]))
    assert st.valid.tolist() == [False, True, True, False]
    assert st.leg.tolist() == [-1, 0, 0, -1]


def test_multi_leg_routes_and_plan_errors() -> None:
    a, b = airport("SVMI"), airport("SVMC")
    assert a is not None and b is not None
    plan = plan_flight([Stop(a, depart=T0), Stop(b, ground_s=2700.0), Stop(a)], 31000, 420)
    leg1, leg2 = plan.legs
    assert leg2.off_block == leg1.on_block + 2700.0
    mid = evaluate(plan, np.array([leg1.end + 1.0, leg2.takeoff + 60.0]))
    assert mid.valid.tolist() == [False, True] and mid.leg.tolist() == [-1, 1]
    with pytest.raises(PlanError, match="too soon") as err:
        plan_flight([Stop(a, depart=T0), Stop(b, ground_s=60.0), Stop(a)], 31000, 420)
    assert err.value.stop == 1
    fra, egelsbach = airport("EDDF"), airport("EDFE")  # 5.6 NM apart: no room for a profile
    assert fra is not None and egelsbach is not None
    with pytest.raises(PlanError, match="under 20 NM") as err:
        plan_flight([Stop(fra, depart=T0), Stop(egelsbach)], 31000, 420)
    assert err.value.stop == 1
    with pytest.raises(PlanError, match="departure time"):
        plan_flight([Stop(a), Stop(b)], 31000, 420)
