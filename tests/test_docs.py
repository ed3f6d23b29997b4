"""Docs tested against code: every command is in the README's tour, every input format in
docs/formats.md, every docs page in the docs index."""

from __future__ import annotations

from pathlib import Path

from skywitness.cli.main import COMMANDS
from skywitness.sources import FORMATS

REPO = Path(__file__).resolve().parents[1]


def test_every_command_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [c for c in COMMANDS if f"skywitness {c}" not in readme and f"`{c}`" not in readme]
    assert not missing, f"commands not described in README.md: {missing}"


def test_every_input_format_is_documented() -> None:
    formats = (REPO / "docs" / "formats.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for fmt in FORMATS:
        assert f"| `{fmt}` |" in formats, f"docs/formats.md lacks {fmt}"
        assert f"| `{fmt}` |" in readme, f"README.md inputs table lacks {fmt}"


def test_docs_index_lists_every_page() -> None:
    index = (REPO / "docs" / "README.md").read_text(encoding="utf-8")
    for page in (REPO / "docs").glob("*.md"):
        if page.name != "README.md":
            assert f"({page.name})" in index, f"docs/README.md does not list {page.name}"
