"""Position fixes from times of arrival: iterative least squares, many fixes at once.

For one transmission heard by receivers ``i`` (ECEF ``s_i``) at times ``t_i`` on one timebase,
the unknowns are the position ``p`` (ECEF) and the range bias ``b = c t0`` (the unknown
transmission time): ``c t_i = |p - s_i| + b + noise_i``. That is the TDOA problem with the
common time left as an unknown instead of differenced away (the same solution, simpler
weights). With the Mode S altitude, one more row pins the height: ``h(p) = altitude + noise``
(geodetic height, standard deviation ``ALTITUDE_SIGMA_M``: pressure and GNSS height differ).

Every fix is an independent 4-unknown problem; they are solved together as stacked ``(N, 4, 4)``
normal equations by Levenberg-Marquardt (Gauss-Newton steps, damped where a step would not
lower the chi-square), each problem stopping once converged, from a given first guess (a
tracking prediction) or the best point of a coarse grid around the receivers (``grid_start``).
The covariance of the solution is
the inverse normal matrix, scaled up by the reduced chi-square where the fit is worse than the
timing standard deviations say; ``error_m`` is the radius of the circle that holds the true
position with >= 95 % probability (sqrt(5.991 x the larger horizontal eigenvalue)).

A fix is refused (``ok`` False, with a reason) when it does not converge, lands outside the
atmosphere, fits far worse than its timing allows, or is *ambiguous*: the problem is solved a
second time from the mirror image of the first solution across the receivers' main axis, and
when that converges elsewhere with an acceptable fit, both are possible (receivers nearly in a
line, three receivers and an altitude) and neither is given.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ..model import F8
from .geodesy import C_AIR_M_S, ecef_to_llh, enu_basis, llh_to_ecef

B1 = npt.NDArray[np.bool_]
#: Most Gauss-Newton steps; problems stop once a step is under 1 cm.
ITERATIONS = 50
#: Steps for the mirror solve: a real second solution sits at the mirror point and is reached
#: in a few steps; one still moving after this many is not a competing solution.
MIRROR_ITERATIONS = 15
#: Pressure altitude vs geodetic height, 1 sigma, m.
ALTITUDE_SIGMA_M = 60.0
#: chi-square per degree of freedom above which a fix is refused.
MAX_REDUCED_CHI2 = 25.0
#: Heights a fix may have, m.
MIN_HEIGHT_M, MAX_HEIGHT_M = -1_000.0, 25_000.0
#: Furthest a transmitter can be from a receiver that heard it, m (radio horizon at FL500).
MAX_RANGE_M = 800_000.0
#: Two solutions further apart than this (and this many stated errors) make a fix ambiguous.
AMBIGUOUS_M = 2_000.0
#: Height of a first guess without an altitude, m.
START_HEIGHT_M = 9_000.0
#: Chi-square for 2 degrees of freedom at 95 %.
CHI2_2D_95 = 5.991
#: First-guess grid: points per side and spacing, m (covers +-450 km around the receivers).
GRID_POINTS = 13
GRID_STEP_M = 75_000.0
#: Last step of a converged solve, m.
CONVERGED_M = 1.0

REASONS = ("ok", "diverged", "height", "range", "fit", "ambiguous", "geometry")


@dataclass(slots=True)
class Fixes:
    """Solutions of N problems."""

    ok: B1
    reason: npt.NDArray[np.int8]  # index into REASONS
    lat: F8
    lon: F8
    height_m: F8
    error_m: F8  # 95 % horizontal radius
    vertical_m: F8  # 95 % height error (1.96 sigma)
    chi2: F8
    dof: npt.NDArray[np.int64]
    ecef: F8  # (N, 3)


def _residuals(p: F8, b: F8, s: F8, rho: F8, w: F8, alt: F8, w_alt: F8) -> tuple[F8, F8, F8]:
    """(range residuals (N, K), height residual (N), chi-square (N)) at ``p``, ``b``."""
    d = p[:, None, :] - s
    r = np.sqrt(np.einsum("nki,nki->nk", d, d))
    res = np.where(w > 0, rho - r - b[:, None], 0.0)
    _, _, hgt = ecef_to_llh(p)
    res_h = np.where(w_alt > 0, np.nan_to_num(alt) - hgt, 0.0)
    chi2 = np.einsum("nk,nk,nk->n", res, w, res) + w_alt * res_h * res_h
    return res, res_h, chi2


def _step(
    p: F8, b: F8, s: F8, rho: F8, w: F8, alt: F8, w_alt: F8, damping: F8
) -> tuple[F8, F8, F8, F8]:
    """One Levenberg-Marquardt step for all problems; returns (dp, db, normal matrix, chi2)."""
    d = p[:, None, :] - s
    r = np.sqrt(np.einsum("nki,nki->nk", d, d))
    u = d / np.maximum(r, 1.0)[..., None]
    res = np.where(w > 0, rho - r - b[:, None], 0.0)
    jac = np.concatenate([u, np.ones((*r.shape, 1))], axis=-1)  # (N, K, 4)
    h = np.einsum("nki,nk,nkj->nij", jac, w, jac)
    g = np.einsum("nki,nk,nk->ni", jac, w, res)
    chi2 = np.einsum("nk,nk,nk->n", res, w, res)
    lat, lon, hgt = ecef_to_llh(p)
    up = enu_basis(lat, lon)[:, 2, :]
    res_h = np.where(w_alt > 0, np.nan_to_num(alt) - hgt, 0.0)
    jh = np.concatenate([up, np.zeros((p.shape[0], 1))], axis=-1)
    h += w_alt[:, None, None] * jh[:, :, None] * jh[:, None, :]
    g += (w_alt * res_h)[:, None] * jh
    chi2 = chi2 + w_alt * res_h * res_h
    diag = np.einsum("nii->ni", h)
    tiny = 1e-12 * diag.max(axis=1, keepdims=True) + 1e-30
    reg = h + ((damping[:, None] * diag) + tiny)[..., None] * np.eye(4)
    dx = np.linalg.solve(reg, g[..., None])[..., 0]
    return dx[:, :3], dx[:, 3], h, chi2


def _solve_from(
    p0: F8, s: F8, rho: F8, w: F8, alt: F8, w_alt: F8, iterations: int = ITERATIONS
) -> tuple[F8, F8, F8, F8, F8]:
    """Levenberg-Marquardt from ``p0``: a step is taken only when it lowers the chi-square
    (then the damping falls tenfold), else the damping rises tenfold. Returns (p, b, normal
    matrix, chi2, last step length; 0 where the damping ran out: a minimum)."""
    p = p0.copy()
    d0 = np.linalg.norm(p[:, None, :] - s, axis=-1)
    wsum = np.maximum(w.sum(axis=1), 1e-300)
    b = np.sum(w * (rho - d0), axis=1) / wsum
    n = p.shape[0]
    step = np.full(n, np.inf)
    lam = np.full(n, 1e-3)
    act = np.arange(n)
    for _ in range(iterations):
        dp, db, _, chi2 = _step(p[act], b[act], s[act], rho[act], w[act], alt[act], w_alt[act],
                                lam[act])  # fmt: skip
        pn, bn = p[act] + dp, b[act] + db
        _, _, chi2n = _residuals(pn, bn, s[act], rho[act], w[act], alt[act], w_alt[act])
        better = np.isfinite(chi2n) & (chi2n <= chi2)
        took = act[better]
        p[took], b[took] = pn[better], bn[better]
        step[took] = np.linalg.norm(dp[better], axis=1)
        lam[took] = np.maximum(lam[took] / 10.0, 1e-9)
        lam[act[~better]] *= 10.0
        stuck = act[~better & (lam[act] > 1e6)]
        step[stuck] = 0.0
        # done: a step under 1 cm, or one that no longer changes the fit (chi-square is in
        # units of the noise, so 1e-6 is nothing; along a flat valley steps stay long)
        flat = better & (chi2 - chi2n < 1e-6)
        step[act[flat]] = 0.0
        done = (better & (step[act] < CONVERGED_M / 100.0)) | flat | (lam[act] > 1e6)
        act = act[~done]
        if act.size == 0:
            break
    _, _, h, chi2 = _step(p, b, s, rho, w, alt, w_alt, np.zeros(n))
    return p, b, h, chi2, step


def grid_start(sites: F8, rho: F8, w: F8, mask: B1, height_m: F8) -> F8:
    """A first guess by search: the point of a ``GRID_POINTS`` x ``GRID_POINTS`` grid (spacing
    ``GRID_STEP_M``, centred on the receivers, at ``height_m``) whose ranges fit the times best
    (the transmission time eliminated as the weighted mean residual). Chunked to bound memory."""
    n = rho.shape[0]
    out = np.zeros((n, 3))
    cnt = np.maximum(mask.sum(axis=1), 1)[:, None]
    c = (sites * mask[..., None]).sum(axis=1) / cnt
    clat, clon, c_height = ecef_to_llh(c)
    basis = enu_basis(clat, clon)  # (N, 3, 3)
    k = np.arange(GRID_POINTS) - (GRID_POINTS - 1) / 2
    ge, gn = np.meshgrid(k * GRID_STEP_M, k * GRID_STEP_M)
    off = np.stack([ge.ravel(), gn.ravel()], axis=1)  # (G, 2)
    for lo in range(0, n, 256):
        sl = slice(lo, lo + 256)
        cand = c[sl, None, :] + off[None, :, :1] * basis[sl, None, 0, :]
        cand = cand + off[None, :, 1:] * basis[sl, None, 1, :]
        # lift to the height on a sphere through the centre (good to ~1 km: a first guess)
        radius = np.linalg.norm(c[sl], axis=1) + height_m[sl] - c_height[sl]
        cand *= (radius[:, None] / np.linalg.norm(cand, axis=2))[..., None]
        ss = sites[sl]
        d2 = (radius * radius)[:, None, None] + np.einsum("nki,nki->nk", ss, ss)[:, None, :]
        d = np.sqrt(np.maximum(d2 - 2.0 * np.einsum("ngi,nki->ngk", cand, ss), 0.0))
        res = rho[sl, None, :] - d
        ww = w[sl, None, :]
        mean = (ww * res).sum(axis=2) / np.maximum(ww.sum(axis=2), 1e-300)
        cost = (ww * (res - mean[..., None]) ** 2).sum(axis=2)
        best = np.argmin(cost, axis=1)
        out[sl] = cand[np.arange(cand.shape[0]), best]
    return out


def _mirror(p: F8, s: F8, mask: B1) -> F8:
    """``p`` reflected across the vertical plane through the receivers' main horizontal axis."""
    lat, lon, hgt = ecef_to_llh(p)
    basis = enu_basis(lat, lon)  # (N, 3, 3)
    cnt = np.maximum(mask.sum(axis=1), 1)[:, None]
    c = (s * mask[..., None]).sum(axis=1) / cnt
    rel = np.einsum("nij,nkj->nki", basis, s - c[:, None, :])[..., :2] * mask[..., None]
    cov = np.einsum("nki,nkj->nij", rel, rel)
    _, vec = np.linalg.eigh(cov)
    minor = vec[:, :, 0]  # direction of least spread (across the main axis)
    v = np.einsum("nij,nj->ni", basis, p - c)[:, :2]
    v2 = v - 2.0 * (np.einsum("ni,ni->n", v, minor))[:, None] * minor
    east, north = basis[:, 0, :], basis[:, 1, :]
    q = c + v2[:, :1] * east + v2[:, 1:2] * north
    ql, qo, _ = ecef_to_llh(q)
    out: F8 = llh_to_ecef(ql, qo, hgt)
    return out


