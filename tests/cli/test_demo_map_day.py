"""``demo`` opens the map on the scenario's day, with its flights drawn (``?history=DAY``; the page
side is tests/web/test_history_site.py)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from skywitness.cli.demo_cmd import demo_days
from skywitness.simulate import load_builtin


def test_caracas_demo_opens_on_2019_09_20() -> None:
    answer: Any = SimpleNamespace(scenario=load_builtin("caracas"))
    assert demo_days(answer) == "2019-09-20"
