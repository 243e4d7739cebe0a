"""The statistics of an outreach experiment, pure: Wilson score intervals, the two-proportion z-test, and the
winner rule (docs/metrics.md, "Outreach experiments").

A variant's conversion is k conversions among n customers. Its interval is the Wilson score interval; two
variants are compared with the pooled two-proportion z-test (two-sided). A variant is the winner only when its
rate is the highest and the test gives p < ALPHA against every other variant.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from scipy.stats import norm

ALPHA = 0.05
Z95 = float(norm.ppf(0.975))  # 1.959963984540054


@dataclass(frozen=True)
class VariantStats:
    label: str
    n: int
    conversions: int

    @property
    def rate(self) -> float | None:
        return self.conversions / self.n if self.n else None

    @property
    def interval(self) -> tuple[float, float] | None:
        return wilson_interval(self.conversions, self.n)


@dataclass(frozen=True)
class Verdict:
    """The experiment's verdict: `winner` (None when there is none), the variant ahead (`leader`) and the largest
    p-value of its comparisons with the others (`p`: the one that keeps it from winning, or proves it)."""

    winner: str | None
    leader: str | None
    p: float | None


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval for k successes in n trials (None when n is 0)."""
    if n <= 0:
        return None
    if not 0 <= k <= n:
        raise ValueError(f"conversions {k} must be between 0 and n = {n}")
    p = k / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def two_proportion_p(k1: int, n1: int, k2: int, n2: int) -> float | None:
    """The two-sided p-value of the pooled two-proportion z-test (None when a group is empty; 1.0 when both
    rates are 0 or both are 1, where the test cannot tell them apart)."""
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (k1 + k2) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return 1.0
    z = (k1 / n1 - k2 / n2) / se
    return float(2 * norm.sf(abs(z)))


def verdict(variants: list[VariantStats], alpha: float = ALPHA) -> Verdict:
    """The winner: the highest rate, with p < alpha against every other variant; otherwise none."""
    measured = [v for v in variants if v.n > 0]
    if len(measured) < 2:
        return Verdict(None, None, None)
    ranked = sorted(measured, key=lambda v: (-(v.rate or 0.0), v.label))
    leader = ranked[0]
    if leader.rate == ranked[1].rate:  # a tie at the top: nobody is ahead
        return Verdict(None, None, 1.0)
    ps = [two_proportion_p(leader.conversions, leader.n, o.conversions, o.n) for o in ranked[1:]]
    worst = max(p if p is not None else 1.0 for p in ps)
    return Verdict(leader.label if worst < alpha else None, leader.label, worst)
