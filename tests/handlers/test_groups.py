"""handlers/groups.py through the app's Dispatcher: /bind in a group binds it; in private it explains."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import GroupChat
from tests.handlers.conftest import OWNER, Chat, one_reply

GROUP = -100123


async def test_bind_in_a_group_binds_it_for_the_workspace(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    reply = one_reply(await chat.say(OWNER, "/bind", chat_id=GROUP), GROUP)
    assert "Sellers" in reply.text and "/unbind" in reply.text  # the group by its title, and the way back
    async with chat.db.sessions() as s:
        groups = (await s.execute(select(GroupChat))).scalars().all()
    assert [g.chat_id for g in groups] == [GROUP]


async def test_bind_in_private_says_where_to_send_it(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    reply = one_reply(await chat.say(OWNER, "/bind"), OWNER)
    assert "group" in reply.text.lower()
