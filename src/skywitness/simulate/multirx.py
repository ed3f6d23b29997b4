"""Multi-receiver timing: every receiver that hears a frame stamps it with its own clock.

For multilateration tests. Each frame an aircraft sends (``schedule.sent``) reaches every
receiver within its radius and radio horizon, and not in an outage, after the straight-line
propagation time (WGS84 ECEF distance / speed of light in air). Clock models:

- ``12mhz``: a free-running counter from a random start, rate error ``ppm`` (+-50 ppm typical),
  a slow random walk of the rate (``wander_ppb`` per sqrt(s)), white ``jitter_s`` and the
  12 MHz quantisation (83 ns steps);
- ``gps``: GPS time of day (readsb's Beast GPS format: seconds << 30 | ns) with ``jitter_s``
  (tens of ns) and no drift.

Aircraft can be Mode S-only: they send no DF17 (identification, position, velocity) frames,
everywhere or only within a zone, so only multilateration can place them there. Output: per
receiver, the frames with raw ticks, as Beast bytes (one stream per receiver, or one stream
with 0xe3 receiver ids). Pure numpy apart from the Beast encoder's per-frame loop.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ..mlat.geodesy import C_AIR_M_S, M_PER_FT, llh_to_ecef
from ..mlat.receivers import ClockKind, ReceiverSite, receivers_toml
from ..model import F8, U1, U8
from ..runs import run_starts
from ..sources.beast import encode_beast
from .coverage import HORIZON_NM_PER_SQRT_FT, level_dbfs, near_any, ranges_nm
from .flightpath import MS_PER_KT, Airport, FlightPlan, Leg, evaluate
from .scenario import AircraftSpec, Receiver, Scenario
from .schedule import FrameKind, encode_slots, sent

I8 = npt.NDArray[np.int64]
TICKS_PER_S = 12_000_000
_ADSB_KINDS = (FrameKind.IDENTIFICATION, FrameKind.POSITION, FrameKind.VELOCITY)
#: Step of the simulated rate random walk, s.
WANDER_STEP_S = 1.0
_MASK48 = (1 << 48) - 1
#: Seconds of traffic made at once (bounded memory), and the coarse look that skips aircraft
#: nowhere near a receiver (as ``run``).
WINDOW_S = 600.0
COARSE_STEP_S = 30.0
COARSE_MARGIN_NM = 10.0


@dataclass(frozen=True, slots=True)
class ClockModel:
    kind: ClockKind
    ppm: float = 0.0  # rate error, parts per million
    wander_ppb: float = 0.0  # rate random walk, parts per billion per sqrt(s)
    jitter_s: float = 50e-9  # white timing noise, 1 sigma
    start_ticks: int = 0  # counter value at the capture start (12 MHz)
    steps: tuple[tuple[float, float], ...] = ()  # (unix s, s): the clock jumps (a restart)


@dataclass(frozen=True, slots=True)
class SimReceiver:
    site: ReceiverSite
    clock: ClockModel
    radius_nm: float = 250.0
    loss: float = 0.0  # fraction of frames missed
    outages: tuple[tuple[float, float], ...] = ()  # (from, to) unix s: hears nothing


@dataclass(frozen=True, slots=True)
class ModeSOnly:
    """Aircraft that send no ADS-B (DF17): all of them, or only within ``radius_nm`` of a point."""

    icao24: frozenset[int]
    lat: float = math.nan
    lon: float = math.nan
    radius_nm: float = math.inf


@dataclass(slots=True)
class Heard:
    """One receiver's frames in arrival order."""

    ticks: U8
    data: U1
    length: U1
    signal_byte: U1
    arrival: F8  # true unix s of arrival
    sent_t: F8  # true unix s of transmission
    icao24: npt.NDArray[np.uint32]


