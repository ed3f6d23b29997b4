"""Counters of what was read, accepted and rejected (by reason), shared by every input path.

Nothing rejected is dropped silently: readers call ``reject`` for each bad frame/line/record, and
in strict mode the first one becomes an ``InputError`` naming the source and location.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from .errors import InputError
from .model import RejectReason

#: Reasons that describe the traffic, not broken input: counted, but never fatal in strict mode
#: (an address/parity reply from an aircraft not yet heard in DF11/17/18 happens in any stream).
NOT_INPUT_ERRORS = frozenset(
    {
        RejectReason.UNKNOWN_ADDRESS,
        RejectReason.DUPLICATE,
        RejectReason.NON_ICAO,
        RejectReason.IMPLAUSIBLE_POSITION,
        RejectReason.BAD_POSITION,
    }
)


@dataclass
class IngestStats:
    """Counts for one run over one or more sources."""

    strict: bool = False
    bytes_read: int = 0
    frames: int = 0  # frames/lines/records read (before decode)
    accepted: int = 0
    rejected: Counter[str] = field(default_factory=Counter)
    positions: int = 0
    aircraft: set[int] = field(default_factory=set)
    sources: Counter[str] = field(default_factory=Counter)  # records per source

    def reject(
        self,
        reason: RejectReason,
        source: str,
        *,
        count: int = 1,
        offset: int | None = None,
        line: int | None = None,
        detail: str = "",
    ) -> None:
        """Count ``count`` rejects; in strict mode raise on the first, with its location."""
        if count <= 0:
            return
        if self.strict and reason not in NOT_INPUT_ERRORS:
            raise InputError(source, reason.label, offset=offset, line=line, detail=detail)
        self.rejected[reason.label] += count

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "bytes_read": self.bytes_read,
            "frames": self.frames,
            "accepted": self.accepted,
            "rejected": dict(sorted(self.rejected.items())),
            "rejected_total": self.rejected_total,
            "aircraft": len(self.aircraft),
            "positions": self.positions,
        }
