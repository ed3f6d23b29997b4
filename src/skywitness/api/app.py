"""The HTTP API and web UI of ``skywitness serve``: the whole route table (docs/api.md).

``create_app(service)`` binds the routes to a running ``Service``. Live reads hand out the
pre-serialised snapshot bytes; store reads go through one read cursor under the service's read
lock, in FastAPI's thread pool (plain ``def`` routes), so they never block the event loop.
"""

from __future__ import annotations

import importlib
import time
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import pyarrow.compute as pc
from fastapi import FastAPI, Header, HTTPException, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.cors import CORSMiddleware

from ..errors import SkywitnessError
from ..flights.query import build_query, select_flights
from ..identify.identity import identify
from ..runtime.flight_steps import flight_rows
from ..runtime.hub import TooManyClients
from ..runtime.live import Served
from ..runtime.service import Service
from ..store import FlightFilter
from . import admin, places, tar1090
from . import params as P
from .check import check_router
from .guard import Guard
from .health import flights_stats, json_answer, memory_stats, notifier_stats, source_stats
from .reads import StoreSums, flights_table, store_info, track_geojson, track_table

#: Bounds on what a request may ask for.
FLIGHTS_LIMIT_MAX = 1000
FLIGHTS_SPAN_MAX = timedelta(days=366)
TRACK_SPAN_MAX = timedelta(days=7)
TRACK_DEFAULT = timedelta(hours=24)
TRACK_POINTS_MAX = 100_000
ALERTS_LIMIT_MAX = 1000
STREAM_TIMEOUT_MAX_S = 86_400.0

Auth = Annotated[str | None, Header(alias="Authorization", include_in_schema=False)]


