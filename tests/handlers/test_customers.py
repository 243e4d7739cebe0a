"""handlers/customers.py through the app's Dispatcher: /customer finds a buyer and shows the card."""

from __future__ import annotations

from tests.handlers.conftest import OWNER, Chat, one_reply, sent_texts
from tests.handlers.shop import stock


async def test_customer_command_shows_the_card(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    await stock(chat)
    reply = one_reply(await chat.say(OWNER, "/customer Ann Tan"), OWNER)
    assert "Ann Tan" in reply.text and "57.70" in reply.text, reply.text


async def test_customer_command_without_a_name_asks_for_one(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    first = sent_texts(await chat.say(OWNER, "/customer"))
    assert len(first) == 1
    await stock(chat)
    card = one_reply(await chat.say(OWNER, "Raj"), OWNER)  # the reply to the prompt is the search
    assert "Raj Kumar" in card.text, card.text
