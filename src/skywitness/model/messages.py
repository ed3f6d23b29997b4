"""``Messages``: what ``decode`` extracts from a ``FrameBatch`` (stateless, one row per
frame)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from .arrays import B1, F4, F8, I1, I2, I4, U1, U4, Str, filled


@dataclass(slots=True)
class Messages:
    """Stateless decode of a ``FrameBatch``: one row per input frame, same order.

    Filled by ``skywitness.decode.decode_batch``. Rows with ``reject != OK`` carry no fields.
    ``icao24`` for address/parity formats (DF0/4/5/16/20/21) is the address *recovered* from the
    parity; ``track`` accepts it only when that address was recently heard in DF11/17/18.
    """

    timestamp: F8  # unix s UTC (copied from the frame batch)
    df: I1  # downlink format 0..24; -1 for Mode A/C replies
    icao24: U4  # 24-bit address (announced or AP-recovered); 0 when none
    address_verified: B1  # True when the address is announced and CRC-checked (DF11/17/18)
    non_icao: B1  # DF18 / TIS-B anonymous or non-ICAO address
    reject: U1  # RejectReason
    kind: U1  # SourceKind for values taken from this message
    typecode: I1  # ADS-B type code 0..31; -1 when not ADS-B
    bds: U1  # register: 0x05, 0x06, 0x08, 0x09, 0x20, 0x40, 0x50, 0x60, 0x62, 0x65...; 0 unknown
    bds_ambiguous: B1  # Comm-B: more than one register fits; fields left empty
    category: I1  # ADS-B emitter category: TC * 8 + CA (37: TC 4, CA 5 = "A5"); -1 unknown
    callsign: Str  # up to 8 chars, stripped; "" when none
    squawk: I2  # identity as its 4 octal digits read as a decimal number (7700); -1 none
    altitude: F8  # barometric ft
    geoaltitude: F8  # GNSS height ft (ADS-B TC 20-22, or baro + geo_minus_baro)
    groundspeed: F8  # kt
    track: F8  # deg true, 0..360
    vertical_rate: F8  # ft/min
    heading: F8  # deg (magnetic or true, airspeed subtype / BDS 6,0)
    ias: F8  # indicated airspeed kt
    tas: F8  # true airspeed kt
    mach: F8
    roll: F8  # deg
    track_rate: F8  # deg/s
    selected_altitude: F8  # ft (BDS 4,0 / TC 29)
    baro_setting: F8  # hPa
    onground: I1  # 1 on ground, 0 airborne, -1 unknown (from FS/VS/CA or surface positions)
    alert: I1  # -1 unknown
    spi: I1  # -1 unknown
    emergency: I1  # ADS-B emergency state 0..7; -1 none
    cpr_kind: U1  # CprKind
    cpr_odd: I1  # 0 even, 1 odd, -1 none
    cpr_lat: I4  # 17-bit encoded latitude; -1 none
    cpr_lon: I4  # 17-bit encoded longitude; -1 none
    nuc_p: I1  # NUCp / NIC from type code; -1 unknown
    adsb_version: I1  # operational status version 0/1/2; -1 unknown
    nic_supplement: I1  # -1 unknown
    nac_p: I1  # -1 unknown
    sil: I1  # -1 unknown
    modeac: I2  # Mode A/C reply: identity code as decimal digits; -1 none
    #: ADS-B TC 19: GNSS height minus baro altitude, ft (the tracker adds it to the last baro
    #: altitude to get geoaltitude; decode is stateless).
    geo_minus_baro: F8 = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    #: Signal level of each frame, dBFS (copied from the frame batch); NaN when unknown.
    signal: F4 = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def __len__(self) -> int:
        return int(self.df.shape[0])

    @classmethod
    def empty(cls, n: int, timestamp: F8 | None = None, signal: F4 | None = None) -> Messages:
        """All-missing columns of length ``n`` (decoders fill them in place); ``timestamp``
        and ``signal``, when given (length ``n``), are copied in rather than NaN-filled and
        then overwritten (``decode_batch``: two fewer passes a batch, issue 18)."""
        nan = np.nan
        return cls(
            timestamp=(
                filled(np.float64, n, nan)
                if timestamp is None
                else np.array(timestamp, dtype=np.float64)
            ),
            df=filled(np.int8, n, -1),
            icao24=filled(np.uint32, n, 0),
            address_verified=filled(np.bool_, n, False),
            non_icao=filled(np.bool_, n, False),
            reject=filled(np.uint8, n, 0),
            kind=filled(np.uint8, n, 0),
            typecode=filled(np.int8, n, -1),
            bds=filled(np.uint8, n, 0),
            bds_ambiguous=filled(np.bool_, n, False),
            category=filled(np.int8, n, -1),
            callsign=filled("<U8", n, ""),
            squawk=filled(np.int16, n, -1),
            altitude=filled(np.float64, n, nan),
            geoaltitude=filled(np.float64, n, nan),
            groundspeed=filled(np.float64, n, nan),
            track=filled(np.float64, n, nan),
            vertical_rate=filled(np.float64, n, nan),
            heading=filled(np.float64, n, nan),
            ias=filled(np.float64, n, nan),
            tas=filled(np.float64, n, nan),
            mach=filled(np.float64, n, nan),
            roll=filled(np.float64, n, nan),
            track_rate=filled(np.float64, n, nan),
            selected_altitude=filled(np.float64, n, nan),
            baro_setting=filled(np.float64, n, nan),
            onground=filled(np.int8, n, -1),
            alert=filled(np.int8, n, -1),
            spi=filled(np.int8, n, -1),
            emergency=filled(np.int8, n, -1),
            cpr_kind=filled(np.uint8, n, 0),
            cpr_odd=filled(np.int8, n, -1),
            cpr_lat=filled(np.int32, n, -1),
            cpr_lon=filled(np.int32, n, -1),
            nuc_p=filled(np.int8, n, -1),
            adsb_version=filled(np.int8, n, -1),
            nic_supplement=filled(np.int8, n, -1),
            nac_p=filled(np.int8, n, -1),
            sil=filled(np.int8, n, -1),
            modeac=filled(np.int16, n, -1),
            geo_minus_baro=filled(np.float64, n, nan),
            signal=(
                filled(np.float32, n, nan) if signal is None else np.array(signal, dtype=np.float32)
            ),
        )

    def take(self, index: npt.NDArray[Any]) -> Messages:
        return Messages(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    def row(self, i: int) -> dict[str, Any]:
        """One message as a plain dict with missing values dropped (for JSON output and tests)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)[i]
            if isinstance(v, np.floating):
                if not np.isnan(v):
                    out[f.name] = float(v)
            elif isinstance(v, np.str_):
                if v:
                    out[f.name] = str(v)
            elif isinstance(v, np.bool_):
                out[f.name] = bool(v)
            else:
                out[f.name] = int(v)
        return out
