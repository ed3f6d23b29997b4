"""The kill -9 sections of docs/reliability.md (``ingest`` and ``serve``), from the figures of
``fuzz.faults.kill_ingest`` and ``fuzz.serve_kills.kill_serve``; and the run line every
section of the page starts with."""

from __future__ import annotations

from statistics import median
from typing import Any


def run_line(piece: dict[str, Any]) -> str:
    return (
        f"Run: `{piece['command']}` on {piece['when']} ({piece['machine']}), "
        f"{piece['seconds']:,.0f} s."
    )


KILL_KEYS = ("runs", "killed_mid_ingest", "finished_before_kill", "store_opened",
             "catalogue_matches_disk", "rows_match_catalogue", "parquet_files_checked",
             "parquet_files_corrupt", "claimed_clean_after_kill", "resumed_complete",
             "duplicate_rows", "flights_match_clean_ingest", "runs_with_ingest_to_report",
             "loss_reported_on_next_start", "rows_lost_after_retry_max")  # fmt: skip
#: Row labels where the key's words are not the label.
KILL_LABELS = {
    "runs_with_ingest_to_report": "killed with something to repair (the next start must say so)",
    "loss_reported_on_next_start": "reported on the next start (db info and the repairing open)",
    "rows_lost_after_retry_max": "rows lost after the retry, most in a run",
}
#: (key, label) of the serve kills' table, in order.
SERVE_ROWS = (
    ("runs", "runs (serve started, then SIGKILLed)"),
    ("killed_mid_ingest", "killed (not ended by itself)"),
    ("killed_while_starting", "killed while starting (before it answered)"),
    ("runs_with_rows", "killed after its own first commit"),
    ("runs_after_several_commits", "killed after several (see above) of its own commits"),
    ("store_opened", "store opened after the kill"),
    ("catalogued_files_on_disk", "every catalogued Parquet file on disk"),
    ("rows_match_catalogue", "catalogued files hold the catalogued rows"),
    ("parquet_files_checked", "Parquet files read back (each file once)"),
    ("parquet_files_corrupt", "Parquet files corrupt"),
    ("claimed_clean_after_kill", "db info claimed a clean close"),
    ("db_info_rows_match", "db info's state vectors = the rows the catalogued files hold"),
    ("duplicate_rows", "rows stored twice (after every restart, and at the end), most"),
    ("committed_rows_kept", "every row committed (before this start, and at the last look) kept"),
    ("runs_with_look", "killed after a last look at /api/stats"),
    ("loss_within_unflushed_batch", "of those, loss at most the rows unflushed at the look"),
    ("rows_unflushed_max", "rows unflushed at a last look, most"),
    ("rows_lost_max", "rows lost (received at the last look less kept), most in a run"),
    ("rows_lost_measured", "rows lost, all runs (measured at the last look)"),
    ("rows_lost_reported", "rows reported not stored by the next start, all runs"),
    ("runs_with_ingest_to_report", "kills that left an interrupted ingest to report"),
    ("next_start_reported", "reported in the next serve's log (ingest, rows kept, not stored)"),
    ("loss_reported_on_next_start", "reported by db info and in the next serve's log"),
    ("children_outlived_kill", "children of a killed serve running plan: child exit s after it"),
    ("child_outlived_kill_max_s", "of those, the longest ran on after the kill, s (at most)"),
    ("children_killed_by_harness", "children running plan: child limit s after it (killed)"),
    ("final_clean_stop", "last serve stopped on SIGTERM with exit code 0"),
    ("final_store_clean", "then: the repairing open found nothing to repair"),
    ("final_catalogue_matches_disk", "then: catalogue and lake agree, no temporary files"),
    ("final_rows_match_catalogue", "then: the states hold the catalogued rows"),
    ("rows_stored", "state vectors in the store at the end"),
    ("frames_sent", "frames sent into a connected serve"),
)  # fmt: skip


def _label(key: str) -> str:
    return KILL_LABELS.get(key, key.replace("_", " "))


def _planned(label: str, plan: dict[str, Any]) -> str:
    """``label`` with "plan: KEY" (a key of the serve kills' ``plan``) replaced by its value."""
    for key, value in plan.items():
        label = label.replace(f"plan: {key.replace('_', ' ')}", f"{_shown(value)} s")
    return label


def _shown(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)


def _spread(values: list[float] | list[int]) -> str:
    if not values:
        return "none"
    return " / ".join(f"{v:,.1f}" if isinstance(values[0], float) else f"{v:,g}"
                      for v in (min(values), median(values), max(values)))  # fmt: skip


