"""End to end through the fake Bot API: onboarding, access refusal, invites and roles, groups, errors, 429s."""

from __future__ import annotations

from sqlalchemy import select

from bot.context import open_app
from bot.settings import Settings
from storage.models import AccessAttempt, GroupChat, Invite, TeamMember, Workspace
from tests.e2e.conftest import OWNER, Desk, start_desk, stop_desk
from tests.fakes.telegram_server import FakeTelegramServer


async def test_startup_sets_the_command_menu_in_both_languages(desk: Desk) -> None:
    assert set(desk.server.commands) == {"", "zh"}
    en = {c["command"]: c["description"] for c in desk.server.commands[""]}
    zh = {c["command"]: c["description"] for c in desk.server.commands["zh"]}
    assert en.keys() == zh.keys() and {"kpi", "customer", "invite", "bind"} <= en.keys()
    assert en["kpi"] != zh["kpi"]


async def test_first_user_becomes_owner_and_sets_up_the_workspace(desk: Desk) -> None:
    first = await desk.say(OWNER, "/start", language_code="en")
    assert "owner" in first.text
    buttons = {data: text for text, data in first.buttons()}
    assert {"setup:lang:en", "setup:lang:zh"} <= buttons.keys()

    currency = await desk.press(OWNER, "setup:lang:zh", first.message_id)  # from now on: Chinese
    assert "本位币" in currency.text
    assert ("MYR", "setup:cur:MYR") in currency.buttons()
    timezone = await desk.press(OWNER, "setup:cur:MYR", currency.message_id)
    assert "MYR" in timezone.text and "时区" in timezone.text
    bad = await desk.say(OWNER, "Mars/Olympus")
    assert "Mars/Olympus" in bad.text  # refused, still asking
    stores = await desk.say(OWNER, "Asia/Kuala_Lumpur")
    assert "Asia/Kuala_Lumpur" in stores.text
    done = await desk.say(OWNER, "shopee-my，lazada-sg, shopify")
    assert "设置完成" in done.text and "shopee-my, lazada-sg, shopify" in done.text

    async with desk.db.sessions() as s:
        ws = await s.get(Workspace, desk.workspace_id)
        owner = (await s.execute(select(TeamMember))).scalar_one()
    assert (ws.base_currency, ws.timezone, ws.language) == ("MYR", "Asia/Kuala_Lumpur", "zh")
    assert ws.settings["stores"] == ["shopee-my", "lazada-sg", "shopify"] and ws.settings["onboarded"] is True
    assert (owner.telegram_user_id, owner.role, owner.language) == (OWNER, "owner", "zh")
    # The running bot answers in the chosen currency and time zone at once...
    assert (desk.settings.workspace.base_currency, desk.settings.workspace.timezone) == (
        "MYR",
        "Asia/Kuala_Lumpur",
    )
    # ...and a restart keeps the owner's choices (config only wins where it sets them explicitly).
    url = desk.db.engine.url.render_as_string(hide_password=False)
    ctx = await open_app(Settings(), db_url=url)
    try:
        assert (ctx.settings.workspace.base_currency, ctx.settings.workspace.timezone) == (
            "MYR",
            "Asia/Kuala_Lumpur",
        )
    finally:
        await ctx.close()
    ctx = await open_app(Settings(workspace={"timezone": "Asia/Bangkok"}), db_url=url)
    try:
        assert (ctx.settings.workspace.base_currency, ctx.settings.workspace.timezone) == (
            "MYR",
            "Asia/Bangkok",
        )
    finally:
        await ctx.close()

    again = await desk.say(OWNER, "/start")
    assert "欢迎回来" in again.text


