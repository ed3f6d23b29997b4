"""ADS-B extended squitter (DF17/18) ME-field decoding, vectorised by type code.

Each decoder takes the row numbers of one type-code group and their 56-bit ME words and writes
the decoded columns of ``Messages`` in place. CPR positions are left encoded (``cpr_*``): the
tracker resolves them. ``imf`` is returned so that DF18 TIS-B/ADS-R rows can be marked
non-ICAO by their IMF bit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..model import B1, MAX_GROUNDSPEED_KT, U8, CprKind, Messages
from .bits import I8, me
from .codes import altitude_ac12, callsigns, squawk_id13

#: Surface movement code -> ground speed, kt (piecewise linear between these knots).
_MOVEMENT_CODES = np.array([1, 2, 9, 13, 39, 94, 109, 124], dtype=np.float64)
_MOVEMENT_KT = np.array([0.0, 0.125, 1.0, 2.0, 15.0, 70.0, 100.0, 175.0])
_MOVEMENT_MAX = 124
#: Surface track: 7 bits over 360 deg.
_SURFACE_TRACK_DEG = 360.0 / 128.0
#: Airborne velocity heading: 10 bits over 360 deg.
_VELOCITY_HEADING_DEG = 360.0 / 1024.0
_VRATE_FT_MIN = 64  # ft/min per step
_GEO_BARO_FT = 25  # ft per step
_GEO_BARO_MAX = 127  # saturated value: difference larger than the field can hold
_SUPERSONIC_FACTOR = 4
_SEL_ALT_FT = 32  # ft per step, TC 29
_BARO_HPA = 0.8  # hPa per step, TC 29
_BARO_BASE_HPA = 800.0
_M_TO_FT = 3.28084

#: BDS register equivalent of each type code (0 where the type code is reserved).
BDS_OF_TC = np.zeros(32, dtype=np.uint8)
BDS_OF_TC[1:5] = 0x08
BDS_OF_TC[5:9] = 0x06
BDS_OF_TC[9:19] = 0x05
BDS_OF_TC[20:23] = 0x05
BDS_OF_TC[19] = 0x09
BDS_OF_TC[28] = 0x61
BDS_OF_TC[29] = 0x62
BDS_OF_TC[31] = 0x65

#: NUCp implied by the position type code (-1 where the type code carries no position).
NUC_OF_TC = np.full(32, -1, dtype=np.int8)
NUC_OF_TC[5:9] = [9, 8, 7, 6]
NUC_OF_TC[9:19] = np.arange(9, -1, -1)
NUC_OF_TC[20:23] = [9, 8, 0]


def _signed(sign: I8, value: I8) -> I8:
    return np.where(sign == 1, -value, value)


def _identification(msg: Messages, rows: I8, word: U8, tc: I8) -> B1:
    msg.category[rows] = me(word, 1, 8)  # type code * 8 + emitter category
    msg.callsign[rows] = callsigns(me(word, 9, 56))
    return np.zeros(rows.shape[0], dtype=np.bool_)


def _cpr(msg: Messages, rows: I8, word: U8, kind: CprKind) -> None:
    msg.cpr_kind[rows] = int(kind)
    msg.cpr_odd[rows] = me(word, 22, 22).astype(np.int8)
    msg.cpr_lat[rows] = me(word, 23, 39).astype(np.int32)
    msg.cpr_lon[rows] = me(word, 40, 56).astype(np.int32)


def _surface(msg: Messages, rows: I8, word: U8, tc: I8) -> B1:
    mov = me(word, 6, 12)
    gs = np.interp(mov.astype(np.float64), _MOVEMENT_CODES, _MOVEMENT_KT)
    gs[(mov == 0) | (mov > _MOVEMENT_MAX)] = np.nan
    msg.groundspeed[rows] = gs
    trk = me(word, 14, 20) * _SURFACE_TRACK_DEG
    msg.track[rows] = np.where(me(word, 13, 13) == 1, trk, np.nan)
    msg.onground[rows] = 1
    msg.nuc_p[rows] = NUC_OF_TC[tc]
    _cpr(msg, rows, word, CprKind.SURFACE)
    imf: B1 = me(word, 21, 21) == 1
    return imf


def _airborne(msg: Messages, rows: I8, word: U8, tc: I8) -> B1:
    ss = me(word, 6, 7)
    ac12 = me(word, 9, 20)
    baro = tc <= 18
    if baro.any():
        msg.altitude[rows[baro]] = altitude_ac12(ac12[baro])
    gnss = ~baro
    if gnss.any():
        # TC 20-22 carry GNSS height as a plain 12-bit number of metres.
        msg.geoaltitude[rows[gnss]] = ac12[gnss] * _M_TO_FT
    # Surveillance status: 1 permanent alert (emergency), 2 temporary alert, 3 SPI.
    msg.alert[rows] = ((ss == 1) | (ss == 2)).astype(np.int8)
    msg.spi[rows] = (ss == 3).astype(np.int8)
    msg.onground[rows] = 0
    msg.nuc_p[rows] = NUC_OF_TC[tc]
    _cpr(msg, rows, word, CprKind.AIRBORNE)
    imf: B1 = me(word, 8, 8) == 1
    return imf


def _velocity(msg: Messages, rows: I8, word: U8, tc: I8) -> B1:
    st = me(word, 6, 8)
    factor = np.where((st == 2) | (st == 4), _SUPERSONIC_FACTOR, 1)
    ground = (st == 1) | (st == 2)
    if ground.any():
        w, f = word[ground], factor[ground]
        vew = me(w, 15, 24)
        vns = me(w, 26, 35)
        vx = _signed(me(w, 14, 14), (vew - 1) * f).astype(np.float64)
        vy = _signed(me(w, 25, 25), (vns - 1) * f).astype(np.float64)
        speed = np.hypot(vx, vy)
        # beyond MAX_GROUNDSPEED_KT the components are a fault: no speed, no track
        ok = (vew != 0) & (vns != 0) & (speed <= MAX_GROUNDSPEED_KT)
        gs = np.where(ok, speed, np.nan)
        trk = np.where(ok, np.degrees(np.arctan2(vx, vy)) % 360.0, np.nan)
        msg.groundspeed[rows[ground]] = gs
        msg.track[rows[ground]] = trk
    air = (st == 3) | (st == 4)
    if air.any():
        w = word[air]
        hdg = me(w, 15, 24) * _VELOCITY_HEADING_DEG
        msg.heading[rows[air]] = np.where(me(w, 14, 14) == 1, hdg, np.nan)
        spd = me(w, 26, 35)
        value = np.where(spd != 0, (spd - 1) * factor[air], -1).astype(np.float64)
        value[spd == 0] = np.nan
        is_tas = me(w, 25, 25) == 1
        msg.tas[rows[air]] = np.where(is_tas, value, np.nan)
        msg.ias[rows[air]] = np.where(is_tas, np.nan, value)
    vr = me(word, 38, 46)
    rate = _signed(me(word, 37, 37), (vr - 1) * _VRATE_FT_MIN).astype(np.float64)
    valid = (vr != 0) & (st >= 1) & (st <= 4)
    msg.vertical_rate[rows] = np.where(valid, rate, np.nan)
    diff = me(word, 50, 56)
    gmb = _signed(me(word, 49, 49), (diff - 1) * _GEO_BARO_FT).astype(np.float64)
    ok_diff = (diff != 0) & (diff != _GEO_BARO_MAX) & (st >= 1) & (st <= 4)
    msg.geo_minus_baro[rows] = np.where(ok_diff, gmb, np.nan)
    msg.onground[rows] = 0
    imf: B1 = me(word, 9, 9) == 1
    return imf


def _aircraft_status(msg: Messages, rows: I8, word: U8, tc: I8) -> B1:
    emergency = me(word, 6, 8) == 1
    if emergency.any():
        r, w = rows[emergency], word[emergency]
        msg.emergency[r] = me(w, 9, 11).astype(np.int8)
        msg.squawk[r] = squawk_id13(me(w, 12, 24))
    return np.zeros(rows.shape[0], dtype=np.bool_)


def _target_state(msg: Messages, rows: I8, word: U8, tc: I8) -> B1:
    # Only subtype 1 (DO-260B) has a fixed layout worth decoding; subtype 0 is version-1 intent.
    st1 = me(word, 6, 7) == 1
    if st1.any():
        r, w = rows[st1], word[st1]
        alt = me(w, 10, 20)
        msg.selected_altitude[r] = np.where(alt != 0, (alt - 1) * _SEL_ALT_FT, np.nan)
        baro = me(w, 21, 29)
        msg.baro_setting[r] = np.where(baro != 0, _BARO_BASE_HPA + (baro - 1) * _BARO_HPA, np.nan)
        msg.nac_p[r] = me(w, 40, 43).astype(np.int8)
        msg.sil[r] = me(w, 45, 46).astype(np.int8)
    return np.zeros(rows.shape[0], dtype=np.bool_)


def _operational_status(msg: Messages, rows: I8, word: U8, tc: I8) -> B1:
    st = me(word, 6, 8)
    version = me(word, 41, 43)
    msg.adsb_version[rows] = version.astype(np.int8)
    # Version 0 transponders have no NIC supplement / NACp / SIL fields here.
    later = (version >= 1) & (st <= 1)
    if later.any():
        r, w = rows[later], word[later]
        msg.nic_supplement[r] = me(w, 44, 44).astype(np.int8)
        msg.nac_p[r] = me(w, 45, 48).astype(np.int8)
        msg.sil[r] = me(w, 51, 52).astype(np.int8)
    return np.zeros(rows.shape[0], dtype=np.bool_)


#: The ME decoders, and the one (by its place here) of each type code; 7: none.
_DECODERS: tuple[Callable[[Messages, I8, U8, I8], B1], ...] = (
    _identification,
    _surface,
    _airborne,
    _velocity,
    _aircraft_status,
    _target_state,
    _operational_status,
)
#: The BDS register each decoder reads, in ``_DECODERS``' order; the type codes of each come
#: from ``BDS_OF_TC``, so the two tables cannot disagree.
_BDS_OF_DECODER = (0x08, 0x06, 0x05, 0x09, 0x61, 0x62, 0x65)
_GROUP_OF_TC = np.full(32, len(_DECODERS), dtype=np.uint8)
for _group, _bds in enumerate(_BDS_OF_DECODER):
    _GROUP_OF_TC[np.equal(BDS_OF_TC, _bds)] = _group


def decode_es(msg: Messages, rows: I8, word: U8) -> B1:
    """Decode the ME fields of ``rows`` (ME words in ``word``); return each row's IMF bit."""
    tc = me(word, 1, 5)
    msg.typecode[rows] = tc
    msg.bds[rows] = BDS_OF_TC[tc]
    imf = np.zeros(rows.shape[0], dtype=np.bool_)
    # The rows sorted by decoder (a radix sort of bytes): each decoder's rows are one slice.
    group = _GROUP_OF_TC[tc]
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(len(_DECODERS) + 1)).tolist()
    for k, fn in enumerate(_DECODERS):
        sel = order[starts[k] : starts[k + 1]]
        if sel.size:
            imf[sel] = fn(msg, rows[sel], word[sel], tc[sel])
    return imf
