"""The scheduler on a controllable clock: reminders fire once at the right local time (DST zones too), survive
a restart, fire late within the grace period or are reported missed beyond it.

APScheduler reads the wall clock (datetime.now), so the clock is moved with time-machine and due jobs are
processed with `SchedulerService.run_due()`; no test sleeps for real time. Messages go to the fake Telegram
Bot API server on loopback through the real aiogram client.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import text

from bot.scheduler import SchedulerService, build_scheduler, sync_database_url
from crm.scheduling.reminders import create_from_text
from storage.models import Reminder
from storage.repositories import reminders as repo
from tests.fakes.telegram_server import FakeTelegramServer
from tests.scheduling_fixtures import add_member, bot, jobs_clean, make_service, make_settings, tg  # noqa: F401

CHAT = 424242


async def _create(db, workspace_id, text_: str, now: datetime, tz: str, chat: int = CHAT) -> Reminder:
    async with db.sessions() as s:
        created = await create_from_text(
            s, workspace_id=workspace_id, chat_id=chat, text=text_, now=now, timezone=tz
        )
        await s.commit()
        return created.reminder


async def _status(db, reminder_id: int) -> Reminder:
    async with db.sessions() as s:
        r = await repo.get_reminder(s, reminder_id)
        assert r is not None
        return r


def _reminders_sent(tg: FakeTelegramServer, chat: int = CHAT) -> list[str]:  # noqa: F811
    return [t for t in tg.sent_texts(chat) if "Reminder" in t or "reminder" in t]


@pytest.mark.parametrize(
    "tz, start, expected_utc",
    [
        # Saturday before New York springs forward (EST -> EDT on Sunday 14 March 2027 02:00).
        ("America/New_York", datetime(2027, 3, 13, 10, 0), datetime(2027, 3, 14, 14, 0, tzinfo=UTC)),
        # Saturday before London falls back (BST -> GMT on Sunday 25 October 2026 02:00).
        ("Europe/London", datetime(2026, 10, 24, 10, 0), datetime(2026, 10, 25, 10, 0, tzinfo=UTC)),
        ("Asia/Singapore", datetime(2026, 11, 23, 8, 0), datetime(2026, 11, 24, 2, 0, tzinfo=UTC)),
    ],
)
async def test_reminder_fires_once_at_local_time(
    db,
    jobs_clean,
    workspace_id,
    tg,
    bot,
    tz,
    start,  # noqa: F811
    expected_utc,
) -> None:
    settings = make_settings(db, timezone=tz)
    t0 = start.replace(tzinfo=ZoneInfo(tz))
    with time_machine.travel(t0, tick=False) as clock:
        reminder = await _create(db, workspace_id, "tomorrow 10am call Tan", t0, tz)
        assert reminder.due_at == expected_utc
        service = make_service(settings, db, bot, workspace_id)
        service.start()
        await service.started()
        await service.schedule_reminder(reminder.id, reminder.due_at)
        assert await service.next_run_time(f"reminder:{reminder.id}") == expected_utc
        try:
            clock.move_to(expected_utc - timedelta(seconds=1))
            await service.run_due()
            assert _reminders_sent(tg) == []
            clock.move_to(expected_utc)
            await service.run_due()
            sent = _reminders_sent(tg)
            assert len(sent) == 1 and "call Tan" in sent[0] and "late" not in sent[0]
            clock.move_to(expected_utc + timedelta(hours=2))
            await service.run_due()
            assert len(_reminders_sent(tg)) == 1
        finally:
            await service.stop()
    r = await _status(db, reminder.id)
    assert (r.status, r.late, r.fired_at) == ("fired", False, expected_utc)
    call = tg.calls_of("sendMessage")[-1]
    assert [d for _, d in call.buttons()][:4] == [
        f"rem:done:{r.id}:",
        f"rem:snooze:{r.id}:1h",
        f"rem:snooze:{r.id}:1d",
        f"rem:snooze:{r.id}:1w",
    ]


async def test_reminder_survives_a_restart(db, jobs_clean, workspace_id, tg, bot) -> None:  # noqa: F811
    settings = make_settings(db)
    t0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False) as clock:
        reminder = await _create(db, workspace_id, "in 3 days follow up with Alice", t0, "Asia/Singapore")
        first = make_service(settings, db, bot, workspace_id)
        first.start()
        await first.started()
        await first.schedule_reminder(reminder.id, reminder.due_at)
        await first.stop()
        # The job is in the database, not in the stopped process.
        async with db.engine.connect() as conn:
            ids = (await conn.execute(text("SELECT id FROM apscheduler_jobs"))).scalars().all()
        assert f"reminder:{reminder.id}" in ids

        second = make_service(settings, db, bot, workspace_id)
        second.start()
        await second.started()
        try:
            assert f"reminder:{reminder.id}" in await second.job_ids()
            clock.move_to(reminder.due_at)
            await second.run_due()
        finally:
            await second.stop()
    sent = _reminders_sent(tg)
    assert len(sent) == 1 and "follow up with Alice" in sent[0]
    assert (await _status(db, reminder.id)).status == "fired"


async def _down_at_due_time(db, workspace_id: int, bot, late_by: timedelta):  # type: ignore[no-untyped-def]  # noqa: F811
    """A reminder scheduled, the bot stopped, and started again `late_by` after the due time (grace 1 h)."""
    settings = make_settings(db, misfire_grace_seconds=3600)
    t0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False) as clock:
        reminder = await _create(db, workspace_id, "in 2 hours check stock", t0, "Asia/Singapore")
        first = make_service(settings, db, bot, workspace_id)
        first.start()
        await first.schedule_reminder(reminder.id, reminder.due_at)
        await first.stop()
        clock.move_to(reminder.due_at + late_by)
        second = make_service(settings, db, bot, workspace_id)
        second.start()
        try:
            await second.run_due()
            await second.run_due()
        finally:
            await second.stop()
    return reminder


async def test_missed_within_grace_fires_once_on_start_marked_late(
    db,
    jobs_clean,
    workspace_id,
    tg,  # noqa: F811
    bot,
) -> None:  # noqa: F811
    reminder = await _down_at_due_time(db, workspace_id, bot, timedelta(minutes=40))
    sent = _reminders_sent(tg)
    assert len(sent) == 1 and "sent late" in sent[0] and "check stock" in sent[0]
    r = await _status(db, reminder.id)
    assert (r.status, r.late) == ("fired", True)


async def test_missed_beyond_grace_is_reported_missed(db, jobs_clean, workspace_id, tg, bot) -> None:  # noqa: F811
    reminder = await _down_at_due_time(db, workspace_id, bot, timedelta(hours=5))
    texts = tg.sent_texts(CHAT)
    assert len(texts) == 1 and "Missed reminder" in texts[0] and "check stock" in texts[0]
    assert (await _status(db, reminder.id)).status == "missed"


async def test_reminder_written_by_another_process_is_picked_up(
    db,
    jobs_clean,
    workspace_id,
    tg,  # noqa: F811
    bot,
) -> None:  # noqa: F811
    """A bot replica (no local scheduler) only writes the row; the worker's sync gives it a job."""
    settings = make_settings(db)
    t0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False) as clock:
        replica = make_service(settings, db, bot, workspace_id, run_jobs=False)
        replica.start()  # a no-op: jobs run in the worker
        assert not replica.running
        reminder = await _create(db, workspace_id, "tomorrow 9am pack orders", t0, "Asia/Singapore")
        await replica.schedule_reminder(reminder.id, reminder.due_at)
        worker = make_service(settings, db, bot, workspace_id)
        worker.start()
        try:
            await worker.started()
            assert f"reminder:{reminder.id}" in await worker.job_ids()
            assert await worker.next_run_time(f"reminder:{reminder.id}") == reminder.due_at
            # The replica snoozes it by an hour: the worker follows the row.
            async with db.sessions() as s:
                await repo.reschedule(s, reminder.id, reminder.due_at + timedelta(hours=1))
                await s.commit()
            await replica.schedule_reminder(reminder.id, reminder.due_at + timedelta(hours=1))
            clock.move_to(reminder.due_at)
            await worker.run_due()
            assert _reminders_sent(tg) == []
            clock.move_to(reminder.due_at + timedelta(hours=1))
            await worker.sync_reminders()
            await worker.run_due()
        finally:
            await worker.stop()
    assert len(_reminders_sent(tg)) == 1
    assert (await _status(db, reminder.id)).status == "fired"


