"""Journeys (docs/journeys.md) on both databases: stages at a date and the transition table against a plain
Python reading of the lifecycle rules over the rows, second-order conversion (too recent left out, an empty
period), and the small-sample mark."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings
from crm.analytics import journeys as j
from crm.analytics.samples import sample_note, too_few
from crm.query.compiler import execute
from crm.query.ir import CLVQuery, MetricQuery, Period, SecondOrderQuery, TransitionsQuery
from storage.db import Database
from storage.models import Customer, Order, Store
from storage.repositories.analytics import refresh_order_stats
from tests.order_rows import sgd_order
from tests.test_charts import _draw_strict, only_shipped_fonts  # noqa: F401  (a fixture)

SGT = ZoneInfo("Asia/Singapore")
AS_OF = datetime(2026, 4, 1, tzinfo=SGT)  # the end of 2026-03-31
SETTINGS = Settings()
VALID = {"paid", "shipped", "completed"}
LIFECYCLE = (30, 90, 180)


async def _write_rows(db: Database, workspace_id: int, _folder: Path) -> dict[str, Any]:
    """60 customers over 15 months: orders of every status, records created on different days (some only
    after a date asked about), a few customers without a valid order."""
    rnd = random.Random(7)
    people: list[dict[str, Any]] = []
    orders: list[dict[str, Any]] = []
    async with db.sessions() as s:
        store = Store(workspace_id=workspace_id, platform="shopee", name="shopee")
        s.add(store)
        start = datetime(2025, 1, 1, 9, 0, tzinfo=SGT)
        for i in range(60):
            created = start + timedelta(days=rnd.randrange(0, 440), hours=rnd.randrange(0, 24))
            c = Customer(workspace_id=workspace_id, display_name=f"Buyer {i}", created_at=created)
            s.add(c)
            await s.flush()
            people.append({"id": c.id, "created": created})
            for k in range(rnd.choice([0, 1, 1, 2, 3, 5])):
                at = created + timedelta(days=rnd.randrange(0, 200), minutes=rnd.randrange(0, 1440))
                if at >= AS_OF:
                    continue
                status = rnd.choice(["completed", "completed", "paid", "shipped", "cancelled", "pending"])
                orders.append({"customer": c.id, "at": at, "status": status})
                s.add(sgd_order(workspace_id, store.id, c.id, f"o{i}-{k}", status, at))
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()
    return {"people": people, "orders": orders}


# Every test here that reads a database reads this shop. It is written once per test session and backend
# (conftest.prepared), and `db` is the test's own copy of it, not an empty database.
@pytest.fixture
async def shop(prepared) -> tuple[Database, int, dict[str, Any]]:  # type: ignore[no-untyped-def]
    return await prepared("journeys", _write_rows)


@pytest.fixture
def db(shop: tuple[Database, int, dict[str, Any]]) -> Database:
    return shop[0]


@pytest.fixture
def workspace_id(shop: tuple[Database, int, dict[str, Any]]) -> int:
    return shop[1]


@pytest.fixture
def rows(shop: tuple[Database, int, dict[str, Any]]) -> dict[str, Any]:
    return shop[2]


def stage_oracle(data: dict[str, Any], day: date) -> dict[int, str]:
    """docs/metrics.md lifecycle with `day` as the as-of date, customer by customer, from the rows."""
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=SGT)
    out: dict[int, str] = {}
    for p in data["people"]:
        valid = [o["at"] for o in data["orders"] if o["customer"] == p["id"] and o["status"] in VALID]
        valid = [t for t in valid if t < end]
        if not valid:
            if p["created"] < end:
                out[p["id"]] = "prospect"
            continue
        age = (day - min(valid).astimezone(SGT).date()).days
        rec = (day - max(valid).astimezone(SGT).date()).days
        out[p["id"]] = (
            "new" if age <= 30 else "active" if rec <= 90 else "dormant" if rec <= 180 else "churned"
        )
    return out


@pytest.mark.parametrize("day", [date(2025, 3, 1), date(2025, 9, 15), date(2026, 3, 31)])
async def test_stages_at_a_date_follow_the_lifecycle_rules(
    db: Database, workspace_id: int, rows: dict[str, Any], day: date
) -> None:
    async with db.sessions() as s:
        got = await j.stages_at(s, workspace_id, day, SGT, LIFECYCLE)
    assert dict(zip(got.ids.tolist(), got.stages.tolist(), strict=True)) == stage_oracle(rows, day)


async def test_the_transition_table_counts_customers_by_both_stages(
    db: Database, workspace_id: int, rows: dict[str, Any]
) -> None:
    d1, d2 = date(2025, 8, 1), date(2026, 1, 20)
    before, after = stage_oracle(rows, d1), stage_oracle(rows, d2)
    expected = Counter((before.get(c, j.NOT_YET), s) for c, s in after.items())
    async with db.sessions() as s:
        table = await j.transitions(s, workspace_id, d1, d2, SGT, LIFECYCLE)
    got = {
        (a, b): int(table.counts[i, k])
        for i, a in enumerate(j.FROM_STAGES)
        for k, b in enumerate(j.STAGES)
        if table.counts[i, k]
    }
    assert got == dict(expected)
    assert expected[(j.NOT_YET, "new")] + expected[(j.NOT_YET, "prospect")] > 0  # the fixture has newcomers

    # The answer: the same counts as row shares, and the move asked for read out.
    r = await execute(
        TransitionsQuery(start=d1, end=d2, from_stage="new", to_stage="active"),
        db=db,
        workspace_id=workspace_id,
        settings=SETTINGS,
        as_of=AS_OF,
    )
    by_row = {row[0]: row for row in r.rows}
    new_total = sum(n for (a, _), n in expected.items() if a == "new")
    if new_total:
        assert by_row["new"][1] == new_total
        assert r.value == pytest.approx(expected[("new", "active")] / new_total)
        assert "From new to active:" in r.text
    assert r.chart is not None and r.chart.kind == "stacked_hbar"
    assert all(abs(sum(row[2:]) - 1) < 0.001 for row in r.rows)
    actions = {a.stage: a.intent for a in r.actions}
    assert (
        actions.items()
        <= {"new": "welcome", "active": "thank_you", "dormant": "winback", "churned": "winback"}.items()
    )
    assert all(a.customers == sum(n for (_, b), n in expected.items() if b == a.stage) for a in r.actions)


def stages_by_rules(
    data: dict[str, Any], day: date, tz: ZoneInfo, lifecycle: tuple[int, int, int]
) -> dict[int, str]:
    """stage_oracle for any time zone and lifecycle settings: whole local days in `tz`."""
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=tz)
    new_d, active_d, dormant_d = lifecycle
    out: dict[int, str] = {}
    for p in data["people"]:
        valid = [o["at"] for o in data["orders"] if o["customer"] == p["id"] and o["status"] in VALID]
        valid = [t for t in valid if t < end]
        if not valid:
            if p["created"] < end:
                out[p["id"]] = "prospect"
            continue
        age = (day - min(valid).astimezone(tz).date()).days
        rec = (day - max(valid).astimezone(tz).date()).days
        out[p["id"]] = (
            "new"
            if age <= new_d
            else "active"
            if rec <= active_d
            else "dormant"
            if rec <= dormant_d
            else "churned"
        )
    return out


@pytest.mark.parametrize(
    ("tz", "lifecycle"),
    [
        (SGT, LIFECYCLE),
        # Daylight saving time: a local day is 23 or 25 hours long twice a year.
        (ZoneInfo("America/New_York"), (7, 30, 60)),
        (ZoneInfo("Europe/London"), (30, 90, 180)),
    ],
)
async def test_the_database_counted_table_is_the_rules_applied_customer_by_customer(
    db: Database, workspace_id: int, rows: dict[str, Any], tz: ZoneInfo, lifecycle: tuple[int, int, int]
) -> None:
    """The transition table counted by the database (stage_pairs: the rules as moments, probes only for those
    who ordered after a date) against the lifecycle rules applied to every customer's rows, and against the
    per-customer stages of `stages_at`, for date pairs before any order, across DST changes, on the day of a
    customer's first order and up to the as-of date."""
    days = sorted({o["at"].astimezone(tz).date() for o in rows["orders"]})
    pairs = [
        (date(2024, 12, 1), date(2025, 1, 5)),  # before any record
        (date(2025, 3, 1), date(2025, 3, 31)),  # New York changes its clocks on 9 March
        (date(2025, 8, 1), date(2026, 1, 20)),
        (days[3], days[len(days) // 2]),  # days an order was placed on
        (days[len(days) // 2], date(2026, 3, 31)),
        (date(2025, 10, 1), date(2025, 11, 1)),  # London and New York change back in between
    ]
    for d1, d2 in pairs:
        before, after = stages_by_rules(rows, d1, tz, lifecycle), stages_by_rules(rows, d2, tz, lifecycle)
        expected = Counter((before.get(c, j.NOT_YET), s) for c, s in after.items())
        async with db.sessions() as s:
            table = await j.transitions(s, workspace_id, d1, d2, tz, lifecycle)
            per_customer = j.transition_counts(
                await j.stages_at(s, workspace_id, d1, tz, lifecycle),
                await j.stages_at(s, workspace_id, d2, tz, lifecycle),
            )
        got = {
            (a, b): int(table.counts[i, k])
            for i, a in enumerate(j.FROM_STAGES)
            for k, b in enumerate(j.STAGES)
            if table.counts[i, k]
        }
        assert got == dict(expected), (d1, d2)
        assert (table.counts == per_customer).all(), (d1, d2)
    assert table.counts[:4].sum() > 0  # the last pair has buyers at both dates


async def test_transitions_default_to_the_last_30_days_in_chinese(
    db: Database, workspace_id: int, rows: dict[str, Any]
) -> None:
    r = await execute(
        TransitionsQuery(), db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF, language="zh"
    )
    assert "2026-03-01" in r.text and "2026-03-31" in r.text and "每一行合计 100%" in r.text
    assert r.chart is not None and "2026-03-01" in r.chart.title


def second_order_oracle(
    data: dict[str, Any], start: datetime, end: datetime, window: int
) -> tuple[int, int, int]:
    firsts: dict[int, list[datetime]] = {}
    for o in sorted(data["orders"], key=lambda o: o["at"]):
        if o["status"] in VALID and o["at"] < AS_OF:
            firsts.setdefault(o["customer"], []).append(o["at"])
    new = recent = converted = 0
    for times in firsts.values():
        if not start <= times[0] < end:
            continue
        new += 1
        if times[0] > AS_OF - timedelta(days=window):
            recent += 1
        elif len(times) > 1 and times[1] - times[0] <= timedelta(days=window):
            converted += 1
    return new, recent, converted


@pytest.mark.parametrize("window", [90, 60])
async def test_second_order_conversion_leaves_out_the_too_recent(
    db: Database, workspace_id: int, rows: dict[str, Any], window: int
) -> None:
    period = Period(kind="range", start=date(2025, 6, 1), end=date(2026, 3, 15))
    start, end = period.bounds(AS_OF, SGT)
    assert start is not None
    new, recent, converted = second_order_oracle(rows, start, end, window)
    assert recent > 0 and new > recent  # the fixture has both kinds
    async with db.sessions() as s:
        got = await j.second_order(s, workspace_id, start, end, AS_OF, window)
    assert (got.new_customers, got.too_recent, got.converted) == (new, recent, converted)
    r = await execute(
        SecondOrderQuery(period=period, window_days=window),
        db=db,
        workspace_id=workspace_id,
        settings=SETTINGS,
        as_of=AS_OF,
    )
    assert r.value == pytest.approx(round(converted / (new - recent), 4))
    assert f"within {window} days" in r.text and f"{recent} more new customers" in r.text
    assert "too few to rely on" in r.text  # fewer than 30 customers counted


async def test_second_order_of_an_empty_period_says_so(
    db: Database, workspace_id: int, rows: dict[str, Any]
) -> None:
    period = Period(kind="year", year=2020)
    for lang, words in (("en", "No customer placed a first order"), ("zh", "没有客户下首单")):
        r = await execute(
            SecondOrderQuery(period=period),
            db=db,
            workspace_id=workspace_id,
            settings=SETTINGS,
            as_of=AS_OF,
            language=lang,
        )
        assert r.value is None and words in r.text


@pytest.mark.parametrize(
    "n,unit,lang,expected",
    [
        (12, "orders", "en", "⚠️ Based on 12 orders: too few to rely on."),
        (29, "customers", "en", "⚠️ Based on 29 customers: too few to rely on."),
        (30, "customers", "en", "Based on 30 customers."),
        (1234, "orders", "en", "Based on 1,234 orders."),
        (12, "orders", "zh", "⚠️ 仅基于 12 笔订单，样本太少，仅供参考。"),
        (30, "customers", "zh", "基于 30 位客户。"),
    ],
)
def test_the_small_sample_mark_appears_below_30_only(n: int, unit: Any, lang: str, expected: str) -> None:
    assert sample_note(n, unit, lang) == expected
    assert too_few(n) == (n < 30)
    assert sample_note(40, unit, lang, min_sample=50).startswith("⚠️")


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_ratio_answer_shows_its_n_and_the_mark_only_below_min_sample(
    db: Database, workspace_id: int, rows: dict[str, Any], lang: str
) -> None:
    buyers = {o["customer"] for o in rows["orders"] if o["status"] in VALID}
    n = len(buyers)
    q = MetricQuery(metric="repeat_rate", period=Period(kind="all_time"))
    mark = "too few to rely on" if lang == "en" else "样本太少"
    shown = f"Based on {n} customers" if lang == "en" else f"基于 {n} 位客户"
    for threshold, marked in ((n, False), (n + 1, True)):
        settings = Settings(workspace={"min_sample": threshold})
        r = await execute(q, db=db, workspace_id=workspace_id, settings=settings, as_of=AS_OF, language=lang)
        assert shown in r.text and (mark in r.text) == marked, r.text


async def test_predicted_value_on_a_small_base_carries_a_caveat(
    db: Database, workspace_id: int, rows: dict[str, Any]
) -> None:
    # Repeat buyers as BG/NBD counts purchases: customers with valid orders on two or more local days.
    days = {(o["customer"], o["at"].astimezone(SGT).date()) for o in rows["orders"] if o["status"] in VALID}
    counts = Counter(customer for customer, _ in days)
    repeat = sum(1 for c in counts.values() if c > 1)
    for lang, words in (
        ("en", f"Only {repeat} customers have bought on more than one day"),
        ("zh", f"只有 {repeat} 位客户"),
    ):
        r = await execute(
            CLVQuery(), db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF, language=lang
        )
        assert words in r.text, r.text


async def test_the_journey_chart_draws_in_chinese_with_the_shipped_fonts(
    db: Database, workspace_id: int, rows: dict[str, Any], only_shipped_fonts: None
) -> None:
    r = await execute(
        TransitionsQuery(), db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF, language="zh"
    )
    assert r.chart is not None and r.chart.kind == "stacked_hbar"
    assert "客户" in r.chart.title and set(r.chart.series) == {"新客", "活跃", "沉睡", "流失", "潜在"}
    _draw_strict(r.chart)  # no □ for a missing glyph
