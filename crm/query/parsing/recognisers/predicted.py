"""Predicted value lists: top predicted CLV, highest churn risk, P(alive), expected purchases."""

from __future__ import annotations

from typing import Any

from crm.query.ir import CLVQuery
from crm.query.parsing.clarify import _not_understood, clarify
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser

_SORT = {
    "clv_word": "predicted_clv",
    "churn_risk_word": "churn_risk",
    "p_alive_word": "p_alive",
    "expected_purchases_word": "expected_purchases",
}


@recogniser("clv", rank=470)
def clv(q: Question) -> Any:
    r = q.reading
    kinds = [k for k in _SORT if q.scan.has(k)]
    if not kinds:
        return None
    if (
        len(kinds) > 1
        or (r.metrics and not (r.metrics == ["churn_rate"] and kinds == ["churn_risk_word"]))
        or r.group_by
        or r.segments
        or r.stages
    ):
        return _not_understood(q.language)
    if r.period is not None:
        return clarify("predicted_period", q.language)
    n = r.top_n[0] if r.top_n else 10
    if not 1 <= n <= 100:
        return _not_understood(q.language, str(n))
    return CLVQuery(sort_by=_SORT[kinds[0]], n=n, horizon_days=365, filters=r.filters)
