"""Customers, new customers, repeat purchase rate, churn rate and average LTV on a platform, read from
`customer_platform_stats` when every valid order is before the period's end, equal docs/metrics.md's definitions
computed here in Python from the orders themselves: per platform (a breakdown) and with a platform filter (one
group), on both databases."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from crm.analytics.metrics import metric_breakdown, metric_value
from crm.query.ir import Period
from storage.db import Database
from storage.models import Order
from storage.repositories.analytics import Scope, customer_countries, customers_in_country
from tests.test_breakdowns import PLATFORMS, SGT, close, random_shop  # noqa: F401  (a fixture)

VALID = {"paid", "shipped", "completed"}


def truth(
    orders: list[Any], metric: str, platform: str, start: datetime | None, end: datetime, who: set[int] | None
) -> float | int | None:
    """The metric on one platform from the definitions: first order and two orders mean on that platform."""
    mine: dict[int, list[Any]] = defaultdict(list)
    for o in orders:
        if o.platform == platform and o.status in VALID and (who is None or o.customer_id in who):
            mine[o.customer_id].append(o)
    if metric == "customers":
        assert start is not None
        return sum(1 for os in mine.values() if any(start <= o.created_at < end for o in os))
    if metric == "new_customers":
        assert start is not None
        return sum(1 for os in mine.values() if start <= min(o.created_at for o in os) < end)
    if metric == "churn_rate":
        assert start is not None
        earlier = start - (end - start)
        active = [os for os in mine.values() if any(earlier <= o.created_at < start for o in os)]
        gone = [os for os in active if not any(start <= o.created_at < end for o in os)]
        return len(gone) / len(active) if active else None
    if metric == "repeat_rate":
        assert start is not None
        active = [os for os in mine.values() if any(start <= o.created_at < end for o in os)]
        repeat = [os for os in active if sum(1 for o in os if o.created_at < end) >= 2]
        return len(repeat) / len(active) if active else None
    before = [[o for o in os if o.created_at < end] for os in mine.values()]
    before = [os for os in before if os]
    total = sum(float(o.value_base or 0) for os in before for o in os)
    return total / len(before) if before else None


async def test_platform_figures_from_the_statistics_equal_the_definitions(
    db: Database,
    workspace_id: int,
    random_shop: None,  # noqa: F811
) -> None:
    async with db.sessions() as s:
        orders = list((await s.execute(select(Order).where(Order.workspace_id == workspace_id))).scalars())
        last = (await s.execute(select(func.max(Order.created_at)))).scalar_one()
        # docs/metrics.md's country of a customer (the stored one, else their latest valid order's).
        singaporeans = {int(c) for c in await customers_in_country(s, workspace_id, "SG")}
        # After every order (the statistics then are the whole history), at a local midnight.
        as_of = datetime.combine(last.astimezone(SGT).date() + timedelta(days=2), datetime.min.time(), SGT)
        periods = [
            Period(kind="last_n_days", n=90),
            Period(kind="last_n_days", n=400),
            Period(kind="this_year"),
            Period(kind="all_time"),
        ]
        checked = 0
        for metric in ("customers", "new_customers", "repeat_rate", "churn_rate", "avg_ltv"):
            for period in periods:
                start, end = period.bounds(as_of, SGT)
                if metric != "avg_ltv" and start is None:
                    continue
                for country, who in ((None, None), ("SG", singaporeans)):
                    got = dict(
                        await metric_breakdown(
                            s, metric, Scope(workspace_id, country=country), "platform", start, end
                        )
                    )
                    # The breakdown shows the platforms with valid orders in the period, of the customers chosen;
                    # churn those with customers in the window before it (the customers it is a share of).
                    lo, hi = start, end
                    if metric == "churn_rate" and start is not None:
                        lo, hi = start - (end - start), start
                    in_window = {
                        o.platform
                        for o in orders
                        if o.status in VALID
                        and (lo is None or lo <= o.created_at)
                        and o.created_at < hi
                        and (who is None or o.customer_id in who)
                    }
                    assert set(got) == in_window, f"{metric}, {period.kind}, {country}: {got}"
                    for platform in PLATFORMS:
                        want = truth(orders, metric, platform, start, end, who)
                        one = await metric_value(
                            s, metric, Scope(workspace_id, platform=platform, country=country), start, end
                        )
                        where = f"{metric} on {platform}, {period.kind}, {country}"
                        assert close(one, want), f"{where}: {one} != {want}"
                        if platform in got:
                            assert close(got[platform], want), f"{where} (breakdown): {got} != {want}"
                            checked += 1
        assert checked >= 40
        # By country: the countries of the customers with valid orders in the period.
        countries = await customer_countries(s, workspace_id)
        for period in periods:
            start, end = period.bounds(as_of, SGT)
            want_keys = {
                countries[o.customer_id]
                for o in orders
                if o.status in VALID and (start is None or start <= o.created_at) and o.created_at < end
            } - {None}
            got = await metric_breakdown(s, "avg_ltv", Scope(workspace_id), "country", start, end)
            assert {k for k, _ in got} == want_keys, period.kind
            if start is None:
                continue
            # Customers (distinct, with a valid order in the period) by country and over every platform.
            active = {o.customer_id for o in orders if o.status in VALID and start <= o.created_at < end}
            per_country: dict[str, int] = defaultdict(int)
            for c in active:
                if countries[c] is not None:
                    per_country[countries[c]] += 1
            got = await metric_breakdown(s, "customers", Scope(workspace_id), "country", start, end)
            assert dict(got) == dict(per_country), period.kind
            # Churn by country: of the customers with a valid order in the window just before, those
            # with none in this one.
            earlier = start - (end - start)
            before = {o.customer_id for o in orders if o.status in VALID and earlier <= o.created_at < start}
            churn: dict[str, float] = {}
            for k in {countries[c] for c in before} - {None}:
                theirs = {c for c in before if countries[c] == k}
                churn[k] = len(theirs - active) / len(theirs)
            got = await metric_breakdown(s, "churn_rate", Scope(workspace_id), "country", start, end)
            assert {k for k, _ in got} == set(churn), period.kind  # the groups with customers before
            for k, value in got:
                assert close(value, churn.get(k)), (period.kind, k, value, churn.get(k))
            for country, who in ((None, None), ("SG", singaporeans)):
                want = len(active if who is None else active & who)
                one = await metric_value(s, "customers", Scope(workspace_id, country=country), start, end)
                assert one == want, (period.kind, country, one, want)