async def test_strangers_are_refused_and_logged(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    refused = await desk.say(2002, "revenue last month", language_code="zh-hans")
    assert "私有" in refused.text and "2002" in refused.text  # their Telegram language, their id
    refused_start = await desk.say(2003, "/start")
    assert "private" in refused_start.text
    mark = desk.server.mark()
    desk.server.press(2004, "cust:1", message_id=1)
    answer = await desk.server.wait_call("answerCallbackQuery", after=mark)
    assert answer.params.get("show_alert") in (True, "true")

    async with desk.db.sessions() as s:
        attempts = (await s.execute(select(AccessAttempt).order_by(AccessAttempt.id))).scalars().all()
        members = (await s.execute(select(TeamMember))).scalars().all()
    assert [(a.telegram_user_id, a.text) for a in attempts] == [
        (2002, "revenue last month"),
        (2003, "/start"),
        (2004, "[button] cust:1"),
    ]
    assert [m.telegram_user_id for m in members] == [OWNER]
    team = await desk.say(OWNER, "/team")
    assert "2002" in team.text and "2004" in team.text  # the owner sees who knocked


async def test_invite_link_grants_the_role_once(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    reply = await desk.say(OWNER, "/invite viewer")
    link = next(word for word in reply.text.split() if word.startswith("https://t.me/"))
    assert link.startswith("https://t.me/sellermate_test_bot?start=inv_")
    payload = link.split("start=", 1)[1]

    joined = await desk.say(3003, f"/start {payload}")
    assert "viewer" in joined.text
    reused = await desk.say(3004, f"/start {payload}")
    assert "expired" in reused.text or "used" in reused.text

    # A viewer may look but not invite; an unknown code by /join is refused.
    denied = await desk.say(3003, "/invite agent")
    assert "admin" in denied.text
    bad = await desk.say(3005, "/join not-a-code")
    assert "invalid" in bad.text or "unknown" in bad.text

    async with desk.db.sessions() as s:
        viewer = (await s.execute(select(TeamMember).where(TeamMember.telegram_user_id == 3003))).scalar_one()
        invite = (await s.execute(select(Invite))).scalar_one()
        strangers = (
            (await s.execute(select(TeamMember).where(TeamMember.telegram_user_id.in_([3004, 3005]))))
            .scalars()
            .all()
        )
    assert viewer.role == "viewer" and invite.used_by == viewer.id and strangers == []

    # The owner can promote, then remove, the new member.
    promoted = await desk.say(OWNER, "/role 3003 agent")
    assert "3003" in promoted.text
    removed = await desk.say(OWNER, "/remove 3003")
    assert "3003" in removed.text
    after = await desk.say(3003, "/help")
    assert "private" in after.text  # removed members are strangers again


async def test_group_binding_by_an_admin_and_unbound_groups_are_ignored(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(4004, "agent")
    group = -100777

    # An unbound group: plain text and other commands get no answer at all.
    mark = desk.server.mark()
    desk.server.send_text(OWNER, "/help", chat_id=group, chat_type="supergroup")
    desk.server.send_text(OWNER, "revenue last month", chat_id=group, chat_type="supergroup")
    await desk.server.wait_idle()
    assert desk.server.sent_texts(group, after=mark) == []

    denied = await desk.say(4004, "/bind", chat_id=group, chat_type="supergroup", title="Team")
    assert "admin" in denied.text
    bound = await desk.say(OWNER, "/bind", chat_id=group, chat_type="supergroup", title="Team")
    assert "Team" in bound.text
    async with desk.db.sessions() as s:
        row = (await s.execute(select(GroupChat))).scalar_one()
    assert (row.chat_id, row.workspace_id, row.alerts_enabled) == (group, desk.workspace_id, True)

    # Bound now: members' commands are answered; strangers in the group are ignored, not lectured.
    helped = await desk.say(4004, "/help", chat_id=group, chat_type="supergroup")
    assert "/kpi" in helped.text
    mark = desk.server.mark()
    desk.server.send_text(5005, "/help", chat_id=group, chat_type="supergroup")
    await desk.server.wait_idle()
    assert desk.server.sent_texts(group, after=mark) == []

    private = await desk.say(OWNER, "/bind")
    assert "group" in private.text
    await desk.say(OWNER, "/unbind", chat_id=group, chat_type="supergroup")
    async with desk.db.sessions() as s:
        assert (await s.execute(select(GroupChat))).scalars().all() == []


async def test_a_flood_wait_is_waited_out_and_the_reply_still_arrives(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    desk.server.fail_next("sendMessage", times=1, retry_after=1)
    mark = desk.server.mark()
    reply = await desk.say(OWNER, "/help")
    assert "/kpi" in reply.text
    attempts = desk.server.calls_of("sendMessage", after=mark)
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[0].params["text"] == attempts[1].params["text"]


async def test_a_failing_handler_is_answered_with_an_apology_and_a_reference(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner", language="zh")
    desk.server.fail_next("sendMessage", times=1, status=400)  # the handler's reply blows up
    mark = desk.server.mark()
    apology = await desk.say(OWNER, "/help")
    assert "抱歉" in apology.text
    ref = apology.params["text"].split("<code>")[1].split("</code>")[0]
    assert len(ref) == 8
    assert "Traceback" not in apology.params["text"]
    assert [c.status for c in desk.server.calls_of("sendMessage", after=mark)] == [400, 200]


async def test_throttling_drops_a_burst_and_warns_once(db, workspace_id, tg: FakeTelegramServer) -> None:  # type: ignore[no-untyped-def]
    desk, polling = await start_desk(db, workspace_id, tg, throttle_per_second=0.001)
    try:
        await desk.add_member(OWNER, "owner")
        mark = tg.mark()
        for _ in range(9):
            tg.send_text(OWNER, "/help")
        await tg.wait_idle()
        texts = tg.sent_texts(OWNER, after=mark)
        assert sum("/kpi" in t for t in texts) == 5  # the burst allowance
        assert sum("faster" in t for t in texts) == 1
    finally:
        await stop_desk(desk, polling)
