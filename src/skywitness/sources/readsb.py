"""readsb JSON -> Observations: ``aircraft.json`` (and the v2 API shape of ADS-B Exchange,
adsb.lol, airplanes.live) and globe-history traces (``trace_full_*.json``, ``trace_recent_*``).

aircraft.json: ``{now, aircraft: [...]}`` (``now`` in s) or v2 ``{now (ms), ac: [...]}``. A row per
aircraft; its time is ``now - seen_pos`` when it has a position, else ``now - seen``. ``~hex`` is
a non-ICAO address; ``type`` gives the kind and position source (``mlat``/``tisb`` field lists
override the position source); ``alt_baro: "ground"`` means on ground, a number airborne.

Trace: ``{icao, timestamp, trace: [[dt, lat, lon, alt|"ground", gs, track, flags, vrate, details,
source_type, geom_alt, geom_rate, ...], ...]}``; ``flags & 2`` starts a new leg; callsign and
squawk come from ``details`` where present; vertical rate is ``vrate`` else ``geom_rate``.

A document that is not one JSON value is read as JSON lines (one snapshot/trace per line).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import lru_cache
from itertools import zip_longest
from typing import Any

import numpy as np
import numpy.typing as npt

from ..decode.codes import category_code
from ..model import Observations, PositionSource, RejectReason
from ..stats import IngestStats
from .records import ObsRows, icao_of, num, obs_take, readsb_type, squawk_code
from .textio import DocumentParser
from .trace_points import TraceColumns, trace_arrays

#: Above this, readsb ``now`` is in milliseconds (v2 API), not seconds.
MS_THRESHOLD = 1e11
#: Reject detail of a JSON document nested deeper than the parser's recursion limit.
NESTED = "JSON nested too deep"


def aircraft_rows(doc: Any, rows: ObsRows, arrival: float | None = None) -> list[str]:
    """Append one row per aircraft; return a reason for each record that was not usable
    (the whole document being unusable gives one reason and no rows)."""
    if not isinstance(doc, dict):
        return ["not a JSON object"]
    acs = doc.get("aircraft", doc.get("ac"))
    if not isinstance(acs, list):
        return ["no aircraft list"]
    now = num(doc.get("now"))
    if math.isnan(now):
        if arrival is None:
            return ["no 'now' time"]
        now = arrival
    elif now > MS_THRESHOLD:
        now /= 1000.0
    bad: list[str] = []
    for ac in acs:
        if not isinstance(ac, dict):
            bad.append("aircraft entry is not an object")
            continue
        addr = icao_of(ac.get("hex"))
        if addr is None:
            bad.append("bad or missing hex")
            continue
        kind, possrc, anon = readsb_type(ac.get("type"))
        lat, lon = num(ac.get("lat")), num(ac.get("lon"))
        has_pos = not (math.isnan(lat) or math.isnan(lon))
        mlat, tisb = ac.get("mlat"), ac.get("tisb")
        if isinstance(mlat, list) and "lat" in mlat:
            possrc = PositionSource.MLAT
        elif isinstance(tisb, list) and "lat" in tisb:
            possrc = PositionSource.TISB
        age = num(ac.get("seen_pos")) if has_pos else num(ac.get("seen"))
        alt_baro = ac.get("alt_baro")
        ground = alt_baro == "ground"
        vr = num(ac.get("baro_rate"))
        if math.isnan(vr):
            vr = num(ac.get("geom_rate"))
        why = rows.add(
            now - (0.0 if math.isnan(age) else age),
            addr[0],
            non_icao=addr[1] or anon,
            callsign=_str(ac.get("flight")),
            lat=lat,
            lon=lon,
            alt=math.nan if ground else num(alt_baro),
            geo=num(ac.get("alt_geom")),
            gs=num(ac.get("gs")),
            track=num(ac.get("track")),
            vr=vr,
            squawk=squawk_code(ac.get("squawk")),
            onground=1 if ground else (0 if not math.isnan(num(alt_baro)) else -1),
            kind=kind,
            possrc=possrc if has_pos else PositionSource.UNKNOWN,
            category=category_code(ac.get("category")),
        )
        if why:
            bad.append(why)
    return bad


def trace_rows(doc: Any, rows: ObsRows, arrival: float | None = None) -> list[str]:
    """Append one row per trace point (see module doc); the reasons of the points not used."""
    obs, bad = trace_observations(doc)
    if obs is not None:
        rows.extend(obs)
    return bad


def trace_observations(doc: Any, source: str = "") -> tuple[Observations | None, list[str]]:
    """A whole trace document as columns, in one pass per column (the one trace decoder).

    Returns the points as ``Observations`` (None when no point is usable) and a reason for each
    point, or for the whole document, that could not be used.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("trace"), list):
        return None, ["not a readsb trace"]
    addr = icao_of(doc.get("icao"))
    base = num(doc.get("timestamp"))
    if addr is None or math.isnan(base):
        return None, ["trace without icao/timestamp"]
    pts = doc["trace"]
    good = [p for p in pts if isinstance(p, list) and len(p) >= _TRACE_MIN_FIELDS]
    bad = ["trace point is not a list of >= 7 values"] * (len(pts) - len(good))
    if not good:
        return None, bad
    cols = list(zip_longest(*good, fillvalue=None))
    cols += [(None,) * len(good)] * (_TRACE_FIELDS - len(cols))
    dt = _floats(cols[0])
    timed = np.isfinite(dt)
    if not timed.all():
        bad += ["trace point without time"] * int(np.count_nonzero(~timed))
        idx = np.flatnonzero(timed)
        cols = [tuple(c[i] for i in idx) for c in cols]
        dt = dt[idx]
        if not len(dt):
            return None, bad
    return _trace_columns(cols, base + dt, addr, source), bad


