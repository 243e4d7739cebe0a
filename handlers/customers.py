"""The customer card: find a customer (/customer), show the profile, tag, note, draft outreach, set a reminder.

Card buttons and their callback data (other areas handle the last two):
`ctag:<id>` tag, `cnote:<id>` add a note, `draft:<id>` draft outreach (handlers/outreach.py),
`remind:<id>` set a reminder (handlers/reminders.py), `cust:<id>` open a card from a search result list.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import I18n
from bot.prompting import ask_for_text
from bot.render import shown
from bot.settings import Settings
from crm import loyalty
from crm.display import NOTE_LENGTH, NOTE_MAX, TAG_MAX, TAGS_PER_ENTRY
from crm.query.texts import customer_line
from crm.rights import Actor, consent_lines, record_act
from handlers.routes import Routes
from storage.db import Database
from storage.models import TeamMember
from storage.repositories import audit, customer_desk
from storage.repositories.currency import base_currency

log = logging.getLogger(__name__)
routes = Routes(__name__)

TAGS_LENGTH = 300  # all of a customer's tags on the card, as one line: the card stays one message


class OpenCustomerCB(CallbackData, prefix="cust"):
    customer_id: int


class TagCB(CallbackData, prefix="ctag"):
    customer_id: int


class NoteCB(CallbackData, prefix="cnote"):
    customer_id: int


class DraftCB(CallbackData, prefix="draft"):
    """Handled by handlers/outreach.py: draft a message to this customer."""

    customer_id: int


class RemindCB(CallbackData, prefix="remind"):
    """Handled by handlers/reminders.py: set a reminder about this customer."""

    customer_id: int


class CardInput(StatesGroup):
    search = State()
    tag = State()
    note = State()


def card_keyboard(customer_id: int, i18n: I18n) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    kb.button(text=i18n("card.tag"), callback_data=TagCB(customer_id=customer_id))
    kb.button(text=i18n("card.note"), callback_data=NoteCB(customer_id=customer_id))
    kb.button(text=i18n("card.draft"), callback_data=DraftCB(customer_id=customer_id))
    kb.button(text=i18n("card.remind"), callback_data=RemindCB(customer_id=customer_id))
    kb.adjust(2)
    return kb.as_markup()


def picker_label(
    hit: customer_desk.CustomerHit, settings: Settings, language: str, currency: str | None = None
) -> str:
    """A customer on a button when several match, with what tells same-name customers apart (#id, platform,
    country, last order in the shop's time zone, spend); the name is cleaned and gives way first. `currency`:
    the workspace's as read now (another process may have changed it since this one started)."""
    return customer_line(
        hit,
        currency or settings.workspace.base_currency,
        language,
        short=True,
        tz=ZoneInfo(settings.workspace.timezone),
    )


def _date(value: datetime | None, tz: str) -> str:
    """A stored (UTC) moment as the shop's local date, as every answer gives dates."""
    return value.astimezone(ZoneInfo(tz)).date().isoformat() if value is not None else "—"


async def card_text(
    session: AsyncSession,
    workspace_id: int,
    customer_id: int,
    i18n: I18n,
    *,
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime],
) -> str | None:
    """The card: the analytics profile (segment, CLV, ...) when that area is installed, then the desk facts."""
    summary = await customer_desk.customer_summary(session, workspace_id, customer_id)
    if summary is None:
        return None
    lines = [
        f"<b>{shown(summary.name) or f'#{summary.id}'}</b>"
        + (f" · {shown(summary.country)}" if summary.country else "")
    ]
    profile = await _profile_text(db, workspace_id, customer_id, settings, clock, i18n.language)
    if profile:
        lines.append(html.escape(profile))
    currency = await base_currency(session, workspace_id) or settings.workspace.base_currency
    money = f"{summary.revenue:,.2f} {currency}" if summary.revenue is not None else "—"
    tz = settings.workspace.timezone
    lines.append(
        i18n(
            "card.orders",
            orders=summary.orders,
            revenue=money,
            first=_date(summary.first_order, tz),
            last=_date(summary.last_order, tz),
        )
    )
    if summary.platforms:
        handles = ", ".join(filter(None, (shown(u) for u in summary.usernames[:4])))
        lines.append(
            i18n("card.platforms", platforms=html.escape(", ".join(summary.platforms)))
            + (f" ({handles})" if handles else "")
        )
    if summary.accepts_marketing is not None:
        lines.append(i18n("card.marketing_yes" if summary.accepts_marketing else "card.marketing_no"))
    history = await consent_lines(session, workspace_id, customer_id, i18n.language, tz)
    lines.extend(html.escape(line, quote=False) for line in history)
    lines.append(await _points_line(session, workspace_id, customer_id, i18n, settings, clock))
    lines.append(i18n("card.tags", tags=shown(", ".join(summary.tags[:50]), TAGS_LENGTH) or "—"))
    for note in summary.notes:
        lines.append("📝 " + shown(note, NOTE_LENGTH, multiline=True))
    return "\n".join(lines)


