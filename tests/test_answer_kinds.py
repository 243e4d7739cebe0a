"""The new answer kinds end to end on demo data (issue 21): one metric for chosen platforms or countries side by
side, a single cohort cell, customer lists by condition (with their CSV in chat), and a customer named with no
look-up words. Every expected number is computed here from the orders themselves, not by the analytics code."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.render import result_table
from bot.settings import Settings
from crm.importing.demo import generate_demo_exports
from crm.importing.errors import ImportFileError
from crm.importing.service import import_file, import_rates
from crm.query.service import ask
from crm.query.texts import country_name, platform_name
from storage.db import Database
from storage.models import BuyerIdentity, Customer, Order

SGT = ZoneInfo("Asia/Singapore")
AS_OF = datetime(2026, 11, 24, tzinfo=SGT)  # the end of 2026-11-23
DAY = date(2026, 11, 23)
SETTINGS = Settings(workspace={"timezone": "Asia/Singapore"})
VALID = {"paid", "shipped", "completed"}


async def _load_demo(db: Database, workspace_id: int, folder: Path) -> None:
    for path in generate_demo_exports(folder, seed=5, customers=250, as_of=DAY):
        if path.name == "rates.csv":
            await import_rates(db, workspace_id, path, base_currency="SGD")
            continue
        try:
            await import_file(db, workspace_id, path, settings=SETTINGS.workspace)
        except ImportFileError:
            continue  # a file kind this tree does not import: the orders are what these tests need


async def _valid_orders(
    db: Database, workspace_id: int
) -> list[tuple[int, str, str | None, datetime, float]]:
    """(customer, platform, order country, local time, value in SGD) of every valid order up to the as-of."""
    async with db.sessions() as s:
        rows = (await s.execute(select(Order).where(Order.workspace_id == workspace_id))).scalars()
        out = []
        for o in rows:
            at = o.created_at if o.created_at.tzinfo else o.created_at.replace(tzinfo=UTC)
            if o.status in VALID and o.customer_id is not None and at < AS_OF:
                out.append(
                    (o.customer_id, o.platform, o.country, at.astimezone(SGT), float(o.value_base or 0))
                )
        return out


async def _origins(db: Database, workspace_id: int) -> dict[int, tuple[str | None, str | None]]:
    """Each customer's platform (of their first buyer identity) and country, read straight from the tables."""
    async with db.sessions() as s:
        first: dict[int, str] = {}
        for cid, platform in (
            await s.execute(
                select(BuyerIdentity.customer_id, BuyerIdentity.platform)
                .where(BuyerIdentity.workspace_id == workspace_id)
                .order_by(BuyerIdentity.id)
            )
        ).all():
            if cid is not None:
                first.setdefault(cid, platform)
        rows = await s.execute(
            select(Customer.id, Customer.country).where(Customer.workspace_id == workspace_id)
        )
        countries: dict[int, str | None] = {r[0]: r[1] for r in rows.all()}
    return {cid: (first.get(cid), countries.get(cid)) for cid in countries}


async def _ask(db: Database, workspace_id: int, question: str):  # type: ignore[no-untyped-def]
    return await ask(question, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF)


@pytest.fixture
async def demo_db(prepared) -> tuple[Database, int]:  # type: ignore[no-untyped-def]
    """The demo shop imported once per test session and backend; each test reads its own copy."""
    db, workspace_id, _ = await prepared("answer-kinds-demo", _load_demo)
    return db, workspace_id


async def test_side_by_side_platforms_and_countries(demo_db) -> None:  # type: ignore[no-untyped-def]
    db, ws = demo_db
    orders = await _valid_orders(db, ws)
    year_start = datetime(2026, 1, 1, tzinfo=SGT)
    revenue: dict[str, float] = defaultdict(float)
    for _, platform, _, at, value in orders:
        if at >= year_start:
            revenue[platform] += value
    r = await _ask(db, ws, "Lazada vs Shopee revenue this year")
    assert r.intent == "metric" and r.value is None
    got = dict(r.rows)
    assert set(got) == {"lazada", "shopee"}
    for platform in ("lazada", "shopee"):
        assert got[platform] == pytest.approx(revenue[platform], abs=0.01)

    # countries select customers: a customer's country is the one of their latest valid order
    latest: dict[int, tuple[datetime, str | None]] = {}
    for cid, _, country, at, _ in orders:
        if cid not in latest or at > latest[cid][0]:
            latest[cid] = (at, country)
    window = AS_OF - timedelta(days=90)
    counts = {
        code: sum(1 for cid, _, _, at, _ in orders if at >= window and latest[cid][1] == code)
        for code in ("SG", "MY")
    }
    r = await _ask(db, ws, "新加坡和马来西亚的订单数对比")
    assert r.language == "zh"
    assert dict(r.rows) == {code: n for code, n in counts.items() if n} or dict(r.rows) == counts


