"""Reminders in chat: create them in plain words, /reminders to list and change them, and the buttons on them.

- Any private message the offline question parser reads as a reminder ("remind me tomorrow 10am to call Tan",
  "3天后提醒我联系张先生") creates one; `handle_reminder_query` does the same for the ask handler.
- The customer card's ⏰ button (`remind:<customer_id>`) asks when and what, and links the customer.
- Buttons (`rem:<action>:<id>:<arg>`): done, snooze 1h / tomorrow / next week, edit, delete, open, list.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import I18n
from bot.notifications import ReminderCB, customer_line, reminder_buttons, reminder_detail, reminder_list
from bot.prompting import ask_for_text
from bot.render import shown
from bot.settings import Settings
from crm.display import REMINDER_TEXT_MAX
from crm.query.reading import MessageReading
from crm.scheduling.reminder_parser import ReminderParseError
from crm.scheduling.reminders import ReminderJobs, create_from_text, edit_from_text, format_when, snooze_until
from handlers.customers import RemindCB
from handlers.routes import Routes
from storage.models import Reminder, TeamMember
from storage.repositories import reminders as repo
from storage.repositories.customer_desk import get_customer

routes = Routes(__name__)


class ReminderInput(StatesGroup):
    for_customer = State()
    edit = State()


def member_timezone(member: TeamMember | None, settings: Settings) -> str:
    return (
        member.timezone if member is not None and member.timezone else None
    ) or settings.workspace.timezone


def parse_error_text(exc: ReminderParseError, i18n: I18n, now: datetime, tz: str) -> str:
    if exc.reason == "no_time":
        return i18n("reminders.ask_when")
    if exc.reason == "empty":
        return i18n("reminders.ask_what")
    if exc.reason == "past":
        return i18n("reminders.past", when=html.escape(str(exc).split(" has ")[0]))
    if exc.reason == "too_far":
        return i18n("reminders.too_far")
    return i18n("reminders.bad_time", detail=html.escape(str(exc)))


def text_language(text: str) -> str:
    """The bot language a text is written in: Chinese when its Chinese characters are at least as many as its
    Latin words ("remind me to call 王芳 tomorrow" is English, "提醒我明天 call Tan" Chinese)."""
    import re

    from crm.query.parser import has_cjk

    chinese = sum(1 for c in text if has_cjk(c))
    return "zh" if chinese and chinese >= len(re.findall(r"[A-Za-z]+", text)) else "en"


async def handle_reminder_query(
    message: Message,
    text: str,
    *,
    session: AsyncSession,
    workspace_id: int,
    settings: Settings,
    clock: Callable[[], datetime],
    i18n: I18n,
    member: TeamMember | None,
    scheduler: ReminderJobs | None,
    customer_id: int | None = None,
) -> Reminder | None:
    """Create a reminder from the text and confirm it in the chat, in the update's unit of work (`session`), in
    the language it was written in (as a question is answered): a member who chose English and writes
    "下周一上午提醒我…" is answered in Chinese."""
    written = text_language(text)
    if written != i18n.language:
        i18n = I18n(written)
    if len(text.strip()) > REMINDER_TEXT_MAX:  # refused, not cut (an open question stays open)
        await message.answer(i18n("limits.reminder", limit=REMINDER_TEXT_MAX, length=len(text.strip())))
        return None
    now = clock()
    tz = member_timezone(member, settings)
    try:
        created = await create_from_text(
            session,
            workspace_id=workspace_id,
            chat_id=message.chat.id,
            text=text,
            now=now,
            timezone=tz,
            member_id=member.id if member else None,
            customer_id=customer_id,
        )
    except ReminderParseError as exc:
        await message.answer(parse_error_text(exc, i18n, now, tz))
        return None
    await session.commit()  # saved before it is scheduled and confirmed
    reminder = created.reminder
    if scheduler is not None:
        await scheduler.schedule_reminder(reminder.id, reminder.due_at)
    reply = i18n(
        "reminders.created",
        when=format_when(reminder.due_at, tz, i18n.language, now=now),
        text=shown(reminder.text, REMINDER_TEXT_MAX, multiline=True),
    )
    if created.customer_name:
        reply += "\n" + customer_line(created.customer_name, reminder.customer_id, i18n)
    await message.answer(reply, reply_markup=reminder_buttons(reminder, i18n, with_manage=True))
    return reminder


def looks_like_reminder(message: Message, reading: MessageReading | None = None) -> bool:
    """Filter: the message's offline reading is a reminder (drafts, questions: no)."""
    return reading is not None and reading.is_reminder


