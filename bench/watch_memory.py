"""What the live watch keeps of the aircraft that come and go (bench/RESULTS.md, "## serve";
issue 17 item 12: serve's memory flat for hours at 100,000 frames/s, where ~40,000 aircraft an
hour are heard and lost).

A subscribed ``Watch`` (as ``serve`` runs it: flights from the service's stage, none here) with
the soak's rules (``fuzz/soak.py``: seen, takeoff/landing, a geofence; no notifier) is fed
``--per-min`` new aircraft a minute of data time, each heard every 10 s for ``--stay-min``
minutes, then gone (lost after 5 minutes, forgotten a day later: ``watch/source.py``). Printed
every 30 minutes of data: the interpreter's allocated blocks after a collection
(``sys.getallocatedblocks``, what ``/api/stats`` ``memory.python_blocks`` shows) and what the
watch says it keeps (``Watch.kept``); at the end the blocks added per aircraft born after the
first 30 minutes, and the CPU seconds of the feed. ``--flights``: each aircraft flies one
flight (from EDDF to EGLL, its takeoff 20 s after it is first heard and its landing 30 s before
it is last heard), handed to the watch as the service's flights stage hands its changes over
(``Watch.on_flights``, the minute the aircraft is first heard), so that takeoff and landing
alerts are made and their flights remembered as in the soak. ``--src DIR`` runs that tree's
package (a base to compare with).

Usage: python bench/watch_memory.py [--per-min 700] [--minutes 150] [--src DIR]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SRC = sys.argv[sys.argv.index("--src") + 1] if "--src" in sys.argv else str(REPO / "src")
sys.path.insert(0, SRC)

import numpy as np  # noqa: E402
import pyarrow as pa  # noqa: E402

sys.path.insert(1, str(REPO))
from fuzz.soak import RULES as SOAK_RULES  # noqa: E402
from skywitness.watch.rules import parse_rules  # noqa: E402
from skywitness.watch.runner import Watch  # noqa: E402

# the soak's rules without its notifier (the alerts are not written anywhere here)
RULES = "[[rule]]" + SOAK_RULES.split("[[rule]]", 1)[1]
T0 = 1_717_200_000  # unix s
EVERY_S = 10  # an aircraft's state vectors, s apart


def window(minute: int, per_min: int, stay_min: int) -> pa.Table:
    """The state vectors of data minute ``minute``: every aircraft born in the last
    ``stay_min`` minutes, one every ``EVERY_S`` s, spread over Europe (some in the fence)."""
    born = np.arange(max(0, minute - stay_min + 1) * per_min, (minute + 1) * per_min)
    ts = np.arange(0, 60, EVERY_S)
    ic, t = np.repeat(born, ts.size), np.tile(ts, born.size) + T0 + minute * 60
    n = ic.size
    return pa.table({
        "timestamp": pa.array(t * 1000).cast(pa.timestamp("ms", tz="UTC")),
        "icao24": pa.array([f"{0x100000 + i:06x}" for i in ic.tolist()]),
        "callsign": pa.array([f"T{i % 9999}" for i in ic.tolist()]),
        "latitude": 48 + (ic % 1000) / 200.0,
        "longitude": 5 + (ic % 777) / 150.0,
        "altitude": np.full(n, 30000.0),
        "squawk": pa.array(["1000"] * n),
        "source": pa.array(["sim"] * n),
        "position_source": pa.array(["adsb"] * n),
    })  # fmt: skip


def flights(minute: int, per_min: int, stay_min: int) -> pa.Table:
    """The flights of the aircraft first heard in data minute ``minute`` (``--flights``)."""
    born = np.arange(minute * per_min, (minute + 1) * per_min)
    first = T0 + minute * 60.0
    last = first + stay_min * 60.0 - EVERY_S
    ts = pa.timestamp("ms", tz="UTC")

    def at(t: float) -> pa.Array:
        return pa.array(np.full(born.size, round(t * 1000), dtype=np.int64)).cast(ts)

    icao = [f"{0x100000 + i:06x}" for i in born.tolist()]
    return pa.table({
        "flight_id": pa.array([f"{a}-{minute}" for a in icao]),
        "icao24": pa.array(icao),
        "callsign": pa.array([f"T{i % 9999}" for i in born.tolist()]),
        "firstSeen": at(first), "lastSeen": at(last),
        "takeoff_time": at(first + 20.0), "landing_time": at(last - 30.0),
        "estDepartureAirport": pa.array(["EDDF"] * born.size),
        "estArrivalAirport": pa.array(["EGLL"] * born.size),
        "departure_observed": pa.array([True] * born.size),
        "arrival_observed": pa.array([True] * born.size),
    })  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-min", type=int, default=700, help="new aircraft a minute")
    ap.add_argument("--minutes", type=int, default=150, help="minutes of data")
    ap.add_argument("--stay-min", type=int, default=5, help="minutes each aircraft is heard")
    ap.add_argument("--flights", action="store_true", help="each aircraft flies a flight")
    ap.add_argument("--src", default=None, help="run this tree's package (src folder)")
    a = ap.parse_args()
    print(f"cpus: {os.cpu_count()}, load average: {os.getloadavg()}")
    print(f"command: python bench/watch_memory.py {' '.join(sys.argv[1:])}; package {SRC}")
    watch = Watch(parse_rules(RULES), subscribed=True, keep_alerts=False)
    base, cpu = None, 0.0
    for m in range(a.minutes):
        rows = window(m, a.per_min, a.stay_min)
        t0 = time.process_time()
        if a.flights:
            watch.on_flights(flights(m, a.per_min, a.stay_min), [])
        watch.feed(rows)
        cpu += time.process_time() - t0
        if (m + 1) % 30 == 0:
            gc.collect()
            blocks = sys.getallocatedblocks()
            base = blocks if base is None else base
            line = f"data minute {m + 1:4d}: aircraft born {(m + 1) * a.per_min:8,d}; "
            print(f"{line}blocks {blocks:10,d} (+{blocks - base:,}); kept {watch.kept()}")
    born = (a.minutes - 30) * a.per_min
    print(
        f"blocks added per aircraft born after the first 30 minutes: "
        f"{(sys.getallocatedblocks() - (base or 0)) / born:.2f}; feed CPU {cpu:.2f} s"
    )


if __name__ == "__main__":
    main()
