"""The compiler: runs a validated question (crm.query.ir) against the database and returns one Result."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from crm import catalog
from crm.analytics import metrics as m
from crm.analytics import samples
from crm.display import NAME_LENGTH, displayable
from crm.query import texts
from crm.query.ir import (
    DEFAULT_PERIOD,
    SEGMENTS,
    CLVQuery,
    CohortQuery,
    CustomerListQuery,
    CustomerQuery,
    Filters,
    LifecycleQuery,
    MetricQuery,
    Period,
    PointsQuery,
    ProductQuery,
    Query,
    SecondOrderQuery,
    SegmentsQuery,
    TopCustomersQuery,
    TransitionsQuery,
)
from crm.query.kinds import cohort_cell_result, customer_list_result, keep_named
from crm.query.parser import database_command_refusal
from crm.query.result import ChartSpec, Result
from crm.query.service_kinds import SERVICE_METRICS, service_result
from crm.settings import QuerySettings, WorkspaceConfig, lifecycle_days, workspace_of
from crm.text import render
from storage.db import Database
from storage.repositories import analytics as repo
from storage.repositories import service as service_repo
from storage.repositories.analytics import Scope
from storage.repositories.currency import base_currency
from storage.repositories.customer_desk import search_customers

if TYPE_CHECKING:
    import numpy as np  # imported by the questions that build arrays: a KPI needs none

# The journeys, points and products answers are imported by the questions that ask for them.

# A customer name on a chart axis, and the buyer identities a profile lists, at most.
CHART_LABEL = 24
SHOWN_IDENTITIES = 10
# The card's service history: the latest reviews, NPS answers, complaints and returns, each body shortened.
SERVICE_LINES = 5
SERVICE_BODY = 80
# Metrics that are sums: a group named with no orders has 0 of them (a ratio or an average has no value).
_ADDITIVE_METRICS = frozenset(
    {"orders", "revenue", "customers", "new_customers", "cancelled_orders", "returned_orders"}
)


class _Ctx:
    def __init__(
        self,
        db: Database,
        workspace_id: int,
        settings: QuerySettings | WorkspaceConfig,
        as_of: datetime,
        language: str,
    ) -> None:
        workspace = workspace_of(settings)
        self.db, self.workspace_id, self.as_of, self.settings = db, workspace_id, as_of, settings
        self.tz = ZoneInfo(workspace.timezone)
        self.currency = workspace.base_currency
        self.lang = "zh" if language == "zh" else "en"
        self.lifecycle_days = lifecycle_days(workspace)
        # Below this many customers or orders a ratio or an average is marked as too few to rely on.
        self.min_sample: int = getattr(workspace, "min_sample", None) or samples.min_sample()
        # The caveat on predicted value fitted on few repeat buyers, set by the customer card (_profile).
        self.clv_note = ""
        # The customer of the card bought on one local day only (several orders, no repeat purchase for BG/NBD).
        self.one_purchase_day = False

    def period_label(self, period: Period) -> str:
        if self.lang == "zh":
            if period.kind in texts.PERIOD_NAMES_ZH:
                return texts.PERIOD_NAMES_ZH[period.kind]
            if period.kind == "last_n_days":
                return f"过去 {period.n} 天"
            if period.kind == "month":
                return f"{period.year}年{period.month}月"
            if period.kind == "quarter":
                return f"{period.year}年第{period.quarter}季度"
            if period.kind == "year":
                return f"{period.year}年"
            if period.kind == "range":
                first, last = period.inclusive_days()
                return str(first) if first == last else f"{first} 至 {last}"
        return period.label()

    def filters_text(self, f: Filters) -> str:
        parts = []
        if f.platform:
            parts.append(texts.t(self.lang, "in_platform", platform=texts.platform_name(f.platform)))
        if f.country:
            parts.append(texts.t(self.lang, "in_country", country=texts.country_name(f.country, self.lang)))
        if f.tag:
            parts.append(texts.t(self.lang, "with_tag", tag=f.tag))
        if f.segment:
            parts.append(texts.t(self.lang, "in_segment", segment=texts.SEGMENT_NAMES[self.lang][f.segment]))
        return "".join(parts)

    def explain(self, definition: str | None, start: datetime | None, end: datetime, f: Filters) -> str:
        fmt = "%Y-%m-%d %H:%M"
        lines = []
        if definition:
            # the sentence ends the definition itself: one that ends in a full stop would end twice ("name..")
            lines.append(texts.t(self.lang, "definition", text=definition.rstrip(".。 ")))
        lines.append(
            texts.t(
                self.lang,
                "window",
                start=start.astimezone(self.tz).strftime(fmt) if start else "—",
                end=end.astimezone(self.tz).strftime(fmt),
                tz=str(self.tz),
            )
        )
        active = {k: v for k, v in f.model_dump().items() if v}
        if active:
            lines.append(
                texts.t(
                    self.lang,
                    "filters_label",
                    filters=", ".join(f"{texts.t(self.lang, f'filter_{k}')}={v}" for k, v in active.items()),
                )
            )
        return "\n".join(lines)


async def _scope(session: Any, ctx: _Ctx, f: Filters) -> Scope:
    ids = None
    if f.segment:
        scores = await m.customer_scores(
            session, ctx.workspace_id, ctx.as_of, ctx.tz, lifecycle_days=ctx.lifecycle_days
        )
        ids = frozenset(scores.ids[scores.segment == f.segment].tolist())
    return Scope(ctx.workspace_id, platform=f.platform, country=f.country, tag=f.tag, customer_ids=ids)


def _unit(metric: str) -> str:
    return catalog.metric(metric).unit


def _number(value: float | None, unit: str) -> float | int | None:
    if value is None:
        return None
    return int(value) if unit == "count" else float(value)


def _partial_note(ctx: _Ctx, windows: list[tuple[datetime | None, datetime]], labels: list[str]) -> str:
    """A caveat when the first period is still running and so much shorter than the one it is compared with
    ("this month vs last month" on the 2nd): the change then mostly measures the calendar."""
    (s1, e1), (s2, e2) = windows
    if s1 is None or s2 is None or e1 < ctx.as_of - timedelta(seconds=1):
        return ""
    days1, days2 = (e1 - s1) / timedelta(days=1), (e2 - s2) / timedelta(days=1)
    if days2 <= 0 or days1 >= 0.9 * days2:
        return ""

    def n_days(d: float) -> str:
        return render(ctx.lang, "answer.days", n=max(1, round(d)))

    return texts.t(
        ctx.lang,
        "partial_window",
        period=labels[0],
        days=n_days(days1),
        other=labels[1],
        other_days=n_days(days2),
    )


async def _unpriced_note(
    ctx: _Ctx, session: Any, scope: Scope, windows: list[tuple[datetime | None, datetime]]
) -> str:
    """The orders an amount leaves out because their currency has no rate into the base currency, said in the
    answer ("199 orders have no SGD rate and are left out"); "" when every order in the windows is priced.
    Overlapping windows are counted once."""
    merged: list[tuple[datetime | None, datetime]] = []
    for s, e in sorted(windows, key=lambda w: (w[0] is not None, w[0] or w[1])):
        if merged and (s is None or s <= merged[-1][1]):
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    counts: dict[str, int] = {}
    for s, e in merged:
        for cur, n in (await repo.unpriced_orders(session, scope, s, e)).items():
            counts[cur] = counts.get(cur, 0) + n
    total = sum(counts.values())
    if not total:
        return ""
    currencies = ("、" if ctx.lang == "zh" else " or ").join(sorted(counts))
    return texts.t(
        ctx.lang,
        "unpriced_one" if total == 1 else "unpriced",
        n=f"{total:,}",
        currencies=currencies,
        base=ctx.currency,
    )


def _customer_unpriced_note(ctx: _Ctx, who: str, counts: dict[str, int]) -> str:
    """One customer's orders an amount about them (spend, LTV, CLV) leaves out for want of a rate, said in the
    answer ("2 of Dan's orders (in IDR) have no SGD rate and are left out"); "" when all are priced."""
    total = sum(counts.values())
    if not total:
        return ""
    return texts.t(
        ctx.lang,
        "customer_unpriced_one" if total == 1 else "customer_unpriced",
        n=f"{total:,}",
        who=who,
        currencies=("、" if ctx.lang == "zh" else " or ").join(sorted(counts)),
        base=ctx.currency,
    )


def _money_window(metric: str, start: datetime | None, end: datetime) -> tuple[datetime | None, datetime]:
    """The orders an amount is made of: those of the window, or for the average LTV every order up to its end."""
    return (None, end) if metric == "avg_ltv" else (start, end)


async def _compared(
    ctx: _Ctx,
    q: MetricQuery,
    session: Any,
    scope: Scope,
    unit: str,
    name: str,
    ftext: str,
    definition: str | None,
) -> Result:
    """One metric over two named periods, side by side, with the change from the second to the first (percent
    for amounts and counts, percentage points for rates)."""
    assert q.compare_to is not None
    periods = [q.period or DEFAULT_PERIOD, q.compare_to]
    values, windows = [], []
    for period in periods:
        start, end = period.bounds(ctx.as_of, ctx.tz)
        windows.append((start, end))
        values.append(_number(await m.metric_value(session, q.metric, scope, start, end), unit))
    labels = [ctx.period_label(p) for p in periods]
    change = ""
    if values[0] is not None and values[1] is not None:
        if unit == "ratio":
            pts = (values[0] - values[1]) * 100
            change = texts.t(
                ctx.lang, "change_pts", sign="+" if pts >= 0 else "−", pts=f"{abs(pts):.1f}", other=labels[1]
            )
        elif values[1]:
            pct = (values[0] - values[1]) / abs(values[1]) * 100
            change = texts.t(
                ctx.lang, "change_pct", sign="+" if pct >= 0 else "−", pct=f"{abs(pct):.1f}%", other=labels[1]
            )
    shown = [texts.fmt_value(v, unit, ctx.currency) if v is not None else "—" for v in values]
    text = texts.t(
        ctx.lang,
        "compared",
        name=name,
        filters=ftext,
        period=labels[0],
        value=shown[0],
        other=labels[1],
        other_value=shown[1],
        change=change,
    )
    text += _partial_note(ctx, windows, labels)
    if unit == "money":
        text += await _unpriced_note(ctx, session, scope, [_money_window(q.metric, s, e) for s, e in windows])
    explanation = "\n".join(
        ctx.explain(definition if i == 0 else None, s, e, q.filters if i == 0 else Filters())
        for i, (s, e) in enumerate(windows)
    )
    return Result(
        intent="metric",
        query=q.model_dump(mode="json"),
        value=values[0],
        text=text,
        language=ctx.lang,
        unit=unit,
        currency=ctx.currency if unit == "money" else None,
        columns=["period", q.metric],
        rows=[[lab, v] for lab, v in zip(labels, values, strict=True)],
        explanation=explanation,
    )


async def _metric(ctx: _Ctx, q: MetricQuery) -> Result:

    period = q.period or DEFAULT_PERIOD
    start, end = period.bounds(ctx.as_of, ctx.tz)
    unit = _unit(q.metric)
    name = texts.METRIC_NAMES[ctx.lang][q.metric]
    label = ctx.period_label(period)
    ftext = ctx.filters_text(q.filters)
    async with ctx.db.sessions() as session:
        scope = await _scope(session, ctx, q.filters)
        definition = texts.DEFINITIONS[ctx.lang][q.metric]
        if q.metric in SERVICE_METRICS and q.compare_to is None:
            return await service_result(ctx, q, session, scope)
        if q.group_by == "product":  # only service figures name products (the orders they are about)
            return Result(
                intent="metric",
                query=q.model_dump(mode="json"),
                language=ctx.lang,
                text=texts.t(
                    ctx.lang, "service_no_breakdown", name=name, by=texts.GROUP_NAMES[ctx.lang]["product"]
                ),
            )
        if q.group_by is None and q.compare_to is not None:
            return await _compared(ctx, q, session, scope, unit, name, ftext, definition)
        if q.group_by is None:
            found = await m.metric_figure(session, q.metric, scope, start, end)
            raw = found.value if isinstance(found, m.Figure) else found
            value = _number(raw, unit)
            key = "metric" if value is not None else "no_data"
            text = texts.t(
                ctx.lang,
                key,
                name=name,
                period=label,
                filters=ftext,
                value=texts.fmt_value(value, unit, ctx.currency),
            )
            if q.metric == "customers" and period.kind == "all_time" and value is not None:
                # The customer base: say what is counted, and the records that never ordered.
                text = texts.t(
                    ctx.lang,
                    "customer_base",
                    filters=ftext.rstrip() if ctx.lang == "en" else ftext,
                    value=f"{value:,}",
                )
                if not q.filters.model_dump(exclude_defaults=True):
                    prospects = await repo.customer_records(session, ctx.workspace_id) - value
                    if prospects > 0:
                        text += texts.t(ctx.lang, "customer_base_prospects", n=f"{prospects:,}")
            if isinstance(found, m.Figure) and value is not None:
                # A ratio or an average: the n behind it, and the small-sample mark below min_sample.
                text = _with_sample(ctx, text, found.n, found.unit)
            counted_to = _still_running(ctx, period.kind, end)
            if counted_to is not None and value is not None:  # "orders this month: 50" is so far, not final
                what = label[:1].upper() + label[1:] if ctx.lang == "en" else label  # starts a sentence
                text += texts.t(ctx.lang, "running_note", period=what, day=counted_to)
            if unit == "money":
                text += await _unpriced_note(ctx, session, scope, [_money_window(q.metric, start, end)])
            return Result(
                intent="metric",
                query=q.model_dump(mode="json"),
                value=value,
                text=text,
                language=ctx.lang,
                unit=unit,
                currency=ctx.currency if unit == "money" else None,
                explanation=ctx.explain(definition, start, end, q.filters),
            )
        spans: dict[str, tuple[datetime, datetime]] = {}  # by month/quarter/year: each one's window
        months = m.WINDOW_MONTHS.get(q.group_by or "", 0)
        if months and start is None:  # all time: from the calendar month (quarter, year) of the first order,
            first = await repo.first_valid_order_at(session, scope, end)  # whole: nothing came before it
            start = min(m.calendar_start(first, ctx.tz, months), end) if first is not None else end
        windows: list[tuple[str, datetime, datetime]] | None = None
        segments: tuple[np.ndarray, np.ndarray] | None = None
        if months:
            assert start is not None  # (the first order's calendar month or the end, above)
            windows = m.month_windows(start, end, ctx.tz, months)
            spans = {lab: (s, e) for lab, s, e in windows}
        elif q.group_by == "segment":
            # Segments do not depend on the lifecycle settings; kept once per data version and as-of day.
            segments = await m.segment_codes(ctx.db, session, ctx.workspace_id, ctx.as_of, ctx.tz)
        # Every group in one set-based pass (crm.analytics.metrics.metric_breakdown), not a query per group.
        rows = []
        few: dict[str, tuple[int, samples.SampleUnit]] = {}  # groups whose figure rests on too few items
        for key, found in await m.metric_breakdown_figures(
            session, q.metric, scope, q.group_by, start, end, windows=windows, segments=segments
        ):
            figure = found if isinstance(found, m.Figure) else None
            value = _number(found.value if isinstance(found, m.Figure) else found, unit)
            if value is not None:  # the group's code (a segment's too), named where it is shown
                rows.append([key, round(value, 6) if isinstance(value, float) else value])
                if figure is not None and samples.too_few(figure.n, ctx.min_sample):
                    few[key] = (figure.n, figure.unit)
        if q.only:  # "Lazada vs Shopee": the groups named only
            rows = keep_named(rows, q.only, zero=q.metric in _ADDITIVE_METRICS)
        unpriced = (
            await _unpriced_note(ctx, session, scope, [_money_window(q.metric, start, end)])
            if unit == "money" and rows
            else ""
        )
    lines = [
        texts.t(
            ctx.lang,
            "group",
            name=name,
            by=texts.GROUP_NAMES[ctx.lang][q.group_by],
            period=label,
            filters=ftext,
        )
    ]
    if q.group_by in ("platform", "country") and rows:
        # Highest first, and the leader named: "which platform had the most orders" is answered in words.
        rows.sort(key=lambda r: (-float(r[1]), str(r[0])))
        who = texts.group_name(q.group_by, str(rows[0][0]), ctx.lang)
        lines[0] = lines[0].rstrip(":：") + texts.t(
            ctx.lang, "group_leader", who=who, value=texts.fmt_value(float(rows[0][1]), unit, ctx.currency)
        )
    if q.group_by == "platform" and q.metric in ("customers", "new_customers") and len(rows) > 1:
        lines.append(texts.t(ctx.lang, "per_platform_customers"))
    if q.group_by == "segment" and rows:  # which day's segments group the period's figures
        lines.append(
            texts.t(ctx.lang, "segments_grouped_as_of", day=m.as_of_date(ctx.as_of, ctx.tz).isoformat())
        )
    x, partial = _chart_labels(ctx, q.group_by, [r[0] for r in rows], spans)
    if any(partial):  # a month still running, or cut by the window: said under the table too
        lines.extend(_partial_notes(ctx, [r[0] for r in rows], spans))
    if unpriced:
        lines.append(unpriced.strip())
    if few:
        lines.append(
            _few_groups_note(ctx, q.group_by, [(str(r[0]), *few[r[0]]) for r in rows if r[0] in few])
        )
    if not rows:
        lines = [texts.t(ctx.lang, "no_data", name=name, period=label, filters=ftext)]
    kind = "line" if q.group_by in ("month", "quarter", "year") else "bar"
    title = texts.t(
        ctx.lang, "group", name=name, by=texts.GROUP_NAMES[ctx.lang][q.group_by], period=label, filters=ftext
    )
    chart = ChartSpec(
        kind=kind,
        title=texts.chart_title(ctx.lang, ctx.currency, title, unit),
        x=x,
        partial=partial,
        series={name: [float(r[1]) for r in rows]},
        value_format=unit,
        y_label=ctx.currency if unit == "money" else None,
    )
    return Result(
        intent="metric",
        query=q.model_dump(mode="json"),
        columns=[q.group_by, q.metric],
        rows=rows,
        text="\n".join(lines),
        language=ctx.lang,
        unit=unit,
        currency=ctx.currency if unit == "money" else None,
        money_columns=[q.metric] if unit == "money" else [],
        chart=chart,
        explanation=ctx.explain(definition, start, end, q.filters),
    )


def _few_groups_note(ctx: _Ctx, by: str, groups: list[tuple[str, int, samples.SampleUnit]]) -> str:
    """The line under a breakdown naming the groups whose ratio or average rests on fewer than min_sample
    customers or orders, each with its n ("⚠️ Too few customers to rely on (under 30): Lazada (12)"): asked
    alone, each such figure carries the mark."""
    zh = ctx.lang == "zh"
    names = [(texts.group_name(by, group, ctx.lang), n) for group, n, _ in groups]
    shown = [f"{name}（{n}）" if zh else f"{name} ({n})" for name, n in names]
    return texts.t(
        ctx.lang,
        "group_few",
        unit=groups[0][2] if groups else "customers",
        min=ctx.min_sample,
        groups=("、" if zh else ", ").join(shown),
    )


def _with_sample(ctx: _Ctx, text: str, n: int, unit: samples.SampleUnit) -> str:
    """A figure's sentence followed by the n it rests on and, below min_sample, the small-sample mark
    ("… 58.9%. Based on 236 customers.", "…：58.9%。基于 236 位客户。")."""
    stop = (
        ""
        if text.rstrip().endswith((".", "。", ":", "：", ")", "）"))
        else ("。" if ctx.lang == "zh" else ".")
    )
    gap = "" if ctx.lang == "zh" else " "
    return text.rstrip() + stop + gap + samples.sample_note(n, unit, ctx.lang, min_sample=ctx.min_sample)


def _calendar_window(label: str, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The calendar month ("2026-09"), quarter ("2026-Q3") or year ("2026") a breakdown's label names."""
    year, _, rest = label.partition("-")
    months = 12 if not rest else 3 if rest.startswith("Q") else 1
    first = 1 if months == 12 else 3 * int(rest[1:]) - 2 if months == 3 else int(rest)
    y, mo = divmod(int(year) * 12 + first - 1 + months, 12)
    return datetime(int(year), first, 1, tzinfo=tz), datetime(y, mo + 1, 1, tzinfo=tz)