async def test_done_reminder_does_not_fire(db, jobs_clean, workspace_id, tg, bot) -> None:  # noqa: F811
    settings = make_settings(db)
    t0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    with time_machine.travel(t0, tick=False) as clock:
        reminder = await _create(db, workspace_id, "in 1 hour call Lee", t0, "Asia/Singapore")
        service = make_service(settings, db, bot, workspace_id)
        service.start()
        try:
            await service.schedule_reminder(reminder.id, reminder.due_at)
            async with db.sessions() as s:
                await repo.set_status(s, reminder.id, "done")
                await s.commit()
            clock.move_to(reminder.due_at + timedelta(minutes=1))
            await service.run_due()
        finally:
            await service.stop()
    assert tg.sent_texts(CHAT) == []


async def test_recurring_jobs_have_stable_ids_and_local_times(
    db,
    jobs_clean,
    workspace_id,
    tg,  # noqa: F811
    bot,
) -> None:  # noqa: F811
    settings = make_settings(db, timezone="America/New_York", churn_scan_hour=9)
    with time_machine.travel(datetime(2027, 3, 13, 12, 0, tzinfo=UTC), tick=False):
        service = make_service(settings, db, bot, workspace_id)
        service.start()
        try:
            await service.started()
            ids = set(await service.job_ids())
            assert {
                f"churn-scan:{workspace_id}",
                f"digest-weekly:{workspace_id}",
                f"digest-monthly:{workspace_id}",
                "reminders-sync",
            } <= ids
            # 09:00 in New York on Sunday 14 March is already daylight time (13:00 UTC, not 14:00).
            assert await service.next_run_time(f"churn-scan:{workspace_id}") == datetime(
                2027, 3, 13, 14, 0, tzinfo=UTC
            )
            nxt = await service.next_run_time(f"digest-weekly:{workspace_id}")
            assert nxt == datetime(2027, 3, 15, 13, 0, tzinfo=UTC)  # Monday 09:00 EDT
            # The owner moves the workspace to Singapore in /start: the jobs follow without a restart.
            settings.workspace.timezone = "Asia/Singapore"
            await service.refresh_recurring_jobs()
            assert await service.next_run_time(f"churn-scan:{workspace_id}") == datetime(
                2027, 3, 14, 1, 0, tzinfo=UTC
            )
        finally:
            await service.stop()


