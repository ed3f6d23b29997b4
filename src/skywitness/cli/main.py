"""The ``skywitness`` command: builds the parser from each command module and dispatches.

Each command module exposes ``register(subparsers)`` which adds its sub-command(s) and sets
``func`` (taking the parsed ``argparse.Namespace``, returning an exit code) as the default.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from .. import __version__
from ..errors import SkywitnessError

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
    "spark": "skywitness.cli.spark_cmd",
    "completion": "skywitness.cli.completion",
}


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The parser; when ``argv`` names a command, only that command's module is imported (a
    run of ``track`` need not load the store, the web server or the watch engine)."""
    parser = argparse.ArgumentParser(
        prog="skywitness",
        description="Turn raw Mode S / ADS-B data into verified answers about aircraft movements.",
    )
    parser.add_argument("--version", action="version", version=f"skywitness {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="count", default=0,
        help="log more (INFO; -vv: DEBUG) to stderr; default: $SKYWITNESS_LOG_LEVEL or WARNING",
    )  # fmt: skip
    parser.add_argument(
        "-q", "--quiet", dest="log_quiet", action="store_true",
        help="log errors only (a command's own -q also drops its progress bar and summary)",
    )  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = argv[0] if argv else None
    if wanted in COMMANDS:
        modules = [COMMANDS[wanted]]
    elif wanted == "--version":
        modules = []  # answered by argparse before any command is needed
    else:
        modules = list(dict.fromkeys(COMMANDS.values()))
    for name in modules:
        importlib.import_module(name).register(sub)
    return parser


def setup_logging(verbose: int, quiet: bool) -> None:
    """Log records of the chosen level to stderr, one line each, times in UTC."""
    from ..config import log_level
    from ..timeutil import utc_log_formatter

    level = log_level(verbose, quiet)
    handler = logging.StreamHandler(sys.stderr)
    formatter = utc_log_formatter("%(asctime)sZ %(levelname)s %(name)s: %(message)s")
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
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
    logging.getLogger(__name__).debug("skywitness %s: %s", __version__, " ".join(argv))
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
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


if __name__ == "__main__":
    sys.exit(main())