def _partiality(ctx: _Ctx, key: str, spans: dict[str, tuple[datetime, datetime]]) -> str | None:
    """ "so_far" for a period still running at the as-of moment, "part" for one the window cuts, else None."""
    if key not in spans:
        return None
    s, e = spans[key]
    whole_start, whole_end = _calendar_window(key, ctx.tz)
    if e < whole_end and e >= ctx.as_of - timedelta(seconds=1):
        return "so_far"
    return "part" if s > whole_start or e < whole_end else None


def _chart_labels(
    ctx: _Ctx, group_by: str | None, keys: list[Any], spans: dict[str, tuple[datetime, datetime]]
) -> tuple[list[str], list[bool]]:
    """What a chart's axis says for each group (Shopee, 泰国, "2026-12 (so far)"), and which are partial."""
    if group_by in ("platform", "country", "segment"):
        return [texts.group_name(group_by, k, ctx.lang) for k in keys], [False] * len(keys)
    marks = [_partiality(ctx, str(k), spans) for k in keys]
    return (
        [str(k) + (texts.t(ctx.lang, mark) if mark else "") for k, mark in zip(keys, marks, strict=True)],
        [mark is not None for mark in marks],
    )


def _still_running(ctx: _Ctx, kind: str, end: datetime) -> str | None:
    """The last local day counted, when a calendar period asked as "this week/month/quarter/year" has not
    ended at the as-of moment (a single figure is then so far, as the breakdowns by month say); else None."""
    if kind not in ("this_week", "this_month", "this_quarter", "this_year"):
        return None
    last = (end - timedelta(microseconds=1)).astimezone(ctx.tz).date()
    after = last + timedelta(days=1)
    over = {
        "this_week": after.weekday() == 0,
        "this_month": after.day == 1,
        "this_quarter": after.day == 1 and after.month in (1, 4, 7, 10),
        "this_year": (after.month, after.day) == (1, 1),
    }[kind]
    return None if over else last.isoformat()


