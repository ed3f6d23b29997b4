"""How a flight's positions were obtained, in words: ADS-B broadcast vs multilateration.

Multilateration positions are estimates (the receivers' timing solved for a position) and are
named as such, never mixed with broadcast ones: "12 positions by multilateration, ±85 m, from
5 receivers", with the median stated error (95 % radius) and the usual number of receivers
(the ``source`` of an mlat row reads "mlat (K receivers)").
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

_RECEIVERS = re.compile(r"\((\d+) receivers\)")


def mlat_text(positions: pa.Table, flight: dict[str, Any]) -> str:
    """ "; N positions by multilateration, ±M m, from K receivers (A by ADS-B)" for a flight
    with any mlat position, else ""."""
    if "position_source" not in positions.column_names:
        return ""
    t = positions.filter(
        pc.and_(
            pc.equal(positions.column("icao24"), str(flight["icao24"])),
            pc.is_valid(positions.column("latitude")),
        )
    )
    src = np.asarray(t.column("position_source").to_pylist(), dtype=object)
    mlat = src == "mlat"
    n = int(mlat.sum())
    if n == 0:
        return ""
    adsb = int((src == "adsb").sum())
    words = f"{n} position{'s' if n != 1 else ''} by multilateration"
    if "position_error" in t.column_names:
        err = np.asarray(t.column("position_error").to_pylist(), dtype=object)[mlat]
        vals = [float(e) for e in err if e is not None]
        if vals:
            words += f", ±{np.median(vals):.0f} m"
    ks = Counter(
        int(m.group(1))
        for s, is_m in zip(t.column("source").to_pylist(), mlat.tolist(), strict=True)
        if is_m and s and (m := _RECEIVERS.search(str(s)))
    )
    if ks:
        words += f", from {ks.most_common(1)[0][0]} receivers"
    return f"; {words} ({adsb} by ADS-B)"