@dataclass(slots=True)
class Capture:
    receivers: tuple[SimReceiver, ...]
    heard: list[Heard] = field(default_factory=list)

    def beast_files(self) -> dict[str, bytes]:
        """One Beast stream per receiver (named by receiver), 12 MHz or GPS ticks as stamped."""
        return {r.site.name: _beast(h) for r, h in zip(self.receivers, self.heard, strict=True)}

    def beast_merged(self) -> bytes:
        """One Beast stream, frames of all receivers in arrival order, each run of one
        receiver's frames after a 0xe3 record with its id."""
        rx = np.concatenate([np.full(len(h.ticks), i) for i, h in enumerate(self.heard)])
        arr = np.concatenate([h.arrival for h in self.heard])
        order = np.argsort(arr, kind="stable")
        pos = np.concatenate([np.arange(len(h.ticks)) for h in self.heard])[order]
        rx = rx[order]
        cuts = run_starts(rx)[1:]
        out = bytearray()
        for run in np.split(np.arange(rx.shape[0]), cuts):
            if run.size == 0:
                continue
            i = int(rx[run[0]])
            h = self.heard[i]
            sel = pos[run]
            out += _beast(h, sel, receiver=self.receivers[i].site.id)
        return bytes(out)


def _beast(h: Heard, sel: I8 | None = None, receiver: int | None = None) -> bytes:
    idx = np.arange(len(h.ticks)) if sel is None else sel
    payloads = [bytes(h.data[i, : int(h.length[i])]) for i in idx.tolist()]
    return encode_beast(
        payloads,
        ticks=[int(x) for x in h.ticks[idx].tolist()],
        signal=[int(x) for x in h.signal_byte[idx].tolist()],
        receiver=receiver,
    )


def cruise(
    icao24: int,
    callsign: str,
    lat: float,
    lon: float,
    track_deg: float,
    speed_kt: float,
    altitude_ft: float,
    start: float,
    duration_s: float,
) -> AircraftSpec:
    """An aircraft flying a great circle at constant speed and altitude (no airports)."""
    la, lo, tr = math.radians(lat), math.radians(lon), math.radians(track_deg)
    p0 = np.array([math.cos(la) * math.cos(lo), math.cos(la) * math.sin(lo), math.sin(la)])
    east = np.array([-math.sin(lo), math.cos(lo), 0.0])
    north = np.array([-math.sin(la) * math.cos(lo), -math.sin(la) * math.sin(lo), math.cos(la)])
    u = math.sin(tr) * east + math.cos(tr) * north
    here = Airport("ZZZZ", "none", lat, lon, 0.0)
    leg = Leg(
        here,
        here,
        start,
        start,
        start,
        start + duration_s,
        start + duration_s,
        start + duration_s,
        altitude_ft,
    )
    one = np.array([1.0])
    plan = FlightPlan(
        legs=(leg,),
        t0=one * start,
        dur=one * duration_s,
        p0=p0[None, :],
        u=u[None, :],
        s0=one * 0.0,
        v0=one * speed_kt * MS_PER_KT,
        acc=one * 0.0,
        h0=one * altitude_ft,
        climb_fps=one * 0.0,
        slope=one * 0.0,
        onground=np.array([False]),
    )
    return AircraftSpec(
        icao24=icao24,
        registration="",
        type="",
        callsign=callsign,
        operator="",
        category="A3",
        squawk="1000",
        cruise_altitude_ft=altitude_ft,
        cruise_speed_kt=speed_kt,
        route=(),
        plan=plan,
    )


def _clock_phase(clock: ClockModel, t: F8, t0: float, t1: float, seed: int, index: int) -> F8:
    """Accumulated timing error of the rate random walk at times ``t`` (s)."""
    if clock.wander_ppb <= 0 or clock.kind is ClockKind.GPS:
        return np.zeros_like(t)
    rng = np.random.default_rng([seed, index, 7])
    n = math.ceil((t1 - t0) / WANDER_STEP_S) + 2
    rate = np.cumsum(rng.standard_normal(n)) * clock.wander_ppb * 1e-9 * math.sqrt(WANDER_STEP_S)
    phase = np.concatenate([[0.0], np.cumsum(rate[:-1] * WANDER_STEP_S)])
    grid = t0 + np.arange(n) * WANDER_STEP_S
    out: F8 = np.interp(t, grid, phase)
    return out


