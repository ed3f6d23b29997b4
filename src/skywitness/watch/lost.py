"""The aircraft the watch lost, remembered until it forgets them (``source.FORGET_S``, a day
after they were last heard) in columns, not as Python objects.

An aircraft lost (``LOST_S`` unheard) used to keep its ``AircraftState`` in the event source's
dict for that day: ~13 Python objects with its cooldown keys. At 100,000 frames/s some 40,000
aircraft an hour come and go, so the service's heap grew for a day (~0.5M objects an hour of
these alone, #17 item 12). Here each is a row of numpy arrays (address, last time, position,
callsign, squawk: ~80 bytes), sorted by address; a lost aircraft heard again comes back as the
``AircraftState`` it left (``take``: ``state_events`` then reports it seen again), and one lost
longer than the watch keeps it is forgotten (``forget``). An address that is not 6 hex digits,
plain or ``~``-prefixed (a non-ICAO address), or a callsign or squawk too long for the columns,
stays in the dict as before (``add`` names them).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from .state_events import AircraftState

I8 = npt.NDArray[np.int64]

NON_ICAO = 1 << 24  # code bit of a ``~``-prefixed (non-ICAO) address
CALLSIGN_CHARS, SQUAWK_CHARS = 8, 4  # the columns' widths (longer ones stay in the dict)
_HEX = frozenset("0123456789abcdef")


def address_code(icao24: str) -> int | None:
    """``icao24`` as an int (``~`` addresses with ``NON_ICAO`` set); None if neither form."""
    flag, hexa = (NON_ICAO, icao24[1:]) if icao24.startswith("~") else (0, icao24)
    if len(hexa) != 6 or not _HEX.issuperset(hexa):
        return None
    return flag | int(hexa, 16)


def address_text(code: int) -> str:
    """The address of ``address_code``'s ``code``."""
    return f"~{code & (NON_ICAO - 1):06x}" if code & NON_ICAO else f"{code:06x}"


def _fits(ac: AircraftState) -> bool:
    return (
        len(ac.callsign) <= CALLSIGN_CHARS
        and len(ac.squawk) <= SQUAWK_CHARS
        and "\0" not in ac.callsign + ac.squawk  # (numpy's fixed strings drop trailing NULs)
    )


class LostAircraft:
    """Lost aircraft by address code (ascending): their last time heard (unix s), last
    position, callsign and squawk."""

    def __init__(self) -> None:
        self.code = np.zeros(0, dtype=np.int64)
        self.last_t = np.zeros(0, dtype=np.float64)
        self.pos = np.zeros((0, 3), dtype=np.float64)  # latitude, longitude, altitude
        self.callsign = np.zeros(0, dtype=f"<U{CALLSIGN_CHARS}")
        self.squawk = np.zeros(0, dtype=f"<U{SQUAWK_CHARS}")

    def __len__(self) -> int:
        return int(self.code.shape[0])

    def first_t(self) -> float | None:
        """The earliest last time heard of any (None: none)."""
        return float(self.last_t.min()) if len(self) else None

    def add(self, keys: Sequence[str], states: Sequence[AircraftState]) -> list[int]:
        """Remember the lost aircraft ``keys`` (not already here); the indices of those that
        do not fit the columns (the caller keeps them)."""
        codes = [address_code(k) for k in keys]
        ok = [i for i, (c, s) in enumerate(zip(codes, states, strict=True))
              if c is not None and _fits(s)]  # fmt: skip
        if ok:
            st = [states[i] for i in ok]
            self._put(
                np.array([codes[i] for i in ok], dtype=np.int64),
                np.array([s.last_t for s in st], dtype=np.float64),
                np.array([(s.lat, s.lon, s.alt) for s in st], dtype=np.float64).reshape(-1, 3),
                np.array([s.callsign for s in st], dtype=self.callsign.dtype),
                np.array([s.squawk for s in st], dtype=self.squawk.dtype),
            )
        taken = set(ok)
        return [i for i in range(len(keys)) if i not in taken]

    def _put(self, code: I8, last_t: npt.NDArray[np.float64], pos: npt.NDArray[np.float64],
             callsign: npt.NDArray[np.str_], squawk: npt.NDArray[np.str_]) -> None:  # fmt: skip
        self.code = np.concatenate((self.code, code))
        self.last_t = np.concatenate((self.last_t, last_t))
        self.pos = np.concatenate((self.pos, pos))
        self.callsign = np.concatenate((self.callsign, callsign))
        self.squawk = np.concatenate((self.squawk, squawk))
        self._keep(np.argsort(self.code, kind="stable"))

    def _keep(self, rows: I8) -> None:
        self.code, self.last_t, self.pos = self.code[rows], self.last_t[rows], self.pos[rows]
        self.callsign, self.squawk = self.callsign[rows], self.squawk[rows]

    def take(self, keys: Sequence[str]) -> dict[str, AircraftState]:
        """The lost aircraft among ``keys``, as the ``AircraftState`` each left (lost), no
        longer remembered here."""
        if not len(self) or not keys:
            return {}
        codes = [address_code(k) for k in keys]
        known = [(k, c) for k, c in zip(keys, codes, strict=True) if c is not None]
        if not known:
            return {}
        want = np.array([c for _, c in known], dtype=np.int64)
        at = np.minimum(np.searchsorted(self.code, want), len(self) - 1)
        hit = self.code[at] == want
        if not hit.any():
            return {}
        out: dict[str, AircraftState] = {}
        for j in np.flatnonzero(hit).tolist():
            i = int(at[j])
            lat, lon, alt = (float(v) for v in self.pos[i])
            out[known[j][0]] = AircraftState(
                last_t=float(self.last_t[i]), lat=lat, lon=lon, alt=alt,
                callsign=str(self.callsign[i]), squawk=str(self.squawk[i]), lost=True,
            )  # fmt: skip
        keep = np.ones(len(self), dtype=bool)
        keep[at[hit]] = False
        self._keep(np.flatnonzero(keep))
        return out

    def forget(self, before: float) -> list[str]:
        """Forget the aircraft last heard before ``before`` (unix s); their addresses."""
        old = self.last_t < before
        if not old.any():
            return []
        gone = [address_text(c) for c in self.code[old].tolist()]
        self._keep(np.flatnonzero(~old))
        return gone
