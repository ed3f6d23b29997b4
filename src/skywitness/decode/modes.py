"""Stateless batch decoding of Mode S and Mode A/C frames: ``decode_batch(FrameBatch) -> Messages``.

This module is the DF dispatch: it checks lengths and CRC, recovers the address (announced in
DF11/17/18, overlaid on the parity in DF0/4/5/16/20/21), decodes the surveillance header fields
(altitude and identity codes, flight status, capability) and hands the 56-bit ME / MB fields of
long frames to ``adsb`` and ``commb``. Everything is column arithmetic over the whole batch:
the length, DF and CRC checks over every row, the fields over the accepted rows sorted by DF,
where each set of DFs a step decodes is one slice.
"""

from __future__ import annotations

import numpy as np

from ..model import (
    B1,
    LONG_FRAME_BYTES,
    MODEAC_FRAME_BYTES,
    SHORT_FRAME_BYTES,
    U1,
    U4,
    FrameBatch,
    Messages,
    RejectReason,
    SourceKind,
)
from .adsb import decode_es
from .bits import I8, hdr, header, me, payload
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
#: Smallest CRC remainder that fails the check: any for DF17/18, one past the II/SI codes for
#: DF11; none (more than 24 bits) for the AP formats, whose remainder is the address.
_CRC_LIMIT = np.full(_DF24 + 1, 1 << 24, dtype=np.uint32)
_CRC_LIMIT[[17, 18]] = 1
_CRC_LIMIT[11] = _DF11_MAX_REMAINDER


def _by_df(table: np.ndarray, df_field: U1) -> np.ndarray:
    """``table`` (by DF 0..24) of each frame's 5-bit DF field: ``clip`` reads 24-31 as DF24."""
    return np.take(table, df_field, mode="clip")


# Flight status (DF4/5/20/21) -> onground / alert / spi; FS 6-7 are unassigned (-1).
_FS_ONGROUND = np.array([0, 1, 0, 1, -1, -1, -1, -1], dtype=np.int8)
_FS_ALERT = np.array([0, 0, 1, 1, 1, 0, -1, -1], dtype=np.int8)
_FS_SPI = np.array([0, 0, 0, 0, 1, 1, -1, -1], dtype=np.int8)

#: The accepted rows are sorted by DF in this order, so that each set of DFs a step decodes is
#: one run of them (VS: 0,16; AC13: 0,16,4,20; FS: 4,20,21,5; Comm-B: 20,21; ID13: 21,5; AP
#: address: the first six; CA: 11,17; announced address: 11,17,18; ES: 17,18): a slice.
_GROUP_ORDER = (0, 16, 4, 20, 21, 5, 11, 17, 18)
_UNGROUPED = 255
_GROUP_KEY = np.full(_DF24 + 1, _UNGROUPED, dtype=np.uint8)
_GROUP_KEY[list(_GROUP_ORDER)] = np.arange(len(_GROUP_ORDER))
#: ``_Groups.span``'s "to the end".
_END = -1


def _rows(mask: np.ndarray) -> I8:
    return np.flatnonzero(mask).astype(np.int64)


class _Groups:
    """The accepted Mode S rows (``rows``) sorted by DF in ``_GROUP_ORDER``, their headers."""

    def __init__(self, data: U1, ok: B1, df_field: U1) -> None:
        key = _by_df(_GROUP_KEY, df_field)
        key[~ok] = _UNGROUPED
        order = np.argsort(key, kind="stable")  # a radix sort of bytes
        groups = np.arange(len(_GROUP_ORDER) + 1, dtype=np.uint8)
        starts = np.searchsorted(key[order], groups).tolist()
        self.rows: I8 = order[: starts[-1]]
        self.head = header(data, self.rows)
        self._start = dict(zip((*_GROUP_ORDER, _END), starts, strict=True))

    def span(self, first: int, after: int = _END) -> slice:
        """Where the rows of DF ``first`` up to DF ``after`` (exclusive) of the order are."""
        return slice(self._start[first], self._start[after])


def decode_batch(frames: FrameBatch) -> Messages:
    """Decode every frame of ``frames``; one row out per frame in, same order.

    Rows that cannot be used have ``reject`` set (BAD_LENGTH, UNSUPPORTED_DF, CRC) and no
    fields. Positions stay CPR-encoded; AP addresses are not checked against known aircraft.
    """
    n = len(frames)
    msg = Messages.empty(n, timestamp=frames.timestamp, signal=frames.signal)
    if n == 0:
        return msg
    data = np.ascontiguousarray(frames.data)
    checked = _checked(msg, data, frames.length)
    if checked is None:
        return msg
    ok, df_field, rem = checked
    g = _Groups(data, ok, df_field)
    rows = g.rows

    # Announced, CRC-checked address vs address recovered from the AP overlay.
    ap = rows[g.span(0, 11)]
    msg.icao24[ap] = rem[ap]
    msg.kind[ap] = int(SourceKind.MODE_S)
    announced = g.span(11)
    msg.icao24[rows[announced]] = hdr(g.head[announced], 9, 32)
    msg.address_verified[rows[announced]] = True

    _surveillance(msg, g)
    _df11_17(msg, g)
    _extended_squitter(msg, g, data)
    commb = rows[g.span(20, 5)]
    if commb.size:
        decode_commb(msg, commb, payload(data, commb))
    return msg


