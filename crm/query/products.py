"""Answers about products (crm.query.ir.ProductQuery): best sellers, category preference, bought together,
replenishment cycles and who is due, what lapsed valuable customers bought, return rate by product.

Each figure is one statement (storage.repositories.products) and plain Python over its rows
(crm.analytics.products). Every figure carries its n; below the workspace's `min_sample` it is marked as too few
to rely on, by the product-wide rule (crm.analytics.samples): a table row gets the short mark (`_mark`), a
figure of the whole answer the sentence of every other answer (`samples.sample_note`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any, Literal

from crm import catalog
from crm.analytics import metrics as m
from crm.analytics import products as pa
from crm.analytics import samples
from crm.display import displayable
from crm.query import texts
from crm.query.ir import DEFAULT_PERIOD, Filters, Period, ProductQuery
from crm.query.result import ChartSpec, Result
from crm.text import render
from storage.repositories import analytics as arepo
from storage.repositories import products as repo
from storage.repositories.analytics import Scope

CHART_LABEL = 28
WINBACK_SEGMENTS = ("important_winback", "important_keep")
DUE_SHOWN = 200

ScopeOf = Callable[[Any, Any, Filters], Awaitable[Scope]]


def _say(lang: str, key: str, **kw: Any) -> str:
    text = render(lang, f"products.{key}", **kw)
    return texts._CJK_GAP.sub("", text) if lang == "zh" else text


def _mark(ctx: Any, n: int) -> str:
    """A table row's mark when its figure rests on too few customers or orders ("few orders (n=12)"), "" from
    the workspace's `min_sample` on."""
    return _say(ctx.lang, "few", n=n) if samples.too_few(n, ctx.min_sample) else ""


def _few_note(ctx: Any) -> str:
    """What the rows' mark means, said once under the table."""
    return _say(ctx.lang, "few-note", min=ctx.min_sample)


def _whole_note(ctx: Any, n: int, unit: samples.SampleUnit) -> str:
    """The small-sample sentence under an answer whose figure rests on `n` (a new line), "" when n is enough."""
    if not samples.too_few(n, ctx.min_sample):
        return ""
    return "\n" + samples.sample_note(n, unit, ctx.lang, min_sample=ctx.min_sample)


def _labels(products: list[tuple[str, str]]) -> list[str]:
    """Row labels of (key, name) products: the name, with the SKU beside it where two products shown share a
    name (variants with a SKU each, e.g. a watch in two colours, were two rows both reading "Minimalist Watch")."""
    seen = Counter(name.casefold() for _, name in products)
    return [
        f"{name} ({key})" if seen[name.casefold()] > 1 and not key.startswith("name:") else name
        for key, name in products
    ]


def _pct(x: float) -> str:
    return f"{x * 100:.1f}%"


async def _unpriced(ctx: Any, session: Any, scope: Scope, start: Any, end: Any) -> str:
    counts = await arepo.unpriced_orders(session, scope, start, end)
    total = sum(counts.values())
    if not total:
        return ""
    currencies = ("、" if ctx.lang == "zh" else " or ").join(sorted(counts))
    key = "unpriced_one" if total == 1 else "unpriced"
    return texts.t(ctx.lang, key, n=f"{total:,}", currencies=currencies, base=ctx.currency)


async def products_result(ctx: Any, q: ProductQuery, scope_of: ScopeOf) -> Result:
    handler = {
        "best": _best,
        "winback": _best,
        "mix": _mix,
        "together": _together,
        "reorder": _reorder,
        "returns": _returns,
    }[q.kind]
    return await handler(ctx, q, scope_of)


def _period(q: ProductQuery) -> Period:
    if q.period is not None:
        return q.period
    return Period(kind="all_time") if q.kind in ("reorder", "winback") else DEFAULT_PERIOD


def _by_name(lang: str, by: str) -> str:
    return _say(lang, f"by-{by}")


