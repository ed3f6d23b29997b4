"""Child process of the fault tests: ``skywitness ingest`` of SOURCE into DATA_DIR, SIGKILLed at a
chosen point: ``flights`` (states stored, flights not built yet: defect 4) or ``never``.

Usage: python _kill_child.py DATA_DIR SOURCE flights|never
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from skywitness.runtime import history
from skywitness.runtime.pipeline import RunOptions


def main() -> None:
    data_dir, source, when = sys.argv[1], sys.argv[2], sys.argv[3]
    if when == "flights":

        def die(*_a: Any, **_k: Any) -> Any:
            print("killed before flights", flush=True)
            os.kill(os.getpid(), signal.SIGKILL)

        history.rebuild_flights = die
    store = history.open_history(data_dir)
    history.ingest(store, [source], RunOptions())
    store.close()
    print("finished", flush=True)


if __name__ == "__main__":
    main()
