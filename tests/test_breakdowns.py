"""Breakdowns in one pass give the numbers of one metric per group, on both databases.

`crm.analytics.metrics.metric_breakdown` answers every group of a breakdown (platform, country, month, quarter,
segment) in one set-based statement; here every catalogue metric × breakdown × period × filter is compared
with asking `metric_value` once per group (the definition as it stands for one group: a platform filter, a
customer selection, a window), on a seeded shop with cancelled, returned, pending and unpriced orders, a
customer without a stored country, orders after the as-of moment (so the order statistics do not cover it)
and an as-of moment between seconds.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from crm import catalog
from crm.analytics.metrics import (
    BREAKDOWN_METRICS,
    calendar_start,
    customer_scores,
    metric_breakdown,
    metric_value,
    month_windows,
    segment_codes,
)
from crm.query.ir import Period
from storage.db import Database
from storage.models import Customer, CustomerTag, Order, Store, Tag
from storage.repositories import analytics as repo
from storage.repositories.analytics import Scope, refresh_order_stats

SGT = ZoneInfo("Asia/Singapore")
AS_OF = datetime(2026, 4, 1, tzinfo=SGT)
PLATFORMS = ("shopee", "lazada", "shopify")
COUNTRIES = ("SG", "MY", "TH", None)
STATUSES = ("completed",) * 6 + ("paid", "shipped", "cancelled", "returned", "pending")


@pytest.fixture
async def random_shop(db: Database, workspace_id: int) -> None:
    rng = random.Random(11)
    async with db.sessions() as s:
        stores = {p: Store(workspace_id=workspace_id, platform=p, name=p) for p in PLATFORMS}
        s.add_all(stores.values())
        people = [
            Customer(workspace_id=workspace_id, display_name=f"Buyer {i}", country=COUNTRIES[i % 4])
            for i in range(70)
        ]
        s.add_all(people)
        await s.flush()
        start = datetime(2024, 10, 1, tzinfo=SGT)
        n = 0
        for person in people:
            first = start + timedelta(days=rng.uniform(0, 560))
            for _ in range(rng.choice((1, 1, 2, 3, 5, 9))):
                when = first + timedelta(days=rng.expovariate(1 / 60) * rng.random())
                first = when
                if rng.random() < 0.05:  # on a window's edge: local midnight
                    when = datetime(when.year, when.month, 1, tzinfo=SGT)
                platform = rng.choice(PLATFORMS)
                value = Decimal(str(round(rng.uniform(5, 300), 2)))
                s.add(
                    Order(
                        workspace_id=workspace_id,
                        store_id=stores[platform].id,
                        platform=platform,
                        platform_order_id=f"o{n}",
                        customer_id=person.id,
                        status=rng.choice(STATUSES),
                        currency="SGD" if rng.random() > 0.05 else "XXX",
                        order_value=value,
                        value_base=None if rng.random() < 0.05 else value,
                        country=rng.choice(("SG", "MY", "TH")),
                        created_at=when,
                    )
                )
                n += 1
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()


def close(a: float | int | None, b: float | int | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


async def per_group(
    session: object,
    metric: str,
    scope: Scope,
    by: str,
    start: datetime | None,
    end: datetime,
    windows: list[tuple[str, datetime, datetime]],
    segments: dict[int, str],
) -> list[tuple[str, float | int | None]]:
    """The metric asked once per group."""
    groups: list[tuple[str, Scope, datetime | None, datetime]] = []
    if by in ("platform", "country"):
        if metric != "churn_rate":
            keys = await repo.group_keys(session, scope, by, start, end)  # type: ignore[arg-type]
        elif start is None:
            keys = []
        else:  # the groups with customers in the window before (the others have no churn)
            keys = await repo.group_keys(session, scope, by, start - (end - start), start)
        for k in keys:
            groups.append((k, Scope(**{**scope.__dict__, by: k}), start, end))
    elif by == "segment":
        for seg in catalog.SEGMENT_IDS:
            ids = frozenset(c for c, v in segments.items() if v == seg)
            if scope.customer_ids is not None:
                ids &= scope.customer_ids
            groups.append((seg, Scope(**{**scope.__dict__, "customer_ids": ids}), start, end))
    else:
        groups = [(lab, scope, s, e) for lab, s, e in windows]
    return [(k, await metric_value(session, metric, sub, s, e)) for k, sub, s, e in groups]  # type: ignore[arg-type]


PERIODS = (
    None,  # the metric's default
    Period(kind="quarter", year=2025, quarter=3),  # in the past: the statistics do not cover its end
    Period(kind="all_time"),
)


@pytest.mark.parametrize(
    "as_of,half",
    [(AS_OF, 0), (AS_OF - timedelta(days=3, microseconds=250_000), 1), (None, 1)],
    ids=["as_of0", "as_of1", "after_every_order"],
)
async def test_every_metric_by_every_breakdown_equals_one_query_per_group(
    db: Database, workspace_id: int, random_shop: None, as_of: datetime | None, half: int
) -> None:
    """Every metric × period × scope × breakdown once over the two as-of moments (each checks every other
    combination, in turn), so the suite checks each combination without doing it twice. Both are before the
    shop's last orders; the third (None: a local midnight after every order) is where the order statistics
    answer (a period ending after every valid order), checked against the same per-group answers."""
    from crm.query.ir import DEFAULT_PERIOD

    async with db.sessions() as s:
        periods: tuple[Period | None, ...] = PERIODS
        if as_of is None:
            last = (await s.execute(select(func.max(Order.created_at)))).scalar_one()
            as_of = datetime.combine(last.astimezone(SGT).date() + timedelta(days=1), time.min, SGT)
            # The shop's last months are thin: a year-long window too, so that most customers fall in it.
            periods = (*PERIODS, Period(kind="last_n_days", n=365))
        scores = await customer_scores(s, workspace_id, as_of, SGT)
        segments = dict(zip(scores.ids.tolist(), scores.segment.tolist(), strict=True))
        vip = frozenset(scores.ids[: len(scores.ids) // 2].tolist())
        scopes = [
            Scope(workspace_id),
            Scope(workspace_id, platform="shopee"),
            Scope(workspace_id, country="SG", customer_ids=vip),
        ]
        checked = combination = 0
        for metric in BREAKDOWN_METRICS:
            for period in periods:
                p = period or (Period(kind="all_time") if metric == "avg_ltv" else DEFAULT_PERIOD)
                start, end = p.bounds(as_of, SGT)
                for scope in scopes:
                    for by in ("platform", "country", "month", "quarter", "segment"):
                        combination += 1
                        if combination % 2 != half:
                            continue
                        windows: list[tuple[str, datetime, datetime]] = []
                        if by in ("month", "quarter"):
                            first = start or await repo.first_valid_order_at(s, scope, end) or end
                            windows = month_windows(first, end, SGT, 1 if by == "month" else 3)
                        got = await metric_breakdown(
                            s, metric, scope, by, start, end, windows=windows, segments=segments
                        )
                        want = await per_group(s, metric, scope, by, start, end, windows, segments)
                        where = f"{metric} by {by}, {p.kind}, {scope}"
                        assert [k for k, _ in got] == [k for k, _ in want], where
                        for (k, a), (_, b) in zip(got, want, strict=True):
                            assert close(a, b), f"{where}, {k}: {a} != {b}"
                        checked += 1
        assert checked == (len(BREAKDOWN_METRICS) * len(periods) * len(scopes) * 5 + 1 - half) // 2


async def small_shop(
    db: Database, workspace_id: int, orders: list[tuple[str, str, str, str, Decimal]]
) -> dict[str, int]:
    """A shop of (platform, customer, their country, status, value) orders on 10 March 2026, an hour apart,
    with its statistics; the customers' ids by name."""
    when = datetime(2026, 3, 10, tzinfo=SGT)
    async with db.sessions() as s:
        stores = {p: Store(workspace_id=workspace_id, platform=p, name=p) for p, *_ in orders}
        people = {
            name: Customer(workspace_id=workspace_id, display_name=name, country=country)
            for _, name, country, *_ in orders
        }
        s.add_all([*stores.values(), *people.values()])
        await s.flush()
        for n, (platform, name, country, status, value) in enumerate(orders):
            s.add(
                Order(
                    workspace_id=workspace_id,
                    store_id=stores[platform].id,
                    platform=platform,
                    platform_order_id=f"o{n}",
                    customer_id=people[name].id,
                    status=status,
                    currency="SGD",
                    order_value=value,
                    value_base=value,
                    country=country,
                    created_at=when + timedelta(hours=n),
                )
            )
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()
        return {name: person.id for name, person in people.items()}


