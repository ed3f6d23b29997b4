"""The ``skywitness spark`` commands: the same ingest, flights rebuild and investigation on Apache
Spark, over the same lake (``pip install 'skywitness[spark]'``; docs/scale-out.md). ``cli``
registers them as ``skywitness spark ...`` and dispatches ``skywitness --engine spark ...`` to
the ``SPARK_COMMANDS`` here; ``python -m skywitness.spark ...`` runs them for ``spark-submit``.

The shells of the embedded commands (the question's options, printing the answer, writing the
pack) are the embedded ones, so this package sits with the command line in the layers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..cli.common import run_options
from ..cli.investigate_cmd import (
    add_question_args,
    outlines,
    question_from_args,
    show_investigation,
)
from ..config import data_dir
from ..errors import SkywitnessError
from ..store.store import LAKE_DIR
from ..timeutil import end_time_arg, short_z, time_arg

if TYPE_CHECKING:
    from .ingest import SparkIngestReport


def _lake(args: argparse.Namespace) -> str:
    """``--lake`` (any Spark filesystem URI), else the data directory's lake folder."""
    if getattr(args, "lake", None):
        return str(args.lake)
    return str(data_dir(getattr(args, "data_dir", None)) / LAKE_DIR)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir", default=None, help="store directory (default: $SKYWITNESS_DATA_DIR)"
    )
    _where(p)


def _where(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--lake",
        default=argparse.SUPPRESS,
        help="the lake as a Spark path instead (s3a://, gs://, hdfs://, ...)",
    )
    p.add_argument(
        "--master", default=argparse.SUPPRESS,
        help="Spark master: local[*], spark://HOST:7077, k8s://... (default: what spark-submit "
        "set, else local[*])",
    )  # fmt: skip


def register(sub: Any) -> None:
    p = sub.add_parser(
        "spark", help="ingest, rebuild flights and investigate on Apache Spark (scale-out)"
    )
    spark_sub = p.add_subparsers(dest="spark_command", metavar="SPARK_COMMAND", required=True)
    ing = spark_sub.add_parser("ingest", help="files -> the states lake, one Spark task per file")
    ing.add_argument(
        "sources", nargs="+", metavar="FILE",
        help="input files (any format), globe-history day archives (.tar.aa + .tar.ab ..., "
        ".tar, or a day folder)",
    )  # fmt: skip
    ing.add_argument("--format", dest="fmt", default="auto", help="input format (default: auto)")
    _common(ing)
    ing.set_defaults(func=run_ingest)
    fl = spark_sub.add_parser("flights", help="rebuild the flights starting in a window")
    fl.add_argument("--since", type=time_arg, required=True, help="UTC date/time (inclusive)")
    fl.add_argument("--until", type=end_time_arg, required=True, help="UTC date/time (end)")
    _common(fl)
    fl.set_defaults(func=run_flights)
    inv = spark_sub.add_parser(
        "investigate",
        help="the evidence query over the Spark lake: the same answer and pack as `investigate`",
        description="The options of `skywitness investigate`; Spark reads the rows from the "
        "lake (--lake, else --data-dir's), the reference data (aircraft databases, watchlists) "
        "comes from --data-dir's catalogue when there is one.",
    )
    add_question_args(inv)
    _where(inv)
    inv.set_defaults(func=run_investigate)
    at = spark_sub.add_parser(
        "attach", help="let the embedded store answer from a Spark-written lake (flights too)"
    )
    at.add_argument("--data-dir", default=None, help="store directory (its lake/ is Spark's)")
    at.set_defaults(func=run_attach)


def _session(args: argparse.Namespace) -> Any:
    from .session import spark_session

    return spark_session(getattr(args, "master", None) or None)


def run_ingest(args: argparse.Namespace) -> int:
    from ..runtime.pipeline import RunOptions
    from .ingest import spark_ingest

    _check_sources(args.sources, "spark ingest")
    report = spark_ingest(_session(args), args.sources, _lake(args), RunOptions(fmt=args.fmt))
    return _print_ingest(report)


def _check_sources(sources: list[str], what: str) -> None:
    from ..sources.globe_names import is_globe_input

    for src in sources:
        if not (Path(src).is_file() or is_globe_input(src)):
            raise SkywitnessError(
                f"{src}: not a file or a globe-history day folder ({what} reads files)"
            )


def _print_ingest(report: SparkIngestReport) -> int:
    print(json.dumps({"files": report.files, "skipped": report.skipped, "rows": report.rows,
                      "counts": report.counts, "problems": report.problems},
                     indent=1, sort_keys=True))  # fmt: skip
    for problem in report.problems:  # as embedded ingest names them: 1 when one was skipped
        print(f"skywitness: skipped {problem}", file=sys.stderr)
    if report.files and not report.rows:
        print("skywitness: nothing stored from these files (see counts)", file=sys.stderr)
        return 1
    return 1 if report.problems else 0


def run_flights(args: argparse.Namespace) -> int:
    from .flights import catalogue_reference, spark_rebuild_flights

    if getattr(args, "since", None) is None or getattr(args, "until", None) is None:
        raise SkywitnessError("flights on Spark need --since and --until (the window to rebuild)")
    # the store's runways and aircraft kinds (with the categories the lake's ingest heard), as
    # the embedded rebuild uses them
    # (the session first: a lake given as a URI has its records read through it)
    spark = _session(args)
    runways, kinds = catalogue_reference(data_dir(getattr(args, "data_dir", None)), _lake(args))
    flights = spark_rebuild_flights(
        spark, _lake(args), args.since, args.until, runways=runways, kinds=kinds
    )
    print(f"{flights.count():,} flights starting {short_z(args.since, 'date-minute')} to "
          f"{short_z(args.until, 'date-minute')} written to {_lake(args)}/flights")  # fmt: skip
    return 0


def run_attach(args: argparse.Namespace) -> int:
    from .attach import attach_spark_lake

    states, flights = attach_spark_lake(data_dir(args.data_dir))
    print(f"store {data_dir(args.data_dir)}: {states:,} state files adopted, {flights:,} flights "
          "loaded from the Spark lake")  # fmt: skip
    return 0


def run_investigate(args: argparse.Namespace) -> int:
    from .investigate import spark_investigate

    q = question_from_args(args)
    spark, lake = _session(args), _lake(args)
    ddir = data_dir(getattr(args, "data_dir", None))
    found = spark_investigate(spark, lake, q, catalog_dir=ddir, outlines=outlines())
    engine = {"name": "spark", "master": str(spark.sparkContext.master), "lake": lake}
    return show_investigation(args, q, found.investigation, engine)


def run_ingest_command(args: argparse.Namespace) -> int:
    """``skywitness --engine spark ingest FILES``: the embedded command's reading options."""
    from .ingest import spark_ingest

    _check_sources(args.sources, "ingest on Spark")
    report = spark_ingest(_session(args), args.sources, _lake(args), run_options(args))
    return _print_ingest(report)


#: ``skywitness --engine spark COMMAND``: the commands with a Spark implementation (the command
#: and, for a group, its sub-command) and their runners; any other command refuses the engine.
SPARK_COMMANDS = {
    ("ingest", None): run_ingest_command,
    ("flights", "rebuild"): run_flights,
    ("investigate", None): run_investigate,
}
