"""``python -m skywitness.spark ingest|flights|investigate|attach ...``: the Spark commands as a
job for ``spark-submit`` (the same as ``skywitness spark ...``). ``spark-submit`` runs this file
as a script, outside its package: hence the absolute imports."""

from __future__ import annotations

import argparse
import sys

from skywitness.errors import SkywitnessError
from skywitness.spark.job import register


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m skywitness.spark")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    register(sub)
    # ``skywitness spark X`` and ``python -m skywitness.spark X``: the same words after "spark"
    args = parser.parse_args(["spark", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args))
    except SkywitnessError as exc:
        print(f"skywitness: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
