"""When an aircraft transmits what: the frame schedule of one aircraft over a time window.

Rates follow DO-260B and what receivers see in practice: airborne position and velocity twice a
second, identification every 5 s, DF11 acquisition squitters once a second, and a few replies to
ground interrogations (DF4/5/20/21) every 10 s. On the surface, position goes out twice a second
while moving and every 5 s while stopped; velocity (TC 19) is airborne only. Each kind of frame
sits on its own slot grid (period, per-aircraft phase) with a deterministic jitter, so a window's
frames do not depend on how the run is cut into windows. Even/odd CPR alternates by slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from ..model import F8, I4, LONG_FRAME_BYTES, U1
from . import encode
from .coverage import hear
from .flightpath import State, evaluate
from .scenario import AircraftSpec, Receiver

I8 = npt.NDArray[np.int64]


class FrameKind(IntEnum):
    IDENTIFICATION = 0  # DF17 TC 4
    POSITION = 1  # DF17 TC 11 airborne / TC 6 surface
    VELOCITY = 2  # DF17 TC 19 subtype 1
    ALL_CALL = 3  # DF11
    ALTITUDE_REPLY = 4  # DF4
    IDENTITY_REPLY = 5  # DF5
    COMMB_ALTITUDE = 6  # DF20 BDS 2,0
    COMMB_IDENTITY = 7  # DF21 BDS 2,0


#: Seconds between slots of each kind.
PERIOD_S: dict[FrameKind, float] = {
    FrameKind.IDENTIFICATION: 5.0,
    FrameKind.POSITION: 0.5,
    FrameKind.VELOCITY: 0.5,
    FrameKind.ALL_CALL: 1.0,
    FrameKind.ALTITUDE_REPLY: 5.0,
    FrameKind.IDENTITY_REPLY: 8.0,
    FrameKind.COMMB_ALTITUDE: 10.0,
    FrameKind.COMMB_IDENTITY: 15.0,
}
#: Slot jitter, fraction of the period either way (keeps slots in order).
JITTER = 0.2
#: While stopped on the surface only every 10th position slot goes out (1 per 5 s); slots 0
#: and 5 of each ten keep even and odd alternating.
STOPPED_POSITION_SLOTS = (0, 5)
STOPPED_POSITION_EVERY = 10


def _hash01(k: I8, key: int) -> F8:
    """A deterministic uniform [0, 1) value per slot (splitmix64 finaliser)."""
    with np.errstate(over="ignore"):
        x = k.astype(np.uint64) + np.uint64(key & 0xFFFFFFFFFFFFFFFF)
        x = x * np.uint64(0x9E3779B97F4A7C15)
        x ^= x >> np.uint64(30)
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x ^= x >> np.uint64(27)
        x = x * np.uint64(0x94D049BB133111EB)
        x ^= x >> np.uint64(31)
    out: F8 = (x >> np.uint64(11)).astype(np.float64) / float(1 << 53)
    return out


def stream_key(seed: int, icao24: int, kind: int) -> int:
    """The key of one aircraft's slot grid of one kind (phase and jitter)."""
    return (seed * 1_000_003 + icao24) * 16 + kind


def slots(period_s: float, key: int, origin: float, w0: float, w1: float) -> tuple[I8, F8]:
    """Slot numbers and jittered times (unix s) of one slot grid that fall in ``[w0, w1)``."""
    phase = origin + float(_hash01(np.array([0], dtype=np.int64), key ^ 0x5A5A)[0]) * period_s
    k_lo = int(np.floor((w0 - phase) / period_s)) - 1
    k_hi = int(np.ceil((w1 - phase) / period_s)) + 1
    k = np.arange(max(k_lo, 0), max(k_hi, 0), dtype=np.int64)
    t = phase + k * period_s + (_hash01(k, key) - 0.5) * 2.0 * JITTER * period_s
    keep = (t >= w0) & (t < w1)
    return k[keep], t[keep]


@dataclass(frozen=True, slots=True)
class Emitted:
    """One aircraft's heard frames in a window, in no particular order."""

    t: F8
    data: U1  # (n, 14)
    length: U1
    receiver: I4  # index into the scenario's receivers
    range_nm: F8

    def __len__(self) -> int:
        return int(self.t.shape[0])


@dataclass(frozen=True, slots=True)
class Slots:
    """The frames one aircraft sends in a window (before anyone hears them), in no order."""

    t: F8
    kind: I8  # FrameKind
    k: I8  # slot number (even/odd CPR alternates by slot)
    state: State  # the true state at each t

    def __len__(self) -> int:
        return int(self.t.shape[0])


