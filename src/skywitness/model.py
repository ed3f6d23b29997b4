"""Value types shared by the stages, with their units.

Everything that crosses a stage boundary is defined here, as *columns* (numpy arrays of equal
length) rather than one Python object per message, so that the hot path stays vectorised:

- ``FrameBatch``: raw Mode S / Mode A/C frames as framed by ``sources`` (Beast, AVR, hex lines).
- ``Messages``: what ``decode`` extracts from a ``FrameBatch`` — stateless, one row per frame.
- ``Observations``: already-decoded state reports (SBS, readsb JSON, traces, OpenSky) in the
  canonical vocabulary and units.
- ``STATE_COLUMNS``: the canonical state-vector columns that ``track`` emits and ``store`` keeps.

Missing values: NaN for floats, ``-1`` for signed integer codes, ``""`` for strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

F8 = npt.NDArray[np.float64]
F4 = npt.NDArray[np.float32]
U1 = npt.NDArray[np.uint8]
U4 = npt.NDArray[np.uint32]
U8 = npt.NDArray[np.uint64]
I1 = npt.NDArray[np.int8]
I2 = npt.NDArray[np.int16]
I4 = npt.NDArray[np.int32]
B1 = npt.NDArray[np.bool_]
Str = npt.NDArray[np.str_]

#: Longest Mode S frame, bytes (112 bits).
LONG_FRAME_BYTES = 14
#: Short Mode S frame, bytes (56 bits).
SHORT_FRAME_BYTES = 7
#: Mode A/C reply, bytes.
MODEAC_FRAME_BYTES = 2
#: Largest physical ground speed, kt: the supersonic ADS-B velocity field's maximum (1023 * 4);
#: two components at their maximum (5,787 kt) are a transponder fault, not a speed.
MAX_GROUNDSPEED_KT = 4100.0


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


def _empty(dtype: Any, n: int = 0, fill: Any = None) -> Any:
    arr = np.empty(n, dtype=dtype)
    if fill is not None:
        arr.fill(fill)
    return arr


@dataclass(slots=True)
class FrameBatch:
    """Raw frames from one source, one row per frame.

    ``data`` holds each payload left-aligned in 14 bytes, zero padded; ``length`` says how many
    bytes are real (2 for Mode A/C, 7 short, 14 long).
    """

    timestamp: F8  # unix seconds UTC; NaN where the source gave no wall-clock time
    data: U1  # shape (n, 14)
    length: U1  # bytes in payload: 2, 7 or 14
    signal: F4  # signal level dBFS; NaN when unknown
    ticks: U8  # raw receiver timestamp (Beast 12 MHz counter / GPS ns of day); 0 when none
    receiver: U8  # receiver id (Beast 0xe3 frames); 0 when none
    source: str = ""  # which feed/receiver produced the batch (spec or file name)

    def __len__(self) -> int:
        return int(self.length.shape[0])

    @classmethod
    def empty(cls, source: str = "") -> FrameBatch:
        return cls(
            timestamp=_empty(np.float64),
            data=np.zeros((0, LONG_FRAME_BYTES), dtype=np.uint8),
            length=_empty(np.uint8),
            signal=_empty(np.float32),
            ticks=_empty(np.uint64),
            receiver=_empty(np.uint64),
            source=source,
        )

    @classmethod
    def from_hex(
        cls,
        frames: list[str],
        timestamps: list[float] | F8 | None = None,
        source: str = "",
    ) -> FrameBatch:
        """Build a batch from hex strings; ValueError naming the first bad frame.

        Frames of equal length are joined and parsed by one ``bytes.fromhex`` call, not one
        call per frame (about ten times faster on large lists).
        """
        n = len(frames)
        data = np.zeros((n, LONG_FRAME_BYTES), dtype=np.uint8)
        chars = np.fromiter(map(len, frames), dtype=np.int64, count=n)
        valid = (MODEAC_FRAME_BYTES, SHORT_FRAME_BYTES, LONG_FRAME_BYTES)
        bad_length = ~np.isin(chars, [2 * b for b in valid])
        if bad_length.any():
            i = int(np.flatnonzero(bad_length)[0])
            raise ValueError(f"frame {i}: {chars[i] / 2:g} bytes is not a Mode S/AC length")
        for nbytes in valid:
            idx = np.flatnonzero(chars == 2 * nbytes)
            if idx.size == 0:
                continue
            group = frames if idx.size == n else [frames[i] for i in idx]
            try:
                raw = bytes.fromhex("".join(group))
            except ValueError:
                raw = b""
            if len(raw) != idx.size * nbytes:  # bad hex, or whitespace (fromhex skips it)
                _name_bad_hex(frames, idx.tolist(), nbytes)
            data[idx, :nbytes] = np.frombuffer(raw, dtype=np.uint8).reshape(idx.size, nbytes)
        ts = (
            np.full(n, np.nan, dtype=np.float64)
            if timestamps is None
            else np.asarray(timestamps, dtype=np.float64)
        )
        return cls(
            timestamp=ts,
            data=data,
            length=(chars // 2).astype(np.uint8),
            signal=np.full(n, np.nan, dtype=np.float32),
            ticks=np.zeros(n, dtype=np.uint64),
            receiver=np.zeros(n, dtype=np.uint64),
            source=source,
        )

    def hex(self, i: int) -> str:
        return bytes(self.data[i, : int(self.length[i])]).hex()

    def take(self, index: npt.NDArray[Any]) -> FrameBatch:
        return FrameBatch(
            timestamp=self.timestamp[index],
            data=self.data[index],
            length=self.length[index],
            signal=self.signal[index],
            ticks=self.ticks[index],
            receiver=self.receiver[index],
            source=self.source,
        )

    @staticmethod
    def concat(batches: list[FrameBatch]) -> FrameBatch:
        if not batches:
            return FrameBatch.empty()
        return FrameBatch(
            timestamp=np.concatenate([b.timestamp for b in batches]),
            data=np.concatenate([b.data for b in batches]),
            length=np.concatenate([b.length for b in batches]),
            signal=np.concatenate([b.signal for b in batches]),
            ticks=np.concatenate([b.ticks for b in batches]),
            receiver=np.concatenate([b.receiver for b in batches]),
            source=batches[0].source,
        )


class CprKind(IntEnum):
    """Which CPR encoding a message's ``cpr_lat``/``cpr_lon`` carry."""

    NONE = 0
    AIRBORNE = 1
    SURFACE = 2


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
    def empty(cls, n: int) -> Messages:
        """All-missing columns of length ``n`` (decoders fill them in place)."""
        nan = np.nan
        return cls(
            timestamp=_empty(np.float64, n, nan),
            df=_empty(np.int8, n, -1),
            icao24=_empty(np.uint32, n, 0),
            address_verified=_empty(np.bool_, n, False),
            non_icao=_empty(np.bool_, n, False),
            reject=_empty(np.uint8, n, 0),
            kind=_empty(np.uint8, n, 0),
            typecode=_empty(np.int8, n, -1),
            bds=_empty(np.uint8, n, 0),
            bds_ambiguous=_empty(np.bool_, n, False),
            category=_empty(np.int8, n, -1),
            callsign=_empty("<U8", n, ""),
            squawk=_empty(np.int16, n, -1),
            altitude=_empty(np.float64, n, nan),
            geoaltitude=_empty(np.float64, n, nan),
            groundspeed=_empty(np.float64, n, nan),
            track=_empty(np.float64, n, nan),
            vertical_rate=_empty(np.float64, n, nan),
            heading=_empty(np.float64, n, nan),
            ias=_empty(np.float64, n, nan),
            tas=_empty(np.float64, n, nan),
            mach=_empty(np.float64, n, nan),
            roll=_empty(np.float64, n, nan),
            track_rate=_empty(np.float64, n, nan),
            selected_altitude=_empty(np.float64, n, nan),
            baro_setting=_empty(np.float64, n, nan),
            onground=_empty(np.int8, n, -1),
            alert=_empty(np.int8, n, -1),
            spi=_empty(np.int8, n, -1),
            emergency=_empty(np.int8, n, -1),
            cpr_kind=_empty(np.uint8, n, 0),
            cpr_odd=_empty(np.int8, n, -1),
            cpr_lat=_empty(np.int32, n, -1),
            cpr_lon=_empty(np.int32, n, -1),
            nuc_p=_empty(np.int8, n, -1),
            adsb_version=_empty(np.int8, n, -1),
            nic_supplement=_empty(np.int8, n, -1),
            nac_p=_empty(np.int8, n, -1),
            sil=_empty(np.int8, n, -1),
            modeac=_empty(np.int16, n, -1),
            geo_minus_baro=_empty(np.float64, n, nan),
            signal=_empty(np.float32, n, nan),
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


@dataclass(slots=True)
class Observations:
    """Already-decoded state reports in canonical names and units, one row per report.

    Produced by SBS, readsb ``aircraft.json``/trace and OpenSky readers. Units are converted at
    the reader (the boundary), once: ft, kt, ft/min, degrees, unix seconds UTC.
    """

    timestamp: F8
    icao24: U4
    non_icao: B1
    callsign: Str  # "" when none
    latitude: F8
    longitude: F8
    altitude: F8
    geoaltitude: F8
    groundspeed: F8
    track: F8
    vertical_rate: F8
    squawk: I2  # decimal digits of the octal code, -1 none
    onground: I1  # -1 unknown
    kind: U1  # SourceKind for these values
    position_source: U1  # PositionSource
    new_leg: B1 = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))  # trace flag 2
    #: 95 % horizontal radius of the position, m (multilateration); NaN unknown
    position_error: F8 = field(default_factory=lambda: np.zeros(0))
    source: str = ""

    def __len__(self) -> int:
        return int(self.timestamp.shape[0])

    @classmethod
    def empty(cls, n: int, source: str = "") -> Observations:
        nan = np.nan
        return cls(
            timestamp=_empty(np.float64, n, nan),
            icao24=_empty(np.uint32, n, 0),
            non_icao=_empty(np.bool_, n, False),
            callsign=_empty("<U8", n, ""),
            latitude=_empty(np.float64, n, nan),
            longitude=_empty(np.float64, n, nan),
            altitude=_empty(np.float64, n, nan),
            geoaltitude=_empty(np.float64, n, nan),
            groundspeed=_empty(np.float64, n, nan),
            track=_empty(np.float64, n, nan),
            vertical_rate=_empty(np.float64, n, nan),
            squawk=_empty(np.int16, n, -1),
            onground=_empty(np.int8, n, -1),
            kind=_empty(np.uint8, n, int(SourceKind.OTHER)),
            position_source=_empty(np.uint8, n, int(PositionSource.UNKNOWN)),
            new_leg=_empty(np.bool_, n, False),
            position_error=_empty(np.float64, n, np.nan),
            source=source,
        )


