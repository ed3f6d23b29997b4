"""Airport inference for flight ends, behind the ``AirportInference`` protocol.

An *observed* end was seen on the ground: its ground points are attributed to the airport whose
runway centre lines (or centre, where runways are unknown) they lie closest to on average, so
LFPB's aprons are not given to LFPG because of a centre 10 km away. An *estimated* end (first or
last seen airborne) is named the OpenSky way, with the horizontal and vertical distance of the
reference point, but only among airports the aircraft could be flying to or from: low enough
for the distance (no airports under cruising aircraft; a steep gradient, or the aircraft's own
climb or descent gradient, counted from the runway's far end for a departure), near enough for
the time its own climb (descent) says it has been airborne (no airfield 20 km from a helicopter
that lifted off a helipad a minute ago), and ahead of it (or behind, for a departure) beyond a
traffic pattern's radius; a track aligned with a runway's extended centre line counts in
favour. The aircraft's kind (``flights.kinds``; by its speed where unknown: a fast aircraft
as a jet) bounds an arrival's descent (a jet slowing down to land: about 3.5 degrees, not
5) and the runway it needs: an airport whose longest runway is too short, or unpaved for a
jet, is no candidate. An airport's lacking an IATA code only breaks exact ties, for every
aircraft. Everything works over arrays of ends and (end, candidate) pairs at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ..runs import run_starts, run_stops
from .airports import (
    FT_PER_M,
    AirportIndex,
    RunwayIndex,
    angle_diff_deg,
    bearing_deg,
    haversine_m,
)
from .kinds import (
    KIND_ARRIVAL_SLOPE,
    KIND_MIN_RUNWAY_FT,
    KIND_PAVED,
    Kind,
    per_kind,
)

F8 = npt.NDArray[np.float64]
I8 = npt.NDArray[np.int64]
B1 = npt.NDArray[np.bool_]
I1 = npt.NDArray[np.int8]

N_ALTERNATIVES = 3
OBSERVED_RADIUS_M = 8_000.0  # ground points farther than this from an airport are not on it
CENTRE_RADIUS_M = 2_500.0  # half the extent of a large airport, used where runways are unknown
OBSERVED_DIST_CAP_M = 3_000.0  # one stray ground point cannot outweigh the rest
OBSERVED_SCALE_M = 1_000.0  # score = exp(-mean distance / scale)
ESTIMATED_RADIUS_M = 60_000.0  # OpenSky-style estimates only within this of the first/last point
ESTIMATED_SCALE_M = 40_000.0
ESTIMATED_CONFIDENCE_MAX = 0.7  # an estimate is never as sure as an observation
VERT_BASE_FT = 1_500.0  # allowed height above the airport at zero distance, ft
ARRIVAL_SLOPE_FT_PER_M = 0.3  # ft per metre, about 5 degrees: a steep descent from cruise
# a fast aircraft of unknown kind descends to land as a jet does
FAST_ARRIVAL_SLOPE_FT_PER_M = float(KIND_ARRIVAL_SLOPE[Kind.JET])
# a fast aircraft of unknown kind needs a runway as long as a jet's
FAST_MIN_RUNWAY_FT = float(KIND_MIN_RUNWAY_FT[Kind.JET])
DEPARTURE_SLOPE_FT_PER_M = 0.45  # ft per metre, about 8 degrees: a steep initial climb
OWN_SLOPE_MARGIN = 1.5  # the aircraft's own gradient, with this margin, may exceed the above
KT_TO_M_PER_MIN = 1852.0 / 60.0  # metres per minute at one knot
MIN_OWN_RATE_FPM = 300.0  # a climb (descent) this fast bounds how far the airport can be
REACH_MARGIN = 3.0  # the distance flown since liftoff at the rate seen, times this ...
REACH_BASE_M = 3_000.0  # ... plus this, m (altimeter setting, pattern)
UNKNOWN_KT = 1e6  # an unknown speed bounds nothing
WRONG_WAY_FPM = 500.0  # an arrival climbing (a departure descending) faster is not one
NO_IATA_TIE = 1.0 - 1e-9  # score factor of an airport without IATA code: breaks ties only
FAST_AIRCRAFT_KT = 250.0  # a flight this fast somewhere is an airliner or jet
PATTERN_RADIUS_M = 5_000.0  # around an airport closer than this, any direction is plausible
ALIGN_MAX_DEG = 15.0  # track within this of a runway heading is aligned with it
ALIGN_OFFSET_M = 1_500.0  # and this close to its centre line (extended) is on final/initial


@dataclass(slots=True)
class FlightEnds:
    """Flight ends to attribute: one row per end; ground samples for observed ends."""

    observed: B1
    arrival: B1  # True for an arrival, False for a departure
    lat: F8  # reference point: touchdown/liftoff, or the last/first point seen
    lon: F8
    alt: F8  # barometric ft at the reference point (NaN on the ground)
    direction: F8  # direction of motion at the reference point, deg (NaN unknown)
    vrate: F8  # vertical rate near the reference point, ft/min (NaN unknown)
    speed_kt: F8  # the flight's highest ground speed, kt (NaN unknown): what kind of aircraft
    end_kt: F8  # ground speed near the reference point, kt (NaN unknown)
    sample_end: I8  # for each ground sample, the end it belongs to
    sample_lat: F8
    sample_lon: F8
    kind: I1 | None = None  # the aircraft's ``flights.kinds.Kind`` per end (None: unknown)

    def __len__(self) -> int:
        return int(self.lat.shape[0])


@dataclass(slots=True)
class Attribution:
    """Per end: chosen airport (-1 none), distances, confidence and ranked alternatives."""

    airport: I8
    horiz_m: F8
    vert_m: F8
    confidence: F8
    n_candidates: I8
    alt_airport: I8  # shape (n, 3), -1 padded
    alt_distance_m: F8
    alt_score: F8


class AirportInference(Protocol):
    """A strategy naming the airport of each flight end."""

    airports: AirportIndex

    def attribute(self, ends: FlightEnds) -> Attribution: ...


def _rank(
    n: int, end: I8, apt: I8, dist: F8, score: F8, ok: B1
) -> tuple[I8, F8, F8, I8, I8, F8, F8]:
    """Best candidate per end and the top alternatives, from (end, candidate) pairs."""
    end, apt, dist, score = end[ok], apt[ok], dist[ok], score[ok]
    best = np.full(n, -1, dtype=np.int64)
    bdist = np.full(n, np.nan)
    bscore = np.full(n, np.nan)
    second = np.zeros(n)
    count = np.bincount(end, minlength=n).astype(np.int64)
    alt_a = np.full((n, N_ALTERNATIVES), -1, dtype=np.int64)
    alt_d = np.full((n, N_ALTERNATIVES), np.nan)
    alt_s = np.full((n, N_ALTERNATIVES), np.nan)
    if end.size:
        order = np.lexsort((apt, -score, end))
        end, apt, dist, score = end[order], apt[order], dist[order], score[order]
        start = run_starts(end)
        rank = np.arange(end.shape[0]) - np.repeat(start, run_stops(start, end.shape[0]) - start)
        top = rank < N_ALTERNATIVES
        alt_a[end[top], rank[top]] = apt[top]
        alt_d[end[top], rank[top]] = dist[top]
        alt_s[end[top], rank[top]] = score[top]
        best[end[start]] = apt[start]
        bdist[end[start]] = dist[start]
        bscore[end[start]] = score[start]
        sec = rank == 1
        second[end[sec]] = score[sec]
    return best, bdist, bscore, count, alt_a, alt_d, alt_s


class RunwayAwareInference:
    """Airport inference using runway centre lines where known, airport centres elsewhere."""

    def __init__(self, airports: AirportIndex, runways: RunwayIndex | None = None) -> None:
        self.airports = airports
        self.runways = runways

    def _line_distance(
        self, lat: F8, lon: F8, apt: I8, direction: F8 | None, core: bool = False
    ) -> tuple[F8, F8]:
        """Metres to the airport's nearest runway centre line (centre if none), misalignment."""
        centre = np.asarray(
            _hav(lat, lon, self.airports.lat[apt], self.airports.lon[apt]), dtype=np.float64
        )
        # without runways, anywhere within CENTRE_RADIUS_M of the centre may be on the airport
        if core:
            centre = np.maximum(centre - CENTRE_RADIUS_M, 0.0)
        if self.runways is None:
            return centre, np.full(lat.shape[0], np.nan)
        d, mis = self.runways.distance(lat, lon, apt, direction)
        return np.where(np.isnan(d), centre, d), mis

    def attribute(self, ends: FlightEnds) -> Attribution:
        n = len(ends)
        # ends all of one kind (a live step's flights in progress: both ends in the air):
        # the other kind's attribution, all its calls over no end (~30 % of it), not made
        if n and not ends.observed.any():
            return Attribution(*self._estimated(ends))
        if n and ends.observed.all():
            return Attribution(*self._observed(ends))
        obs = self._observed(ends)
        est = self._estimated(ends)
        pick = ends.observed
        return Attribution(
            airport=np.where(pick, obs[0], est[0]),
            horiz_m=np.where(pick, obs[1], est[1]),
            vert_m=np.where(pick, obs[2], est[2]),
            confidence=np.where(pick, obs[3], est[3]),
            n_candidates=np.where(pick, obs[4], est[4]),
            alt_airport=np.where(pick[:, None], obs[5], est[5]) if n else obs[5],
            alt_distance_m=np.where(pick[:, None], obs[6], est[6]) if n else obs[6],
            alt_score=np.where(pick[:, None], obs[7], est[7]) if n else obs[7],
        )

    def _observed(self, ends: FlightEnds) -> tuple[I8, F8, F8, F8, I8, I8, F8, F8]:
        n = len(ends)
        a = self.airports
        qi, ai, _ = _pairs(a, ends, ends.observed, OBSERVED_RADIUS_M)
        # expand each (end, candidate) pair over the end's ground samples
        s_order = np.argsort(ends.sample_end, kind="stable")
        s_end = ends.sample_end[s_order]
        s_start = np.searchsorted(s_end, np.arange(n), side="left")
        s_count = np.searchsorted(s_end, np.arange(n), side="right") - s_start
        reps = s_count[qi]
        pair = np.repeat(np.arange(qi.shape[0]), reps)
        offs = np.cumsum(reps) - reps
        si = s_order[s_start[qi][pair] + (np.arange(pair.shape[0]) - offs[pair])]
        d, _ = self._line_distance(
            ends.sample_lat[si], ends.sample_lon[si], ai[pair], None, core=True
        )
        # ground rows without a position (before the first surface fix) carry no evidence
        has = np.isfinite(d)
        capped = np.where(has, np.minimum(d, OBSERVED_DIST_CAP_M), 0.0)
        n_has = np.bincount(pair, weights=has, minlength=qi.shape[0])
        mean = np.bincount(pair, weights=capped, minlength=qi.shape[0]) / np.maximum(n_has, 1)
        ref_d, _ = self._line_distance(ends.lat[qi], ends.lon[qi], ai, None)
        mean = np.where(n_has > 0, mean, np.minimum(ref_d, OBSERVED_DIST_CAP_M))
        score = np.exp(-mean / OBSERVED_SCALE_M)
        ok = mean < OBSERVED_DIST_CAP_M
        best, dist, s1, count, alt_a, alt_d, alt_s = _rank(n, qi, ai, ref_d, score, ok)
        s2 = np.nan_to_num(alt_s[:, 1]) if n else np.zeros(0)
        conf = np.where(best >= 0, s1 * s1 / np.maximum(s1 + s2, 1e-12), np.nan)
        vert = (ends.alt - a.elevation_ft[np.maximum(best, 0)]) / FT_PER_M
        vert = np.where(best >= 0, np.nan_to_num(np.maximum(vert, 0.0)), np.nan)
        return best, dist, vert, conf, count, alt_a, alt_d, alt_s

    @staticmethod
    def _arrival_slope(ends: FlightEnds, qi: I8) -> F8:
        """Steepest descent to land (ft per metre) for the aircraft of ends ``qi``: its
        kind's, else a jet's for a fast aircraft (it must slow down too), else 5 degrees."""
        kind = None if ends.kind is None else ends.kind[qi]
        slope = per_kind(KIND_ARRIVAL_SLOPE, kind, qi.shape[0])
        fast = ends.speed_kt[qi] >= FAST_AIRCRAFT_KT
        by_speed = np.where(fast, FAST_ARRIVAL_SLOPE_FT_PER_M, ARRIVAL_SLOPE_FT_PER_M)
        return np.where(np.isfinite(slope), slope, by_speed)

    @staticmethod
    def _runway_needed(ends: FlightEnds, qi: I8) -> tuple[F8, B1]:
        """Shortest runway (ft) the aircraft of ends ``qi`` can use, and whether it must be
        paved: its kind's, else a jet's for a fast aircraft (an airliner or business jet),
        else none (0 ft, any surface)."""
        kind = None if ends.kind is None else ends.kind[qi]
        need = per_kind(KIND_MIN_RUNWAY_FT, kind, qi.shape[0])
        paved = per_kind(KIND_PAVED, kind, qi.shape[0])
        fast = ends.speed_kt[qi] >= FAST_AIRCRAFT_KT
        known = np.isfinite(need)
        need = np.where(known, need, np.where(fast, FAST_MIN_RUNWAY_FT, 0.0))
        return need, np.where(known, paved > 0, fast)

    def _estimated(self, ends: FlightEnds) -> tuple[I8, F8, F8, F8, I8, I8, F8, F8]:
        n = len(ends)
        a = self.airports
        qi, ai, horiz = _pairs(a, ends, ~ends.observed, ESTIMATED_RADIUS_M)
        keep, mis = self._plausible(ends, qi, ai, horiz)
        qi, ai, horiz = qi[keep], ai[keep], horiz[keep]
        score = self._estimate_score(ends, qi, ai, horiz, mis)
        every = np.ones(qi.shape[0], dtype=bool)
        best, dist, s1, count, alt_a, alt_d, alt_s = _rank(n, qi, ai, horiz, score, every)
        s2 = np.nan_to_num(alt_s[:, 1]) if n else np.zeros(0)
        conf = np.where(
            best >= 0,
            np.minimum(s1, ESTIMATED_CONFIDENCE_MAX) * s1 / np.maximum(s1 + s2, 1e-12),
            np.nan,
        )
        vert = (ends.alt - a.elevation_ft[np.maximum(best, 0)]) / FT_PER_M
        vert = np.where(best >= 0, vert, np.nan)
        return best, dist, vert, conf, count, alt_a, alt_d, alt_s

    def _plausible(self, ends: FlightEnds, qi: I8, ai: I8, horiz: F8) -> tuple[I8, F8]:
        """The (end, airport) pairs an estimated end may name (their indices), and the track's
        misalignment with each one's nearest runway (NaN: unknown). The tests needing no
        runway geometry go first, so it is computed only for the pairs left (most pairs
        are airports under a cruising aircraft)."""
        a = self.airports
        vert_ft = ends.alt[qi] - a.elevation_ft[ai]
        # per end, gathered per pair: how high the aircraft can be this far from the airport:
        # a steep climb or descent, or the aircraft's own (a climb at 3,100 ft/min and 155 kt
        # is 0.65 ft per metre)
        every = np.arange(len(ends))
        vr, arr = ends.vrate, ends.arrival
        own = np.abs(vr) / np.maximum(ends.end_kt * KT_TO_M_PER_MIN, 1.0)
        own = np.where((vr > 0) != arr, np.nan_to_num(own), 0.0)  # climbing out, descending in
        slope = np.fmax(
            np.where(arr, self._arrival_slope(ends, every), DEPARTURE_SLOPE_FT_PER_M),
            OWN_SLOPE_MARGIN * own,
        )[qi]
        wrong_way = np.where(arr, vr > WRONG_WAY_FPM, vr < -WRONG_WAY_FPM)[qi]
        # unknown altitude cannot rule an airport out; an arrival's height is weighed against
        # the distance to the airport, a departure's below (from its runway's far end)
        low = np.isnan(vert_ft) | (vert_ft <= VERT_BASE_FT + slope * horiz)
        ok = ~wrong_way
        if self.runways is None:
            g = np.flatnonzero(ok & low)
            line_m = np.maximum(horiz[g] - CENTRE_RADIUS_M, 0.0)
            mis = np.full(g.shape[0], np.nan)
        else:
            # nor an airport whose longest runway is too short for the aircraft (a 2,800 ft
            # gravel strip for a Boeing 737): by its kind, else by its speed; unknown length
            # rules out none
            need, paved = self._runway_needed(ends, every)
            rw = self.runways
            longest = np.where(paved[qi], rw.longest_paved_ft[ai], rw.longest_ft[ai])
            ok &= ~(longest < need[qi])
            g = np.flatnonzero(ok & (low | ~arr[qi]))
            line, mis, far = rw.geometry(ends.lat[qi[g]], ends.lon[qi[g]], ai[g],
                                         ends.direction[qi[g]])  # fmt: skip
            # a departure's climb began on the runway: at the earliest at its farther end
            dep = ~arr[qi[g]] & np.isfinite(far)
            climb_m = np.where(dep, np.fmax(far, horiz[g]), horiz[g])
            low_g = np.isnan(vert_ft[g]) | (vert_ft[g] <= VERT_BASE_FT + slope[g] * climb_m)
            # how far from the airport itself: its nearest runway, else its core
            line_m = np.where(np.isfinite(line), line, np.maximum(horiz[g] - CENTRE_RADIUS_M, 0.0))
            g, line_m, mis = g[low_g], line_m[low_g], mis[low_g]
        # nor too far for its own climb (descent): seen low and climbing at its rate, it left
        # the ground a short time ago, so its airport is near (a helicopter leaving a hospital
        # helipad is not from an airfield 20 km away)
        rate = np.where((vr > 0) != arr, np.abs(vr), 0.0)[qi[g]]
        fits = rate >= MIN_OWN_RATE_FPM
        since_min = np.maximum(np.nan_to_num(vert_ft[g]), 0.0) / np.where(fits, rate, 1.0)
        kt = np.nan_to_num(ends.end_kt[qi[g]], nan=UNKNOWN_KT)
        flown_m = since_min * kt * KT_TO_M_PER_MIN
        near = ~(fits & (line_m > REACH_BASE_M + REACH_MARGIN * flown_m))
        return g[near], mis[near]

    def _estimate_score(self, ends: FlightEnds, qi: I8, ai: I8, horiz: F8, mis: F8) -> F8:
        """Score of each plausible (end ``qi``, airport ``ai``) pair: nearer, ahead (behind for
        a departure) and aligned with a runway is better."""
        a = self.airports
        # a departure's airport lies behind the aircraft: look back along its track
        look = np.where(ends.arrival[qi], ends.direction[qi], ends.direction[qi] + 180.0)
        to_apt = bearing_deg(ends.lat[qi], ends.lon[qi], a.lat[ai], a.lon[ai])
        off = angle_diff_deg(look, to_apt)
        facing = np.where(np.isnan(off), 1.0, 1.0 + 2.0 * (1.0 - np.cos(np.radians(off))))
        # within a traffic pattern's radius an aircraft flies every direction around the
        # airport (downwind, base): only the distance beyond it is weighed by the facing
        near = np.minimum(horiz, PATTERN_RADIUS_M)
        eff = near + (horiz - near) * facing
        if self.runways is not None:
            # on a runway's extended centre line, heading along it, ahead: as good as nearby
            cross = _cross_track_m(horiz, off)
            aligned = (mis <= ALIGN_MAX_DEG) & (cross <= ALIGN_OFFSET_M) & (off <= 90.0)
            eff = np.where(aligned, np.minimum(eff, 0.5 * horiz), eff)
        # an airport without scheduled service (no IATA code) loses exact ties only, for every
        # aircraft: geometry decides (an airliner is kept off airstrips by their runways, above)
        strip = a.iata[ai] == ""
        return np.asarray(np.exp(-eff / ESTIMATED_SCALE_M) * np.where(strip, NO_IATA_TIE, 1.0))


def _pairs(
    airports: AirportIndex, ends: FlightEnds, which: B1, radius_m: float
) -> tuple[I8, I8, F8]:
    """``airports.within`` of the ends ``which``: (end index, airport index, metres), in the
    order a query of every end gives them."""
    idx = np.flatnonzero(which)
    qi, ai, d = airports.within(ends.lat[idx], ends.lon[idx], radius_m)
    return idx[qi], ai, d


def _hav(lat1: F8, lon1: F8, lat2: F8, lon2: F8) -> F8:
    return np.asarray(haversine_m(lat1, lon1, lat2, lon2), dtype=np.float64)


def _cross_track_m(dist_m: F8, off_deg: F8) -> F8:
    """Distance of the airport from the line of motion, flat approximation."""
    return np.asarray(np.abs(dist_m * np.sin(np.radians(np.nan_to_num(off_deg, nan=90.0)))))
