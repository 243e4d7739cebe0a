"""Reminders and alerts through the real bot: aiogram long polling the fake Bot API server, with the scheduler
running in the bot's startup hook and the wall clock moved with time-machine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest_asyncio
import time_machine
from aiogram import Bot, Dispatcher
from sqlalchemy import select

from bot.alert_jobs import churn_scan
from bot.app import build_bot, build_dispatcher
from bot.scheduler import SchedulerService
from bot.sender import Sender
from bot.settings import Settings
from storage.db import Database
from storage.models import GroupChat, Reminder
from tests.fakes.telegram_server import Call, FakeTelegramServer, finish_polling
from tests.scheduling_fixtures import Shop, VirtualTime, add_group, add_member, jobs_clean, tg  # noqa: F401
from tests.test_alerts import at_risk_shop

SG = ZoneInfo("Asia/Singapore")
START = datetime(2026, 11, 23, 8, 0, tzinfo=SG)  # Monday
OWNER, AGENT, GROUP = 1001, 1002, -100777


@dataclass
class Running:
    server: FakeTelegramServer
    bot: Bot
    dp: Dispatcher
    db: Database
    workspace_id: int
    service: SchedulerService
    clock: time_machine.Coordinates

    async def say(
        self,
        user_id: int,
        text: str,
        *,
        chat_id: int | None = None,
        method: str = "sendMessage",
        **kw: object,
    ) -> Call:
        mark = self.server.mark()
        self.server.send_text(user_id, text, chat_id=chat_id, **kw)  # type: ignore[arg-type]
        return await self.server.wait_call(method, chat_id=chat_id or user_id, after=mark)

    async def press(
        self,
        user_id: int,
        data: str,
        message_id: int,
        *,
        chat_id: int | None = None,
        method: str | tuple[str, ...] = ("editMessageText", "sendMessage"),
        **kw: object,
    ) -> Call:
        mark = self.server.mark()
        self.server.press(user_id, data, message_id=message_id, chat_id=chat_id, **kw)  # type: ignore[arg-type]
        return await self.server.wait_call(
            method, after=mark, where=lambda c: c.method != "answerCallbackQuery"
        )

    async def reminders(self) -> list[Reminder]:
        async with self.db.sessions() as s:
            return list((await s.execute(select(Reminder).order_by(Reminder.id))).scalars().all())


@pytest_asyncio.fixture
async def running(
    db: Database,
    jobs_clean,
    workspace_id: int,
    tg: FakeTelegramServer,  # noqa: F811
) -> AsyncIterator[Running]:
    settings = Settings(
        telegram={"token": "123456:TEST", "api_url": tg.base_url, "throttle_per_second": 1000.0},
        workspace={"timezone": "Asia/Singapore"},
        language="en",
    )
    with time_machine.travel(START, tick=False) as clock:
        bot = build_bot(settings)
        vt = VirtualTime()
        service = SchedulerService(
            settings,
            db,
            bot,
            workspace_id=workspace_id,
            sender=Sender.from_settings(bot, settings.scheduler, now=vt.now, sleep=vt.sleep),
        )
        dp = build_dispatcher(
            settings, db, workspace_id=workspace_id, scheduler=service, clock=lambda: datetime.now(SG)
        )
        mark = tg.mark()
        polling = asyncio.create_task(
            dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=False)
        )
        await tg.wait_call("setMyCommands", after=mark)
        await service.started()
        await add_member(db, workspace_id, OWNER, role="owner")
        await add_member(db, workspace_id, AGENT, role="agent", language="zh")
        try:
            yield Running(tg, bot, dp, db, workspace_id, service, clock)
        finally:
            await finish_polling(dp, polling, bot)
            assert not service.running  # the shutdown hook stopped it


async def test_plain_words_create_a_reminder_that_fires_and_snoozes(running: Running) -> None:
    shop = Shop(running.db, running.workspace_id)
    tan = await shop.customer("Tan Wei Ling", [(datetime(2026, 10, 1, tzinfo=UTC), 120)])
    reply = await running.say(OWNER, "remind me tomorrow 10am to call Tan Wei Ling")
    assert "I will remind you <b>Tue 24 Nov 10:00</b>" in reply.text and "Tan Wei Ling" in reply.text
    assert f"👤 Tan Wei Ling #{tan}" in reply.text  # by #id too: two customers may share a name
    [reminder] = await running.reminders()
    assert (reminder.customer_id, reminder.chat_id, reminder.text) == (tan, OWNER, "call Tan Wei Ling")
    assert reminder.due_at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)

    running.clock.move_to(reminder.due_at)
    mark = running.server.mark()
    await running.service.run_due()
    # 10:00 is after the 09:00 daily scan, which may also write to the owner (no group is bound): skip it.
    fired = await running.server.wait_call(
        "sendMessage", chat_id=OWNER, after=mark, where=lambda c: "KPI alert" not in c.text
    )
    assert "Reminder" in fired.text and "call Tan Wei Ling" in fired.text
    assert f"👤 Tan Wei Ling #{tan}" in fired.text
    assert ("👤 Customer card", f"cust:{tan}") in fired.buttons()

    edited = await running.press(OWNER, f"rem:snooze:{reminder.id}:1h", fired.message_id or 0)
    assert "Snoozed to <b>Tue 24 Nov 11:00</b>" in edited.text
    [snoozed] = await running.reminders()
    assert (snoozed.status, snoozed.due_at) == ("pending", reminder.due_at + timedelta(hours=1))
    running.clock.move_to(snoozed.due_at)
    mark = running.server.mark()
    await running.service.run_due()
    again = await running.server.wait_call(
        "sendMessage", chat_id=OWNER, after=mark, where=lambda c: "KPI alert" not in c.text
    )
    assert "call Tan Wei Ling" in again.text
    done = await running.press(OWNER, f"rem:done:{reminder.id}:", again.message_id or 0)
    assert "Done" in done.text
    assert (await running.reminders())[0].status == "done"


async def test_chinese_reminder_list_edit_and_delete(running: Running) -> None:
    reply = await running.say(AGENT, "3天后提醒我联系张先生")
    assert "好的，我会在 <b>11月26日 周四 08:00</b> 提醒你" in reply.text and "联系张先生" in reply.text
    listing = await running.say(AGENT, "/reminders")
    [reminder] = await running.reminders()
    assert "联系张先生" in listing.text
    detail = await running.press(AGENT, f"rem:open:{reminder.id}:", listing.message_id or 0)
    assert "11月26日 周四 08:00" in detail.text
    ask = await running.press(AGENT, f"rem:edit:{reminder.id}:", detail.message_id or 0, method="sendMessage")
    assert "新的时间" in ask.text
    edited = await running.say(AGENT, "周五下午3点")
    assert "12月" not in edited.text and "11月27日 周五 15:00" in edited.text and "联系张先生" in edited.text
    [moved] = await running.reminders()
    assert moved.due_at == datetime(2026, 11, 27, 7, 0, tzinfo=UTC)
    assert await running.service.next_run_time(f"reminder:{moved.id}") == moved.due_at
    gone = await running.press(AGENT, f"rem:delete:{moved.id}:", edited.message_id or 0)
    assert "已删除" in gone.text
    assert (await running.reminders())[0].status == "deleted"
    assert f"reminder:{moved.id}" not in await running.service.job_ids()


async def test_unreadable_time_asks_again_and_questions_still_get_answers(running: Running) -> None:
    ask = await running.say(OWNER, "remind me to call Alice")
    assert "When should I remind you" in ask.text
    assert await running.reminders() == []


async def test_customer_card_button_sets_a_reminder_about_that_customer(running: Running) -> None:
    shop = Shop(running.db, running.workspace_id)
    mei = await shop.customer("Mei Ling", [(datetime(2026, 10, 1, tzinfo=UTC), 80)])
    card = await running.say(OWNER, "/customer Mei Ling")
    asked = await running.press(OWNER, f"remind:{mei}", card.message_id or 0, method="sendMessage")
    assert "Mei Ling" in asked.text
    confirm = await running.say(OWNER, "friday 4pm send the new catalogue")
    assert "Fri 27 Nov 16:00" in confirm.text
    [reminder] = await running.reminders()
    assert (reminder.customer_id, reminder.text) == (mei, "send the new catalogue")


async def test_group_alert_settings_and_assign_to_me(running: Running) -> None:
    ids = await at_risk_shop(running.db, running.workspace_id)
    await add_group(running.db, running.workspace_id, GROUP, weekly=False)
    settings_msg = await running.say(OWNER, "/alerts", chat_id=GROUP, chat_type="supergroup")
    assert "What this group receives" in settings_msg.text
    assert [d for _, d in settings_msg.buttons()] == [
        "alrt:alerts_enabled",
        "alrt:weekly_digest",
        "alrt:monthly_review",
    ]
    toggled = await running.press(
        OWNER, "alrt:weekly_digest", settings_msg.message_id or 0, chat_id=GROUP, chat_type="supergroup"
    )
    assert "✅ Weekly digest" in toggled.text or any("✅ Weekly digest" in t for t, _ in toggled.buttons())
    async with running.db.sessions() as s:
        group = (await s.execute(select(GroupChat).where(GroupChat.chat_id == GROUP))).scalar_one()
    assert group.weekly_digest is True

    running.service.clock = lambda: START + timedelta(hours=1)  # type: ignore[method-assign]
    mark = running.server.mark()
    await churn_scan(running.service, running.workspace_id)
    alert = await running.server.wait_call(
        "sendMessage", chat_id=GROUP, after=mark, where=lambda c: "slipping away" in c.text
    )
    took = await running.press(
        AGENT,
        f"assign:{ids['Bob']}",
        alert.message_id or 0,
        chat_id=GROUP,
        chat_type="supergroup",
        method="sendMessage",
    )
    assert "Bob" in took.text
    [reminder] = await running.reminders()
    assert (reminder.customer_id, reminder.chat_id) == (ids["Bob"], AGENT)
    assert reminder.due_at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # tomorrow 10:00 Singapore
    # A second press does not create a second reminder.
    mark = running.server.mark()
    running.server.press(
        OWNER, f"assign:{ids['Bob']}", message_id=alert.message_id or 0, chat_id=GROUP, chat_type="supergroup"
    )
    answer = await running.server.wait_call("answerCallbackQuery", after=mark)
    assert "Already taken" in str(answer.params.get("text")), running.server.calls[mark:]
    assert len(await running.reminders()) == 1


async def test_time_zone_chosen_in_setup_moves_the_daily_scan_at_once(running: Running) -> None:
    """A new team's owner picks New York in /start: the daily scan follows that local time without a restart."""
    from sqlalchemy import delete

    from storage.models import TeamMember

    async with running.db.sessions() as s:  # a team nobody has set up yet
        await s.execute(delete(TeamMember))
        await s.commit()
    scan = f"churn-scan:{running.workspace_id}"
    assert await running.service.next_run_time(scan) == datetime(2026, 11, 23, 9, 0, tzinfo=SG)
    first = await running.say(OWNER, "/start", language_code="en")
    currency = await running.press(OWNER, "setup:lang:en", first.message_id or 0)
    await running.press(OWNER, "setup:cur:USD", currency.message_id or 0)
    stores = await running.say(OWNER, "America/New_York")
    assert "America/New_York" in stores.text
    # 08:00 Monday in Singapore is 19:00 Sunday in New York: the next 09:00 there is Monday 14:00 UTC.
    assert await running.service.next_run_time(scan) == datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