def _partial_notes(ctx: _Ctx, keys: list[Any], spans: dict[str, tuple[datetime, datetime]]) -> list[str]:
    def day(moment: datetime) -> str:
        return moment.astimezone(ctx.tz).date().isoformat()

    notes = []
    for key in keys:
        mark = _partiality(ctx, str(key), spans)
        if mark is not None:
            s, e = spans[str(key)]
            last = day(e - timedelta(microseconds=1))
            note = (
                texts.t(ctx.lang, "running_note", period=key, day=last)
                if mark == "so_far"
                else texts.t(ctx.lang, "cut_note", period=key, start=day(s), end=last)
            )
            notes.append(note.strip())
    return notes


async def _top(ctx: _Ctx, q: TopCustomersQuery) -> Result:
    period = q.period or Period(kind="all_time")
    start, end = period.bounds(ctx.as_of, ctx.tz)
    key_name = texts.sort_key_name(ctx.lang, q.sort_by)
    async with ctx.db.sessions() as session:
        scope = await _scope(session, ctx, q.filters)
        unpriced = ""
        if q.sort_by in ("revenue", "orders", "aov"):
            found = await repo.top_customers(session, scope, start, end, q.sort_by, q.n)
            rows: list[list[Any]] = [
                [name or f"#{cid}", cid, int(v) if q.sort_by == "orders" else round(v, 2)]
                for cid, name, v in found
            ]
            if q.sort_by != "orders" and rows:
                unpriced = await _unpriced_note(ctx, session, scope, [(start, end)])
                if unpriced:  # a customer none of whose orders has an amount: "—", not a silent 0.00
                    left_out = await repo.unpriced_by_customer(session, scope, start, end)
                    for row in rows:
                        if row[1] in left_out and left_out[row[1]][0] == 0:
                            row[2] = None
        else:
            clv = CLVQuery(
                sort_by="churn_risk"
                if q.sort_by == "churn_risk"
                else "p_alive"
                if q.sort_by == "p_alive"
                else "predicted_clv",
                n=q.n,
                filters=q.filters,
            )
            if q.sort_by == "recency_days":
                scores = await m.customer_scores(session, ctx.workspace_id, ctx.as_of, ctx.tz)
                keep = await _keep(session, ctx, scores.ids, q.filters)
                order = sorted(
                    (i for i in range(len(scores.ids)) if keep[i]),
                    key=lambda i: (-scores.recency_days[i], int(scores.ids[i])),
                )[: q.n]
                names = await repo.customer_names(session, [int(scores.ids[i]) for i in order])
                rows = [
                    [
                        names.get(int(scores.ids[i])) or f"#{int(scores.ids[i])}",
                        int(scores.ids[i]),
                        int(scores.recency_days[i]),
                    ]
                    for i in order
                ]
            else:
                return await _clv(ctx, clv)
    unit = "count" if q.sort_by in ("orders", "recency_days") else "money"
    label = ctx.period_label(period)
    ftext = ctx.filters_text(q.filters)
    if not rows:
        text = texts.t(ctx.lang, "top_empty", period=label, filters=ftext)
    else:
        text = texts.t(ctx.lang, "top", n=len(rows), key=key_name, period=label, filters=ftext)
    title = text
    text += unpriced
    return Result(
        intent="top_customers",
        query=q.model_dump(mode="json"),
        columns=["customer", "id", q.sort_by],
        rows=rows,
        card_ids=[r[1] for r in rows],
        text=text,
        language=ctx.lang,
        unit=unit,
        currency=ctx.currency if unit == "money" else None,
        chart=ChartSpec(
            kind="hbar",
            title=texts.chart_title(ctx.lang, ctx.currency, title, unit),
            x=[
                f"{displayable(str(r[0]), CHART_LABEL)} #{r[1]}" for r in rows
            ],  # same-name customers stay two bars
            series={key_name: [float(r[2]) if r[2] is not None else None for r in rows]},
            value_format=unit,
        )
        if rows
        else None,
        explanation=ctx.explain(None, start, end, q.filters),
    )


