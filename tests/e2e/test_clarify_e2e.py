"""End to end: a question the bot will not answer gets a clarifying reply with tappable suggestions."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import OWNER, Desk

pytest.importorskip(
    "crm.query.service", reason="the question engine (crm.query.service) is not installed yet"
)


async def test_out_of_scope_questions_get_suggestions_as_buttons(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    reply = await desk.say(OWNER, "what is the weather tomorrow")
    suggestion_buttons = [(text, data) for text, data in reply.buttons() if data.startswith("sug:")]
    assert suggestion_buttons, reply.params
    assert all(text in reply.text for text, _ in suggestion_buttons)  # the same examples as in the text
    assert not any(data.startswith(("pg:", "why:")) for _, data in reply.buttons())


async def test_unknown_commands_get_a_hint_in_the_member_language(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner", language="zh")
    unknown = await desk.say(OWNER, "/frobnicate")
    assert "/help" in unknown.text and "不认识" in unknown.text