# --- creating ---------------------------------------------------------------------------------------------
@routes.message(Command("reminders", "reminder"), flags={"ability": "reminders"})
async def list_command(
    message: Message,
    session: AsyncSession,
    workspace_id: int,
    member: TeamMember,
    i18n: I18n,
    clock: Callable[[], datetime],
) -> None:
    text, markup = await _list(session, workspace_id, message.chat.id, member, i18n, clock())
    await message.answer(text, reply_markup=markup)


@routes.message(
    F.text, StateFilter(None), F.chat.type == "private", looks_like_reminder, flags={"ability": "reminders"}
)
async def reminder_text(
    message: Message,
    session: AsyncSession,
    workspace_id: int,
    settings: Settings,
    clock: Callable[[], datetime],
    i18n: I18n,
    member: TeamMember | None,
    scheduler: ReminderJobs | None = None,
) -> None:
    """Plain-language reminders; any other text goes on to the question handler."""
    await handle_reminder_query(
        message,
        message.text or "",
        session=session,
        workspace_id=workspace_id,
        settings=settings,
        clock=clock,
        i18n=i18n,
        member=member,
        scheduler=scheduler,
    )


@routes.callback_query(RemindCB.filter(), flags={"ability": "reminders"})
async def remind_about_customer(
    query: CallbackQuery,
    callback_data: RemindCB,
    state: FSMContext,
    session: AsyncSession,
    workspace_id: int,
    i18n: I18n,
) -> None:
    customer = await get_customer(session, workspace_id, callback_data.customer_id)
    await query.answer()
    if customer is None or not isinstance(query.message, Message):
        return
    await state.set_state(ReminderInput.for_customer)
    await state.update_data(customer_id=customer.id)
    await ask_for_text(
        query.message,
        i18n("reminders.ask_for_customer", name=shown(customer.display_name) or f"#{customer.id}"),
        user=query.from_user,
    )


@routes.message(ReminderInput.for_customer, F.text, ~F.text.startswith("/"), flags={"ability": "reminders"})
async def reminder_for_customer(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    workspace_id: int,
    settings: Settings,
    clock: Callable[[], datetime],
    i18n: I18n,
    member: TeamMember | None,
    scheduler: ReminderJobs | None = None,
) -> None:
    customer_id = int((await state.get_data())["customer_id"])
    created = await handle_reminder_query(
        message,
        message.text or "",
        session=session,
        workspace_id=workspace_id,
        settings=settings,
        clock=clock,
        i18n=i18n,
        member=member,
        scheduler=scheduler,
        customer_id=customer_id,
    )
    if created is not None:
        await state.clear()  # on a parse error the question stays open: the user answers again


@routes.message(ReminderInput.edit, F.text, ~F.text.startswith("/"), flags={"ability": "reminders"})
async def reminder_edited(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    workspace_id: int,
    i18n: I18n,
    clock: Callable[[], datetime],
    scheduler: ReminderJobs | None = None,
) -> None:
    if len((message.text or "").strip()) > REMINDER_TEXT_MAX:
        await message.answer(
            i18n("limits.reminder", limit=REMINDER_TEXT_MAX, length=len((message.text or "").strip()))
        )
        return
    reminder_id = int((await state.get_data())["reminder_id"])
    now = clock()
    reminder = await repo.get_reminder(session, reminder_id, workspace_id)
    if reminder is None or reminder.status == "deleted":
        await state.clear()
        await message.answer(i18n("reminders.not_found"))
        return
    try:
        reminder = await edit_from_text(session, reminder, message.text or "", now=now)
    except ReminderParseError as exc:
        await message.answer(parse_error_text(exc, i18n, now, reminder.timezone))
        return
    await session.commit()  # saved before it is rescheduled and confirmed
    await state.clear()
    if scheduler is not None:
        await scheduler.schedule_reminder(reminder.id, reminder.due_at)
    await message.answer(
        i18n(
            "reminders.edited",
            when=format_when(reminder.due_at, reminder.timezone, i18n.language, now=now),
            text=shown(reminder.text, REMINDER_TEXT_MAX, multiline=True),
        ),
        reply_markup=reminder_buttons(reminder, i18n, with_manage=True),
    )


