"""Loyalty points: the FIFO arithmetic (pure), and redemptions, adjustments and expiry on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from crm.loyalty import Entry, position

T0 = datetime(2026, 1, 1, 12, tzinfo=UTC)


def at(day: int) -> datetime:
    return T0 + timedelta(days=day)


def E(i: int, points: int, reason: str, day: int, order: int | None = None) -> Entry:  # noqa: N802
    return Entry(i, points, reason, at(day), order)


def test_no_expiry_balance_is_the_sum() -> None:
    rows = [
        E(1, 100, "earn", 0, 1),
        E(2, 50, "earn", 5, 2),
        E(3, -30, "redeem", 6),
        E(4, -50, "reverse", 7, 2),
    ]
    pos = position(rows, expiry_days=None, today=date(2026, 3, 1))
    assert pos.balance == 70 == sum(e.points for e in rows)
    assert pos.due == () and pos.upcoming == ()
    assert [(lot.entry_id, lot.remaining) for lot in pos.lots] == [(1, 70)]


def test_redemption_consumes_oldest_first_then_the_rest_expires() -> None:
    rows = [E(1, 100, "earn", 0, 1), E(2, 80, "earn", 10, 2), E(3, -120, "redeem", 20)]
    # 100 of lot 1 and 20 of lot 2 are spent; 60 of lot 2 are left and expire on day 10 + 30.
    pos = position(rows, expiry_days=30, today=at(25).date())
    assert pos.balance == 60 and pos.due == ()
    assert pos.upcoming == ((at(40).date(), 60),)
    later = position(rows, expiry_days=30, today=at(40).date())
    assert [(d.entry_id, d.order_id, d.points) for d in later.due] == [(2, 2, 60)]
    assert later.available == 0


def test_partial_consumption_and_expiry_after_redemption() -> None:
    rows = [E(1, 100, "earn", 0, 1), E(2, 100, "earn", 20, 2), E(3, -30, "redeem", 25)]
    pos = position(rows, expiry_days=30, today=at(30).date())
    assert [(d.entry_id, d.points) for d in pos.due] == [(1, 70)]  # what the redemption left of lot 1
    expired = [*rows, E(4, -70, "expire", 30, 1)]
    again = position(expired, expiry_days=30, today=at(30).date())
    assert again.due == () and again.balance == 100  # idempotent: nothing more is due
    assert again.upcoming == ((at(50).date(), 100),)
    assert position(expired, expiry_days=30, today=at(50).date()).due[0].points == 100


def test_redemption_after_unrecorded_expiry_prefers_valid_points() -> None:
    # Lot 1 is past its day but not yet expired in the ledger: a redemption takes the still-valid lot 2 first.
    rows = [E(1, 50, "earn", 0, 1), E(2, 50, "earn", 40, 2), E(3, -20, "redeem", 45)]
    pos = position(rows, expiry_days=30, today=at(45).date())
    assert [(d.entry_id, d.points) for d in pos.due] == [(1, 50)]
    assert pos.balance == 80 and pos.available == 30


def test_reversal_takes_its_own_order_and_deficit_is_paid_by_new_points() -> None:
    rows = [
        E(1, 100, "earn", 0, 1),
        E(2, 40, "earn", 1, 2),
        E(3, -100, "redeem", 2),
        E(4, -40, "reverse", 3, 2),
    ]
    pos = position(rows, expiry_days=None, today=at(10).date())
    assert pos.balance == 0 and pos.lots == ()
    rows += [E(5, -100, "reverse", 4, 1), E(6, 150, "earn", 5, 3)]  # reversed after it was spent: a deficit
    pos = position(rows, expiry_days=None, today=at(10).date())
    assert pos.balance == 50 == sum(e.points for e in rows)
    assert [(lot.entry_id, lot.remaining) for lot in pos.lots] == [(6, 50)]


def test_positive_adjustment_is_a_lot_and_negative_adjustment_is_fifo() -> None:
    rows = [E(1, 10, "adjust", 0), E(2, 30, "earn", 5, 1), E(3, -15, "adjust", 6)]
    pos = position(rows, expiry_days=10, today=at(10).date())
    assert [(d.entry_id, d.order_id, d.points) for d in pos.due] == []
    assert pos.upcoming == ((at(15).date(), 25),)
    assert pos.totals == {"adjust": -5, "earn": 30}


def test_order_of_rows_given_does_not_matter() -> None:
    rows = [E(1, 100, "earn", 0, 1), E(2, 80, "earn", 10, 2), E(3, -120, "redeem", 20)]
    a = position(rows, expiry_days=30, today=at(41).date())
    b = position(list(reversed(rows)), expiry_days=30, today=at(41).date())
    assert a == b


@pytest.mark.parametrize("expiry", [None, 7, 30])
def test_invariant_on_a_long_random_ledger(expiry: int | None) -> None:
    import random

    rng = random.Random(7)
    rows: list[Entry] = []
    for i in range(300):
        kind = rng.choice(["earn", "earn", "redeem", "adjust", "reverse"])
        pts = rng.randint(1, 80)
        rows.append(Entry(i, -pts if kind in ("redeem", "reverse") else pts, kind, at(i // 3), i))
        pos = position(rows, expiry_days=expiry, today=at(i // 3).date())
        assert pos.balance == sum(e.points for e in rows)
        if pos.due:  # the job writes them; then nothing is due any more
            rows += [
                Entry(1000 + i * 10 + k, -d.points, "expire", at(i // 3), d.order_id)
                for k, d in enumerate(pos.due)
            ]
            assert position(rows, expiry_days=expiry, today=at(i // 3).date()).due == ()


# ------------------------------------------------------------------ on the databases
from decimal import Decimal  # noqa: E402

from sqlalchemy import func, select  # noqa: E402

from crm import loyalty  # noqa: E402
from storage.models import AuditEvent, Customer, LoyaltyEntry, Order, Store  # noqa: E402
from storage.repositories.imports import post_loyalty  # noqa: E402

TZ = "Asia/Singapore"


async def _customer(db, workspace_id: int, orders: list[tuple[int, int]], name: str = "Tan Wei Ling") -> int:  # type: ignore[no-untyped-def]
    """A customer with completed orders (day offset from T0, value in base currency), points posted."""
    async with db.sessions() as s:
        store = (await s.execute(select(Store).where(Store.workspace_id == workspace_id))).scalars().first()
        if store is None:
            store = Store(workspace_id=workspace_id, platform="shopee", name="shopee-sg", country="SG")
            s.add(store)
            await s.flush()
        c = Customer(workspace_id=workspace_id, display_name=name, country="SG")
        s.add(c)
        await s.flush()
        for k, (day, value) in enumerate(orders):
            s.add(
                Order(
                    workspace_id=workspace_id,
                    store_id=store.id,
                    platform="shopee",
                    platform_order_id=f"L{c.id}-{k}",
                    customer_id=c.id,
                    status="completed",
                    currency="SGD",
                    order_value=Decimal(value),
                    value_base=Decimal(value),
                    country="SG",
                    created_at=at(day),
                )
            )
        await s.flush()
        await post_loyalty(s, workspace_id, 1.0)
        await s.commit()
        return c.id


async def _change(
    db, workspace_id: int, cid: int, points: int, reason: str, day: int, expiry: int | None = 30
):  # type: ignore[no-untyped-def]
    async with db.sessions() as s:
        acc = await loyalty.change(
            s,
            workspace_id,
            cid,
            points,
            reason,
            "voucher",
            expiry_days=expiry,
            tz=TZ,
            now=at(day),
            member_id=None,
            actor="cli",
        )
        await s.commit()
        return acc


async def test_redeem_adjust_expire_on_the_database(db, workspace_id: int) -> None:  # type: ignore[no-untyped-def]
    cid = await _customer(db, workspace_id, [(0, 100), (20, 80)])
    acc = await _change(db, workspace_id, cid, 30, "redeem", 25)
    assert acc.balance == 150
    with pytest.raises(loyalty.LoyaltyError) as refused:
        await _change(db, workspace_id, cid, 151, "redeem", 25)
    assert refused.value.key == "points.too_many" and refused.value.args_["balance"] == 150
    await _change(db, workspace_id, cid, -10, "adjust", 26)
    # Day 30: the 60 left of the first order expire (FIFO: the redemption and adjustment took the oldest).
    async with db.sessions() as s:
        assert await loyalty.expire_due(s, workspace_id, expiry_days=30, tz=TZ, now=at(30)) == (1, 60)
        await s.commit()
    async with db.sessions() as s:  # idempotent, also after a "restart" (a new session)
        assert await loyalty.expire_due(s, workspace_id, expiry_days=30, tz=TZ, now=at(30)) == (0, 0)
        assert await loyalty.expire_due(s, workspace_id, expiry_days=30, tz=TZ, now=at(35)) == (0, 0)
        await s.commit()
    # Redeeming on day 50 first expires the second order's 80 (earned day 20): nothing is left to redeem.
    with pytest.raises(loyalty.LoyaltyError) as refused:
        await _change(db, workspace_id, cid, 10, "redeem", 50)
    assert refused.value.args_["balance"] == 0
    async with db.sessions() as s:
        rows = (
            await s.execute(
                select(LoyaltyEntry.reason, func.sum(LoyaltyEntry.points))
                .where(LoyaltyEntry.customer_id == cid)
                .group_by(LoyaltyEntry.reason)
            )
        ).all()
        acc = await loyalty.account(s, workspace_id, cid, expiry_days=30, tz=TZ, now=at(30))
        audits = (await s.execute(select(AuditEvent.action).order_by(AuditEvent.id))).scalars().all()
    by = dict(rows)
    assert by == {"earn": 180, "redeem": -30, "adjust": -10, "expire": -60}  # the refused one wrote nothing
    assert acc.balance == sum(by.values()) == 80
    assert acc.position.upcoming == ((at(50).astimezone(loyalty.ZoneInfo(TZ)).date(), 80),)
    assert audits == ["redeemed", "adjusted"]


async def test_balances_equal_the_ledger_sum(db, workspace_id: int) -> None:  # type: ignore[no-untyped-def]
    a = await _customer(db, workspace_id, [(0, 12), (3, 40), (9, 7)], "A")
    b = await _customer(db, workspace_id, [(1, 55)], "B")
    await _change(db, workspace_id, a, 20, "redeem", 10, expiry=None)
    await _change(db, workspace_id, b, 5, "adjust", 10, expiry=None)
    async with db.sessions() as s:
        direct = dict(
            (
                await s.execute(
                    select(LoyaltyEntry.customer_id, func.sum(LoyaltyEntry.points)).group_by(
                        LoyaltyEntry.customer_id
                    )
                )
            ).all()
        )
        for cid in (a, b):
            acc = await loyalty.account(s, workspace_id, cid, expiry_days=None, tz=TZ, now=at(11))
            assert acc.balance == direct[cid]
        assert await loyalty.repo.outstanding(s, workspace_id) == (direct[a] + direct[b], 2)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "You have 1,240 reward points; 200 of them expire on 31 Dec 2026."),
        ("zh", "您有1,240积分，其中200分将于2026年12月31日到期。"),
        ("ms", "1,240"),
        ("th", "1,240"),
        ("id", "1,240"),
        ("vi", "1,240"),
    ],
)
def test_drafts_say_the_balance_and_the_next_expiry(language: str, expected: str) -> None:
    from crm.outreach.templates import TemplateInput, render

    text = render(
        TemplateInput(
            language=language,
            intent="thank_you",
            brand="Lumi",
            sign_off="Lumi",
            first_name="Wei Ling",
            points=1240,
            points_expiring=200,
            points_expire_on=date(2026, 12, 31),
        )
    )
    assert expected in text and "200" in text


async def test_points_questions_in_english_and_chinese(db, workspace_id: int) -> None:  # type: ignore[no-untyped-def]
    from bot.settings import WorkspaceSettings
    from crm.query.compiler import execute
    from crm.query.names import NameIndex
    from crm.query.parser import parse_question

    await _customer(db, workspace_id, [(0, 100), (20, 80)], "Tan Wei Ling")
    await _customer(db, workspace_id, [(10, 45)], "陈小明")
    ws = WorkspaceSettings(timezone=TZ, loyalty_expiry_days=30)
    names = NameIndex.of(["Tan Wei Ling", "陈小明"])
    now = at(25)  # 26 Jan 2026 in Singapore

    async def ask(text: str) -> str:
        parsed = parse_question(text, as_of=now, timezone=TZ, names=names)
        result = await execute(
            parsed.query, db=db, workspace_id=workspace_id, settings=ws, as_of=now, language=parsed.language
        )
        return result.text or ""

    assert await ask("how many points does Tan Wei Ling have") == (
        "Tan Wei Ling (#1) has 180 points. 100 of them expire on 2026-01-31."
    )
    zh = await ask("陈小明有多少积分")
    assert "有 45 积分" in zh and "其中 45 分将于 2026-02-10 到期" in zh
    assert await ask("total points outstanding") == (
        "Customers hold 225 points in total (2 customers with a balance)."
    )
    assert "225" in await ask("积分总余额")
    assert await ask("points expiring this month") == (
        "100 points of 1 customer expire between 2026-01-26 and 2026-01-31."
    )
    assert await ask("下个月过期的积分有多少") == "2026-02-01 至 2026-02-28 期间，2 位客户的 125 积分将到期。"
