"""Helpers for the tracker tests: real frames through decode, and hand-made message batches."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from skywitness.decode import decode_batch, frames_from_hex
from skywitness.decode.cpr import encode_airborne, encode_surface
from skywitness.model import CprKind, Messages, SourceKind

#: Airport reference points (deg): the receiver references used for surface decoding.
LFPG = (49.0097, 2.5479)
LFBO = (43.6294, 1.3678)


@dataclass
class RealFrames:
    msgs: Messages
    icao24: list[str]
    is_position: np.ndarray  # rows with BDS 0,5 / 0,6
    ref_lat: np.ndarray  # rs1090's position, NaN where it gave none
    ref_lon: np.ndarray


def load_real(path: Path) -> RealFrames:
    frames, stamps, icao, is_pos, lat, lon = [], [], [], [], [], []
    with gzip.open(path, "rt") as fh:
        for line in fh:
            d = json.loads(line)
            frames.append(d["frame"])
            stamps.append(d["timestamp"])
            icao.append(d["icao24"])
            is_pos.append(d.get("bds") in ("05", "06"))
            lat.append(d.get("latitude", np.nan))
            lon.append(d.get("longitude", np.nan))
    msgs = decode_batch(frames_from_hex(frames, stamps, source=path.name))
    return RealFrames(msgs, icao, np.array(is_pos), np.array(lat), np.array(lon))


def messages(rows: list[dict[str, Any]]) -> Messages:
    """Hand-made ``Messages``: each dict sets columns; defaults make an ADS-B (DF17) row.

    ``pos=(lat, lon, odd)`` encodes an airborne position, ``sfc=(lat, lon, odd)`` a surface one.
    """
    m = Messages.empty(len(rows))
    for i, r in enumerate(rows):
        r = dict(r)
        m.df[i] = 17
        m.address_verified[i] = True
        m.kind[i] = int(SourceKind.ADSB)
        for key, kind, enc in (("pos", CprKind.AIRBORNE, encode_airborne),
                               ("sfc", CprKind.SURFACE, encode_surface)):  # fmt: skip
            if key in r:
                lat, lon, odd = r.pop(key)
                yz, xz = enc(lat, lon, odd)
                m.cpr_kind[i], m.cpr_odd[i] = int(kind), odd
                m.cpr_lat[i], m.cpr_lon[i] = int(yz), int(xz)
        for k, v in r.items():
            getattr(m, k)[i] = v
    return m


def mode_s(**kw: Any) -> dict[str, Any]:
    """An address/parity reply (DF4/5/20/21): AP-recovered address, Mode S trust."""
    out = {"df": 4, "address_verified": False, "kind": int(SourceKind.MODE_S)}
    out.update(kw)
    return out
