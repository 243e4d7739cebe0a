"""Cohort retention: each first-order month's customers buying again k months later."""

from __future__ import annotations

from typing import Any

from crm.query.ir import CohortQuery
from crm.query.parsing.clarify import _not_understood
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser


@recogniser("cohort", rank=460)
def cohort(q: Question) -> Any:
    r = q.reading
    if not q.scan.has("cohort_word"):
        return None
    if r.metrics or r.is_top or r.group_by not in (None, "month") or r.segments or r.stages:
        return _not_understood(q.language)
    return CohortQuery(period=r.period, filters=r.filters)
