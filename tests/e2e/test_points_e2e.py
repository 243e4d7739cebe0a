"""End to end through the fake Bot API: an owner redeems a customer's points, an agent is refused, and the
card shows the new balance."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Customer, LoyaltyEntry
from tests.e2e.conftest import OWNER, Desk

AGENT = 3302


async def test_owner_redeems_agent_is_refused_card_shows_balance(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(AGENT, "agent")
    async with desk.db.sessions() as s:
        c = Customer(workspace_id=desk.workspace_id, display_name="Tan Wei Ling", country="SG")
        s.add(c)
        await s.flush()
        s.add(LoyaltyEntry(workspace_id=desk.workspace_id, customer_id=c.id, points=1240, reason="adjust"))
        await s.commit()
        cid = c.id

    refused = await desk.say(AGENT, f"/redeem {cid} 200 voucher")
    assert "admin" in refused.text

    too_many = await desk.say(OWNER, f"/redeem {cid} 5000 voucher")
    assert "Refused" in too_many.text and "1,240" in too_many.text

    done = await desk.say(OWNER, f"/redeem {cid} 200 voucher")
    assert "Redeemed 200" in done.text and "1,040 points" in done.text and "voucher" in done.text

    card = await desk.say(OWNER, "/customer Tan Wei Ling")
    assert "Points: 1,040" in card.text
    async with desk.db.sessions() as s:
        rows = (
            await s.execute(select(LoyaltyEntry.reason, LoyaltyEntry.points, LoyaltyEntry.created_by))
        ).all()
    assert sorted((r, p) for r, p, _ in rows) == [("adjust", 1240), ("redeem", -200)]
    assert next(by for r, _, by in rows if r == "redeem") is not None  # who made it
