"""End to end through the fake Bot API: each role may do what docs/telegram.md says, and /help says so."""

from __future__ import annotations

from sqlalchemy import select

from bot.i18n import I18n
from bot.roles import ABILITIES
from storage.models import Reminder
from tests.e2e.conftest import OWNER, Desk
from tests.roles_docs import documented_abilities

VIEWER, AGENT, ADMIN = 3101, 3102, 3103


async def test_a_viewer_is_politely_refused_reminders_and_an_agent_sets_them(desk: Desk) -> None:
    """docs/telegram.md: reminders are for agents (and up); a viewer asks and reads cards."""
    await desk.add_member(OWNER, "owner")
    await desk.add_member(VIEWER, "viewer")
    await desk.add_member(AGENT, "agent")

    refused = await desk.say(VIEWER, "remind me tomorrow at 10am to call Tan")
    assert "agent" in refused.text and "viewer" in refused.text and "/help" in refused.text
    listed = await desk.say(VIEWER, "/reminders")
    assert "agent" in listed.text
    mark = desk.server.mark()
    desk.server.press(VIEWER, "remind:1", message_id=1, chat_id=VIEWER)  # ⏰ on a customer card
    alert = await desk.server.wait_call("answerCallbackQuery", after=mark)
    assert "agent" in alert.params["text"] and alert.params.get("show_alert")

    created = await desk.say(AGENT, "remind me tomorrow at 10am to call Tan")
    assert "call Tan" in created.text and "agent" not in created.text
    async with desk.db.sessions() as s:
        reminders = (await s.execute(select(Reminder))).scalars().all()
    assert [r.chat_id for r in reminders] == [AGENT]  # the viewer's attempt created nothing


async def test_help_lists_what_each_role_may_do(desk: Desk) -> None:
    """/help is built from the table the role checks use: each role sees exactly the abilities docs/telegram.md
    gives it, and names the rest as needing a higher role."""
    en = I18n("en")
    texts = {}
    for user, role in ((VIEWER, "viewer"), (AGENT, "agent"), (ADMIN, "admin"), (OWNER, "owner")):
        await desk.add_member(user, role)
        texts[role] = (await desk.say(user, "/help")).text
    assert len(set(texts.values())) == 4
    documented = documented_abilities()
    assert list(documented) == list(ABILITIES)
    for role, text in texts.items():
        assert "revenue last month" in text  # examples of questions for everyone
        for ability, roles in documented.items():
            line = en(f"help.ability.{ability}")
            assert (line in text) == (role in roles), (role, ability)
    assert "set reminders" not in texts["viewer"] and "reminders" in texts["viewer"].split("higher role")[1]
    assert "/draft" not in texts["viewer"] and "/draft" in texts["agent"]
    assert "send an export file" not in texts["agent"] and "send an export file" in texts["admin"]
    assert (
        "/alerts" in texts["admin"]
        and "/bind" in texts["admin"]
        and "/role" not in texts["admin"].split("higher role")[0]
    )
    assert "higher role" not in texts["owner"]

    # What /help lists is what is enforced: an admin imports, an agent may not; a viewer may not draft.
    denied = await desk.say(VIEWER, "/draft Tan winback")
    assert "agent" in denied.text
    mark = desk.server.mark()
    desk.server.send_document(AGENT, "orders.csv", b"a,b\n")
    refused = await desk.server.wait_call("sendMessage", chat_id=AGENT, after=mark)
    assert "admin" in refused.text


async def test_help_in_chinese_follows_the_role(desk: Desk) -> None:
    await desk.add_member(VIEWER, "viewer", language="zh")
    await desk.add_member(ADMIN, "admin", language="zh")
    viewer = (await desk.say(VIEWER, "/help")).text
    admin = (await desk.say(ADMIN, "/help")).text
    assert "只读成员" in viewer and "需要更高角色" in viewer and "设置提醒" not in viewer
    assert "管理员" in admin and "设置提醒" in admin and "导入订单" in admin and "/bind" in admin