#: Canonical state-vector columns, in order, as written to Parquet/CSV/JSON (traffic's names).
#: timestamp is written as timestamp[ms, tz=UTC]; squawk as a 4-char string; onground as bool.
#: ``position_error``: metres, the 95 % horizontal radius of a multilateration position (null
#: for every other position source, whose accuracy is in the message, not estimated here).
STATE_COLUMNS: tuple[str, ...] = (
    "timestamp",
    "icao24",
    "callsign",
    "latitude",
    "longitude",
    "altitude",
    "geoaltitude",
    "groundspeed",
    "track",
    "vertical_rate",
    "squawk",
    "onground",
    "source",
    "position_source",
    "position_error",
)

#: Arrow type of a state-vector timestamp: milliseconds, UTC.
TIMESTAMP_TYPE = pa.timestamp("ms", tz="UTC")
#: Arrow type of each state-vector column (standard Parquet types only, so DuckDB, Spark,
#: Trino and the ``traffic`` library read the lake unchanged); the other columns are float64.
STATE_TYPES: dict[str, pa.DataType] = {
    name: {
        "timestamp": TIMESTAMP_TYPE,
        "icao24": pa.string(),
        "callsign": pa.string(),
        "squawk": pa.string(),
        "onground": pa.bool_(),
        "source": pa.string(),
        "position_source": pa.string(),
    }.get(name, pa.float64())
    for name in STATE_COLUMNS
}
#: The one state-vector schema: what ``track`` emits, the lake stores and ``flights`` reads.
STATE_SCHEMA = pa.schema([pa.field(name, STATE_TYPES[name]) for name in STATE_COLUMNS])


