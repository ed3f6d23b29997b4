"""Mode S / ADS-B frame encoders: true states in, real frames with correct parity out.

Each function builds a whole column of frames at once, as the ``(n, 14)`` uint8 layout of
``FrameBatch.data`` (payload left-aligned, zero padded) plus the length in bytes. The address is
a scalar or one per row; callsign, squawk and category are scalars in the functions named after
the frame, and per-row codes (``ident_code``, ``id13``, ``bds20_code``) in their ``*_rows``
forms, which encode the frames of many aircraft in one call.

Parity: DF11 and DF17 carry the plain CRC-24 (DF11 with interrogator code 0, as a spontaneous
acquisition squitter); DF4/5/20/21 carry CRC XOR address (address/parity, AP), so a decoder
recovers the address from the remainder. Field layouts follow ICAO Annex 10 Vol IV and
DO-260B; CPR comes from ``skywitness.decode.cpr`` so encoder and decoder share the same math.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ..decode.codes import CHARSET
from ..decode.cpr import encode_airborne, encode_surface
from ..decode.crc import remainder
from ..model import B1, F8, LONG_FRAME_BYTES, SHORT_FRAME_BYTES, U1, U8

I8 = npt.NDArray[np.int64]

ALT_STEP_FT = 25  # Q-bit altitude resolution
ALT_OFFSET_FT = 1000
VRATE_STEP_FPM = 64
MAX_VELOCITY_KT = 1022  # subsonic velocity component field, 10 bits minus "no info"
#: Type codes used: airborne position with baro altitude (NUCp 7), surface position (NUCp 8).
TC_AIRBORNE = 11
TC_SURFACE = 6
TC_IDENT_SET_A = 4  # identification, emitter category set A
TC_VELOCITY = 19
NAC_V = 1  # velocity accuracy < 10 m/s
BDS20 = 0x20
CA_ON_GROUND = 4  # level 2+ transponder, on the ground
CA_AIRBORNE = 5


def _col(x: object, n: int) -> I8:
    out: I8 = np.broadcast_to(np.asarray(x, dtype=np.int64), (n,)).copy()
    return out


def _put(data: U1, start: int, nbytes: int, value: I8 | U8) -> None:
    """Write ``value`` big-endian into bytes ``start .. start+nbytes`` of every row."""
    v = np.asarray(value).astype(np.uint64)
    for k in range(nbytes):
        shift = np.uint64(8 * (nbytes - 1 - k))
        data[:, start + k] = ((v >> shift) & np.uint64(0xFF)).astype(np.uint8)


def _frames(head: I8, body: U8 | None, overlay: Address) -> tuple[U1, U1]:
    """Frames from 32-bit headers and 56-bit bodies (None: short), parity XOR ``overlay``."""
    n = head.shape[0]
    data = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
    _put(data, 0, 4, head)
    nbytes = SHORT_FRAME_BYTES if body is None else LONG_FRAME_BYTES
    if body is not None:
        _put(data, 4, 7, body)
    length = np.full(n, nbytes, dtype=np.uint8)
    # With zero parity bytes the remainder is the CRC of the data bits: the parity to send.
    parity = remainder(data, length).astype(np.int64) ^ (overlay & 0xFFFFFF)
    _put(data, nbytes - 3, 3, parity)
    return data, length


def altitude_n(altitude_ft: F8) -> I8:
    """25-ft altitude steps above -1,000 ft (11 bits) for the Q-bit codes."""
    n = np.rint((np.asarray(altitude_ft) + ALT_OFFSET_FT) / ALT_STEP_FT)
    out: I8 = np.clip(n, 0, 2047).astype(np.int64)
    return out


def quantised_altitude(altitude_ft: F8) -> F8:
    """The altitude a decoder reads back from the 25-ft codes."""
    out: F8 = (altitude_n(altitude_ft) * ALT_STEP_FT - ALT_OFFSET_FT).astype(np.float64)
    return out


def ac12(altitude_ft: F8) -> I8:
    """ADS-B 12-bit altitude (Q=1): the 11-bit step count with the Q bit as the 8th bit."""
    n = altitude_n(altitude_ft)
    out: I8 = ((n >> 4) << 5) | (1 << 4) | (n & 0xF)
    return out


def ac13(altitude_ft: F8) -> I8:
    """Surveillance 13-bit altitude (M=0, Q=1): C1 A1 C2 A2 C4 A4 M B1 Q B2 D2 B4 D4."""
    n = altitude_n(altitude_ft)
    out: I8 = ((n >> 5) << 7) | (((n >> 4) & 1) << 5) | (1 << 4) | (n & 0xF)
    return out


def id13(squawk: str) -> int:
    """13-bit identity code of a 4-octal-digit squawk: C1 A1 C2 A2 C4 A4 X B1 D1 B2 D2 B4 D4."""
    a, b, c, d = (int(ch, 8) for ch in squawk)
    bits = (
        (c & 1, 12), (a & 1, 11), (c >> 1 & 1, 10), (a >> 1 & 1, 9), (c >> 2 & 1, 8),
        (a >> 2 & 1, 7), (b & 1, 5), (d & 1, 4), (b >> 1 & 1, 3), (d >> 1 & 1, 2),
        (b >> 2 & 1, 1), (d >> 2 & 1, 0),
    )  # fmt: skip
    return sum(v << s for v, s in bits)


def callsign48(callsign: str) -> int:
    """48-bit identification field: 8 characters of the 6-bit set, space padded."""
    text = callsign.upper().ljust(8)[:8]
    value = 0
    for ch in text:
        idx = CHARSET.find(ch) if ch != "#" else -1
        if idx < 0:
            raise ValueError(f"callsign character {ch!r} is not in the ICAO 6-bit set")
        value = (value << 6) | idx
    return value


#: Surface movement bins: (lowest kt, code at that speed, kt per code step), DO-260B.
_MOVEMENT_BINS = (
    (0.125, 2, 0.125), (1.0, 9, 0.25), (2.0, 13, 0.5), (15.0, 39, 1.0), (70.0, 94, 2.0),
    (100.0, 109, 5.0),
)  # fmt: skip
_MOVEMENT_MAX_KT = 175.0
#: Below this ground speed the movement code says "stopped".
STOPPED_KT = 0.125
_MOVEMENT_MAX_CODE = 124


def movement(groundspeed_kt: F8) -> I8:
    """Surface movement code (7 bits): the step whose lower bound is at or below the speed."""
    v = np.asarray(groundspeed_kt, dtype=np.float64)
    code = np.ones(v.shape, dtype=np.int64)  # 1: stopped
    for low, base, step in _MOVEMENT_BINS:
        steps = np.floor((v - low) / step).astype(np.int64)
        code = np.where(v >= low, base + steps, code)
    out: I8 = np.where(v >= _MOVEMENT_MAX_KT, _MOVEMENT_MAX_CODE, code)
    return out


def track7(track_deg: F8) -> I8:
    """Surface ground track, 360/128 degree steps."""
    out: I8 = np.rint(np.asarray(track_deg) * 128.0 / 360.0).astype(np.int64) % 128
    return out


def velocity_components(groundspeed_kt: F8, track_deg: F8) -> tuple[I8, I8]:
    """East and north ground speed components as sent: whole knots, signed."""
    rad = np.radians(track_deg)
    east = np.rint(groundspeed_kt * np.sin(rad)).astype(np.int64)
    north = np.rint(groundspeed_kt * np.cos(rad)).astype(np.int64)
    lim = MAX_VELOCITY_KT
    return np.clip(east, -lim, lim), np.clip(north, -lim, lim)


def quantised_vertical_rate(vertical_rate_fpm: F8) -> I8:
    """Vertical rate as sent: 64 ft/min steps, signed."""
    out: I8 = (
        np.clip(np.rint(np.asarray(vertical_rate_fpm) / VRATE_STEP_FPM), -510, 510).astype(np.int64)
        * VRATE_STEP_FPM
    )
    return out


Address = int | I8  # one address, or one per row


def _df17_head(icao24: Address, onground: B1) -> I8:
    ca = np.where(onground, CA_ON_GROUND, CA_AIRBORNE).astype(np.int64)
    out: I8 = (17 << 27) | (ca << 24) | (icao24 & 0xFFFFFF)
    return out


def ident_code(callsign: str, category: str) -> int:
    """The ME field of an identification message: type code and emitter category
    (``"A0"``..``"A7"``: TC 4, set A; set B TC 3, such as ``"B1"`` glider; C TC 2; D TC 1)
    and the callsign."""
    tc = TC_IDENT_SET_A - "ABCD".index(category[0].upper())
    return (tc << 51) | (int(category[1]) << 48) | callsign48(callsign)


def identification(icao24: Address, callsign: str, category: str, onground: B1) -> tuple[U1, U1]:
    """DF17 TC 4 to 1: callsign and emitter category (``ident_code``)."""
    me = _col(ident_code(callsign, category), onground.shape[0])
    return identification_rows(icao24, me, onground)


def identification_rows(icao24: Address, me: I8, onground: B1) -> tuple[U1, U1]:
    """DF17 identification of many aircraft: ``me`` is each row's ``ident_code``."""
    return _frames(_df17_head(icao24, onground), np.asarray(me).astype(np.uint64), 0)


