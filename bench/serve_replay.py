"""In-process replay of ``serve``'s live path on the fixed Beast feed (bench/serve_feed.py):
what the feed thread and the tracker thread do with it, without sockets or threads, so that
its CPU can be profiled and its outputs hashed (bench/RESULTS.md, "## serve").

The feed's bytes go in reads of ``--read-bytes`` (``net.RECV_BYTES``: what a read of a fast
feed gets) to the live Beast parser (12 MHz counter
anchored as ``serve --live-clock counter``), its batches through the feed thread's checks and
split, onto a list of queue items; the tracker's steps take them as ``gather`` does when the
tracker is behind (items until ``COALESCE_FRAMES`` frames), through the ``TrackerWorker``'s own
step (merge, dedup, decode, track, state vectors as Arrow, positions JSON for a stream client,
events). Wall clock reads in the tracker thread's module are replaced by a counter, so two runs
of the same code give the same bytes.

``--hash``: sha256 over every state vector table (Arrow IPC), positions message and event, the
reject and accepted counts and the tracker's counters (equal for two source trees = the same
outputs, for the same reads and steps); and ``state_vectors_sha256`` over all the state vectors
as one table (other read sizes give other times: the live clock follows the reads' arrival).
``--profile``: cProfile of the
replay (process CPU time), top functions by cumulative and own time. ``--repeat N``: N
replays in one process, each one's CPU and the least (on a loaded box the least is the
steadiest figure to compare two source trees by; ``--hash`` hashes the first's outputs). Usage:
``python bench/serve_replay.py [--frames 1000000] [--hash] [--profile] [--no-json] [--repeat 1]``.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import pstats
import queue
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parent))


class _Clock:
    """A stand-in for the ``time`` module in ``runtime.tracking``: time() steps 1 ms a call."""

    def __init__(self) -> None:
        self.t = 1_700_000_000.0

    def time(self) -> float:
        self.t += 0.001
        return self.t

    def monotonic(self) -> float:
        return time.monotonic()

    def perf_counter(self) -> float:
        return time.perf_counter()


class _Hub:
    """What the tracker thread publishes, hashed (one stream client listening)."""

    def __init__(self, h: Any, json: bool) -> None:
        self.h, self.clients, self.messages = h, 1 if json else 0, 0

    def publish_text(self, kind: str, text: str) -> None:
        self.messages += 1
        if self.h is not None:
            self.h.update(kind.encode() + text.encode())

    def publish_many(self, kind: str, items: list[Any]) -> None:
        if self.h is not None and items:
            self.h.update(kind.encode() + repr(items).encode())


def items_of(payload: bytes, read_bytes: int) -> list[Any]:
    """The feed thread's queue items for ``payload`` read ``read_bytes`` at a time."""
    from skywitness.runtime.feeds import Item
    from skywitness.sources.beast import BeastParser
    from skywitness.sources.clock import TickClock
    from skywitness.sources.source import _split, checked
    from skywitness.stats import IngestStats

    stats = IngestStats()
    clock = TickClock(None, mode="auto", live=True, anchor="counter")
    parser = BeastParser(stats, "feed", clock)
    out = []
    arrival = 1_700_000_000.0
    for at in range(0, len(payload), read_bytes):
        arrival += 0.001
        for b in parser.feed(payload[at : at + read_bytes], arrival):
            for part in _split(checked(b, stats), 8192):
                out.append(Item("feed", arrival, part))
    return out