async def _keep(session: Any, ctx: _Ctx, ids: np.ndarray, f: Filters) -> np.ndarray:
    """Which of the scored customers the filters select (country, tag, segment select customers)."""
    import numpy as np

    keep = np.ones(len(ids), dtype=bool)
    if f.country:
        keep &= np.isin(ids, await repo.customers_in_country(session, ctx.workspace_id, f.country))
    if f.tag:
        tagged = await repo.tagged_customers(session, ctx.workspace_id, f.tag)
        keep &= np.isin(ids, np.fromiter(tagged, dtype=np.int64, count=len(tagged)))
    return keep


async def _segments(ctx: _Ctx, q: SegmentsQuery | LifecycleQuery) -> Result:
    import numpy as np

    is_seg = isinstance(q, SegmentsQuery)
    if (
        isinstance(q, SegmentsQuery) and q.period is not None
    ):  # the segments as they stood at the end of the period
        _, end = q.period.bounds(ctx.as_of, ctx.tz)
        ctx, currency = _Ctx(ctx.db, ctx.workspace_id, ctx.settings, end, ctx.lang), ctx.currency
        ctx.currency = currency
    async with ctx.db.sessions() as session:
        scores = await m.customer_scores(
            session, ctx.workspace_id, ctx.as_of, ctx.tz, lifecycle_days=ctx.lifecycle_days
        )
        keep = await _keep(session, ctx, scores.ids, q.filters)
        if q.filters.segment:
            keep &= scores.segment == q.filters.segment
        if not is_seg:
            # Prospects: live customers with no valid order up to the as-of moment.
            everyone = await repo.live_customers(session, ctx.workspace_id)
            prospects = np.setdiff1d(everyone, scores.ids)
            if len(prospects):
                keep = np.concatenate(
                    [
                        keep,
                        await _keep(session, ctx, prospects, q.filters)
                        if not q.filters.segment
                        else np.zeros(len(prospects), dtype=bool),
                    ]
                )
                lifecycle_all = np.concatenate(
                    [scores.lifecycle, np.full(len(prospects), "prospect", dtype=object)]
                )
            else:
                lifecycle_all = scores.lifecycle
    labels = scores.segment if is_seg else lifecycle_all
    names = texts.SEGMENT_NAMES[ctx.lang] if is_seg else texts.LIFECYCLE_NAMES[ctx.lang]
    wanted = q.segment if isinstance(q, SegmentsQuery) else q.stage
    ftext = ctx.filters_text(q.filters.model_copy(update={"segment": None}) if is_seg else q.filters)
    day = m.as_of_date(ctx.as_of, ctx.tz).isoformat()
    intent = "segments" if is_seg else "lifecycle"
    if wanted is not None:
        value = int(((labels == wanted) & keep).sum())
        as_of = (
            texts.t(ctx.lang, "as_of_day", day=day)
            if isinstance(q, SegmentsQuery) and q.period is not None
            else ""
        )
        text = (
            texts.t(ctx.lang, "segment_count", segment=names[wanted], filters=ftext, value=value, as_of=as_of)
            if is_seg
            else texts.t(ctx.lang, "lifecycle_count", stage=names[wanted], filters=ftext, value=value)
        )
        return Result(
            intent=intent,
            query=q.model_dump(mode="json"),
            value=value,
            text=text,
            language=ctx.lang,
            unit="count",
            explanation=_rfm_explanation(ctx, day) if is_seg else None,
        )
    order = list(SEGMENTS) if is_seg else list(catalog.STAGE_IDS)
    # Codes, named where they are shown (texts.group_name)
    rows: list[list[str | int]] = [[k, int(((labels == k) & keep).sum())] for k in order]
    text = texts.t(ctx.lang, "segments" if is_seg else "lifecycle", filters=ftext, day=day)
    return Result(
        intent=intent,
        query=q.model_dump(mode="json"),
        columns=[intent[:-1] if is_seg else intent, "customers"],
        rows=rows,
        text=text,
        language=ctx.lang,
        unit="count",
        chart=ChartSpec(
            kind="bar",
            title=text.rstrip(":："),
            x=[names[str(r[0])] for r in rows],
            series={"customers": [float(r[1]) for r in rows]},
        ),
        explanation=_rfm_explanation(ctx, day) if is_seg else None,
    )