async def _points_line(
    session: AsyncSession,
    workspace_id: int,
    customer_id: int,
    i18n: I18n,
    settings: Settings,
    clock: Callable[[], datetime],
) -> str:
    """The balance (the ledger's sum) and the next points to expire."""
    ws = settings.workspace
    acc = await loyalty.account(
        session,
        workspace_id,
        customer_id,
        expiry_days=ws.loyalty_expiry_days,
        tz=ws.timezone,
        now=clock(),
        recent=0,
    )
    soon = acc.position.next_expiry()
    expiring = i18n("card.points_expiring", points=soon[1], date=soon[0].isoformat()) if soon else ""
    return i18n("card.points", points=acc.balance, expiring=expiring)


async def _profile_text(
    db: Database,
    workspace_id: int,
    customer_id: int,
    settings: Settings,
    clock: Callable[[], datetime],
    language: str = "en",
) -> str | None:
    try:
        from crm.query.compiler import customer_profile  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        result: Any = await customer_profile(
            db=db,
            workspace_id=workspace_id,
            customer_id=customer_id,
            settings=settings,
            as_of=clock(),
            language=language,
        )
    except TypeError:  # a different signature than agreed: show the desk facts only
        log.exception("crm.query.compiler.customer_profile has an unexpected signature")
        return None
    return getattr(result, "text", None) or (str(result) if result else None)


async def show_card(
    message: Message,
    customer_id: int,
    session: AsyncSession,
    workspace_id: int,
    i18n: I18n,
    *,
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime],
    viewer: int | None = None,
) -> None:
    """The card of one customer; `viewer` (the Telegram user who asked) is recorded in the audit trail."""
    text = await card_text(session, workspace_id, customer_id, i18n, db=db, settings=settings, clock=clock)
    if text is None:
        await message.answer(i18n("card.not_found", query=f"#{customer_id}"))
        return
    await message.answer(text, reply_markup=card_keyboard(customer_id, i18n))
    await record_act(
        db, workspace_id, "viewed", Actor("telegram", telegram_user_id=viewer), f"customer:{customer_id}"
    )


async def search_and_show(
    message: Message,
    query: str,
    session: AsyncSession,
    workspace_id: int,
    i18n: I18n,
    *,
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime],
) -> None:
    hits = await customer_desk.search_customers(session, workspace_id, query, limit=10)
    if not hits:
        await message.answer(i18n("card.not_found", query=shown(query)))
    elif len(hits) == 1:
        viewer = message.from_user.id if message.from_user else None
        await show_card(
            message,
            hits[0].id,
            session,
            workspace_id,
            i18n,
            db=db,
            settings=settings,
            clock=clock,
            viewer=viewer,
        )
    else:
        kb = InlineKeyboardBuilder()
        currency = await base_currency(session, workspace_id)
        for hit in hits:
            kb.button(
                text=picker_label(hit, settings, i18n.language, currency),
                callback_data=OpenCustomerCB(customer_id=hit.id),
            )
        kb.adjust(1)
        await message.answer(i18n("card.choose", n=len(hits)), reply_markup=kb.as_markup())


@routes.message(Command("customer"), flags={"ability": "ask"})
async def customer_command(
    message: Message,
    command: CommandObject,
    state: FSMContext,
    session: AsyncSession,
    workspace_id: int,
    i18n: I18n,
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime],
) -> None:
    if not command.args:
        await state.set_state(CardInput.search)
        await ask_for_text(message, i18n("card.ask_search"), user=message.from_user)
        return
    await search_and_show(
        message, command.args, session, workspace_id, i18n, db=db, settings=settings, clock=clock
    )