def stamp(clock: ClockModel, arrival: F8, t0: float, phase: F8, noise: F8) -> U8:
    """Receiver clock readings (Beast ticks) of true arrival times."""
    if clock.kind is ClockKind.GPS:
        t = arrival + noise
        tod = np.mod(t, 86400.0)
        secs = np.floor(tod)
        ns = np.minimum(np.rint((tod - secs) * 1e9), 999_999_999)
        out: U8 = (secs.astype(np.uint64) << np.uint64(30)) | ns.astype(np.uint64)
        return out
    local = (arrival - t0) * (1.0 + clock.ppm * 1e-6) + phase + noise
    for at, jump in clock.steps:
        local = local + np.where(arrival >= at, jump, 0.0)
    ticks = clock.start_ticks + np.floor(local * TICKS_PER_S).astype(np.int64)
    out = (ticks & _MASK48).astype(np.uint64)
    return out


def _silent(
    s_kind: I8, lat: F8, lon: F8, only: ModeSOnly | None, icao24: int
) -> npt.NDArray[np.bool_]:
    """Frames a Mode S-only aircraft does not send."""
    no = np.zeros(s_kind.shape[0], dtype=np.bool_)
    if only is None or icao24 not in only.icao24:
        return no
    adsb = np.isin(s_kind, [int(k) for k in _ADSB_KINDS])
    if not math.isfinite(only.radius_nm):
        return adsb
    ref = Receiver("zone", only.lat, only.lon, 1.0)
    inside = ranges_nm([ref], lat, lon)[:, 0] <= only.radius_nm
    out: npt.NDArray[np.bool_] = adsb & inside
    return out


def capture(
    aircraft: Sequence[AircraftSpec],
    receivers: Sequence[SimReceiver],
    start: float,
    end: float,
    *,
    seed: int = 1,
    mode_s_only: ModeSOnly | None = None,
) -> Capture:
    """What every receiver hears from ``aircraft`` between ``start`` and ``end`` (unix s)."""
    sites = np.array([r.site.ecef for r in receivers])
    radius = np.array([r.radius_nm for r in receivers])
    rx_ft = np.array([max(r.site.altitude_m, 0.0) / M_PER_FT for r in receivers])
    recv = [
        Receiver(r.site.name, r.site.latitude, r.site.longitude, r.radius_nm) for r in receivers
    ]
    parts: list[list[tuple[F8, F8, U1, U1, F8, int]]] = [[] for _ in receivers]
    for w0 in np.arange(start, end, WINDOW_S).tolist():
        w1 = min(w0 + WINDOW_S, end)
        for spec in aircraft:
            if not any(leg.start < w1 and leg.end >= w0 for leg in spec.plan.legs):
                continue
            coarse = evaluate(spec.plan, np.arange(w0, w1 + COARSE_STEP_S, COARSE_STEP_S))
            ok = coarse.valid
            if near_any(recv, coarse.lat[ok], coarse.lon[ok], COARSE_MARGIN_NM):
                _heard_by(spec, seed, start, w0, w1, mode_s_only, recv, sites, radius, rx_ft, parts)
    cap = Capture(tuple(receivers))
    for j, r in enumerate(receivers):
        cap.heard.append(_receiver_frames(r, parts[j], start, end, seed, j))
    return cap


