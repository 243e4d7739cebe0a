"""Answer kinds built on the parser's reading of a question: one metric for two or more chosen platforms or
countries side by side ("Lazada vs Shopee revenue this year", "新加坡和马来西亚的订单数对比").

The parser reads the question as if only the first platform (or country) had been named; when that reading
is a single number, the answer becomes a breakdown by platform (or country) limited to the ones named, in
the order named. Anything else (a list, a breakdown, a comparison of periods) keeps the clarifying reply.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crm.query.ir import MetricQuery

if TYPE_CHECKING:
    from crm.query.parser import Scan


def side_by_side(s: Scan, by: str, decide: Callable[[Scan], Any]) -> MetricQuery | None:
    """The side-by-side reading of a question naming several platforms or countries (`by`), or None."""
    named: list[str] = []
    for slot in sorted(s.of(by), key=lambda x: x.start):
        if slot.value not in named:
            named.append(slot.value)
    other = "country" if by == "platform" else "platform"
    if len(named) < 2 or len(s.values(other)) > 1:
        return None
    first = next(x for x in s.of(by) if x.value == named[0])
    # "vs", "对比" here compare the names, not periods: with two periods ("this year vs last year") the
    # question asks for both at once, which stays a clarifying reply
    periods = [x for x in s.of("period") if not isinstance(x.value, tuple)]
    drop = {by} | ({"compare_word"} if len(periods) < 2 else set())
    alone = type(s)(s.text, [x for x in s.slots if x.kind not in drop or x is first])
    alone.taken = list(s.taken)  # the other names stay read, as words of this question
    q = decide(alone)
    if not isinstance(q, MetricQuery) or q.group_by is not None or q.compare_to is not None or q.compare:
        return None
    filters = q.filters.model_copy(update={by: None})
    return q.model_copy(update={"filters": filters, "group_by": by, "only": named})


def keep_named(rows: list[list[Any]], only: list[str], zero: bool) -> list[list[Any]]:
    """The breakdown's rows for the groups named, in the order named; a group with no orders counts 0 when
    the metric is a count or an amount (`zero`), and is left out for a ratio (no base to divide by)."""
    by_key = {str(r[0]): r for r in rows}
    out = []
    for key in only:
        if key in by_key:
            out.append(by_key[key])
        elif zero:
            out.append([key, 0])
    return out