async def test_a_single_cohort_cell(demo_db) -> None:  # type: ignore[no-untyped-def]
    db, ws = demo_db
    orders = await _valid_orders(db, ws)
    months: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for cid, _, _, at, _ in orders:
        months[cid].add((at.year, at.month))
    first = {cid: min(ms) for cid, ms in months.items()}

    def cell(year: int, month: int, k: int) -> tuple[int, int]:
        cohort = [cid for cid, f in first.items() if f == (year, month)]
        y, m = divmod(year * 12 + month - 1 + k, 12)
        return sum(1 for cid in cohort if (y, m + 1) in months[cid]), len(cohort)

    kept, size = cell(2026, 6, 3)
    assert size > 0
    r = await _ask(db, ws, "month-3 retention of the June cohort")
    assert r.intent == "cohort" and r.value == pytest.approx(kept / size)
    assert f"{kept} of the {size}" in r.text
    kept, size = cell(2026, 3, 1)
    r = await _ask(db, ws, "3月首购客户的次月留存率")
    assert r.value == pytest.approx(kept / size) and r.language == "zh"
    r = await _ask(db, ws, "month-1 retention of the November cohort")  # December has not started
    assert r.value is None and "not started" in r.text


async def test_customers_who_have_not_ordered_in_60_days(demo_db) -> None:  # type: ignore[no-untyped-def]
    db, ws = demo_db
    orders = await _valid_orders(db, ws)
    last: dict[int, date] = {}
    spend: dict[int, float] = defaultdict(float)
    count: dict[int, int] = defaultdict(int)
    for cid, _, _, at, value in orders:
        last[cid] = max(last.get(cid, at.date()), at.date())
        spend[cid] += value
        count[cid] += 1
    # no valid order in the 60 days ending with the as-of date (2026-09-25 .. 2026-11-23)
    lapsed = [cid for cid, d in last.items() if d <= DAY - timedelta(days=60)]
    expected = sorted(lapsed, key=lambda c: (-round(spend[c], 2), c))
    origins = await _origins(db, ws)
    for question in ("customers who haven't ordered in 60 days", "60天没下单的客户"):
        r = await _ask(db, ws, question)
        assert r.intent == "customer_list" and r.value == len(lapsed)
        assert [row[1] for row in r.rows] == expected[: len(r.rows)] and len(r.rows) == min(
            len(expected), 1000
        )
        assert r.columns == ["customer", "id", "platform", "country", "recency_days", "orders", "revenue"]
        top = dict(zip(r.columns, r.rows[0], strict=True))
        assert top["recency_days"] == (DAY - last[top["id"]]).days and top["orders"] == count[top["id"]]
        assert top["revenue"] == pytest.approx(spend[top["id"]], abs=0.01)
        # What tells same-name customers apart, as the pickers show it: platform and country.
        assert [row[2:4] for row in r.rows[:20]] == [list(origins[row[1]]) for row in r.rows[:20]]
        table = result_table(r, r.rows[:20])
        header, first = table.splitlines()[0], table.splitlines()[2]
        name_of = {"shopee": "Shopee", "tiktok": "TikTok Shop", "lazada": "Lazada", "shopify": "Shopify"}
        platform, country = origins[top["id"]]
        assert name_of.get(platform, platform) in first
        if r.language == "zh":
            assert "平台" in header and "国家" in header
            assert country_name(country, "zh") in first and not country_name(country, "zh").isascii()
        else:
            assert "platform" in header and "country" in header and country_name(country, "en") in first


