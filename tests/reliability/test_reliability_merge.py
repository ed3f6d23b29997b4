"""docs/reliability.md: --keep-others (one long run replaced, the rest kept), the load prose."""

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


def _long_run(dropped: int, late_rows: int = 1500) -> dict[str, object]:
    samples = [
        {"t": t, "flights_rows_held": rows, "rss_mb": 100, "rss_children_mb": 300,
         "flight_steps": steps, "flights_pending": waiting, "memory": {}}
        for t, rows, steps, waiting in ((0.0, 0, 0, 0), (600.0, 1000, 5, 10),
                                        (900.0, late_rows, 5, 300), (1100.0, 1200, 6, 0))
    ]  # fmt: skip
    return {
        "seconds": 1000.0, "warmup_s": 600.0, "samples": samples, "flights_steps": 30,
        "flights_dropped_rows": dropped, "flights_backlog_after_warmup_max_rows": 99,
        "cpu_s_flights_child": 5.0, "cpu_s_serve": 50.0, "lag_p99_s": 0.5,
        "rss_slope_after_warmup_mb_per_h": 12.5, "rss_after_warmup_min_max_mb": [100, 110],
        "rss_children_after_warmup_min_max_mb": [200, 300],
        "rss_children_slope_after_warmup_mb_per_h": 40.0, "rows_in_store_after_stop": 5000,
        "feeder_max_behind_s": 0.1,
    }  # fmt: skip


def test_a_long_run_that_kept_up_says_so_and_whether_memory_is_shown_flat() -> None:
    from scripts.reliability_load import _load_flights

    text = "\n".join(_load_flights(_long_run(0)))
    assert "kept up in this run" in text and "in 30 steps" in text
    assert "at most 99 state vectors after the first 10 minutes" in text
    assert "**not** shown flat" in text
    # the peaks of the feed's two halves after the warm-up (800 s), not the sample after stop
    assert "the rows the flights stage held 1,000 then 1,500 rows" in text
    assert "serve's RSS 100 then 100 MB" in text
    behind = "\n".join(_load_flights(_long_run(7)))
    assert "did not keep up" in behind and "**not** shown flat" in behind
    assert "no step finished while state vectors waited: 300 s at least" in behind
    assert "the backlog reached 300)" in behind
    # within FLAT_TOLERANCE (5 %) of the first half's peak: flat, whatever the slope says
    flat = "\n".join(_load_flights(_long_run(0, late_rows=1050)))
    assert "Memory is shown flat by this run" in flat and "**not**" not in flat


def test_a_run_with_parked_rows_shows_them_in_its_table() -> None:
    """Runs since ``flights/parking.py`` sample the rows of quiet aircraft parked on disk: a
    column of the samples' table; runs before have none."""
    from scripts.reliability_load import load_section

    run = _long_run(0)
    samples: list[dict[str, object]] = run["samples"]  # type: ignore[assignment]
    for k, smp in enumerate(samples):
        smp["flights_rows_parked"] = 100 * k
    res = {"load_long": {"data": run, "command": "python -m fuzz.soak"}}
    lines = load_section(res, "load_long")
    head = next(line for line in lines if line.startswith("| s |"))
    assert "| flights rows held | flights rows parked |" in head
    row = next(line for line in lines if line.startswith("| 900.0 |"))
    assert row.endswith("| 1,500 | 200 |")
    before = load_section({"load_long": {"data": _long_run(0), "command": "x"}}, "load_long")
    assert not any("rows parked |" in line for line in before)


def test_a_fuzz_run_made_in_pieces_lists_them() -> None:
    from scripts.reliability_doc import _fuzz_sessions

    one = {"sessions": [{"command": "python -m fuzz.run A", "started": "s", "updated": "u"}]}
    assert _fuzz_sessions(one) == [] and _fuzz_sessions({}) == []
    two = {
        "sessions": [
            *one["sessions"],
            {
                "command": "python -m fuzz.run A --resume",
                "started": "s2",
                "updated": "u2",
                "commit": "abc",
            },
        ]
    }
    lines = _fuzz_sessions(two)
    assert lines[0].startswith("Made in 2 pieces (`--resume`")
    assert lines[-2] == "- `python -m fuzz.run A --resume`: s2 to u2 at abc"
