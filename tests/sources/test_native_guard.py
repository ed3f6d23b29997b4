"""Input that crashes Arrow's native JSON reader never reaches it (issue: a JSON-lines batch
whose first line is ``null`` segfaulted the process inside ``pyarrow.json.read_json``).

Each case runs in a child process, so a segfault fails the test instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import skywitness

SRC = str(Path(skywitness.__file__).resolve().parents[1])
GOOD = b'{"timestamp":1717667763.69,"frame":"8d4840d6202cc371c32ce0576098"}'

CHILD = """
import json, sys
from skywitness.sources.hexlines import JsonlParser
from skywitness.stats import IngestStats
stats = IngestStats()
p = JsonlParser(stats, "n")
out = p.feed(sys.stdin.buffer.read()) + p.finish()
print(json.dumps({"frames": sum(len(b) for b in out), "read": stats.frames,
                  "rejected": dict(stats.rejected)}))
"""


def _child(args: list[str], stdin: bytes) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run(args, input=stdin, capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize(
    "first", [b"null", b" null", b"null ", b"\tnull\r", b"true", b"1", b"[]", b'"x"', b"{}"]
)
def test_bad_first_line_is_counted_not_fatal(first: bytes) -> None:
    r = _child([sys.executable, "-c", CHILD], first + b"\n" + GOOD + b"\n")
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    got = json.loads(r.stdout)
    assert got["frames"] == 1 and got["read"] == 2
    assert sum(got["rejected"].values()) == 1


def test_decode_cli_survives_a_null_line(tmp_path: Path) -> None:
    src = tmp_path / "n.jsonl"
    src.write_bytes(b"null\n" + GOOD + b"\n")
    out = tmp_path / "n.parquet"
    cmd = [sys.executable, "-m", "skywitness", "decode", str(src), "--format", "jsonl"]
    r = _child([*cmd, "-o", str(out)], b"")
    assert r.returncode == 0, r.stderr.decode()[-2000:]
    import pyarrow.parquet as pq

    frames = pq.read_table(out).column("frame").to_pylist()
    assert frames == ["8d4840d6202cc371c32ce0576098"]