async def test_a_segment_list_is_the_segment_count_and_exports(demo_db) -> None:  # type: ignore[no-untyped-def]
    db, ws = demo_db
    orders = await _valid_orders(db, ws)
    spend: dict[int, float] = defaultdict(float)
    for cid, _, _, _, value in orders:
        spend[cid] += value
    count = await _ask(db, ws, "how many important winback customers")
    listed = await _ask(db, ws, "list the important winback customers")
    assert listed.intent == "customer_list" and listed.value == count.value == len(listed.rows)
    origins = await _origins(db, ws)
    for row in listed.rows:
        assert row[6] == pytest.approx(spend[row[1]], abs=0.01)
        assert tuple(row[2:4]) == origins[row[1]]
    assert [r[6] for r in listed.rows] == sorted((r[6] for r in listed.rows), reverse=True)
    assert not listed.export
    exported = await _ask(db, ws, "export the important winback customers as csv")
    assert exported.export and exported.rows == listed.rows

    from bot.answer_view import result_csv

    table = list(csv.reader(io.StringIO(result_csv(exported).data.decode("utf-8"))))
    assert len(table) == len(listed.rows) + 1 and table[1][0] == listed.rows[0][0]
    assert table[0][2:4] == ["platform", "country"]
    platform, country = origins[listed.rows[0][1]]
    assert table[1][2:4] == [platform_name(platform), country_name(country, "en")]  # by name, as in chat
    zh = await _ask(db, ws, "导出重要挽留客户")
    zh_table = list(csv.reader(io.StringIO(result_csv(zh).data.decode("utf-8"))))
    assert zh.language == "zh" and zh_table[0][2:4] == ["平台", "国家"]
    assert zh_table[1][2:4] == [platform_name(platform), country_name(country, "zh")]


async def test_a_known_name_is_a_look_up_without_trigger_words(demo_db) -> None:  # type: ignore[no-untyped-def]
    db, ws = demo_db
    orders = await _valid_orders(db, ws)
    spend: dict[int, float] = defaultdict(float)
    for cid, _, _, _, value in orders:
        spend[cid] += value
    async with db.sessions() as s:
        names = dict(
            (
                await s.execute(select(Customer.id, Customer.display_name).where(Customer.workspace_id == ws))
            ).all()
        )
    seen: dict[str, int] = defaultdict(int)
    for n in names.values():
        seen[(n or "").lower()] += 1
    cid = next(
        c for c in sorted(spend, key=lambda c: -spend[c]) if names.get(c) and seen[names[c].lower()] == 1
    )
    name = names[cid]
    r = await _ask(db, ws, f"{name}一共花了多少钱")
    assert r.intent == "customer" and r.value == pytest.approx(spend[cid], abs=0.01)
    r = await _ask(db, ws, name.lower())
    assert r.intent == "customer" and name in r.text


async def test_a_single_figure_of_a_period_still_running_says_up_to_which_day(demo_db) -> None:  # type: ignore[no-untyped-def]
    """ "orders this month: 50" read as final; like the breakdowns by month, it now says it is so far. Only for a
    calendar period that has not ended at the as-of moment, in the asker's language; the number is unchanged."""
    db, ws = demo_db
    orders = await _valid_orders(db, ws)
    month_start = datetime(2026, 11, 1, tzinfo=SGT)
    want = sum(1 for _, _, _, at, _ in orders if month_start <= at < AS_OF)
    r = await _ask(db, ws, "orders this month")
    assert r.value == want and r.text.endswith("This month is still running: counted up to 2026-11-23."), (
        r.text
    )
    zh = await _ask(db, ws, "本月订单数")
    assert zh.value == want and zh.text.endswith("本月尚未结束：统计截至 2026-11-23。"), zh.text
    for question in ("orders last month", "orders in October 2026", "orders last 30 days"):
        assert "still running" not in (await _ask(db, ws, question)).text, question
    # At the end of the month's last day, the month is over: no note.
    end = await ask(
        "orders this month",
        db=db,
        workspace_id=ws,
        settings=SETTINGS,
        as_of=datetime(2026, 12, 1, tzinfo=SGT),
    )
    assert "still running" not in end.text, end.text


async def test_all_time_by_month_starts_with_the_whole_first_month(demo_db) -> None:  # type: ignore[no-untyped-def]
    """All time by month begins with the first order's calendar month, whole: nothing came before that order,
    so the month is not marked as counted only in part (only the running month is); each month's customers
    are the distinct buyers of its valid orders."""
    db, ws = demo_db
    orders = await _valid_orders(db, ws)
    r = await _ask(db, ws, "how many customers by month")
    assert "only its part" not in r.text and "still running" in r.text, r.text
    per: dict[str, set[int]] = defaultdict(set)
    for cid, _, _, at, _ in orders:
        per[at.strftime("%Y-%m")].add(cid)
    first = min(per)
    assert r.rows[0][0] == first
    assert {row[0]: row[1] for row in r.rows} == {k: len(v) for k, v in per.items()}
