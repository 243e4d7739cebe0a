"""Prompts that wait for a person's next text (a tag, a note, a reminder): in a group, a selective forced reply.

With privacy mode on (BotFather's default) the bot sees only commands and replies to its own messages in a
group, so a plain "Which tag?" would never see its answer. In a group the prompt therefore names the person
and carries a ForceReply (selective: only their app opens the reply), and their answer reaches the bot.
"""

from __future__ import annotations

import html

from aiogram.types import ForceReply, Message, User

GROUP_TYPES = frozenset({"group", "supergroup"})


async def ask_for_text(where: Message, text: str, *, user: User | None) -> Message:
    """Send the prompt `text` to the chat of `where` (the person's message, or the bot's message under which
    they pressed a button) and have `user` answer it."""
    if where.chat.type not in GROUP_TYPES or user is None:
        return await where.answer(text)
    markup = ForceReply(force_reply=True, selective=True)
    if where.from_user is not None and where.from_user.id == user.id:
        return await where.reply(text, reply_markup=markup)  # selective: the sender of the replied-to message
    mention = (
        f"@{user.username}"
        if user.username
        else f'<a href="tg://user?id={user.id}">{html.escape(user.first_name)}</a>'
    )
    return await where.answer(f"{mention} {text}", reply_markup=markup)  # selective: the person mentioned
