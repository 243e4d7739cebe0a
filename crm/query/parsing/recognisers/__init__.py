"""The recognisers: one small function per kind of question, each looking at the same `Question`, and the driver
that picks the answer.

A recogniser returns a query (the IR) when it claims the question, a `Clarify` when it claims it but must ask
back, or None when the question is not its kind. Its rank says how strongly a claim counts: the driver asks the
recognisers from the highest rank down and keeps the first claim, so a recogniser only needs to know what makes
a question its own, not what every other one looks for.

Adding a kind of question is one registration: a function decorated with `@recogniser("name", rank=...)` in a
module imported below (or anywhere imported before the first question). The built-in ranks:

  900 guards       database commands, contact details, jokes, forecasts, help, greetings (crm.query.parser)
  800 reminder     "remind me ..." (crm.query.parser)
  700 draft        "write a win-back message ..." (crm.query.parser)
  650 journeys     lifecycle moves between two dates, second-order conversion of new customers (journeys.py)
  600 customer     a customer looked up by name (crm.query.parser)
  597 points       loyalty points of the shop: outstanding, expiring in a window (points.py)
  595 products     best sellers, category preference, bought together, reorder cycles, returns (products.py)
  590-480 declines a scan that cannot be answered as asked: an as-of date, a future or unreadable period, two
                   periods, an unmeasured metric, "except", unknown words, two platforms or countries, two
                   breakdowns, a filter and its own breakdown, a trend of a ranking, a comparison of something
                   other than one number over two periods, an ambiguous or a second segment (declines.py)
  535 side_by_side one metric for two or more named platforms or countries, side by side (kinds.py), above the
                   "two platforms or countries" decline
  470 clv          predicted value, churn risk, P(alive) lists (predicted.py)
  460 cohort       cohort retention, or one cell of it (cohort.py)
  450-430 top      top-N customers, rankings of platforms or countries (top.py)
  425 list         customers listed by a condition: segment, stage, no order in N days (kinds.py)
  420-400 segments one segment, the segment distribution, lifecycle stages (segments.py)
  390-360 metric   one metric with period, filters and breakdown; counts of customers or orders (metric.py)
    0 fallback     not understood: a clarifying reply
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from crm.query.parsing.question import Question

Recognise = Callable[[Question], Any]


@dataclass(frozen=True)
class Recogniser:
    name: str
    rank: int
    recognise: Recognise


RECOGNISERS: list[Recogniser] = []


def recogniser(name: str, *, rank: int) -> Callable[[Recognise], Recognise]:
    """Register the decorated function as the recogniser `name` (a name registered again is replaced)."""

    def register(fn: Recognise) -> Recognise:
        RECOGNISERS[:] = [r for r in RECOGNISERS if r.name != name]
        RECOGNISERS.append(Recogniser(name, rank, fn))
        RECOGNISERS.sort(key=lambda r: -r.rank)  # stable: equal ranks keep their registration order
        return fn

    return register


def decide(question: Question) -> Any:
    """The query (or clarifying reply) of the highest-ranked recogniser that claims the question."""
    for r in RECOGNISERS:
        found = r.recognise(question)
        if found is not None:
            return found
    raise AssertionError("the fallback recogniser claims every question")  # pragma: no cover


# The built-in recognisers register themselves when imported.
from crm.query.parsing.recognisers import (  # noqa: E402, F401
    cohort,
    declines,
    journeys,
    kinds,
    metric,
    points,
    predicted,
    products,
    segments,
    top,
)
