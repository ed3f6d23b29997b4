"""The ADS-B emitter category an aircraft transmits (identification messages, TC 1-4 / BDS
0,8; readsb's ``category``) as an identity fact: field ``emitter_category``, value as readsb
writes it ("A3", "B1"), source ``adsb`` (of kind ``adsb``, the least trusted: no database
says this field).

The one ingest step (``track.ingest_step``) notes each aircraft's informative category once
per value; its caller hands them to a ``PendingCategories``, which the store's state-vector
``Writer`` records in its next commit (batch ``ingest`` and ``serve`` alike), so a category is
written once per aircraft and value per batch, never per message. A category that changes
retires the earlier one (``valid_until``), as an import does. ``identify.kinds`` reads it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from .kinds import CATEGORY_FIELD
from .store_schema import merge_facts

SOURCE = "adsb"
KIND = "adsb"


def record_adsb_facts(
    con: Any, categories: Mapping[str, str], version: str, stamp: dt.datetime
) -> int:
    """Merge icao24 -> emitter category ``categories`` into ``aircraft_facts`` (a writer job);
    returns the facts added."""
    facts = [(a, CATEGORY_FIELD, c) for a, c in sorted(categories.items())]
    return merge_facts(con, facts, SOURCE, KIND, version, stamp)


class PendingCategories:
    """Emitter categories heard and not yet recorded, safe across threads: ``add`` by the
    ingest step's caller, ``take`` by the store writer (a job for its next commit)."""

    def __init__(self, version: str) -> None:
        self.version = version  # ``source_version`` of the facts: the input they came from
        self._pending: dict[str, str] = {}
        self._lock = threading.Lock()

    def add(self, categories: Mapping[str, str]) -> None:
        if categories:
            with self._lock:
                self._pending.update(categories)

    def take(self) -> Callable[[Any], int] | None:
        """A writer job recording what was added since the last ``take`` (None: nothing)."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return None
        stamp = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        return partial(record_adsb_facts, categories=pending, version=self.version, stamp=stamp)
