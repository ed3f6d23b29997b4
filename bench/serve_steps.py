"""The live tracker thread's CPU per frame against its step size, on the soak's frame cache
(``fuzz/soak_feed.py``: 20 receivers, ~20,000 aircraft live at 108,000 frames/s): what the
many-aircraft regime costs the tracker, in process, without sockets or threads.

    python bench/serve_steps.py --cache /tmp/l14/cache --slices-per-step 2 5

Each receiver's slices (``soak_feed.SLICE_S`` of Beast bytes) go through the live Beast
parser and the feed thread's checks into queue items; every ``--slices-per-step`` slices
(``runtime.gather.GATHER_S`` = 0.2 s is 2) are one tracker step (``gather.runs``, then the
``TrackerWorker``'s own step and housekeeping), as a tracker that keeps up takes them. The
CPU of the steps of each 30 s chunk is printed; the first chunk fills the table.
"""

from __future__ import annotations

import argparse
import queue
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


class _Hub:
    clients = 1  # one stream client: the positions JSON is built

    def publish_text(self, kind: str, text: str) -> None:
        pass

    def publish_many(self, kind: str, items: list[Any]) -> None:
        pass


def run(cache: Path, per_step: int, chunks: int) -> list[str]:
    import skywitness.runtime.tracking as tracking
    from fuzz.soak_feed import SLICE_S, load_chunk
    from skywitness.runtime.feeds import Item
    from skywitness.runtime.gather import runs
    from skywitness.sources.beast import BeastParser
    from skywitness.sources.clock import TickClock
    from skywitness.sources.source import _split, checked
    from skywitness.stats import IngestStats

    files = sorted(cache.glob("soak-*.npz"))[:chunks]
    worker = tracking.TrackerWorker(queue.Queue(), _Hub(), IngestStats())  # type: ignore[arg-type]
    rows = [0]
    worker.on_states.append(lambda t: rows.__setitem__(0, rows[0] + t.num_rows))
    parsers: list[tuple[IngestStats, BeastParser]] = []
    lines = []
    t0 = 1_700_000_000.0
    for ci, path in enumerate(files):
        ch = load_chunk(path, ci)
        while len(parsers) < len(ch.slices):
            st = IngestStats()
            clock = TickClock(None, mode="auto", live=True, anchor="counter")
            parsers.append((st, BeastParser(st, f"r{len(parsers)}", clock)))
        n_slices, cpu, frames = len(ch.slices[0]), 0.0, 0
        for k0 in range(0, n_slices, per_step):
            items = []
            for k in range(k0, min(k0 + per_step, n_slices)):
                arrival = t0 + (ci * n_slices + k + 1) * SLICE_S
                for r, (st, parser) in enumerate(parsers):
                    for b in parser.feed(bytes(ch.slices[r][k]), arrival):
                        items += [Item(f"r{r}", arrival, p) for p in _split(checked(b, st), 8192)]
            items.sort(key=lambda it: it.arrival)
            c0 = time.process_time()
            for step in runs(items):
                worker._process_run(step)
                frames += sum(len(it.chunk) for it in step)
            worker._housekeeping()
            cpu += time.process_time() - c0
        lines.append(f"{per_step * SLICE_S:.1f} s steps, chunk {ci}: frames {frames:,}, tracker "
                     f"CPU {cpu:.2f} s, {1e6 * cpu / frames:.2f} us/frame, live "
                     f"{len(worker.tracker):,}, state vectors so far {rows[0]:,}")  # fmt: skip
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cache", type=Path, required=True, help="a fuzz.soak --frame-cache folder")
    ap.add_argument("--slices-per-step", type=int, nargs="+", default=[2])
    ap.add_argument("--chunks", type=int, default=2, help="30 s chunks replayed")
    a = ap.parse_args()
    for g in a.slices_per_step:
        for line in run(a.cache, g, a.chunks):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