@pytest.mark.parametrize("day", [0, 250, 500])
async def test_segment_codes_are_the_scored_segments(
    db: Database, workspace_id: int, random_shop: None, day: int
) -> None:
    """What a breakdown by segment folds with (`segment_codes`, computed from the statistics without the
    scores) is every scored customer's segment (`customer_scores`, as drafts and lists read it)."""
    as_of = datetime(2025, 1, 1, 12, 30, tzinfo=SGT) + timedelta(days=day)
    async with db.sessions() as s:
        scores = await customer_scores(s, workspace_id, as_of, SGT)
        ids, codes = await segment_codes(db, s, workspace_id, as_of, SGT)
    assert len(scores.ids) > 5
    assert ids.tolist() == sorted(scores.ids.tolist())
    by_id = dict(zip(scores.ids.tolist(), scores.segment.tolist(), strict=True))
    assert [catalog.SEGMENT_IDS[c] for c in codes.tolist()] == [by_id[i] for i in ids.tolist()]
    assert len(set(codes.tolist())) >= 3


async def test_a_group_with_only_cancelled_orders_is_not_listed(db: Database, workspace_id: int) -> None:
    """The groups of a breakdown are those with a valid order in the period, for the status counts too (their
    counts also hold groups with only cancelled orders): a Lazada order from a Malaysian buyer, cancelled, adds
    no Lazada and no MY row to "cancelled orders by platform / by country"."""
    ten = Decimal("10")
    await small_shop(
        db,
        workspace_id,
        [
            ("shopee", "Tan", "SG", "completed", ten),
            ("shopee", "Tan", "SG", "cancelled", ten),
            ("lazada", "Lim", "MY", "cancelled", ten),
        ],
    )
    start, end = datetime(2026, 3, 1, tzinfo=SGT), datetime(2026, 4, 1, tzinfo=SGT)
    async with db.sessions() as s:
        scope = Scope(workspace_id)
        for by, only in (("platform", "shopee"), ("country", "SG")):
            assert await repo.group_keys(s, scope, by, start, end) == [only]
            for metric in ("cancelled_orders", "cancellation_rate", "orders"):
                got = await metric_breakdown(s, metric, scope, by, start, end)
                assert [k for k, _ in got] == [only], (metric, by)
            assert await metric_breakdown(s, "cancelled_orders", scope, by, start, end) == [(only, 1)]


