"""``skywitness ingest``: decode, track and store sources, with provenance, then update flights."""

from __future__ import annotations

import argparse
from typing import Any

from ..config import data_dir
from ..runtime.history import ingest, open_history
from ..sources.globe_names import is_globe_input
from ..store.writer import DEFAULT_FLUSH_ROWS, DEFAULT_FLUSH_SECONDS
from .common import add_input_options, batch_only, progress_bar, run_options, stop_on_signals
from .db_cmd import add_data_dir
from .globe_options import add_options as add_globe_options
from .globe_options import rebuild_hint
from .ingest_out import on_terminal, say
from .track_cmd import parse_reference


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "ingest",
        help="decode, track and store sources (Parquet lake + DuckDB catalogue)",
        description="Decode and track each SOURCE and append its state vectors to the store "
        "(--data-dir, $SKYWITNESS_DATA_DIR or ./skywitness-data), recording where they came "
        "from (file name, SHA-256, format, counts). A file already ingested adds nothing. "
        "Flights of the aircraft and days touched are recomputed afterwards (unless "
        "--no-flights).",
    )
    add_input_options(p, output=False)
    add_data_dir(p, sub=False)
    p.add_argument("--rate", type=float, default=1.0, help="state vectors per aircraft per s")
    p.add_argument("--reference", type=parse_reference, default=None, metavar="LAT,LON")
    p.add_argument("--no-dedup", action="store_true", help="keep identical frames")
    p.add_argument(
        "--flush-rows",
        type=int,
        default=DEFAULT_FLUSH_ROWS,
        help=f"commit a batch every N state vectors (default {DEFAULT_FLUSH_ROWS:,})",
    )
    p.add_argument(
        "--flush-seconds",
        type=float,
        default=DEFAULT_FLUSH_SECONDS,
        help=f"… or every S seconds (default {DEFAULT_FLUSH_SECONDS:g}); a crash loses at "
        "most the batch not yet committed",
    )
    p.add_argument(
        "--no-flights",
        dest="flights",
        action="store_false",
        help="a bulk load: store the state vectors only, without recomputing the flights of "
        "the aircraft and days touched; says the `skywitness flights rebuild --since --until` "
        "that gives the flights a plain ingest would have stored",
    )
    add_globe_options(p)
    p.set_defaults(func=run)


def is_batch(args: argparse.Namespace) -> bool:
    """The run ends by itself: it follows no globe-history folder (``--follow``) and reads
    files only (``common.batch_only``: no live feed, stdin or named pipe, which may run until
    stopped), so it may keep freed memory (``alloc``)."""
    return getattr(args, "follow", None) is None and batch_only(args.sources)


def run(args: argparse.Namespace) -> int:
    from ..alloc import keep_freed_memory
    from ..store.connect import without_worker_threads

    batch = is_batch(args)
    if batch:  # reuse freed arrays rather than fault fresh ones in
        keep_freed_memory()
    opts = run_options(args)
    opts.dictionaries = True  # a states document's texts go to the store as the gate encodes them
    ddir = data_dir(args.data_dir)
    store = open_history(ddir)
    try:
        if batch:  # (and no DuckDB worker thread hands them back to the kernel meanwhile)
            store.write(without_worker_threads)
        if not store.recovery.clean and not args.quiet:
            say(f"recovered after an unclean stop: {store.recovery.summary()}", "yellow")
        rest, status = list(args.sources), 0
        if any(map(is_globe_input, args.sources)) or getattr(args, "only", None):
            from .globe_ingest import ingest_archives

            with stop_on_signals() as stop:
                rest, status = ingest_archives(args, store, stop)
                rest = [] if stop.is_set() else rest  # SIGTERM during an archive: stop there
        with stop_on_signals() as stop, progress_bar(not args.quiet and on_terminal()) as hook:
            outcomes = ingest(
                store,
                rest,
                opts,
                progress=hook,
                stop=stop,
                flush=(args.flush_rows, args.flush_seconds),
                flights=args.flights,
            )
    finally:
        store.close()
    if not args.quiet:
        for o in outcomes:
            rec = o.record
            if rec.status == "duplicate":
                say(rec.note)
                continue
            rejected = ", ".join(f"{k} {v:,}" for k, v in sorted(o.stats.rejected.items()))
            flights = f"{o.flights:,} flights" if args.flights else "flights not rebuilt"
            say(
                f"{rec.source}: ingest #{rec.id} {rec.status}: {o.stats.frames:,} read, "
                f"{rec.rows_stored:,} state vectors of {len(o.extent.aircraft):,} aircraft stored, "
                f"{flights}; rejected: {rejected or 'none'}"
            )
        say(f"store: {ddir}")
    owed = [o.flights_owed for o in outcomes if o.flights_owed is not None]
    if owed:
        rebuild_hint(ddir, (min(w[0] for w in owed), max(w[1] for w in owed)))
    empty = [o.record for o in outcomes if o.record.status == "empty"]
    for rec in empty:  # said even with --quiet: the exit status is 1 for it
        say(f"{rec.source}: {rec.note}", "red")
    return max(status, int(bool(empty)))