def _rfm_explanation(ctx: _Ctx, day: str) -> str:
    return render(ctx.lang, "answer.rfm_explanation", day=day)


def _repeat_buyers(scores: m.CustomerScores) -> int:
    """Customers with a repeat purchase as the CLV model counts purchases (local days with a valid order)."""
    days = scores.purchase_days if scores.purchase_days is not None else scores.frequency
    return int((days > 1).sum())


async def _clv(ctx: _Ctx, q: CLVQuery) -> Result:
    import numpy as np

    async with ctx.db.sessions() as session:
        scores = await m.customer_scores(
            session,
            ctx.workspace_id,
            ctx.as_of,
            ctx.tz,
            with_clv=True,
            horizon_days=q.horizon_days,
            lifecycle_days=ctx.lifecycle_days,
        )
        keep = await _keep(session, ctx, scores.ids, q.filters)
        if q.filters.segment:
            keep &= scores.segment == q.filters.segment
        if scores.predicted_clv is None or not np.any(scores.predicted_clv):
            return Result(
                intent="clv",
                query=q.model_dump(mode="json"),
                text=texts.t(ctx.lang, "clv_empty"),
                language=ctx.lang,
            )
        assert scores.p_alive is not None and scores.expected_purchases is not None
        key = {
            "predicted_clv": scores.predicted_clv,
            "p_alive": scores.p_alive,
            "churn_risk": 1 - scores.p_alive,
            "expected_purchases": scores.expected_purchases,
        }[q.sort_by]
        order = [i for i in np.lexsort((scores.ids, -key)) if keep[i]][: q.n]
        names = await repo.customer_names(session, [int(scores.ids[i]) for i in order])
    values = {
        "predicted_clv": (scores.predicted_clv, 2),
        "p_alive": (scores.p_alive, 4),
        "expected_purchases": (scores.expected_purchases, 3),
        "churn_risk": (1 - scores.p_alive, 4),
    }
    # The ranked value is the last column (the convention of every ranked answer).
    columns = [c for c in ("predicted_clv", "p_alive", "expected_purchases") if c != q.sort_by] + [q.sort_by]
    rows = [
        [
            names.get(int(scores.ids[i])) or f"#{int(scores.ids[i])}",
            int(scores.ids[i]),
            *(round(float(values[c][0][i]), values[c][1]) for c in columns),
        ]
        for i in order
    ]
    unit = (
        "money" if q.sort_by == "predicted_clv" else "ratio" if q.sort_by != "expected_purchases" else "count"
    )
    key_name = texts.sort_key_name(ctx.lang, q.sort_by)
    lines = [
        texts.t(
            ctx.lang,
            "clv",
            n=len(rows),
            key=key_name,
            filters=ctx.filters_text(q.filters),
            horizon=q.horizon_days,
        )
    ]
    caveat = samples.clv_note(_repeat_buyers(scores), ctx.lang)
    if caveat:
        lines.append(caveat)
    return Result(
        intent="clv",
        query=q.model_dump(mode="json"),
        columns=["customer", "id", *columns],
        rows=rows,
        card_ids=[r[1] for r in rows],
        text="\n".join(lines),
        language=ctx.lang,
        unit=unit,
        currency=ctx.currency,
    )


