"""When an aircraft transmits what: the frame schedule of one aircraft over a time window.

Rates follow DO-260B and what receivers see in practice: airborne position and velocity twice a
second, identification every 5 s, DF11 acquisition squitters once a second, and a few replies to
ground interrogations (DF4/5/20/21) every 10 s. On the surface, position goes out twice a second
while moving and every 5 s while stopped; velocity (TC 19) is airborne only. Each kind of frame
sits on its own slot grid (period, per-aircraft phase) with a deterministic jitter, so a window's
frames do not depend on how the run is cut into windows. Even/odd CPR alternates by slot.

Slot grids, flight paths, coverage and encoding work on many aircraft at once
(``sent_many``, ``emit_many``: one numpy pass per frame kind and group of aircraft instead of
one per aircraft and kind; the soak's 30 s of 22,000 aircraft took ~200 s of CPU made one
aircraft at a time). Every row's arithmetic is the same as when its aircraft is alone, so each
aircraft's frames are the same, bit for bit and in the same order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from ..model import F8, I4, LONG_FRAME_BYTES, U1, U8
from . import encode
from .coverage import hear
from .flightpath import Fleet, State, evaluate_many
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


#: Slot rows made per ``emit_many`` group: bounds memory when a window is long (600 s of
#: 20,000 aircraft would be ~70 M slots), while a group is still large enough for numpy.
GROUP_ROWS = 250_000
_MASK64 = 0xFFFFFFFFFFFFFFFF


def _hash01(k: I8, key: int | U8) -> F8:
    """A deterministic uniform [0, 1) value per slot (splitmix64 finaliser); ``key`` one for
    all slots or one per slot."""
    with np.errstate(over="ignore"):
        kk = np.uint64(key & _MASK64) if isinstance(key, int) else key.astype(np.uint64)
        x = k.astype(np.uint64) + kk
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


def slot_grids(period_s: float, keys: U8, origin: float, w0: float, w1: float) -> tuple[I8, I8, F8]:
    """Slots of many grids (one per key: period, per-grid phase and jitter) at once: (grid
    index, slot number, jittered time in unix s) of every slot in ``[w0, w1)``, grid by grid
    and in slot order within each."""
    n = keys.shape[0]
    phase = origin + _hash01(np.zeros(n, dtype=np.int64), keys ^ np.uint64(0x5A5A)) * period_s
    lo = np.maximum(np.floor((w0 - phase) / period_s).astype(np.int64) - 1, 0)
    hi = np.maximum(np.ceil((w1 - phase) / period_s).astype(np.int64) + 1, 0)
    counts = hi - lo
    grid = np.repeat(np.arange(n, dtype=np.int64), counts)
    first = np.cumsum(counts) - counts  # where each grid's slots start
    k = lo[grid] + np.arange(grid.shape[0], dtype=np.int64) - first[grid]
    t = phase[grid] + k * period_s + (_hash01(k, keys[grid]) - 0.5) * 2.0 * JITTER * period_s
    keep = (t >= w0) & (t < w1)
    return grid[keep], k[keep], t[keep]


@dataclass(frozen=True, slots=True)
class Emitted:
    """Heard frames in a window: one aircraft's in no particular order, or many aircraft's
    (``emit_many``) aircraft by aircraft."""

    t: F8
    data: U1  # (n, 14)
    length: U1
    receiver: I4  # index into the scenario's receivers
    range_nm: F8

    def __len__(self) -> int:
        return int(self.t.shape[0])


@dataclass(frozen=True, slots=True)
class Slots:
    """The frames aircraft send in a window (before anyone hears them): one aircraft's in no
    order, or many aircraft's (``sent_many``) aircraft by aircraft."""

    t: F8
    kind: I8  # FrameKind
    k: I8  # slot number (even/odd CPR alternates by slot)
    state: State  # the true state at each t
    owner: I8  # index of the aircraft in the list given

    def __len__(self) -> int:
        return int(self.t.shape[0])


def sent(spec: AircraftSpec, seed: int, origin: float, w0: float, w1: float) -> Slots:
    """Every frame ``spec`` transmits in ``[w0, w1)``; ``origin`` anchors the slot grids."""
    return sent_many([spec], seed, origin, w0, w1)


def sent_many(
    specs: Sequence[AircraftSpec], seed: int, origin: float, w0: float, w1: float
) -> Slots:
    """``sent`` of every aircraft of ``specs``, aircraft by aircraft (each one's frames in the
    order ``sent`` gives them alone)."""
    owners: list[I8] = []
    ks: list[I8] = []
    ts: list[F8] = []
    kinds: list[I8] = []
    for fk, period in PERIOD_S.items():
        keys = np.array([stream_key(seed, sp.icao24, fk) & _MASK64 for sp in specs], np.uint64)
        g, k, t = slot_grids(period, keys, origin, w0, w1)
        owners.append(g)
        ks.append(k)
        ts.append(t)
        kinds.append(np.full(k.shape, int(fk), dtype=np.int64))
    by = np.argsort(np.concatenate(owners), kind="stable")  # kinds in order within an aircraft
    owner = np.concatenate(owners)[by]
    k, t, kind = np.concatenate(ks)[by], np.concatenate(ts)[by], np.concatenate(kinds)[by]
    st = evaluate_many(Fleet.of([sp.plan for sp in specs]), owner, t)
    stopped = st.onground & (st.groundspeed < encode.STOPPED_KT)
    is_pos = kind == FrameKind.POSITION
    thin = np.isin(k % STOPPED_POSITION_EVERY, STOPPED_POSITION_SLOTS)
    keep = st.valid & ~((kind == FrameKind.VELOCITY) & st.onground)
    keep &= ~(is_pos & stopped & ~thin)
    idx = np.flatnonzero(keep)
    return Slots(t=t[idx], kind=kind[idx], k=k[idx], state=_take_state(st, idx), owner=owner[idx])


