"""Small samples, product-wide (docs/metrics.md, "Small samples"): a ratio or an average resting on fewer than
`min_sample` items is shown with its n and marked as too few to rely on.

One call gives the sentence, in the reader's language:

    sample_note(12, "orders", "en")      -> "Based on 12 orders: too few to rely on."
    sample_note(340, "customers", "zh")  -> "基于 340 位客户。"

`min_sample` defaults to MIN_SAMPLE (30), or to what `set_min_sample` was given at start-up (the setting
`workspace.min_sample`); a caller holding the settings may pass it.
"""

from __future__ import annotations

from typing import Literal

from crm.text import render

MIN_SAMPLE = 30
# What n counts: customers, orders, or repeat buyers (customers with two or more valid orders).
SampleUnit = Literal["customers", "orders", "buyers"]
_min_sample = MIN_SAMPLE


def set_min_sample(n: int) -> None:
    """The product-wide threshold, from the settings (called once by the composition root)."""
    global _min_sample
    if n < 1:
        raise ValueError("min_sample must be at least 1")
    _min_sample = n


def min_sample() -> int:
    return _min_sample


def too_few(n: int, min_sample: int | None = None) -> bool:
    """Whether a figure resting on `n` items is too few to rely on."""
    return n < (min_sample if min_sample is not None else _min_sample)


def sample_note(n: int, unit: SampleUnit, language: str = "en", *, min_sample: int | None = None) -> str:
    """The sentence that goes with a ratio or an average resting on `n` items of `unit`: its n, and the
    too-few mark when n is below `min_sample`."""
    key = "answer.sample_small" if too_few(n, min_sample) else "answer.sample"
    return render("zh" if language == "zh" else "en", key, n=n, unit=unit)


# Predicted value (BG/NBD + Gamma-Gamma) learns from repeat purchases: with fewer customers who bought more than
# once than this, predicted CLV and P(alive) carry a caveat.
CLV_MIN_REPEAT_BUYERS = 500


def clv_note(repeat_buyers: int, language: str = "en") -> str:
    """The caveat for predicted CLV and P(alive) fitted on a small base ("" when the base is large enough)."""
    if repeat_buyers >= CLV_MIN_REPEAT_BUYERS:
        return ""
    lang = "zh" if language == "zh" else "en"
    return render(lang, "answer.clv_small_base", n=repeat_buyers, min=CLV_MIN_REPEAT_BUYERS)