async def _cohort(ctx: _Ctx, q: CohortQuery) -> Result:
    first, last = None, None
    if q.period is not None:
        s, e = q.period.bounds(ctx.as_of, ctx.tz)
        first = s.astimezone(ctx.tz).date().replace(day=1) if s else None
        last = (e.astimezone(ctx.tz) - timedelta(microseconds=1)).strftime(
            "%Y-%m"
        )  # the period's last cohort
    else:
        day = m.as_of_date(ctx.as_of, ctx.tz)
        y, mo = divmod(day.year * 12 + day.month - 1 - 11, 12)
        first = datetime.combine(day.replace(year=y, month=mo + 1, day=1), time(0)).date()
    async with ctx.db.sessions() as session:
        scope = await _scope(session, ctx, q.filters)
        labels, sizes, matrix = await m.cohort_table(
            session,
            ctx.workspace_id,
            ctx.as_of,
            ctx.tz,
            scope=scope,
            first_month=first,
            max_offset=q.max_offset,
        )
    if last is not None:  # cohorts of the months asked for; their retention is followed up to the as-of date
        keep = [i for i, lab in enumerate(labels) if lab <= last]
        labels, sizes, matrix = [labels[i] for i in keep], [sizes[i] for i in keep], [matrix[i] for i in keep]
    if not labels:
        future = first is not None and first > m.as_of_date(ctx.as_of, ctx.tz)
        return Result(
            intent="cohort",
            query=q.model_dump(mode="json"),
            text=texts.t(ctx.lang, "cohort_future" if future else "cohort_empty"),
            language=ctx.lang,
        )
    if q.offset is not None:
        return cohort_cell_result(
            ctx.lang, q, labels, sizes, matrix, m.as_of_date(ctx.as_of, ctx.tz), ctx.min_sample
        )
    columns = ["cohort", "customers"] + [f"m{k}" for k in range(q.max_offset + 1)]
    rows = [[lab, n, *cells] for lab, n, cells in zip(labels, sizes, matrix, strict=True)]
    text = texts.t(ctx.lang, "cohort", filters=ctx.filters_text(q.filters))
    title = text.split(":")[0].split("：")[0]
    # The as-of month, unless it has ended, is still running: each cohort's cell in it is partial.
    day = m.as_of_date(ctx.as_of, ctx.tz)
    this_month = f"{day.year}-{day.month:02d}"
    spans = {this_month: (_calendar_window(this_month, ctx.tz)[0], ctx.as_of)}
    running = _partiality(ctx, this_month, spans) == "so_far"
    partial = [
        running and (day.year - int(lab[:4])) * 12 + day.month - int(lab[5:7]) <= q.max_offset
        for lab in labels
    ]
    x_label = texts.t(ctx.lang, "cohort_x")
    small = [lab for lab, n in zip(labels, sizes, strict=True) if samples.too_few(n, ctx.min_sample)]
    if small:  # each row shows its n; the rows resting on too few customers are named
        text += "\n" + texts.t(ctx.lang, "cohort_small", months=", ".join(small), min=ctx.min_sample)
    if any(partial):
        text += "\n" + texts.t(ctx.lang, "running_note", period=this_month, day=day.isoformat()).strip()
        text += "\n" + texts.t(ctx.lang, "cohort_running_cell")  # the table marks those cells "*"
        x_label += texts.t(ctx.lang, "cohort_running")
    return Result(
        intent="cohort",
        query=q.model_dump(mode="json"),
        columns=columns,
        rows=rows,
        text=text,
        language=ctx.lang,
        unit="ratio",
        chart=ChartSpec(
            kind="heatmap",
            title=title,
            x=columns[2:],
            y=[
                texts.t(ctx.lang, "cohort_month", month=lab, n=f"{n:,}")
                for lab, n in zip(labels, sizes, strict=True)
            ],
            matrix=matrix,
            value_format="ratio",
            partial=partial,
            x_label=x_label,
            y_label=texts.t(ctx.lang, "cohort_y"),
        ),
    )


async def _customer(ctx: _Ctx, q: CustomerQuery) -> Result:
    async with ctx.db.sessions() as session:
        hits = await search_customers(session, ctx.workspace_id, q.search, limit=11)
        ids = [h.id for h in hits]
        if not ids:
            # A name holding database-command text is looked up like any other, but with no such customer the
            # question was the command itself ("who is x; drop table customers"): declined as the parser does.
            refusal = database_command_refusal(q.search, ctx.lang)
            if refusal is not None:
                return _clarify(ctx, refusal)
        if len(ids) != 1:
            more, hits = len(hits) > 10, hits[:10]
            n = texts.t(ctx.lang, "more_than", n=10) if more else str(len(hits))
            # Same-name customers told apart: platform and buyer name, country, last order, spend, #id.
            search = displayable(q.search)
            text = (
                texts.t(ctx.lang, "customer_none", search=search)
                if not hits
                else texts.t(ctx.lang, "customer_many", n=n, search=search)
            )  # the table tells them apart
            return Result(
                intent="customer",
                query=q.model_dump(mode="json"),
                text=text,
                language=ctx.lang,
                columns=["id", "customer", "platform", "country", "last_order", "revenue"],
                rows=[
                    [
                        h.id,
                        h.name,
                        h.platform,
                        h.country,
                        h.last_order.astimezone(ctx.tz).date().isoformat() if h.last_order else None,
                        round(h.spend, 2) if h.spend is not None else None,
                    ]
                    for h in hits
                ],
                card_ids=[h.id for h in hits],
            )
    card, unpriced = await _profile(ctx, ids[0], q.model_dump(mode="json"))
    if q.aspect == "points":
        from crm.query.points import customer_points_result

        return await customer_points_result(ctx, card)
    return card if q.aspect == "card" else _one_number(ctx, card, q.aspect, unpriced)


