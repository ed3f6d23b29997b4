"""docs/filters.md, the one table of filters, tested against the code: every option of
``flights`` and ``investigate`` that selects flights and every ``/api/flights`` parameter is in
the table, and every flag and parameter of the table exists; the deprecated spellings too."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import Any, cast

from skywitness.api import create_app
from skywitness.cli import flights_cmd, investigate_cmd
from skywitness.flights.query import FILTERS
from skywitness.runtime.service import Service, ServiceConfig

REPO = Path(__file__).resolve().parents[1]
#: Options of the two commands that do not select flights (where to read, how to print).
NOT_FILTERS = {"-h", "--help", "--data-dir", "--format", "-o", "--output", "--question", "--text"}
NOT_FILTERS |= {"--report", "--pdf"}


def _tables() -> tuple[list[list[str]], list[list[str]]]:
    """The rows of the filters table and of the old-spellings table, as cells."""
    text = (REPO / "docs" / "filters.md").read_text(encoding="utf-8")
    filters_part, _, old_part = text.partition("## Old spellings")

    def rows(part: str) -> list[list[str]]:
        out = []
        for line in part.splitlines():
            if line.startswith("|") and not line.startswith("|---"):
                out.append([c.strip() for c in line.strip("|").split("|")])
        return out[1:]  # the header

    return rows(filters_part), rows(old_part)


def _code(cell: str) -> set[str]:
    return set(re.findall(r"`([^`]+)`", cell))


def _options(register: Any, command: str) -> tuple[set[str], set[str]]:
    """(visible options, deprecated ones) of a command's parser."""
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    sub = cast(Any, parser._subparsers)._group_actions[0].choices[command]
    shown: set[str] = set()
    hidden: set[str] = set()
    for action in sub._actions:
        for opt in action.option_strings:
            (hidden if action.help == argparse.SUPPRESS else shown).add(opt)
    return shown - NOT_FILTERS, hidden


def _api_params() -> set[str]:
    app = create_app(cast(Service, type("S", (), {"config": ServiceConfig(sources=[])})()))
    op = app.openapi()["paths"]["/api/flights"]["get"]
    return {p["name"] for p in op["parameters"]}


def test_every_flag_and_parameter_is_in_the_table_and_back() -> None:
    table, _ = _tables()
    doc_flags = {f for row in table for f in _code(row[1])}
    doc_params = {p for row in table for p in _code(row[2])}
    flights, _ = _options(flights_cmd.register, "flights")
    investigate, _ = _options(investigate_cmd.register, "investigate")
    assert doc_flags == flights | investigate
    assert doc_params == _api_params()
    # the vocabulary itself: one flag and one parameter per filter, in both commands
    assert {f.flag for f in FILTERS} <= flights & investigate
    assert {f.key for f in FILTERS} <= doc_params
    for row in table:  # a flag and its parameter are on the same row
        for f in FILTERS:
            if f.flag in _code(row[1]):
                assert _code(row[2]) == {f.key}, row


def test_every_old_spelling_is_listed() -> None:
    _, old = _tables()
    listed = {(row[0].strip("`"), row[1].strip("`"), row[2].strip("`")) for row in old}
    aliases = {("flights", o, n) for o, n in flights_cmd.ALIASES.items()}
    aliases |= {("investigate", o, n) for o, n in investigate_cmd.ALIASES.items()}
    assert listed == aliases
    _, hidden_f = _options(flights_cmd.register, "flights")
    _, hidden_i = _options(investigate_cmd.register, "investigate")
    assert hidden_f == set(flights_cmd.ALIASES)
    assert hidden_i == set(investigate_cmd.ALIASES)
