"""handlers/reminders.py through the app's Dispatcher: a reminder in words is set and listed."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Reminder
from tests.handlers.conftest import OWNER, Chat, one_reply


async def test_no_reminders_yet(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    reply = one_reply(await chat.say(OWNER, "/reminders"), OWNER)
    assert "No open reminders" in reply.text


async def test_a_reminder_in_words_is_saved_and_listed(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    set_reply = one_reply(await chat.say(OWNER, "remind me tomorrow 10am to call the supplier"), OWNER)
    assert "supplier" in set_reply.text and "24 Nov 10:00" in set_reply.text, (
        set_reply.text
    )  # now: 23 Nov noon
    async with chat.db.sessions() as s:
        reminders = (await s.execute(select(Reminder))).scalars().all()
    assert len(reminders) == 1 and "supplier" in reminders[0].text
    listed = one_reply(await chat.say(OWNER, "/reminders"), OWNER)
    assert "supplier" in listed.text
