"""The globe-history part of ``skywitness ingest``: day archives (split ``.tar.aa``/``.tar.ab``
parts, a ``.tar``, an extracted or a feeder's globe-history folder) with ``--only`` filters,
a progress bar (aircraft, points, bytes, ETA) and a summary naming every member skipped.

``ingest_cmd`` calls ``ingest_archives`` where a source is an archive
(``sources.globe_names.is_globe_input``) or ``--only`` is given; its options are
``globe_options``'. The other sources go on to the ordinary ingest.
"""

from __future__ import annotations

import argparse
import contextlib
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from ..sources.globe import GlobeInput, GlobeReader, group_inputs, trace_files
from ..timeutil import from_unix
from .globe_options import rebuild_hint

if TYPE_CHECKING:  # imported on use: an ingest of other sources does without them (~0.05 s)
    from rich.progress import TaskID

    from ..runtime.globe import GlobeOutcome, GlobeProgress
    from ..sources.only import OnlyFilter
    from ..store import Store

out = Console(stderr=True, highlight=False)
#: Seconds between progress bar refreshes.
PROGRESS_EVERY_S = 0.2
#: Problems listed one by one in the summary; the rest are counted.
SHOWN_PROBLEMS = 20


def ingest_archives(
    args: argparse.Namespace, store: Store, stop: threading.Event
) -> tuple[list[str], int]:
    """Ingest the day archives among ``args.sources``; return the other sources and the exit
    status so far (1 when a member was skipped or an archive yielded nothing)."""
    archives, rest = group_inputs(args.sources)
    if getattr(args, "only", None) and rest:
        out.print(f"[yellow]--only applies to globe-history archives: read whole:[/yellow] {rest}")
    if not archives:
        return rest, 0
    from ..runtime.globe import ingest_globe  # archives only (see the imports above)
    from ..sources.only import parse_only

    flights = getattr(args, "flights", True)  # False: --no-flights
    only = parse_only(getattr(args, "only", None), store.connection)
    every = getattr(args, "follow", None)
    folders = [str(a.folder) for a in archives if a.folder is not None]
    # taken before the first read: a file that changes during it is read again
    seen = (
        {f: _stamp(f) for d in folders for f in trace_files(Path(d))} if every is not None else {}
    )
    status = 0
    for inp in archives:
        with _progress(not args.quiet) as hook:
            outcome = ingest_globe(store, inp, only, stop=stop, progress=hook, rebuild=flights)
        status = max(status, _report(outcome, only.describe(), quiet=args.quiet))
        if not flights and (window := _globe_window(outcome)) is not None:
            rebuild_hint(store.data_dir, window)
        if stop.is_set():
            break
    if every is not None and folders and not stop.is_set():
        status = max(status, _follow(store, folders, seen, only, every, stop, quiet=args.quiet,
                                     flights=flights))  # fmt: skip
    return rest, status


def _globe_window(o: GlobeOutcome) -> tuple[datetime, datetime] | None:
    """The window ``ingest`` rebuilds the flights of an archive's points in."""
    from ..runtime.history import REBUILD_MARGIN

    if o.first is None or o.last is None:
        return None
    return from_unix(o.first) - REBUILD_MARGIN, from_unix(o.last) + REBUILD_MARGIN


def _follow(
    store: Store,
    folders: list[str],
    seen: dict[Path, tuple[float, int]],
    only: OnlyFilter,
    every_s: float,
    stop: threading.Event,
    *,
    quiet: bool,
    flights: bool = True,
) -> int:
    """Read the folders again every ``every_s`` until ``stop`` (only the trace files new or
    changed since the last read); report the rounds that stored something."""
    from ..runtime.globe import ingest_globe  # archives only (see the imports above)

    status = 0
    while not stop.wait(every_s):
        for d in folders:
            changed = [f for f in trace_files(Path(d)) if seen.get(f) != _stamp(f)]
            if not changed:
                continue
            seen.update((f, _stamp(f)) for f in changed)
            inp = GlobeInput(d, folder=Path(d), files=changed)
            o = ingest_globe(store, inp, only, stop=stop, rebuild=flights)
            if o.traces or o.skipped:
                status = max(status, _report(o, only.describe(), quiet=quiet))
            if not flights and (window := _globe_window(o)) is not None:
                rebuild_hint(store.data_dir, window)
    return status


def _stamp(path: Path) -> tuple[float, int]:
    try:
        st = path.stat()
    except OSError:
        return (0.0, -1)
    return (st.st_mtime, st.st_size)


def _report(o: GlobeOutcome, only: str, *, quiet: bool) -> int:
    bad = o.skipped > 0 or o.interrupted
    empty = o.traces == 0 and o.already == 0
    if not quiet or bad or empty:
        rec = f"ingest #{o.ingest_id}" if o.ingest_id is not None else "nothing recorded"
        out.print(
            f"{o.archive}: {rec}: {o.traces:,} traces ({o.points:,} points, {len(o.aircraft):,} "
            f"aircraft) stored ({o.grown:,} of them grown since an earlier ingest: new points "
            f"only), {o.already:,} already stored, {o.filtered:,} left out by --only ({only}), "
            f"{o.legs:,} leg starts, {o.facts:,} identity facts, "
            f"{o.flights:,} flights; {o.skipped:,} skipped"
        )
        for p in o.problems[:SHOWN_PROBLEMS]:
            where = p.name or f"byte {p.offset:,}"
            out.print(f"  [yellow]skipped[/yellow] {where}: {p.what}")
        if o.skipped > SHOWN_PROBLEMS:
            out.print(f"  … and {o.skipped - SHOWN_PROBLEMS:,} more")
    if empty:
        out.print(f"[red]{o.archive}: no trace stored[/red] (no readable trace_full_*.json kept)")
    if o.interrupted:
        out.print(f"{o.archive}: interrupted; ingest it again to resume")
    return 1 if bad or empty else 0


@contextlib.contextmanager
def _progress(enabled: bool) -> Iterator[GlobeProgress | None]:
    if not enabled or not out.is_terminal:
        yield None
        return
    from rich.progress import (  # a bar only: ~0.01 s of rich not loaded otherwise
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    task: dict[str, TaskID] = {}
    last = [0.0]
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[aircraft]:,} aircraft {task.fields[points]:,} points"),
        DownloadColumn(),
        TimeRemainingColumn(),
        console=out,
        transient=True,
    ) as bar:

        def hook(reader: GlobeReader, o: GlobeOutcome) -> None:
            now = time.monotonic()
            if "t" not in task:
                task["t"] = bar.add_task(o.archive, total=reader.total_bytes, aircraft=0, points=0)
            elif now - last[0] < PROGRESS_EVERY_S:
                return
            last[0] = now
            fields: dict[str, Any] = {"aircraft": o.kept, "points": o.stats.frames}
            bar.update(task["t"], completed=reader.position(), **fields)

        yield hook
