"""The load sections of docs/reliability.md (``fuzz.soak`` at 100,000 frames/s, #17 item 12):
the 180 s run and the long one, from their soak.json; the prose is here, every number is the
run's."""

from __future__ import annotations

from typing import Any

#: (key in the load run's soak.json, label) of the load table, in order.
LOAD_ROWS = (
    ("seconds", "seconds the receivers sent"), ("receivers", "receivers"),
    ("aircraft_in_scenario", "aircraft in the scenario"),
    ("rate_target", "rate asked, frames/s"), ("offered_rate", "rate sent, frames/s"),
    ("frames_replayed_from_cache", "frames made before the run and replayed"),
    ("feeder_max_behind_s", "receivers behind their schedule at most, s"),
    ("frames_sent", "frames sent (whole, to a connected serve)"),
    ("frames_read", "frames read by serve"), ("accepted", "accepted by the decoder"),
    ("rejected_before_or_in_decoding", "rejected before or in decoding (with a reason)"),
    ("rejects", "rejects by reason"), ("every_frame_accounted", "every frame accounted for"),
    ("disconnects_made", "disconnects made by the receivers"),
    ("reconnects_seen", "reconnects made by serve"),
    ("rows_in_store_after_stop", "state vectors in the store after a clean stop"),
    ("every_row_stored", "every state vector stored"), ("duplicate_rows", "stored twice"),
    ("stream_messages_per_client", "stream messages per client"),
    ("stream_dropped_per_client", "messages a client was told it missed"),
    ("latency_p50_s", "stream latency p50, s"), ("latency_p99_s", "stream latency p99, s"),
    ("lag_p99_s", "serve lag p99, s"),
    ("rss_start_mb", "serve RSS at start, MB"), ("rss_end_mb", "serve RSS at end, MB"),
    ("rss_slope_after_warmup_mb_per_h", "serve RSS slope after {warm}, MB/h"),
    ("rss_after_warmup_min_max_mb", "serve RSS after {warm}, min and max, MB"),
    ("rss_anon_slope_after_warmup_mb_per_h",
     "serve RSS slope after {warm}, anonymous pages only (no mapped files), MB/h"),
    ("rss_children_max_mb", "flights child RSS max, MB"),
    ("rss_children_slope_after_warmup_mb_per_h", "flights child RSS slope after {warm}, MB/h"),
    ("rss_children_after_warmup_min_max_mb", "flights child RSS after {warm}, min and max, MB"),
    ("flights_backlog_after_warmup_max_rows",
     "flights backlog after {warm}, most state vectors waiting"),
    ("flights_steps", "flights steps"), ("flights_windows", "flights data-time windows built"),
    ("flights_pending_rows_at_end", "state vectors waiting for the flights stage at the end"),
    ("flights_buffered_rows_at_end", "state vectors in unsealed flights windows at the end"),
    ("flights_dropped_rows", "state vectors whose flights were not built"),
    ("drain_s", "drain after the receivers stopped, s"),
    ("cpu_s_serve", "CPU: serve, s"), ("cpu_s_flights_child", "CPU: serve's flights child, s"),
    ("cpu_s_feeder", "CPU: the receivers (feeder), s"),
    ("cpu_s_harness", "CPU: the harness (stream clients, sampling), s"),
    ("exit_code", "serve exit code"),
)  # fmt: skip
#: (key in a sample's ``memory``, column head) of the load run's memory table.
LOAD_MEMORY = (
    ("rss_mb", "RSS"), ("arrow_mb", "Arrow pool"), ("duckdb_mb", "DuckDB"),
    ("heap_used_mb", "C heap in use"), ("heap_free_mb", "C heap free, kept"),
    ("watch_mb", "watch, in memory"), ("watch_spool_mb", "watch, in files"),
    ("history_mb", "history_N.json"), ("identities", "identities cached"),
)  # fmt: skip


def _cell(v: Any) -> str:
    return f"{v:,}" if isinstance(v, int | float) and not isinstance(v, bool) else str(v)


