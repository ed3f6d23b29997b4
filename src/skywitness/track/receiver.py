"""What a receiver page shows per aircraft beyond its state (readsb's ``aircraft.json``):
frames heard since it was (re)acquired, last signal level, emitter category, emergency state.

Kept in the tracker's table (the one per-aircraft state) and written back with the rest of it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from .batch import Batch
from .groups import last_at, pick

Arr = npt.NDArray[Any]


def receiver_fields(
    b: Batch, out: dict[str, Arr], carry: dict[str, Arr], w: Arr, first_w: Arr, we: Arr
) -> None:
    """Fill ``out`` for the last segment of each aircraft (``w``: segment numbers; ``first_w``
    and ``we``: their first and last rows in ``b``); ``carry``: the state before the batch.
    A segment after a loss starts counting afresh (its carried state is blank), as readsb."""
    out["messages"] = carry["messages"][w] + (we - first_w + 1)
    for name, values, present in (
        ("rssi", b.signal, np.isfinite(b.signal)),
        ("category", b.category, b.category >= 0),
        ("emergency", b.emergency, b.emergency >= 0),
    ):
        i = last_at(np.flatnonzero(present), we, first_w)
        out[name] = pick(values, i, carry[name][w])