async def _best(ctx: Any, q: ProductQuery, scope_of: ScopeOf) -> Result:
    period = _period(q)
    start, end = period.bounds(ctx.as_of, ctx.tz)
    by = "buyers" if q.kind == "winback" and q.by == "units" else q.by
    async with ctx.db.sessions() as session:
        scope = await scope_of(session, ctx, q.filters)
        segments: tuple[str, ...] = ()
        if q.kind == "winback":
            import numpy as np

            segments = (q.filters.segment,) if q.filters.segment else WINBACK_SEGMENTS
            ids, codes = await m.segment_codes(ctx.db, session, ctx.workspace_id, ctx.as_of, ctx.tz)
            wanted = [catalog.SEGMENT_IDS.index(s) for s in segments]
            chosen = frozenset(ids[np.isin(codes, wanted)].tolist())
            if scope.customer_ids is not None:
                chosen &= scope.customer_ids
            scope = Scope(scope.workspace_id, scope.platform, scope.country, scope.tag, chosen)
        with_buyers = by == "buyers" or repo.selects_customers(scope)  # month sums hold no customers
        if with_buyers:
            columns = ["units", "value", "customer"]
            sales = pa.sales_of(await repo.product_rows(session, scope, start, end, columns))
        else:
            sales = await repo.product_sales(session, scope, start, end)
        ranked = pa.rank_products(sales, by)
        shown = ranked[: q.n]
        if not with_buyers and shown:  # the buyers of the products shown only
            counted = await repo.product_customers(session, scope, start, end, [p.key for p in shown])
            buyers = pa.buyers_per_product(counted)
            shown = [replace(p, buyers=buyers.get(p.key, 0)) for p in shown]
        unpriced = await _unpriced(ctx, session, scope, start, end) if sales else ""
    label = ctx.period_label(period)
    ftext = ctx.filters_text(
        q.filters.model_copy(update={"segment": None}) if q.kind == "winback" else q.filters
    )
    rows: list[list[Any]] = [
        [name, p.units, round(p.revenue, 2), p.buyers, p.orders, _mark(ctx, p.orders)]
        for name, p in zip(_labels([(p.key, p.name) for p in shown]), shown, strict=True)
    ]
    if q.kind == "winback":
        who = "、".join if ctx.lang == "zh" else ", ".join
        seg_names = who(texts.SEGMENT_NAMES[ctx.lang][s] for s in segments)
        customers = len(scope.customer_ids or ())
        if not rows:
            text = _say(ctx.lang, "winback-empty", segments=seg_names, filters=ftext)
        else:
            text = _say(
                ctx.lang,
                "winback",
                segments=seg_names,
                filters=ftext,
                customers=customers,
                n=len(rows),
                period=label,
            )
    elif not rows:
        text = _say(ctx.lang, "best-empty", period=label, filters=ftext)
    else:
        text = _say(
            ctx.lang,
            "best",
            n=len(rows),
            by=_by_name(ctx.lang, by),
            period=label,
            filters=ftext,
            total=len(sales),
        )
    title = text
    if any(r[5] for r in rows):
        text += _few_note(ctx)
    text += unpriced
    suggestions = _other_rankings(ctx.lang, q, by) if q.kind == "best" and rows else []
    if q.kind == "winback" and rows:
        seg = segments[0]
        suggestions.append(
            _say(
                ctx.lang, "suggest-winback", segment=texts.SEGMENT_NAMES[ctx.lang][seg], product=shown[0].name
            )
        )
    unit: Literal["money", "count"] = "money" if by == "revenue" else "count"
    column = {"units": 1, "revenue": 2, "buyers": 3}[by]
    return Result(
        intent="products",
        query=q.model_dump(mode="json"),
        columns=["product", "units", "revenue", "buyers", "orders", "note"],
        rows=rows,
        text=text,
        language=ctx.lang,
        unit=unit,
        currency=ctx.currency,
        money_columns=["revenue"],
        chart=ChartSpec(
            kind="hbar",
            title=texts.chart_title(ctx.lang, ctx.currency, title, unit),
            x=[displayable(str(r[0]), CHART_LABEL) for r in rows],
            series={_by_name(ctx.lang, by): [float(r[column]) for r in rows]},
            value_format=unit,
        )
        if rows
        else None,
        explanation=ctx.explain(_say(ctx.lang, "define-best"), start, end, q.filters),
        suggestions=suggestions,
    )