async def test_churn_lists_a_group_whose_customers_all_left(db: Database, workspace_id: int) -> None:
    """Churn's groups are those with customers in the window before the period: a platform (or country) whose
    every customer of the day before ordered nothing in the period churned 100%, as asking for that platform
    alone says, though it has no order in the period."""
    ten = Decimal("10")
    await small_shop(
        db,
        workspace_id,
        [
            ("shopee", "Tan", "SG", "completed", ten),
            ("lazada", "Lim", "MY", "completed", ten),
            ("lazada", "Lee", "MY", "completed", ten),
        ],
    )
    start, end = datetime(2026, 3, 11, tzinfo=SGT), datetime(2026, 3, 12, tzinfo=SGT)
    async with db.sessions() as s:
        scope = Scope(workspace_id)
        for by, groups in (("platform", ("lazada", "shopee")), ("country", ("MY", "SG"))):
            got = await metric_breakdown(s, "churn_rate", scope, by, start, end)
            assert got == [(k, 1.0) for k in groups], by
            for k in groups:
                one = Scope(workspace_id, platform=k) if by == "platform" else Scope(workspace_id, country=k)
                assert await metric_value(s, "churn_rate", one, start, end) == 1.0


# Only PostgreSQL folds in the database (SQLite reads the arrays, which the test above checks).
@pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_the_database_folds_rows_by_segment_as_the_arrays_do(
    db: Database, workspace_id: int, random_shop: None
) -> None:
    """PostgreSQL sums a breakdown's rows per segment itself (`fold_by_code`, each customer's segment sent as a
    byte table): the same counts, sums and priced rows as reading the rows back as arrays and folding them,
    for customers with a segment, without one, and with ids below and above the table's range."""
    import numpy as np

    from storage.arrays import codes_of

    rng = random.Random(5)
    async with db.sessions() as s:
        assert repo.folds_by_code(s)
        every = sorted((await s.execute(select(Customer.id))).scalars())
        inner = every[3:-3]  # the lowest and highest customers fall outside the table
        ids = np.array(sorted(rng.sample(inner, len(inner) * 2 // 3)), np.int64)
        codes = np.array([rng.randrange(8) for _ in ids], np.int64)
        lookup = repo.code_lookup(ids, codes)
        assert lookup is not None and lookup.low > every[0]
        scope = Scope(workspace_id)
        start, end = datetime(2025, 1, 1, tzinfo=SGT), AS_OF
        for rows, per_value in (
            (repo.order_value_rows(s, scope, start, end), False),
            (repo.order_value_rows(s, scope, None, end, values=False), False),
            (repo.distinct_customers(repo.order_value_rows(s, scope, start, end)), False),
            (repo.order_status_rows(scope, start, end), True),
        ):
            folded = await repo.fold_by_code(s, rows, lookup, per_value=per_value)
            customer, value = await repo.customer_arrays(s, rows)
            seg = codes_of(customer, ids, codes)
            seg[seg < 0] = repo.UNCODED
            if per_value:
                assert value is not None
                want = {(int(c), int(v)): 0 for c, v in zip(seg, value, strict=True)}
                for c, v in zip(seg, value, strict=True):
                    want[int(c), int(v)] += 1
                assert {(c, v): n for c, v, n in folded} == want
                continue
            has = np.zeros(len(seg), bool) if value is None else ~np.isnan(value)
            got = {c: (n, round(total, 2), priced) for c, n, total, priced in folded}
            assert sorted(got) == sorted(set(seg.tolist()))
            for c, (n, total, priced) in got.items():
                mine = seg == c
                assert n == int(mine.sum())
                assert priced == int((mine & has).sum())
                want_total = 0.0 if value is None else float(np.where(has, value, 0.0)[mine].sum())
                assert total == round(want_total, 2), (c, total, want_total)
    assert repo.code_lookup(np.array([1, 10**9]), np.array([0, 1])) is None  # too spread: read back instead


@pytest.mark.parametrize("spread", [1, 10**7], ids=["dense-ids", "sparse-ids"])
def test_a_customers_segment_is_looked_up_the_same_by_table_and_by_search(spread: int) -> None:
    """Dense ids (a database's) index a table; ids far apart are binary-searched: both give each customer's
    segment, -1 without one, and the distinct customers."""
    import numpy as np

    from storage.arrays import codes_of, distinct_ids

    ids = np.array([3, 7, 10]) * spread
    codes = np.array([2, 0, 5])
    customer = np.array([7, 3, 4, 10, 11, 7, 0]) * spread
    assert codes_of(customer, ids, codes).tolist() == [0, 2, -1, 5, -1, 0, -1]
    assert distinct_ids(customer).tolist() == [
        0,
        3 * spread,
        4 * spread,
        7 * spread,
        10 * spread,
        11 * spread,
    ]


async def test_a_large_amount_keeps_its_cents_by_segment(db: Database, workspace_id: int) -> None:
    """Amounts by segment are read back as the stored doubles: SQLite's own text for a number keeps 15 digits,
    which cost an amount of 1e11 or more its cents (revenue by segment then differed from revenue)."""
    big, small = Decimal("12345678901234.5678"), Decimal("19.99")
    ids = await small_shop(
        db,
        workspace_id,
        [("shopee", "Tan", "SG", "completed", big), ("shopee", "Lim", "SG", "completed", small)],
    )
    segments = {ids["Tan"]: "important_value", ids["Lim"]: "general_keep"}
    start, end = datetime(2026, 3, 1, tzinfo=SGT), datetime(2026, 4, 1, tzinfo=SGT)
    async with db.sessions() as s:
        scope = Scope(workspace_id)
        got = dict(await metric_breakdown(s, "revenue", scope, "segment", start, end, segments=segments))
        total = await metric_value(s, "revenue", scope, start, end)
    assert total is not None and round(total, 2) == round(float(big + small), 2)
    assert round(got["important_value"] or 0, 2) == round(float(big), 2)
    assert round((got["important_value"] or 0) + (got["general_keep"] or 0), 2) == round(total, 2)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("metric", ["aov", "repeat_rate", "return_rate"])
async def test_a_breakdown_names_the_groups_its_figure_rests_too_few_for(
    db: Database, workspace_id: int, random_shop: None, metric: str, lang: str
) -> None:
    """Asked alone, a ratio or an average resting on fewer than min_sample customers or orders carries the
    mark; in a breakdown, the line under the title names exactly those groups, each with its n."""
    import re

    from bot.settings import Settings
    from crm.query.compiler import execute
    from crm.query.ir import MetricQuery
    from crm.query.texts import platform_name

    period = Period(kind="all_time")
    alone = {}
    for platform in PLATFORMS:
        q = MetricQuery(metric=metric, period=period, filters={"platform": platform})
        r = await execute(q, db=db, workspace_id=workspace_id, settings=Settings(), as_of=AS_OF)
        alone[platform] = int(re.search(r"Based on ([\d,]+)", r.text).group(1).replace(",", ""))  # type: ignore[union-attr]
    threshold = min(alone.values()) + 1  # the smallest group one below it: marked; the others at or above
    settings = Settings(workspace={"min_sample": threshold})
    q = MetricQuery(metric=metric, period=period, group_by="platform")
    r = await execute(q, db=db, workspace_id=workspace_id, settings=settings, as_of=AS_OF, language=lang)
    start = "⚠️ 以下分组" if lang == "zh" else "⚠️ Too few"
    note = next((line for line in r.text.splitlines() if line.startswith(start)), "")
    few = {p for p, n in alone.items() if n < threshold}
    assert few and len(few) < len(PLATFORMS)
    for platform, n in alone.items():
        shown = f"{platform_name(platform)}（{n}）" if lang == "zh" else f"{platform_name(platform)} ({n})"
        assert (shown in note) == (platform in few), (platform, n, threshold, r.text)
    counts = await execute(
        MetricQuery(metric="orders", period=period, group_by="platform"),
        db=db,
        workspace_id=workspace_id,
        settings=settings,
        as_of=AS_OF,
    )
    assert "⚠️ Too few" not in counts.text  # a count is not a figure resting on a sample


async def test_a_breakdown_by_segment_of_a_shop_without_customers_is_empty(
    db: Database, workspace_id: int
) -> None:
    """No scored customer, no segment rows: the answer says there is no data instead of listing every
    segment at zero (a shop with customers lists its empty segments too, as the matrix and the
    per-group test show)."""
    start, end = datetime(2026, 3, 1, tzinfo=SGT), datetime(2026, 4, 1, tzinfo=SGT)
    async with db.sessions() as s:
        for metric in ("revenue", "customers", "repeat_rate", "avg_ltv"):
            ids, codes = await segment_codes(db, s, workspace_id, end, SGT)
            assert not len(ids)
            got = await metric_breakdown(
                s, metric, Scope(workspace_id), "segment", start, end, segments=(ids, codes)
            )
            assert got == [], metric


@pytest.mark.parametrize("seed", range(3))
async def test_by_month_with_orders_at_and_just_before_month_ends_equals_the_definitions(
    db: Database, workspace_id: int, seed: int
) -> None:
    """Repeat rate, churn and customers by month (the windows from the first order's calendar month, as all time
    asks them) against the definitions counted from the orders: half the orders at a local midnight (ties), some
    a microsecond or half a second before one, a tag and a country scope, an as-of date in the past and after
    every order. Found by a review: SQLite's unixepoch() rounded .9997 s up to the next second, so a customer
    whose first order was a moment before midnight on a month's last day counted in the next month."""
    rng = random.Random(seed)
    rows = []
    async with db.sessions() as s:
        stores = {p: Store(workspace_id=workspace_id, platform=p, name=p) for p in ("a", "b")}
        s.add_all(stores.values())
        people = [
            Customer(workspace_id=workspace_id, display_name=f"c{i}", country=("SG", "MY")[i % 2])
            for i in range(40)
        ]
        s.add_all(people)
        await s.flush()
        tag = Tag(workspace_id=workspace_id, name="vip")
        s.add(tag)
        await s.flush()
        tagged = set()
        for p in people[::3]:
            s.add(CustomerTag(customer_id=p.id, tag_id=tag.id))
            tagged.add(p.id)
        n = 0
        for p in people:
            k = rng.choice((1, 2, 2, 3, 4))
            for _ in range(k):
                month = rng.randrange(0, 8)
                if rng.random() < 0.5:
                    when = datetime(2025 + (month // 12), month % 12 + 1, 1, tzinfo=SGT)  # boundary, ties
                else:
                    when = datetime(2025, month + 1, 1, tzinfo=SGT) + timedelta(
                        seconds=rng.uniform(0, 86400 * 28)
                    )
                if rng.random() < 0.15:
                    when = when - timedelta(microseconds=rng.choice((1, 500000)))
                st = rng.choice(("completed", "completed", "paid", "cancelled"))
                plat = rng.choice(("a", "b"))
                s.add(
                    Order(
                        workspace_id=workspace_id,
                        store_id=stores[plat].id,
                        platform=plat,
                        platform_order_id=f"o{n}",
                        customer_id=p.id,
                        status=st,
                        currency="SGD",
                        order_value=Decimal(10),
                        value_base=Decimal(10),
                        country="SG",
                        created_at=when,
                    )
                )
                rows.append(
                    (p.id, when.astimezone(UTC), st, p.id in tagged, ("SG", "MY")[people.index(p) % 2])
                )
                n += 1
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()
    valid = [r for r in rows if r[2] in repo.VALID]
    first = min(r[1] for r in valid)
    for as_of in (datetime(2025, 5, 1, tzinfo=SGT), datetime(2025, 12, 1, tzinfo=SGT)):
        start = calendar_start(first, SGT, 1)
        windows = month_windows(start, as_of, SGT, 1)
        for scope, sel in (
            (Scope(workspace_id), lambda r: True),
            (Scope(workspace_id, tag="vip"), lambda r: r[3]),
            (Scope(workspace_id, country="MY"), lambda r: r[4] == "MY"),
        ):
            vs = [r for r in valid if sel(r)]
            async with db.sessions() as s:
                got = dict(
                    await metric_breakdown(s, "repeat_rate", scope, "month", start, as_of, windows=windows)
                )
                gotc = dict(
                    await metric_breakdown(s, "churn_rate", scope, "month", start, as_of, windows=windows)
                )
                gota = dict(
                    await metric_breakdown(s, "customers", scope, "month", start, as_of, windows=windows)
                )
            for lab, ws, we in windows:
                act = {r[0] for r in vs if ws <= r[1] < we}
                rep = {c for c in act if sum(1 for r in vs if r[0] == c and r[1] < we) >= 2}
                want = len(rep) / len(act) if act else None
                if want is None:
                    assert got.get(lab) is None, (lab, got.get(lab))
                else:
                    assert got.get(lab) == pytest.approx(want), (
                        lab,
                        got,
                        want,
                        act,
                        [r for r in rows if r[0] in act],
                    )
                assert (gota.get(lab) or 0) == len(act), (lab, gota.get(lab), len(act))
                ps = ws - (we - ws)
                bef = {r[0] for r in vs if ps <= r[1] < ws}
                gone = {c for c in bef if c not in act}
                wantc = len(gone) / len(bef) if bef else None
                if wantc is None:
                    assert gotc.get(lab) is None, (lab, gotc.get(lab))
                else:
                    assert gotc.get(lab) == pytest.approx(wantc), (lab, gotc.get(lab), wantc)
