"""Stateless batch decoding of Mode S and Mode A/C frames: ``decode_batch(FrameBatch) -> Messages``.

This module is the DF dispatch: it checks lengths and CRC, recovers the address (announced in
DF11/17/18, overlaid on the parity in DF0/4/5/16/20/21), decodes the surveillance header fields
(altitude and identity codes, flight status, capability) and hands the 56-bit ME / MB fields of
long frames to ``adsb`` and ``commb``. Everything is column arithmetic over the whole batch.
"""

from __future__ import annotations

import numpy as np

from ..model import (
    LONG_FRAME_BYTES,
    MODEAC_FRAME_BYTES,
    SHORT_FRAME_BYTES,
    FrameBatch,
    Messages,
    RejectReason,
    SourceKind,
)
from .adsb import decode_es
from .bits import I8, hdr, header, me, payload, words
from .codes import altitude_ac13, squawk_id13, squawk_modea
from .commb import decode_commb
from .crc import remainder

#: Downlink formats decoded, by frame length (bytes).
SHORT_DFS = (0, 4, 5, 11)
LONG_DFS = (16, 17, 18, 20, 21)
#: DF24 (Comm-D) is signalled by the first two bits alone.
_DF24 = 24
#: DF11 remainder may carry the interrogator identifier (II/SI code) in its low 7 bits.
_DF11_MAX_REMAINDER = 128
#: DF18 control field values.
_CF_ADSB, _CF_ADSB_NON_ICAO, _CF_TISB_FINE, _CF_TISB_COARSE = 0, 1, 2, 3
_CF_TISB_FINE_NON_ICAO, _CF_ADSR = 5, 6
#: Capability codes of DF11/17 that say where the aircraft is.
_CA_GROUND, _CA_AIRBORNE = 4, 5
#: Mode A/C reply (readsb nibble form): SPI/ident pulse bit.
_MODEA_SPI = 0x80
#: onground by capability (CA 0..7): 4 on the ground, 5 airborne, others unknown (-1).
_CA_ONGROUND = np.full(8, -1, dtype=np.int8)
_CA_ONGROUND[[_CA_GROUND, _CA_AIRBORNE]] = [1, 0]
#: SourceKind by DF18 control field, indexed by CF + 1 (-1: not DF18); -1 for CF4 and CF7.
_CF_KIND = np.full(9, -1, dtype=np.int16)
_CF_KIND[[_CF_ADSB + 1, _CF_ADSB_NON_ICAO + 1]] = int(SourceKind.ADSB)
_CF_KIND[[_CF_TISB_FINE + 1, _CF_TISB_COARSE + 1, _CF_TISB_FINE_NON_ICAO + 1]] = int(
    SourceKind.TISB
)
_CF_KIND[_CF_ADSR + 1] = int(SourceKind.ADSR)


def _df_table(dfs: tuple[int, ...]) -> np.ndarray:
    """Lookup table DF (0..24) -> membership, faster than ``np.isin`` on big batches."""
    table = np.zeros(_DF24 + 1, dtype=np.bool_)
    table[list(dfs)] = True
    return table


_IS_KNOWN = _df_table(SHORT_DFS + LONG_DFS)
_IS_SHORT = _df_table(SHORT_DFS)
_HAS_FS = _df_table((4, 5, 20, 21))
_HAS_AC13 = _df_table((0, 4, 16, 20))

# Flight status (DF4/5/20/21) -> onground / alert / spi; FS 6-7 are unassigned (-1).
_FS_ONGROUND = np.array([0, 1, 0, 1, -1, -1, -1, -1], dtype=np.int8)
_FS_ALERT = np.array([0, 0, 1, 1, 1, 0, -1, -1], dtype=np.int8)
_FS_SPI = np.array([0, 0, 0, 0, 1, 1, -1, -1], dtype=np.int8)


def _rows(mask: np.ndarray) -> I8:
    return np.flatnonzero(mask).astype(np.int64)


