"""The ``skywitness spark`` commands: the same ingest and flights rebuild on Apache Spark, over the
same lake (``pip install 'skywitness[spark]'``; docs/scale-out.md). ``cli`` registers them as
``skywitness spark ...``; ``python -m skywitness.spark ...`` runs them for ``spark-submit``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ..config import data_dir
from ..errors import SkywitnessError
from ..store.store import LAKE_DIR
from ..timeutil import end_time_arg, short_z, time_arg


def _lake(args: argparse.Namespace) -> str:
    """``--lake`` (any Spark filesystem URI), else the data directory's lake folder."""
    if args.lake:
        return str(args.lake)
    return str(data_dir(args.data_dir) / LAKE_DIR)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir", default=None, help="store directory (default: $SKYWITNESS_DATA_DIR)"
    )
    p.add_argument(
        "--lake",
        default=None,
        help="the lake as a Spark path instead (s3a://, gs://, hdfs://, ...)",
    )
    p.add_argument(
        "--master", default=None, help="Spark master: local[*], spark://HOST:7077, k8s://... "
        "(default: what spark-submit set, else local[*])",
    )  # fmt: skip


def register(sub: Any) -> None:
    p = sub.add_parser("spark", help="ingest and rebuild flights on Apache Spark (scale-out)")
    spark_sub = p.add_subparsers(dest="spark_command", metavar="SPARK_COMMAND", required=True)
    ing = spark_sub.add_parser("ingest", help="files -> the states lake, one Spark task per file")
    ing.add_argument("sources", nargs="+", metavar="FILE", help="input files (any format)")
    ing.add_argument("--format", dest="fmt", default="auto", help="input format (default: auto)")
    _common(ing)
    ing.set_defaults(func=run_ingest)
    fl = spark_sub.add_parser("flights", help="rebuild the flights starting in a window")
    fl.add_argument("--since", type=time_arg, required=True, help="UTC date/time (inclusive)")
    fl.add_argument("--until", type=end_time_arg, required=True, help="UTC date/time (end)")
    _common(fl)
    fl.set_defaults(func=run_flights)
    at = spark_sub.add_parser(
        "attach", help="let the embedded store answer from a Spark-written lake (flights too)"
    )
    at.add_argument("--data-dir", default=None, help="store directory (its lake/ is Spark's)")
    at.set_defaults(func=run_attach)


def _session(args: argparse.Namespace) -> Any:
    from .session import spark_session

    return spark_session(args.master or None)


def run_ingest(args: argparse.Namespace) -> int:
    from ..runtime.pipeline import RunOptions
    from .ingest import spark_ingest

    for src in args.sources:
        if not Path(src).is_file():
            raise SkywitnessError(f"{src}: not a file (spark ingest reads files)")
    report = spark_ingest(_session(args), args.sources, _lake(args), RunOptions(fmt=args.fmt))
    print(json.dumps({"files": report.files, "skipped": report.skipped, "rows": report.rows,
                      "counts": report.counts}, indent=1, sort_keys=True))  # fmt: skip
    if report.files and not report.rows:
        print("skywitness: nothing stored from these files (see counts)", file=sys.stderr)
        return 1
    return 0


def run_flights(args: argparse.Namespace) -> int:
    from .flights import spark_rebuild_flights

    flights = spark_rebuild_flights(_session(args), _lake(args), args.since, args.until)
    print(f"{flights.count():,} flights starting {short_z(args.since, 'date-minute')} to "
          f"{short_z(args.until, 'date-minute')} written to {_lake(args)}/flights")  # fmt: skip
    return 0


def run_attach(args: argparse.Namespace) -> int:
    from .attach import attach_spark_lake

    states, flights = attach_spark_lake(data_dir(args.data_dir))
    print(f"store {data_dir(args.data_dir)}: {states:,} state files adopted, {flights:,} flights "
          "loaded from the Spark lake")  # fmt: skip
    return 0
