"""Shared CLI pieces: input options, the progress bar and the end-of-run summary on stderr."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import stat
import threading
from collections.abc import Callable, Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from ..errors import SkywitnessError
from ..runtime.pipeline import ProgressHook, RunOptions
from ..sources import FORMATS, Source
from ..sources.clock import LIVE_ANCHORS
from ..stats import IngestStats
from ..timeutil import parse_time

if TYPE_CHECKING:
    from rich.console import Console

# rich (~0.05 s of start-up) is imported where a bar, a spinner or a summary is drawn: a quiet
# ``decode`` or ``track`` never draws one.

#: What ``--format`` takes: a format name, or ``auto`` (recognise it; the default).
FORMAT_CHOICES = ("auto", *FORMATS)


@cache
def stderr() -> Console:
    """The console on stderr (made on first use)."""
    from .console import console

    return console(stderr=True)


def add_input_options(p: argparse.ArgumentParser, *, output: bool = True) -> None:
    p.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="file (plain, .gz, .xz), '-' for stdin, or a live spec such as "
        "beast+tcp://HOST:30005, avr+tcp://HOST:30002, sbs+tcp://HOST:30003, "
        "beast+listen://0.0.0.0:30004, readsb+http://HOST/data/aircraft.json, "
        "opensky+https://opensky-network.org/api/states/all",
    )
    p.add_argument(
        "--format",
        dest="fmt",
        default="auto",
        choices=FORMAT_CHOICES,
        help="input format (default: recognise it from the first bytes)",
    )
    if output:
        p.add_argument("-o", "--output", default=None, help="output: .parquet, .csv or .jsonl")
    p.add_argument(
        "--strict",
        action="store_true",
        help="stop at the first rejected frame/line/record, naming file and offset or line",
    )
    p.add_argument(
        "--start-time",
        type=parse_start_time,
        default=None,
        help="wall-clock UTC time of a Beast file's first frame (unix s or ISO 8601)",
    )
    p.add_argument(
        "--live-clock",
        choices=LIVE_ANCHORS,
        default="system",
        help="live Beast/AVR 12 MHz timestamps: 'system' = arrival time (as readsb), "
        "'counter' = trust the counter (a replay served faster than real time)",
    )
    p.add_argument("--quiet", "-q", action="store_true", help="no progress bar or summary")


def port_arg(text: str) -> int:
    """argparse type of a TCP port (0..65535)."""
    try:
        v = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from exc
    if not 0 <= v <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0..65535: {v}")
    return v


def parse_start_time(text: str) -> float:
    """``--start-time``: unix seconds or an ISO 8601 date/time (UTC unless it gives an offset),
    read by ``timeutil.parse_time`` like every other time argument."""
    try:
        return parse_time(text).timestamp()
    except (ValueError, OverflowError, OSError) as exc:
        raise argparse.ArgumentTypeError(f"not a unix time or ISO 8601 time: {text!r}") from exc


def run_options(args: argparse.Namespace) -> RunOptions:
    return RunOptions(
        fmt=args.fmt,
        strict=args.strict,
        start_time=args.start_time,
        rate_s=getattr(args, "rate", 1.0),
        dedup=not getattr(args, "no_dedup", False),
        reference=getattr(args, "reference", None),
        live_clock=getattr(args, "live_clock", "system"),
    )


#: Longest file label of a progress bar (chars): a long path would leave no room for the bar.
LABEL_MAX = 32


def short_label(name: str, width: int = LABEL_MAX) -> str:
    """A file's name for a progress bar: its base name, cut in the middle with "…" to fit."""
    base = name.rstrip("/").rsplit("/", 1)[-1] or name
    if len(base) <= width:
        return base
    keep = width - 1
    return base[: (keep + 1) // 2] + "…" + base[len(base) - keep // 2 :]


@contextlib.contextmanager
def progress_bar(enabled: bool) -> Iterator[ProgressHook | None]:
    """A bytes progress bar per file on an interactive stderr; nothing otherwise."""
    if not enabled or not stderr().is_terminal:
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )
    from rich.table import Column

    tasks: dict[int, Any] = {}
    with Progress(
        TextColumn("{task.description}", table_column=Column(width=LABEL_MAX, no_wrap=True)),
        BarColumn(bar_width=None),
        DownloadColumn(),
        TransferSpeedColumn(),
        TimeRemainingColumn(),
        console=stderr(),
        transient=True,
    ) as bar:

        def hook(source: Source, position: int) -> None:
            key = id(source)
            if key not in tasks:
                tasks[key] = bar.add_task(short_label(source.name), total=source.total_bytes)
            bar.update(tasks[key], completed=position)

        yield hook


@contextlib.contextmanager
def step_status() -> Iterator[Callable[[str], None]]:
    """A spinner with the current step and the time spent, on an interactive stderr, for work
    done in steps of unknown length (an import); a callable taking each step's name."""
    if not stderr().is_terminal:
        yield lambda _: None
        return
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
        console=stderr(), transient=True,
    ) as bar:  # fmt: skip
        task = bar.add_task("starting", total=None)
        yield lambda name: bar.update(task, description=name)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM, so live sources stop and outputs are flushed cleanly."""
    stop = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


def print_summary(stats: IngestStats, *, title: str) -> None:
    from rich.table import Table

    table = Table(title=title, show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    table.add_row("bytes read", f"{stats.bytes_read:,}")
    table.add_row("frames/records read", f"{stats.frames:,}")
    table.add_row("accepted", f"{stats.accepted:,}")
    table.add_row("rejected", f"{stats.rejected_total:,}")
    for reason, count in sorted(stats.rejected.items(), key=lambda kv: -kv[1]):
        table.add_row(f"  {reason}", f"{count:,}")
    table.add_row("aircraft", f"{len(stats.aircraft):,}")
    table.add_row("positions", f"{stats.positions:,}")
    stderr().print(table)


def nothing_accepted(stats: IngestStats, sources: list[str], fmt: str) -> int:
    """The exit code of a run: 1, with a message naming why, when it accepted nothing (a wrong
    ``--format``, an empty file, only garbage); else 0."""
    if stats.accepted:
        return 0
    what = "read nothing" if not stats.frames else f"accepted none of {stats.frames:,} records"
    hint = (
        f" (--format {fmt}: is that the input's format? try --format auto)"
        if fmt != "auto" and stats.frames
        else ""
    )
    stderr().print(f"skywitness: {', '.join(sources)}: {what}{hint}", highlight=False)
    return 1


def fail(message: str) -> SkywitnessError:
    return SkywitnessError(message)


def batch_only(sources: list[str]) -> bool:
    """Files only among ``sources`` (no network feed, no stdin, no named pipe: a stream may
    run until stopped): the run ends by itself, so it may keep freed memory (``alloc``).
    ``decode`` and ``ingest`` both ask this."""
    from ..sources.source import is_live_spec

    return not any(is_live_spec(s) or s == "-" or _is_stream(s) for s in sources)


def _is_stream(path: str) -> bool:
    """A named pipe or a device (read as a stream, as ``sources.source`` does)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # (the source says what is wrong with it)
    return stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)