_squawk = lru_cache(maxsize=8192)(squawk_code)

#: Values per trace point read: dt, lat, lon, alt, gs, track, flags, vrate, details,
#: source_type, geom_alt, geom_rate.
_TRACE_FIELDS = 12
_TRACE_MIN_FIELDS = 7


def _trace_columns(
    cols: list[tuple[Any, ...]], t: npt.NDArray[np.float64], addr: tuple[int, bool], source: str
) -> Observations:
    n = len(t)
    alt_raw = cols[3]
    ground = np.fromiter((v == "ground" for v in alt_raw), dtype=np.bool_, count=n)
    alt = _floats(alt_raw)
    vr, flags = _floats(cols[7]), _floats(cols[6])
    lat, lon = _floats(cols[1]), _floats(cols[2])
    callsign = np.full(n, "", dtype="<U8")
    squawk = np.full(n, -1, dtype=np.int16)
    category = np.full(n, -1, dtype=np.int8)
    # a source type that is not a text (a number, a table) is unknown, as a missing one
    types = np.array([v if isinstance(v, str) else None for v in cols[9]], dtype=object)
    for i, d in enumerate(cols[8]):
        if isinstance(d, dict):
            if types[i] is None:  # a point without source_type: the details say it
                kind_text = d.get("type")
                types[i] = kind_text if isinstance(kind_text, str) else None
            flight = d.get("flight")
            if isinstance(flight, str):
                callsign[i] = flight.strip()[:8]
            sq = d.get("squawk")
            if sq is not None:
                squawk[i] = _squawk(sq) if isinstance(sq, str) else squawk_code(sq)
            category[i] = category_code(d.get("category"))
    return trace_arrays(
        TraceColumns(
            dt=_floats(cols[0]), lat=lat, lon=lon, alt=alt, ground=ground, gs=_floats(cols[4]),
            track=_floats(cols[5]), flags=flags, vrate=vr, geom_alt=_floats(cols[10]),
            geom_rate=_floats(cols[11]), callsign=callsign, squawk=squawk, types=types,
            category=category,
        ),
        t, addr, source,
    )  # fmt: skip


_NUMBER = (int, float)


def _floats(col: tuple[Any, ...]) -> npt.NDArray[np.float64]:
    """A column of JSON values as float64: numbers kept, anything else (None, text) NaN."""
    try:
        out = np.array(col, dtype=np.float64)
    except (TypeError, ValueError):  # "ground", text: readsb writes no numbers as text
        out = np.array([v if v.__class__ in _NUMBER else None for v in col], dtype=np.float64)
    out[~np.isfinite(out)] = np.nan
    return out


