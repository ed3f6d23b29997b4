"""Value types shared by the stages, with their units.

Everything that crosses a stage boundary is defined here, as *columns* (numpy arrays of equal
length) rather than one Python object per message, so that the hot path stays vectorised:

- ``FrameBatch``: raw Mode S / Mode A/C frames as framed by ``sources`` (Beast, AVR, hex lines).
- ``Messages``: what ``decode`` extracts from a ``FrameBatch`` — stateless, one row per frame.
- ``Observations``: already-decoded state reports (SBS, readsb JSON, traces, OpenSky) in the
  canonical vocabulary and units.
- ``STATE_COLUMNS``: the canonical state-vector columns that ``track`` emits and ``store`` keeps;
  ``StateRows``: a document of already-tracked state vectors in that schema.

Missing values: NaN for floats, ``-1`` for signed integer codes, ``""`` for strings.

One module a type (``frames``, ``messages``, ``observations``, ``states``), their column types
(``arrays``) and codes (``codes``); import them from here.
"""

from .arrays import B1, F4, F8, I1, I2, I4, U1, U4, U8, Str
from .codes import (
    LONG_FRAME_BYTES,
    MAX_GROUNDSPEED_KT,
    MODEAC_FRAME_BYTES,
    NON_ICAO_FLAG,
    SHORT_FRAME_BYTES,
    CprKind,
    PositionSource,
    RejectReason,
    SourceKind,
    icao_hex,
    squawk_str,
)
from .frames import FrameBatch
from .messages import Messages
from .observations import Observations
from .states import STATE_COLUMNS, STATE_SCHEMA, STATE_TYPES, TIMESTAMP_TYPE, StateRows

__all__ = [
    "B1",
    "F4",
    "F8",
    "I1",
    "I2",
    "I4",
    "LONG_FRAME_BYTES",
    "MAX_GROUNDSPEED_KT",
    "MODEAC_FRAME_BYTES",
    "NON_ICAO_FLAG",
    "SHORT_FRAME_BYTES",
    "STATE_COLUMNS",
    "STATE_SCHEMA",
    "STATE_TYPES",
    "TIMESTAMP_TYPE",
    "U1",
    "U4",
    "U8",
    "CprKind",
    "FrameBatch",
    "Messages",
    "Observations",
    "PositionSource",
    "RejectReason",
    "SourceKind",
    "StateRows",
    "Str",
    "icao_hex",
    "squawk_str",
]
