"""Journey answers (docs/journeys.md): the transition table of lifecycle stages between two dates, with its
chart and the draft each stage can get now, and the second-order conversion of a period's new customers.

The compiler (crm.query.compiler) hands over its question context; the numbers come from
crm.analytics.journeys."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from crm.analytics import journeys as j
from crm.analytics.metrics import as_of_date
from crm.analytics.samples import sample_note, too_few
from crm.query import texts
from crm.query.ir import Period, SecondOrderQuery, TransitionsQuery
from crm.query.result import ChartSpec, Result, StageAction

# What the product can do now for the customers in each stage at the later date (a draft for all of them,
# crm.outreach.service.draft_for_segment with the stage): welcome the new, thank the active (a loyalty note),
# win back the dormant, win back the churned (the seller adds the offer). Prospects have no order to build on.
STAGE_ACTIONS: dict[str, str] = {
    "new": "welcome",
    "active": "thank_you",
    "dormant": "winback",
    "churned": "winback",
}
# The moves an answer reads out when the question names none.
_HEADLINE_MOVES = (("new", "active"), ("active", "dormant"), ("dormant", "active"), ("dormant", "churned"))


_GAP = {"en": " ", "zh": ""}  # between two sentences


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def stage_name(lang: str, stage: str) -> str:
    if stage == j.NOT_YET:
        return texts.t(lang, "journey_not_yet")
    return texts.LIFECYCLE_NAMES[lang][stage]


async def transitions_result(ctx: Any, q: TransitionsQuery) -> Result:
    today = as_of_date(ctx.as_of, ctx.tz)
    d2 = min(q.end, today) if q.end is not None else today
    d1 = q.start if q.start is not None else d2 - timedelta(days=j.DEFAULT_LOOKBACK_DAYS)
    lang = ctx.lang
    if d1 >= d2:
        return Result(
            intent="transitions",
            query=q.model_dump(mode="json"),
            text=texts.t(lang, "journey_dates", d1=d1.isoformat(), d2=d2.isoformat()),
            language=lang,
        )
    async with ctx.db.sessions() as session:
        table = await j.transitions(session, ctx.workspace_id, d1, d2, ctx.tz, ctx.lifecycle_days)
    totals = table.counts.sum(axis=1)
    shown = [s for s in j.FROM_STAGES if totals[j.FROM_STAGES.index(s)] > 0]
    rows: list[list[Any]] = []
    for s in shown:
        row = table.row(s)
        n = int(row.sum())
        rows.append([stage_name(lang, s), n, *(round(int(c) / n, 4) for c in row)])
    lines = [texts.t(lang, "journey", d1=d1.isoformat(), d2=d2.isoformat(), days=(d2 - d1).days)]
    moves: list[tuple[str, str]] = [(q.from_stage, q.to_stage)] if q.from_stage and q.to_stage else []
    if q.from_stage and not q.to_stage:
        moves = [(q.from_stage, t) for t in j.STAGES if t != q.from_stage]
    if not moves:
        moves = list(_HEADLINE_MOVES)
    value: float | None = None
    for a, b in moves:
        n = int(table.row(a).sum())
        if n == 0:
            if q.from_stage:
                lines.append(texts.t(lang, "journey_move_none", a=stage_name(lang, a), d1=d1.isoformat()))
            continue
        share = table.share(a, b)
        moved = int(table.row(a)[j.STAGES.index(b)])
        line = texts.t(
            lang,
            "journey_move",
            a=stage_name(lang, a),
            b=stage_name(lang, b),
            pct=_pct(share),
            moved=f"{moved:,}",
            n=f"{n:,}",
            d1=d1.isoformat(),
            d2=d2.isoformat(),
        )
        if too_few(n, ctx.min_sample):
            line += _GAP[lang] + sample_note(n, "customers", lang, min_sample=ctx.min_sample)
        lines.append(line)
        if len(moves) == 1:
            value = share
    joined = int(totals[j.FROM_STAGES.index(j.NOT_YET)])
    if joined and not q.from_stage:
        lines.append(texts.t(lang, "journey_joined", n=f"{joined:,}", d1=d1.isoformat()))
    if not rows:
        lines = [texts.t(lang, "journey_empty", d2=d2.isoformat())]
    at_d2 = table.counts.sum(axis=0)
    actions = [
        StageAction(stage=s, intent=intent, customers=int(at_d2[j.STAGES.index(s)]))
        for s, intent in STAGE_ACTIONS.items()
        if at_d2[j.STAGES.index(s)] > 0
    ]
    if actions:
        lines.append(texts.t(lang, "journey_actions", d2=d2.isoformat()))
    title = texts.t(lang, "journey_chart", d1=d1.isoformat(), d2=d2.isoformat())
    chart = (
        ChartSpec(
            kind="stacked_hbar",
            title=title,
            x=[texts.t(lang, "journey_chart_row", stage=r[0], n=f"{r[1]:,}") for r in rows],
            series={stage_name(lang, s): [float(r[2 + k]) for r in rows] for k, s in enumerate(j.STAGES)},
            value_format="ratio",
            x_label=texts.t(lang, "journey_chart_x", d2=d2.isoformat()),
            y_label=texts.t(lang, "journey_chart_y", d1=d1.isoformat()),
        )
        if rows
        else None
    )
    return Result(
        intent="transitions",
        query=q.model_dump(mode="json"),
        value=value,
        columns=["stage_from", "customers", *(f"to_{s}" for s in j.STAGES)],
        rows=rows,
        text="\n".join(lines),
        language=lang,
        unit="ratio" if value is not None else None,
        chart=chart,
        explanation=texts.t(lang, "journey_explanation", days=ctx.lifecycle_days[0], d1=d1.isoformat()),
        actions=actions,
    )


def default_second_order_period(ctx: Any, window_days: int) -> Period:
    """The `window` days just before the last `window` days: every new customer in it is observable."""
    day = as_of_date(ctx.as_of, ctx.tz)
    end = day - timedelta(days=window_days)
    return Period(kind="range", start=end - timedelta(days=window_days), end=end)


async def second_order_result(ctx: Any, q: SecondOrderQuery) -> Result:
    lang = ctx.lang
    period = q.period or default_second_order_period(ctx, q.window_days)
    start, end = period.bounds(ctx.as_of, ctx.tz)
    label = ctx.period_label(period)
    async with ctx.db.sessions() as session:
        conv = await j.second_order(session, ctx.workspace_id, start, end, ctx.as_of, q.window_days)
    args: dict[str, Any] = {"period": label, "window": q.window_days}
    if conv.new_customers == 0:
        text = texts.t(lang, "second_order_empty", **args)
    elif conv.counted == 0:
        text = texts.t(lang, "second_order_too_recent_all", n=f"{conv.new_customers:,}", **args)
    else:
        rate = conv.rate
        assert rate is not None
        text = texts.t(
            lang,
            "second_order",
            never=_pct(1 - rate),
            rate=_pct(rate),
            converted=f"{conv.converted:,}",
            counted=f"{conv.counted:,}",
            **args,
        )
        text += _GAP[lang] + sample_note(conv.counted, "customers", lang, min_sample=ctx.min_sample)
        if conv.too_recent:
            text += "\n" + texts.t(lang, "second_order_too_recent", n=f"{conv.too_recent:,}", **args)
    return Result(
        intent="second_order",
        query=q.model_dump(mode="json"),
        value=round(conv.rate, 4) if conv.rate is not None else None,
        columns=["new_customers", "too_recent", "counted", "ordered_again"],
        rows=[[conv.new_customers, conv.too_recent, conv.counted, conv.converted]],
        text=text,
        language=lang,
        unit="ratio",
        explanation=ctx.explain(
            texts.t(lang, "second_order_definition", window=q.window_days), start, end, _no_filters()
        ),
    )


def _no_filters() -> Any:
    from crm.query.ir import Filters

    return Filters()