# What the 2026-12-06 long run's machine was doing (a run records its own with --conditions).
NOT_QUIET = (
    "The run was not quiet: it shared the machine's two cores with other engineers' work and "
    "their short benchmarks at high priority, which shows as serve's lag and as receivers "
    "behind their schedule."
)


def _load_watch(d: dict[str, Any]) -> list[str]:
    """The load section's paragraphs on what serve holds (the long run's, or the 180 s one's)."""
    out = [
        "The watch engine evaluates 60 s windows of data time 120 s late (docs/settings.md), "
        "and keeps the last 30 minutes of state vectors for the positions behind an alert "
        "(`watch/source.py` `HISTORY_S`): at this rate (about 18,000 state vectors a second) "
        "3.2 and 32 million rows. `serve` spools them to Arrow files in the data directory "
        "(`watch/held.py`; the column `watch, in files`) and holds only an index of them in "
        "memory (`watch, in memory`); the alerts and their evidence are the same as when they "
        "were held in memory (`tests/watch/test_held.py`). The first window is evaluated 2 to "
        "3 minutes into a run (the `watch, in memory` column turns from 0): its alerts (every "
        "aircraft seen, one alert each; the service keeps the last 10,000, the stream clients "
        "get them all) come at once.",
        "",
    ]
    if "warmup_s" not in d:  # the 180 s run, before the long one
        return out
    scenario = d.get("scenario_seconds") or d["seconds"]
    more = [
        f"This run sent {d['seconds'] / 60:g} minutes"
        + (
            f" of a {scenario / 60:g}-minute scenario (`--scenario-seconds`: the frames made "
            "before the run by the time it had to start)"
            if scenario > d["seconds"]
            else ""
        )
        + ", after six fixes to what serve and its flights child held for as long as they "
        "ran. The last, of the 2026-12-07 afternoon session: the live flights stage merges a "
        "state vector up to 2 minutes late (`runtime/flight_steps.py` `LIVE_LATE_S`; a batch "
        "build's horizon is 10 minutes, `flights/cutting.py` `LATE_S`), so each aircraft in the "
        "air holds its last 2 to 5 minutes of rows, not 10 to 20 (the run before held ~21 "
        "million rows and its child peaked at 5.6-6.6 GB). Two of the session before: the "
        "`history_N.json` samples tar1090 reads (one "
        "`aircraft.json` every 30 s for an hour, readsb's) are kept gzip-compressed and at most "
        "32 MB of them (`api/history_ring.py`): an hour of plain bodies of 20,000 aircraft was "
        "~660 MB, and it was all of serve's heap growth in the run before (~0.3 MB/s, the C "
        "heap in use rising from start to end); and the live snapshot's identity cache follows "
        "the live aircraft (`runtime/live.py` `IdentityCache`), the watch's holds 20,000 (each "
        "had room for 200,000, ~180 MB, filling for hours). Three before: "
        "the spooled windows are memory-mapped files, and the pages an alert's lookup read "
        "stayed in serve's resident set for the 30 minutes a file is held (every new "
        "aircraft's `seen` alert reads pages all over its window's file: the step at the first "
        "window and a growth after it), now let go after every window "
        "(`tests/watch/test_history_rss.py`); the cooldown's once-per keys, the flight events "
        "reported and the engine's identities grew with every aircraft and alert, now "
        "forgotten with their aircraft or bounded (`tests/watch/test_forget.py`); and the "
        "service's watched aircraft are those of its last 10,000 alerts, not every one since "
        "start. RSS is sampled every "
        f"{d['samples'][1]['t'] - d['samples'][0]['t']:.0f} s or so and split as the kernel "
        "counts it: anonymous pages (what serve holds) and pages of mapped files (shared "
        "libraries, and page cache the kernel can drop). The slopes are least-squares fits "
        f"from {d['warmup_s'] / 60:g} minutes on: the watch keeps 30 minutes of state vectors "
        "(above) and the flights stage each aircraft's last 2 to 5 minutes of points (before "
        "its flight in progress is first cut, every point of it: some 5 minutes), so serve "
        "fills for 30 minutes before it can be flat. " + d.get("conditions", NOT_QUIET),
        "",
    ]
    return [*out, *more]


