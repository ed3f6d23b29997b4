"""``skywitness demo``: the built-in Caracas scenario through the whole system, offline."""

from __future__ import annotations

import argparse
import time
from typing import Any

from rich.console import Console

from ..flights import AirportIndex
from ..runtime.demo import describe, run_demo
from ..simulate import resolve

QUESTION = "Which Russian state aircraft arrived in Venezuela?"


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="run a simulated scenario end to end and answer its question (offline)",
        description="Simulate the built-in Caracas scenario (two Russian state transports "
        "flying Moscow → Caracas on 2019-09-20 among airline traffic, as real Mode S frames), "
        "decode, track, rebuild flights across the Atlantic gap, identify the aircraft and "
        "answer: which Russian state aircraft arrived in Venezuela? Everything is simulated.",
    )
    p.add_argument("--scenario", default="caracas", help="built-in scenario name or TOML file")
    p.add_argument("--once", action="store_true", help="print the answer and exit")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = Console(highlight=False, soft_wrap=True)
    t0 = time.perf_counter()
    answer = run_demo(resolve(args.scenario))
    took = time.perf_counter() - t0
    airports = AirportIndex.default()
    out.print(f"[bold]skywitness demo[/bold] — SIMULATED data, scenario {answer.scenario.name!r}")
    out.print(f"  {answer.scenario.description}")
    out.print(
        f"  {answer.frames:,} Mode S frames from {len(answer.scenario.receivers)} simulated "
        f"receivers → {answer.states:,} state vectors → {answer.flights} flights "
        f"({took:.1f} s)"
    )
    out.print(f"\n[bold]Question:[/bold] {QUESTION}")
    if not answer.matches:
        out.print("[bold]Answer:[/bold] none found in the simulated data.")
        return 0
    out.print(f"[bold]Answer:[/bold] {len(answer.matches)} aircraft\n")
    for match in answer.matches:
        out.print(describe(match), markup=False, soft_wrap=True)
        for code in (match.flight["estDepartureAirport"], match.flight["estArrivalAirport"]):
            ap = airports.lookup(str(code or ""))
            if ap is not None:
                out.print(f"    {ap.icao}: {ap.name} ({ap.country})")
    return 0