RowsFn = Callable[[Any, ObsRows, "float | None"], list[str]]


class JsonDocumentParser(DocumentParser):
    """Buffers a whole JSON document (or JSON lines of documents) and parses it at the end."""

    def __init__(self, stats: IngestStats, name: str, rows_fn: RowsFn) -> None:
        super().__init__(stats, name)
        self.rows_fn = rows_fn

    def parse(self, buf: bytes, arrival: float | None) -> list[Observations]:
        """Parse one complete document (also used per HTTP response)."""
        if not buf.strip():
            return []
        rows = ObsRows()
        try:
            docs: list[tuple[int | None, Any]] = [(None, json.loads(buf))]
        except UnicodeDecodeError:
            self.stats.frames += 1
            self.stats.reject(RejectReason.BAD_ENCODING, self.name, offset=0)
            return []
        except RecursionError:
            self.stats.frames += 1
            self.stats.reject(RejectReason.BAD_RECORD, self.name, offset=0, detail=NESTED)
            return []
        except json.JSONDecodeError as e:
            head = buf.lstrip().split(b"\n", 1)
            if len(head) > 1 and _is_json(head[0]):
                docs = self._lines(buf)
            else:
                self.stats.frames += 1
                cut = e.pos >= len(e.doc.rstrip()) - 1
                reason = RejectReason.TRUNCATED if cut else RejectReason.BAD_LINE
                self.stats.reject(reason, self.name, line=e.lineno, detail=e.msg)
                return []
        for line, doc in docs:
            n0 = len(rows)
            bad = self.rows_fn(doc, rows, arrival)
            self.stats.frames += len(rows) - n0 + len(bad)
            for why in bad:
                self.stats.reject(RejectReason.BAD_RECORD, self.name, line=line, detail=why)
        if not len(rows):
            return []
        self.stats.sources[self.name] += len(rows)
        return [rows.build(self.name)]

    def _lines(self, buf: bytes) -> list[tuple[int | None, Any]]:
        lines = buf.split(b"\n")
        last = max(i for i, ln in enumerate(lines, 1) if ln.strip())
        docs: list[tuple[int | None, Any]] = []
        for no, raw in enumerate(lines, 1):
            if not raw.strip():
                continue
            try:
                docs.append((no, json.loads(raw)))
            except (ValueError, RecursionError):
                self.stats.frames += 1
                # a bad last line is a cut file; elsewhere it is a bad line
                reason = RejectReason.TRUNCATED if no == last else RejectReason.BAD_LINE
                self.stats.reject(reason, self.name, line=no, detail="not a JSON document")
        return docs


def _str(v: Any) -> str:
    return v if isinstance(v, str) else ""


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line)
    except (ValueError, RecursionError):
        return False
    return True


class ChangeFilter:
    """Polled feeds: pass only rows whose values changed since the aircraft's previous row."""

    def __init__(self, forget_s: float = 600.0) -> None:
        self.forget_s = forget_s  # drop memory of aircraft not seen for this long, s
        self._last: dict[tuple[int, bool], tuple[Any, ...]] = {}
        self._seen: dict[tuple[int, bool], float] = {}

    def __call__(self, obs: Observations, now: float) -> Observations:
        keep = np.zeros(len(obs), dtype=np.bool_)
        cols = (
            obs.latitude, obs.longitude, obs.altitude, obs.geoaltitude, obs.groundspeed,
            obs.track, obs.vertical_rate, obs.squawk, obs.onground, obs.callsign, obs.kind,
        )  # fmt: skip
        for i in range(len(obs)):
            key = (int(obs.icao24[i]), bool(obs.non_icao[i]))
            sig = tuple(_cmp(c[i]) for c in cols)
            if self._last.get(key) != sig:
                self._last[key] = sig
                keep[i] = True
            self._seen[key] = now
        if len(self._seen) > 4 * len(obs) + 1000:
            old = [k for k, t in self._seen.items() if now - t > self.forget_s]
            for k in old:
                del self._seen[k]
                self._last.pop(k, None)
        idx = np.flatnonzero(keep)
        return obs_take(obs, idx)


def _cmp(v: Any) -> Any:
    x = v.item() if hasattr(v, "item") else v
    return None if isinstance(x, float) and math.isnan(x) else x
