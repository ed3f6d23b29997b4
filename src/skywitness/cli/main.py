"""The ``skywitness`` command: builds the parser from each command module and dispatches.

Each command module exposes ``register(subparsers)`` which adds its sub-command(s) and sets
``func`` (taking the parsed ``argparse.Namespace``, returning an exit code) as the default.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .. import __version__
from ..errors import SkywitnessError

#: Command modules, in the order their commands appear in ``--help``.
COMMAND_MODULES: tuple[str, ...] = (
    "skywitness.cli.demo_cmd",
    "skywitness.cli.decode_cmd",
    "skywitness.cli.track_cmd",
    "skywitness.cli.simulate_cmd",
    "skywitness.cli.aircraft_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="skywitness",
        description="Turn raw Mode S / ADS-B data into verified answers about aircraft movements.",
    )
    parser.add_argument("--version", action="version", version=f"skywitness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except SkywitnessError as exc:
        print(f"skywitness: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