def solve(
    sites: F8,
    times_s: F8,
    sigma_s: F8,
    mask: B1,
    altitude_m: F8,
    start: F8 | None,
) -> Fixes:
    """Solve N fixes. ``sites`` (N, K, 3) ECEF m; ``times_s`` (N, K) on one timebase per fix;
    ``sigma_s`` (N, K) timing standard deviations; ``mask`` (N, K) which entries are real;
    ``altitude_m`` (N) height constraint (NaN: none); ``start`` (N, 3) ECEF first guess, NaN
    rows (or None: all) found by ``grid_start``."""
    n = times_s.shape[0]
    tref = np.nanmin(np.where(mask, times_s, np.inf), axis=1)
    rho = np.where(mask, (times_s - tref[:, None]) * C_AIR_M_S, 0.0)
    sig_m = np.maximum(sigma_s, 1e-9) * C_AIR_M_S
    w = np.where(mask, 1.0 / (sig_m * sig_m), 0.0)
    has_alt = np.isfinite(altitude_m)
    w_alt = np.where(has_alt, 1.0 / ALTITUDE_SIGMA_M**2, 0.0)
    k = mask.sum(axis=1)
    dof = (k + has_alt.astype(np.int64) - 4).astype(np.int64)
    start = np.full((n, 3), np.nan) if start is None else start.copy()
    need = ~np.isfinite(start).all(axis=1)
    if need.any():
        h0 = np.where(has_alt, altitude_m, START_HEIGHT_M)[need]
        start[need] = grid_start(sites[need], rho[need], w[need], mask[need], h0)
    p, _, h, chi2, step = _solve_from(start, sites, rho, w, altitude_m, w_alt)
    pm, _, _, chi2m, stepm = _solve_from(
        _mirror(p, sites, mask), sites, rho, w, altitude_m, w_alt, MIRROR_ITERATIONS
    )

    reduced = chi2 / np.maximum(dof, 1)
    scale = np.where(dof > 0, np.maximum(reduced, 1.0), 1.0)
    eye = np.eye(4) * 1e-12 * np.einsum("nii->n", h)[:, None, None]
    cov = np.linalg.pinv(h + eye)[:, :3, :3] * scale[:, None, None]
    lat, lon, hgt = ecef_to_llh(p)
    basis = enu_basis(lat, lon)[:, :2, :]
    hcov = np.einsum("nij,njk,nlk->nil", basis, cov, basis)
    up = enu_basis(lat, lon)[:, 2, :]
    vertical = 1.96 * np.sqrt(np.maximum(np.einsum("ni,nij,nj->n", up, cov, up), 0.0))
    lam = np.linalg.eigvalsh(hcov)[:, -1]
    error = np.sqrt(CHI2_2D_95 * np.maximum(lam, 0.0))

    reason = np.zeros(n, dtype=np.int8)
    ranges = np.linalg.norm(p[:, None, :] - sites, axis=-1)
    far = (np.where(mask, ranges, 0.0) > MAX_RANGE_M).any(axis=1)
    ok_m = (stepm < CONVERGED_M) & (chi2m / np.maximum(dof, 1) <= MAX_REDUCED_CHI2)
    sep = np.linalg.norm(pm - p, axis=1)
    ambiguous = ok_m & (sep > np.maximum(AMBIGUOUS_M, 3.0 * error))
    _, _, hgt_m = ecef_to_llh(pm)
    ambiguous &= (hgt_m > MIN_HEIGHT_M) & (hgt_m < MAX_HEIGHT_M)
    checks = (
        (5, ambiguous),
        (4, (dof > 0) & (reduced > MAX_REDUCED_CHI2)),
        (3, far),
        (2, (hgt < MIN_HEIGHT_M) | (hgt > MAX_HEIGHT_M)),
        (6, ~np.isfinite(error) | (k < 3) | ((k < 4) & ~has_alt)),
        (1, ~(step < CONVERGED_M) | ~np.isfinite(p).all(axis=1)),
    )
    for code, bad in checks:
        reason[bad] = code
    return Fixes(
        ok=reason == 0,
        reason=reason,
        lat=lat,
        lon=lon,
        height_m=hgt,
        error_m=error,
        vertical_m=vertical,
        chi2=chi2,
        dof=dof,
        ecef=p,
    )
