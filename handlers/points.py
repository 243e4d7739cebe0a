"""Loyalty points for owners and admins: /points 12 (balance, expiring soon, last rows), /redeem 12 200 voucher,
/adjust 12 -50 goodwill correction. The rule is crm/loyalty.py's; every change is a ledger row with its reason
and who made it, and an audit event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import I18n
from bot.points_view import points_text
from bot.settings import Settings
from crm import loyalty
from crm.display import customer_number
from handlers.routes import Routes
from storage.models import TeamMember
from storage.repositories import customer_desk

routes = Routes(__name__)


def _amount(word: str) -> int | None:
    word = word.replace(",", "").strip()
    body = word.lstrip("+-")
    if not body.isdigit() or len(body) > 10:
        return None
    return -int(body) if word.startswith("-") else int(body)


async def _show(
    message: Message,
    session: AsyncSession,
    workspace_id: int,
    customer_id: int,
    i18n: I18n,
    settings: Settings,
    now: datetime,
    acc: loyalty.Account | None = None,
    first: str = "",
) -> None:
    ws = settings.workspace
    customer = await customer_desk.get_customer(session, workspace_id, customer_id)
    if customer is None:
        await message.answer(i18n("points.no_customer", id=customer_id))
        return
    if acc is None:
        acc = await loyalty.account(
            session, workspace_id, customer_id, expiry_days=ws.loyalty_expiry_days, tz=ws.timezone, now=now
        )
    await message.answer(first + points_text(acc, i18n, ws.timezone, customer.display_name))


@routes.message(Command("points"), flags={"ability": "points"})
async def points_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    workspace_id: int,
    i18n: I18n,
    settings: Settings,
    clock: Callable[[], datetime],
) -> None:
    customer_id = customer_number(command.args or "")
    if customer_id is None:
        await message.answer(i18n("points.usage"))
        return
    await _show(message, session, workspace_id, customer_id, i18n, settings, clock())


async def _change(
    reason: str,
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    workspace_id: int,
    member: TeamMember,
    i18n: I18n,
    settings: Settings,
    clock: Callable[[], datetime],
) -> None:
    words = (command.args or "").split(maxsplit=2)
    customer_id = customer_number(words[0]) if words else None
    amount = _amount(words[1]) if len(words) > 1 else None
    if customer_id is None or amount is None or len(words) < 3:
        await message.answer(i18n(f"points.{reason}_usage"))
        return
    ws = settings.workspace
    now = clock()
    try:
        acc = await loyalty.change(
            session,
            workspace_id,
            customer_id,
            amount,
            reason,
            words[2],
            expiry_days=ws.loyalty_expiry_days,
            tz=ws.timezone,
            now=now,
            member_id=member.id,
            actor="telegram",
        )
    except loyalty.LoyaltyError as exc:
        await session.rollback()
        await message.answer(i18n(exc.key, **exc.args_))
        return
    await session.commit()  # saved before we say so
    done = "points.redeemed" if reason == "redeem" else "points.adjusted"
    said = i18n(done, points=abs(amount), sign="+" if amount > 0 else "−", id=customer_id)
    await _show(message, session, workspace_id, customer_id, i18n, settings, now, acc, first=said + "\n\n")


@routes.message(Command("redeem"), flags={"ability": "points"})
async def redeem_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    workspace_id: int,
    member: TeamMember,
    i18n: I18n,
    settings: Settings,
    clock: Callable[[], datetime],
) -> None:
    await _change("redeem", message, command, session, workspace_id, member, i18n, settings, clock)


@routes.message(Command("adjust"), flags={"ability": "points"})
async def adjust_command(
    message: Message,
    command: CommandObject,
    session: AsyncSession,
    workspace_id: int,
    member: TeamMember,
    i18n: I18n,
    settings: Settings,
    clock: Callable[[], datetime],
) -> None:
    await _change("adjust", message, command, session, workspace_id, member, i18n, settings, clock)
