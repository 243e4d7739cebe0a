"""handlers/errors.py through the app's Dispatcher: a failing handler ends in an apology with a reference."""

from __future__ import annotations

import re

from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import SendMessage

from tests.handlers.conftest import OWNER, Chat, sent_texts


async def test_a_failure_is_answered_with_an_apology_and_a_reference(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    # The first reply fails (Telegram unreachable); the error router answers with the apology.
    chat.bot.recording.prepare(
        SendMessage, TelegramNetworkError(SendMessage(chat_id=OWNER, text="x"), "down")
    )
    calls = await chat.say(OWNER, "/help")
    texts = sent_texts(calls)
    assert len(texts) == 2  # the reply that failed, then the apology
    assert "Sorry" in texts[1] and re.search(r"<code>[0-9a-f]{8}</code>", texts[1]), texts[1]
