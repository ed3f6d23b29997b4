"""Storing the live flights: what the flights steps pass on goes to the store's catalogue;
when it cannot (a full disk: the catalogue's COMMIT fails), the live service goes on.

``FlightStorer.store`` keeps the latest change of each flight it could not store (merged with
those of later steps), says why in ``degraded`` (``/api/stats`` ``flights.store_degraded``),
tries again every ``retry_s`` and catches up once it can write. More than ``UNSTORED_MAX``
flights waiting are given up on and counted (``skywitness flights rebuild`` recomputes them
from the stored state vectors).
"""

from __future__ import annotations

import logging
import time

import duckdb

from ..errors import SkywitnessError
from ..store import Store
from .flight_steps import StepResult, merge_results

log = logging.getLogger(__name__)

#: While flights cannot be stored, storing is tried again this often, s.
STORE_RETRY_S = 30.0
#: Flights whose latest change is kept while they cannot be stored, at most.
UNSTORED_MAX = 100_000


class FlightStorer:
    """Stores flight changes in ``store``, degrading on write errors; see the module docstring."""

    def __init__(self, store: Store, retry_s: float = STORE_RETRY_S) -> None:
        self.catalogue = store
        self.retry_s = retry_s
        self.degraded: str | None = None  # why flights are not being stored, None when they are
        self.not_stored = 0  # flight changes given up on
        self._unstored: StepResult | None = None
        self._failed_at = 0.0  # monotonic s of the last failed write

    @property
    def unstored(self) -> int:
        """Flights whose latest change waits to be stored."""
        u = self._unstored
        return 0 if u is None else u.changed.num_rows + len(u.removed)

    def store(self, res: StepResult) -> None:
        """Store a step's flights (with those that wait), or keep them for the next try."""
        if self._unstored is not None:
            res = merge_results([self._unstored, res])
            self._unstored = None
        if not (res.changed.num_rows or res.removed):
            return
        now = time.monotonic()
        if self.degraded is None or now >= self._failed_at + self.retry_s:
            try:
                self.catalogue.replace_flights(res.changed, remove_ids=res.removed)
            except (OSError, duckdb.Error, SkywitnessError) as exc:
                if self.degraded is None:
                    log.error("flights: cannot store (%s); live flights keep flowing, stored "
                              "again every %.0f s until the store is writable", exc,
                              self.retry_s)  # fmt: skip
                self.degraded = f"{type(exc).__name__}: {exc}".splitlines()[0]
                self._failed_at = now
            else:
                if self.degraded is not None:
                    log.warning("flights: storing again (%d flights caught up)",
                                res.changed.num_rows)  # fmt: skip
                self.degraded = None
                return
        if res.changed.num_rows + len(res.removed) > UNSTORED_MAX:
            self.not_stored += res.changed.num_rows
            log.error(
                "flights: %d flight changes not stored (the store is not writable; "
                "`skywitness flights rebuild` recomputes them)",
                res.changed.num_rows,
            )
            return
        self._unstored = StepResult(res.changed, list(res.removed))
