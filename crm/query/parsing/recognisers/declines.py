"""Declines: a scanned question that cannot be answered as asked gets a clarifying reply, before any kind of
question is read from it (each check outranks the kinds; a new kind that answers such a question outranks it)."""

from __future__ import annotations

from typing import Any

from crm.query import vocab
from crm.query.parsing.clarify import _not_understood, clarify
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import recogniser
from crm.query.parsing.scan import BAD_DATE, FUTURE, SAME_PERIOD


@recogniser("other_as_of_date", rank=590)
def other_as_of_date(q: Question) -> Any:
    if any(m[1] != q.ref for m in q.reading.markers):
        return clarify("other_as_of_date", q.language)
    return None


@recogniser("future_period", rank=585)
def future_period(q: Question) -> Any:
    return clarify("future", q.language) if FUTURE in q.reading.periods else None


@recogniser("same_period", rank=580)
def same_period(q: Question) -> Any:
    return clarify("same_period", q.language) if SAME_PERIOD in q.reading.periods else None


@recogniser("bad_date", rank=575)
def bad_date(q: Question) -> Any:
    return clarify("bad_date", q.language) if BAD_DATE in q.reading.periods else None


@recogniser("two_periods", rank=570)
def two_periods(q: Question) -> Any:
    r = q.reading
    return clarify("two_periods", q.language) if len(r.periods) > 1 and r.compare_to is None else None


@recogniser("unknown_metric", rank=560)
def unknown_metric(q: Question) -> Any:
    unknown = q.scan.values("unknown_metric")
    return clarify("unknown_metric", q.language, metric=unknown[0]) if unknown else None


@recogniser("repeat_count", rank=555)
def repeat_count(q: Question) -> Any:
    """ "How many customers bought again": SellerMate measures the share of them (the repeat purchase rate), not a
    count; answering the number of all customers would be wrong, so it asks back with the rate."""
    if not q.scan.has("repeat_verb") or q.reading.metrics:
        return None
    period = q.scan.of("period")
    when_en = f" {period[0].text}" if period else " last 90 days"
    when_zh = period[0].text if period else "最近90天"
    lead = [f"{when_zh}的复购率"] if q.language == "zh" else [f"repeat purchase rate{when_en}"]
    return clarify("repeat_count", q.language, leading=lead)


@recogniser("negation", rank=550)
def negation(q: Question) -> Any:
    return clarify("exclude", q.language) if q.scan.has("negation_word") else None


@recogniser("unknown_words", rank=540)
def unknown_words(q: Question) -> Any:
    left = q.reading.left
    if left.words or left.cjk:
        return _not_understood(q.language, left.words[0] if left.words else left.cjk[:8])
    if left.numbers:
        return _not_understood(q.language, str(left.numbers[0]))
    return None


@recogniser("two_places", rank=530)
def two_places(q: Question) -> Any:
    r = q.reading
    if len(r.platforms) > 1 or len(r.countries) > 1:
        by = "platform" if len(r.platforms) > 1 else "country"
        return clarify("two_places", q.language, by=by, by_zh="平台" if by == "platform" else "国家")
    return None


@recogniser("two_breakdowns", rank=520)
def two_breakdowns(q: Question) -> Any:
    return clarify("one_breakdown", q.language) if len(q.reading.groups) > 1 else None


@recogniser("filter_and_breakdown", rank=510)
def filter_and_breakdown(q: Question) -> Any:
    r = q.reading
    if (r.group_by == "platform" and r.filters.platform) or (r.group_by == "country" and r.filters.country):
        return clarify("filter_and_breakdown", q.language)
    return None


@recogniser("trend_unreadable", rank=505)
def trend_unreadable(q: Question) -> Any:
    return _not_understood(q.language) if q.reading.trend_unreadable else None


@recogniser("not_comparable", rank=500)
def not_comparable(q: Question) -> Any:
    r = q.reading
    changes = (
        r.compare or q.scan.has("change_word") or q.scan.has("shift")
    )  # "yoy" on all time: nothing before
    if (changes or r.compare_to is not None) and not r.comparable:
        return clarify("compare_kinds", q.language)
    return None


@recogniser("ambiguous_segment", rank=490)
def ambiguous_segment(q: Question) -> Any:
    r = q.reading
    if not r.ambiguous_segments:
        return None
    labels = [
        vocab.SEGMENT_LABELS_ZH[x] if q.zh else vocab.SEGMENT_LABELS_EN[x] + " customers"
        for x in r.ambiguous_segments[0]
    ]
    return clarify(
        "segment_names",
        q.language,
        [(f"{x}有多少" if q.zh else f"how many {x}") for x in labels],
        segments=("、" if q.zh else ", ").join(labels),
    )


@recogniser("two_segments", rank=480)
def two_segments(q: Question) -> Any:
    r = q.reading
    return clarify("two_segments", q.language) if len(r.segments) > 1 or len(r.stages) > 1 else None


@recogniser("not_understood", rank=0)
def not_understood(q: Question) -> Any:
    """Whatever no recogniser claims."""
    return _not_understood(q.language)
