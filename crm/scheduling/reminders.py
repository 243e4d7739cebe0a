"""Reminder use cases without Telegram: create from plain language, snooze, edit, and how a due time reads."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from crm.scheduling.reminder_parser import ParsedReminder, ReminderParseError, parse_reminder
from storage.models import Reminder
from storage.repositories import reminders as repo
from storage.repositories.customer_desk import get_customer, search_customers

SnoozeOption = Literal["1h", "1d", "1w"]
SNOOZE_OPTIONS: tuple[str, ...] = ("1h", "1d", "1w")
_ZH_WEEKDAYS = "一二三四五六日"
_HONORIFIC = re.compile(r"(先生|小姐|女士|太太|夫人|老板|老师|经理|总|姐|哥)$")


class ReminderJobs(Protocol):
    """The scheduler as reminders see it: a reminder's job is (re)scheduled at its due time, or cancelled."""

    async def schedule_reminder(self, reminder_id: int, due_at: datetime) -> None: ...

    async def cancel_reminder(self, reminder_id: int) -> None: ...


@dataclass(frozen=True)
class CreatedReminder:
    reminder: Reminder
    parsed: ParsedReminder
    customer_name: str | None


def snooze_until(option: str, *, due_at: datetime, now: datetime, tz: ZoneInfo) -> datetime:
    """The new due time: 1h from now; tomorrow / in a week at the reminder's own local time of day.

    A reminder still in the future is postponed from its due time; one that already fired, from now.
    """
    if option not in SNOOZE_OPTIONS:
        raise ValueError(f"unknown snooze option {option!r}")
    if option == "1h":
        return max(due_at, now) + timedelta(hours=1)
    local_due = due_at.astimezone(tz)
    base_day = local_due.date() if due_at > now else now.astimezone(tz).date()
    day = base_day + timedelta(days=1 if option == "1d" else 7)
    naive = datetime.combine(day, local_due.time().replace(tzinfo=None))
    return naive.replace(tzinfo=tz).astimezone(UTC)


async def resolve_customer(
    session: AsyncSession, workspace_id: int, ref: str | None
) -> tuple[int | None, str | None]:
    """The one customer a name points at, or (None, None) when it matches nobody or several people."""
    if not ref:
        return None, None
    hits = await search_customers(session, workspace_id, ref, limit=2)
    if not hits:
        bare = _HONORIFIC.sub("", ref)
        if bare != ref and len(bare) >= 1:
            hits = await search_customers(session, workspace_id, bare, limit=2)
    if len(hits) == 1:
        return hits[0].id, hits[0].name
    return None, None


async def create_from_text(
    session: AsyncSession,
    *,
    workspace_id: int,
    chat_id: int,
    text: str,
    now: datetime,
    timezone: str,
    member_id: int | None = None,
    customer_id: int | None = None,
) -> CreatedReminder:
    """Parse and store a reminder (raises ReminderParseError); links the customer it names when unambiguous."""
    parsed = parse_reminder(text, now=now, timezone=timezone)
    name: str | None = None
    if customer_id is not None:
        customer = await get_customer(session, workspace_id, customer_id)
        if customer is None:
            customer_id = None
        else:
            name = customer.display_name or f"#{customer.id}"
    else:
        customer_id, name = await resolve_customer(session, workspace_id, parsed.customer_ref)
    reminder = await repo.create_reminder(
        session,
        workspace_id=workspace_id,
        member_id=member_id,
        chat_id=chat_id,
        customer_id=customer_id,
        text=parsed.text,
        due_at=parsed.due_at,
        timezone=timezone,
    )
    return CreatedReminder(reminder, parsed, name)


def format_when(
    moment: datetime, tz: ZoneInfo | str, language: str = "en", *, now: datetime | None = None
) -> str:
    """ "Tue 24 Nov 10:00" / "11月24日 周二 10:00" in the reminder's time zone (year shown when not this year)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    local = moment.astimezone(zone)
    this_year = (now or datetime.now(UTC)).astimezone(zone).year
    if language == "zh":
        year = f"{local.year}年" if local.year != this_year else ""
        return f"{year}{local.month}月{local.day}日 周{_ZH_WEEKDAYS[local.weekday()]} {local:%H:%M}"
    year = f" {local.year}" if local.year != this_year else ""
    return f"{local:%a} {local.day} {local:%b}{year} {local:%H:%M}"


async def edit_from_text(session: AsyncSession, reminder: Reminder, text: str, *, now: datetime) -> Reminder:
    """Move and/or reword a reminder from plain language: "Friday 3pm", "call Tan instead", or both.

    Raises ReminderParseError when the words name a time that cannot be used (past, invalid).
    """
    try:
        parsed = parse_reminder(text, now=now, timezone=reminder.timezone, allow_empty=True)
        due, new_text = parsed.due_at, parsed.text or None
    except ReminderParseError as exc:
        if exc.reason != "no_time" or not text.strip():
            raise
        due, new_text = reminder.due_at, text.strip()[:500]
    await repo.reschedule(session, reminder.id, due, text=new_text)
    refreshed = await repo.get_reminder(session, reminder.id)
    assert refreshed is not None
    return refreshed


def assignment_due(now: datetime, tz: ZoneInfo, hour: int = 10) -> datetime:
    """When an 'assign to me' reminder is due: tomorrow at 10:00 in the member's time zone."""
    day = now.astimezone(tz).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, hour, tzinfo=tz).astimezone(UTC)


ASSIGNMENT = "assignment"  # Reminder.kind of an 'assign to me' reminder


@dataclass(frozen=True)
class Assignment:
    """The outcome of 'assign to me': the new reminder, or who already has the customer (taken_by, a
    Telegram user id, None when that member has gone)."""

    reminder: Reminder | None
    taken_by: int | None = None


async def assign_customer(
    session: AsyncSession,
    *,
    workspace_id: int,
    customer_id: int,
    member_id: int,
    chat_id: int,
    text: str,
    now: datetime,
    timezone: str,
) -> Assignment:
    """Give a member a follow-up reminder about a customer (tomorrow 10:00 their time), unless someone already
    has a pending assignment for that customer: decided by the reminder's kind, whatever language it is in."""
    taken = await repo.pending_of_kind(session, workspace_id, customer_id, ASSIGNMENT)
    if taken is not None:
        return Assignment(reminder=None, taken_by=taken.member_telegram_id)
    reminder = await repo.create_reminder(
        session,
        workspace_id=workspace_id,
        member_id=member_id,
        chat_id=chat_id,
        customer_id=customer_id,
        text=text,
        due_at=assignment_due(now, ZoneInfo(timezone)),
        timezone=timezone,
        kind=ASSIGNMENT,
    )
    return Assignment(reminder=reminder)
