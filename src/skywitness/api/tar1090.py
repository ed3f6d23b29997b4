"""readsb's ``data/`` files besides ``aircraft.json`` (``create_app`` serves that one), so that
tar1090's web page and graphs1090 run on skywitness: ``receiver.json``, ``stats.json``,
``outline.json``, ``history_N.json`` and ``traces/XX/trace_{full,recent}_<hex>.json`` built
from the lake. The shapes are built in ``readsb_data``; this module binds them to a service.

``serve --tar1090 DIR`` also serves a tar1090 ``html/`` folder at ``/tar1090/`` with these
files under ``/tar1090/data/`` (one origin, as tar1090 expects).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from ..flights.airports import haversine_m
from ..identify.identity import identify
from ..runtime.live import Body, Served
from ..runtime.readsb_rows import db_flags
from ..runtime.service import Service
from ..timeutil import from_unix
from . import params as P
from .history_ring import HistoryRing
from .readsb_data import outline_points, receiver_json, stats_json, trace_json

#: What the trace files cover: ``full`` the last day of data, ``recent`` its last minutes, s.
TRACE_FULL_S = 86_400.0
TRACE_RECENT_S = 600.0
#: Most points in one trace file.
TRACE_POINTS_MAX = 50_000

_TRACE_SQL = (
    "SELECT epoch_ms(timestamp) / 1000.0 AS t, latitude, longitude, altitude, geoaltitude, "
    "groundspeed, track, vertical_rate, onground, position_source FROM states "
    "WHERE icao24 = ? AND date >= ? AND date <= ? AND timestamp >= ? AND timestamp < ? "
    "AND latitude IS NOT NULL AND longitude IS NOT NULL ORDER BY timestamp LIMIT ?"
)


def counters(service: Service) -> dict[str, int]:
    """The service's running totals in readsb's terms."""
    rej = service.rejects()
    return {
        "frames": service.frames(),
        "accepted": service.stats.accepted,
        "positions": service.stats.positions,
        "rejected": sum(rej.values()),
        "unknown_address": rej.get("unknown_address", 0),
    }


def _json(obj: Any) -> Response:
    body = Body.of(obj)
    headers = {"Cache-Control": "no-cache"}
    return Response(body.plain, media_type="application/json", headers=headers)


def _trace_cols(con: duckdb.DuckDBPyConnection, icao: str, lo: float, hi: float) -> dict[str, Any]:
    since, until = from_unix(lo), from_unix(hi)
    params = [icao, since.date(), until.date(), since, until, TRACE_POINTS_MAX]
    try:
        table = con.sql(_TRACE_SQL, params=params).to_arrow_table()
    except duckdb.Error as exc:  # an empty lake: a states view over no files
        if "states" in str(exc) or "No files" in str(exc):
            return {}
        raise
    return {name: table.column(name).to_pylist() for name in table.column_names}


def _leg_starts(con: duckdb.DuckDBPyConnection, icao: str, lo: float, hi: float) -> list[float]:
    """First-seen times of the aircraft's stored flights in the window (one truth: the
    flights table says where a leg starts, not a second segmentation here)."""
    rows = con.execute(
        "SELECT epoch_ms(firstSeen) / 1000.0 FROM flights WHERE icao24 = ? "
        "AND firstSeen >= ? AND firstSeen < ?",
        [icao, from_unix(lo), from_unix(hi)],
    ).fetchall()
    return [float(r[0]) for r in rows]


def router(
    service: Service,
    serve_body: Callable[[Request, Served], Response],
    history: HistoryRing | None = None,
) -> APIRouter:
    """The routes, relative to a ``data/`` folder (``serve_body``: as ``install``'s;
    ``history``: the ``history_N.json`` samples, by default taken from ``service``)."""
    r = APIRouter()
    if history is None:
        history = HistoryRing(service, counters)
    cfg = service.config

    def position() -> tuple[float, float] | None:
        return cfg.receiver_position

    @r.get("/receiver.json", summary="readsb receiver.json: version, refresh, capabilities")
    def receiver() -> Response:
        return _json(
            receiver_json(
                refresh_ms=int(cfg.snapshot_interval_s * 1000),
                history=len(history.items),
                have_traces=service.read_connection() is not None,
                position=position(),
            )
        )

    @r.get("/history_{n}.json", summary="readsb history: aircraft.json of up to 1 h ago")
    def history_n(request: Request, n: int) -> Response:
        sample = history.get(n)
        if sample is None:
            raise HTTPException(404, f"history_{n}.json: {len(history.items)} history files")
        return serve_body(request, sample)

    @r.get("/stats.json", summary="readsb stats.json: message and position counters")
    def stats() -> Response:
        now = time.time()
        c = service.snapshot.columns
        has_pos = np.isfinite(c.latitude)
        total = counters(service)
        base = history.since(now, 60.0)
        start, before = base if base is not None else (service.started, {})
        last1min = {k: v - before.get(k, 0) for k, v in total.items()}
        center = position()
        max_d = float("nan")
        if center is not None and has_pos.any():
            pts = outline_points(c.latitude, c.longitude, center, sectors=1)
            max_d = float(haversine_m(center[0], center[1], pts[0][0], pts[0][1])) if pts else max_d
        body = stats_json(
            now, service.started, total, (start, last1min), len(c), int(has_pos.sum()), max_d
        )
        return _json(body)

    @r.get("/outline.json", summary="readsb outline.json: coverage from observed range")
    def outline() -> Response:
        c = service.snapshot.columns
        center = position()
        if center is None:
            ok = np.isfinite(c.latitude)
            if not ok.any():
                return _json({"actualRange": {"last24h": {"points": []}}})
            center = (float(np.median(c.latitude[ok])), float(np.median(c.longitude[ok])))
        pts = outline_points(c.latitude, c.longitude, center)
        return _json({"actualRange": {"last24h": {"points": pts}}})

    @r.get("/traces/{xx}/trace_{kind}_{hexid}.json", summary="readsb trace of one aircraft")
    def trace(xx: str, kind: str, hexid: str) -> Response:
        icao = P.icao24_param(hexid)
        if kind not in ("full", "recent") or xx.lower() != icao[-2:]:
            raise HTTPException(404, "no such trace file")
        con = service.read_connection()
        if con is None:
            raise HTTPException(404, "this server keeps no history (no --data-dir)")
        live = service.snapshot.row(icao)
        hi = (float(live["last_seen"]) if live and live.get("last_seen") else time.time()) + 1.0
        lo = hi - (TRACE_FULL_S if kind == "full" else TRACE_RECENT_S)
        with service.read_lock:
            cols = _trace_cols(con, icao, lo, hi)
            legs = _leg_starts(con, icao, lo, hi) if cols else []
            ident = identify(con, icao, live["callsign"] if live else None)
        if not cols or not cols["t"]:
            raise HTTPException(404, f"no stored positions of {icao} in the last day")
        info = {
            "r": ident.registration,
            "t": ident.typecode,
            "desc": ident.description,
            "dbFlags": db_flags(ident, ident.classification),
        }
        return _json(trace_json(icao, cols, legs, info))

    return r


def install(
    app: FastAPI,
    service: Service,
    serve_body: Callable[[Request, Served], Response],
    tar1090_html: Path | None = None,
) -> None:
    """The routes under ``/data`` and, with a tar1090 ``html/`` folder, the page at
    ``/tar1090/`` with the same routes and ``aircraft.json`` (``serve_body``: the app's one
    responder for pre-serialised bodies) under ``/tar1090/data``."""
    history = HistoryRing(service, counters)
    app.state.history_ring = history  # its size is in /api/stats ``memory``
    routes = router(service, serve_body, history)
    app.include_router(routes, prefix="/data")
    if tar1090_html is None:
        return

    @app.get("/tar1090/data/aircraft.json", include_in_schema=False)
    def aircraft_json(request: Request) -> Response:
        return serve_body(request, service.snapshot.readsb)

    app.include_router(routes, prefix="/tar1090/data", include_in_schema=False)
    app.mount("/tar1090", StaticFiles(directory=tar1090_html, html=True), name="tar1090")
