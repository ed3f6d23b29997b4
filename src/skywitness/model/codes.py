"""Frame sizes, physical limits and the integer codes carried in the value types' columns
(source kinds, position sources, reject reasons, CPR kinds), with their text forms."""

from __future__ import annotations

from enum import IntEnum

#: Longest Mode S frame, bytes (112 bits).
LONG_FRAME_BYTES = 14
#: Short Mode S frame, bytes (56 bits).
SHORT_FRAME_BYTES = 7
#: Mode A/C reply, bytes.
MODEAC_FRAME_BYTES = 2
#: Largest physical ground speed, kt: the supersonic ADS-B velocity field's maximum (1023 * 4);
#: two components at their maximum (5,787 kt) are a transponder fault, not a speed.
MAX_GROUNDSPEED_KT = 4100.0
#: Bit set in tracker keys for non-ICAO (anonymous, TIS-B) addresses; rendered as a '~' prefix.
NON_ICAO_FLAG = 1 << 24


class SourceKind(IntEnum):
    """Where a value came from, ordered by trust (higher wins), after readsb's ``datasource_t``.

    A fresher value from a lower kind does not overwrite a recent value from a higher kind.
    """

    INVALID = 0
    OTHER = 1  # already-decoded feeds of unknown quality (aircraft.json "other", OpenSky REST)
    MODE_AC = 2
    SBS = 3  # BaseStation CSV: already decoded, no CRC
    MLAT = 4
    MODE_S = 5  # DF0/4/5/16/20/21: address only recovered from parity (AP)
    ADSC = 6
    MODE_S_CHECKED = 7  # DF11 / Comm-B with a verified address
    TISB = 8
    ADSR = 9
    ADSB = 10


class PositionSource(IntEnum):
    """The ``position_source`` column: how a position was obtained (OpenSky/readsb vocabulary)."""

    UNKNOWN = 0
    ADSB = 1
    MLAT = 2
    TISB = 3
    ADSC = 4
    ADSR = 5
    OTHER = 6

    @property
    def label(self) -> str:
        return self.name.lower()


class RejectReason(IntEnum):
    """Why a frame, line or record was not accepted. Every reject is counted under one of these."""

    OK = 0
    BAD_LENGTH = 1  # payload length not valid for its downlink format
    CRC = 2  # CRC remainder non-zero where it must be zero (DF11/17/18)
    UNKNOWN_ADDRESS = 3  # AP-recovered address never heard in DF11/17/18 recently
    UNSUPPORTED_DF = 4  # downlink format not handled (DF19 military, DF22, DF24 ...)
    BAD_FIELD = 5  # a field value outside its defined range
    BAD_LINE = 6  # a text line that does not parse
    BAD_ESCAPE = 7  # Beast: truncated or invalid 0x1a escape
    BAD_TYPE = 8  # Beast: unknown frame type byte
    BAD_HEX = 9  # hex text with invalid characters or odd length
    BAD_TIMESTAMP = 10
    BAD_RECORD = 11  # a JSON/CSV record missing required fields or of the wrong shape
    BAD_ENCODING = 12  # text that is not UTF-8
    TRUNCATED = 13  # input ended mid-frame / mid-record (half-written gzip, cut file)
    IMPLAUSIBLE_POSITION = 14  # tracker: position implies impossible speed / jump
    DUPLICATE = 15  # identical frame already heard from another receiver in the window
    NON_ICAO = 16  # anonymous/non-ICAO address kept apart (counted, not an error)
    BAD_POSITION = 17  # CPR could not be resolved (zone mismatch, no reference)

    @property
    def label(self) -> str:
        return self.name.lower()


class CprKind(IntEnum):
    """Which CPR encoding a message's ``cpr_lat``/``cpr_lon`` carry."""

    NONE = 0
    AIRBORNE = 1
    SURFACE = 2


def icao_hex(address: int) -> str:
    """24-bit address as 6 lowercase hex digits."""
    return f"{address & 0xFFFFFF:06x}"


def squawk_str(code: int) -> str | None:
    """Squawk column value: 4-char string, or None when missing (-1)."""
    return None if code < 0 else f"{code:04d}"
