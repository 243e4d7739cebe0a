"""handlers/start.py through the app's Dispatcher: /start makes the first user the owner, /help answers."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import TeamMember
from tests.fakes.recording_bot import buttons
from tests.handlers.conftest import OWNER, STRANGER, Chat, one_reply, sent_texts


async def test_first_user_becomes_owner_and_is_asked_the_language(chat: Chat) -> None:
    reply = one_reply(await chat.say(OWNER, "/start"), OWNER)
    assert type(reply).__name__ == "SendMessage"
    assert "owner" in reply.text
    assert {"setup:lang:en", "setup:lang:zh"} <= buttons(reply).keys()
    async with chat.db.sessions() as s:
        member = (await s.execute(select(TeamMember))).scalar_one()
    assert (member.telegram_user_id, member.role) == (OWNER, "owner")


async def test_help_lists_what_can_be_asked(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    reply = one_reply(await chat.say(OWNER, "/help"), OWNER)
    assert "/kpi" in reply.text and "/customer" in reply.text


async def test_a_stranger_after_the_owner_is_refused(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    texts = sent_texts(await chat.say(STRANGER, "/start"))
    assert texts and str(STRANGER) in texts[0]


async def test_choosing_chinese_moves_set_up_on_to_the_currency_in_chinese(chat: Chat) -> None:
    one_reply(await chat.say(OWNER, "/start"), OWNER)
    calls = await chat.press(OWNER, "setup:lang:zh")
    texts = sent_texts(calls)
    assert any("本位币" in t for t in texts), texts
    assert any("setup:cur:MYR" in buttons(c) for c in calls)
    assert any(type(c).__name__ == "AnswerCallbackQuery" for c in calls)  # the button stops spinning


async def test_a_set_up_without_orders_ends_asking_for_the_exports(chat: Chat) -> None:
    """Nothing imported yet: the stores skipped read "—" and the next step is sending the order exports (with
    orders in, it is asking about them: tests/e2e/test_currency_e2e.py)."""
    one_reply(await chat.say(OWNER, "/start"), OWNER)
    await chat.press(OWNER, "setup:lang:en")
    await chat.press(OWNER, "setup:cur:SGD")
    await chat.press(OWNER, "setup:tz:Asia/Singapore")
    done = [t for t in sent_texts(await chat.press(OWNER, "setup:stores:-")) if "All set" in t]
    assert done and "Stores: —" in done[0] and "send me your order export files" in done[0], done
    assert "ask me about your orders" not in done[0]
