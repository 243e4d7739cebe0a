"""handlers/ask.py through the app's Dispatcher: a question in words, a shortcut, the catch-all."""

from __future__ import annotations

import re

from tests.fakes.recording_bot import buttons
from tests.handlers.conftest import OWNER, Chat, one_reply, sent_texts
from tests.handlers.shop import stock


async def test_a_question_in_words_is_answered_with_the_number(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    await stock(chat)
    reply = one_reply(await chat.say(OWNER, "revenue this year"), OWNER)
    assert "57.70" in reply.text, reply.text  # only the paid order counts
    assert any(data.startswith("why:") for data in buttons(reply))


async def test_a_question_in_chinese_is_answered_in_chinese(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    await stock(chat)
    reply = one_reply(await chat.say(OWNER, "今年的订单数", language="zh"), OWNER)
    assert re.search(r"[\u4e00-\u9fff]", reply.text) and re.search(r"\b1\b", reply.text), reply.text


async def test_the_kpi_shortcut_answers(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    await stock(chat)
    reply = one_reply(await chat.say(OWNER, "/kpi"), OWNER)
    # the headline KPIs of the last 30 days: the only valid order (March) is older, so nothing is counted
    assert "revenue" in reply.text and "SGD 0.00" in reply.text and "30 days" in reply.text, reply.text


async def test_an_unclear_question_gets_a_clarifying_reply_with_suggestions(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    reply = one_reply(await chat.say(OWNER, "tell me a joke"), OWNER)
    assert reply.text and buttons(reply), reply.text


async def test_the_why_button_explains_the_number(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    await stock(chat)
    reply = one_reply(await chat.say(OWNER, "revenue this year"), OWNER)
    why = next(data for data in buttons(reply) if data.startswith("why:"))
    calls = await chat.press(OWNER, why)
    texts = sent_texts(calls)
    assert len(texts) == 1 and "valid" in texts[0] and "2026-01-01" in texts[0], texts  # definition, window
