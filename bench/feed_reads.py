"""A live Beast feed thread's cost per small read: framing, the live clock, the checks.

The beastblackbox capture (shared data) is cut into reads of ``--read`` bytes (500: ~30
frames, a soak receiver's TCP read) and given, with arrival times 10 ms apart, to the stream
source a ``beast+tcp://`` spec opens (``StreamSource`` with the live clock), in this thread.
Prints the CPU per read and per frame. Runs on any tree with these modules (put its ``src``
first on ``PYTHONPATH`` to measure it).

    python bench/feed_reads.py --reads 3000 --read 500
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from skywitness.sources.clock import TickClock
from skywitness.sources.registry import make_parser
from skywitness.sources.source import StreamSource
from skywitness.stats import IngestStats

BEAST = (
    Path(__file__).resolve().parents[1]
    / "../shared/data/beastblackbox-example/ulss7-beast-bin-utc--1522782148.136310917--.log"
)
SPEC = "beast+tcp://127.0.0.1:30005"
#: time between two reads' arrivals, s
READ_GAP_S = 0.01


def _reads(data: bytes, n: int, size: int, t0: float) -> Iterator[tuple[bytes, float | None]]:
    off = 0
    for i in range(n):
        yield data[off : off + size], t0 + i * READ_GAP_S
        off = off + size if off + 2 * size <= len(data) else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reads", type=int, default=3000)
    ap.add_argument("--read", type=int, default=500, help="bytes per read")
    args = ap.parse_args()
    data = BEAST.read_bytes()
    stats = IngestStats()
    clock = TickClock(None, mode="auto", live=True, anchor="system")
    parser = make_parser("beast", stats, SPEC, clock=clock, live=True, tz=None)
    src = StreamSource(SPEC, "beast", parser, iter(()), stats, live=True, total_bytes=None,
                       batch_size=65536, compression=None, stop=threading.Event())  # fmt: skip
    src.set_chunks(_reads(data, args.reads, args.read, time.time()))
    cpu0 = time.process_time()
    frames = sum(len(b) for b in src)
    cpu = time.process_time() - cpu0
    print(f"command: python bench/feed_reads.py --reads {args.reads} --read {args.read}")
    print(f"frames: {frames}, frames per read: {frames / args.reads:.1f}, "
          f"cpu_s: {cpu:.3f}, per read: {cpu / args.reads * 1e6:.1f} us, "
          f"per frame: {cpu / frames * 1e6:.2f} us")  # fmt: skip


if __name__ == "__main__":
    main()
