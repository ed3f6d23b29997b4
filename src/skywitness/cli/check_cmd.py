"""``skywitness check "SENTENCE" --published DATE``: a sentence from the news -> the question it
asks (investigation TOML), the choices made reading it, and a verdict from the store.

``--file`` checks one sentence a line (one verdict line each; "the plane" refers back to the
aircraft of the sentence before); ``--edit`` opens the TOML in ``$EDITOR`` before it runs;
``--report DIR`` writes the evidence pack with the claim at its head; ``--parse-only`` prints
the question without a store.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape

from ..claims import Claim, Gazetteer, build_gazetteer, from_toml, parse_claim, to_toml
from ..claims.check import CheckResult, check_claim
from ..claims.pack import add_claim_head
from ..config import data_dir
from ..errors import SkywitnessError
from ..evidence.pack import write_pack
from ..timeutil import parse_day
from .db_cmd import add_data_dir, open_store
from .investigate_cmd import outlines

out = Console(highlight=False, soft_wrap=True)


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "check",
        help="check a claim from the news: sentence -> question -> verdict",
        description="Read a sentence ('Two Russian air force planes landed in Caracas') as a "
        "question about aircraft movements, print it as the investigation TOML with every "
        "ambiguity resolved, and answer: supported, contradicted or not checkable.",
    )
    p.add_argument("sentence", nargs="?", default=None, help="the claim, in quotes")
    p.add_argument(
        "--published",
        default=None,
        help="publication date YYYY-MM-DD: relative dates are read from it (default: today, UTC)",
    )
    add_data_dir(p, sub=False)
    p.add_argument("--file", default=None, help="check each line of this file (one verdict each)")
    p.add_argument("--edit", action="store_true", help="correct the question in $EDITOR first")
    p.add_argument("--report", metavar="DIR", default=None, help="write the evidence pack here")
    p.add_argument("--parse-only", action="store_true", help="print the question, ask no store")
    p.set_defaults(func=run_check)


def _published(text: str | None) -> date:
    if text is None:
        return datetime.now(UTC).date()
    try:
        return parse_day(text)
    except ValueError as exc:
        raise SkywitnessError(f"--published: not a date (YYYY-MM-DD): {text!r}") from exc


def edit_claim(claim: Claim) -> Claim:
    """Open the claim's TOML in $EDITOR and read back what was saved."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not editor:
        raise SkywitnessError("--edit needs $EDITOR (or $VISUAL) set to an editor command")
    with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False, encoding="utf-8") as fh:
        fh.write(to_toml(claim))
        path = Path(fh.name)
    try:
        rc = subprocess.call([*shlex.split(editor), str(path)])
        if rc != 0:
            raise SkywitnessError(f"the editor ({editor}) exited with {rc}: nothing checked")
        return from_toml(path.read_text(encoding="utf-8"), str(path))
    finally:
        path.unlink(missing_ok=True)


def _sentences(args: argparse.Namespace) -> list[str]:
    if args.file:
        try:
            lines = Path(args.file).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise SkywitnessError(f"cannot read {args.file}: {exc}") from exc
        return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
    if not args.sentence:
        raise SkywitnessError("give a sentence in quotes, or --file FILE")
    return [args.sentence]


def print_result(r: CheckResult) -> None:
    out.print(f"[bold]Verdict: {r.verdict.verdict.upper()}[/bold]")
    for reason in r.verdict.reasons:
        out.print(f"  {escape(reason)}")
    for line in r.verdict.flights:
        out.print(f"  - {escape(line)}")


def run_check(args: argparse.Namespace) -> int:
    published = _published(args.published)
    sentences = _sentences(args)
    if args.report and (args.file or args.parse_only):
        raise SkywitnessError("--report writes the pack of one sentence checked on a store")
    store = None if args.parse_only else open_store(args, read_only=True)
    try:
        g: Gazetteer = build_gazetteer(store.connection if store else None)
        shapes = outlines()
        context = None
        for sentence in sentences:
            claim = parse_claim(sentence, published, g, context=context)
            if not claim.who.empty():
                context = claim.who
            if args.edit:
                claim = edit_claim(claim)
            if args.file and store is not None:
                r = check_claim(store, claim, shapes)
                who = ", ".join(r.as_dict()["aircraft"]) or "-"
                out.print(f"{r.verdict.verdict.upper():14} {who:16} {escape(sentence)}")
                continue
            out.print("[bold]Question[/bold] (investigation TOML):")
            out.print(escape(to_toml(claim)), end="")
            out.print("[bold]Read as[/bold]:")
            for note in claim.notes:
                out.print(f"  - {escape(note)}")
            if store is None:
                continue
            r = check_claim(store, claim, shapes)
            print_result(r)
            if args.report:
                _write_report(args, r)
    finally:
        if store is not None:
            store.close()
    return 0


def _write_report(args: argparse.Namespace, r: CheckResult) -> None:
    cmd = ["skywitness", *sys.argv[1:]] if "check" in sys.argv else ["skywitness", "check"]
    pack = Path(args.report)
    write_pack(r.investigation, pack, command=cmd, store_dir=data_dir(args.data_dir))
    files = add_claim_head(pack, r.as_dict())
    out.print(
        f"evidence pack: {args.report} ({len(files)} files; check with "
        f"{shlex.join(['skywitness', 'verify', args.report])})"
    )
