"""``skywitness watch`` (rules live, replayed over the store, or checked) and ``alerts``."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from typing import Any

from ..errors import SkywitnessError
from ..flights.recall import LakeRecall
from ..flights.stage import FlightStage
from ..identify.kinds import aircraft_kinds, kinds_heard
from ..runtime.pipeline import track_tables
from ..stats import IngestStats
from ..watch import (
    ConsoleNotifier,
    Watch,
    list_alerts,
    live,
    load_rules,
    make_notifier,
    replay,
)
from ..watch.notify import Notifier
from .common import FORMAT_CHOICES, parse_start_time, print_summary, run_options, stop_on_signals
from .db_cmd import add_data_dir, open_store
from .timeargs import end_time_arg, time_arg

ALERT_COLUMNS = ("time", "rule", "event", "icao24", "callsign", "flight_id", "airport", "area")


def register(sub: Any) -> None:
    p = sub.add_parser(
        "watch", help="run watch rules: live on sources, --replay over the store, or --check"
    )
    add_data_dir(p, sub=False)
    p.add_argument("sources", nargs="*", metavar="SOURCE", help="live sources or files")
    p.add_argument("--rules", help="rules file (TOML)")
    p.add_argument("--check", metavar="FILE", help="validate a rules file and exit")
    p.add_argument("--replay", action="store_true", help="run over the store, not sources")
    p.add_argument("--since", type=time_arg, help="replay from (UTC, inclusive)")
    p.add_argument(
        "--until", type=end_time_arg, help="replay until (UTC, exclusive; a date: its end)"
    )
    p.add_argument(
        "--format", dest="fmt", default="auto", choices=FORMAT_CHOICES, help="input format"
    )
    p.add_argument("--strict", action="store_true", help="stop at the first rejected input")
    p.add_argument("--start-time", type=parse_start_time, default=None, help="Beast file start")
    p.add_argument("--quiet", "-q", action="store_true", help="no console alerts or summary")
    p.set_defaults(func=run_watch)

    a = sub.add_parser("alerts", help="list stored alerts")
    add_data_dir(a, sub=False)
    a.add_argument("--since", type=time_arg, help="from (UTC, inclusive)")
    a.add_argument("--until", type=end_time_arg, help="until (UTC, exclusive; a date: its end)")
    a.add_argument("--rule", help="only this rule")
    a.add_argument("--format", dest="out_format", default="table", choices=("table", "json", "csv"))
    a.set_defaults(func=run_alerts)


def run_watch(args: argparse.Namespace) -> int:
    if args.check:
        rs = load_rules(args.check)
        print(f"{args.check}: OK ({len(rs.rules)} rules, {len(rs.notifiers)} notifiers)")
        return 0
    if not args.rules:
        raise SkywitnessError("watch needs --rules FILE (or --check FILE)")
    if args.replay == bool(args.sources):
        raise SkywitnessError("give SOURCE... to watch live, or --replay (not both)")
    rs = load_rules(args.rules)
    notifiers: list[tuple[str, Notifier]] = [(c.name, make_notifier(c)) for c in rs.notifiers]
    if not args.quiet and not any(c.kind == "console" for c in rs.notifiers):
        notifiers.append(("console", ConsoleNotifier()))
    try:
        with open_store(args) as store:
            runways = store.table("runways")  # imported with `db import-runways`, or None
            con = store.connection
            stage = FlightStage(runways, recall=LakeRecall(store.lake), kinds=aircraft_kinds(con))
            watch = Watch(
                rs,
                con=store.connection,
                store=store,
                notifiers=notifiers,
                runways=runways,
                # the one flights stage, recalling flights forgotten in the air from the lake,
                # with the aircraft kinds the identity store knows (as ``flights rebuild``)
                stage=stage,
            )
            if args.replay:
                if args.since is None or args.until is None:
                    raise SkywitnessError("--replay needs --since and --until")
                alerts = replay(watch, store, args.since, args.until)
            else:
                stats = IngestStats(strict=args.strict)
                with stop_on_signals() as stop:
                    # the emitter categories heard live give kinds too (as in ``serve``)
                    tables = track_tables(
                        args.sources, run_options(args), stats, stop=stop,
                        on_categories=lambda c: stage.learn_kinds(kinds_heard(con, c)),
                    )  # fmt: skip
                    alerts = live(watch, tables)
                if not args.quiet:
                    print_summary(stats, title="watch input")
                if watch.source.late:
                    print(
                        f"warning: {watch.source.late:,} state vectors came after their window "
                        "was evaluated (input out of time order); replay may differ there",
                        file=sys.stderr,
                    )
    finally:
        for _, n in notifiers:
            n.close()
    if not args.quiet:
        print(f"{len(alerts)} alerts", file=sys.stderr)
    return 0


def run_alerts(args: argparse.Namespace) -> int:
    with open_store(args, read_only=True) as store:
        alerts = list_alerts(store.connection, since=args.since, until=args.until, rule=args.rule)
    if args.out_format == "json":
        for a in alerts:
            print(json.dumps(a.as_dict(), sort_keys=True, default=str))
        return 0
    rows = [{k: a.as_dict().get(k) or "" for k in ALERT_COLUMNS} for a in alerts]
    if args.out_format == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=ALERT_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
        sys.stdout.write(buf.getvalue())
        return 0
    widths = {k: max([len(k), *(len(str(r[k])) for r in rows)]) for k in ALERT_COLUMNS}
    print("  ".join(k.ljust(widths[k]) for k in ALERT_COLUMNS))
    for r in rows:
        print("  ".join(str(r[k]).ljust(widths[k]) for k in ALERT_COLUMNS))
    print(f"{len(rows)} alerts", file=sys.stderr)
    return 0
