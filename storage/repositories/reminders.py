"""Reminders repository: reminders and their state changes, and which pending ones still lack a scheduler job.

Status life cycle: pending -> fired (the message was sent; `late` when it went out after its due time
because the bot was down) -> done; pending -> missed (due longer ago than the grace period; reported);
any -> deleted. Firing is claimed with a conditional UPDATE, so two processes never fire the same reminder.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    Column,
    Float,
    LargeBinary,
    MetaData,
    String,
    Table,
    Unicode,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import rows_affected
from storage.models import Customer, Reminder, TeamMember

JOBS_TABLE = "apscheduler_jobs"
JOB_PREFIX = "reminder:"
OPEN_STATUSES = ("pending", "fired")


def jobs_table(name: str = JOBS_TABLE) -> Table:
    """APScheduler's SQLAlchemyJobStore table (it creates it itself; this mirror is only for reading ids)."""
    return Table(
        name,
        MetaData(),
        Column("id", Unicode(191), primary_key=True),
        Column("next_run_time", Float(25), index=True),
        Column("job_state", LargeBinary, nullable=False),
    )


def job_id(reminder_id: int) -> str:
    return f"{JOB_PREFIX}{reminder_id}"


@dataclass(frozen=True)
class ReminderView:
    """A reminder with what the bot shows next to it."""

    reminder: Reminder
    customer_name: str | None
    member_telegram_id: int | None
    member_language: str | None


async def create_reminder(
    session: AsyncSession,
    *,
    workspace_id: int,
    chat_id: int,
    text: str,
    due_at: datetime,
    timezone: str,
    member_id: int | None = None,
    customer_id: int | None = None,
) -> Reminder:
    reminder = Reminder(
        workspace_id=workspace_id,
        member_id=member_id,
        chat_id=chat_id,
        customer_id=customer_id,
        text=text,
        due_at=due_at,
        timezone=timezone,
        status="pending",
        late=False,
    )
    session.add(reminder)
    await session.flush()
    return reminder


async def get_reminder(
    session: AsyncSession, reminder_id: int, workspace_id: int | None = None
) -> Reminder | None:
    reminder = await session.get(Reminder, reminder_id, populate_existing=True)
    if reminder is None or (workspace_id is not None and reminder.workspace_id != workspace_id):
        return None
    return reminder


async def reminder_view(session: AsyncSession, reminder_id: int) -> ReminderView | None:
    row = (
        await session.execute(
            select(Reminder, Customer.display_name, TeamMember.telegram_user_id, TeamMember.language)
            .outerjoin(Customer, Customer.id == Reminder.customer_id)
            .outerjoin(TeamMember, TeamMember.id == Reminder.member_id)
            .where(Reminder.id == reminder_id)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if row is None:
        return None
    return ReminderView(row[0], row[1], row[2], row[3])


async def list_reminders(
    session: AsyncSession,
    workspace_id: int,
    *,
    chat_id: int | None = None,
    member_id: int | None = None,
    statuses: Sequence[str] = OPEN_STATUSES,
    limit: int = 50,
) -> list[ReminderView]:
    """Reminders of a chat or of a member (either matches), soonest first."""
    cond = [Reminder.workspace_id == workspace_id, Reminder.status.in_(statuses)]
    who = []
    if chat_id is not None:
        who.append(Reminder.chat_id == chat_id)
    if member_id is not None:
        who.append(Reminder.member_id == member_id)
    if who:
        cond.append(or_(*who))
    rows = (
        await session.execute(
            select(Reminder, Customer.display_name, TeamMember.telegram_user_id, TeamMember.language)
            .outerjoin(Customer, Customer.id == Reminder.customer_id)
            .outerjoin(TeamMember, TeamMember.id == Reminder.member_id)
            .where(*cond)
            .order_by(Reminder.due_at, Reminder.id)
            .limit(limit)
        )
    ).all()
    return [ReminderView(r[0], r[1], r[2], r[3]) for r in rows]


async def claim_fire(
    session: AsyncSession, reminder_id: int, *, fired_at: datetime, late: bool, due_before: datetime
) -> bool:
    """pending -> fired if it is still pending and due; False when someone else did it or it moved later."""
    result = await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == "pending", Reminder.due_at <= due_before)
        .values(status="fired", fired_at=fired_at, late=late)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


async def claim_missed(
    session: AsyncSession, reminder_id: int, *, at: datetime, due_before: datetime
) -> bool:
    result = await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status == "pending", Reminder.due_at <= due_before)
        .values(status="missed", fired_at=at, late=True)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


async def release(session: AsyncSession, reminder_id: int) -> None:
    """Back to pending after a message could not be delivered (the scheduler will try again)."""
    await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status.in_(("fired", "missed")))
        .values(status="pending", fired_at=None, late=False)
        .execution_options(synchronize_session=False)
    )


async def set_status(session: AsyncSession, reminder_id: int, status: str) -> bool:
    result = await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status != "deleted")
        .values(status=status)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


async def reschedule(
    session: AsyncSession, reminder_id: int, due_at: datetime, *, text: str | None = None
) -> bool:
    """A new due time (snooze or edit): pending again, whatever it was, unless deleted."""
    values: dict[str, object] = {"due_at": due_at, "status": "pending", "late": False, "fired_at": None}
    if text is not None:
        values["text"] = text
    result = await session.execute(
        update(Reminder)
        .where(Reminder.id == reminder_id, Reminder.status != "deleted")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(rows_affected(result))


async def unscheduled_pending(
    session: AsyncSession, *, table: str = JOBS_TABLE, limit: int = 5000
) -> list[tuple[int, datetime]]:
    """Pending reminders with no job in the scheduler's job store: created by another process, or lost."""
    jobs = jobs_table(table)
    job_key = literal(JOB_PREFIX, String) + cast(Reminder.id, String)  # `||` on both backends
    rows = (
        await session.execute(
            select(Reminder.id, Reminder.due_at)
            .where(Reminder.status == "pending", ~exists().where(and_(jobs.c.id == job_key)))
            .order_by(Reminder.due_at)
            .limit(limit)
        )
    ).all()
    return [(int(r[0]), r[1]) for r in rows]


async def count_by_status(session: AsyncSession, workspace_id: int | None = None) -> dict[str, int]:
    stmt = select(Reminder.status, func.count()).group_by(Reminder.status)
    if workspace_id is not None:
        stmt = stmt.where(Reminder.workspace_id == workspace_id)
    return {str(s): int(n) for s, n in (await session.execute(stmt)).all()}


async def delete_job_row(session: AsyncSession, reminder_id: int, *, table: str = JOBS_TABLE) -> None:
    """Drop a reminder's job where no scheduler runs in this process; the worker re-creates it from the row."""
    jobs = jobs_table(table)
    await session.execute(jobs.delete().where(jobs.c.id == job_id(reminder_id)))


async def member_by_telegram(
    session: AsyncSession, workspace_id: int, telegram_user_id: int
) -> TeamMember | None:
    return (
        await session.execute(
            select(TeamMember).where(
                TeamMember.workspace_id == workspace_id, TeamMember.telegram_user_id == telegram_user_id
            )
        )
    ).scalar_one_or_none()
