"""End to end through the fake Bot API: a rule written in plain words in /rules, its dry run, Enable, then an
import that matches it leaves a draft waiting for approval (never sent)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.models import OutreachDraft, RuleFiring
from tests.e2e.conftest import OWNER, Desk, shopify_csv
from tests.e2e.test_outreach_e2e import load

AGENT = 8008
HISTORY = [
    ("#4001", "Alice Tan", "alice@example.com", "50.00", "2026-11-10 10:00:00 +0800", "refunded"),
    ("#4002", "Bob Lim", "bob@example.com", "80.00", "2026-11-01 10:00:00 +0800", "paid"),
]
NEW = [("#4003", "Eve Koh", "eve@example.com", "30.00", "2026-11-22 10:00:00 +0800", "refunded")]


async def test_rules_in_plain_words_dry_run_enable_then_an_import_drafts_for_approval(
    desk: Desk, tmp_path: Path
) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(AGENT, "agent")
    await load(desk, shopify_csv(tmp_path / "history.csv", HISTORY))

    refused = await desk.say(AGENT, "/rules")
    assert "/rules" not in refused.text or "admin" in refused.text.lower()  # agents may not
    empty = await desk.say(OWNER, "/rules")
    assert "No retention rules yet" in empty.text
    unclear = await desk.say(OWNER, "/rules make everyone happy")
    assert "could not read" in unclear.text and "first order is cancelled" in unclear.text

    parsed = await desk.say(
        OWNER, "/rules when a customer's first order is cancelled, tag them 'cancel-1st' and draft an apology"
    )
    assert "order cancelled if orders == 0" in parsed.text and "draft service_recovery" in parsed.text
    assert "would have fired for 1 customers: Alice Tan" in parsed.text
    enable = next(data for _, data in parsed.buttons() if data.startswith("rule:on:"))
    async with desk.db.sessions() as session:
        assert (await session.scalars(select(OutreachDraft))).all() == []  # nothing before Enable

    listing = await desk.say(OWNER, "/rules")
    assert "⚪" in listing.text and "not fired yet" in listing.text
    dry = next(data for _, data in listing.buttons() if data.startswith("rule:dry:"))
    shown = await desk.press(OWNER, dry, listing.message_id or 0, chat_id=OWNER)
    assert "would have fired for 1 customers: Alice Tan" in shown.text

    on = await desk.press(OWNER, enable, parsed.message_id or 0, chat_id=OWNER)
    assert "is on" in on.text

    await load(desk, shopify_csv(tmp_path / "new.csv", NEW))
    async with desk.db.sessions() as session:
        drafts = (await session.scalars(select(OutreachDraft).order_by(OutreachDraft.id))).all()
        firings = (await session.scalars(select(RuleFiring))).all()
    assert [(d.intent, d.status) for d in drafts] == [("service_recovery", "draft")] * 2  # Alice and Eve
    assert len(firings) == 2 and all(f.draft_id for f in firings)

    listing = await desk.say(OWNER, "/rules")
    assert "🟢" in listing.text and "fired for 2 customers" in listing.text
    # a second import of the same file fires nothing again
    await load(desk, shopify_csv(tmp_path / "new-again.csv", NEW))
    async with desk.db.sessions() as session:
        assert len((await session.scalars(select(RuleFiring))).all()) == 2
