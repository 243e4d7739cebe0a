"""Metrics, RFM, lifecycle, cohorts and the compiler against hand-computed values, on both databases.

The shop (Asia/Singapore), as of the end of 2026-03-31:
  A (SG): 2026-01-10 shopee 100; 2026-03-05 lazada 50
  B (MY): 2026-02-28 23:30 local shopee 80 (February in Singapore, 1 March in no zone that matters);
          2026-03-01 shopee 20 cancelled
  C (SG): 2025-12-15 shopify 200; 2026-03-20 shopify 40 (shipped)
  D (TH): 2025-11-01 shopee 30; 2026-02-10 shopee 30 returned
  E (GB): 2026-03-30 shopee 60 pending (never paid: a prospect)
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from bot.render import render_text, result_table
from bot.settings import Settings
from crm.query.compiler import customer_profile, execute
from crm.query.ir import (
    CohortQuery,
    CustomerQuery,
    Filters,
    LifecycleQuery,
    MetricQuery,
    Period,
    SegmentsQuery,
    TopCustomersQuery,
)
from storage.db import Database
from storage.models import Customer, Order, Store
from storage.repositories.analytics import refresh_order_stats
from tests.order_rows import sgd_order

SGT = ZoneInfo("Asia/Singapore")
AS_OF = datetime(2026, 4, 1, tzinfo=SGT)  # the end of 2026-03-31
Q1 = Period(kind="quarter", year=2026, quarter=1)
SETTINGS = Settings()


@pytest.fixture
async def shop(db: Database, workspace_id: int) -> dict[str, int]:
    async with db.sessions() as s:
        stores = {
            p: Store(workspace_id=workspace_id, platform=p, name=p) for p in ("shopee", "lazada", "shopify")
        }
        s.add_all(stores.values())
        people = {
            n: Customer(workspace_id=workspace_id, display_name=f"Buyer {n}", country=c)
            for n, c in (("A", "SG"), ("B", "MY"), ("C", "SG"), ("D", "TH"), ("E", "GB"))
        }
        s.add_all(people.values())
        await s.flush()
        rows = [
            ("A", "shopee", (2026, 1, 10, 10, 0), 100, "completed"),
            ("A", "lazada", (2026, 3, 5, 12, 0), 50, "completed"),
            ("B", "shopee", (2026, 2, 28, 23, 30), 80, "paid"),
            ("B", "shopee", (2026, 3, 1, 0, 30), 20, "cancelled"),
            ("C", "shopify", (2025, 12, 15, 9, 0), 200, "completed"),
            ("C", "shopify", (2026, 3, 20, 9, 0), 40, "shipped"),
            ("D", "shopee", (2025, 11, 1, 9, 0), 30, "completed"),
            ("D", "shopee", (2026, 2, 10, 9, 0), 30, "returned"),
            ("E", "shopee", (2026, 3, 30, 9, 0), 60, "pending"),
        ]
        for i, (who, platform, when, value, status) in enumerate(rows):
            s.add(
                Order(
                    workspace_id=workspace_id,
                    store_id=stores[platform].id,
                    platform=platform,
                    platform_order_id=f"o{i}",
                    customer_id=people[who].id,
                    status=status,
                    currency="SGD",
                    order_value=Decimal(value),
                    value_base=Decimal(value),
                    country=people[who].country,
                    created_at=datetime(*when, tzinfo=SGT),
                )
            )
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()
        return {n: c.id for n, c in people.items()}


async def ask(db: Database, workspace_id: int, query, language: str = "en"):  # type: ignore[no-untyped-def]
    return await execute(
        query, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF, language=language
    )


@pytest.mark.parametrize(
    "metric,expected",
    [
        ("orders", 4),
        ("revenue", 270.0),
        ("customers", 3),
        ("aov", 67.5),
        ("new_customers", 2),
        ("repeat_rate", 2 / 3),
        ("churn_rate", 0.5),
        ("avg_ltv", 125.0),
    ],
)
async def test_every_metric_in_q1(
    db: Database, workspace_id: int, shop: dict[str, int], metric: str, expected: float
) -> None:
    r = await ask(db, workspace_id, MetricQuery(metric=metric, period=Q1))  # type: ignore[arg-type]
    assert r.value == pytest.approx(expected)
    assert isinstance(r.value, int) == (metric in ("orders", "customers", "new_customers"))


@pytest.mark.parametrize(
    "metric,platform,expected",
    [
        # Q1 orders by status: completed 2, paid 1, shipped 1, cancelled 1 (B), returned 1 (D), pending 1 (E)
        ("cancelled_orders", None, 1),
        ("returned_orders", None, 1),
        ("cancellation_rate", None, 1 / 6),  # cancelled / every order but the pending one
        ("return_rate", None, 1 / 5),  # returned / (4 valid + 1 returned)
        # on Shopee: A completed, B paid, B cancelled, D returned, E pending
        ("cancellation_rate", "shopee", 1 / 4),
        ("return_rate", "shopee", 1 / 3),
    ],
)
async def test_cancellations_and_returns_count_orders_by_status(
    db: Database, workspace_id: int, shop: dict[str, int], metric: str, platform: str | None, expected: float
) -> None:
    r = await ask(
        db,
        workspace_id,
        MetricQuery(
            metric=metric,
            period=Q1,  # type: ignore[arg-type]
            filters=Filters(platform=platform),
        ),
    )  # type: ignore[arg-type]
    assert r.value == pytest.approx(expected)
    assert r.unit == ("ratio" if metric.endswith("_rate") else "count")


async def test_return_rate_by_platform_in_one_answer(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    r = await ask(db, workspace_id, MetricQuery(metric="return_rate", period=Q1, group_by="platform"))
    assert dict(r.rows) == {"lazada": 0.0, "shopee": pytest.approx(1 / 3), "shopify": 0.0}


async def test_the_customer_base_counts_every_buyer_and_names_the_prospects(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    r = await ask(db, workspace_id, MetricQuery(metric="customers", period=Period(kind="all_time")))
    assert r.value == 4  # A, B, C, D have a valid order; E only a pending one
    assert "customer base" in r.text and "1 more customer records have no valid order" in r.text
    zh = await ask(db, workspace_id, MetricQuery(metric="customers", period=Period(kind="all_time")), "zh")
    assert "客户总数" in zh.text and "另有 1 条" in zh.text


async def test_platform_filters_orders_but_country_selects_customers(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    shopee = Filters(platform="shopee")
    assert (await ask(db, workspace_id, MetricQuery(metric="orders", period=Q1, filters=shopee))).value == 2
    # On Shopee alone neither A nor B has two orders, though A has two orders across platforms.
    assert (
        await ask(db, workspace_id, MetricQuery(metric="repeat_rate", period=Q1, filters=shopee))
    ).value == 0
    sg = Filters(country="SG")  # A and C, with all their orders (A's Lazada order too)
    assert (await ask(db, workspace_id, MetricQuery(metric="revenue", period=Q1, filters=sg))).value == 190.0
    assert (
        await ask(db, workspace_id, MetricQuery(metric="repeat_rate", period=Q1, filters=sg))
    ).value == 1.0


async def test_group_by_month_uses_local_calendar(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    r = await ask(db, workspace_id, MetricQuery(metric="revenue", period=Q1, group_by="month"))
    assert r.rows == [["2026-01", 100.0], ["2026-02", 80.0], ["2026-03", 90.0]]
    assert r.chart is not None and r.chart.x == ["2026-01", "2026-02", "2026-03"]
    by_platform = await ask(db, workspace_id, MetricQuery(metric="orders", period=Q1, group_by="platform"))
    assert by_platform.rows == [["shopee", 2], ["lazada", 1], ["shopify", 1]]  # highest first, ties by name
    assert "highest: Shopee (2)" in by_platform.text
    by_country = await ask(
        db, workspace_id, MetricQuery(metric="customers", period=Q1, group_by="country"), language="zh"
    )
    assert by_country.rows == [["SG", 2], ["MY", 1]] and "最高的是新加坡（2）" in by_country.text


async def test_periods_are_half_open_and_default_to_last_90_days(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    feb = Period(kind="month", year=2026, month=2)
    assert (await ask(db, workspace_id, MetricQuery(metric="orders", period=feb))).value == 1
    march = Period(kind="month", year=2026, month=3)
    assert (await ask(db, workspace_id, MetricQuery(metric="orders", period=march))).value == 2
    # Last 90 days before the end of 31 March starts 1 January 00:00: A, B and C's Q1 orders.
    r = await ask(db, workspace_id, MetricQuery(metric="orders"))
    assert r.value == 4 and "2026-01-01 00:00" in (r.explanation or "")
    empty = await ask(db, workspace_id, MetricQuery(metric="aov", period=Period(kind="year", year=2020)))
    assert empty.value is None and "no data" in empty.text


async def test_rfm_segments_and_lifecycle(db: Database, workspace_id: int, shop: dict[str, int]) -> None:
    # R days: A 26, B 31, C 11, D 150 (mean 54.5); F: 2,1,2,1 (mean 1.5); M: 150, 80, 240, 30 (mean 125)
    dist = await ask(db, workspace_id, SegmentsQuery())
    counts = dict(dist.rows)  # by code, as --json gives them (named where shown: bot.render.readable_rows)
    assert (
        counts["important_value"] == 2 and counts["general_develop"] == 1 and counts["general_winback"] == 1
    )
    assert sum(counts.values()) == 4
    sg = await ask(db, workspace_id, SegmentsQuery(segment="important_value", filters=Filters(country="SG")))
    assert sg.value == 2 and "Singapore" in sg.text and " SG" not in sg.text
    sg_zh = await ask(
        db,
        workspace_id,
        SegmentsQuery(segment="important_value", filters=Filters(country="SG")),
        language="zh",
    )
    assert "新加坡" in sg_zh.text and "SG" not in sg_zh.text  # countries by name, not ISO code
    my = await ask(db, workspace_id, SegmentsQuery(segment="important_value", filters=Filters(country="MY")))
    assert my.value == 0
    zh = await ask(db, workspace_id, SegmentsQuery(segment="general_winback"), language="zh")
    assert zh.value == 1 and "一般挽留客户" in zh.text
    # With a period: the segments as they stood at its end. At 31 Jan only A (R 21 days, 100), C (47, 200) and
    # D (91, 30) had bought: R mean 53, F mean 1, M mean 110 -> C important develop, A general develop, D winback.
    jan = Period(kind="month", year=2026, month=1)
    then = await ask(db, workspace_id, SegmentsQuery(segment="important_develop", period=jan))
    assert then.value == 1 and "as of 2026-01-31" in then.text
    assert (await ask(db, workspace_id, SegmentsQuery(segment="general_winback", period=jan))).value == 1
    then_zh = await ask(db, workspace_id, SegmentsQuery(segment="general_develop", period=jan), language="zh")
    assert then_zh.value == 1 and "截至 2026-01-31" in then_zh.text
    life = await ask(db, workspace_id, LifecycleQuery())
    assert dict(life.rows) == {
        "new": 0,
        "active": 3,
        "dormant": 1,
        "churned": 0,
        "prospect": 1,
    }
    assert (
        await ask(db, workspace_id, LifecycleQuery(stage="prospect", filters=Filters(country="GB")))
    ).value == 1
    # A segment filter on a metric: revenue of the important-value customers (A and C) in Q1.
    r = await ask(
        db, workspace_id, MetricQuery(metric="revenue", period=Q1, filters=Filters(segment="important_value"))
    )
    assert r.value == 190.0


async def test_top_customers_and_profile(db: Database, workspace_id: int, shop: dict[str, int]) -> None:
    top = await ask(db, workspace_id, TopCustomersQuery(n=3))
    # each row carries the customer's #id (same-name customers stay apart), and each card is one tap away
    assert top.rows == [
        ["Buyer C", shop["C"], 240.0],
        ["Buyer A", shop["A"], 150.0],
        ["Buyer B", shop["B"], 80.0],
    ]
    assert top.card_ids == [shop["C"], shop["A"], shop["B"]]
    by_orders = await ask(db, workspace_id, TopCustomersQuery(n=2, sort_by="orders", period=Q1))
    assert by_orders.rows == [
        ["Buyer A", shop["A"], 2],
        ["Buyer B", shop["B"], 1],
    ]  # ties broken by customer id
    found = await ask(db, workspace_id, CustomerQuery(search="buyer c"))
    fields = dict(found.rows)
    assert fields["orders"] == 2 and fields["revenue"] == 240.0 and fields["segment"] == "important_value"
    card = await customer_profile(
        db=db, workspace_id=workspace_id, customer_id=shop["D"], settings=SETTINGS, as_of=AS_OF, language="zh"
    )
    assert "一般挽留客户" in card.text and "沉睡" in card.text
    none = await ask(db, workspace_id, CustomerQuery(search="nobody at all"))
    assert none.rows == [] and "No customer" in none.text
    # E has only a pending order: no "None days ago" on the card
    for lang, words in (("en", "no valid order yet"), ("zh", "还没有有效订单")):
        e = await customer_profile(
            db=db,
            workspace_id=workspace_id,
            customer_id=shop["E"],
            settings=SETTINGS,
            as_of=AS_OF,
            language=lang,
        )
        assert words in e.text and "None" not in e.text


async def test_cohort_retention(db: Database, workspace_id: int, shop: dict[str, int]) -> None:
    r = await ask(db, workspace_id, CohortQuery(period=Period(kind="year", year=2025), max_offset=4))
    table = {row[0]: row[1:] for row in r.rows}
    # C: first order December 2025, again in March 2026 (k = 3); D: November only.
    assert table["2025-12"][:5] == [1, 1.0, 0.0, 0.0, 1.0]
    assert table["2025-11"][:2] == [1, 1.0] and table["2025-11"][2] == 0.0
    assert sorted(table) == ["2025-11", "2025-12"]  # the cohorts of 2025 only, followed into 2026
    assert r.chart is not None and r.chart.kind == "heatmap"
    recent = {row[0]: row[1:] for row in (await ask(db, workspace_id, CohortQuery(max_offset=4))).rows}
    assert recent["2026-02"] == [1, 1.0, 1 / 1 * 0.0, None, None, None]  # default: the last 12 months


@pytest.mark.parametrize("metric", ["orders", "revenue", "customers", "aov", "repeat_rate", "avg_ltv"])
async def test_two_periods_side_by_side_equal_each_period_asked_alone(
    db: Database, workspace_id: int, shop: dict[str, int], metric: str
) -> None:
    """ "X this period vs that period": each value is what asking for that period alone gives, and the change is
    percent for amounts and counts, percentage points for rates."""
    feb, march = Period(kind="month", year=2026, month=2), Period(kind="month", year=2026, month=3)
    both = await ask(db, workspace_id, MetricQuery(metric=metric, period=march, compare_to=feb))  # type: ignore[arg-type]
    alone = [
        (await ask(db, workspace_id, MetricQuery(metric=metric, period=p))).value  # type: ignore[arg-type]
        for p in (march, feb)
    ]
    assert both.value == alone[0] and [r[1] for r in both.rows] == alone
    assert both.columns == ["period", metric] and [r[0] for r in both.rows] == ["March 2026", "February 2026"]
    if alone[0] is not None and alone[1]:
        word = "percentage points" if metric == "repeat_rate" else "%"
        assert word in both.text and "on February 2026" in both.text, both.text
    zh = await ask(db, workspace_id, MetricQuery(metric=metric, period=march, compare_to=feb), language="zh")  # type: ignore[arg-type]
    assert "2026年3月" in zh.text and "2026年2月" in zh.text


async def test_cohorts_of_an_empty_or_future_period_say_which(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    from crm.query.ir import CohortQuery

    future = await ask(db, workspace_id, CohortQuery(period=Period(kind="year", year=2030)))
    assert future.rows == [] and "in the future" in future.text
    past = await ask(db, workspace_id, CohortQuery(period=Period(kind="year", year=2020)), language="zh")
    assert past.rows == [] and "这些月份没有有效订单" in past.text


async def test_customers_per_platform_say_a_customer_counts_on_each(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    r = await ask(db, workspace_id, MetricQuery(metric="customers", period=Q1, group_by="platform"))
    assert len(r.rows) > 1 and "counts on each" in r.text
    orders = await ask(db, workspace_id, MetricQuery(metric="orders", period=Q1, group_by="platform"))
    assert "counts on each" not in orders.text  # orders add up


def test_chinese_texts_have_no_space_between_chinese_words() -> None:
    from crm.query import texts

    assert texts.t("zh", "lifecycle_count", filters="泰国 ", stage="沉睡", value=3) == "泰国沉睡客户：3 位"
    assert (
        texts.t("zh", "metric", period="上季度", filters="Shopee ", name="复购率", value="56.1%")
        == "上季度Shopee 复购率：56.1%"
    )
    assert (
        texts.t("en", "lifecycle_count", filters=" in Thailand", stage="dormant", value=3)
        == "dormant customers in Thailand: 3"
    )


async def test_date_ranges_are_labelled_by_their_last_day(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    from datetime import date

    # "from 1 March to 15 March" is stored as [1 Mar, 16 Mar); the answer names the 15th, in both languages.
    march = Period(kind="range", start=date(2026, 3, 1), end=date(2026, 3, 16))
    en = await ask(db, workspace_id, MetricQuery(metric="revenue", period=march))
    zh = await ask(db, workspace_id, MetricQuery(metric="revenue", period=march), language="zh")
    assert "2026-03-01 to 2026-03-15" in en.text and "03-16" not in en.text.split("Window")[0]
    assert "2026-03-01 至 2026-03-15" in zh.text and " to " not in zh.text
    one_day = Period(kind="range", start=date(2026, 3, 5), end=date(2026, 3, 6))
    assert one_day.label() == "2026-03-05"


async def test_comparing_a_running_period_says_it_is_not_over(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    on_the_2nd = datetime(2026, 4, 2, 12, 0, tzinfo=SGT)
    running = MetricQuery(
        metric="revenue", period=Period(kind="this_month"), compare_to=Period(kind="last_month")
    )
    en = await execute(running, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=on_the_2nd)
    assert "Note: this month is not over yet: 2 days so far, against 31 days in last month." in en.text
    zh = await execute(
        running, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=on_the_2nd, language="zh"
    )
    assert "还没结束，目前只有 2 天" in zh.text and "31 天" in zh.text
    # Two whole periods: nothing to warn about.
    whole = MetricQuery(metric="revenue", period=Q1, compare_to=Period(kind="quarter", year=2025, quarter=4))
    assert "not over" not in (await ask(db, workspace_id, whole)).text


@pytest.mark.parametrize(
    "aspect,expected,words",
    [
        ("spend", 150.0, "has spent SGD 150.00 over 2 valid orders"),
        ("orders", 2, "has 2 valid orders, SGD 150.00 in all"),
        ("aov", 75.0, "Average order value of Buyer A (#"),
        ("last_order", None, "last ordered"),
        ("churn_risk", None, "Churn risk of Buyer A"),
        ("p_alive", None, "P(alive) of Buyer A"),
        ("predicted_clv", None, "Predicted CLV of Buyer A"),
        ("clv", None, "Predicted CLV of Buyer A"),
        ("segment", None, "segment; lifecycle: active"),
    ],
)
async def test_one_number_of_one_customer_is_answered_with_the_card_one_tap_away(
    db: Database, workspace_id: int, shop: dict[str, int], aspect: str, expected: float | None, words: str
) -> None:
    card = await ask(db, workspace_id, CustomerQuery(search="Buyer A"))
    fields = dict(card.rows)
    r = await ask(db, workspace_id, CustomerQuery(search="Buyer A", aspect=aspect))  # type: ignore[arg-type]
    assert (
        words in r.text and r.card_ids == [shop["A"]] and r.rows == card.rows
    )  # the card's fields for --json
    want = {
        "spend": expected,
        "orders": expected,
        "aov": expected,
        "last_order": fields["days_since_last_order"],
        "churn_risk": 1 - fields["p_alive"],
        "p_alive": fields["p_alive"],
        "predicted_clv": fields["predicted_clv"],
        "clv": None,
        "segment": None,
    }[aspect]
    assert r.value == (pytest.approx(want) if want is not None else None)
    if aspect == "last_order":  # the day as well as how long ago
        assert f"{fields['days_since_last_order']} days ago, on {fields['last_order_date']}" in r.text


async def test_a_customer_without_orders_has_no_churn_risk_to_report(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    r = await ask(db, workspace_id, CustomerQuery(search="Buyer E", aspect="churn_risk"), "zh")
    assert r.value is None and "还没有有效订单" in r.text


async def test_charts_say_what_a_seller_reads(db: Database, workspace_id: int, shop: dict[str, int]) -> None:
    """Platforms by name, the currency in money titles, rankings drawn across, cohort sizes on the rows."""
    by_platform = await ask(db, workspace_id, MetricQuery(metric="revenue", period=Q1, group_by="platform"))
    assert by_platform.rows[0][0] == "shopee"  # the codes stay in the rows (--json)
    assert by_platform.chart is not None and by_platform.chart.x == ["Shopee", "Lazada", "Shopify"]
    assert by_platform.chart.title.endswith("(SGD)")
    # The table's amount column says its currency too (the chart's caption alone was easy to miss).
    assert by_platform.headers() == ["platform", "revenue (SGD)"]
    zh = await ask(db, workspace_id, MetricQuery(metric="orders", period=Q1, group_by="country"), "zh")
    assert zh.chart is not None and set(zh.chart.x) == {"新加坡", "马来西亚"} and "SGD" not in zh.chart.title
    # Segments likewise: codes in the rows whatever the question's language, names in the chart and table.
    from bot.render import result_table

    for lang, name in (("en", "important value"), ("zh", "重要价值客户")):
        seg = await ask(db, workspace_id, MetricQuery(metric="revenue", period=Q1, group_by="segment"), lang)
        assert seg.rows[0][0] == "important_value" and seg.chart is not None and seg.chart.x[0] == name
        assert name in result_table(seg) and "important_value" not in result_table(seg)
        # ... and which day's segments group the period's orders
        assert ("in their segment as of" if lang == "en" else "时所在的分群归类") in seg.text, seg.text
        dist = await ask(db, workspace_id, SegmentsQuery(), lang)
        assert dist.rows[0][0] == "important_value" and dist.chart is not None and dist.chart.x[0] == name
        assert name in result_table(dist)
    assert "SGD" not in "".join(zh.headers())
    top = await ask(db, workspace_id, TopCustomersQuery(n=3, sort_by="revenue"), "zh")
    assert top.chart is not None and top.chart.kind == "hbar" and top.chart.title.endswith("（SGD）")
    assert top.chart.x == [f"{row[0]} #{row[1]}" for row in top.rows]
    cohort = await ask(db, workspace_id, CohortQuery(max_offset=4))
    assert cohort.chart is not None and "2026-02 (n=1)" in cohort.chart.y
    feb = cohort.chart.y.index("2026-02 (n=1)")
    assert cohort.chart.matrix[feb][2:] == [None, None, None]  # not observable yet


async def test_a_month_still_running_is_marked(db: Database, workspace_id: int, shop: dict[str, int]) -> None:
    """As of 20 March, March is partial: labelled so in the chart and said in the answer, its value as is."""
    mid_march = datetime(2026, 3, 21, tzinfo=SGT)
    for language, mark in (("en", " (so far)"), ("zh", "（截至今日）")):
        this_year = MetricQuery(metric="revenue", period=Period(kind="this_year"), group_by="month")
        r = await execute(
            this_year, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=mid_march, language=language
        )
        assert r.rows == [["2026-01", 100.0], ["2026-02", 80.0], ["2026-03", 90.0]]
        assert r.chart is not None and r.chart.x == ["2026-01", "2026-02", f"2026-03{mark}"]
        assert r.chart.partial == [False, False, True]
        assert "2026-03" in r.text.splitlines()[1] and "2026-03-20" in r.text
    whole = await ask(db, workspace_id, MetricQuery(metric="revenue", period=Q1, group_by="month"))
    assert whole.chart is not None and not any(whole.chart.partial) and "2026-03-31" not in whole.text
    last_30 = MetricQuery(metric="orders", period=Period(kind="last_n_days", n=30), group_by="month")
    cut = await execute(last_30, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF)
    assert cut.chart is not None and cut.chart.x == ["2026-03 (part)"] and cut.chart.partial == [True]
    # Cohorts: a row's March cell is partial while March runs; with months m0 and m1 shown, only February's
    # row reaches March (no cohort starts in March).
    cohort = await execute(
        CohortQuery(max_offset=1), db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=mid_march
    )
    assert cohort.chart is not None
    assert [row[0] for row, p in zip(cohort.rows, cohort.chart.partial, strict=True) if p] == ["2026-02"]
    assert "2026-03 is still running" in cohort.text and "hatched" in (cohort.chart.x_label or "")
    # The table marks the running cell as the chart hatches it ("*", said in the text), not a final 0.0%.
    assert "* the month still running: counted so far, not final" in cohort.text
    table = result_table(cohort).splitlines()
    feb = next(line for line in table if line.startswith("2026-02"))
    assert feb.rstrip().endswith("%*") and feb.count("*") == 1, table
    assert all("*" not in line for line in table if not line.startswith("2026-02"))
    assert "%*" in render_text(cohort)  # the CLI prints the same table
    zh = await execute(
        CohortQuery(max_offset=1),
        db=db,
        workspace_id=workspace_id,
        settings=SETTINGS,
        as_of=mid_march,
        language="zh",
    )
    assert "尚未结束的本月" in zh.text and result_table(zh).count("%*") == 1
    ended = await ask(db, workspace_id, CohortQuery(max_offset=1))
    assert ended.chart is not None and not any(ended.chart.partial) and "running" not in ended.text
    assert "*" not in result_table(ended)


async def test_a_one_time_buyer_gets_no_reassuring_churn_risk(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    # BG/NBD lets a customer drop out only after a repeat purchase: Buyer B's one valid order says nothing
    r = await ask(db, workspace_id, CustomerQuery(search="Buyer B", aspect="churn_risk"))
    assert r.value is None and "one order only" in r.text and "0.0%" not in r.text
    card = await ask(db, workspace_id, CustomerQuery(search="Buyer B"))
    assert "P(alive) not estimated (one order only)" in card.text


async def test_an_answer_read_from_a_misspelt_word_says_how_it_was_read(
    db: Database, workspace_id: int, shop: dict[str, int]
) -> None:
    from crm.query.service import ask as ask_question

    r = await ask_question(
        "revnue in Q1 2026", db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF
    )
    assert r.value == pytest.approx(270.0) and r.text.startswith("(Read “revnue” as “revenue”.)")


def test_average_ranks_share_the_mean_rank_of_their_ties() -> None:
    """crm.analytics.metrics.average_ranks (RFM quintiles) against ranks counted by hand: a value's rank is the
    number of smaller values plus the mean of 1..k over its k equal values."""
    import numpy as np

    from crm.analytics.metrics import _quintile_scores, average_ranks

    rng = np.random.default_rng(3)
    for values in (
        rng.integers(0, 7, 400).astype(float),
        rng.normal(size=300),
        np.array([2.0]),
        np.array([5.0, 5.0]),
    ):
        want = [float((values < v).sum()) + ((values == v).sum() + 1) / 2 for v in values.tolist()]
        assert average_ranks(values).tolist() == want
        n = len(values)
        assert _quintile_scores(values, True).tolist() == [min(5, 1 + int((r - 1) * 5 // n)) for r in want]


@pytest.mark.parametrize("first_month", [None, (2025, 9)])
async def test_cohort_table_follows_the_definition_on_random_orders(
    db: Database, workspace_id: int, first_month: tuple[int, int] | None
) -> None:
    """Cohorts by local month of the first valid order; a cell is the share of the cohort's customers with a
    valid order in the month k later (a customer counts once however often they ordered); months not yet seen
    are None; with a first month, earlier cohorts are left out (their customers too, whenever they ordered)."""
    import random
    from datetime import date, timedelta

    from crm.analytics.metrics import cohort_table

    rng = random.Random(11)
    as_of = datetime(2026, 3, 1, tzinfo=SGT)  # the end of February 2026
    orders: list[tuple[int, datetime, str]] = []
    async with db.sessions() as s:
        store = Store(workspace_id=workspace_id, platform="shopee", name="shop")
        s.add(store)
        people = [Customer(workspace_id=workspace_id, display_name=f"B{i}") for i in range(60)]
        s.add_all(people)
        await s.flush()
        for p in people:
            start = datetime(2025, 6, 1, tzinfo=SGT) + timedelta(days=rng.randint(0, 250))
            for j in range(rng.randint(1, 6)):
                # some on the last evening of a month in Singapore (another month in UTC), some after the as-of
                at = start + timedelta(days=rng.choice([0, 1, 12, 31, 45]) * j, hours=rng.choice([0, 13, 23]))
                status = rng.choices(["completed", "paid", "cancelled", "pending"], [6, 2, 1, 1])[0]
                orders.append((p.id, at, status))
                s.add(sgd_order(workspace_id, store.id, p.id, f"o{len(orders)}", status, at))
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()
    months: dict[int, set[int]] = {}
    for who, at, status in orders:
        if status in ("completed", "paid") and at < as_of:
            local = at.astimezone(SGT)
            months.setdefault(who, set()).add(local.year * 12 + local.month - 1)
    cohort = {who: min(m) for who, m in months.items()}
    first = None if first_month is None else first_month[0] * 12 + first_month[1] - 1
    kept = {who for who, c in cohort.items() if first is None or c >= first}
    last = 2026 * 12 + 1  # February 2026
    want = {}
    for c in sorted({cohort[w] for w in kept}):
        members = [w for w in kept if cohort[w] == c]
        want[f"{c // 12}-{c % 12 + 1:02d}"] = (
            len(members),
            [
                round(sum(c + k in months[w] for w in members) / len(members), 4) if c + k <= last else None
                for k in range(7)
            ],
        )
    async with db.sessions() as s:
        start = None if first_month is None else date(*first_month, 1)
        labels, counts, matrix = await cohort_table(
            s, workspace_id, as_of, SGT, first_month=start, max_offset=6
        )
    assert dict(zip(labels, zip(counts, matrix, strict=True), strict=True)) == want
    assert len(want) >= 5