def load_section(res: dict[str, Any], key: str = "load") -> list[str]:
    """The section of the run ``res[key]`` (``load``: 180 s; ``load_long``)."""
    if key == "load_long":
        if key not in res:
            return []
        d = res[key]["data"]
        out = [f"## Load: 100,000 frames/s for {d['seconds'] / 60:g} minutes (#17 item 12)", ""]
    else:
        out = ["## Load: 100,000 frames/s (#17 item 12)", ""]
    if key not in res:
        return [*out, "Not in this page yet: added with `--load LOAD/soak.json` (below).", ""]
    d = res[key]["data"]
    out += [
        f"Run: `{res[key]['command']}`.",
        "",
        "The soak's harness at the issue's rate: its 20 simulated Beast receivers, two "
        "stream clients and watch rules. At this rate the simulator would take CPU from "
        "`serve`, so every frame is made before the run (`--frame-cache`, on every core) and "
        "the receivers replay those bytes; the CPU of the receivers and of the harness is "
        "shown apart from serve's. The scenario's aircraft count is calibrated from a "
        "trial, which can fall short: the rate asked may be above 100,000 so that the rate "
        "sent (below) reaches it. Memory is sampled every few seconds from `/api/stats` "
        "`memory` (MB), beside the flights backlog held in serve.",
        "",
        *_load_watch(d),
        *_load_flights(d),
        "| figure | value |",
        "|---|---:|",
    ]
    warm = (f"the first {d['warmup_s'] / 60:g} minutes" if d.get("warmup_s") is not None
            else "the first 10 %")  # fmt: skip
    out += [f"| {label.format(warm=warm)} | {_cell(d.get(key))} |" for key, label in LOAD_ROWS
            if key in d or "{warm}" not in label]  # fmt: skip
    heads = " | ".join(h for _, h in LOAD_MEMORY)
    split = any("rss_anon_mb" in smp for smp in d.get("samples", []))
    more = " RSS, anonymous | RSS, mapped files |" if split else ""
    held = any("flights_rows_held" in smp for smp in d.get("samples", []))
    # (the rows of quiet aircraft parked on disk: runs since flights/parking.py)
    parked = any(smp.get("flights_rows_parked") is not None for smp in d.get("samples", []))
    flights = (
        ("flights_pending", "flight_steps", "rss_children_mb")
        + (("flights_rows_held",) if held else ())
        + (("flights_rows_parked",) if parked else ())
    )
    more = (
        (" flights rows held |" if held else "")
        + (" flights rows parked |" if parked else "")
        + more
    )
    out += ["", f"| s | {heads} | flights backlog, rows | flights steps | flights child RSS |"
            + more, "|" + "---:|" * (len(LOAD_MEMORY) + 4 + held + parked + 2 * split)]  # fmt: skip
    for smp in d.get("samples", []):
        mem = smp.get("memory") or {}
        cells = [_cell(mem.get(k)) for k, _ in LOAD_MEMORY]
        cells += [_cell(smp.get(k)) for k in flights]
        if split:
            cells += [_cell(smp.get(k)) for k in ("rss_anon_mb", "rss_file_mb")]
        out.append(f"| {smp['t']} | {' | '.join(cells)} |")
    svg = "reliability-load-long.svg" if key == "load_long" else "reliability-load.svg"
    out += ["", "![serve RSS, lag and frames read per second at 100,000 frames/s]"
            f"({svg})", ""]  # fmt: skip
    return out


