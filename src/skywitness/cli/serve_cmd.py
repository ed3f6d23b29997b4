"""``skywitness serve``: the live service — sources, tracking, store, flights, watch, HTTP API
and web UI in one process. Ctrl-C or SIGTERM stops it cleanly (the store is flushed)."""

from __future__ import annotations

import argparse
import logging
import signal
import socket
import threading
from pathlib import Path
from types import FrameType
from typing import Any

from ..config import TOKEN_ENV, api_token, data_dir
from ..errors import SkywitnessError
from ..runtime.memory import limit_arenas
from ..runtime.service import Service, ServiceConfig
from ..sources.clock import LIVE_ANCHORS
from .common import FORMAT_CHOICES, port_arg
from .track_cmd import parse_reference

#: Longest the HTTP server waits for open requests at a stop before cancelling them, s
#: (stream responses are ended first; this bounds a slow client or a long export).
GRACEFUL_S = 10
#: Longest the last flights step may take at a stop, s: a flights stage far behind (a fast
#: replay, a slow disk) does not hold a SIGTERM up; the next start's warm start rebuilds the
#: flights in progress from the stored state vectors.
STOP_FLIGHTS_S = 15.0

log = logging.getLogger(__name__)


def register(sub: Any) -> None:
    p = sub.add_parser(
        "serve", help="run the live service: ingest, track, store, flights, watch, API and map"
    )
    p.add_argument(
        "--source",
        dest="sources",
        action="append",
        default=[],
        metavar="SPEC",
        help="input (repeatable): beast+tcp://HOST:30005, sbs+tcp://HOST:30003, "
        "beast+listen://0.0.0.0:30004, readsb+http://HOST/data/aircraft.json, "
        "readsbapi+https://HOST/v2/..., opensky+https://..., or a file; none: serve the stored "
        "history (map, History, Alerts, API) of --data-dir",
    )
    p.add_argument(
        "--format", dest="fmt", default="auto", choices=FORMAT_CHOICES, help="input format"
    )
    p.add_argument(
        "--data-dir", default=None, help="store directory (default: $SKYWITNESS_DATA_DIR)"
    )
    p.add_argument("--no-store", action="store_true", help="keep nothing on disk")
    p.add_argument("--no-dedup", action="store_true", help="keep identical frames")
    p.add_argument("--rules", type=Path, default=None, help="watch rules file (TOML)")
    p.add_argument(
        "--receivers",
        type=Path,
        default=None,
        metavar="TOML",
        help="multilateration: the receivers file (docs/mlat.md); every --source is then one "
        "receiver's Beast feed (or one feed with 0xe3 receiver ids)",
    )
    p.add_argument("--bind", default="127.0.0.1", help="address to listen on (default localhost)")
    p.add_argument("--port", type=port_arg, default=8080, help="HTTP port (default 8080)")
    p.add_argument("--beast-out", type=port_arg, default=None, help="re-broadcast Beast on PORT")
    p.add_argument("--sbs-out", type=port_arg, default=None, help="re-broadcast SBS on PORT")
    p.add_argument(
        "--auth",
        choices=("read",),
        default=None,
        help="'read': reads need the token too (SKYWITNESS_TOKEN, Bearer)",
    )
    p.add_argument(
        "--receiver-position",
        type=parse_reference,
        default=None,
        metavar="LAT,LON",
        help="the receiver's position (deg): receiver.json, stats range, coverage outline",
    )
    p.add_argument(
        "--tar1090",
        type=Path,
        default=None,
        metavar="DIR",
        help="serve a tar1090 html/ folder at /tar1090/ with its data/ from this server",
    )
    p.add_argument(
        "--live-clock",
        choices=LIVE_ANCHORS,
        default="system",
        help="live Beast/AVR 12 MHz timestamps: 'system' places frames at their arrival time "
        "(as readsb); 'counter' trusts the counter (a replay served faster than real time)",
    )
    p.add_argument(
        "--allow-host",
        dest="allowed_hosts",
        action="append",
        default=[],
        metavar="NAME",
        help="also answer requests for this Host name (a proxy's name; '*': any)",
    )
    p.add_argument(
        "--cors-origin",
        dest="cors_origins",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="let this web origin read the API cross-site (default: CORS off)",
    )
    p.set_defaults(func=run_serve)


def config_of(args: argparse.Namespace) -> ServiceConfig:
    if not args.sources and args.no_store:
        raise SkywitnessError("nothing to serve: give a --source, or a store (drop --no-store)")
    token = api_token()
    if args.auth == "read" and not token:
        raise SkywitnessError(f"--auth read needs the {TOKEN_ENV} environment variable")
    return ServiceConfig(
        sources=list(args.sources),
        data_dir=None if args.no_store else data_dir(args.data_dir),
        rules=args.rules,
        receivers=args.receivers,
        bind=args.bind,
        port=args.port,
        beast_out=args.beast_out,
        sbs_out=args.sbs_out,
        auth_read=args.auth == "read",
        token=token,
        allowed_hosts=tuple(args.allowed_hosts),
        cors_origins=tuple(args.cors_origins),
        live_clock=args.live_clock,
        fmt=args.fmt,
        receiver_position=args.receiver_position,
        tar1090_html=args.tar1090,
        dedup=not args.no_dedup,
    )


def run_serve(args: argparse.Namespace) -> int:
    return serve_forever(config_of(args))


def listen_socket(host: str, port: int) -> socket.socket:
    """The HTTP server's listening socket; SkywitnessError naming the address when it is taken."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise SkywitnessError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def serve_forever(cfg: ServiceConfig) -> int:
    """Start the service and its HTTP server; run until Ctrl-C or SIGTERM, then stop cleanly."""
    import uvicorn

    from ..api import create_app

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # open /api/stream responses end first, or the server would wait for them
            service.hub.close()
            super().handle_exit(sig, frame)

    sock = listen_socket(cfg.bind, cfg.port)  # a busy port fails here, before anything starts
    limit_arenas()  # before the service's threads: few C heaps, less freed memory held
    try:
        service = Service(cfg).start()
    except BaseException:
        sock.close()
        raise
    server = Server(
        uvicorn.Config(
            create_app(service),
            host=cfg.bind,
            port=cfg.port,
            log_level="warning",
            lifespan="off",
            timeout_graceful_shutdown=GRACEFUL_S,
        )
    )
    stopping = threading.Event()

    def on_signal(signum: int, _frame: Any) -> None:
        stopping.set()
        service.hub.close()
        server.should_exit = True

    # uvicorn installs its own handlers inside run() and re-raises a caught signal when it
    # returns: ours (restored then) turn that into a clean stop rather than a traceback
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(f"skywitness: serving http://{cfg.bind}:{cfg.port}/ (API docs at /docs)", flush=True)
    try:
        server.run(sockets=[sock])
    finally:
        service.stop(flights_timeout_s=STOP_FLIGHTS_S)
        service.wait_closed(timeout=60.0)
    print("skywitness: stopped; store flushed", flush=True)
    return 0
