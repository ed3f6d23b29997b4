"""Log levels from -v/-q and $SKYWITNESS_LOG_LEVEL; completion scripts generated from the
parser, checked by running the bash one in bash."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from skywitness.cli.completion import bash_script, fish_script, words
from skywitness.cli.main import build_parser
from skywitness.config import LOG_LEVEL_ENV, log_level


def test_log_levels() -> None:
    assert log_level(env={}) == "WARNING"
    assert log_level(env={LOG_LEVEL_ENV: "debug"}) == "DEBUG"
    assert log_level(1, env={LOG_LEVEL_ENV: "ERROR"}) == "INFO"  # a flag wins
    assert log_level(2, env={}) == "DEBUG"
    assert log_level(0, quiet=True, env={LOG_LEVEL_ENV: "DEBUG"}) == "ERROR"
    with pytest.raises(ValueError, match="one of DEBUG"):
        log_level(env={LOG_LEVEL_ENV: "loud"})


def test_verbose_logs_to_stderr(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "skywitness", "-vv", "db", "info", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert any(
        " DEBUG skywitness.cli.main: skywitness " in line for line in run.stderr.splitlines()
    )
    quiet = subprocess.run(
        [sys.executable, "-m", "skywitness", "db", "info", "--data-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert " DEBUG " not in quiet.stderr


def test_completion_knows_every_command_and_flag(tmp_path: Path) -> None:
    parser = build_parser([])
    w = words(parser)
    assert {"flights", "spark", "completion", "serve"} <= set(w[""])
    assert {"ingest", "flights", "attach", "investigate"} <= set(w["spark"])
    assert "--registry-country" in w["flights"]
    script = tmp_path / "sw.bash"
    script.write_text(bash_script(parser))
    probe = (
        f"source {script}; COMP_WORDS=(skywitness flights --regi); COMP_CWORD=2; _skywitness; "
        'echo "${COMPREPLY[@]}"; COMP_WORDS=(skywitness spark at); COMP_CWORD=2; _skywitness; '
        'echo "${COMPREPLY[@]}"'
    )
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=30)
    assert out.stdout.splitlines() == ["--registration --registry-country", "attach"]
    assert (
        "complete -c skywitness -n '__fish_seen_subcommand_from spark' "
        "-a 'attach flights ingest investigate'" in fish_script(parser)
    )