def decode_batch(frames: FrameBatch) -> Messages:
    """Decode every frame of ``frames``; one row out per frame in, same order.

    Rows that cannot be used have ``reject`` set (BAD_LENGTH, UNSUPPORTED_DF, CRC) and no
    fields. Positions stay CPR-encoded; AP addresses are not checked against known aircraft.
    """
    n = len(frames)
    msg = Messages.empty(n)
    if n == 0:
        return msg
    msg.timestamp[:] = frames.timestamp
    msg.signal[:] = frames.signal
    length = frames.length
    data = frames.data

    is_ac = length == MODEAC_FRAME_BYTES
    is_short = length == SHORT_FRAME_BYTES
    is_long = length == LONG_FRAME_BYTES
    modes = is_short | is_long
    msg.reject[~(modes | is_ac)] = int(RejectReason.BAD_LENGTH)
    if is_ac.any():
        _mode_ac(msg, _rows(is_ac), data)
    if not modes.any():
        return msg

    hi, lo = words(data)
    head = header(hi)
    df = hdr(head, 1, 5)
    df = np.where(df >= _DF24, _DF24, df)
    msg.df[modes] = df[modes].astype(np.int8)

    known = _IS_KNOWN[df]
    short_df = _IS_SHORT[df]
    # A short reply delivered in a 14-byte buffer (jet1090 and some SDR front ends do this) is
    # the short frame followed by noise: decode its first 56 bits, as rs1090 does.
    length = np.where(short_df & is_long, SHORT_FRAME_BYTES, length).astype(np.uint8)
    right_length = np.where(short_df, length == SHORT_FRAME_BYTES, is_long)
    msg.reject[modes & ~known] = int(RejectReason.UNSUPPORTED_DF)
    msg.reject[modes & known & ~right_length] = int(RejectReason.BAD_LENGTH)

    rem = remainder(data, length).astype(np.int64)
    checked = (df == 11) | (df == 17) | (df == 18)
    crc_bad = np.where(df == 11, rem >= _DF11_MAX_REMAINDER, rem != 0)
    pending = msg.reject == int(RejectReason.OK)
    msg.reject[pending & modes & checked & crc_bad] = int(RejectReason.CRC)
    ok = (msg.reject == int(RejectReason.OK)) & modes

    # Announced, CRC-checked address vs address recovered from the AP overlay.
    announced = ok & checked
    recovered = ok & ~checked
    msg.icao24[announced] = hdr(head[announced], 9, 32).astype(np.uint32)
    msg.address_verified[announced] = True
    msg.icao24[recovered] = rem[recovered].astype(np.uint32)
    msg.kind[recovered] = int(SourceKind.MODE_S)

    _surveillance(msg, ok, df, head)
    word = payload(hi, lo)
    _df11_17(msg, ok, df, head)
    es = _df18_control(msg, ok, df, head, word)
    es_rows = _rows(ok & ((df == 17) | es))
    if es_rows.size:
        imf = decode_es(msg, es_rows, word[es_rows])
        # Fine TIS-B and ADS-R use the IMF bit to say the address is not an ICAO one.
        imf_rows = es_rows[imf & (df[es_rows] == 18)]
        cf = hdr(head[imf_rows], 6, 8)
        flagged = imf_rows[(cf == _CF_TISB_FINE) | (cf == _CF_ADSR)]
        msg.non_icao[flagged] = True
    commb_rows = _rows(ok & ((df == 20) | (df == 21)))
    if commb_rows.size:
        decode_commb(msg, commb_rows, word[commb_rows])
    return msg


def _mode_ac(msg: Messages, rows: I8, data: np.ndarray) -> None:
    """Mode A/C replies (Beast type 0x31): the code in readsb's 0xABCD nibble form.

    A reply does not say whether it answers a Mode A or a Mode C interrogation, so only the
    identity digits and the SPI pulse are kept; the tracker may match them to Mode S aircraft.
    """
    code = (data[rows, 0].astype(np.int64) << 8) | data[rows, 1].astype(np.int64)
    msg.df[rows] = -1
    msg.modeac[rows] = squawk_modea(code)
    msg.spi[rows] = ((code & _MODEA_SPI) != 0).astype(np.int8)
    msg.kind[rows] = int(SourceKind.MODE_AC)


def _surveillance(msg: Messages, ok: np.ndarray, df: I8, head: I8) -> None:
    """Header fields of DF0/4/5/16/20/21: VS or FS, and the AC13 altitude or ID13 identity."""
    vs_rows = _rows(ok & ((df == 0) | (df == 16)))
    msg.onground[vs_rows] = hdr(head[vs_rows], 6, 6).astype(np.int8)
    fs_rows = _rows(ok & _HAS_FS[df])
    fs = hdr(head[fs_rows], 6, 8)
    msg.onground[fs_rows] = _FS_ONGROUND[fs]
    msg.alert[fs_rows] = _FS_ALERT[fs]
    msg.spi[fs_rows] = _FS_SPI[fs]
    alt_rows = _rows(ok & _HAS_AC13[df])
    msg.altitude[alt_rows] = altitude_ac13(hdr(head[alt_rows], 20, 32))
    id_rows = _rows(ok & ((df == 5) | (df == 21)))
    msg.squawk[id_rows] = squawk_id13(hdr(head[id_rows], 20, 32))


def _df11_17(msg: Messages, ok: np.ndarray, df: I8, head: I8) -> None:
    """All-call replies and ADS-B: kind, and the capability field's air/ground state."""
    msg.kind[ok & (df == 11)] = int(SourceKind.MODE_S_CHECKED)
    msg.kind[ok & (df == 17)] = int(SourceKind.ADSB)
    rows = _rows(ok & ((df == 11) | (df == 17)))
    ca = hdr(head[rows], 6, 8)
    msg.onground[rows] = _CA_ONGROUND[ca]


def _df18_control(msg: Messages, ok: np.ndarray, df: I8, head: I8, word: np.ndarray) -> np.ndarray:
    """DF18 control field: kind and non-ICAO flag; returns the rows with a decodable ME field.

    CF4 (TIS-B/ADS-R management) and CF7 (reserved) carry no aircraft data and are rejected as
    unsupported. Coarse TIS-B (CF3) has its own compact ME layout: only the address is kept.
    """
    is18 = ok & (df == 18)
    cf = np.where(is18, hdr(head, 6, 8), -1)
    kind = _CF_KIND[cf + 1]
    unsupported = is18 & (kind < 0)
    msg.reject[unsupported] = int(RejectReason.UNSUPPORTED_DF)
    msg.icao24[unsupported] = 0
    msg.address_verified[unsupported] = False
    good = is18 & (kind >= 0)
    msg.kind[good] = kind[good].astype(np.uint8)
    msg.non_icao[(cf == _CF_ADSB_NON_ICAO) | (cf == _CF_TISB_FINE_NON_ICAO)] = True
    coarse = _rows(cf == _CF_TISB_COARSE)
    # Coarse TIS-B: ME bit 1 is the IMF (1: the AA field is a Mode A code + track number).
    msg.non_icao[coarse] = me(word[coarse], 1, 1) == 1
    es: np.ndarray = good & (cf != _CF_TISB_COARSE)
    return es