def _take_state(st: State, idx: I8) -> State:
    return State(
        valid=st.valid[idx], lat=st.lat[idx], lon=st.lon[idx], altitude=st.altitude[idx],
        groundspeed=st.groundspeed[idx], track=st.track[idx],
        vertical_rate=st.vertical_rate[idx], onground=st.onground[idx], leg=st.leg[idx],
    )  # fmt: skip


def encode_slots(specs: Sequence[AircraftSpec], s: Slots, idx: I8) -> tuple[U1, U1]:
    """The frames of slots ``idx`` of ``s`` (``s.owner`` indexes ``specs``): (data (n, 14),
    length)."""
    n = idx.shape[0]
    data = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
    length = np.zeros(n, dtype=np.uint8)
    sel_kind, sel_k, st, who = s.kind[idx], s.k[idx], s.state, s.owner[idx]
    lat, lon, alt = st.lat[idx], st.lon[idx], st.altitude[idx]
    gs, trk, vr, gnd = st.groundspeed[idx], st.track[idx], st.vertical_rate[idx], st.onground[idx]
    odd = (sel_k % 2) == 1
    icao = np.array([sp.icao24 for sp in specs], dtype=np.int64)[who]
    ident = np.array([encode.ident_code(sp.callsign, sp.category) for sp in specs], np.int64)
    sq = np.array([encode.id13(sp.squawk) for sp in specs], dtype=np.int64)
    bds = np.array([encode.bds20_code(sp.callsign) for sp in specs], dtype=np.int64)

    def put(mask: npt.NDArray[np.bool_], frames: tuple[U1, U1]) -> None:
        data[mask], length[mask] = frames

    m = sel_kind == FrameKind.IDENTIFICATION
    put(m, encode.identification_rows(icao[m], ident[who[m]], gnd[m]))
    m = (sel_kind == FrameKind.POSITION) & ~gnd
    put(m, encode.airborne_position(icao[m], lat[m], lon[m], alt[m], odd[m]))
    m = (sel_kind == FrameKind.POSITION) & gnd
    put(m, encode.surface_position(icao[m], lat[m], lon[m], gs[m], trk[m], odd[m]))
    m = sel_kind == FrameKind.VELOCITY
    put(m, encode.velocity(icao[m], gs[m], trk[m], vr[m]))
    m = sel_kind == FrameKind.ALL_CALL
    put(m, encode.all_call(icao[m], gnd[m]))
    m = sel_kind == FrameKind.ALTITUDE_REPLY
    put(m, encode.altitude_reply(icao[m], alt[m], gnd[m]))
    m = sel_kind == FrameKind.IDENTITY_REPLY
    put(m, encode.identity_reply_rows(icao[m], sq[who[m]], gnd[m]))
    m = sel_kind == FrameKind.COMMB_ALTITUDE
    put(m, encode.commb_altitude_rows(icao[m], alt[m], gnd[m], bds[who[m]]))
    m = sel_kind == FrameKind.COMMB_IDENTITY
    put(m, encode.commb_identity_rows(icao[m], sq[who[m]], gnd[m], bds[who[m]]))
    return data, length


def emit_many(
    specs: Sequence[AircraftSpec],
    receivers: Sequence[Receiver],
    seed: int,
    origin: float,
    w0: float,
    w1: float,
) -> Emitted:
    """Every frame the aircraft of ``specs`` transmit in ``[w0, w1)`` that a receiver hears
    (only those are encoded), aircraft by aircraft, made in groups of about ``GROUP_ROWS``
    slots; ``origin`` anchors the slot grids."""
    per = max(w1 - w0, 0.0) * sum(1.0 / p for p in PERIOD_S.values())  # slots per aircraft
    size = max(1, int(GROUP_ROWS / max(per, 1.0)))
    parts = []
    for g in range(0, max(len(specs), 1), size):
        group = specs[g : g + size]
        s = sent_many(group, seed, origin, w0, w1)
        rx, rng_nm = hear(receivers, s.state.lat, s.state.lon, s.state.altitude)
        idx = np.flatnonzero(rx >= 0)
        data, length = encode_slots(group, s, idx)
        parts.append(Emitted(s.t[idx], data, length, rx[idx], rng_nm[idx]))
    if len(parts) == 1:
        return parts[0]
    return Emitted(*(np.concatenate([getattr(e, f) for e in parts]) for f in _EMITTED_FIELDS))


_EMITTED_FIELDS = ("t", "data", "length", "receiver", "range_nm")
