"""The events a window's state vectors give by themselves: an aircraft seen (first, or again
after it was lost), an emergency squawk set, a geofence entered or left. Each aircraft's last
values (``AircraftState``) carry from one window to the next, so that the rows of a window are
compared with the row before them even when that row was in an earlier window.

Vectorised over the window's rows sorted by aircraft then time (``EventSource`` sorts them);
``state_events`` is called once per window.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from ..runs import run_heads, run_starts, run_stops
from .events import EMERGENCY_SQUAWKS, WatchEvents, WatchKind
from .geo import Geofence

Rows = npt.NDArray[np.int64]
Events = list[dict[str, Any]]


@dataclass
class AircraftState:
    """What the watch remembers of one aircraft between windows."""

    last_t: float
    lat: float = math.nan
    lon: float = math.nan
    alt: float = math.nan
    callsign: str = ""
    squawk: str = ""
    inside: list[bool] = field(default_factory=list)  # per geofence
    has_position: bool = False
    lost: bool = False


def _col(t: pa.Table, name: str) -> Any:
    return t[name].to_numpy(zero_copy_only=False)


def _strings(col: pa.ChunkedArray) -> Any:
    """``col`` as an object array of its strings ("" for null) whose rows share one ``str``
    per distinct value: a window of serve at 100,000 frames/s is ~1.2M rows, and one Python
    string per row and column made ~3.5M objects a window (``memory.python_blocks`` doubling
    while it ran, and their CPU)."""
    arr = col.combine_chunks()
    if not pa.types.is_dictionary(arr.type):
        arr = pc.dictionary_encode(arr)
    values = np.array([v or "" for v in arr.dictionary.to_pylist()] + [""], dtype=object)
    idx = arr.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
    return values[np.asarray(idx, dtype=np.intp)]


@dataclass
class _Window:
    """A window's state vectors as columns, with each aircraft's first and last row."""

    icao: Any
    t: Any
    lat: Any
    lon: Any
    alt: Any
    squawk: Any
    callsign: Any
    starts: Rows
    ends: Rows

    @classmethod
    def of(cls, rows: pa.Table) -> _Window:
        icao = _strings(rows["icao24"])
        t = _col(rows, "timestamp").astype("datetime64[ms]").astype(np.int64) / 1000.0
        lat, lon, alt = (
            np.asarray(_col(rows, c), np.float64) for c in ("latitude", "longitude", "altitude")
        )
        squawk, callsign = _strings(rows["squawk"]), _strings(rows["callsign"])
        starts = run_starts(icao)
        ends = run_stops(starts, icao.shape[0]) - 1
        return cls(icao, t, lat, lon, alt, squawk, callsign, starts, ends)


def state_events(
    rows: pa.Table,
    aircraft: dict[str, AircraftState],
    fences: Sequence[Geofence],
    flight_at: Callable[[str, float], str],
) -> WatchEvents:
    """The seen, emergency, enter and leave events of ``rows`` (one window, sorted by aircraft
    then time); updates ``aircraft``. ``flight_at(icao24, t)`` names an event's flight."""
    w = _Window.of(rows)
    out: Events = []
    prev_sq, prev_in = _seen(w, aircraft, len(fences), out)
    _emergencies(w, prev_sq, out)
    for k, fence in enumerate(fences):
        _crossings(w, k, fence, prev_in[k], aircraft, out)
    _carry(w, aircraft)
    return _as_events(w, out, aircraft, flight_at)


def _seen(
    w: _Window, aircraft: dict[str, AircraftState], nf: int, out: Events
) -> tuple[Any, npt.NDArray[np.bool_]]:
    """Seen events; and at each aircraft's first row its carried squawk and fence states."""
    n = w.icao.shape[0]
    prev_sq = np.empty(n, dtype=object)
    prev_in = np.zeros((nf, n), dtype=np.bool_)
    for s in w.starts.tolist():
        key = str(w.icao[s])
        ac = aircraft.get(key)
        if ac is None:
            ac = aircraft[key] = AircraftState(last_t=w.t[s], inside=[False] * nf)
            out.append({"kind": WatchKind.SEEN, "timestamp": w.t[s], "icao24": key, "_row": s})
        elif ac.lost:  # back after a loss: seen again, fence state unknown again
            ac.lost, ac.has_position = False, False
            ac.inside = [False] * nf
            out.append({"kind": WatchKind.SEEN, "timestamp": w.t[s], "icao24": key, "_row": s})
        prev_sq[s] = ac.squawk
        for k in range(nf):
            prev_in[k, s] = ac.inside[k]
    return prev_sq, prev_in


