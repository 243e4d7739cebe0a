"""handlers/outreach.py through the app's Dispatcher: /draft explains itself, then drafts for a customer."""

from __future__ import annotations

from tests.fakes.recording_bot import buttons
from tests.handlers.conftest import OWNER, Chat, one_reply, sent_texts
from tests.handlers.shop import stock


async def test_draft_without_arguments_shows_the_usage(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    reply = one_reply(await chat.say(OWNER, "/draft"), OWNER)
    assert "/draft" in reply.text and "winback" in reply.text


async def test_draft_for_a_customer_gives_a_message_to_approve(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    await stock(chat)
    calls = await chat.say(OWNER, "/draft Ann thank_you en")
    texts = sent_texts(calls)
    assert texts and "Ann Tan" in texts[0] and "Thank" in texts[0], texts
    assert any(buttons(c) for c in calls), "the draft comes with buttons (approve, edit, ...)"
