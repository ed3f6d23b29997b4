"""Acceptance (issue 5, item 3): ``skywitness demo --once`` names both aircraft, their
Moscow-area departures on 2019-09-20 and SVMI as arrival — offline, on simulated data."""

from __future__ import annotations

import pytest

from skywitness.cli.main import main


def test_demo_once_answers_the_question(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--once"]) == 0
    out = capsys.readouterr().out
    assert "SIMULATED" in out
    assert "Answer: 2 aircraft" in out
    il62 = next(line for line in out.splitlines() if line.startswith("1551e0 (RFF7073)"))
    an124 = next(line for line in out.splitlines() if line.startswith("154073 (RFF8322)"))
    assert "military" in il62 and "military" in an124 and "Russia" in il62
    assert "left UUWW at 2019-09-20 05:15:43Z (observed)" in out  # Vnukovo
    assert "left UUMU at 2019-09-20 06:10:43Z (observed)" in out  # Chkalovsky
    assert out.count("at SVMI (observed)") == 2
    assert "out of coverage for 9 h 20 min" in out