def replay(payload: bytes, h: Any, json: bool, read_bytes: int) -> dict[str, Any]:
    """Frame, step and emit ``payload`` as serve's threads would; the reject counts."""
    import skywitness.runtime.tracking as tracking
    from skywitness.runtime.gather import COALESCE_FRAMES, runs
    from skywitness.stats import IngestStats

    tracking.time = _Clock()  # type: ignore[assignment]
    hub = _Hub(h, json)
    stats = IngestStats()
    worker = tracking.TrackerWorker(queue.Queue(), hub, stats)  # type: ignore[arg-type]

    tables: list[pa.Table] = []

    def on_states(table: pa.Table) -> None:
        if h is not None:
            tables.append(table)
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as w:
                w.write_table(table)
            h.update(sink.getvalue().to_pybytes())

    worker.on_states.append(on_states)
    items = items_of(payload, read_bytes)
    at = 0
    while at < len(items):
        step, n = [items[at]], len(items[at].chunk)
        at += 1
        while n < COALESCE_FRAMES and at < len(items):
            step.append(items[at])
            n += len(items[at].chunk)
            at += 1
        for run in runs(step):
            worker._process_run(run)
    worker._emit(worker._ingest.flush(), 0.0)
    rejects = {k: int(v) for k, v in sorted(stats.rejected.items())}
    counts = {"accepted": stats.accepted} | dict(sorted(worker.tracker.counters.items()))
    out = {"items": len(items), "messages": hub.messages, "rejects": rejects, "counts": counts}
    if h is not None:
        h.update(repr(rejects).encode() + repr(counts).encode())
        # however the feed is cut into reads and steps: every state vector, in order
        whole = pa.concat_tables(tables).combine_chunks()
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, whole.schema) as w:
            w.write_table(whole)
        rows = hashlib.sha256(sink.getvalue().to_pybytes()).hexdigest()
        out |= {"state_vectors": whole.num_rows, "state_vectors_sha256": rows}
    return out


#: The live path's stages: (label, file, function) whose cumulative time is the stage's.
STAGES = (
    ("Beast framing (frame_beast)", "beast_frame.py", "frame_beast"),
    ("receiver clock (TickClock.convert)", "clock.py", "convert"),
    ("merge of the queued reads (gather.merge_unordered)", "gather.py", "merge_unordered"),
    ("merge of the queued reads (gather.merge: before)", "gather.py", "merge"),
    ("dedup (Deduplicator.filter)", "dedup.py", "filter"),
    ("decode (decode_batch)", "modes.py", "decode_batch"),
    ("tracker (Tracker.update)", "tracker.py", "update"),
    ("  of it: positions (resolve)", "positions.py", "resolve"),
    ("  of it: the gate's fix-up walk (_fix_up)", "position_gate.py", "_fix_up"),
    ("  of it: field trust (accept_fields)", "batch_core.py", "accept_fields"),
    ("state vectors as Arrow (to_arrow)", "state_vectors.py", "to_arrow"),
    ("positions JSON (positions_json)", "tracking.py", "positions_json"),
)


def print_stages(st: pstats.Stats, cpu: float) -> None:
    """Each stage's cumulative CPU and its share of the replay's (``STAGES``)."""
    got: dict[tuple[str, str], float] = {}
    for (path, _, name), row in st.stats.items():  # type: ignore[attr-defined]
        key = (Path(path).name, name)
        got[key] = got.get(key, 0.0) + row[3]
    print(f"stages (cProfile, process CPU; the replay {cpu:.2f} s):")
    for label, file, name in STAGES:
        t = got.get((file, name), 0.0)
        print(f"  {label:<52} {t:6.2f} s {100 * t / cpu:5.1f} %")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=1_000_000)
    ap.add_argument("--hash", action="store_true")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--no-json", action="store_true", help="no stream client (positions JSON)")
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--read-bytes", type=int, default=1 << 20, help="bytes per socket read")
    ap.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="replays in this process (a loaded box: compare the least CPU)",
    )
    args = ap.parse_args()
    from serve_feed import feed_bytes

    from skywitness.runtime.tracking import warm_up

    payload = feed_bytes(args.frames)
    warm_up()
    h = hashlib.sha256() if args.hash else None
    prof = cProfile.Profile(time.process_time) if args.profile else None
    cpus: list[float] = []
    outs: list[dict[str, Any]] = []
    for _ in range(args.repeat):
        c0 = time.process_time()
        if prof is not None:
            prof.enable()
        outs.append(replay(payload, h if not cpus else None, not args.no_json, args.read_bytes))
        if prof is not None:
            prof.disable()
        cpus.append(time.process_time() - c0)
    cpu, out = min(cpus), outs[0]
    if args.repeat > 1:
        runs = ", ".join(f"{c:.3f}" for c in cpus)
        median = sorted(cpus)[len(cpus) // 2]
        print(f"cpu_s of each replay: {runs}; least {cpu:.3f}, median {median:.3f}")
    print(f"frames {args.frames:,}, {out}, cpu_s {cpu:.2f}, frames/cpu-s {args.frames / cpu:,.0f}")
    if h is not None:
        print(f"sha256 {h.hexdigest()}")
    if prof is not None:
        print_stages(pstats.Stats(prof), cpu)
        for key in ("cumulative", "tottime"):
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats(key).print_stats(args.top)
            print(s.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
