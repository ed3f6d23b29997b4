"""What ``ingest`` says on stderr off a terminal (``cli.ingest_out``): each line as it is,
unwrapped, markup-like text in a path kept, and rich not loaded to say it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import skywitness
from skywitness.cli.ingest_out import say

SRC = str(Path(skywitness.__file__).resolve().parents[1])


def test_plain_lines_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    long = "/data/[red]day[/red] :smile: " + "x" * 200 + ".parquet: ingest #1 done"
    say(long, "red")
    say("store: /tmp/d")
    assert capsys.readouterr().err == f"{long}\nstore: /tmp/d\n"


def test_rich_not_loaded_off_a_terminal() -> None:
    code = (
        "import sys; from skywitness.cli.ingest_out import say; say('a [b] c', 'yellow'); "
        "print('rich' in sys.modules)"
    )
    env = {"PYTHONPATH": SRC}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert (r.stdout, r.stderr) == ("False\n", "a [b] c\n")
