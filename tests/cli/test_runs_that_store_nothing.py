"""A run that accepts nothing says so and exits non-zero; output files get the mode a plainly
created file would have (the umask), not the 0600 of a temporary file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from ..conftest import TEST_DATA

RUN = [sys.executable, "-m", "skywitness"]


def _run(*argv: str, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    def pre() -> None:
        if umask is not None:
            os.umask(umask)

    return subprocess.run([*RUN, *argv], capture_output=True, text=True, timeout=120,
                          preexec_fn=pre)  # fmt: skip


def test_wrong_format_and_empty_input_exit_1_with_a_reason(tmp_path: Path) -> None:
    sbs = str(TEST_DATA / "sbs_sample.sbs")
    wrong = _run("track", sbs, "--format", "beast", "-q", "-o", str(tmp_path / "x.parquet"))
    assert wrong.returncode == 1
    assert "accepted none of" in wrong.stderr and "try --format auto" in wrong.stderr
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    out = _run("decode", str(empty), "-q")
    assert out.returncode == 1 and f"{empty}: read nothing" in out.stderr
    assert _run("decode", sbs, "-q").returncode == 0


def test_outputs_follow_the_umask(tmp_path: Path) -> None:
    sbs = str(TEST_DATA / "sbs_sample.sbs")
    for umask, mode in ((0o022, 0o644), (0o027, 0o640)):
        out = tmp_path / f"states-{umask:o}.parquet"
        assert _run("track", sbs, "-q", "-o", str(out), umask=umask).returncode == 0
        assert stat.S_IMODE(out.stat().st_mode) == mode
        csv = tmp_path / f"states-{umask:o}.csv"
        assert _run("track", sbs, "-q", "-o", str(csv), umask=umask).returncode == 0
        assert stat.S_IMODE(csv.stat().st_mode) == mode


def test_beast_timed_from_mtime_says_so(shared_data: Path, tmp_path: Path) -> None:
    capture = tmp_path / "capture.bin"  # no time in the name
    capture.write_bytes((shared_data / "traffic-raw-frames" / "sample_dump1090.bin").read_bytes())
    out = tmp_path / "f.parquet"
    guessed = _run("decode", str(capture), "-o", str(out))
    assert guessed.returncode == 0
    assert "timed from the file's modification time" in guessed.stderr
    assert "give --start-time" in guessed.stderr
    given = _run("decode", str(capture), "-o", str(out), "--start-time", "2020-01-01T00:00:00Z")
    assert "modification time" not in given.stderr
