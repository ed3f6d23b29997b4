"""The live tracker thread over small SBS reads of many sources: CPU per report.

dump1090's SBS output of the beastblackbox capture (8,622 reports, shared data) is cut into
reads of ``--read`` reports, dealt round-robin to ``--sources`` sources (as 20 receivers'
SBS feeds hand over their small reads), and queued at ``--rate`` reports/s (a burst every
``BURST_S``) to the tracker thread (``TrackerWorker``, the one ``serve`` runs), repeated
``--rounds`` times with the times moved on so that every round is new data. Prints the tracker
thread's CPU seconds, its steps and its CPU per report. Runs on any tree with
``runtime.tracking.TrackerWorker`` (put its ``src`` first on ``PYTHONPATH`` to measure it).

    python bench/gather_observations.py --sources 20 --read 20 --rate 2000 --rounds 1
"""

from __future__ import annotations

import argparse
import json
import queue
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from skywitness.model import Observations
from skywitness.runtime.feeds import Item
from skywitness.runtime.hub import Hub
from skywitness.runtime.tracking import TrackerWorker
from skywitness.sources import open_source
from skywitness.sources.records import obs_concat, obs_take
from skywitness.stats import IngestStats

SBS = Path(__file__).resolve().parents[1] / "../shared/data/beastblackbox-example"
SBS_FILE = "beast_decoded_sbs.txt.gz"
#: how far each round's reports are moved on in time, s (past the capture's length)
ROUND_SHIFT_S = 3_600.0
#: time between two bursts of queued reads, s
BURST_S = 0.1


def reads(sources: int, size: int, rounds: int) -> list[Item]:
    """The queued reads: ``size`` reports each, dealt round-robin to the sources."""
    chunks = open_source(str(SBS / SBS_FILE), "sbs", IngestStats())
    obs = obs_concat([c for c in chunks if isinstance(c, Observations)], "sbs")
    out: list[Item] = []
    for r in range(rounds):
        for k, a in enumerate(range(0, len(obs), size)):
            part = obs_take(obs, np.arange(a, min(a + size, len(obs))))
            part.timestamp = part.timestamp + r * ROUND_SHIFT_S
            name = f"sbs{k % sources}"
            out.append(Item(name, 0.0, replace(part, source=name)))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sources", type=int, default=20)
    ap.add_argument("--read", type=int, default=20, help="reports per queued read")
    ap.add_argument("--rate", type=float, default=2000.0, help="reports per second")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    items = reads(args.sources, args.read, args.rounds)
    inbox: queue.Queue[Item | None] = queue.Queue()
    stats = IngestStats()
    rows = [0]
    worker = TrackerWorker(inbox, Hub(), stats)
    worker.on_states.append(lambda t: rows.__setitem__(0, rows[0] + t.num_rows))
    cpu = [0.0]

    def track() -> None:
        t0 = time.thread_time()
        worker.run()
        cpu[0] = time.thread_time() - t0

    thread = threading.Thread(target=track)
    thread.start()
    per_burst = max(1, round(args.rate * BURST_S / args.read))
    start = time.monotonic()
    for k in range(0, len(items), per_burst):
        time.sleep(max(0.0, start + k // per_burst * BURST_S - time.monotonic()))
        for it in items[k : k + per_burst]:
            inbox.put(it)
    inbox.put(None)
    thread.join()
    cpu_s = cpu[0]
    n = sum(len(it.chunk) for it in items)
    print(f"command: python bench/gather_observations.py --sources {args.sources} "
          f"--read {args.read} --rate {args.rate:g} --rounds {args.rounds}")  # fmt: skip
    print(json.dumps({
        "reads": len(items),
        "reports": n,
        "tracker_steps": worker.batches,
        "state_rows": rows[0],
        "rejected": dict(sorted(stats.rejected.items())),
        "tracker_cpu_s": round(cpu_s, 3),
        "cpu_us_per_report": round(cpu_s / n * 1e6, 2),
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