def _load_flights(d: dict[str, Any]) -> list[str]:
    """What the run says of the flights stage keeping up (from its figures)."""
    dropped = d.get("flights_dropped_rows") or 0
    if "warmup_s" not in d:
        return []
    if not dropped:
        return [*_kept_up(d), *_memory(d)]
    stall = longest_stall(d)
    return [
        f"The flights stage did not keep up in this run: {dropped:,} of the "
        f"{d['rows_in_store_after_stop']:,} state vectors stored were not built into "
        f"flights (`flights_dropped_rows`: the backlog serve holds for the stage is bounded, "
        f"`runtime/workers.py` `PENDING_MAX_ROWS`, and its oldest rows are dropped, counted), "
        f"in {d['flights_steps']} steps; its child had {d['cpu_s_flights_child']:,} s of "
        f"CPU and serve {d['cpu_s_serve']:,} s in {d['seconds']:,} s of feed, with serve's "
        f"lag at {d['lag_p99_s']} s (p99) and the receivers up to "
        f"{d['feeder_max_behind_s']} s behind their schedule. Serve holds that backlog in its "
        "heap: the `C heap in use` column follows the `flights backlog` one."
        + (
            f" The longest no step finished while state vectors waited: "
            f"{stall[1] - stall[0]:g} s at least (the samples at {stall[0]:g} s to "
            f"{stall[1]:g} s show the same step count; the backlog reached {stall[2]:,})."
            if stall
            else ""
        ),
        "",
        *_memory(d),
    ]


def longest_stall(d: dict[str, Any]) -> tuple[float, float, int] | None:
    """The longest span between samples over which the flights steps count did not move while
    state vectors waited for the stage: (first sample's time, last's, most rows waiting)."""
    best: tuple[float, float, int] | None = None
    run: list[dict[str, Any]] = []
    for smp in [s for s in d.get("samples", []) if s["t"] <= d["seconds"]]:
        if run and smp["flight_steps"] == run[0]["flight_steps"] and smp["flights_pending"]:
            run.append(smp)
        else:
            run = [smp]
        if len(run) > 1 and (best is None or run[-1]["t"] - run[0]["t"] > best[1] - best[0]):
            best = (run[0]["t"], run[-1]["t"], max(s["flights_pending"] for s in run))
    return best


#: Memory is called flat when, after the warm-up, the highest sample of the feed's second half
#: is at most this fraction above the highest of its first half, for serve's RSS, its flights
#: child's RSS and the rows the flights stage holds. Each refills in a sawtooth (the stage's
#: cuts, the watch's windows), so a least-squares slope over part of a tooth says little; the
#: peaks of two halves each holding a tooth or more do.
FLAT_TOLERANCE = 0.05
#: The longest that serve and its flights stage keep filling before they can level off (the
#: watch's history, ``watch/source.py`` ``HISTORY_S``; an aircraft's first cut), s.
HORIZON_S = 1800.0
#: (sample key, what it is, unit) of the series judged flat.
FLAT_SERIES = (
    ("rss_mb", "serve's RSS", "MB"),
    ("rss_children_mb", "its flights child's RSS", "MB"),
    ("flights_rows_held", "the rows the flights stage held", "rows"),
)


