"""Answers on service figures (docs/metrics.md, docs/service.md): average rating, NPS, complaint rate and return
reasons, each said with the count n it rests on and marked when n is below the workspace's `min_sample` (too few
to rely on: the product-wide rule of crm.analytics.samples)."""

from __future__ import annotations

from typing import Any

from crm import catalog
from crm.analytics import service as svc
from crm.analytics.samples import too_few
from crm.display import NAME_LENGTH, displayable
from crm.query import texts
from crm.query.ir import DEFAULT_PERIOD, MetricQuery
from crm.query.result import ChartSpec, Result
from storage.repositories.analytics import Scope

SERVICE_METRICS = svc.SERVICE_METRICS
# The breakdowns a service figure has (segment: not yet).
SERVICE_GROUPS = frozenset(svc.GROUPS)

# The groups a service breakdown says in its text; the table under it holds them all (by product: hundreds).
LISTED_GROUPS = 10


def small_mark(ctx: Any, n: int) -> str:
    """The short mark after a figure resting on fewer than the workspace's `min_sample` items ("" otherwise)."""
    return texts.t(ctx.lang, "service_small", min=ctx.min_sample) if too_few(n, ctx.min_sample) else ""


def _rounded(value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    return round(value, {"score": 2, "nps": 1}.get(unit, 6))


async def service_result(ctx: Any, q: MetricQuery, session: Any, scope: Scope) -> Result:
    """A service figure over the question's period: one value with its n, a breakdown with n per group, or the
    returns by reason."""
    period = q.period or DEFAULT_PERIOD
    start, end = period.bounds(ctx.as_of, ctx.tz)
    unit = catalog.metric(q.metric).unit
    name = texts.METRIC_NAMES[ctx.lang][q.metric]
    label = ctx.period_label(period)
    ftext = ctx.filters_text(q.filters)
    definition = texts.DEFINITIONS[ctx.lang][q.metric]
    explanation = ctx.explain(definition, start, end, q.filters)
    lang = ctx.lang

    def base(**kw: Any) -> Result:
        return Result(
            intent="metric",
            query=q.model_dump(mode="json"),
            language=lang,
            unit=unit,
            explanation=explanation,
            **kw,
        )

    def empty() -> Result:
        what = texts.t(lang, f"service_what_{q.metric}")
        return base(
            value=None,
            text=texts.t(lang, "service_empty", name=name, period=label, filters=ftext, what=what),
            rows=[],
        )

    if q.group_by is not None and q.group_by not in SERVICE_GROUPS:
        by = texts.GROUP_NAMES[lang].get(q.group_by, q.group_by)
        return base(value=None, text=texts.t(lang, "service_no_breakdown", name=name, by=by), rows=[])

    if q.metric == "return_reasons" and q.group_by is None:
        counted = await svc.reasons(session, scope, start, end)
        total = sum(n for _, n in counted)
        if not total:
            return empty()
        lines = [
            texts.t(
                lang, "service_reasons", period=label, filters=ftext, n=total, small=small_mark(ctx, total)
            )
        ]
        rows: list[list[Any]] = []
        for reason, n in counted:
            shown = displayable(reason, NAME_LENGTH) if reason else texts.t(lang, "service_no_reason")
            share = n / total
            rows.append([shown, n, round(share, 4)])
            lines.append(f"• {shown}: {n} ({share * 100:.0f}%)")
        return base(value=total, text="\n".join(lines), columns=["reason", "returns", "share"], rows=rows)

    if q.group_by is None:
        f = await svc.figure(session, q.metric, scope, start, end)
        if f.value is None:
            return empty()
        value = _rounded(f.value, unit)
        shown = texts.fmt_value(value, unit, ctx.currency)
        if q.metric == "complaint_rate":
            text = texts.t(
                lang,
                "service_complaints",
                name=name,
                period=label,
                filters=ftext,
                value=shown,
                complaints=f.count,
                n=f.n,
                small=small_mark(ctx, f.n),
            )
        else:
            text = texts.t(
                lang,
                "service_figure",
                name=name,
                period=label,
                filters=ftext,
                value=shown,
                n=f.n,
                small=small_mark(ctx, f.n),
            )
        return base(value=value, text=text, columns=[q.metric, "n"], rows=[[value, f.n]])

    groups = await svc.figures_by(session, q.metric, scope, q.group_by, start, end, ctx.tz)
    if q.group_by in ("platform", "product", "country"):
        # Highest first, those resting on enough items before those marked as too few.
        groups.sort(key=lambda g: (too_few(g[1].n, ctx.min_sample), -(g[1].value or 0), -g[1].n, g[0]))
    if not groups:
        return empty()
    by = texts.GROUP_NAMES[lang][q.group_by]
    lines = [texts.t(lang, "group", name=name, by=by, period=label, filters=ftext)]
    rows = []
    for key, f in groups:
        shown_key = texts.platform_name(key) if q.group_by == "platform" else key
        shown_key = displayable(shown_key, NAME_LENGTH)
        value = _rounded(f.value, unit)
        rows.append([shown_key, value, f.n])
        if len(rows) <= LISTED_GROUPS:
            lines.append(
                f"• {shown_key}: {texts.fmt_value(value, unit, ctx.currency)} (n = {f.n}){small_mark(ctx, f.n)}"
            )
    if len(rows) > LISTED_GROUPS:
        # the rest are in the table under the text (paged in the bot), not listed twice
        lines.append(texts.t(lang, "more_items", n=len(rows) - LISTED_GROUPS))
    chart = ChartSpec(
        kind="line" if q.group_by in ("month", "quarter", "year") else "bar",
        title=lines[0].rstrip(":："),
        x=[str(r[0]) for r in rows],
        series={name: [float(r[1] or 0) for r in rows]},
        # An average of stars is drawn with its decimals ("money" is the format that keeps two).
        value_format="ratio" if unit == "ratio" else "money" if unit == "score" else "count",
    )
    return base(
        value=None,
        text="\n".join(lines),
        columns=[q.group_by, q.metric, "n"],
        rows=rows,
        chart=chart,
    )
