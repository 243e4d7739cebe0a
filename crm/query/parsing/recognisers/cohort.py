"""Cohort retention: each first-order month's customers buying again k months later, or one cell of that table
("month-3 retention of the June cohort", "3月首购客户的次月留存率")."""

from __future__ import annotations

from typing import Any

from crm.query.ir import CohortQuery
from crm.query.kinds import cohort_cell
from crm.query.parsing.clarify import _not_understood, clarify
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser


@recogniser("cohort", rank=460)
def cohort(q: Question) -> Any:
    r = q.reading
    if not (q.scan.has("cohort_word") or q.scan.has("cohort_offset")):
        return None
    # "首购客户" names the cohort itself (customers by first order), not a second metric
    if (
        r.metrics not in ([], ["new_customers"])
        or r.is_top
        or r.group_by not in (None, "month")
        or r.segments
        or r.stages
    ):
        return _not_understood(q.language)
    table = CohortQuery(period=r.period, filters=r.filters)
    try:
        cell = cohort_cell(q.scan, r.period, table)
    except ValueError:
        return clarify("cohort_cell", q.language)
    if cell is not None:
        return cell
    return _not_understood(q.language) if r.metrics else table