def _halves(d: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The samples after the warm-up and before the feed's end, cut in two halves of time."""
    warm, end = d["warmup_s"], d["seconds"]
    late = [smp for smp in d.get("samples", [])
            if warm <= smp["t"] <= end and "flights_rows_held" in smp]  # fmt: skip
    mid = (warm + end) / 2
    return [s for s in late if s["t"] < mid], [s for s in late if s["t"] >= mid]


def flat_verdict(d: dict[str, Any]) -> tuple[bool, list[str]] | None:
    """Whether the run shows memory flat (``FLAT_TOLERANCE``), with one phrase per series
    (its peaks in the two halves); None when a half has no sample."""
    first, second = _halves(d)
    if not first or not second:
        return None
    flat, parts = True, []
    for key, what, unit in FLAT_SERIES:
        a, b = max(s[key] for s in first), max(s[key] for s in second)
        flat &= b <= a * (1 + FLAT_TOLERANCE)
        parts.append(f"{what} {a:,} then {b:,} {unit}")
    return flat, parts


def _kept_up(d: dict[str, Any]) -> list[str]:
    """The flights stage kept up; whether the run shows memory flat (from its figures)."""
    warm = d["warmup_s"]
    out = [
        f"The flights stage kept up in this run: every state vector stored was built into "
        f"flights (`flights_dropped_rows` 0), in {d['flights_steps']} steps, its backlog in "
        f"serve at most {d['flights_backlog_after_warmup_max_rows']:,} state vectors after the "
        f"first {warm / 60:g} minutes; its child had {d['cpu_s_flights_child']:,} s of CPU and "
        f"serve {d['cpu_s_serve']:,} s in {d['seconds']:,} s of feed, serve's lag "
        f"{d['lag_p99_s']} s at p99.",
        "",
    ]
    return out


def _heap_mb(sample: dict[str, Any]) -> float | None:
    return (sample.get("memory") or {}).get("heap_used_mb")


def _heap(d: dict[str, Any]) -> str:
    """serve's C heap in use (``/api/stats`` ``memory.heap_used_mb``): its peaks in the two
    halves after the warm-up (as ``flat_verdict`` judges RSS) and its last sample; empty when
    the samples have none."""
    first, second = _halves(d)
    a = [v for s in first if (v := _heap_mb(s))]
    b = [v for s in second if (v := _heap_mb(s))]
    last = [s for s in d.get("samples", []) if _heap_mb(s)]
    if not a or not b or not last:
        return ""
    end = last[-1]
    return (
        f" serve's C heap in use (`malloc`, where the run before grew all the way) peaked at "
        f"{max(a):,} then {max(b):,} MB in the two halves (it "
        f"rises and falls with the flights backlog serve holds); its last sample "
        f"{end['memory']['heap_used_mb']:,} MB at {end['t']:g} s, with "
        f"{end.get('flights_pending') or 0:,} state vectors waiting."
    )


def _memory(d: dict[str, Any]) -> list[str]:
    """Whether the run shows memory flat (``flat_verdict``), in a paragraph."""
    warm = d["warmup_s"]
    verdict = flat_verdict(d)
    if verdict is None:
        return []
    flat, parts = verdict
    mid = (warm + d["seconds"]) / 2
    serve_mb, child_mb = d["rss_after_warmup_min_max_mb"], d["rss_children_after_warmup_min_max_mb"]
    said = (
        f"After the first {warm / 60:g} minutes, the highest sample before and from "
        f"{mid:g} s (the feed's second half): {'; '.join(parts)}. The test: each peak of "
        f"the second half at most {FLAT_TOLERANCE:.0%} above the first half's "
        "(`scripts/reliability_load.py` `FLAT_TOLERANCE`). For the record, serve's RSS "
        f"after {warm / 60:g} minutes was {serve_mb[0]:,}-{serve_mb[1]:,} MB (least-squares "
        f"slope {d['rss_slope_after_warmup_mb_per_h']:,} MB/h) and its flights child's "
        f"{child_mb[0]:,}-{child_mb[1]:,} MB (slope "
        f"{d['rss_children_slope_after_warmup_mb_per_h']:,} MB/h; its high samples are taken "
        "during a step)."
    )
    said += _heap(d)
    if flat:
        return [f"Memory is shown flat by this run. {said}", ""]
    horizons = (
        "What serve and the stage hold at their fullest: the watch's 30 minutes of state "
        "vectors (`watch/source.py` `HISTORY_S`) and each aircraft's rows until its flight in "
        "progress is first cut (at 1,000 rows, or 300 spanning 4 minutes of data time: "
        "`flights/cutting.py` with `runtime/flight_steps.py` `LIVE_LATE_S`; at about a state "
        "vector a second, some 5 minutes), then its last 2 to 5 minutes; and of each "
        "aircraft gone quiet (landed and switched off) its last airborne minutes, landing and "
        "taxi until 6 hours of silence forget it (~1.4M rows an hour at this rate: in memory "
        "before `flights/parking.py`, on disk since, the `flights rows parked` column)"
    )
    if warm < HORIZON_S:
        why = f"{horizons}; a run whose warm-up is shorter than these cannot tell growth that "
        why += "stops from growth that does not."
    else:
        why = f"{horizons}: this run's warm-up was longer than these."
        stall, top = longest_stall(d), max(_halves(d)[1], key=lambda s: s["rss_children_mb"])
        if d.get("flights_dropped_rows") and stall and stall[0] <= top["t"] <= stall[1]:
            why += (
                f" The child's highest sample ({top['rss_children_mb']:,} MB at {top['t']:g} s) "
                "was taken in the longest wait for a step (above)."
            )
    return [f"Memory is **not** shown flat by this run. {said} {why}", ""]
