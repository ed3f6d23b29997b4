"""The allocator setting of batch commands (``skywitness.alloc``): freed arrays reused, not
faulted in afresh (issue 18: ~20k page faults and ~0.3-0.5 s CPU of a 1.1M-row states ingest)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import skywitness
from skywitness import alloc
from skywitness.cli.main import main

SRC = str(Path(skywitness.__file__).resolve().parents[1])
#: Ten rounds of four fresh 8 MB arrays, freed each round: the page faults they cost.
CHILD = """
import resource, sys
import numpy as np
if sys.argv[1] == "keep":
    from skywitness.alloc import keep_freed_memory
    assert keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    arrays = [np.ones(1_000_000) for _ in range(4)]
    del arrays
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str) -> int:
    env = {**os.environ, "PYTHONPATH": SRC, "NUMPY_MADVISE_HUGEPAGE": "0"}
    r = subprocess.run(
        [sys.executable, "-c", CHILD, mode], capture_output=True, env=env, check=True, timeout=60
    )
    return int(r.stdout.decode().split()[-1])


def test_freed_arrays_are_reused_not_faulted_in_again() -> None:
    # 40 arrays of 8 MB (~1,950 pages each): each faulted in afresh by default, the first
    # round's pages reused with the setting
    plain, kept = _faults("plain"), _faults("keep")
    assert plain > 40 * 1_900
    assert kept < 5 * 1_950


ARROW_CHILD = """
import pyarrow as pa
from skywitness.alloc import keep_freed_memory
before = pa.default_memory_pool().backend_name
assert keep_freed_memory()
print(before, pa.default_memory_pool().backend_name)
"""


def test_arrow_buffers_come_from_the_kept_heap() -> None:
    """Arrow's memory pool is the C allocator's (the heap kept above), not its bundled one."""
    env = {**os.environ, "PYTHONPATH": SRC}
    env.pop("ARROW_DEFAULT_MEMORY_POOL", None)
    r = subprocess.run(
        [sys.executable, "-c", ARROW_CHILD], capture_output=True, env=env, check=True, timeout=60
    )
    before, after = r.stdout.decode().split()[-2:]
    assert before != "system"
    assert after == "system"


def _noting(calls: list[bool]) -> Callable[[], bool]:
    """A ``keep_freed_memory`` that notes each call in ``calls``."""

    def keep() -> bool:
        calls.append(True)
        return True

    return keep


def test_ingest_sets_it(shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(alloc, "keep_freed_memory", _noting(calls))
    src = shared_data / "pymodes-tests" / "sample_data_adsb.csv"
    assert main(["ingest", "--data-dir", str(tmp_path / "d"), "-q", str(src)]) == 0
    assert calls == [True]


def test_ingest_that_follows_or_reads_a_live_feed_keeps_the_defaults(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A long-running ``ingest`` (``--follow``, a live feed) must give memory back after a
    peak, as ``serve`` does: the docstring's rule (it was called under ``--follow`` too)."""
    from skywitness.cli.ingest_cmd import is_batch

    calls: list[bool] = []
    monkeypatch.setattr(alloc, "keep_freed_memory", _noting(calls))
    src = shared_data / "pymodes-tests" / "sample_data_adsb.csv"
    args = ["ingest", "--data-dir", str(tmp_path / "d"), "-q", "--follow", "5", str(src)]
    assert main(args) == 0
    assert calls == []
    assert not is_batch(argparse.Namespace(sources=["tcp://127.0.0.1:30005"], follow=None))
    assert is_batch(argparse.Namespace(sources=[str(src)], follow=None))
    # a feed piped in (``nc HOST 30002 | skywitness ingest -``) runs until stopped too
    assert not is_batch(argparse.Namespace(sources=["-"], follow=None))


def test_decode_of_files_sets_it(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[bool] = []
    monkeypatch.setattr(alloc, "keep_freed_memory", _noting(calls))
    src = shared_data / "pymodes-tests" / "sample_data_adsb.csv"
    assert main(["decode", "-q", "-o", str(tmp_path / "out.parquet"), str(src)]) == 0
    assert calls == [True]


def test_decode_of_a_live_feed_keeps_the_defaults() -> None:
    """A live feed runs until stopped: its memory goes back after a peak (as ``serve``)."""
    from skywitness.cli import common

    assert common.batch_only(["a.csv", "b.bin"])
    assert not common.batch_only(["a.csv", "tcp://127.0.0.1:30005"])
    assert not common.batch_only(["-"])  # stdin: perhaps ``nc HOST 30002 |``


def test_decode_of_a_named_pipe_keeps_the_defaults(tmp_path: Path) -> None:
    from skywitness.cli import common

    fifo = tmp_path / "feed"
    os.mkfifo(fifo)
    assert not common.batch_only([str(fifo)])
    assert common.batch_only([str(tmp_path / "missing.csv")])


def test_no_child_process_to_find_the_c_library() -> None:
    """``ctypes.util.find_library`` runs ``ldconfig -p`` in a child process (~0.01 CPU s of
    every ``decode``): the process's own symbols are used instead."""
    child = "import sys; from skywitness.alloc import keep_freed_memory; "
    child += "assert keep_freed_memory(); print('ctypes.util' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": SRC}
    r = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, env=env, check=True, timeout=60
    )
    assert r.stdout.decode().split() == ["False"]
