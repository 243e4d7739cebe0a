"""Group alert settings (/alerts) and the "assign to me" button under churn alerts.

`/alerts` in a bound group shows what the group receives (churn and KPI alerts, weekly digest, monthly review)
as buttons an admin switches (`alrt:<flag>`). `assign:<customer_id>` under a churn alert gives whoever presses
it a reminder about that customer (tomorrow 10:00 in their time zone) and tells the group who took it.
`chm:<scan time>:<offset>` ("show N more") posts the alert's next page, in the chat's alert language.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.alert_jobs import churn_page
from bot.i18n import I18n
from bot.notifications import AlertToggleCB, AssignCB, ChurnMoreCB, alert_settings_message
from bot.render import shown
from bot.settings import Settings
from crm.scheduling.reminders import ReminderJobs, assign_customer, format_when
from handlers.reminders import member_timezone
from handlers.routes import Routes
from storage.db import Database
from storage.models import GroupChat, TeamMember
from storage.repositories import alerts as alerts_repo
from storage.repositories import reminders as reminders_repo
from storage.repositories.customer_desk import get_customer

routes = Routes(__name__)

IN_GROUP = F.chat.type.in_({"group", "supergroup"})


@routes.message(Command("alerts"), IN_GROUP, flags={"ability": "alerts"})
async def alerts_settings(message: Message, group: GroupChat | None, i18n: I18n) -> None:
    if group is None:
        await message.answer(i18n("alerts.not_bound"))
        return
    text, markup = alert_settings_message(group, i18n)
    await message.answer(text, reply_markup=markup)


@routes.message(Command("alerts"), F.chat.type == "private")
async def alerts_in_private(message: Message, i18n: I18n) -> None:
    await message.answer(i18n("alerts.only_in_group"))


@routes.callback_query(AlertToggleCB.filter(), flags={"ability": "alerts"})
async def toggle(
    query: CallbackQuery, callback_data: AlertToggleCB, session: AsyncSession, workspace_id: int, i18n: I18n
) -> None:
    message = query.message if isinstance(query.message, Message) else None
    if message is None or callback_data.flag not in alerts_repo.GROUP_FLAGS:
        await query.answer()
        return
    group = await alerts_repo.group_by_chat(session, message.chat.id)
    if group is None or group.workspace_id != workspace_id:
        await query.answer(i18n("alerts.not_bound"), show_alert=True)
        return
    group = await alerts_repo.set_group_flag(
        session, message.chat.id, callback_data.flag, not getattr(group, callback_data.flag)
    )
    await session.commit()  # saved before the buttons say so
    assert group is not None
    text, markup = alert_settings_message(group, i18n)
    await query.answer()
    await message.edit_text(text, reply_markup=markup)


@routes.callback_query(AssignCB.filter(), flags={"ability": "reminders"})
async def assign_to_me(
    query: CallbackQuery,
    callback_data: AssignCB,
    session: AsyncSession,
    workspace_id: int,
    member: TeamMember,
    settings: Settings,
    i18n: I18n,
    clock: Callable[[], datetime],
    scheduler: ReminderJobs | None = None,
) -> None:
    now = clock()
    tz = member_timezone(member, settings)
    customer = await get_customer(session, workspace_id, callback_data.customer_id)
    if customer is None:
        await query.answer(i18n("reminders.not_found"), show_alert=True)
        return
    name = customer.display_name or f"#{customer.id}"
    assignment = await assign_customer(
        session,
        workspace_id=workspace_id,
        customer_id=customer.id,
        member_id=member.id,
        chat_id=member.telegram_user_id,
        text=i18n("alerts.assign_text", name=name),
        now=now,
        timezone=tz,
    )
    reminder = assignment.reminder
    if reminder is None:  # someone has it already (their assignment, in whatever language they use)
        who = assignment.taken_by
        owner = await reminders_repo.member_by_telegram(session, workspace_id, who) if who else None
        await query.answer(
            i18n("alerts.already_assigned", member=(owner.name if owner else None) or who or "?"),
            show_alert=True,
        )
        return
    await session.commit()  # saved before it is scheduled and the group is told
    if scheduler is not None:
        await scheduler.schedule_reminder(reminder.id, reminder.due_at)
    await query.answer()
    if query.message is not None:
        who_name = member.name or (
            query.from_user.full_name if query.from_user else str(member.telegram_user_id)
        )
        await query.message.answer(
            i18n(
                "alerts.assigned",
                member=shown(who_name),
                name=shown(name),
                when=format_when(reminder.due_at, tz, i18n.language, now=now),
            )
        )


@routes.callback_query(ChurnMoreCB.filter())
async def churn_more(
    query: CallbackQuery,
    callback_data: ChurnMoreCB,
    db: Database,
    workspace_id: int,
    settings: Settings,
    i18n: I18n,
    group: GroupChat | None = None,
) -> None:
    message = query.message if isinstance(query.message, Message) else None
    if message is None:
        await query.answer()
        return
    lang = I18n(group.language) if group is not None else i18n  # the group's alerts are in its language
    page = await churn_page(db, settings, workspace_id, callback_data.at, callback_data.offset, lang)
    if page is None:
        await query.answer(i18n("alerts.churn_page_gone"), show_alert=True)
        return
    await query.answer()
    # One tap, one page: the tapped button goes, the 'assign' buttons stay.
    markup = message.reply_markup
    if markup is not None:
        rows = [[b for b in row if b.callback_data != query.data] for row in markup.inline_keyboard]
        await message.edit_reply_markup(
            reply_markup=markup.model_copy(update={"inline_keyboard": [row for row in rows if row]})
        )
    text, keyboard = page
    await message.answer(text, reply_markup=keyboard)