def _checked(msg: Messages, data: U1, length: U1) -> tuple[B1, U1, U4] | None:
    """Length, DF and CRC checks of every row: sets ``df`` and ``reject``, decodes Mode A/C.

    Returns the accepted Mode S rows (a mask), each row's 5-bit DF field and CRC remainder;
    None when the batch holds no Mode S frame.
    """
    is_ac = length == MODEAC_FRAME_BYTES
    is_long = length == LONG_FRAME_BYTES
    modes = (length == SHORT_FRAME_BYTES) | is_long
    msg.reject[~(modes | is_ac)] = int(RejectReason.BAD_LENGTH)
    if is_ac.any():
        _mode_ac(msg, _rows(is_ac), data)
    if not modes.any():
        return None
    df_field: U1 = np.right_shift(data[:, 0], np.uint8(3))
    np.minimum(df_field, _DF24, out=msg.df.view(np.uint8), where=modes)

    known = _by_df(_IS_KNOWN, df_field)
    short_df = _by_df(_IS_SHORT, df_field)
    msg.reject[modes & ~known] = int(RejectReason.UNSUPPORTED_DF)
    # A short reply delivered in a 14-byte buffer (jet1090 and some SDR front ends do this) is
    # the short frame followed by noise: decode its first 56 bits, as rs1090 does. A long
    # format in a short frame is too short.
    msg.reject[modes & known & ~short_df & ~is_long] = int(RejectReason.BAD_LENGTH)
    frame_bytes = np.where(short_df & is_long, SHORT_FRAME_BYTES, length).astype(np.uint8)

    rem = remainder(data, frame_bytes)
    crc_bad = rem >= _by_df(_CRC_LIMIT, df_field)
    pending = msg.reject == int(RejectReason.OK)
    msg.reject[pending & modes & crc_bad] = int(RejectReason.CRC)
    ok: B1 = (msg.reject == int(RejectReason.OK)) & modes
    return ok, df_field, rem


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


def _surveillance(msg: Messages, g: _Groups) -> None:
    """Header fields of DF0/4/5/16/20/21: VS or FS, and the AC13 altitude or ID13 identity."""
    rows, head = g.rows, g.head
    vs = g.span(0, 4)
    msg.onground[rows[vs]] = hdr(head[vs], 6, 6)
    fs = g.span(4, 11)
    code, fs_rows = hdr(head[fs], 6, 8), rows[fs]
    msg.onground[fs_rows] = _FS_ONGROUND[code]
    msg.alert[fs_rows] = _FS_ALERT[code]
    msg.spi[fs_rows] = _FS_SPI[code]
    alt = g.span(0, 21)
    msg.altitude[rows[alt]] = altitude_ac13(hdr(head[alt], 20, 32))
    ident = g.span(21, 11)
    msg.squawk[rows[ident]] = squawk_id13(hdr(head[ident], 20, 32))


def _df11_17(msg: Messages, g: _Groups) -> None:
    """All-call replies and ADS-B: kind, and the capability field's air/ground state."""
    msg.kind[g.rows[g.span(11, 17)]] = int(SourceKind.MODE_S_CHECKED)
    msg.kind[g.rows[g.span(17, 18)]] = int(SourceKind.ADSB)
    ca = g.span(11, 18)
    msg.onground[g.rows[ca]] = _CA_ONGROUND[hdr(g.head[ca], 6, 8)]


def _extended_squitter(msg: Messages, g: _Groups, data: U1) -> None:
    """DF17 and DF18: the DF18 control field, then the ME fields of the rows that carry them."""
    rows = g.rows[g.span(17)]
    if rows.size == 0:
        return
    word = payload(data, rows)
    n17 = g.span(17, 18).stop - g.span(17).start  # the DF17 rows come first
    cf = hdr(g.head[g.span(18)], 6, 8)
    decodable = _df18_control(msg, rows[n17:], cf, word[n17:])
    if not decodable.all():
        keep = np.concatenate((np.ones(n17, dtype=np.bool_), decodable))
        rows, word, cf = rows[keep], word[keep], cf[decodable]
    imf = decode_es(msg, rows, word)
    # Fine TIS-B and ADS-R use the IMF bit to say the address is not an ICAO one.
    flagged = imf[n17:] & ((cf == _CF_TISB_FINE) | (cf == _CF_ADSR))
    msg.non_icao[rows[n17:][flagged]] = True


def _df18_control(msg: Messages, rows: I8, cf: I8, word: np.ndarray) -> B1:
    """DF18 control field (``cf`` of ``rows``): kind and non-ICAO flag; returns the rows with a
    decodable ME field.

    CF4 (TIS-B/ADS-R management) and CF7 (reserved) carry no aircraft data and are rejected as
    unsupported. Coarse TIS-B (CF3) has its own compact ME layout: only the address is kept.
    """
    kind = _CF_KIND[cf + 1]
    unsupported = kind < 0
    bad = rows[unsupported]
    msg.reject[bad] = int(RejectReason.UNSUPPORTED_DF)
    msg.icao24[bad] = 0
    msg.address_verified[bad] = False
    good = ~unsupported
    msg.kind[rows[good]] = kind[good]
    msg.non_icao[rows[(cf == _CF_ADSB_NON_ICAO) | (cf == _CF_TISB_FINE_NON_ICAO)]] = True
    coarse = cf == _CF_TISB_COARSE
    # Coarse TIS-B: ME bit 1 is the IMF (1: the AA field is a Mode A code + track number).
    msg.non_icao[rows[coarse]] = me(word[coarse], 1, 1) == 1
    es: B1 = good & ~coarse
    return es