def _one_number(ctx: _Ctx, card: Result, aspect: str, unpriced: str = "") -> Result:
    """The number a question about one customer asked for ("churn risk of X"), with the card one tap away.
    `unpriced`: the sentence on their orders without a rate, said with any amount (spend, LTV, CLV)."""
    val = {r[0]: r[1] for r in card.rows}
    who = f"{val['name'] or '#' + str(val['id'])} (#{val['id']})"
    cur, p_alive, clv = ctx.currency, val["p_alive"], val["predicted_clv"]
    spent = texts.fmt_value(val["revenue"], "money", cur)
    value: float | int | None
    if aspect == "spend":
        value, unit = val["revenue"], "money"
        text = texts.t(ctx.lang, "customer_spend", who=who, spent=spent, orders=val["orders"])
        if clv is not None and val["orders"]:
            text += texts.t(ctx.lang, "customer_then_clv", clv=texts.fmt_value(clv, "money", cur))
    elif aspect == "segment":
        value, unit = None, None
        segment = texts.SEGMENT_NAMES[ctx.lang][val["segment"]] if val["segment"] else None
        text = (
            texts.t(
                ctx.lang,
                "customer_segment",
                who=who,
                segment=segment,
                stage=texts.LIFECYCLE_NAMES[ctx.lang][val["lifecycle"]],
            )
            if segment
            else texts.t(ctx.lang, "customer_no_orders", who=who)
        )
    elif not val["orders"]:
        value, unit = None, None
        text = texts.t(ctx.lang, "customer_no_orders", who=who)
    elif aspect == "orders":
        value, unit = val["orders"], "count"
        text = texts.t(ctx.lang, "customer_orders", who=who, orders=val["orders"], spent=spent)
    elif aspect == "aov":
        # over the orders that have an amount: an order without a rate is in neither the sum nor the count
        priced = val["orders"] - (val.get("unpriced_orders") or 0)
        value, unit = (
            (round(val["revenue"] / priced, 2) if val["revenue"] is not None and priced > 0 else None),
            "money",
        )
        text = texts.t(
            ctx.lang,
            "customer_aov",
            who=who,
            aov=texts.fmt_value(value, "money", cur),
            orders=val["orders"],
            spent=spent,
        )
    elif aspect == "last_order":
        value, unit = val["days_since_last_order"], None  # days
        text = texts.t(
            ctx.lang,
            "customer_last_order",
            who=who,
            days=val["days_since_last_order"],
            date=val["last_order_date"] or "—",
            orders=val["orders"],
        )
    elif aspect in ("predicted_clv", "clv"):
        # A bare "CLV" may mean either: the text says both, and only "predicted CLV" gives one value.
        value, unit = (clv, "money") if aspect == "predicted_clv" else (None, None)
        text = texts.t(ctx.lang, "customer_clv", who=who, clv=texts.fmt_value(clv, "money", cur), spent=spent)
    elif val["orders"] == 1 or ctx.one_purchase_day:
        # BG/NBD lets a customer drop out only after a repeat purchase (a second purchase day), so a one-time
        # buyer's P(alive) is 1 however long ago they bought: no number is better than a reassuring 0% risk.
        value, unit = None, None
        text = texts.t(
            ctx.lang,
            "customer_one_order" if val["orders"] == 1 else "customer_one_day",
            who=who,
            days=val["days_since_last_order"],
            stage=texts.LIFECYCLE_NAMES[ctx.lang][val["lifecycle"]],
            orders=val["orders"],
        )
    else:  # churn risk = 1 − P(alive) (docs/metrics.md); both are said, the one asked first
        risk = round(1 - p_alive, 4)
        value, unit = (risk if aspect == "churn_risk" else p_alive), "ratio"
        text = texts.t(
            ctx.lang,
            f"customer_{aspect}",
            who=who,
            risk=texts.fmt_value(risk, "ratio", cur),
            p_alive=texts.fmt_value(p_alive, "ratio", cur),
        )
    if unit == "money" or aspect in ("spend", "clv", "orders"):
        text += unpriced  # the amounts said leave those orders out
    if aspect in ("predicted_clv", "clv", "p_alive", "churn_risk") and ctx.clv_note and value is not None:
        text += "\n" + ctx.clv_note
    # The card's fields stay in the rows (for --json), and the card itself is one tap away in Telegram.
    return Result(
        intent="customer",
        query=card.query,
        value=value,
        text=text,
        language=ctx.lang,
        unit=unit,
        currency=cur if unit == "money" else None,
        columns=card.columns,
        rows=card.rows,
        card_ids=[int(val["id"])],
    )


async def _profile(ctx: _Ctx, customer_id: int, query: dict[str, Any] | None) -> tuple[Result, str]:
    """The card, and the sentence on the customer's orders its amounts leave out for want of a rate ("")."""
    async with ctx.db.sessions() as session:
        detail = await repo.customer_detail(session, customer_id)
        scores = await m.customer_scores(
            session, ctx.workspace_id, ctx.as_of, ctx.tz, with_clv=True, lifecycle_days=ctx.lifecycle_days
        )
        ctx.clv_note = samples.clv_note(_repeat_buyers(scores), ctx.lang)
        # Their orders without an amount in the base currency: said in the card, and with none priced the
        # amounts are "—", not a silent 0.00.
        mine = Scope(ctx.workspace_id, customer_ids=frozenset({customer_id}))
        priced, unpriced = (await repo.unpriced_by_customer(session, mine, None, ctx.as_of)).get(
            customer_id, (None, {})
        )
        service = await service_repo.customer_service(session, customer_id, SERVICE_LINES)
    no_amount = priced == 0
    c = detail["customer"]
    i = scores.index().get(customer_id)
    ctx.one_purchase_day = bool(
        i is not None and scores.purchase_days is not None and scores.purchase_days[i] == 1
    )
    seg = texts.SEGMENT_NAMES[ctx.lang][scores.segment[i]] if i is not None else "—"
    stage = texts.LIFECYCLE_NAMES[ctx.lang][scores.lifecycle[i] if i is not None else "prospect"]
    platforms = sorted({p for p, *_ in detail["identities"]})
    # Buyer identities by number: `sellermate customers split N` takes one that is someone else.
    identities = ", ".join(
        f"#{ident_id} {texts.platform_name(platform)}" + (f" {username or name}" if username or name else "")
        for platform, _key, username, name, ident_id in detail["identities"]
    )
    # The text people read: every identity's number (up to a sane count), handles made safe to show.
    shown_identities = ", ".join(
        f"#{ident_id} {texts.platform_name(platform)}"
        + (f" {displayable(username or name, 32)}" if username or name else "")
        for platform, _key, username, name, ident_id in detail["identities"][:SHOWN_IDENTITIES]
    )
    if len(detail["identities"]) > SHOWN_IDENTITIES:
        shown_identities += f", … (+{len(detail['identities']) - SHOWN_IDENTITIES})"
    rows: list[list[Any]] = [
        ["id", c.id],
        ["name", c.display_name],
        ["country", c.country],
        ["platforms", ", ".join(platforms)],
        ["orders", int(scores.frequency[i]) if i is not None else 0],
        ["revenue", None if no_amount else round(float(scores.monetary[i]), 2) if i is not None else 0.0],
        ["days_since_last_order", int(scores.recency_days[i]) if i is not None else None],
        [
            "last_order_date",
            next(
                (
                    o.created_at.astimezone(ctx.tz).date().isoformat()
                    for o in detail["recent_orders"]
                    if o.status in catalog.VALID_STATUSES
                ),
                None,
            ),
        ],
        ["segment", scores.segment[i] if i is not None else None],
        ["lifecycle", scores.lifecycle[i] if i is not None else "prospect"],
        [
            "p_alive",
            round(float(scores.p_alive[i]), 4) if i is not None and scores.p_alive is not None else None,
        ],
        [
            "predicted_clv",
            round(float(scores.predicted_clv[i]), 2)
            if i is not None and scores.predicted_clv is not None and not no_amount
            else None,
        ],
        ["points", detail["points"]],
        ["tags", ", ".join(detail["tags"])],
        ["marketing_consent", detail["marketing_consent"]],
        ["buyer_identities", identities],
    ]
    recent = [_order_line(ctx, o, detail["order_items"].get(o.id, [])) for o in detail["recent_orders"]]
    rows.append(["recent_orders", "; ".join(recent)])
    rows.append(["unpriced_orders", sum(unpriced.values())])
    timeline = [_service_line(ctx, item) for item in service]
    rows.append(["service_history", "; ".join(timeline)])
    val = {r[0]: r[1] for r in rows}
    # What people read: the name and tags as typed by others, made safe to show (the rows keep them as stored).
    who = displayable(c.display_name) or f"#{c.id}"
    val["tags"] = displayable(val["tags"], 3 * NAME_LENGTH)
    cur = ctx.currency
    lang = ctx.lang
    days = val["days_since_last_order"]

    def money(value: float | None) -> str:
        return texts.fmt_value(value, "money", cur)

    lines = [
        render(lang, "answer.card_title", who=who, id=c.id, country=c.country or "—"),
        render(lang, "answer.card_platforms", platforms=", ".join(platforms) or "—"),
        render(
            lang,
            "answer.card_orders",
            orders=val["orders"],
            spent=money(val["revenue"]),
            last=render(lang, "answer.card_last_order", days=days)
            if days is not None
            else render(lang, "answer.no_valid_order"),
        ),
        render(lang, "answer.card_segment", segment=seg, stage=stage),
    ]
    if val["p_alive"] is not None and val["orders"] == 1:  # BG/NBD: a one-time buyer is never "dead"
        lines.append(render(lang, "answer.card_one_order", clv=money(val["predicted_clv"])))
    elif val["p_alive"] is not None and ctx.one_purchase_day:  # orders on one day are one purchase
        lines.append(render(lang, "answer.card_one_day", clv=money(val["predicted_clv"])))
    elif val["p_alive"] is not None:
        lines.append(
            render(
                lang,
                "answer.card_p_alive",
                p=f"{val['p_alive'] * 100:.0f}%",
                clv=money(val["predicted_clv"]),
            )
        )
    if val["p_alive"] is not None and ctx.clv_note:
        lines.append(ctx.clv_note)
    note = _customer_unpriced_note(ctx, who, unpriced)
    if note:
        lines.append(note.strip())
    consent = {True: "yes", False: "no"}.get(val["marketing_consent"], "unknown")
    lines.append(
        render(
            lang,
            "answer.card_points",
            points=val["points"],
            tags=val["tags"] or "—",
            consent=render(lang, f"answer.card_consent_{consent}"),
        )
    )
    lines.append(render(lang, "answer.card_identities", identities=shown_identities or "—"))
    if recent:
        lines.append(texts.t(ctx.lang, "recent_orders"))
        lines.extend("• " + line for line in recent)
    if timeline:
        lines.append(texts.t(ctx.lang, "service_history"))
        lines.extend("• " + line for line in timeline)
    card = Result(
        intent="customer",
        query=query,
        columns=["field", "value"],
        rows=rows,
        text="\n".join(lines),
        language=ctx.lang,
    )
    return card, note


