"""The recall half of the incremental ``FlightBuilder`` (``incremental``): summaries of the
flights forgotten in the air (``bridge.BridgeMemory``), and their rows brought back from a
``recall`` when the aircraft comes back airborne where it could not have landed."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from .bridge import first_points
from .chunks import hold
from .kinds import kinds_of
from .rowarrays import flight_states, held_texts, run_tails
from .rowarrays import floats_of as _floats
from .rowarrays import ms_of as _ms
from .schema import empty_flights

if TYPE_CHECKING:
    from .incremental import FlightBuilder

I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]

LAST_POINT = ("latitude", "longitude", "altitude", "groundspeed")  # kept of a flight's end


def remember(b: FlightBuilder, silent: B1) -> None:
    """Summaries of the silent aircraft's last flights that ended in the air (no landing
    seen, nothing after their last point)."""
    assert b._bridges is not None
    order = np.lexsort((b._l_first, b._l_code))
    lc = b._l_code[order]
    last = order[run_tails(lc) & silent[lc]]
    fl = b._live.take(pa.array(last))
    c, last_ms = b._l_code[last], _ms(fl["lastSeen"])
    air = ~np.asarray(pc.fill_null(fl["arrival_observed"], True).to_numpy(), dtype=bool)
    pick = air & (last_ms == b._newest[c])
    if not pick.any():
        return
    # the last kept row of each: the flight's last point
    row = np.full(len(b._code), -1, dtype=np.int64)
    last_row = b._k_alive & silent[b._k_code]
    at = np.flatnonzero(last_row & (b._k_ms == b._newest[b._k_code]))
    np.maximum.at(row, b._k_code[at], at)
    c, fl = c[pick], fl.filter(pa.array(pick))
    pts = pa.concat_tables(b._rows(np.sort(row[c])))
    pts = pts.take(pa.array(np.argsort(np.argsort(row[c]))))  # back in the order of ``c``
    point = np.stack([_floats(pts[k]) for k in LAST_POINT], axis=1)
    fids = fl["flight_id"].to_pylist()
    b._bridges.remember(c, fids, _ms(fl["firstSeen"]), last_ms[pick], point)


def recall_flights(b: FlightBuilder, new: pa.Table, code: I8, ms: I8) -> None:
    """Bring back the flights forgotten in the air that the new points continue (the
    first new point airborne, and no landing possible in between): their rows are kept
    again and the flights live again, so that this update rebuilds them with the new
    points. Aircraft heard again lose their summaries either way."""
    assert b._bridges is not None and b._recall is not None
    sub = np.flatnonzero(b._bridges.has(code))
    if sub.size == 0:
        return
    apts = b._inference.airports
    fp = first_points(new.take(pa.array(sub)), apts)
    c, t = code[sub][fp.row], ms[sub][fp.row]
    first = new["icao24"].take(pa.array(sub[fp.row])).to_pylist()
    kind = kinds_of(first, b._kinds) if b._kinds else None
    ok = fp.airborne & b._bridges.bridged(apts, c, t, fp.lat, fp.lon, fp.alt, fp.gs, kind=kind)
    icao = [a for a, k in zip(first, ok.tolist(), strict=True) if k]
    found: dict[str, tuple[int, pa.Table]] = {}
    for a, k in zip(icao, c[ok].tolist(), strict=True):
        lo, hi = int(b._bridges.first_ms[k]), int(b._bridges.last_ms[k])
        rows = held_texts(flight_states(b._recall(a, lo, hi)))
        t_rows = _ms(rows["timestamp"])
        keep = (t_rows >= lo) & (t_rows <= hi)
        keep &= np.asarray(pc.equal(rows["icao24"], a).to_numpy(), dtype=bool)
        if keep.any():
            found[str(b._bridges.fid[k])] = (k, rows.filter(pa.array(keep)))
    b._bridges.forget(np.unique(code[sub]))
    back = unfinal(b, list(found))
    for fid in back["flight_id"].to_pylist():
        k, rows = found[fid]
        hold(b, rows, np.full(rows.num_rows, k, dtype=np.int64), _ms(rows["timestamp"]))
    b.recalls += back.num_rows
    b._live = pa.concat_tables([b._live, back]).combine_chunks()
    b._l_code = np.r_[b._l_code, b._codes(back["icao24"])]
    b._l_first = np.r_[b._l_first, _ms(back["firstSeen"])]


def unfinal(b: FlightBuilder, fids: list[str]) -> pa.Table:
    """Take the final flights ``fids`` out of the final tables."""
    if not fids:
        return empty_flights()
    ids, out, keep = pa.array(fids, pa.string()), [], []
    for table in b._final:
        m = pc.is_in(table["flight_id"], value_set=ids)
        if pc.any(m).as_py():
            out.append(table.filter(m))
            table = table.filter(pc.invert(m))
        keep.append(table)
    b._final = keep
    return pa.concat_tables(out) if out else empty_flights()


def recallable(b: FlightBuilder) -> list[pa.Table]:
    """The final flights a recall may still bring back (their aircraft's summary is
    remembered): all ``keep_final=False`` keeps of the final flights."""
    if b._bridges is None or not b._final:
        return []
    fids = sorted({f for f in b._bridges.fid.tolist() if f is not None})
    if not fids:
        return []
    final = pa.concat_tables(b._final)
    keep = final.filter(pc.is_in(final["flight_id"], value_set=pa.array(fids, pa.string())))
    return [keep.combine_chunks()] if keep.num_rows else []
