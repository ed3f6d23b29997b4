"""SBS-1 / BaseStation output (port 30003 lines), the format dump1090 and readsb emit.

Pure formatting: decoded ``Messages`` plus the positions the tracker resolved for them become
``MSG,<type>,…`` lines, so tools that read BaseStation can chain behind skywitness.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from ..model import Messages
from ..timeutil import sbs_fields
from ..track.events import EMERGENCY_SQUAWKS

#: BaseStation MSG types.
MSG_IDENT, MSG_SURFACE, MSG_AIRBORNE, MSG_VELOCITY = 1, 2, 3, 4
MSG_SURV_ALT, MSG_SURV_ID, MSG_AIR_TO_AIR, MSG_ALL_CALL = 5, 6, 7, 8

_EMERGENCY_SQUAWKS = tuple(int(code) for code in EMERGENCY_SQUAWKS)


def sbs_types(msgs: Messages) -> npt.NDArray[np.int8]:
    """The MSG type of each message, 0 where BaseStation has none (as dump1090 maps them)."""
    df, tc = msgs.df, msgs.typecode
    out = np.zeros(len(msgs), dtype=np.int8)
    out[(df == 0) | (df == 16)] = MSG_AIR_TO_AIR
    out[(df == 4) | (df == 20)] = MSG_SURV_ALT
    out[(df == 5) | (df == 21)] = MSG_SURV_ID
    out[df == 11] = MSG_ALL_CALL
    es = (df == 17) | (df == 18)
    out[es & (tc >= 1) & (tc <= 4)] = MSG_IDENT
    out[es & (tc >= 5) & (tc <= 8)] = MSG_SURFACE
    out[es & (((tc >= 9) & (tc <= 18)) | ((tc >= 20) & (tc <= 22)))] = MSG_AIRBORNE
    out[es & (tc == 19)] = MSG_VELOCITY
    out[msgs.reject != 0] = 0
    return out


def _num(v: float, fmt: str) -> str:
    return "" if np.isnan(v) else format(v, fmt)


def _flag(v: int) -> str:
    return "" if v < 0 else ("-1" if v else "0")


def format_sbs(
    msgs: Messages,
    latitude: npt.NDArray[np.float64] | None = None,
    longitude: npt.NDArray[np.float64] | None = None,
    *,
    logged_at: float | None = None,
) -> Iterator[str]:
    """BaseStation lines for the messages that have a MSG type, in input order.

    ``latitude``/``longitude`` are the positions resolved by the tracker for each message (NaN
    where none); times are written in UTC (BaseStation's own convention is local time).
    """
    types = sbs_types(msgs)
    log_date, log_time = sbs_fields(time.time() if logged_at is None else logged_at)
    for i in np.flatnonzero(types):
        gen_date, gen_time = sbs_fields(float(msgs.timestamp[i]))
        kind = int(types[i])
        # Comm-B (DF20/21) replies carrying BDS 2,0 give a callsign on MSG,5/6, as in dump1090
        callsign = f"{msgs.callsign[i]:<8}" if msgs.callsign[i] else ""
        alt = (
            "" if kind in (MSG_IDENT, MSG_VELOCITY, MSG_ALL_CALL) else _num(msgs.altitude[i], ".0f")
        )
        lat = lon = ""
        if latitude is not None and longitude is not None and kind in (MSG_SURFACE, MSG_AIRBORNE):
            lat, lon = _num(latitude[i], ".5f"), _num(longitude[i], ".5f")
        gs = trk = vr = ""
        if kind in (MSG_VELOCITY, MSG_SURFACE):
            gs, trk = _num(msgs.groundspeed[i], ".0f"), _num(msgs.track[i], ".0f")
        if kind == MSG_VELOCITY:
            vr = _num(msgs.vertical_rate[i], ".0f")
        squawk = f"{msgs.squawk[i]:04d}" if kind == MSG_SURV_ID and msgs.squawk[i] >= 0 else ""
        alert = spi = emergency = ""
        if kind in (MSG_SURV_ALT, MSG_SURV_ID):
            alert, spi = _flag(int(msgs.alert[i])), _flag(int(msgs.spi[i]))
        if kind == MSG_SURV_ID:
            emergency = "-1" if int(msgs.squawk[i]) in _EMERGENCY_SQUAWKS else "0"
        onground = _flag(int(msgs.onground[i]))
        yield (
            f"MSG,{kind},1,1,{int(msgs.icao24[i]):06X},1,{gen_date},{gen_time},{log_date},"
            f"{log_time},{callsign},{alt},{gs},{trk},{lat},{lon},{vr},{squawk},{alert},"
            f"{emergency},{spi},{onground}"
        )
