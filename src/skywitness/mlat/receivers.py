"""The receivers of a multilateration network, read from a TOML file.

Shape (every problem is a ``ConfigError`` naming the file, the line and the field)::

    [[receivers]]
    name = "ccs-north"   # also matches a Beast file named ccs-north.* that carries no 0xe3 id
    id = 1               # optional: the Beast 0xe3 receiver id (integer or "0x..." hex text)
    latitude = 10.60     # deg, WGS84
    longitude = -66.90   # deg
    altitude_m = 950     # antenna height above the WGS84 ellipsoid, metres
    clock = "12mhz"      # "12mhz": free-running 12 MHz counter; "gps": GPS time of day (ns)
    source = "beast+tcp://10.0.0.5:30005"   # optional: the feed (source spec) it comes from

A frame is matched to its receiver by its 0xe3 receiver id, else by its feed (``source``
exactly as given on the command line), else by the feed's file name without extensions.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from .. import bounded
from ..errors import ConfigError
from ..model import F8
from ..tomllines import KeyLines
from .geodesy import llh_to_ecef

_TOML_LINE_RE = re.compile(r"at line (\d+)")
_KNOWN_KEYS = {"name", "id", "latitude", "longitude", "altitude_m", "clock", "source"}
#: Highest antenna a receiver is believed at, m (a mountain top; anything above is a typo).
MAX_ANTENNA_M = 9_000.0


class ClockKind(Enum):
    """How a receiver stamps frames."""

    COUNTER_12MHZ = "12mhz"  # free-running counter, unknown offset, +-50 ppm rate error
    GPS = "gps"  # GPS-disciplined: seconds of day << 30 | nanoseconds

    @property
    def label(self) -> str:
        return self.value


@dataclass(frozen=True, slots=True)
class ReceiverSite:
    """One receiver: where its antenna is and how its clock counts."""

    name: str
    id: int  # Beast 0xe3 receiver id; 0 when the receiver is known by file name only
    latitude: float  # deg
    longitude: float  # deg
    altitude_m: float  # above the WGS84 ellipsoid
    clock: ClockKind
    ecef: F8 = field(compare=False, repr=False, default_factory=lambda: np.zeros(3))
    source: str = ""  # the feed it comes from ("" : matched by id or file name)

    @staticmethod
    def make(
        name: str,
        rid: int,
        lat: float,
        lon: float,
        alt_m: float,
        clock: ClockKind,
        source: str = "",
    ) -> ReceiverSite:
        ecef = llh_to_ecef(lat, lon, alt_m)
        return ReceiverSite(name, rid, lat, lon, alt_m, clock, ecef, source)


class _Reader:
    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.loc = KeyLines(text)

    def fail(self, index: int, key: str, message: str) -> NoReturn:
        line = self.loc.line("receivers", index, key)
        raise ConfigError(f"{self.source}, line {line}: receivers[{index}].{key}: {message}")

    def number(self, d: dict[str, Any], i: int, key: str, lo: float, hi: float) -> float:
        if key not in d:
            self.fail(i, key, "missing")
        v = d[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            self.fail(i, key, f"expected a number, got {v!r}")
        if not lo <= float(v) <= hi:
            self.fail(i, key, f"{float(v):g} is outside {lo:g}..{hi:g}")
        return float(v)


def _rid(r: _Reader, d: dict[str, Any], i: int) -> int:
    v = d.get("id", 0)
    if isinstance(v, str):
        try:
            v = int(v, 0)
        except ValueError:
            r.fail(i, "id", f"expected an integer or 0x hex text, got {v!r}")
    if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 1 << 64:
        r.fail(i, "id", f"expected a 64-bit unsigned integer, got {v!r}")
    return int(v)


def _site(r: _Reader, d: Any, i: int) -> ReceiverSite:
    if not isinstance(d, dict):
        r.fail(i, "name", "each receiver must be a table")
    unknown = sorted(set(d) - _KNOWN_KEYS)
    if unknown:
        r.fail(i, unknown[0], f"unknown key (expected one of {sorted(_KNOWN_KEYS)})")
    name = d.get("name")
    if not isinstance(name, str) or not name.strip():
        r.fail(i, "name", "missing or empty")
    source = d.get("source", "")
    if not isinstance(source, str):
        r.fail(i, "source", f"expected text (a source spec or file), got {source!r}")
    clock_text = d.get("clock", "12mhz")
    kinds = {k.value: k for k in ClockKind}
    if clock_text not in kinds:
        r.fail(i, "clock", f"expected one of {sorted(kinds)}, got {clock_text!r}")
    return ReceiverSite.make(
        name.strip(),
        _rid(r, d, i),
        r.number(d, i, "latitude", -90.0, 90.0),
        r.number(d, i, "longitude", -180.0, 180.0),
        r.number(d, i, "altitude_m", -500.0, MAX_ANTENNA_M),
        kinds[clock_text],
        source.strip(),
    )


def parse_receivers(text: str, source: str = "<receivers>") -> tuple[ReceiverSite, ...]:
    """Validate a receivers TOML text; names and non-zero ids must be unique."""
    try:
        doc = bounded.parse(tomllib.loads, text)
    except ValueError as exc:  # TOMLDecodeError, or nested too deep for the parser
        m = _TOML_LINE_RE.search(str(exc))
        where = f"{source}, line {m.group(1)}" if m else source
        raise ConfigError(f"{where}: not valid TOML ({exc})") from exc
    r = _Reader(source, text)
    for key in doc:
        if key != "receivers":
            line = r.loc.line(None, 0, key)
            raise ConfigError(f"{source}, line {line}: {key}: unknown key (expected [[receivers]])")
    raw = doc.get("receivers")
    if not isinstance(raw, list) or not raw:
        raise ConfigError(f"{source}, line 1: receivers: at least one [[receivers]] is needed")
    sites = tuple(_site(r, d, i) for i, d in enumerate(raw))
    for i, s in enumerate(sites):
        for j in range(i):
            if sites[j].name == s.name:
                r.fail(i, "name", f"{s.name!r} is also receivers[{j}]")
            if s.id and sites[j].id == s.id:
                r.fail(i, "id", f"{s.id} is also receivers[{j}]")
    return sites


def load_receivers(path: str | Path) -> tuple[ReceiverSite, ...]:
    """Read and validate a receivers file."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{p}: cannot read receivers ({exc})") from exc
    return parse_receivers(text, str(p))


def receivers_toml(sites: tuple[ReceiverSite, ...] | list[ReceiverSite]) -> str:
    """The TOML text of a receiver list (what ``parse_receivers`` reads back)."""
    out = []
    for s in sites:
        out.append(
            "[[receivers]]\n"
            f'name = "{s.name}"\nid = {s.id}\nlatitude = {s.latitude!r}\n'
            f"longitude = {s.longitude!r}\naltitude_m = {s.altitude_m!r}\n"
            f'clock = "{s.clock.value}"\n' + (f'source = "{s.source}"\n' if s.source else "")
        )
    return "\n".join(out)
