"""Answer kinds built on the parser's reading of a question: one metric for two or more chosen platforms or
countries side by side ("Lazada vs Shopee revenue this year", "新加坡和马来西亚的订单数对比"), and a single
cell of the cohort table ("month-3 retention of the June cohort", "3月首购客户的次月留存率").

The parser reads the question as if only the first platform (or country) had been named; when that reading
is a single number, the answer becomes a breakdown by platform (or country) limited to the ones named, in
the order named. Anything else (a list, a breakdown, a comparison of periods) keeps the clarifying reply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crm.query import texts
from crm.query.ir import CohortQuery, MetricQuery, Period
from crm.query.result import Result

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


# Months after the first order, said of a cohort: "month-3", "m3", "3 months later", "after 3 months",
# "next month", 次月, 3个月后. Only read in a question about retention or cohorts, where "month 3" cannot be March.
_COHORT_RE = re.compile(r"cohort|retention|retained|留存|同期群")
_OFFSET_PATTERNS: tuple[tuple[re.Pattern[str], int | None], ...] = (
    (re.compile(r"(?<![a-z])(?:month|m)\s*[-+]?\s*(\d{1,2})(?!\d)(?:\s+(?:retention|retained))?"), None),
    (
        re.compile(
            r"(?<![a-z])(?:after\s+(\d{1,2})\s*months?|(\d{1,2})\s*months?\s*(?:later|after|on|out))"
            r"(?:\s+(?:after\s+)?(?:their|the)\s+first\s+(?:order|purchase))?(?![a-z])"
        ),
        None,
    ),
    (re.compile(r"(?<![a-z])(?:the\s+)?(?:next|following)[- ]month(?![a-z])|次月|隔月"), 1),
    (re.compile(r"(\d{1,2})\s*个月(?:后|之后|以后)"), None),
)


def scan_cohort_offset(s: Scan) -> None:
    """Claim the months-after-first-order of a cohort question as a `cohort_offset` slot."""
    if not _COHORT_RE.search(s.text):
        return
    for pattern, fixed in _OFFSET_PATTERNS:
        for m in pattern.finditer(s.text):
            if s.free(m.start(), m.end()):
                said = fixed if fixed is not None else int(next(g for g in m.groups() if g))
                s.claim(m.start(), m.end(), "cohort_offset", said)


def cohort_cell(s: Scan, period: Period | None, query: CohortQuery) -> CohortQuery | None:
    """The single-cell reading of a cohort question that names months after the first order, or None when
    it names none; the cohort must be one month (the caller asks which otherwise)."""
    offsets = s.values("cohort_offset")
    if not offsets:
        return None
    if len(offsets) > 1 or not 1 <= offsets[0] <= 36 or period is None or period.kind != "month":
        raise ValueError("a cohort cell needs one cohort month and one number of months after it")
    return query.model_copy(update={"offset": offsets[0], "max_offset": max(query.max_offset, offsets[0])})


def cohort_cell_result(
    language: str, q: CohortQuery, labels: list[str], sizes: list[int], matrix: list[list[float | None]]
) -> Result:
    """One cell of the cohort table (METRICS.md, retention): the share of the customers whose first valid
    order fell in the cohort month who placed a valid order `offset` months later."""
    assert q.offset is not None and q.period is not None and q.period.month is not None
    label = f"{q.period.year}-{q.period.month:02d}"
    later_y, later_m = divmod(q.period.year * 12 + q.period.month - 1 + q.offset, 12)  # type: ignore[operator]
    later = f"{later_y}-{later_m + 1:02d}"
    row = labels.index(label) if label in labels else None
    share = matrix[row][q.offset] if row is not None else None
    size = sizes[row] if row is not None else 0
    query = q.model_dump(mode="json")
    if row is None or share is None:
        key = "cohort_cell_empty" if row is None else "cohort_cell_future"
        return Result(
            intent="cohort",
            query=query,
            text=texts.t(language, key, cohort=label, k=q.offset, month=later),
            language=language,
        )
    kept = round(share * size)  # the table keeps 4 decimals: the count back, and the exact share from it
    value = kept / size
    return Result(
        intent="cohort",
        query=query,
        value=value,
        columns=["cohort", "customers", f"m{q.offset}"],
        rows=[[label, size, value]],
        text=texts.t(
            language,
            "cohort_cell",
            cohort=label,
            k=q.offset,
            month=later,
            value=texts.fmt_value(value, "ratio", ""),
            kept=f"{kept:,}",
            n=f"{size:,}",
        ),
        language=language,
        unit="ratio",
    )
