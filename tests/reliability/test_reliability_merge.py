"""docs/reliability.md rendered with --keep-others: one long run replaced, the rest kept."""

from __future__ import annotations

from pathlib import Path

from scripts.reliability_merge import keep_others, piece_of

OLD = """# Reliability

Old header.

## Fuzzing: every parser

fuzz figures, old

## Soak

soak figures, old

## Load: 100,000 frames/s for 17.5 minutes (#17 item 12)

long run, old

## Rerunning the long runs

how
"""

NEW = """# Reliability

New header.

## Load: 100,000 frames/s (#17 item 12)

Not in this page yet.

## Load: 100,000 frames/s for 15 minutes (#17 item 12)

long run, new

## Rerunning the long runs

how, new
"""


def test_piece_of_knows_every_heading_of_the_page() -> None:
    page = (Path(__file__).resolve().parents[2] / "docs" / "reliability.md").read_text()
    heads = [ln for ln in page.split("\n") if ln.startswith("## ")]
    pieces = [piece_of(h) for h in heads]
    assert pieces[:3] == ["fuzz", "decoder", "kills"]
    assert "load_long" in pieces and "load" in pieces and "soak" in pieces
    assert [p for p in pieces if p.startswith("## ")] == ["## Rerunning the long runs"]


def test_only_the_given_section_is_replaced() -> None:
    out = keep_others(OLD, NEW, {"load_long"})
    assert out == OLD.replace("Old header", "New header").replace(
        "for 17.5 minutes (#17 item 12)\n\nlong run, old",
        "for 15 minutes (#17 item 12)\n\nlong run, new",
    ).replace("\nhow\n", "\nhow, new\n")


def test_a_given_section_new_to_the_page_goes_before_the_rerun_notes() -> None:
    out = keep_others(OLD, NEW, {"load"})
    assert out.index("## Load: 100,000 frames/s (#17") < out.index("## Rerunning")
    assert out.index("long run, old") < out.index("## Load: 100,000 frames/s (#17")
    assert "long run, new" not in out and "how, new" in out


def test_nothing_given_keeps_the_page() -> None:
    kept = OLD.replace("Old header", "New header").replace("\nhow\n", "\nhow, new\n")
    assert keep_others(OLD, NEW, set()) == kept
