"""One question as every recogniser sees it: the raw and normalised text, the language, the as-of day, and (read
on first use) its scan and the reading of that scan."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

from crm.query.ir import Filters, Period
from crm.query.parsing.lexicon import _Leftover, _leftover
from crm.query.parsing.scan import SAME_PERIOD, Scan
from crm.query.periods import SHIFT_DEFAULT, _Periods


@dataclass
class Question:
    raw: str
    text: str  # normalised (crm.query.parser.normalise)
    language: str
    ref: date  # the as-of day
    local: datetime  # the as-of moment in the workspace time zone
    # Claims the question's spans (periods, group-by, top-N, countries, tags, the lexicon); given by the parser.
    scanner: Callable[[Question], Scan] = field(repr=False)
    # The workspace's customer names (crm.query.names.NameIndex), so a known name is read anywhere.
    names: Any = field(default=None, repr=False)

    @property
    def zh(self) -> bool:
        return self.language == "zh"

    @cached_property
    def scan(self) -> Scan:
        return self.scanner(self)

    @cached_property
    def reading(self) -> Reading:
        return Reading.of(self.scan, self.ref, self.local)


@dataclass
class Reading:
    """What the scan says, put together once: the period(s), filters, breakdown, metrics and the words that
    make a ranking, a comparison or a count. Recognisers decide from this; none of them changes it."""

    markers: list[Any]  # (kind, date) of an as-of date named in the question
    periods: list[Any]  # Period, or FUTURE / BAD_DATE / SAME_PERIOD
    period: Period | None
    compare_to: Period | None
    platforms: list[str]
    countries: list[str]
    tags: list[str]
    filters: Filters
    groups: list[str]
    group_by: str | None  # with "trend" words, by month unless another time breakdown is named
    trend_unreadable: bool  # a trend of a ranking or of a non-time breakdown
    metrics: list[str]
    ambiguous_segments: list[Any]
    segments: list[str]
    stages: list[str]
    top_n: list[int]
    is_top: bool
    is_most: bool
    has_count: bool
    has_entity: bool
    compare: bool
    comparable: bool
    left: _Leftover

    @classmethod
    def of(cls, s: Scan, ref: date, local: datetime) -> Reading:
        values = s.values("period")
        markers = [p for p in values if isinstance(p, tuple)]
        periods = [p for p in values if not isinstance(p, tuple)]
        compare_to = None
        period: Period | None = None
        shifts = s.values("shift")
        named = [p for p in periods if p != SAME_PERIOD]
        if (
            (shifts or SAME_PERIOD in periods)
            and len(named) <= 1
            and all(isinstance(p, Period) for p in named)
        ):
            # "revenue last month m/m", "yoy", "环比", "和去年同期相比": the period against the one before it, or
            # against the same days a year earlier; a shift word alone means its running period ("w/w": this
            # week), a year-on-year one this year.
            how, unit = shifts[0] if shifts else ("year", None)
            base = named[0] if named else None
            if base is None and shifts:
                base = Period(
                    kind=SHIFT_DEFAULT.get(unit or "", "this_year" if how == "year" else "this_month")
                )
            earlier = _Periods(ref, local).shifted(base, how) if base is not None else None
            if base is not None and earlier is not None:
                period, compare_to, periods = base, earlier, [base, earlier]
        elif (
            len(periods) == 2
            and s.has("compare_word")
            and periods[0] != periods[1]
            and all(isinstance(p, Period) for p in periods)
        ):
            # "this year vs last year": both, side by side (metrics only); the later period first, so the
            # change reads from the earlier one to it whichever way the question put them.
            moment = datetime.combine(ref, datetime.min.time(), tzinfo=ZoneInfo("UTC"))
            period, compare_to = sorted(
                periods, key=lambda p: p.bounds(moment, ZoneInfo("UTC"))[1], reverse=True
            )
        if compare_to is None and len(periods) == 1 and isinstance(periods[0], Period):
            period = periods[0]

        platforms, countries, tags = s.values("platform"), s.values("country"), s.values("tag")
        filters = Filters(
            platform=platforms[0] if len(platforms) == 1 else None,
            country=countries[0] if len(countries) == 1 else None,
            tag=tags[0] if tags else None,
        )
        metrics = s.values("metric")
        segments, stages, top_n = s.values("segment"), s.values("lifecycle"), s.values("top_n")
        if (
            tags
            and period is None
            and metrics in ([], ["customers"])
            and not segments
            and not stages
            and not top_n
        ):
            period = Period(kind="all_time")  # "how many customers are tagged vip": all of them, not 90 days

        groups = s.values("group_by")
        group_by = groups[0] if groups else None
        is_top = bool(top_n) or s.has("top_word")
        is_most = s.has("most_word") or any(
            sl.kind in ("top_revenue_word", "top_orders_word") and re.search(r"most|最", sl.text)
            for sl in s.slots
        )
        ranked = any(s.has(k) for k in ("top_word", "most_word", "top_revenue_word", "top_orders_word"))
        # "最有价值的10个客户": the customers are inside the top-N phrase ("10个客户" alone is no ranking)
        has_entity = s.has("entity") or any(
            (sl.kind == "top_word" or (sl.kind == "top_n" and ranked))
            and re.search(r"customer|buyer|client|spender|shopper|客户|买家|顾客|客人|用户", sl.text)
            for sl in s.slots
        )
        trend_unreadable = False
        if s.has("trend_word"):
            if group_by in (None, "month", "quarter", "year") and not is_top:
                group_by = group_by or "month"
            else:
                trend_unreadable = True
        compare = s.has("compare_word")
        if (
            compare
            and group_by in ("platform", "country", "segment")
            and not s.has("change_word")
            and not _compares_a_period(s)
        ):
            compare = False  # "compare platforms" = the breakdown itself; "by platform vs last year" is not
        ambiguous_segments = s.values("ambiguous_segment")
        comparable = (
            compare_to is not None
            and group_by is None
            and len(metrics) == 1
            and not is_top
            and not segments
            and not stages
            and not ambiguous_segments
        )
        return cls(
            markers=markers,
            periods=periods,
            period=period,
            compare_to=compare_to,
            platforms=platforms,
            countries=countries,
            tags=tags,
            filters=filters,
            groups=groups,
            group_by=group_by,
            trend_unreadable=trend_unreadable,
            metrics=metrics,
            ambiguous_segments=ambiguous_segments,
            segments=segments,
            stages=stages,
            top_n=top_n,
            is_top=is_top,
            is_most=is_most,
            has_count=s.has("count_word"),
            has_entity=has_entity,
            compare=compare,
            comparable=comparable,
            left=_leftover(s),
        )


def _compares_a_period(s: Scan) -> bool:
    """Whether a compare word stands right beside a period ("… vs last year", "和去年相比"): the question then
    compares periods, whatever else it breaks down by."""
    slots = sorted(s.slots, key=lambda x: x.start)
    for i, slot in enumerate(slots):
        if slot.kind == "compare_word":
            beside = slots[i - 1 : i] + slots[i + 1 : i + 2]
            if any(b.kind == "period" for b in beside):
                return True
    return False