def _name_bad_hex(frames: list[str], idx: list[int], nbytes: int) -> None:
    """Raise ValueError naming the first of ``frames[idx]`` that is not ``nbytes`` in hex."""
    for j in idx:
        try:
            ok = len(bytes.fromhex(frames[j])) == nbytes
        except ValueError as exc:
            raise ValueError(f"frame {j}: bad hex ({exc})") from None
        if not ok:
            raise ValueError(f"frame {j}: bad hex (not {2 * nbytes} hex digits: {frames[j]!r})")
    raise AssertionError("unreachable: every frame parsed alone")  # pragma: no cover


def icao_hex(address: int) -> str:
    """24-bit address as 6 lowercase hex digits."""
    return f"{address & 0xFFFFFF:06x}"


def squawk_str(code: int) -> str | None:
    """Squawk column value: 4-char string, or None when missing (-1)."""
    return None if code < 0 else f"{code:04d}"


@dataclass(frozen=True, slots=True)
class StateRows:
    """Already-tracked state vectors from one document (our own lake files, ``traffic`` and
    OpenSky exports) as a canonical ``STATE_SCHEMA`` table: every row with a time and a
    6-hex-digit address. The ingest step gates them column-wise (``track.states_gate``)
    instead of re-tracking them; readers that need reports convert them
    (``sources.states.observations_from_states``)."""

    table: pa.Table
    source: str = ""

    def __len__(self) -> int:
        return int(self.table.num_rows)
