"""Child process of ``test_live_kill_reports_the_unflushed_batch``: a live ingest (no file
identity) whose writer commits COMMITTED rows of a real capture's states, receives PENDING more
that it never flushes, notes what it received, and is SIGKILLed.

Usage: python _live_kill_child.py DATA_DIR STATES_FILE COMMITTED PENDING
"""

from __future__ import annotations

import os
import signal
import sys
import time

from skywitness.store import Store, load_traffic_json
from skywitness.store.writer import Writer


def main() -> None:
    data_dir, path = sys.argv[1], sys.argv[2]
    committed, pending = int(sys.argv[3]), int(sys.argv[4])
    table = load_traffic_json(path)
    store = Store(data_dir)
    ingest = store.begin_ingest("beast+tcp://127.0.0.1:30005", None, "live", None)
    # flushed only when asked (sync): the second batch stays unflushed until the kill
    writer = Writer(store, ingest, flush_seconds=3600.0, journal_s=0.0, degrade=True).start()
    writer.append(table.slice(0, committed))
    assert writer.sync(60.0)
    writer.append(table.slice(committed, pending))
    deadline = time.monotonic() + 60.0
    while writer.rows_noted != committed + pending and time.monotonic() < deadline:
        time.sleep(0.01)
    print("noted", writer.rows_noted, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main()
