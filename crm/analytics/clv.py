"""BG/NBD and Gamma-Gamma models (Fader, Hardie & Lee 2005) fitted by maximum likelihood with SciPy:
P(alive), expected purchases and predicted CLV, vectorised over customers.

Speed at 200,000 customers comes from four things: customers with the same history (x, t_x, T) are
fitted once with a weight; every term that depends on x alone (the gamma functions) is computed once per
distinct x; L-BFGS-B gets the analytic gradient instead of finite differences; and BLAS runs on one thread
while fitting (the vectors are small enough that waking BLAS threads costs more than it saves, up to 10x
on a busy two-core machine).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.optimize import minimize
from scipy.special import digamma, gammaln, hyp2f1
from threadpoolctl import threadpool_limits

Array = NDArray[np.float64]


def _unique_rows(*columns: Array) -> tuple[list[Array], Array, NDArray[np.intp]]:
    """Distinct rows of aligned columns: (distinct columns, weights, inverse index)."""
    if len(columns[0]) == 0:
        return [np.zeros(0) for _ in columns], np.zeros(0), np.zeros(0, dtype=np.intp)
    ints = [c.astype(np.int64) for c in columns]
    bits = 20
    if len(columns) * bits <= 62 and all(
        np.array_equal(i, c) and i.min() >= 0 and i.max() < 2**bits
        for i, c in zip(ints, columns, strict=False)
    ):
        # Whole numbers (days, counts): one int64 key per row sorts much faster than rows of floats.
        key = ints[0]
        for i in ints[1:]:
            key = (key << bits) | i
        uniq, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
        mask = (1 << bits) - 1
        distinct = [
            ((uniq >> (bits * (len(columns) - 1 - k))) & mask).astype(float) for k in range(len(columns))
        ]
        return distinct, counts.astype(float), inverse.reshape(-1)
    rows, inverse, counts = np.unique(
        np.column_stack(columns), axis=0, return_inverse=True, return_counts=True
    )
    return [rows[:, k] for k in range(len(columns))], counts.astype(float), inverse.reshape(-1)


def _as_float(*values: ArrayLike) -> list[Array]:
    return [np.asarray(v, dtype=float) for v in values]


@dataclass(frozen=True)
class BGNBD:
    """Fitted BG/NBD parameters; x = repeat purchases, t_x = time of the last purchase, T = age (one unit)."""

    r: float
    alpha: float
    a: float
    b: float

    def p_alive(self, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
        x, t_x, T = _as_float(x, t_x, T)
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            log_ratio = (self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + t_x))
            odds = np.where(x > 0, self.a / np.maximum(self.b + x - 1, 1e-12) * np.exp(log_ratio), 0.0)
        return 1.0 / (1.0 + odds)

    def expected_purchases(self, t: float, x: ArrayLike, t_x: ArrayLike, T: ArrayLike) -> Array:
        """Expected purchases in the next `t` units for customers with history (x, t_x, T)."""
        x, t_x, T = _as_float(x, t_x, T)
        (ux, uT), _, inverse = _unique_rows(x, T)  # the hypergeometric term depends on x and T only
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + uT + t)
        hyp = hyp2f1(r + ux, b + ux, a + b + ux - 1, z)
        head = (a + b + ux - 1) / (a - 1)
        tail = 1 - np.exp((r + ux) * (np.log(alpha + uT) - np.log(alpha + uT + t))) * hyp
        purchases: Array = (head * tail)[inverse] * self.p_alive(x, t_x, T)
        return purchases


class _BGNBDData:
    """Customer histories reduced for the likelihood: one row per distinct (x, t_x, T) with a weight."""

    def __init__(self, x: Array, t_x: Array, T: Array, time_scale: float = 1.0) -> None:
        """`time_scale` multiplies t_x and T after the histories are grouped (whole days group fastest)."""
        (x, t_x, T), w, _ = _unique_rows(x, t_x, T)
        t_x, T = t_x * time_scale, T * time_scale
        self.n = float(w.sum())
        once = x == 0
        # One-time buyers: the likelihood needs T only.
        self.T0, self.w0 = T[once], w[once]
        rep = ~once
        self.x, self.t_x, self.T, self.w = x[rep], t_x[rep], T[rep], w[rep]
        # Terms in x alone, per distinct x (all customers, x = 0 included).
        self.ux, ix = np.unique(np.concatenate([np.zeros(1), self.x]), return_inverse=True)
        self.wx = np.bincount(ix[1:], weights=self.w, minlength=len(self.ux))
        self.wx[0] += float(self.w0.sum())

    def negll(self, log_params: Array, penalty: float) -> tuple[float, Array]:
        """Mean negative log-likelihood (+ L2 penalty on the parameters) and its gradient in log-parameters."""
        r, alpha, a, b = params = np.exp(log_params)
        ux, wx, n = self.ux, self.wx, self.n
        # x-only terms: ln Γ(r+x) − ln Γ(r) + r ln α + ln B(a, b+x) − ln B(a, b)
        ll = float(
            wx
            @ (
                gammaln(r + ux)
                - gammaln(r)
                + gammaln(a + b)
                + gammaln(b + ux)
                - gammaln(b)
                - gammaln(a + b + ux)
            )
        ) + n * r * np.log(alpha)
        g_r = float(wx @ (digamma(r + ux) - digamma(r))) + n * np.log(alpha)
        g_alpha = n * r / alpha
        dab = digamma(a + b) - digamma(a + b + ux)
        g_a = float(wx @ dab)
        g_b = float(wx @ (dab + digamma(b + ux) - digamma(b)))
        # One-time buyers: + ln (α+T)^−r
        lt0 = np.log(alpha + self.T0)
        ll -= r * float(self.w0 @ lt0)
        g_r -= float(self.w0 @ lt0)
        g_alpha -= r * float(self.w0 @ (1.0 / (alpha + self.T0)))
        # Repeat buyers: + ln[(α+T)^−(r+x) + a/(b+x−1) (α+t_x)^−(r+x)]
        x, w = self.x, self.w
        lt, ltx = np.log(alpha + self.T), np.log(alpha + self.t_x)
        u = -(r + x) * lt
        v = np.log(a) - np.log(b + x - 1) - (r + x) * ltx
        d = v - u
        e = np.exp(-np.abs(d))
        ll += float(w @ (np.maximum(u, v) + np.log1p(e)))
        s = np.where(d > 0, 1.0 / (1.0 + e), e / (1.0 + e))  # share of the "dropped out at t_x" term
        ws = w * s
        g_r -= float(w @ lt) + float(ws @ (ltx - lt))
        g_alpha -= float((w * (r + x)) @ (1.0 / (alpha + self.T))) + float(
            (ws * (r + x)) @ (1.0 / (alpha + self.t_x) - 1.0 / (alpha + self.T))
        )
        g_a += float(ws.sum()) / a
        g_b -= float(ws @ (1.0 / (b + x - 1)))
        grad = np.array([g_r, g_alpha, g_a, g_b])
        value = -ll / n + penalty * float(params @ params)
        gradient = (-grad / n + 2 * penalty * params) * params  # chain rule for log-parameters
        return value, gradient


def fit_bgnbd(x: ArrayLike, t_x: ArrayLike, T: ArrayLike, penalty: float = 0.0) -> BGNBD:
    """Maximum-likelihood BG/NBD parameters (x = repeat purchases, t_x = time of last purchase, T = age).

    `penalty` is `lifetimes`' `penalizer_coef`, scaled as it is there: an L2 penalty, penalty × (r² + α² + a² +
    b²), added to the mean negative log-likelihood, with time measured in units of the oldest customer's age
    (T / max T, so α is penalised as α / max T; the returned α is in the caller's unit again). The same
    data and penalty give `lifetimes`' `BetaGeoFitter(penalizer_coef=penalty)` parameters. Without a penalty
    the unit of time does not matter (α simply scales with it). The penalty keeps small or degenerate bases
    from running off to extreme values.
    """
    x, t_x, T = _as_float(x, t_x, T)
    scale = 1.0 / float(T.max()) if len(T) and T.max() > 0 else 1.0
    data = _BGNBDData(x, t_x, T, time_scale=scale)
    best = None
    with threadpool_limits(limits=1, user_api="blas"):
        for start in (np.zeros(4), np.log([0.5, max(float(T.mean()) * scale, 1e-3), 0.5, 1.0])):
            res = minimize(
                data.negll, start, args=(penalty,), jac=True, method="L-BFGS-B", bounds=[(-12, 12)] * 4
            )
            if best is None or res.fun < best.fun:
                best = res
            if res.success:
                break
    assert best is not None
    r, alpha, a, b = np.exp(best.x)
    return BGNBD(float(r), float(alpha / scale), float(a), float(b))


@dataclass(frozen=True)
class GammaGamma:
    """Fitted Gamma-Gamma spend parameters."""

    p: float
    q: float
    v: float

    def expected_spend(self, n: ArrayLike, m: ArrayLike, fallback: float) -> Array:
        """Expected value per purchase given n purchases of mean value m (`fallback` where n = 0)."""
        n, m = _as_float(n, m)
        with np.errstate(divide="ignore", invalid="ignore"):
            est = self.p * (self.v + n * m) / (self.p * n + self.q - 1)
        return np.where(n > 0, est, fallback)

    @property
    def mean_spend(self) -> float:
        """The population's mean value per purchase (p v / (q − 1)), where it exists."""
        return self.p * self.v / (self.q - 1) if self.q > 1 else float("nan")


def fit_gamma_gamma(n: ArrayLike, m: ArrayLike, penalty: float = 0.0) -> GammaGamma | None:
    """Gamma-Gamma spend model by maximum likelihood over customers with n > 0 purchases of mean value m > 0.

    `penalty` is `lifetimes`' `penalizer_coef` for `GammaGammaFitter`: penalty × (p² + q² + v²) on the mean
    negative log-likelihood, v in the unit of m (no rescaling, as there). None when fewer than five customers
    qualify.
    """
    n, m = _as_float(n, m)
    keep = (n > 0) & (m > 0)
    n, m = n[keep], m[keep]
    if len(n) < 5:
        return None
    un, inv = np.unique(n, return_inverse=True)
    wn = np.bincount(inv, minlength=len(un)).astype(float)
    count = float(len(n))
    # Constant parts of the log-likelihood sums, computed once.
    s_nlm = float(n @ np.log(m))
    s_lm = float(np.log(m).sum())
    s_nln = float(n @ np.log(n))
    nm = n * m

    def negll(log_params: Array) -> tuple[float, Array]:
        p, q, v = params = np.exp(log_params)
        pn = p * un
        lxv = np.log(nm + v)
        ll = (
            float(wn @ (gammaln(pn + q) - gammaln(pn)))
            - count * gammaln(q)
            + count * q * np.log(v)
            + p * s_nlm
            - s_lm
            + p * s_nln
            - p * float(n @ lxv)
            - q * float(lxv.sum())
        )
        g_p = float(wn @ (un * (digamma(pn + q) - digamma(pn)))) + s_nlm + s_nln - float(n @ lxv)
        g_q = float(wn @ (digamma(pn + q))) - count * digamma(q) + count * np.log(v) - float(lxv.sum())
        inv_xv = 1.0 / (nm + v)
        g_v = count * q / v - p * float(n @ inv_xv) - q * float(inv_xv.sum())
        grad = np.array([g_p, g_q, g_v])
        value = -ll / count + penalty * float(params @ params)
        return value, (-grad / count + 2 * penalty * params) * params

    with threadpool_limits(limits=1, user_api="blas"):
        res = minimize(
            negll, np.log([1.0, 1.0, float(m.mean())]), jac=True, method="L-BFGS-B", bounds=[(-12, 12)] * 3
        )
    p, q, v = np.exp(res.x)
    return GammaGamma(float(p), float(q), float(v))
