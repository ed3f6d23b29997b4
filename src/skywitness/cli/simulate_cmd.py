"""``skywitness simulate``: a scenario's traffic as real frames, to a file or a Beast port."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from ..errors import SkywitnessError
from ..model import FrameBatch
from ..simulate import list_builtin, resolve, simulate, write_capture
from ..simulate.scenario import Scenario
from ..simulate.serve import BeastServer, serve_beast
from ..simulate.writers import CaptureSummary
from ..timeutil import unix_z
from .common import port_arg, stop_on_signals


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if value < 0:
        raise argparse.ArgumentTypeError("speed must be >= 0 (0: as fast as possible)")
    return value


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "simulate",
        help="simulate traffic as real Mode S / ADS-B frames (labelled simulated)",
        description="Encode a scenario's aircraft as real Mode S / ADS-B frames (DF17 "
        "identification, positions, velocity; DF4/5/11/20/21), heard only within the "
        "receivers' coverage. SCENARIO is a TOML file or a built-in name "
        f"({', '.join(list_builtin())}). Everything produced is simulated.",
    )
    p.add_argument("scenario", metavar="SCENARIO", help="scenario TOML file or built-in name")
    p.add_argument(
        "-o",
        "--output",
        default=None,
        help="capture file: .bin/.beast (Beast binary) or .jsonl ({timestamp, frame}); "
        "'-' for Beast on stdout",
    )
    p.add_argument(
        "--serve-beast",
        type=port_arg,
        default=None,
        metavar="PORT",
        help="serve Beast binary on TCP PORT (several clients) instead of writing a file",
    )
    p.add_argument("--bind", default="127.0.0.1", help="address for --serve-beast")
    p.add_argument(
        "--speed",
        type=_speed,
        default=None,
        help="N x real time (0: as fast as possible; default 1 when serving, 0 for files)",
    )
    p.add_argument(
        "--mlat",
        metavar="DIR",
        default=None,
        help="multilateration option: six receivers around Caracas (12 MHz clocks), the state "
        "aircraft sending no ADS-B near Caracas; writes one Beast file per receiver and "
        "receivers.toml to DIR (skywitness track DIR/*.beast --receivers DIR/receivers.toml)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no summary on stderr")
    p.set_defaults(func=run)


def run_mlat(scenario: Scenario, out_dir: str, quiet: bool) -> int:
    from ..simulate.mlat_networks import caracas_network
    from ..simulate.multirx import write_network

    receivers, only = caracas_network(scenario)
    frames, first = write_network(scenario, receivers, only, Path(out_dir))
    if not quiet:
        start = unix_z(first, "us") if frames else "no frames"
        print(
            f"{scenario.label.upper()} traffic, scenario {scenario.name!r}, multilateration "
            f"option: {len(receivers)} receivers around Caracas, {len(only.icao24)} state "
            f"aircraft without ADS-B within {only.radius_nm:g} NM; {frames:,} frames from "
            f"{start} -> {out_dir}/ (each file named after its receiver and first frame's time)",
            file=sys.stderr,
        )
    return 0


def _until(stop: threading.Event, batches: Iterable[FrameBatch]) -> Iterator[FrameBatch]:
    """The batches until ``stop`` is set (SIGTERM), so every mode ends cleanly and promptly."""
    for batch in batches:
        if stop.is_set():
            return
        yield batch


def summary_text(scenario: Scenario, done: CaptureSummary, target: str) -> str:
    # The first frame's exact time: reading a Beast capture back on the scenario's clock needs
    # it (the 12 MHz counter has no date; --start-time is the first frame's time).
    span = "no frames in coverage"
    if done.frames:
        span = f"{unix_z(done.first, 'us')} .. {unix_z(done.last, 's')}"
    return (
        f"{scenario.label.upper()} traffic, scenario {scenario.name!r}: "
        f"{len(scenario.aircraft)} aircraft, {len(scenario.receivers)} receivers, "
        f"{done.frames:,} frames, {span} -> {target}"
    )


def run(args: argparse.Namespace) -> int:
    scenario = resolve(args.scenario)
    if args.mlat is not None:
        return run_mlat(scenario, args.mlat, args.quiet)
    if args.serve_beast is not None and args.output is not None:
        raise SkywitnessError("give either -o FILE or --serve-beast PORT, not both")
    with stop_on_signals() as stop:
        if args.serve_beast is not None:
            speed = 1.0 if args.speed is None else args.speed
            with BeastServer(args.bind, args.serve_beast) as server:
                host, port = server.address
                if not args.quiet:
                    print(
                        f"serving simulated Beast on {host}:{port} at {speed:g}x",
                        file=sys.stderr,
                    )
                batches = simulate(scenario, speed=speed, sleep=stop.wait)
                done = serve_beast(_until(stop, batches), server, stop)
            target = f"beast://{host}:{port}"
        elif args.output is not None:
            speed = 0.0 if args.speed is None else args.speed
            batches = simulate(scenario, speed=speed, sleep=stop.wait)
            done = write_capture(_until(stop, batches), args.output)
            target = "stdout" if args.output == "-" else args.output
        else:
            done = CaptureSummary()
            batches = simulate(scenario, speed=args.speed or 0.0, sleep=stop.wait)
            for batch in _until(stop, batches):
                done.add(batch)  # made and counted, not kept: a dry run
            target = "nowhere (dry run: give -o FILE or --serve-beast PORT)"
    if not args.quiet:
        print(summary_text(scenario, done, target), file=sys.stderr)
    return 0