_PERIOD_WORDS = {
    "en": {
        "last_month": "last month",
        "this_month": "this month",
        "last_quarter": "last quarter",
        "this_quarter": "this quarter",
        "this_year": "this year",
        "last_year": "last year",
        "last_week": "last week",
        "this_week": "this week",
    },
    "zh": {
        "last_month": "上个月",
        "this_month": "本月",
        "last_quarter": "上季度",
        "this_quarter": "本季度",
        "this_year": "今年",
        "last_year": "去年",
        "last_week": "上周",
        "this_week": "本周",
    },
}


def _other_rankings(lang: str, q: ProductQuery, by: str) -> list[str]:
    """The same best sellers by the other two measures, as questions (the buttons under the answer)."""
    period = _period(q)
    if period.kind == "last_n_days":
        when = f"过去{period.n}天" if lang == "zh" else f"last {period.n} days"
    elif period.kind in _PERIOD_WORDS[lang]:
        when = _PERIOD_WORDS[lang][period.kind]
    else:
        return []
    if any(q.filters.model_dump().values()):
        return []  # the filters would have to be said again
    return [
        _say(lang, f"suggest-by-{other}", n=q.n, period=when)
        for other in ("units", "revenue", "buyers")
        if other != by
    ]


async def _mix(ctx: Any, q: ProductQuery, scope_of: ScopeOf) -> Result:
    period = _period(q)
    start, end = period.bounds(ctx.as_of, ctx.tz)
    async with ctx.db.sessions() as session:
        scope = await scope_of(session, ctx, q.filters)
        values, categories = await repo.category_rows(session, scope, start, end)
        groups: pa.Groups | None = None
        if q.group_by == "country":
            groups = pa.Groups(*await m.country_codes(ctx.db, session, ctx.workspace_id))
        elif q.group_by == "segment":
            ids, codes = await m.segment_codes(ctx.db, session, ctx.workspace_id, ctx.as_of, ctx.tz)
            groups = pa.Groups(ids, codes, list(catalog.SEGMENT_IDS))
        unpriced = await _unpriced(ctx, session, scope, start, end) if values.keys else ""
    shares = pa.category_shares(values, categories, groups)
    label = ctx.period_label(period)
    ftext = ctx.filters_text(q.filters)

    def group_name(g: str) -> str:
        if q.group_by == "country":
            return texts.country_name(g, ctx.lang)
        if q.group_by == "segment":
            return texts.SEGMENT_NAMES[ctx.lang].get(g, g)
        return ""

    rows: list[list[Any]] = []
    per_group: dict[str, int] = {}
    for s in shares:
        per_group[s.group] = per_group.get(s.group, 0) + 1
        if q.group_by is not None and per_group[s.group] > 5:
            continue  # a breakdown shows each group's five largest
        row = [
            s.name,
            round(s.share, 4),
            round(s.value, 2),
            s.buyers,
            s.customers,
            _mark(ctx, s.customers),
        ]
        rows.append([group_name(s.group), *row] if q.group_by else row)
    if not shares:
        text = _say(ctx.lang, "mix-empty", period=label, filters=ftext)
    elif q.group_by is None:
        rows = rows[: q.n]
        text = _say(ctx.lang, "mix", period=label, filters=ftext, customers=shares[0].customers)
    else:
        text = _say(
            ctx.lang, "mix-by", by=texts.GROUP_NAMES[ctx.lang][q.group_by], period=label, filters=ftext
        )
    title = text
    if any(r[-1] for r in rows):
        text += _few_note(ctx)
    text += unpriced
    columns = ["category", "share", "amount", "buyers", "customers", "note"]
    chart = None
    if rows and q.group_by is None:
        chart = ChartSpec(
            kind="hbar",
            title=texts.chart_title(ctx.lang, ctx.currency, title, "ratio"),
            x=[displayable(str(r[0]), CHART_LABEL) for r in rows],
            series={_say(ctx.lang, "share"): [float(r[1]) for r in rows]},
            value_format="ratio",
        )
    return Result(
        intent="products",
        query=q.model_dump(mode="json"),
        columns=["group", *columns] if q.group_by else columns,
        rows=rows,
        text=text,
        language=ctx.lang,
        unit="ratio",
        currency=ctx.currency,
        money_columns=["amount"],
        chart=chart,
        explanation=ctx.explain(_say(ctx.lang, "define-mix"), start, end, q.filters),
    )