def airborne_position(icao24: Address, lat: F8, lon: F8, altitude_ft: F8, odd: B1) -> tuple[U1, U1]:
    """DF17 TC 11: barometric altitude (25 ft) and airborne CPR, even or odd."""
    clat, clon = encode_airborne(lat, lon, odd.astype(np.int64))
    me = (
        (TC_AIRBORNE << 51)
        | (ac12(altitude_ft) << 36)
        | (odd.astype(np.int64) << 34)
        | (clat << 17)
        | clon
    )
    head = _df17_head(icao24, np.zeros(odd.shape, dtype=bool))
    return _frames(head, me.astype(np.uint64), 0)


def surface_position(
    icao24: Address, lat: F8, lon: F8, groundspeed_kt: F8, track_deg: F8, odd: B1
) -> tuple[U1, U1]:
    """DF17 TC 6: movement, ground track (valid) and surface CPR, even or odd."""
    clat, clon = encode_surface(lat, lon, odd.astype(np.int64))
    me = (
        (TC_SURFACE << 51)
        | (movement(groundspeed_kt) << 44)
        | (1 << 43)
        | (track7(track_deg) << 36)
        | (odd.astype(np.int64) << 34)
        | (clat << 17)
        | clon
    )
    head = _df17_head(icao24, np.ones(odd.shape, dtype=bool))
    return _frames(head, me.astype(np.uint64), 0)