def _heard_by(
    spec: AircraftSpec,
    seed: int,
    origin: float,
    w0: float,
    w1: float,
    mode_s_only: ModeSOnly | None,
    recv: list[Receiver],
    sites: F8,
    radius: F8,
    rx_ft: F8,
    parts: list[list[tuple[F8, F8, U1, U1, F8, int]]],
) -> None:
    """Append to ``parts`` (per receiver) what each receiver hears of ``spec`` in a window."""
    s = sent(spec, seed, origin, w0, w1)
    st = s.state
    keep = ~st.onground & ~_silent(s.kind, st.lat, st.lon, mode_s_only, spec.icao24)
    idx = np.flatnonzero(keep)
    if idx.size == 0:
        return
    data, length = encode_slots([spec], s, idx)
    lat, lon, alt_ft = st.lat[idx], st.lon[idx], st.altitude[idx]
    pos = llh_to_ecef(lat, lon, alt_ft * M_PER_FT)
    dist_nm = ranges_nm(recv, lat, lon)
    horizon = HORIZON_NM_PER_SQRT_FT * (
        np.sqrt(rx_ft)[None, :] + np.sqrt(np.maximum(alt_ft, 0))[:, None]
    )
    hears = (dist_nm <= radius[None, :]) & (dist_nm <= horizon)
    rng_m = np.linalg.norm(pos[:, None, :] - sites[None, :, :], axis=-1)
    for j in range(len(recv)):
        rows = np.flatnonzero(hears[:, j])
        if rows.size:
            t_sent = s.t[idx][rows]
            arrival = t_sent + rng_m[rows, j] / C_AIR_M_S
            parts[j].append(
                (t_sent, arrival, data[rows], length[rows], dist_nm[rows, j], spec.icao24)
            )


def _receiver_frames(
    r: SimReceiver,
    parts: list[tuple[F8, F8, U1, U1, F8, int]],
    start: float,
    end: float,
    seed: int,
    index: int,
) -> Heard:
    if not parts:
        z = np.zeros(0)
        return Heard(
            z.astype(np.uint64),
            np.zeros((0, 14), np.uint8),
            z.astype(np.uint8),
            z.astype(np.uint8),
            z,
            z,
            z.astype(np.uint32),
        )
    t_sent = np.concatenate([p[0] for p in parts])
    arrival = np.concatenate([p[1] for p in parts])
    data = np.concatenate([p[2] for p in parts])
    length = np.concatenate([p[3] for p in parts])
    dist = np.concatenate([p[4] for p in parts])
    icao = np.concatenate([np.full(p[0].shape[0], p[5], dtype=np.uint32) for p in parts])
    rng = np.random.default_rng([seed, index, 11])
    keep: npt.NDArray[np.bool_] = np.asarray(rng.random(arrival.shape[0]) >= r.loss)
    for a, b in r.outages:
        keep &= ~((arrival >= a) & (arrival < b))
    order = np.flatnonzero(keep)[np.argsort(arrival[keep], kind="stable")]
    arrival, t_sent, data, length = arrival[order], t_sent[order], data[order], length[order]
    dist, icao = dist[order], icao[order]
    noise: F8 = np.asarray(rng.standard_normal(arrival.shape[0]) * r.clock.jitter_s)
    phase = _clock_phase(r.clock, arrival, start, end, seed, index)
    ticks = stamp(r.clock, arrival, start, phase, noise)
    level = level_dbfs(dist)
    sig = np.clip(np.rint(255.0 * 10 ** (level / 20.0)), 1, 255).astype(np.uint8)
    return Heard(ticks, data, length, sig, arrival, t_sent, icao)


def write_network(
    scenario: Scenario,
    receivers: Sequence[SimReceiver],
    only: ModeSOnly | None,
    out_dir: Path,
) -> tuple[int, float]:
    """Simulate ``scenario`` as heard by ``receivers``: one Beast file per receiver and
    ``receivers.toml`` in ``out_dir``. A file is named ``NAME--T.beast``, ``T`` the unix time
    of its first frame, which anchors its 12 MHz counter when read back. Returns (frames, the
    time of the first frame of any receiver)."""
    cap = capture(scenario.aircraft, receivers, scenario.start, scenario.end,
                  seed=scenario.seed, mode_s_only=only)  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    for (name, data), h in zip(cap.beast_files().items(), cap.heard, strict=True):
        first = float(h.arrival[0]) if len(h.arrival) else scenario.start
        (out_dir / f"{name}--{first:.6f}.beast").write_bytes(data)
    (out_dir / "receivers.toml").write_text(
        receivers_toml([r.site for r in receivers]), encoding="utf-8"
    )
    firsts = [float(h.arrival[0]) for h in cap.heard if len(h.arrival)]
    return sum(len(h.ticks) for h in cap.heard), min(firsts) if firsts else math.nan
