"""``skywitness demo``: the built-in Caracas scenario through the whole system, offline.

``--once`` prints the answer and exits; otherwise the simulated capture is also ingested into a
demo store (with the rule's alerts) and served: the map, the flights and the alerts in a browser.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import webbrowser
from pathlib import Path
from typing import Any

from rich.console import Console

from ..flights import AirportIndex
from ..runtime.demo import DEMO_RULES, DemoAnswer, describe, run_demo
from ..simulate import resolve
from ..timeutil import from_unix, iso_day

QUESTION = "Which Russian state aircraft arrived in Venezuela?"
#: Seconds the server gets to start before the browser is pointed at it.
BROWSER_DELAY_S = 1.5


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "demo",
        help="run a simulated scenario end to end and answer its question (offline)",
        description="Simulate the built-in Caracas scenario (two Russian state transports "
        "flying Moscow → Caracas on 2019-09-20 among airline traffic, as real Mode S frames), "
        "decode, track, rebuild flights across the Atlantic gap, identify the aircraft and "
        "run the watch rule 'Russian state aircraft arriving in Venezuela'. Prints the answer; "
        "without --once it then serves the map and API. Everything is simulated.",
    )
    p.add_argument("--scenario", default="caracas", help="built-in scenario name or TOML file")
    p.add_argument("--once", action="store_true", help="print the answer and exit")
    p.add_argument(
        "--data-dir", type=Path, default=None, help="demo store (default: a temporary folder)"
    )
    p.add_argument("--port", type=int, default=8080, help="HTTP port of the map (default 8080)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    out = Console(highlight=False, soft_wrap=True)
    t0 = time.perf_counter()
    scenario = resolve(args.scenario)
    answer = run_demo(scenario)
    print_answer(out, answer, time.perf_counter() - t0)
    if args.once:
        return 0
    return serve_demo(out, answer, args)


def print_answer(out: Console, answer: DemoAnswer, took: float) -> None:
    airports = AirportIndex.default()
    out.print(f"[bold]skywitness demo[/bold] — SIMULATED data, scenario {answer.scenario.name!r}")
    out.print(f"  {answer.scenario.description}")
    out.print(
        f"  {answer.frames:,} Mode S frames from {len(answer.scenario.receivers)} simulated "
        f"receivers → {answer.states:,} state vectors → {answer.flights} flights "
        f"({took:.1f} s)"
    )
    out.print(f"\n[bold]Question:[/bold] {QUESTION}")
    out.print(
        f"  watch rule 'russian-state-aircraft-arriving-in-venezuela': "
        f"{len(answer.alerts)} alert(s)"
    )
    if not answer.matches:
        out.print("[bold]Answer:[/bold] none found in the simulated data.")
        return
    out.print(f"[bold]Answer:[/bold] {len(answer.matches)} aircraft\n")
    for match in answer.matches:
        out.print(describe(match), markup=False)
        for code in (match.flight["estDepartureAirport"], match.flight["estArrivalAirport"]):
            ap = airports.lookup(str(code or ""))
            if ap is not None:
                out.print(f"    {ap.icao}: {ap.name} ({ap.country})", markup=False)


def serve_demo(out: Console, answer: DemoAnswer, args: argparse.Namespace) -> int:
    """Ingest the simulated capture into a demo store, keep the rule's alerts, serve the UI."""
    from ..runtime.history import ingest, open_history
    from ..runtime.pipeline import RunOptions
    from ..runtime.service import ServiceConfig
    from ..simulate import simulate, write_capture
    from ..watch import save_alerts
    from .serve_cmd import serve_forever

    data = args.data_dir or Path(tempfile.mkdtemp(prefix="skywitness-demo-"))
    data.mkdir(parents=True, exist_ok=True)
    capture = data / f"{answer.scenario.name}-simulated.jsonl"
    rules = data / "demo-rules.toml"
    rules.write_text(DEMO_RULES, encoding="utf-8")
    out.print(f"\nstoring the simulated capture in {data} …")
    if not capture.exists():
        write_capture(simulate(answer.scenario), str(capture))
    store = open_history(data)
    try:
        ingest(store, [str(capture)], RunOptions())
        store.write(lambda con: save_alerts(con, answer.alerts))
    finally:
        store.close()
    url = f"http://127.0.0.1:{args.port}/?history={demo_days(answer)}"
    out.print(f"the map on the scenario's days, its flights drawn: {url} (Alerts: the rule's)")
    if sys.stdout.isatty():  # an interactive demo opens it; scripts and tests only get the URL
        threading.Timer(BROWSER_DELAY_S, webbrowser.open, [url]).start()
    return serve_forever(ServiceConfig(sources=[], data_dir=data, rules=rules, port=args.port))


def demo_days(answer: DemoAnswer) -> str:
    """The scenario's UTC days as the map's ``?history=`` value (``D`` or ``D1..D2``)."""
    first = iso_day(from_unix(answer.scenario.start).date())
    last = iso_day(from_unix(answer.scenario.end).date())
    return first if first == last else f"{first}..{last}"