# --- the buttons --------------------------------------------------------------------------------------------
async def _list(
    session: AsyncSession,
    workspace_id: int,
    chat_id: int,
    member: TeamMember | None,
    i18n: I18n,
    now: datetime,
) -> tuple[str, Any]:
    views = await repo.list_reminders(
        session, workspace_id, chat_id=chat_id, member_id=member.id if member else None, limit=20
    )
    return reminder_list([(v.reminder, v.customer_name) for v in views], i18n, now=now)


def _may_touch(reminder: Reminder, query: CallbackQuery, member: TeamMember | None) -> bool:
    chat_id = query.message.chat.id if query.message is not None else None
    return reminder.chat_id == chat_id or (member is not None and reminder.member_id == member.id)


@routes.callback_query(ReminderCB.filter(), flags={"ability": "reminders"})
async def reminder_button(
    query: CallbackQuery,
    callback_data: ReminderCB,
    state: FSMContext,
    session: AsyncSession,
    workspace_id: int,
    member: TeamMember,
    i18n: I18n,
    clock: Callable[[], datetime],
    scheduler: ReminderJobs | None = None,
) -> None:
    message = query.message if isinstance(query.message, Message) else None
    now = clock()
    action = callback_data.action
    if action == "list":
        await query.answer()
        if message is not None:
            text, markup = await _list(session, workspace_id, message.chat.id, member, i18n, now)
            await message.edit_text(text, reply_markup=markup)
        return
    view = await repo.reminder_view(session, callback_data.reminder_id)
    reminder = view.reminder if view is not None else None
    if (
        reminder is None
        or reminder.workspace_id != workspace_id
        or reminder.status == "deleted"
        or not _may_touch(reminder, query, member)
    ):
        await query.answer(i18n("reminders.not_found"), show_alert=True)
        return
    assert view is not None
    if action == "open":
        await query.answer()
        if message is not None:
            text, markup = reminder_detail(reminder, view.customer_name, i18n, now=now)
            await message.edit_text(text, reply_markup=markup)
        return
    if action == "edit":
        await state.set_state(ReminderInput.edit)
        await state.update_data(reminder_id=reminder.id)
        await query.answer()
        if message is not None:
            await ask_for_text(message, i18n("reminders.ask_edit"), user=query.from_user)
        return
    tz = ZoneInfo(reminder.timezone)
    if action == "snooze":
        due = snooze_until(callback_data.arg, due_at=reminder.due_at, now=now, tz=tz)
        await repo.reschedule(session, reminder.id, due)
        reply = i18n(
            "reminders.snoozed",
            when=format_when(due, tz, i18n.language, now=now),
            text=shown(reminder.text, REMINDER_TEXT_MAX, multiline=True),
        )
    elif action in ("done", "delete"):
        await repo.set_status(session, reminder.id, "done" if action == "done" else "deleted")
        reply = i18n(
            "reminders.marked_done" if action == "done" else "reminders.deleted",
            text=shown(reminder.text, REMINDER_TEXT_MAX, multiline=True),
        )
    else:
        await query.answer()
        return
    await session.commit()  # saved before the job changes and the message says so
    if scheduler is not None:
        if action == "snooze":
            await scheduler.schedule_reminder(reminder.id, due)
        else:
            await scheduler.cancel_reminder(reminder.id)
    await query.answer()
    if message is not None:
        await message.edit_text(reply, reply_markup=None)
