"""``skywitness decode``: one record per frame, every rejected frame kept with its reason. A
run over files keeps freed memory for reuse (``alloc``); one over a stream (a network feed,
stdin, a named pipe) does not."""

from __future__ import annotations

import argparse
from typing import Any

from ..output import open_writer
from ..runtime.pipeline import decode_tables
from ..runtime.records import message_schema
from ..stats import IngestStats
from .common import (
    add_input_options,
    batch_only,
    nothing_accepted,
    print_summary,
    progress_bar,
    run_options,
    stop_on_signals,
)

#: Frames decoded at a time: half the pipeline's default, so a batch's ~45 decoded columns
#: and their temporaries stay in the CPU's caches (~0.01-0.02 CPU s less per 500k frames).
DECODE_BATCH = 32_768
#: The decode output's columns written zstd in Parquet (the bulk of its bytes: frames and
#: times); the others take ``output.LIGHT_CODEC``, cheaper to write (issue 18).
ZSTD_COLUMNS = ("frame", "timestamp")


def register(sub: Any) -> None:
    p: argparse.ArgumentParser = sub.add_parser(
        "decode",
        help="decode frames to one record per frame",
        description="Decode Mode S / ADS-B frames (or read already-decoded feeds) to one record "
        "per frame: JSON lines on stdout by default, or -o x.parquet|x.csv|x.jsonl. "
        "A summary of frames read, accepted and rejected by reason goes to stderr.",
    )
    add_input_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import alloc

    if batch_only(args.sources):  # reuse freed arrays rather than fault fresh ones in
        alloc.keep_freed_memory()
    opts = run_options(args)
    opts.batch_size = DECODE_BATCH
    stats = IngestStats(strict=opts.strict)
    writer = None
    try:
        with stop_on_signals() as stop, progress_bar(not args.quiet) as hook:
            for table in decode_tables(args.sources, opts, stats, stop=stop, progress=hook):
                if writer is None:
                    schema = message_schema_for(table)
                    writer = open_writer(args.output, schema, zstd_columns=ZSTD_COLUMNS)
                writer.write(table)
    finally:
        if writer is None and args.output not in (None, "-"):
            writer = open_writer(args.output, message_schema(), zstd_columns=ZSTD_COLUMNS)
        if writer is not None:
            writer.close()
        if not args.quiet:
            print_summary(stats, title="decode")
    return nothing_accepted(stats, args.sources, opts.fmt)


def message_schema_for(table: Any) -> Any:
    """Frames and observations have different columns; the first table decides the file's."""
    return table.schema