async def _together(ctx: Any, q: ProductQuery, scope_of: ScopeOf) -> Result:
    period = _period(q)
    start, end = period.bounds(ctx.as_of, ctx.tz)
    async with ctx.db.sessions() as session:
        scope = await scope_of(session, ctx, q.filters)
        orders, counts = await repo.bought_together(session, scope, start, end, q.min_orders)
    pairs = pa.pair_stats(orders, counts)[: q.n]
    label = ctx.period_label(period)
    ftext = ctx.filters_text(q.filters)
    rows: list[list[Any]] = [
        [
            p.a,
            p.b,
            p.both,
            round(p.support, 4),
            round(p.confidence_ab, 4),
            round(p.confidence_ba, 4),
            round(p.lift, 2),
            _mark(ctx, p.both),  # a pair's figures rest on the orders holding both
        ]
        for p in pairs
    ]
    if not rows:
        text = _say(ctx.lang, "together-empty", period=label, filters=ftext, orders=orders, min=q.min_orders)
    else:
        text = _say(
            ctx.lang, "together", period=label, filters=ftext, orders=orders, min=q.min_orders, n=len(rows)
        )
    title = text
    text += _whole_note(ctx, orders, "orders")
    if any(r[-1] for r in rows):
        text += _few_note(ctx)
    return Result(
        intent="products",
        query=q.model_dump(mode="json"),
        value=orders,
        columns=[
            "product_a",
            "product_b",
            "orders_both",
            "support",
            "confidence_a_b",
            "confidence_b_a",
            "lift",
            "note",
        ],
        rows=rows,
        text=text,
        language=ctx.lang,
        unit="count",
        chart=ChartSpec(
            kind="hbar",
            title=title.strip().rstrip(":："),
            x=[f"{displayable(str(r[0]), 18)} + {displayable(str(r[1]), 18)}" for r in rows],
            series={"lift": [float(r[6]) for r in rows]},
            value_format="count",
        )
        if rows
        else None,
        explanation=ctx.explain(_say(ctx.lang, "define-together"), start, end, q.filters),
    )


