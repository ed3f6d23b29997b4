"""``skywitness check`` without a store: --parse-only, and clear errors for bad use."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywitness.cli.main import main


def test_parse_only(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["check", "Two Russian air force planes landed in Caracas on Sept. 20"]
    assert main([*argv, "--published", "2019-09-25", "--parse-only"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Question (investigation TOML):\n# skywitness check: Two Russian")
    assert 'registry_country = ["RU"]' in out and 'to = ["SVCS", "SVMI", "SVFM"]' in out
    assert "Read as:" in out and "Verdict" not in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["check", "x", "--published", "25/09/2019"], "--published: not a date (YYYY-MM-DD)"),
        (["check", "--published", "2019-09-25"], "give a sentence in quotes, or --file FILE"),
        (["check", "x", "--parse-only", "--report", "p"], "--report writes the pack of one"),
        (["check", "--file", "/nonexistent/claims.txt"], "cannot read /nonexistent/claims.txt"),
    ],
)
def test_errors(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_edit_needs_an_editor(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    assert main(["check", "A plane landed in Caracas", "--parse-only", "--edit"]) == 1
    assert "--edit needs $EDITOR" in capsys.readouterr().err
    # an editor that fails: nothing is checked
    monkeypatch.setenv("EDITOR", "false")
    assert main(["check", "A plane landed in Caracas", "--parse-only", "--edit"]) == 1
    assert "exited with 1: nothing checked" in capsys.readouterr().err
