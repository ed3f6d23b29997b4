"""Fixtures for the evidence tests: the demo scenario in a store (built once per session; the
AFR34ZG store is the one of tests/conftest.py), and a ``cli`` runner for the investigate /
verify commands."""

from __future__ import annotations

import argparse
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

from skywitness.cli import investigate_cmd
from skywitness.errors import SkywitnessError
from tests.fixtures import caracas_store


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    """A store holding the simulated caracas capture (provenance: the written .jsonl) and the
    tar1090-db aircraft DB and plane-alert-db watchlist from ../shared/data."""
    return caracas_store(
        tmp_path_factory.mktemp("demo"),
        [(shared_data / "tar1090-db" / "aircraft_from_shards.csv.gz", "tar1090"),
         (shared_data / "plane-alert-db" / "plane-alert-db.csv", "planealert")],
    )  # fmt: skip


def cli(argv: list[str]) -> tuple[int, str]:
    """Run ``skywitness <argv>`` for the investigate/verify commands: (exit code, stdout)."""
    parser = argparse.ArgumentParser(prog="skywitness")
    investigate_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    buf = io.StringIO()
    # rich's Console reads sys.stdout at each print unless given a file: redirect_stdout is
    # enough, and binding `out.file` here would leave it bound for every later test
    try:
        with redirect_stdout(buf):
            code = int(args.func(args))
    except SkywitnessError as exc:
        buf.write(f"skywitness: error: {exc}\n")
        code = 1
    return code, buf.getvalue()
