"""A program's start-up runs without the cyclic garbage collector (``cli.main``): it is back on,
with the start-up's objects frozen, when the command runs; called as a library, ``main`` leaves
the collector as it found it."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import skywitness
from skywitness.cli import main as cli_main

SRC = str(Path(skywitness.__file__).resolve().parents[1])
#: Runs ``decode`` as the program, its command replaced by one that
#: prints the collector's state while it runs.
CHILD = """
import gc, sys
import skywitness.cli.main as m

def seen(args):
    print(gc.isenabled(), gc.get_freeze_count() > 0, file=sys.stderr)
    return 0

m.engine_func = lambda args: seen
sys.argv = ["skywitness", "decode", "-q", sys.argv[1]]
m.main()
"""


def test_the_program_runs_its_command_with_the_collector_on(tmp_path: Path) -> None:
    frames = tmp_path / "in.csv"
    frames.write_text("1717664319.147975,8d4840d6202cc371c32ce0576098\n")
    r = subprocess.run(
        [sys.executable, "-c", CHILD, str(frames)],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": SRC},
        timeout=120,
        check=True,
    )
    assert r.stderr.decode().split() == ["True", "True"]


def test_a_library_call_leaves_the_collector_alone(tmp_path: Path) -> None:
    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    out = tmp_path / "out.parquet"
    frames = tmp_path / "in.csv"
    frames.write_text("1717664319.147975,8d4840d6202cc371c32ce0576098\n")
    assert cli_main.main(["decode", "-q", str(frames), "-o", str(out)]) == 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