def _ingest(piece: dict[str, Any]) -> list[str]:
    k = piece["data"]
    out = [
        "## kill -9 of `ingest` at random moments",
        "",
        run_line(piece),
        "",
        f"Input: {k['source']}. Each run ingests into a fresh data directory and is "
        "SIGKILLed after a random delay (half uniform over a clean ingest's duration, half "
        "in its second half); then the store is opened (recovery), checked, and the same "
        "ingest run again. Runs go on until the asked number were killed mid-ingest; an "
        "ingest that finished first is checked too and its duration becomes the estimate "
        "(in runs made before that, `runs` was the number asked, killed or not). A kill "
        "that left something to repair must be reported by the next start: `db info` says "
        "NOT closed cleanly and what the repair will do, and the repairing open says what "
        "it did; after the retry nothing is lost (the interrupted file ingest's rows are "
        "removed at recovery and stored again).",
        "",
        "| check | runs |",
        "|---|---:|",
    ]
    out += [f"| {_label(key)} | {k[key]:,} |" for key in KILL_KEYS if key in k]
    return [*out, "", f"Problems: {k['problems'] or 'none'}.", ""]


def _serve(piece: dict[str, Any]) -> list[str]:
    s = piece["data"]
    f, plan = s["feed"], s["plan"]
    out = [
        "## kill -9 of `serve` at random moments, under a paced live feed",
        "",
        run_line(piece),
        "",
        f"Input: a live feed, not a file: {f['receivers']} simulated Beast receivers "
        "(`fuzz/soak_feed.py`, the soak's feeder: the simulator's traffic over Europe) send "
        f"{f['rate_frames_per_s']:,.0f} frames/s in all over TCP for the whole run "
        f"({f['seconds']:,.0f} s), whether a serve is connected or not (frames due while "
        f"none was: {f['frames_not_sent_no_serve']:,}, not sent; in sends a kill cut: "
        f"{f['frames_in_failed_sends']:,}). One data directory for every run, as a service "
        "restarted after each crash: each run starts `serve` on it, with the feed's "
        "receivers as its `--source`s, and SIGKILLs it. One run in "
        f"{plan['start_kill_every']} is killed while serve starts (opening the store, "
        "repairing the last kill, connecting: a random moment before the quickest start "
        "so far answered; a start that answered sooner counts as killed after a look); the "
        f"others a random {plan['live_s'][0]}-{plan['live_s'][1]} s after it "
        "first answered, right after a last look at `/api/stats` (rows committed, rows "
        "received and not yet flushed; the writer flushes every second). Seconds from the "
        f"start to the kill (min / median / max): {_spread(s['kill_after_s'])}; to its first "
        f"answer: {_spread(s['answered_after_s'])}; its own commits before the kill: "
        f"{_spread(s['commits_before_kill'])} (several: {plan['several_commits']} or more).",
        "",
        "After each kill, before the next start: `db info` (a read-only open) must say NOT "
        "closed cleanly and name the interrupted ingest with its rows kept and, from the "
        "writer's note of what it received (every 0.25 s), those not stored; every Parquet "
        "file in the lake must read back; the catalogued files must hold the catalogued rows "
        "with no (icao24, timestamp, source) twice, the rows of every restart so far "
        "included; every row committed before this start and at the last look must be kept, "
        "and the loss (rows received at the last look less rows kept) must be at most the "
        "rows unflushed then. The next start is the next run's serve: its log must report the "
        "same ingest, rows kept and rows not stored. At the end a last serve starts, runs a "
        "few seconds and stops on SIGTERM; the store's repairing open must then find nothing "
        "to repair. The measured loss is of rows the store's writer had received; frames "
        "still in serve's socket or tracker queue at the kill never became rows and are not "
        "in it, nor are rows received between the last look and the kill (the next start's "
        "report, from the writer's note, includes those).",
        "",
        "| check | value |",
        "|---|---:|",
    ]
    out += [f"| {_planned(label, plan)} | {_shown(s[key])} |" for key, label in SERVE_ROWS
            if key in s]  # fmt: skip
    if "db_info_rows_match" not in s:
        out += ["", "This run predates the row checking `db info`'s state-vector figure against "
                "the rows kept: that figure is the catalogue's sum (`Store.info`), which the row "
                "on catalogued files and rows checks; tests/reliability/test_faults.py checks "
                "the figure itself."]  # fmt: skip
    out += ["", f"Problems: {s['problems'] or 'none'}."]
    if s.get("logs_with_traceback"):
        by_line: dict[str, list[str]] = {}
        for entry in s["logs_with_traceback"]:
            run, _, line = entry.partition(": ")
            by_line.setdefault(line, []).append(run.removeprefix("run "))
        out += ["", f"serve logs with a traceback: {len(s['logs_with_traceback'])} of "
                f"{s['runs'] + 1} (a traceback's last line: the runs whose log has it):",
                ""]  # fmt: skip
        out += [f"- `{line}`: runs {', '.join(runs)}" for line, runs in by_line.items()]
    return [*out, ""]


def kills(res: dict[str, Any]) -> list[str]:
    """The page's kill sections, for the pieces ``res`` holds."""
    out: list[str] = []
    if "kills" in res:
        out += _ingest(res["kills"])
    if "serve_kills" in res:
        out += _serve(res["serve_kills"])
    return out
