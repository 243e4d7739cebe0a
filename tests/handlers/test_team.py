"""handlers/team.py through the app's Dispatcher: /team lists members, /invite makes a join link."""

from __future__ import annotations

from tests.handlers.conftest import OWNER, STAFF, Chat, one_reply


async def test_team_lists_the_members_with_their_roles(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    await chat.add_member(STAFF, "agent")
    reply = one_reply(await chat.say(OWNER, "/team"), OWNER)
    assert "User1001" in reply.text and "User1002" in reply.text
    assert "owner" in reply.text.lower() and "agent" in reply.text.lower()


async def test_invite_gives_the_owner_a_join_link_and_staff_may_not(chat: Chat) -> None:
    await chat.add_member(OWNER, "owner")
    await chat.add_member(STAFF, "agent")
    invite = one_reply(await chat.say(OWNER, "/invite agent"), OWNER)
    assert "t.me/sellermate_test_bot?start=" in invite.text or "/join" in invite.text, invite.text
    refused = one_reply(await chat.say(STAFF, "/invite agent"), STAFF)
    assert "admin" in refused.text and "t.me/" not in refused.text and "/join" not in refused.text
