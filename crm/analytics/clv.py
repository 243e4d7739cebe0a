"""BG/NBD and Gamma-Gamma models (Fader, Hardie & Lee 2005; Fader, Hardie & Lee 2005b) fitted by maximum
likelihood with SciPy, vectorised over customers: P(alive), expected purchases and predicted CLV."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1

Array = NDArray[np.float64]


@dataclass(frozen=True)
class BGNBD:
    r: float
    alpha: float
    a: float
    b: float

    def p_alive(self, x: Array, t_x: Array, T: Array) -> Array:
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
            ratio = np.exp((self.r + x) * (np.log(self.alpha + T) - np.log(self.alpha + t_x)))
            odds = np.where(x > 0, self.a / (self.b + x - 1) * ratio, 0.0)
        return 1.0 / (1.0 + odds)

    def expected_purchases(self, t: float, x: Array, t_x: Array, T: Array) -> Array:
        """Expected purchases in the next `t` time units for customers with history (x, t_x, T)."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
        z = t / (alpha + T + t)
        hyp = hyp2f1(r + x, b + x, a + b + x - 1, z)
        first = (a + b + x - 1) / (a - 1)
        second = 1 - np.exp((r + x) * (np.log(alpha + T) - np.log(alpha + T + t))) * hyp
        return first * second * self.p_alive(x, t_x, T)


def _bgnbd_negll(log_params: Array, x: Array, t_x: Array, T: Array, penalty: float) -> float:
    r, alpha, a, b = np.exp(log_params)
    a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    a3 = -(r + x) * np.log(alpha + T)
    with np.errstate(divide="ignore", invalid="ignore"):
        a4 = np.where(x > 0, np.log(a) - np.log(np.maximum(b + x - 1, 1e-12)) - (r + x) * np.log(alpha + t_x),
                      -np.inf)
    ll = a1 + a2 + np.logaddexp(a3, a4)
    return float(-ll.sum() + penalty * float((np.exp(log_params) ** 2).sum()))


def fit_bgnbd(x: Array, t_x: Array, T: Array, penalty: float = 0.0) -> BGNBD:
    """Maximum-likelihood BG/NBD parameters (x = repeat purchases, t_x = time of last purchase, T = age)."""
    x, t_x, T = (np.asarray(v, dtype=float) for v in (x, t_x, T))
    best = None
    for start in (np.log([0.5, max(float(T.mean()), 1.0), 0.5, 1.0]), np.zeros(4)):
        res = minimize(_bgnbd_negll, start, args=(x, t_x, T, penalty), method="L-BFGS-B",
                       bounds=[(-12, 12)] * 4)
        if best is None or res.fun < best.fun:
            best = res
    assert best is not None
    r, alpha, a, b = np.exp(best.x)
    return BGNBD(float(r), float(alpha), float(a), float(b))


@dataclass(frozen=True)
class GammaGamma:
    p: float
    q: float
    v: float

    def expected_spend(self, x: Array, m_x: Array, fallback: float) -> Array:
        x, m_x = np.asarray(x, dtype=float), np.asarray(m_x, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            est = self.p * (self.v + x * m_x) / (self.p * x + self.q - 1)
        return np.where(x > 0, est, fallback)


def fit_gamma_gamma(x: Array, m_x: Array) -> GammaGamma | None:
    """Gamma-Gamma spend model over repeat customers (x > 0, m_x = mean spend of their repeat purchases)."""
    x, m_x = np.asarray(x, dtype=float), np.asarray(m_x, dtype=float)
    keep = (x > 0) & (m_x > 0)
    x, m_x = x[keep], m_x[keep]
    if len(x) < 5:
        return None

    def negll(log_params: Array) -> float:
        p, q, v = np.exp(log_params)
        ll = (gammaln(p * x + q) - gammaln(p * x) - gammaln(q) + q * np.log(v) + (p * x - 1) * np.log(m_x)
              + p * x * np.log(x) - (p * x + q) * np.log(x * m_x + v))
        return float(-ll.sum())

    res = minimize(negll, np.log([1.0, 1.0, float(m_x.mean())]), method="L-BFGS-B", bounds=[(-12, 12)] * 3)
    p, q, v = np.exp(res.x)
    return GammaGamma(float(p), float(q), float(v))
