"""The ``skywitness`` command: builds the parser from each command module and dispatches.

Each command module exposes ``register(subparsers)`` which adds its sub-command(s) and sets
``func`` (taking the parsed ``argparse.Namespace``, returning an exit code) as the default.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys

from .. import __version__
from ..config import ARROW_POOL_ENV, NUMPY_HUGEPAGE_ENV, OPENBLAS_THREADS_ENV
from ..errors import SkywitnessError

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without importing typing (~2 ms)
if TYPE_CHECKING:
    import argparse
    from typing import Any

# argparse (``cli.parser``), logging and typing are imported where used: ``--version`` answers
# without them (issue 18: start-up < 0.2 s; ~0.01 s of a 0.03 s run).

#: What ``--version`` prints (argparse's version action, and ``main``'s answer before it).
VERSION = f"skywitness {__version__}"

#: Each command and the module that registers it, in the order of ``--help``. A module may
#: register several commands (``watch`` and ``alerts``).
COMMANDS: dict[str, str] = {
    "demo": "skywitness.cli.demo_cmd",
    "decode": "skywitness.cli.decode_cmd",
    "track": "skywitness.cli.track_cmd",
    "ingest": "skywitness.cli.ingest_cmd",
    "flights": "skywitness.cli.flights_cmd",
    "db": "skywitness.cli.db_cmd",
    "watch": "skywitness.cli.watch_cmd",
    "alerts": "skywitness.cli.watch_cmd",
    "investigate": "skywitness.cli.investigate_cmd",
    "verify": "skywitness.cli.investigate_cmd",
    "serve": "skywitness.cli.serve_cmd",
    "simulate": "skywitness.cli.simulate_cmd",
    "aircraft": "skywitness.cli.aircraft_cmd",
    "check": "skywitness.cli.check_cmd",
    "spark": "skywitness.spark.job",
    "completion": "skywitness.cli.completion",
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; when ``argv`` names a command, only that command's module is imported (a
    run of ``track`` need not load the store, the web server or the watch engine)."""
    from .parser import Parser

    parser = Parser(
        prog="skywitness",
        description="Turn raw Mode S / ADS-B data into verified answers about aircraft movements.",
    )
    parser.add_argument("--version", action="version", version=VERSION)
    parser.add_argument(
        "-v", "--verbose", action="count", default=0,
        help="log more (INFO; -vv: DEBUG) to stderr; default: $SKYWITNESS_LOG_LEVEL or WARNING",
    )  # fmt: skip
    parser.add_argument(
        "-q", "--quiet", dest="log_quiet", action="store_true",
        help="log errors only (a command's own -q also drops its progress bar and summary)",
    )  # fmt: skip
    parser.add_argument(
        "--engine", choices=ENGINES, default="embedded",
        help="embedded (one process: DuckDB and the lake; the default) or spark: run the "
        "command on Apache Spark (ingest, flights rebuild, investigate; docs/scale-out.md)",
    )  # fmt: skip
    parser.add_argument(
        "--master", default=None,
        help="with --engine spark: the Spark master (local[*], spark://HOST:7077, k8s://...)",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = _command_word(argv or [])
    if wanted in COMMANDS:
        modules = [COMMANDS[wanted]]
    elif wanted == "--version":
        modules = []  # answered by argparse before any command is needed
    else:
        modules = list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        importlib.import_module(name).register(sub)
    return parser


#: Commands whose Arrow buffers come from the C library's allocator (Arrow's ``system`` pool)
#: unless the environment chooses (``config.ARROW_POOL_ENV``): ``decode`` allocates and frees
#: each batch's columns and the Parquet writer's buffers, which then reuse the heap numpy's
#: arrays are freed to
#: (issue 18; with two lookup changes, 0.90-0.93 of the CPU of a ``decode`` before them:
#: bench/RESULTS.md). Set before pyarrow loads: ``pa.set_memory_pool`` later
#: (``alloc.keep_freed_memory``) does not reach the Parquet writer, which keeps the pool it
#: started with. Not ``ingest``: no gain measured there (bench/RESULTS.md).
SYSTEM_POOL_COMMANDS = frozenset({"decode"})

#: The engines of ``--engine``: the embedded store, or Apache Spark (``skywitness.spark``).
ENGINES = ("embedded", "spark")
#: Global options that take a value (the command word comes after them).
_VALUED = ("--engine", "--master")


def _command_word(argv: list[str]) -> str | None:
    """The command named in ``argv`` (after the global options), or None."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in _VALUED:
            i += 2
        elif word.startswith("-") and word != "--version":
            i += 1
        else:
            return word
    return None


def engine_func(args: argparse.Namespace) -> Any:
    """The function that runs the parsed command on ``--engine``: the command's own on the
    embedded engine; on Spark its Spark implementation, or SkywitnessError naming the
    commands that have one (never silently the embedded path)."""
    if args.command == "spark":
        return args.func  # the Spark commands themselves
    if args.engine == "embedded":
        if args.master is not None:
            raise SkywitnessError("--master is for --engine spark")
        return args.func
    spark_job = importlib.import_module("skywitness.spark.job")
    key = (args.command, getattr(args, "flights_command", None))
    runner = spark_job.SPARK_COMMANDS.get(key)
    if runner is None:
        have = ", ".join(" ".join(w for w in k if w) for k in spark_job.SPARK_COMMANDS)
        asked = " ".join(w for w in key if w)
        raise SkywitnessError(
            f"`{asked}` has no Spark implementation (on --engine spark: {have}, and the "
            "`spark` commands); run it without --engine spark"
        )
    return runner


def setup_logging(verbose: int, quiet: bool) -> None:
    """Log records of the chosen level to stderr, one line each, times in UTC."""
    import logging

    from ..config import log_level
    from ..timeutil import utc_log_formatter

    level = log_level(verbose, quiet)
    handler = logging.StreamHandler(sys.stderr)
    formatter = utc_log_formatter("%(asctime)sZ %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


# A program's start-up runs without the cyclic garbage collector: importing numpy, pyarrow
# and the command's modules makes hundreds of thousands of objects, none of them garbage, and
# the collector walked them again and again while they were made (~0.005 CPU s of every
# ``decode``'s ~0.12 s start-up, issue 18: bench/RESULTS.md). It is turned back on before the
# command runs, with the start-up's objects frozen (``gc.freeze``): later full collections
# skip them. Called as a library, ``main`` leaves the collector alone.


def main(argv: list[str] | None = None) -> int:
    program = argv is None  # run as the program (not called as a library, as tests do)
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--version"]:  # argparse's answer, without loading argparse's modules
        print(VERSION)
        return 0
    # numpy reads it when first imported: huge pages off unless asked (config.py says why)
    os.environ.setdefault(NUMPY_HUGEPAGE_ENV, "0")
    # and OpenBLAS reads this when numpy loads it: one thread, no idle spinning (config.py)
    os.environ.setdefault(OPENBLAS_THREADS_ENV, "1")
    if _command_word(argv) in SYSTEM_POOL_COMMANDS:  # before pyarrow is first imported
        os.environ.setdefault(ARROW_POOL_ENV, "system")
    if program:
        gc.disable()  # start-up only (see above ``main``)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    try:
        # a command's own -q quiets the log too, unless -v asked for more
        verbose = getattr(args, "verbose", 0)
        quiet = getattr(args, "log_quiet", False) or (getattr(args, "quiet", False) and not verbose)
        setup_logging(verbose, quiet)
    except ValueError as exc:
        print(f"skywitness: error: {exc}", file=sys.stderr)
        return 2
    import logging  # (loaded by setup_logging)

    logging.getLogger(__name__).debug("skywitness %s: %s", __version__, " ".join(argv))
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        func = engine_func(args)
    except SkywitnessError as exc:
        print(f"skywitness: error: {exc}", file=sys.stderr)
        return 2
    if program and args.command != "spark" and args.engine == "embedded":
        from ..pandas_off import keep_pandas_out

        keep_pandas_out()  # pyarrow would import it, unused, on its first conversion
    if program:
        gc.freeze()  # the modules' objects: never garbage, no longer traversed
        gc.enable()
    try:
        code = int(func(args))
    except SkywitnessError as exc:
        print(f"skywitness: error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:  # read-only file system, disk full, permissions: say which file
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"skywitness: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the store's engine: a full disk while committing, a lock
        if not type(exc).__module__.lstrip("_").startswith("duckdb"):
            raise
        print(f"skywitness: error: store: {exc}", file=sys.stderr)
        return 1
    if program and getattr(args, "command", None) in QUICK_EXIT:
        quick_exit(code)
    return code


#: Commands whose process ends as soon as their work is done (run as the program only):
#: nothing of theirs is left to tear down once their output is closed and flushed, and the
#: interpreter's teardown of numpy, pyarrow and every module was ~0.02 CPU s of each
#: ``decode`` (issue 18).
QUICK_EXIT = frozenset({"decode"})


def quick_exit(code: int) -> None:
    """Flush the standard streams and the log, then end the process with ``code`` without
    the interpreter's teardown (``os._exit``)."""
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: nothing more can reach it
            code = code or 1
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
