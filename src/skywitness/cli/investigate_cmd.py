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
from datetime import datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from ..config import data_dir
from ..evidence.answer import flight_rows
from ..evidence.manifest import read_manifest, verify_pack
from ..evidence.pack import Investigation, investigate, rerun, write_pack
from ..evidence.places import Outlines
from ..evidence.question import Question, from_dict, load_toml
from ..evidence.sign import sign_manifest
from ..flights.query import BY_KEY
from ..timeutil import iso_z
from ..web.basemap import basemap_geojson
from .db_cmd import add_data_dir, open_store
from .filter_args import add_filter_args, filter_values

out = Console(highlight=False, soft_wrap=True)
#: The flights table is printed at least this wide (characters), so a pipe gets whole rows.
TABLE_WIDTH = 140

#: Old spellings of `investigate` options (deprecated, still accepted): old -> new.
ALIASES = {
    "--airport": "--via",
    "--country": "--via-country",
    "--country-of-registry": "--registry-country",
}


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "investigate",
        help="answer a question about aircraft movements, with an evidence pack",
        description="Which flights: the filters of docs/filters.md (the same as `skywitness "
        "flights` and /api/flights: --icao24, --registration, --operator, --registry-country, "
        "--class/--military/--government, --watchlist, --from/--to/--via and their -country "
        "forms, --since/--until ...), through which areas (--geofence) and in which order "
        "(--sequence A,B,HOURS); or all of it in a TOML file (--question). Prints the matching "
        "flights and the answer; --report DIR writes the evidence pack (report.html, exports, "
        "manifest.json).",
    )
    add_question_args(p)
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
    v.add_argument(
        "--signer",
        metavar="KEY.pub",
        default=None,
        help="also require manifest.json.sig to be a valid signature by this OpenSSH public key",
    )
    v.add_argument(
        "--sign",
        metavar="KEY",
        default=None,
        help="once the pack verifies, sign its manifest with this OpenSSH private key "
        "(writes manifest.json.sig, ssh-keygen -Y sign format)",
    )
    add_data_dir(v, sub=False)
    v.set_defaults(func=run_verify)


def add_question_args(p: argparse.ArgumentParser) -> None:
    """The question's options (also ``skywitness spark investigate``'s): the store, the filters,
    the areas and sequence, the pack."""
    add_data_dir(p, sub=False)
    p.add_argument("--question", metavar="FILE", help="the question as a TOML file")
    p.add_argument("--text", default=None, help="the question in your own words (for the report)")
    add_filter_args(p, ALIASES)
    p.add_argument(
        "--geofence",
        dest="geofences",
        action="append",
        default=None,
        help="flies through this area (GeoJSON polygons); several: any of them",
    )
    p.add_argument(
        "--sequence",
        default=None,
        metavar="A,B,HOURS",
        help="seen in place A, then in place B within HOURS (airport, country or GeoJSON)",
    )
    p.add_argument("--report", metavar="DIR", default=None, help="write the evidence pack here")
    p.add_argument("--pdf", action="store_true", help="also report.pdf (headless Chromium)")


def question_from_args(args: argparse.Namespace) -> Question:
    """The TOML question (if any) with the options given on the command line added."""
    base: dict[str, Any] = {}
    if args.question:
        base = load_toml(args.question).as_dict()
    for key, value in filter_values(args).items():
        if value in (None, False, []):
            continue
        if BY_KEY[key].kind == "list" and base.get(key):
            value = [*base[key], *value]
        base[key] = value
    if args.geofences:
        base["geofences"] = [*(base.get("geofences") or []), *args.geofences]
    for key in ("sequence", "text"):
        if getattr(args, key, None):
            base[key] = getattr(args, key)
    return from_dict(base)


def command_line(args: argparse.Namespace) -> list[str]:
    """The command as typed when run from a shell, else rebuilt from the parsed options."""
    argv = sys.argv[1:]
    if "investigate" in argv:
        if getattr(args, "command", None) == "spark" and "spark" not in argv:
            return ["skywitness", "spark", *argv]  # python -m skywitness.spark investigate
        return ["skywitness", *argv]
    cmd = ["skywitness"]
    if getattr(args, "engine", "embedded") != "embedded":
        cmd += ["--engine", args.engine]
    if getattr(args, "master", None) and getattr(args, "command", None) != "spark":
        cmd += ["--master", args.master]
    cmd += (
        ["spark", "investigate"] if getattr(args, "command", None) == "spark" else ["investigate"]
    )
    for key, value in filter_values(args).items():
        flag = BY_KEY[key].flag
        if isinstance(value, list):
            for v in value:
                cmd += [flag, v]
        elif value is True:
            cmd.append(flag)
        elif isinstance(value, datetime):
            cmd += [flag, iso_z(value)]
        elif value is not None:
            cmd += [flag, str(value)]
    for g in args.geofences or []:
        cmd += ["--geofence", g]
    for key in ("question", "text", "sequence", "report"):
        if getattr(args, key, None):
            cmd += [f"--{key}", str(getattr(args, key))]
    if args.pdf:
        cmd.append("--pdf")
    if getattr(args, "data_dir", None):
        cmd += ["--data-dir", str(args.data_dir)]
    for key in ("lake", "master"):  # `spark investigate`'s own
        if getattr(args, "command", None) == "spark" and getattr(args, key, None):
            cmd += [f"--{key}", str(getattr(args, key))]
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
    return show_investigation(args, q, inv)


def show_investigation(
    args: argparse.Namespace,
    q: Question,
    inv: Investigation,
    engine: dict[str, str] | None = None,
) -> int:
    """Print the answer and, with ``--report``, write the pack (``engine``: recorded in its
    manifest when the rows were not read by the embedded store)."""
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
            inv,
            Path(args.report),
            command=cmd,
            store_dir=data_dir(args.data_dir),
            pdf=args.pdf,
            engine=engine,
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
    report = verify_pack(pack, Path(args.signer) if args.signer else None)
    for line in report.lines():
        out.print(line)
    if not report.ok:
        return 1
    if args.sign:
        out.print(f"signed: {sign_manifest(pack, Path(args.sign))}")
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