def _service_line(ctx: _Ctx, item: Any) -> str:
    """One review, NPS answer, complaint or return on the card: "2026-11-29 · review ★2/5 · order 2501ABC ·
    wrong size · “The zip broke after …”" (reason and words as the buyer wrote them, made safe and short)."""
    parts = [item.occurred_at.astimezone(ctx.tz).date().isoformat()]
    kind = texts.t(ctx.lang, f"service_kind_{item.kind}")
    if item.rating is not None:
        kind += f" {item.rating}/{10 if item.kind == 'nps' else 5}"
    parts.append(kind)
    if item.platform_order_id:
        parts.append(texts.t(ctx.lang, "service_order", order=displayable(item.platform_order_id, 32)))
    if item.product:  # a review from a platform review export is of one product
        parts.append(displayable(item.product, 40))
    if item.reason:
        parts.append(displayable(item.reason, 40))
    if item.body:
        parts.append(f"“{displayable(item.body, SERVICE_BODY)}”")
    return " · ".join(parts)


def _order_line(ctx: _Ctx, order: Any, items: list[tuple[str, int]]) -> str:
    """One recent order on the card: "2026-11-29 · Shopee 250101ABC · completed · SGD 45.00 · Dress ×2"."""
    day = order.created_at.astimezone(ctx.tz).date().isoformat()
    value = (
        texts.fmt_value(float(order.value_base), "money", ctx.currency)
        if order.value_base is not None
        else f"{order.currency} {float(order.order_value or 0):,.2f}"
    )
    shown = [f"{name[:40]} ×{quantity}" for name, quantity in items[:3]]
    if len(items) > 3:
        shown.append(texts.t(ctx.lang, "more_items", n=len(items) - 3))
    return " · ".join(
        [
            day,
            f"{texts.platform_name(order.platform)} {order.platform_order_id}",
            texts.status_name(ctx.lang, order.status),
            value,
            *([", ".join(shown)] if shown else []),
        ]
    )


async def customer_profile(
    *,
    db: Database,
    workspace_id: int,
    customer_id: int,
    settings: QuerySettings | WorkspaceConfig,
    as_of: datetime,
    language: str = "en",
) -> Result:
    """The customer card's analytic part (segment, lifecycle, P(alive), predicted CLV, points) as a Result."""
    return (await _profile(await _context(db, workspace_id, settings, as_of, language), customer_id, None))[0]


async def _context(
    db: Database, workspace_id: int, settings: QuerySettings | WorkspaceConfig, as_of: datetime, language: str
) -> _Ctx:
    """The question's context, its amounts labelled with the currency they are stored in: the workspace's own,
    which another process may have changed since this one read its settings."""
    ctx = _Ctx(db, workspace_id, settings, as_of, language)
    async with db.sessions() as session:
        ctx.currency = await base_currency(session, workspace_id) or ctx.currency
    return ctx


async def execute(
    query: Query,
    *,
    db: Database,
    workspace_id: int,
    settings: QuerySettings | WorkspaceConfig,
    as_of: datetime,
    language: str = "en",
) -> Result:
    """Run one question. Drafts and reminders come back as Results carrying their query for those features."""
    ctx = await _context(db, workspace_id, settings, as_of, language)
    if isinstance(query, MetricQuery):
        return await _metric(ctx, query)
    if isinstance(query, CustomerListQuery):
        return await customer_list_result(ctx, query, _keep)
    if isinstance(query, TopCustomersQuery):
        return await _top(ctx, query)
    if isinstance(query, (SegmentsQuery, LifecycleQuery)):
        return await _segments(ctx, query)
    if isinstance(query, CLVQuery):
        return await _clv(ctx, query)
    if isinstance(query, CohortQuery):
        return await _cohort(ctx, query)
    if isinstance(query, CustomerQuery):
        return await _customer(ctx, query)
    if isinstance(query, TransitionsQuery):
        from crm.query.journeys import transitions_result

        return await transitions_result(ctx, query)
    if isinstance(query, SecondOrderQuery):
        from crm.query.journeys import second_order_result

        return await second_order_result(ctx, query)
    if isinstance(query, ProductQuery):
        from crm.query.products import products_result

        return await products_result(ctx, query, _scope)
    if isinstance(query, PointsQuery):
        from crm.query.points import points_result

        return await points_result(ctx, query)
    intent = query.intent
    if intent in ("draft", "reminder"):
        return Result(
            intent=intent,
            query=query.model_dump(mode="json"),
            text=texts.t(ctx.lang, intent),
            language=ctx.lang,
        )
    return _clarify(ctx, query)


def _clarify(ctx: _Ctx, query: Any) -> Result:
    suggestions = list(getattr(query, "suggestions", []) or [])
    reason = getattr(query, "reason", "unknown")
    text = texts.clarify_text(
        ctx.lang, getattr(query, "message", None) or texts.t(ctx.lang, f"clarify_{reason}"), suggestions
    )
    return Result(
        intent="clarify",
        query=query.model_dump(mode="json"),
        language=ctx.lang,
        text=text,
        suggestions=suggestions,
    )