def _emergencies(w: _Window, prev_sq: Any, out: Events) -> None:
    """An emergency squawk set: a row whose squawk is one and differs from the one before it
    (inside each aircraft's rows; the first compared with the carried one)."""
    sq_rows = np.flatnonzero(w.squawk != "")
    if not sq_rows.size:
        return
    carried = prev_sq[w.starts]
    first_of = np.searchsorted(w.starts, sq_rows, side="right") - 1
    sub_icao = w.icao[sq_rows]
    sub_prev = np.empty(sq_rows.shape[0], dtype=object)
    sub_prev[1:] = w.squawk[sq_rows[:-1]]
    g_first = run_heads(sub_icao)
    sub_prev[g_first] = carried[first_of[g_first]]
    alert = np.isin(w.squawk[sq_rows], list(EMERGENCY_SQUAWKS)) & (w.squawk[sq_rows] != sub_prev)
    for i in sq_rows[alert].tolist():
        out.append(
            {"kind": WatchKind.EMERGENCY, "timestamp": w.t[i], "icao24": str(w.icao[i]), "_row": i}
        )


def _crossings(
    w: _Window,
    k: int,
    fence: Geofence,
    prev_in: npt.NDArray[np.bool_],
    aircraft: dict[str, AircraftState],
    out: Events,
) -> None:
    """Enter and leave events of geofence ``k``, between rows with a position (an aircraft's
    first position after none known gives no event: it was not seen outside)."""
    pos = np.flatnonzero(np.isfinite(w.lat) & np.isfinite(w.lon))
    if not pos.size:
        return
    p_icao = w.icao[pos]
    g_first = run_heads(p_icao)
    first_of = np.searchsorted(w.starts, pos, side="right") - 1
    inside = fence.contains(w.lat[pos], w.lon[pos])
    prev = np.empty_like(inside)
    prev[1:] = inside[:-1]
    prev[g_first] = prev_in[w.starts[first_of[g_first]]]
    known = np.ones_like(inside)
    known[g_first] = np.array(
        [aircraft[str(a)].has_position for a in p_icao[g_first]], dtype=np.bool_
    )
    for kind, sel in ((WatchKind.ENTER, inside & ~prev), (WatchKind.LEAVE, ~inside & prev)):
        for j in np.flatnonzero(sel & known).tolist():
            i = int(pos[j])
            out.append(
                {"kind": kind, "timestamp": w.t[i], "icao24": str(w.icao[i]), "_row": i, "fence": k}
            )
    last_of = np.r_[np.flatnonzero(g_first[1:]), inside.shape[0] - 1]
    for j in last_of.tolist():
        aircraft[str(p_icao[j])].inside[k] = bool(inside[j])


def _carry(w: _Window, aircraft: dict[str, AircraftState]) -> None:
    """Each aircraft's last time, position, squawk and callsign, for the next window."""
    has_sq = w.squawk != ""
    for s, e in zip(w.starts.tolist(), w.ends.tolist(), strict=True):
        ac = aircraft[str(w.icao[s])]
        ac.last_t = float(w.t[e])
        sub = np.arange(s, e + 1)
        ok = sub[np.isfinite(w.lat[sub]) & np.isfinite(w.lon[sub])]
        if ok.size:
            j = int(ok[-1])
            ac.lat, ac.lon, ac.alt = float(w.lat[j]), float(w.lon[j]), float(w.alt[j])
            ac.has_position = True
        sq = sub[has_sq[sub]]
        if sq.size:
            ac.squawk = str(w.squawk[sq[-1]])
        cs = sub[w.callsign[sub] != ""]
        if cs.size:
            ac.callsign = str(w.callsign[cs[-1]])


def _as_events(
    w: _Window,
    out: Events,
    aircraft: dict[str, AircraftState],
    flight_at: Callable[[str, float], str],
) -> WatchEvents:
    events = WatchEvents.empty(len(out))
    for n, ev in enumerate(out):
        i = ev["_row"]
        key = ev["icao24"]
        events.kind[n] = ev["kind"]
        events.timestamp[n] = ev["timestamp"]
        events.icao24[n] = key
        events.callsign[n] = w.callsign[i] or aircraft[key].callsign
        events.latitude[n], events.longitude[n], events.altitude[n] = w.lat[i], w.lon[i], w.alt[i]
        events.squawk[n] = w.squawk[i]
        events.fence[n] = ev.get("fence", -1)
        events.flight_id[n] = flight_at(key, float(ev["timestamp"]))
    return events
