"""End to end through the fake Bot API: every message gets a reply, and no message is lost.

A question typed during the set-up, a prompt that outlives a restart, a command typed while a prompt waits,
a prompt in a group (privacy mode), and messages of kinds the bot does not read.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import Database
from storage.models import Customer, CustomerTag, Interaction, Reminder, Tag, Workspace
from tests.e2e.conftest import OWNER, Desk, shopify_csv, start_desk, stop_desk
from tests.e2e.test_desk_e2e import ORDERS, upload
from tests.fakes.telegram_server import Call, FakeTelegramServer

STICKER = {
    "file_id": "stk1",
    "file_unique_id": "ustk1",
    "type": "regular",
    "width": 512,
    "height": 512,
    "is_animated": False,
    "is_video": False,
}
PHOTO = [{"file_id": "pho1", "file_unique_id": "upho1", "width": 90, "height": 60}]


async def replies(desk: Desk, count: int, mark: int, chat_id: int = OWNER) -> list[Call]:
    """The first `count` messages the bot sent to `chat_id` after `mark` (waits for them)."""
    await desk.server.wait_call(
        "sendMessage", chat_id=chat_id, after=mark, where=lambda c: len(_sent(desk, mark, chat_id)) >= count
    )
    return _sent(desk, mark, chat_id)[:count]


def _sent(desk: Desk, mark: int, chat_id: int) -> list[Call]:
    return [
        c for c in desk.server.calls_of("sendMessage", after=mark) if c.chat_id == chat_id and c.status == 200
    ]


async def add_customer(db: Database, workspace_id: int, name: str) -> int:
    async with db.sessions() as session:
        customer = Customer(workspace_id=workspace_id, display_name=name)
        session.add(customer)
        await session.commit()
        return customer.id


async def test_a_question_during_the_set_up_is_answered_and_the_step_asked_again(
    desk: Desk, tmp_path: Path
) -> None:
    first = await desk.say(OWNER, "/start")
    assert "1/4" in first.text

    # No orders yet: the owner is told what to do, and the language step comes again with its buttons.
    mark = desk.server.mark()
    desk.server.send_text(OWNER, "revenue last month")
    hint, step = await replies(desk, 2, mark)
    assert "export" in hint.text and "1/4" in step.text
    assert ("English", "setup:lang:en") in step.buttons()

    # A sticker is not an answer either: the step again.
    mark = desk.server.mark()
    desk.server.send_message(OWNER, sticker=STICKER)
    (again,) = await replies(desk, 1, mark)
    assert "1/4" in again.text

    # Typing the language instead of tapping it moves on.
    currency = await desk.say(OWNER, "English")
    assert "2/4" in currency.text

    # With orders in (an import during the set-up), the question is answered, then the step is asked again.
    await upload(desk, OWNER, shopify_csv(tmp_path / "orders_export.csv", ORDERS))
    mark = desk.server.mark()
    desk.server.send_text(OWNER, "revenue last month?")
    answer, step = await replies(desk, 2, mark)
    assert "120.50" in answer.text, answer.text  # October: the one paid order #1001
    assert "2/4" in step.text and ("MYR", "setup:cur:MYR") in step.buttons()

    # A command runs and leaves the set-up where it was.
    helped = await desk.say(OWNER, "/help")
    assert "/kpi" in helped.text
    timezone = await desk.say(OWNER, "MYR")  # a currency with a rate: the amounts are converted into it
    assert "MYR" in timezone.text and "3/4" in timezone.text


async def _note_saved(db: Database, customer_id: int) -> None:
    async with db.sessions() as s:
        notes = (await s.execute(select(Interaction).where(Interaction.kind == "note"))).scalars().all()
    assert [(n.customer_id, n.body) for n in notes] == [(customer_id, "Prefers WhatsApp, ships to office")]


async def _tag_saved(db: Database, customer_id: int) -> None:
    async with db.sessions() as s:
        tags = (
            await s.execute(select(CustomerTag.customer_id, Tag.name).join(Tag, Tag.id == CustomerTag.tag_id))
        ).all()
    assert [tuple(t) for t in tags] == [(customer_id, "vip")]


async def _reminder_saved(db: Database, customer_id: int) -> None:
    async with db.sessions() as s:
        reminders = (await s.execute(select(Reminder))).scalars().all()
    assert [(r.customer_id, r.chat_id, r.text) for r in reminders] == [
        (customer_id, OWNER, "follow up on the order")
    ]


PROMPTS = {  # the card's button that opens the prompt, what it asks, the answer, what the bot then says
    "note": ("cnote", "note", "Prefers WhatsApp, ships to office", "saved", _note_saved),
    "tag": ("ctag", "tag", "vip", "vip", _tag_saved),
    "reminder": (
        "remind",
        "when, and what",
        "tomorrow 10am follow up on the order",
        "remind you",
        _reminder_saved,
    ),
}


@pytest.mark.parametrize("prompt", list(PROMPTS))
async def test_a_prompt_survives_a_restart(
    db: Database, workspace_id: int, tg: FakeTelegramServer, prompt: str
) -> None:
    button, asks, answer, said, saved = PROMPTS[prompt]
    customer_id = await add_customer(db, workspace_id, "Tan Wei Ling")
    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        await desk.add_member(OWNER, "owner")
        asked = await desk.press(OWNER, f"{button}:{customer_id}", message_id=1)
        assert asks in asked.text.lower(), asked.text
    finally:
        await stop_desk(desk, polling)
        await desk.bot.session.close()

    # A new Bot and Dispatcher on the same database: the answer still lands in the prompt.
    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        mark = tg.mark()
        tg.send_text(OWNER, answer)
        await tg.wait_call("sendMessage", chat_id=OWNER, after=mark, where=lambda c: said in c.text.lower())
    finally:
        await stop_desk(desk, polling)
        await desk.bot.session.close()
    await saved(db, customer_id)


async def test_the_set_up_survives_a_restart(db: Database, workspace_id: int, tg: FakeTelegramServer) -> None:
    """Set-up in progress, the process restarted: the next answer continues the set-up where it was."""
    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        first = await desk.say(OWNER, "/start")
        assert "1/4" in first.text
        currency = await desk.say(OWNER, "English")
        assert "2/4" in currency.text
    finally:
        await stop_desk(desk, polling)
        await desk.bot.session.close()

    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        timezone = await desk.say(OWNER, "MYR")
        assert "3/4" in timezone.text, (
            timezone.text
        )  # the currency step took the answer, not the question box
    finally:
        await stop_desk(desk, polling)
        await desk.bot.session.close()
    async with db.sessions() as s:
        ws = (await s.execute(select(Workspace).where(Workspace.id == workspace_id))).scalar_one()
    assert ws.base_currency == "MYR"


async def test_a_command_during_a_prompt_ends_it_and_runs(desk: Desk, tmp_path: Path) -> None:
    await desk.add_member(OWNER, "owner")
    await upload(desk, OWNER, shopify_csv(tmp_path / "orders_export.csv", ORDERS))
    async with desk.db.sessions() as s:
        customer_id = (
            await s.execute(select(Customer.id).where(Customer.display_name == "Tan Wei Ling"))
        ).scalar_one()
    tag = f"ctag:{customer_id}"  # the card's tag button
    await desk.press(OWNER, tag, message_id=1)

    mark = desk.server.mark()
    desk.server.send_text(OWNER, "/top 5")
    note, top = await replies(desk, 2, mark)
    assert "cancelled" in note.text.lower()
    assert "Tan Wei Ling" in top.text and "Tan Ah Kow" in top.text  # /top 5 was answered

    # The prompt is closed: the next text is a question again, not a tag.
    await desk.say(OWNER, "orders last month")
    async with desk.db.sessions() as s:
        assert (await s.execute(select(CustomerTag))).scalars().all() == []

    # /cancel ends a prompt and does nothing else; with nothing open it says so.
    await desk.press(OWNER, tag, message_id=1)
    mark = desk.server.mark()
    cancelled = await desk.say(OWNER, "/cancel")
    assert cancelled.text == "Cancelled."
    await desk.server.wait_idle(quiet=0.2)
    assert len(_sent(desk, mark, OWNER)) == 1
    nothing = await desk.say(OWNER, "/cancel")
    assert "Nothing" in nothing.text


async def test_a_prompt_in_a_group_forces_a_selective_reply(desk: Desk) -> None:
    group = -100888
    await desk.add_member(OWNER, "owner")
    await desk.add_member(4004, "agent")
    customer_id = await add_customer(desk.db, desk.workspace_id, "Tan Wei Ling")
    await desk.say(OWNER, "/bind", chat_id=group, chat_type="supergroup", title="Team")

    asked = await desk.press(4004, f"ctag:{customer_id}", message_id=1, chat_id=group, chat_type="supergroup")
    assert asked.chat_id == group
    assert asked.params["reply_markup"] == {"force_reply": True, "selective": True}
    assert "@user4004" in asked.text  # selective: only the person who pressed gets the reply field

    # Their reply to the prompt (all that privacy mode lets through) is the tag.
    mark = desk.server.mark()
    desk.server.send_text(4004, "vip", chat_id=group, chat_type="supergroup", reply_to=asked.message_id)
    tagged = await desk.server.wait_call("sendMessage", chat_id=group, after=mark)
    assert "vip" in tagged.text
    async with desk.db.sessions() as s:
        tags = (await s.execute(select(Tag.name).join(CustomerTag))).scalars().all()
    assert tags == ["vip"]

    # /customer without a name in the group asks by replying to the person's own message.
    search = await desk.say(4004, "/customer", chat_id=group, chat_type="supergroup")
    assert search.params["reply_markup"]["force_reply"] is True
    assert search.params["reply_parameters"]["message_id"] > 0


async def test_messages_the_bot_does_not_read_still_get_a_reply(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner", language="zh")
    await desk.add_member(4004, "agent")

    mark = desk.server.mark()
    desk.server.send_message(4004, sticker=STICKER)
    (sticker,) = await replies(desk, 1, mark, chat_id=4004)
    assert "/help" in sticker.text and "export" in sticker.text
    mark = desk.server.mark()
    desk.server.send_message(OWNER, photo=PHOTO)
    (photo,) = await replies(desk, 1, mark)
    assert "/help" in photo.text and "导出" in photo.text  # in the member's language

    # While a prompt waits, a photo is told that text is awaited, and the prompt stays open.
    customer_id = await add_customer(desk.db, desk.workspace_id, "Tan Wei Ling")
    await desk.press(4004, f"cnote:{customer_id}", message_id=1)
    mark = desk.server.mark()
    desk.server.send_message(4004, photo=PHOTO)
    (waiting,) = await replies(desk, 1, mark, chat_id=4004)
    assert "waiting" in waiting.text and "/cancel" in waiting.text
    noted = await desk.say(4004, "Asked for the blue one")
    assert "saved" in noted.text.lower()

    # In a group, what is addressed to the bot is answered; a command or text for nobody in particular is not.
    group = -100999
    await desk.say(OWNER, "/bind", chat_id=group, chat_type="supergroup", title="Team")
    unknown = await desk.say(4004, "/frobnicate@sellermate_test_bot", chat_id=group, chat_type="supergroup")
    assert "/help" in unknown.text
    replied = await desk.say(
        4004, "and last month?", chat_id=group, chat_type="supergroup", reply_to=unknown.message_id
    )
    assert "@sellermate_test_bot" in replied.text  # questions go to the private chat
    mark = desk.server.mark()
    desk.server.send_text(4004, "/frobnicate", chat_id=group, chat_type="supergroup")
    desk.server.send_text(4004, "lunch?", chat_id=group, chat_type="supergroup")
    await desk.server.wait_idle(quiet=0.2)
    assert desk.server.sent_texts(group, after=mark) == []
