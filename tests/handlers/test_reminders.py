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


async def test_a_reminder_is_confirmed_in_the_language_it_was_written_in(chat: Chat) -> None:
    """As a question is answered: a member who chose English and writes a reminder in Chinese is answered in
    Chinese (and one who chose Chinese and writes English, in English); an English sentence with a Chinese
    name stays English."""
    await chat.add_member(OWNER, "owner", language="en")
    zh = one_reply(await chat.say(OWNER, "明天上午10点提醒我给供应商打电话"), OWNER)
    assert "供应商" in zh.text and "提醒" in zh.text and "I will remind" not in zh.text, zh.text
    en = one_reply(await chat.say(OWNER, "remind me tomorrow 10am to call the supplier"), OWNER)
    assert "supplier" in en.text and "remind" in en.text.lower(), en.text
    from handlers.reminders import text_language

    assert text_language("remind me to call 王芳 tomorrow") == "en"
    assert (
        text_language("下周一上午提醒我给王芳发优惠券") == "zh"
        and text_language("提醒我明天 call Tan") == "zh"
    )
