"""``decode`` takes Arrow's buffers from the C library's allocator (Arrow's ``system`` memory
pool, ``cli.main.SYSTEM_POOL_COMMANDS``) unless the environment chooses a pool: the choice is
made before pyarrow is first imported, so it reaches the Parquet writer's buffers too."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import skywitness

SRC = str(Path(skywitness.__file__).resolve().parents[1])
#: Runs the command in a fresh interpreter, then prints the pool pyarrow's default is.
CHILD = """
import sys
from skywitness.cli.main import main
code = main(sys.argv[1:])
import pyarrow
print(code, pyarrow.default_memory_pool().backend_name, file=sys.stderr)
"""
ENV = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}


def _pool(env: dict[str, str], *argv: str, stdin: bytes = b"") -> str:
    r = subprocess.run(
        [sys.executable, "-c", CHILD, *argv],
        input=stdin,
        capture_output=True,
        env={**env, "PYTHONPATH": SRC},
        timeout=120,
        check=True,
    )
    code, pool = r.stderr.decode().strip().splitlines()[-1].split()
    assert code == "0", r.stderr.decode()[-2000:]
    return pool


def test_decode_runs_on_the_system_pool(shared_data: Path, tmp_path: Path) -> None:
    """A decode of a file, and of stdin (a stream: ``alloc.keep_freed_memory`` is not called,
    so only the environment chose the pool)."""
    sample = shared_data / "pymodes-tests/sample_data_adsb.csv"
    out = ("-o", str(tmp_path / "x.parquet"))
    assert _pool(ENV, "decode", "-q", str(sample), *out) == "system"
    piped = sample.read_bytes()
    assert _pool(ENV, "decode", "-q", "--format", "hex", "-", *out, stdin=piped) == "system"


def test_decode_keeps_the_pool_the_environment_chooses(shared_data: Path, tmp_path: Path) -> None:
    piped = (shared_data / "pymodes-tests/sample_data_adsb.csv").read_bytes()
    argv = ("decode", "-q", "--format", "hex", "-", "-o", str(tmp_path / "x.parquet"))
    chosen = {**ENV, "ARROW_DEFAULT_MEMORY_POOL": "mimalloc"}
    assert _pool(chosen, *argv, stdin=piped) == "mimalloc"


def test_other_commands_keep_arrows_default_pool() -> None:
    assert _pool(ENV, "--version") != "system"