def velocity(
    icao24: Address, groundspeed_kt: F8, track_deg: F8, vertical_rate_fpm: F8
) -> tuple[U1, U1]:
    """DF17 TC 19 subtype 1: ground speed east/west and north/south, baro vertical rate."""
    east, north = velocity_components(groundspeed_kt, track_deg)
    vr = quantised_vertical_rate(vertical_rate_fpm) // VRATE_STEP_FPM
    me = (
        (TC_VELOCITY << 51)
        | (1 << 48)
        | (NAC_V << 43)
        | ((east < 0).astype(np.int64) << 42)
        | ((np.abs(east) + 1) << 32)
        | ((north < 0).astype(np.int64) << 31)
        | ((np.abs(north) + 1) << 21)
        | (1 << 20)  # vertical rate source: barometric
        | ((vr < 0).astype(np.int64) << 19)
        | ((np.abs(vr) + 1) << 10)
    )  # geometric minus baro left at 0: no information
    head = _df17_head(icao24, np.zeros(east.shape, dtype=bool))
    return _frames(head, me.astype(np.uint64), 0)


def all_call(icao24: Address, onground: B1) -> tuple[U1, U1]:
    """DF11 all-call reply / acquisition squitter (interrogator code 0)."""
    ca = np.where(onground, CA_ON_GROUND, CA_AIRBORNE).astype(np.int64)
    head = (11 << 27) | (ca << 24) | (icao24 & 0xFFFFFF)
    return _frames(head, None, 0)


def _flight_status(onground: B1) -> I8:
    # FS 0: airborne, 1: on the ground (no alert, no SPI)
    out: I8 = onground.astype(np.int64)
    return out


def altitude_reply(icao24: Address, altitude_ft: F8, onground: B1) -> tuple[U1, U1]:
    """DF4 surveillance altitude reply, address in the parity."""
    head = (4 << 27) | (_flight_status(onground) << 24) | ac13(altitude_ft)
    return _frames(head, None, icao24)


def identity_reply(icao24: Address, squawk: str, onground: B1) -> tuple[U1, U1]:
    """DF5 surveillance identity reply, address in the parity."""
    return identity_reply_rows(icao24, _col(id13(squawk), onground.shape[0]), onground)


def identity_reply_rows(icao24: Address, identity: I8, onground: B1) -> tuple[U1, U1]:
    """DF5 of many aircraft: ``identity`` is each row's ``id13``."""
    head = (5 << 27) | (_flight_status(onground) << 24) | np.asarray(identity, dtype=np.int64)
    return _frames(head, None, icao24)


def bds20_code(callsign: str) -> int:
    """The Comm-B BDS 2,0 field (aircraft identification) of ``callsign``."""
    return (BDS20 << 48) | callsign48(callsign)


def commb_altitude(icao24: Address, altitude_ft: F8, onground: B1, callsign: str) -> tuple[U1, U1]:
    """DF20 Comm-B altitude reply carrying BDS 2,0 (aircraft identification)."""
    bds = _col(bds20_code(callsign), onground.shape[0])
    return commb_altitude_rows(icao24, altitude_ft, onground, bds)


def commb_altitude_rows(icao24: Address, altitude_ft: F8, onground: B1, bds: I8) -> tuple[U1, U1]:
    """DF20 of many aircraft: ``bds`` is each row's ``bds20_code``."""
    head = (20 << 27) | (_flight_status(onground) << 24) | ac13(altitude_ft)
    return _frames(head, np.asarray(bds).astype(np.uint64), icao24)


def commb_identity(icao24: Address, squawk: str, onground: B1, callsign: str) -> tuple[U1, U1]:
    """DF21 Comm-B identity reply carrying BDS 2,0 (aircraft identification)."""
    n = onground.shape[0]
    return commb_identity_rows(
        icao24, _col(id13(squawk), n), onground, _col(bds20_code(callsign), n)
    )


def commb_identity_rows(icao24: Address, identity: I8, onground: B1, bds: I8) -> tuple[U1, U1]:
    """DF21 of many aircraft: ``identity`` and ``bds`` per row (``id13``, ``bds20_code``)."""
    head = (21 << 27) | (_flight_status(onground) << 24) | np.asarray(identity, dtype=np.int64)
    return _frames(head, np.asarray(bds).astype(np.uint64), icao24)
