"""Receiver networks for multilateration simulations: a ring, a line, and the Caracas option.

``caracas_network`` is the option of the built-in Caracas scenario: six receivers around
Caracas Maiquetia (SVMI), and the scenario's state aircraft (operators that are air forces or
government flight detachments) sending no ADS-B within ``CARACAS_SILENT_NM`` of SVMI, so
multilateration alone can place them there.
"""

from __future__ import annotations

import math
import re

import numpy as np

from ..mlat.receivers import ClockKind, ReceiverSite
from .flightpath import EARTH_RADIUS_M, M_PER_NM
from .multirx import ClockModel, ModeSOnly, SimReceiver
from .scenario import Scenario

#: Maiquetia (SVMI), deg.
CARACAS = (10.6012, -66.9913)
CARACAS_SILENT_NM = 150.0
#: Operators of state aircraft in the scenario.
STATE_OPERATOR = re.compile(r"air force|government|special flight|state", re.IGNORECASE)


def caracas_network(
    scenario: Scenario, kind: ClockKind = ClockKind.COUNTER_12MHZ, *, seed: int = 1
) -> tuple[tuple[SimReceiver, ...], ModeSOnly]:
    """Six receivers over ~300 km around Caracas and the state aircraft made Mode S-only
    within ``CARACAS_SILENT_NM`` of SVMI."""
    rxs = ring_network(CARACAS[0], CARACAS[1], 300.0, 6, kind, seed=seed)
    state = frozenset(a.icao24 for a in scenario.aircraft if STATE_OPERATOR.search(a.operator))
    only = ModeSOnly(state, CARACAS[0], CARACAS[1], CARACAS_SILENT_NM)
    return rxs, only


def ring_network(
    lat: float,
    lon: float,
    diameter_km: float,
    n: int,
    kind: ClockKind,
    *,
    seed: int = 1,
    jitter_s: float | None = None,
    radius_nm: float = 300.0,
) -> tuple[SimReceiver, ...]:
    """``n`` receivers: one at the centre and the rest on a circle of ``diameter_km``, with
    random clock errors (12 MHz: +-50 ppm, random start; GPS: tens of ns jitter)."""
    rng = np.random.default_rng([seed, 3])
    out = []
    for i in range(n):
        if i == 0:
            la, lo = lat, lon
        else:
            ang = 2 * math.pi * (i - 1) / (n - 1) + 0.3
            d = diameter_km * 500.0 / EARTH_RADIUS_M  # half the diameter, radians
            la = lat + math.degrees(d * math.cos(ang))
            lo = lon + math.degrees(d * math.sin(ang)) / math.cos(math.radians(lat))
        out.append(_sim_receiver(f"rx{i + 1}", i + 1, la, lo, kind, rng, jitter_s, radius_nm))
    return tuple(out)


def line_network(
    lat: float, lon: float, length_km: float, n: int, kind: ClockKind, *, seed: int = 1
) -> tuple[SimReceiver, ...]:
    """``n`` receivers on an east-west line (a degenerate geometry)."""
    rng = np.random.default_rng([seed, 5])
    step = length_km * 1000.0 / max(n - 1, 1) / (M_PER_NM * 60.0) / math.cos(math.radians(lat))
    lo0 = lon - step * (n - 1) / 2
    return tuple(
        _sim_receiver(f"rx{i + 1}", i + 1, lat, lo0 + i * step, kind, rng, None, 300.0)
        for i in range(n)
    )


def _sim_receiver(
    name: str,
    rid: int,
    lat: float,
    lon: float,
    kind: ClockKind,
    rng: np.random.Generator,
    jitter_s: float | None,
    radius_nm: float,
) -> SimReceiver:
    alt = float(rng.uniform(50.0, 600.0))
    site = ReceiverSite.make(name, rid, lat, lon, alt, kind)
    if kind is ClockKind.GPS:
        clock = ClockModel(kind, jitter_s=30e-9 if jitter_s is None else jitter_s)
    else:
        clock = ClockModel(
            kind,
            ppm=float(rng.uniform(-50.0, 50.0)),
            wander_ppb=0.5,
            jitter_s=50e-9 if jitter_s is None else jitter_s,
            start_ticks=int(rng.integers(0, 1 << 44)),
        )
    return SimReceiver(site, clock, radius_nm=radius_nm)
