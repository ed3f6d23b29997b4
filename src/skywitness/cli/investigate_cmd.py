"""``skywitness investigate``: ask a question of the store, answer it, write an evidence pack;
``skywitness verify PACK``: re-check a pack's hashes and, with ``--rerun``, its answer.

The question comes from options or a TOML file (``--question``; options given too are added
to it). The answer is printed as a table of flights and a paragraph; ``--report DIR`` writes
report.html, the exports and manifest.json (``--pdf``: report.pdf via headless Chromium).
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..config import data_dir
from ..evidence.answer import flight_rows
from ..evidence.manifest import read_manifest, verify_pack
from ..evidence.pack import investigate, rerun, write_pack
from ..evidence.places import Outlines
from ..evidence.question import Question, from_dict, load_toml
from ..web.basemap import basemap_geojson
from .db_cmd import add_data_dir, open_store

out = Console(highlight=False, soft_wrap=True)
#: The flights table is printed at least this wide (characters), so a pipe gets whole rows.
TABLE_WIDTH = 140

#: Question keys that take lists, with their options (repeatable, comma lists accepted).
_LIST_OPTIONS = (
    ("icao24", "--icao24", "aircraft address(es), 6 hex digits"),
    ("registration", "--registration", "registration(s), e.g. RA-86496"),
    ("callsign", "--callsign", "callsign glob(s), e.g. 'RFF*'"),
    (
        "registry_country",
        "--registry-country",
        "state of registry (ISO 3166 alpha-2), by address block",
    ),
    ("classes", "--class", "classification(s): military, government, police, civil"),
    ("airports", "--airport", "departs from or arrives at this airport (ICAO or IATA)"),
    ("countries", "--country", "departs from or arrives in this country (ISO 3166 alpha-2)"),
    ("geofences", "--geofence", "flies through this area (GeoJSON file with polygons)"),
)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "investigate",
        help="answer a question about aircraft movements, with an evidence pack",
        description="Which aircraft (--icao24, --registration, --callsign, --operator, "
        "--registry-country, --military/--government, --watchlist), where (--airport, "
        "--country, --geofence, --sequence A,B,HOURS) and when (--since/--until); or all of "
        "it in a TOML file (--question). Prints the matching flights and the answer; --report "
        "DIR writes the evidence pack (report.html, exports, manifest.json).",
    )
    add_data_dir(p, sub=False)
    p.add_argument("--question", metavar="FILE", help="the question as a TOML file")
    p.add_argument("--text", default=None, help="the question in your own words (for the report)")
    for key, flag, text in _LIST_OPTIONS:
        p.add_argument(flag, dest=key, action="append", default=None, help=text)
    p.add_argument(
        "--country-of-registry", dest="registry_country", action="append", help=argparse.SUPPRESS
    )
    p.add_argument("--operator", default=None, help="operator name or ICAO designator (part of)")
    p.add_argument("--military", action="store_true", help="military aircraft")
    p.add_argument("--government", action="store_true", help="government aircraft")
    p.add_argument("--watchlist", action="store_true", help="only aircraft on a watchlist")
    p.add_argument(
        "--sequence",
        default=None,
        metavar="A,B,HOURS",
        help="seen in place A, then in place B within HOURS (airport, country or GeoJSON)",
    )
    p.add_argument("--since", default=None, help="from (UTC date or time)")
    p.add_argument("--until", default=None, help="until (a bare date includes that whole day)")
    p.add_argument("--report", metavar="DIR", default=None, help="write the evidence pack here")
    p.add_argument("--pdf", action="store_true", help="also report.pdf (headless Chromium)")
    p.set_defaults(func=run_investigate)

    v: argparse.ArgumentParser = sub.add_parser(
        "verify",
        help="re-check an evidence pack's hashes (and its answer with --rerun)",
        description="Re-check the SHA-256 of every file of PACK against its manifest; exit 1 "
        "naming any changed, missing or extra file. --rerun recomputes the answer from the "
        "store (the manifest's, or --data-dir) and reports any difference.",
    )
    v.add_argument("pack", metavar="PACK", help="evidence pack directory")
    v.add_argument("--rerun", action="store_true", help="recompute the answer from the store")
    add_data_dir(v, sub=False)
    v.set_defaults(func=run_verify)


def question_from_args(args: argparse.Namespace) -> Question:
    """The TOML question (if any) with the options given on the command line added."""
    base: dict[str, Any] = {}
    if args.question:
        base = load_toml(args.question).as_dict()
    for key, _, _ in _LIST_OPTIONS:
        extra = getattr(args, key, None) or []
        if extra:
            base[key] = list(base.get(key) or []) + list(extra)
    classes = list(base.get("classes") or [])
    classes += [c for c in ("military", "government") if getattr(args, c, False)]
    base["classes"] = classes
    for key in ("operator", "sequence", "since", "text"):
        if getattr(args, key, None):
            base[key] = args.__dict__[key]
    if args.until:
        base["until"] = args.until
    if args.watchlist:
        base["watchlist"] = True
    return from_dict(base)


def command_line(args: argparse.Namespace) -> list[str]:
    """The command as typed when run from a shell, else rebuilt from the parsed options."""
    argv = sys.argv[1:]
    if "investigate" in argv:
        return ["skywitness", *argv]
    cmd = ["skywitness", "investigate"]
    for key, flag, _ in _LIST_OPTIONS:
        for value in getattr(args, key, None) or []:
            cmd += [flag, value]
    for key in ("question", "text", "operator", "sequence", "since", "until", "report"):
        if getattr(args, key, None):
            cmd += [f"--{key}", str(getattr(args, key))]
    cmd += [f"--{k}" for k in ("military", "government", "watchlist", "pdf") if getattr(args, k)]
    if getattr(args, "data_dir", None):
        cmd += ["--data-dir", str(args.data_dir)]
    return cmd


def outlines() -> Outlines:
    """Country outlines from the offline base map (no network)."""
    return Outlines(json.loads(basemap_geojson()))


def run_investigate(args: argparse.Namespace) -> int:
    q = question_from_args(args)
    store = open_store(args, read_only=True)
    try:
        inv = investigate(store, q, outlines())
    finally:
        store.close()
    out.print(f"[bold]Question:[/bold] {q.text or q.describe()}")
    rows = flight_rows(inv.result)
    if rows:
        table = Table(show_lines=False)
        for h in ("aircraft", "departure", "arrival", "observed / estimated", "gaps bridged"):
            table.add_column(h)
        for r in rows:
            table.add_row(r["aircraft"], r["departure"], r["arrival"], r["how"], r["gaps"])
        if not out.is_terminal:  # a pipe or file: whole rows rather than 80 columns
            out.width = max(out.width, TABLE_WIDTH)
        out.print(table)
    out.print(f"[bold]Answer:[/bold] {inv.answer}")
    if rows:  # with no match the answer itself already states the coverage
        out.print("[bold]Coverage:[/bold]")
        for c in inv.coverage:
            out.print(f"  {c.sentence()}")
    if args.report:
        cmd = command_line(args)
        files, note = write_pack(
            inv, Path(args.report), command=cmd, store_dir=data_dir(args.data_dir), pdf=args.pdf
        )
        if note:
            out.print(note)
        out.print(
            f"evidence pack: {args.report} ({len(files)} files; check with "
            f"{shlex.join(['skywitness', 'verify', args.report])})"
        )
    elif args.pdf:
        out.print("--pdf needs --report DIR")
        return 2
    return 0


def run_verify(args: argparse.Namespace) -> int:
    pack = Path(args.pack)
    report = verify_pack(pack)
    for line in report.lines():
        out.print(line)
    if not report.ok:
        return 1
    if args.rerun:
        ddir = Path(args.data_dir) if args.data_dir else Path(str(read_manifest(pack)["store"]))
        args.data_dir = str(ddir)
        store = open_store(args, read_only=True)
        try:
            diffs = rerun(pack, store, outlines())
        finally:
            store.close()
        for d in diffs:
            out.print(f"rerun: {d}")
        if diffs:
            return 1
        out.print(f"rerun: the answer from {ddir} is unchanged")
    return 0