def test_sync_url_for_the_job_store() -> None:
    assert sync_database_url("sqlite+aiosqlite:///data/s.db") == "sqlite:///data/s.db"
    assert sync_database_url("postgresql+asyncpg://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    with pytest.raises(ValueError):
        sync_database_url("sqlite+aiosqlite:///:memory:")


async def test_build_scheduler_honours_run_in_bot(db, workspace_id) -> None:
    settings = make_settings(db, run_in_bot=False)
    assert not build_scheduler(settings, db, None, workspace_id=workspace_id).run_jobs
    assert build_scheduler(settings, db, None, workspace_id=workspace_id, worker=True).run_jobs
    assert isinstance(build_scheduler(make_settings(db), db, None), SchedulerService)
    _ = add_member  # fixtures module is shared with the alert tests


async def test_assign_to_me_is_decided_by_the_reminders_kind_not_its_words(db, workspace_id) -> None:  # noqa: F811
    """A customer assigned in Chinese is taken for an English speaker too; a reminder of one's own about the
    same customer, even with the assignment's words, is not an assignment."""
    from crm.scheduling.reminders import ASSIGNMENT, assign_customer
    from storage.models import Customer

    zh_member = await add_member(db, workspace_id, 9101, language="zh")
    en_member = await add_member(db, workspace_id, 9102)
    now = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
    async with db.sessions() as s:
        customer = Customer(workspace_id=workspace_id, display_name="Tan Wei Ling", country="SG")
        s.add(customer)
        await s.flush()
        await repo.create_reminder(  # a reminder of one's own, worded like an assignment
            s,
            workspace_id=workspace_id,
            member_id=en_member,
            chat_id=9102,
            customer_id=customer.id,
            text="Win back Tan Wei Ling (churn alert)",
            due_at=now + timedelta(days=1),
            timezone="Asia/Singapore",
        )
        first = await assign_customer(
            s,
            workspace_id=workspace_id,
            customer_id=customer.id,
            member_id=zh_member,
            chat_id=9101,
            text="挽回客户 Tan Wei Ling（流失预警）",
            now=now,
            timezone="Asia/Singapore",
        )
        assert first.reminder is not None and first.reminder.kind == ASSIGNMENT
        assert first.reminder.due_at == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # tomorrow 10:00 there
        second = await assign_customer(
            s,
            workspace_id=workspace_id,
            customer_id=customer.id,
            member_id=en_member,
            chat_id=9102,
            text="Win back Tan Wei Ling (churn alert)",
            now=now,
            timezone="Asia/Singapore",
        )
        assert second.reminder is None and second.taken_by == 9101
        await s.rollback()