def serve_body(request: Request, body: Served) -> Response:
    """The one responder for pre-serialised bodies: 304 on a matching ETag, the gzip bytes
    to a client that takes them, else the plain ones."""
    headers = {"ETag": body.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if request.headers.get("if-none-match") == body.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(body.gz, media_type="application/json", headers=headers)
    return Response(body.plain, media_type="application/json", headers=headers)


def _history_bytes(app: FastAPI) -> int | None:
    """Bytes the ``history_N.json`` samples hold (``tar1090.install`` keeps them on the app)."""
    ring = getattr(app.state, "history_ring", None)
    return None if ring is None else int(ring.nbytes)


def _first_messages(texts: list[str], n: int) -> list[str]:
    """``texts`` up to and including the ``n``-th message (comment lines are not messages)."""
    for k, t in enumerate(texts):
        if not t.startswith(":"):
            n -= 1
            if n <= 0:
                return texts[: k + 1]
    return texts


def _ts(d: datetime | None) -> float | None:
    return None if d is None else d.timestamp()


def create_app(service: Service) -> FastAPI:
    app = FastAPI(
        title="skywitness",
        description="Live aircraft, flights, alerts and stats (docs/api.md).",
        version="1",
    )
    cfg = service.config
    origins = list(getattr(cfg, "cors_origins", ()))
    if origins:  # off unless configured: browsers then refuse other sites' reads
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_methods=["GET"],
            allow_headers=["Authorization"],
        )
    app.add_middleware(Guard, service=service)

    @app.exception_handler(SkywitnessError)
    async def _skywitness_error(_: Request, exc: SkywitnessError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, 400)

    def read_con() -> Any:
        con = service.read_connection()
        if con is None:
            raise HTTPException(409, "this server runs without a store (start it with --data-dir)")
        return con

    # -- live -------------------------------------------------------------------------
    @app.get("/data/aircraft.json", summary="live state in readsb's aircraft.json format")
    def readsb_json(request: Request) -> Response:
        return serve_body(request, service.snapshot.readsb)

    @app.get("/api/aircraft", summary="live snapshot with identity and classification")
    def aircraft(request: Request) -> Response:
        return serve_body(request, service.snapshot.aircraft)

    @app.get("/api/aircraft/{icao24}", summary="identity, live state and recent flights")
    def aircraft_one(icao24: str, limit: Annotated[int, Query(ge=1, le=200)] = 20) -> Any:
        key = P.icao24_param(icao24)
        snap = service.snapshot
        live = snap.row(key)
        callsign = live["callsign"] if live else None
        con = service.read_connection()
        with service.read_lock:
            ident = identify(con, key.lstrip("~"), callsign) if not key.startswith("~") else None
            flights = _recent_flights(con, key, limit)
        known = ident is not None and bool(ident.facts)
        if live is None and not flights and not known:
            raise HTTPException(404, f"aircraft {key} is not live, has no flights, is not known")
        return {
            "icao24": key,
            "identity": asdict(ident) if ident is not None else None,
            "live": live,
            "state": snap.provenance(key),
            "flights": flights,
        }

    def _recent_flights(con: Any, key: str, limit: int) -> list[dict[str, Any]]:
        if con is not None:
            table = flights_table(con, FlightFilter(icao24=key))
        elif service.flights is not None:
            all_flights = service.flights.engine.flights()
            table = all_flights.filter(pc.equal(all_flights.column("icao24"), key))
        else:
            return []
        rows = flight_rows(table)
        return rows[::-1][:limit]

    @app.get("/api/aircraft/{icao24}/track", summary="stored positions as GeoJSON")
    def track(
        icao24: str,
        since: str | None = None,
        until: str | None = None,
        max_points: Annotated[int, Query(ge=1, le=TRACK_POINTS_MAX)] = 20_000,
    ) -> Any:
        key = P.icao24_param(icao24)
        t_since = P.time_param("since", since)
        t_until = P.time_param("until", until, end=True)
        if t_until is None:
            t_until = (t_since + TRACK_DEFAULT) if t_since else datetime.now(UTC)
        if t_since is None:
            t_since = t_until - TRACK_DEFAULT
        P.check_range(t_since, t_until, TRACK_SPAN_MAX, "track")
        con = read_con()
        with service.read_lock:
            table = track_table(con, key, t_since, t_until)
        return track_geojson(table, key, t_since.timestamp(), t_until.timestamp(), max_points)

    # -- history ----------------------------------------------------------------------
    @app.get("/api/flights", summary="stored flights (the filters of docs/filters.md)")
    def flights(
        since: str | None = None,
        until: str | None = None,
        min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
        limit: Annotated[int, Query(ge=1, le=FLIGHTS_LIMIT_MAX)] = 100,
        icao24: P.ListParam = None,
        callsign: P.ListParam = None,
        registration: P.ListParam = None,
        operator: P.ListParam = None,
        registry_country: P.ListParam = None,
        typecode: Annotated[str | None, Query(alias="type", max_length=P.LIST_MAX)] = None,
        classes: Annotated[str | None, Query(alias="class", max_length=P.LIST_MAX)] = None,
        military: bool = False,
        government: bool = False,
        watchlist: P.ListParam = None,
        origin: Annotated[str | None, Query(alias="from", max_length=P.LIST_MAX)] = None,
        destination: Annotated[str | None, Query(alias="to", max_length=P.LIST_MAX)] = None,
        via: P.ListParam = None,
        from_country: P.ListParam = None,
        to_country: P.ListParam = None,
        via_country: P.ListParam = None,
    ) -> Any:
        t_since = P.time_param("since", since)
        t_until = P.time_param("until", until, end=True)
        P.check_range(t_since, t_until, FLIGHTS_SPAN_MAX, "flights")
        given = {  # by docs/filters.md key
            "since": t_since,
            "until": t_until,
            "min_confidence": min_confidence,
            "icao24": P.icao24_list(icao24),
            "callsign": callsign,
            "registration": registration,
            "operator": operator,
            "registry_country": registry_country,
            "type": typecode,
            "class": classes,
            "military": military,
            "government": government,
            "watchlist": watchlist,
            "from": origin,
            "to": destination,
            "via": via,
            "from_country": from_country,
            "to_country": to_country,
            "via_country": via_country,
        }
        query = build_query(given, limit=limit)
        con = read_con()
        with service.read_lock:
            rows = flight_rows(select_flights(con, query))
        return {"count": len(rows), "flights": rows}

    @app.get("/api/alerts", summary="alerts raised by the watch rules, newest first")
    def alerts(
        since: str | None = None,
        until: str | None = None,
        rule: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=ALERTS_LIMIT_MAX)] = 100,
    ) -> Any:
        lo = _ts(P.time_param("since", since))
        hi = _ts(P.time_param("until", until, end=True))
        if lo is not None and hi is not None and hi <= lo:
            raise HTTPException(400, "until must be after since (alerts)")
        out = []
        for a in reversed(list(service.alerts)):
            t = float(a.get("time") or 0.0)
            if (lo is not None and t < lo) or (hi is not None and t >= hi):
                continue
            if rule is not None and a.get("rule") != rule:
                continue
            out.append(a)
            if len(out) >= limit:
                break
        return {"count": len(out), "alerts": out}

    # -- stream and stats -------------------------------------------------------------
    @app.get("/api/stream", summary="server-sent events: positions, aircraft, flight, alert")
    async def stream(
        limit: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
        timeout_s: Annotated[float | None, Query(gt=0, le=STREAM_TIMEOUT_MAX_S)] = None,
    ) -> StreamingResponse:
        try:
            client = service.hub.add()
        except TooManyClients as exc:
            raise HTTPException(503, str(exc)) from exc

        async def body() -> Any:
            deadline = None if timeout_s is None else time.monotonic() + timeout_s
            sent = 0
            # everything queued goes out in one write: one message per write cannot keep up
            gen = service.hub.batches(client)
            try:
                async for texts in gen:
                    if limit is not None:
                        texts = _first_messages(texts, limit - sent)
                    sent += sum(1 for t in texts if not t.startswith(":"))
                    yield "".join(texts)
                    if (limit is not None and sent >= limit) or (
                        deadline is not None and time.monotonic() >= deadline
                    ):
                        break
            finally:
                await gen.aclose()

        headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(body(), media_type="text/event-stream", headers=headers)

    sums = StoreSums()  # the catalogue's sums until its next write

    @app.get("/api/stats", summary="service health: rates, rejects, lag, store size")
    def stats() -> Any:
        now = time.time()
        tr = service.tracker
        store = None
        con = service.read_connection()
        if con is not None and cfg.data_dir is not None and service.store is not None:
            with service.read_lock:
                got = sums.get(con, service.store.writes)
                store = store_info(con, str(cfg.data_dir), got)
            w = service.writer
            store["pending_rows"] = (
                (w.rows_appended - w.rows_stored - w.rows_dropped) if w is not None else 0
            )
            store["degraded"] = w.degraded if w is not None else None
            store["rows_not_stored"] = w.rows_dropped if w is not None else 0
        beast, sbs = service.outputs.clients()
        return json_answer(
            {
                "now": round(now, 3),
                "started": round(service.started, 3),
                "uptime_s": round(now - service.started, 3),
                "frames": service.frames(),
                "accepted": service.stats.accepted,
                "positions": service.stats.positions,
                "aircraft_live": service.snapshot.count,
                "lag_s": round(service.lag_s(), 3),
                "queue_batches": service.inbox.qsize(),
                "snapshot_age_s": round(now - service.snapshot.now, 3),
                "stream_clients": service.hub.clients,
                "sources": source_stats(service, now),
                "rejects": dict(sorted(service.rejects().items())),
                "rejects_by_source": {
                    k: dict(sorted(v.items())) for k, v in service.rejects_by_source().items()
                },
                "store": store,
                "flights": flights_stats(service),
                "outputs": {"beast_clients": beast, "sbs_clients": sbs},
                "rules": service.rules_loaded,
                "notifiers": notifier_stats(service),
                "tracker_ok": tr is None or tr.failed is None,
                "mlat": service.mlat_stats(),
                "memory": memory_stats(service, con, _history_bytes(app)),
            }
        )

    app.include_router(admin.router(service))

    # -- web UI -----------------------------------------------------------------------
    @app.get("/api/basemap.geojson", summary="offline base map: country outlines (GeoJSON)")
    def basemap() -> Response:
        try:
            mod = importlib.import_module("skywitness.web.basemap")
            data = mod.basemap_geojson()
        except Exception as exc:  # missing optional data package: say so
            raise HTTPException(503, f"base map unavailable: {exc}") from exc
        return Response(
            data,
            media_type="application/geo+json",
            headers={"Cache-Control": "public, max-age=86400"},
        )

    app.include_router(check_router(service))
    app.include_router(places.router(service))
    tar1090.install(app, service, serve_body, cfg.tar1090_html)
    _mount_ui(app)
    return app


def _mount_ui(app: FastAPI) -> None:
    """Leaflet (xstatic) at /static/leaflet, the UI package at / and /static (mounted first
    wins, so Leaflet's prefix goes first)."""
    # xstatic packages carry no type information: looked up at run time
    leaflet_dir = importlib.import_module("xstatic.pkg.leaflet").BASE_DIR
    app.mount("/static/leaflet", StaticFiles(directory=leaflet_dir), name="leaflet")
    try:
        web = importlib.import_module("skywitness.web")
        static = Path(web.static_dir())
    except Exception:
        static = None
    if static is not None and (static / "index.html").is_file():
        app.mount("/static", StaticFiles(directory=static), name="static")
        index = static / "index.html"

        @app.get("/", include_in_schema=False)
        def root() -> FileResponse:
            return FileResponse(index, media_type="text/html")
    else:

        @app.get("/", include_in_schema=False)
        def root_missing() -> HTMLResponse:
            return HTMLResponse(
                "<!doctype html><title>skywitness</title><p>The web UI is not installed; "
                'the API is at <a href="/docs">/docs</a>.</p>'
            )
