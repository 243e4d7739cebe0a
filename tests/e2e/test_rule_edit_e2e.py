"""End to end through the fake Bot API: an owner edits a rule with its button (prompt, new words, dry run,
Replace) and deletes one after confirming; the plain-words forms `/rules edit NAME words` and `/rules delete
NAME`; an agent is refused; the edit prompt outlives a restart."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.db import Database
from storage.models import AuditEvent, AutomationRule
from storage.repositories import automation
from tests.e2e.conftest import NOW, OWNER, Desk, shopify_csv, start_desk, stop_desk
from tests.e2e.test_outreach_e2e import load
from tests.fakes.telegram_server import Call, FakeTelegramServer

AGENT = 8008
HISTORY = [
    ("#4001", "Alice Tan", "alice@example.com", "50.00", "2026-11-10 10:00:00 +0800", "refunded"),
    ("#4002", "Bob Lim", "bob@example.com", "80.00", "2026-11-01 10:00:00 +0800", "paid"),
]
CANCELLED = "when a customer's first order is cancelled, tag them 'cancel-1st' and draft an apology"
SORRY = "when a customer's first order is cancelled, tag them 'sorry'"


def button(call: Call, action: str) -> str:
    return next(data for _, data in call.buttons() if data.startswith(f"rule:{action}:"))


async def stored(db: Database) -> list[tuple[str, str, bool, list[object]]]:
    async with db.sessions() as session:
        rules = (await session.scalars(select(AutomationRule).order_by(AutomationRule.id))).all()
    return [(r.name, r.source, r.enabled, r.spec["actions"]) for r in rules]


async def audited(db: Database) -> list[tuple[str, str | None]]:
    async with db.sessions() as session:
        rows = (
            await session.execute(select(AuditEvent.action, AuditEvent.subject).order_by(AuditEvent.id))
        ).all()
    return [(a, s) for a, s in rows if s and s.startswith("rule:")]


async def test_an_owner_edits_a_rule_with_its_button_and_deletes_it_after_confirming(
    desk: Desk, tmp_path: Path
) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(AGENT, "agent")
    await load(desk, shopify_csv(tmp_path / "history.csv", HISTORY))
    parsed = await desk.say(OWNER, f"/rules {CANCELLED}")
    on = await desk.press(OWNER, button(parsed, "on"), parsed.message_id or 0, chat_id=OWNER)
    assert "is on" in on.text
    [(name, _, enabled, _)] = await stored(desk.db)
    assert enabled

    listing = await desk.say(OWNER, "/rules")
    labels = [text for text, _ in listing.buttons()]
    assert labels == ["🔍 Dry run", "⏸ Disable", "✏️ Edit", "🗑 Delete"]
    edit, delete = button(listing, "edit"), button(listing, "del")

    # an agent may neither edit nor delete
    for data in (edit, delete):
        refused = await desk.press(
            AGENT, data, listing.message_id or 0, chat_id=AGENT, method="answerCallbackQuery"
        )
        assert "admin" in refused.text.lower()
    refused_words = await desk.say(AGENT, f"/rules delete {name}")
    assert "admin" in refused_words.text.lower()

    asked = await desk.press(OWNER, edit, listing.message_id or 0, chat_id=OWNER)
    assert f"new words for rule <b>{name}</b>" in asked.text
    unclear = await desk.say(OWNER, "make everyone happy")
    assert "could not read" in unclear.text  # the question stays open
    preview = await desk.say(OWNER, SORRY)
    assert f"Rule <b>{name}</b> would become" in preview.text and "tag &#x27;sorry&#x27;" in preview.text
    assert "would have fired for 1 customer: Alice Tan" in preview.text
    assert (await stored(desk.db))[0][3] == [{"tag": "cancel-1st"}, {"draft": "service_recovery"}]  # not yet

    replaced = await desk.press(OWNER, button(preview, "put"), preview.message_id or 0, chat_id=OWNER)
    assert (
        f"Rule <b>{name}</b> replaced" in replaced.text and "off until you enable it again" in replaced.text
    )
    assert await stored(desk.db) == [(name, "db", False, [{"tag": "sorry"}])]  # same name, off
    assert button(replaced, "on")
    again = await desk.press(OWNER, button(preview, "put"), preview.message_id or 0, chat_id=OWNER)
    assert "no longer waiting" in again.text  # a second Replace does nothing

    confirm = await desk.press(OWNER, delete, listing.message_id or 0, chat_id=OWNER)
    assert f"Delete rule <b>{name}</b>?" in confirm.text
    kept = await desk.press(OWNER, button(confirm, "keep"), confirm.message_id or 0, chat_id=OWNER)
    assert "unchanged" in kept.text and len(await stored(desk.db)) == 1
    deleted = await desk.press(OWNER, button(confirm, "gone"), confirm.message_id or 0, chat_id=OWNER)
    assert f"Rule <b>{name}</b> deleted" in deleted.text
    assert [(n, s) for n, s, _, _ in await stored(desk.db)] == [(name, "deleted")]
    assert "No retention rules yet" in (await desk.say(OWNER, "/rules")).text
    gone = await desk.press(OWNER, edit, listing.message_id or 0, chat_id=OWNER)
    assert "no longer there" in gone.text
    actions = [a for a, _ in await audited(desk.db)]
    assert actions[-2:] == ["changed", "deleted"]


async def test_rules_edit_and_delete_in_plain_words(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    await load(desk, shopify_csv(tmp_path / "history.csv", HISTORY))
    await desk.say(OWNER, f"/rules {CANCELLED}")
    [(name, _, _, _)] = await stored(desk.db)
    same = await desk.say(OWNER, f"/rules {CANCELLED}")  # the same words again: no copy named NAME-2
    assert f"That rule is there already: <b>{name}</b>" in same.text and button(same, "edit")
    assert len(await stored(desk.db)) == 1

    missing = await desk.say(OWNER, "/rules edit nosuch tag them 'x'")
    assert "no rule called <b>nosuch</b>" in missing.text
    preview = await desk.say(OWNER, f"/rules edit {name} {SORRY}")
    assert "would become" in preview.text and "would have fired for 1 customer: Alice Tan" in preview.text
    replaced = await desk.press(OWNER, button(preview, "put"), preview.message_id or 0, chat_id=OWNER)
    assert "replaced" in replaced.text
    assert await stored(desk.db) == [(name, "db", False, [{"tag": "sorry"}])]
    unclear = await desk.say(OWNER, f"/rules edit {name} make everyone happy")
    assert "could not read" in unclear.text

    confirm = await desk.say(OWNER, f"/rules delete {name}")
    assert f"Delete rule <b>{name}</b>?" in confirm.text and len(await stored(desk.db)) == 1
    deleted = await desk.press(OWNER, button(confirm, "gone"), confirm.message_id or 0, chat_id=OWNER)
    assert "deleted" in deleted.text
    assert [(n, s) for n, s, _, _ in await stored(desk.db)] == [(name, "deleted")]
    # the same words again make the rule under its old name (no name-2)
    parsed = await desk.say(OWNER, f"/rules {CANCELLED}")
    assert f"New rule <b>{name}</b>" in parsed.text
    assert [(n, s) for n, s, _, _ in await stored(desk.db)] == [(name, "db")]


async def test_a_rule_from_config_yaml_is_changed_there_not_in_chat(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    async with desk.db.sessions() as session:
        spec = {"trigger": "first_order", "actions": [{"tag": "x"}]}
        rule = await automation.save_rule(session, desk.workspace_id, "cfg", spec, source="config", at=NOW)
        await session.commit()
    listing = await desk.say(OWNER, "/rules")
    assert [data.split(":")[1] for _, data in listing.buttons()] == ["dry", "on"]  # no Edit, no Delete
    for words in ("/rules delete cfg", "/rules edit cfg tag them 'y'"):
        said = await desk.say(OWNER, words)
        assert "comes from config.yaml: change or remove it there" in said.text
    for action in ("edit", "del", "gone"):
        pressed = await desk.press(OWNER, f"rule:{action}:{rule.id}", listing.message_id or 0, chat_id=OWNER)
        assert "comes from config.yaml" in pressed.text
    assert await stored(desk.db) == [("cfg", "config", False, [{"tag": "x"}])]


async def test_the_edit_prompt_outlives_a_restart(
    db: Database, workspace_id: int, tg: FakeTelegramServer, tmp_path: Path
) -> None:
    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        await desk.add_member(OWNER, "owner")
        await load(desk, shopify_csv(tmp_path / "history.csv", HISTORY))
        await desk.say(OWNER, f"/rules {CANCELLED}")
        listing = await desk.say(OWNER, "/rules")
        asked = await desk.press(OWNER, button(listing, "edit"), listing.message_id or 0, chat_id=OWNER)
        assert "new words for rule" in asked.text
    finally:
        await stop_desk(desk, polling)
        await desk.bot.session.close()
    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        preview = await desk.say(OWNER, SORRY)
        assert "would become" in preview.text
        replaced = await desk.press(OWNER, button(preview, "put"), preview.message_id or 0, chat_id=OWNER)
        assert "replaced" in replaced.text
    finally:
        await stop_desk(desk, polling)
        await desk.bot.session.close()
    assert [a[3] for a in await stored(db)] == [[{"tag": "sorry"}]]