def sent(spec: AircraftSpec, seed: int, origin: float, w0: float, w1: float) -> Slots:
    """Every frame ``spec`` transmits in ``[w0, w1)``; ``origin`` anchors the slot grids."""
    ks: list[I8] = []
    ts: list[F8] = []
    kinds: list[I8] = []
    for fk, period in PERIOD_S.items():
        k, t = slots(period, stream_key(seed, spec.icao24, fk), origin, w0, w1)
        ks.append(k)
        ts.append(t)
        kinds.append(np.full(k.shape, int(fk), dtype=np.int64))
    k, t, kind = np.concatenate(ks), np.concatenate(ts), np.concatenate(kinds)
    st = evaluate(spec.plan, t)
    stopped = st.onground & (st.groundspeed < encode.STOPPED_KT)
    is_pos = kind == FrameKind.POSITION
    thin = np.isin(k % STOPPED_POSITION_EVERY, STOPPED_POSITION_SLOTS)
    keep = st.valid & ~((kind == FrameKind.VELOCITY) & st.onground)
    keep &= ~(is_pos & stopped & ~thin)
    idx = np.flatnonzero(keep)
    return Slots(t=t[idx], kind=kind[idx], k=k[idx], state=_take_state(st, idx))


def _take_state(st: State, idx: I8) -> State:
    return State(
        valid=st.valid[idx], lat=st.lat[idx], lon=st.lon[idx], altitude=st.altitude[idx],
        groundspeed=st.groundspeed[idx], track=st.track[idx],
        vertical_rate=st.vertical_rate[idx], onground=st.onground[idx], leg=st.leg[idx],
    )  # fmt: skip


def encode_slots(spec: AircraftSpec, s: Slots, idx: I8) -> tuple[U1, U1]:
    """The frames of slots ``idx`` of ``s``: (data (n, 14), length)."""
    n = idx.shape[0]
    data = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
    length = np.zeros(n, dtype=np.uint8)
    sel_kind, sel_k, st = s.kind[idx], s.k[idx], s.state
    lat, lon, alt = st.lat[idx], st.lon[idx], st.altitude[idx]
    gs, trk, vr, gnd = st.groundspeed[idx], st.track[idx], st.vertical_rate[idx], st.onground[idx]
    odd = (sel_k % 2) == 1
    icao, cs, sq = spec.icao24, spec.callsign, spec.squawk

    def put(mask: npt.NDArray[np.bool_], frames: tuple[U1, U1]) -> None:
        data[mask], length[mask] = frames

    m = sel_kind == FrameKind.IDENTIFICATION
    put(m, encode.identification(icao, cs, spec.category, gnd[m]))
    m = (sel_kind == FrameKind.POSITION) & ~gnd
    put(m, encode.airborne_position(icao, lat[m], lon[m], alt[m], odd[m]))
    m = (sel_kind == FrameKind.POSITION) & gnd
    put(m, encode.surface_position(icao, lat[m], lon[m], gs[m], trk[m], odd[m]))
    m = sel_kind == FrameKind.VELOCITY
    put(m, encode.velocity(icao, gs[m], trk[m], vr[m]))
    m = sel_kind == FrameKind.ALL_CALL
    put(m, encode.all_call(icao, gnd[m]))
    m = sel_kind == FrameKind.ALTITUDE_REPLY
    put(m, encode.altitude_reply(icao, alt[m], gnd[m]))
    m = sel_kind == FrameKind.IDENTITY_REPLY
    put(m, encode.identity_reply(icao, sq, gnd[m]))
    m = sel_kind == FrameKind.COMMB_ALTITUDE
    put(m, encode.commb_altitude(icao, alt[m], gnd[m], cs))
    m = sel_kind == FrameKind.COMMB_IDENTITY
    put(m, encode.commb_identity(icao, sq, gnd[m], cs))
    return data, length


def emit(
    spec: AircraftSpec,
    receivers: Sequence[Receiver],
    seed: int,
    origin: float,
    w0: float,
    w1: float,
) -> Emitted:
    """Every frame ``spec`` transmits in ``[w0, w1)`` that a receiver hears (only those are
    encoded); ``origin`` anchors the slot grids."""
    s = sent(spec, seed, origin, w0, w1)
    st = s.state
    rx, rng_nm = hear(receivers, st.lat, st.lon, st.altitude)
    idx = np.flatnonzero(rx >= 0)
    data, length = encode_slots(spec, s, idx)
    return Emitted(t=s.t[idx], data=data, length=length, receiver=rx[idx], range_nm=rng_nm[idx])