@routes.message(CardInput.search, F.text, ~F.text.startswith("/"), flags={"ability": "ask"})
async def customer_search_text(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    workspace_id: int,
    i18n: I18n,
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime],
) -> None:
    await state.clear()
    await search_and_show(
        message, message.text or "", session, workspace_id, i18n, db=db, settings=settings, clock=clock
    )


@routes.callback_query(OpenCustomerCB.filter(), flags={"ability": "ask"})
async def open_card(
    query: CallbackQuery,
    callback_data: OpenCustomerCB,
    session: AsyncSession,
    workspace_id: int,
    i18n: I18n,
    db: Database,
    settings: Settings,
    clock: Callable[[], datetime],
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await show_card(
            query.message,
            callback_data.customer_id,
            session,
            workspace_id,
            i18n,
            db=db,
            settings=settings,
            clock=clock,
            viewer=query.from_user.id,
        )


@routes.callback_query(TagCB.filter(), flags={"ability": "customer_notes"})
async def tag_pressed(query: CallbackQuery, callback_data: TagCB, state: FSMContext, i18n: I18n) -> None:
    await state.set_state(CardInput.tag)
    await state.update_data(customer_id=callback_data.customer_id)
    await query.answer()
    if isinstance(query.message, Message):
        await ask_for_text(query.message, i18n("card.ask_tag"), user=query.from_user)


@routes.message(CardInput.tag, F.text, ~F.text.startswith("/"), flags={"ability": "customer_notes"})
async def tag_entered(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    workspace_id: int,
    member: TeamMember,
    i18n: I18n,
) -> None:
    names = [t.strip() for t in (message.text or "").replace("，", ",").split(",") if t.strip()]
    if len(names) > TAGS_PER_ENTRY or any(len(n) > TAG_MAX for n in names):  # the question stays open
        key, limit = (
            ("limits.tags", TAGS_PER_ENTRY) if len(names) > TAGS_PER_ENTRY else ("limits.tag", TAG_MAX)
        )
        await message.answer(i18n(key, limit=limit))
        return
    customer_id = int((await state.get_data())["customer_id"])
    await state.clear()
    if await customer_desk.get_customer(session, workspace_id, customer_id) is None or not names:
        await message.answer(i18n("card.not_found", query=f"#{customer_id}"))
        return
    for name in names:
        await customer_desk.add_tag(session, workspace_id, customer_id, name)
    await audit.record(
        session,
        workspace_id,
        "changed",
        actor="telegram",
        member_id=member.id,
        subject=f"customer:{customer_id}",
        detail={"tags_added": len(names)},
    )
    await session.commit()  # saved before we say so
    await message.answer(i18n("card.tagged", tags=html.escape(", ".join(n.lower() for n in names))))


@routes.callback_query(NoteCB.filter(), flags={"ability": "customer_notes"})
async def note_pressed(query: CallbackQuery, callback_data: NoteCB, state: FSMContext, i18n: I18n) -> None:
    await state.set_state(CardInput.note)
    await state.update_data(customer_id=callback_data.customer_id)
    await query.answer()
    if isinstance(query.message, Message):
        await ask_for_text(query.message, i18n("card.ask_note"), user=query.from_user)


@routes.message(CardInput.note, F.text, ~F.text.startswith("/"), flags={"ability": "customer_notes"})
async def note_entered(
    message: Message,
    state: FSMContext,
    session: AsyncSession,
    workspace_id: int,
    member: TeamMember,
    i18n: I18n,
) -> None:
    note = (message.text or "").strip()
    if len(note) > NOTE_MAX:  # refused, not cut: the question stays open for a shorter note
        await message.answer(i18n("limits.note", limit=NOTE_MAX, length=len(note)))
        return
    customer_id = int((await state.get_data())["customer_id"])
    await state.clear()
    if await customer_desk.get_customer(session, workspace_id, customer_id) is None:
        await message.answer(i18n("card.not_found", query=f"#{customer_id}"))
        return
    await customer_desk.add_note(session, workspace_id, customer_id, note, member_id=member.id)
    await audit.record(
        session,
        workspace_id,
        "changed",
        actor="telegram",
        member_id=member.id,
        subject=f"customer:{customer_id}",
        detail={"note_added": 1},
    )
    await session.commit()
    await message.answer(i18n("card.noted"))
