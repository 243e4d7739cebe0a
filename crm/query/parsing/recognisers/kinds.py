"""Kinds of question built on the reading of another (crm.query.kinds): one metric for two or more named
platforms or countries side by side, and customer lists by condition (segment, lifecycle stage, no order in
the last N days)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from crm.query.kinds import customer_list, side_by_side
from crm.query.parsing.clarify import clarify
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import decide, recogniser
from crm.query.parsing.scan import Scan


@recogniser("side_by_side", rank=535)
def side_by_side_groups(q: Question) -> Any:
    """ "Lazada vs Shopee revenue this year": read as for the first name, then widened to the names given."""
    r = q.reading
    if not (len(r.platforms) > 1 or len(r.countries) > 1):
        return None
    by = "platform" if len(r.platforms) > 1 else "country"

    def one(alone: Scan) -> Any:
        return decide(replace(q, scanner=lambda _q: alone))

    return side_by_side(q.scan, by, one)


@recogniser("customer_list", rank=425)
def listed(q: Question) -> Any:
    r = q.reading
    try:
        return customer_list(
            q.scan,
            segments=r.segments,
            stages=r.stages,
            filters=r.filters,
            period=r.period,
            metrics=r.metrics,
            group_by=r.group_by,
            ranked=bool(r.is_top or r.top_n),
            ref=q.ref,
        )
    except ValueError:
        return clarify("list_condition", q.language)
