"""The format and notifier registries are tables: every registered name has a maker, and the
names the rest of the code lists (``FORMATS``, ``NOTIFIER_KINDS``) are exactly the tables'."""

from __future__ import annotations

from pathlib import Path

import pytest

from skywitness.errors import ConfigError, FormatError
from skywitness.sources import FORMATS
from skywitness.sources.formats import PARSERS
from skywitness.sources.source import make_parser
from skywitness.stats import IngestStats
from skywitness.watch import parse_rules
from skywitness.watch.notifiers import NOTIFIERS
from skywitness.watch.rules import NOTIFIER_KINDS
from skywitness.watch.runner import make_notifier


def test_every_format_has_a_parser() -> None:
    assert set(PARSERS) == set(FORMATS)
    for fmt in FORMATS:
        parser = make_parser(fmt, IngestStats(), "x")
        assert hasattr(parser, "feed") and hasattr(parser, "finish")
    with pytest.raises(FormatError, match="unknown format 'nope'"):
        make_parser("nope", IngestStats(), "x")


def test_every_notifier_kind_is_made_from_the_table(tmp_path: Path) -> None:
    assert tuple(NOTIFIERS) == NOTIFIER_KINDS
    options = {"path": str(tmp_path / "a.x"), "url": "http://127.0.0.1:9/", "urls": []}
    for kind, entry in NOTIFIERS.items():
        text = f'[[notifier]]\nkind = "{kind}"\n'
        if entry.needs:
            with pytest.raises(ConfigError, match=f"needs field '{entry.needs}'"):
                parse_rules(text)
            text += f"{entry.needs} = {options[entry.needs]!r}\n".replace("'", '"')
        (cfg,) = parse_rules(text).notifiers
        notifier = make_notifier(cfg)
        assert type(notifier).__name__.lower().startswith(kind[:4])
        notifier.close()