async def _reorder(ctx: Any, q: ProductQuery, scope_of: ScopeOf) -> Result:
    period = _period(q)
    _, end = period.bounds(ctx.as_of, ctx.tz)
    today = m.as_of_date(ctx.as_of, ctx.tz)
    async with ctx.db.sessions() as session:
        scope = await scope_of(session, ctx, q.filters)
        keys: list[str] | None = None
        found: list[tuple[str, str]] = []
        if q.product:
            found = await repo.find_products(session, ctx.workspace_id, q.product)
            keys = [k for k, _ in found]
        cycles: list[pa.Cycle] = []
        due: list[pa.Due] = []
        if keys is None or keys:
            bought = await repo.product_orders(session, scope, end, keys)
            cycles, due = pa.cycles_and_due(bought, ctx.tz, today, customers=bool(q.product))
        names = await arepo.customer_names(session, sorted({d.customer for d in due})[:10_000]) if due else {}
    ftext = ctx.filters_text(q.filters)
    if q.product and not found:
        return Result(
            intent="products",
            query=q.model_dump(mode="json"),
            text=_say(ctx.lang, "reorder-unknown", product=q.product),
            language=ctx.lang,
        )
    known = [c for c in cycles if c.days is not None]
    if q.product and len(found) >= 1 and len({c.key for c in cycles}) <= 1:
        # one product: its cycle and the customers due to reorder it this week
        c = cycles[0] if cycles else None
        name = c.name if c else found[0][1]
        if c is None or c.days is None:
            return Result(
                intent="products",
                query=q.model_dump(mode="json"),
                value=None,
                text=_say(
                    ctx.lang,
                    "reorder-too-few",
                    product=name,
                    n=c.customers if c else 0,
                    min=pa.MIN_CYCLE_CUSTOMERS,
                ),
                language=ctx.lang,
            )
        shown = due[:DUE_SHOWN]
        rows: list[list[Any]] = [
            [names.get(d.customer) or f"#{d.customer}", d.customer, d.last.isoformat(), d.days_since]
            for d in shown
        ]
        key = "reorder-one" if rows else "reorder-one-none"
        text = _say(
            ctx.lang, key, product=name, days=_days(c.days), n=c.customers, due=len(due), filters=ftext
        )
        text += _whole_note(ctx, c.customers, "customers")
        suggestions = []
        for r in rows[:3]:
            suggestions.append(_say(ctx.lang, "suggest-draft", customer=f"#{r[1]}"))  # a name may be shared
        if rows:
            monday = today + timedelta(days=1)
            suggestions.append(
                _say(ctx.lang, "suggest-remind", product=name, n=len(rows), day=monday.isoformat())
            )
        return Result(
            intent="products",
            query=q.model_dump(mode="json"),
            value=c.days,
            columns=["customer", "id", "last_order", "days_since"],
            rows=rows,
            card_ids=[r[1] for r in rows],
            text=text,
            language=ctx.lang,
            unit="count",
            suggestions=suggestions,
            explanation=ctx.explain(_say(ctx.lang, "define-reorder"), None, end, q.filters),
        )
    shown_cycles = sorted(known, key=lambda c: (-c.due, c.days or 0, c.name.lower()))[: q.n]
    rows = [
        [
            label,
            _days(c.days or 0),
            c.customers,
            c.due,
            _mark(ctx, c.customers),
        ]
        for label, c in zip(_labels([(c.key, c.name) for c in shown_cycles]), shown_cycles, strict=True)
    ]
    text = (
        _say(ctx.lang, "reorder-all", n=len(rows), total=len(known), filters=ftext)
        if rows
        else _say(ctx.lang, "reorder-none", filters=ftext)
    )
    if any(r[-1] for r in rows):
        text += _few_note(ctx)
    return Result(
        intent="products",
        query=q.model_dump(mode="json"),
        columns=["product", "cycle_days", "repeat_customers", "due_this_week", "note"],
        rows=rows,
        text=text,
        language=ctx.lang,
        unit="count",
        explanation=ctx.explain(_say(ctx.lang, "define-reorder"), None, end, q.filters),
    )


def _days(d: float) -> float | int:
    return int(d) if float(d).is_integer() else round(d, 1)


async def _returns(ctx: Any, q: ProductQuery, scope_of: ScopeOf) -> Result:
    period = _period(q)
    start, end = period.bounds(ctx.as_of, ctx.tz)
    async with ctx.db.sessions() as session:
        scope = await scope_of(session, ctx, q.filters)
        found = await repo.product_returns(session, scope, start, end)
    ranked = sorted(found, key=lambda r: (-(r[2] / r[3]), -r[3], r[1].lower(), r[0]))[: q.n]
    rows: list[list[Any]] = [
        [label, returned, n, round(returned / n, 4), _mark(ctx, n)]
        for label, (_, _, returned, n) in zip(_labels([(r[0], r[1]) for r in ranked]), ranked, strict=True)
    ]
    label = ctx.period_label(period)
    ftext = ctx.filters_text(q.filters)
    text = (
        _say(ctx.lang, "returns", period=label, filters=ftext, n=len(rows))
        if rows
        else _say(ctx.lang, "returns-empty", period=label, filters=ftext)
    )
    title = text
    if any(r[-1] for r in rows):
        text += _few_note(ctx)
    return Result(
        intent="products",
        query=q.model_dump(mode="json"),
        columns=["product", "returned_orders", "orders", "return_rate", "note"],
        rows=rows,
        text=text,
        language=ctx.lang,
        unit="ratio",
        chart=ChartSpec(
            kind="hbar",
            title=title.strip().rstrip(":："),
            x=[displayable(str(r[0]), CHART_LABEL) for r in rows],
            series={_say(ctx.lang, "return-rate"): [float(r[3]) for r in rows]},
            value_format="ratio",
        )
        if rows
        else None,
        explanation=ctx.explain(_say(ctx.lang, "define-returns"), start, end, q.filters),
    )
