"""BG/NBD on the CDNOW sample reproduces the published parameters (Fader, Hardie & Lee 2005)."""

from __future__ import annotations

import numpy as np
import pytest

from crm.analytics.clv import fit_bgnbd, fit_gamma_gamma

lifetimes_datasets = pytest.importorskip(
    "lifetimes.datasets", reason="the lifetimes package ships the CDNOW sample"
)


def test_bgnbd_fit_on_cdnow_reproduces_published_parameters() -> None:
    df = lifetimes_datasets.load_cdnow_summary()
    model = fit_bgnbd(df["frequency"].to_numpy(), df["recency"].to_numpy(), df["T"].to_numpy())
    for got, published in ((model.r, 0.243), (model.alpha, 4.414), (model.a, 0.793), (model.b, 2.426)):
        assert got == pytest.approx(published, rel=0.01)
    # P(alive) is 1 for customers with no repeat purchase, and falls with time since the last purchase.
    pa = model.p_alive(np.array([0, 5, 5]), np.array([0, 30, 10]), np.array([38.86, 38.86, 38.86]))
    assert pa[0] == 1.0 and pa[1] > pa[2]
    e = model.expected_purchases(39, np.array([2.0]), np.array([30.43]), np.array([38.86]))
    assert 0.5 < e[0] < 2.5


def test_gamma_gamma_on_cdnow_spend() -> None:
    df = lifetimes_datasets.load_cdnow_summary_data_with_monetary_value()
    gg = fit_gamma_gamma(df["frequency"].to_numpy(), df["monetary_value"].to_numpy())
    assert gg is not None
    # Published (lifetimes docs): p≈6.25, q≈3.74, v≈15.45
    assert (gg.p, gg.q, gg.v) == pytest.approx((6.25, 3.74, 15.45), rel=0.02)
