"""handlers/alerts.py through the app's Dispatcher: /alerts is a group setting, with toggles once bound."""

from __future__ import annotations

from tests.fakes.recording_bot import buttons
from tests.handlers.conftest import OWNER, Chat, one_reply

GROUP = -100456


async def test_alerts_in_private_points_to_the_group(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    reply = one_reply(await chat.say(OWNER, "/alerts"), OWNER)
    assert "/alerts" in reply.text and "group" in reply.text


async def test_alerts_in_a_bound_group_offers_toggles(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    await chat.say(OWNER, "/bind", chat_id=GROUP)
    bound = one_reply(await chat.say(OWNER, "/alerts", chat_id=GROUP), GROUP)
    assert buttons(bound), bound.text
