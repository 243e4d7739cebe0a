"""Onboarding and basics: /start (first user becomes owner, invite deep links), the setup wizard, /help, /language."""
from __future__ import annotations

import html
import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import LANGUAGES, I18n
from bot.settings import Settings
from storage.models import TeamMember
from storage.repositories.team import TeamRepository

router = Router(name=__name__)

CURRENCIES = ("SGD", "MYR", "THB", "IDR", "PHP", "VND", "USD", "CNY")
TIMEZONES = ("Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Bangkok", "Asia/Jakarta", "Asia/Manila",
             "Asia/Ho_Chi_Minh", "Asia/Shanghai", "Asia/Hong_Kong", "Europe/London", "America/New_York")
INVITE_PREFIX = "inv_"


class Onboarding(StatesGroup):
    language = State()
    currency = State()
    timezone = State()
    stores = State()


class SetupCB(CallbackData, prefix="setup"):
    step: str  # lang | cur | tz | stores
    value: str


def _buttons(step: str, values: tuple[str, ...], per_row: int = 4) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for value in values:
        kb.button(text=value, callback_data=SetupCB(step=step, value=value))
    kb.adjust(per_row)
    return kb.as_markup()


def language_keyboard(step: str = "lang") -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for code in LANGUAGES:
        kb.button(text=I18n(code)("language.name"), callback_data=SetupCB(step=step, value=code))
    return kb.as_markup()


async def redeem(message: Message, code: str, team: TeamRepository, member: TeamMember | None, i18n: I18n) -> None:
    """Join the team with an invite code (shared by the /start deep link and /join)."""
    user = message.from_user
    assert user is not None
    if member is not None:
        await message.answer(i18n("team.already_member", role=i18n(f"roles.{member.role}")))
        return
    joined = await team.redeem_invite(code.strip(), user.id, name=user.full_name, language=i18n.language)
    await team.session.commit()  # saved before we say so (here and below)
    if joined is None:
        await team.log_access_attempt(user.id, username=user.username, text=f"invite {code[:40]}")
        await team.session.commit()
        await message.answer(i18n("team.invite_invalid"))
        return
    await message.answer(i18n("team.joined", role=i18n(f"roles.{joined.role}")) + "\n\n" + i18n("help.text"))


@router.message(CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIX)), F.chat.type == "private")
async def start_with_invite(message: Message, command: CommandObject, team: TeamRepository,
                            member: TeamMember | None, i18n: I18n) -> None:
    await redeem(message, (command.args or "")[len(INVITE_PREFIX):], team, member, i18n)


@router.message(CommandStart(), F.chat.type == "private")
async def start(message: Message, team: TeamRepository, member: TeamMember | None, workspace_id: int,
                i18n: I18n, state: FSMContext) -> None:
    user = message.from_user
    assert user is not None
    if member is not None:
        await message.answer(i18n("start.welcome_back", name=html.escape(user.first_name)) + "\n\n"
                             + i18n("help.text"))
        return
    owner = await team.claim_first_owner(workspace_id, user.id, name=user.full_name, language=i18n.language)
    await team.session.commit()
    if owner is None:  # the team exists and this person has no invite
        await team.log_access_attempt(user.id, username=user.username, text=message.text)
        await team.session.commit()
        await message.answer(i18n("access.refused", user_id=user.id))
        return
    await state.set_state(Onboarding.language)
    await message.answer(i18n("start.first_owner", name=html.escape(user.first_name)) + "\n\n"
                         + i18n("setup.language"), reply_markup=language_keyboard())


@router.callback_query(SetupCB.filter(F.step == "lang"), Onboarding.language, flags={"role": "owner"})
async def setup_language(query: CallbackQuery, callback_data: SetupCB, team: TeamRepository,
                         member: TeamMember, workspace_id: int, state: FSMContext) -> None:
    await team.set_language(member, callback_data.value)
    await team.update_workspace(workspace_id, language=callback_data.value)
    await team.session.commit()
    i18n = I18n(callback_data.value)
    await state.set_state(Onboarding.currency)
    await query.answer()
    if query.message is not None:
        await query.message.answer(i18n("setup.currency"), reply_markup=_buttons("cur", CURRENCIES))


async def _save_currency(answer: Message, value: str, team: TeamRepository, workspace_id: int, i18n: I18n,
                         state: FSMContext, settings: Settings) -> None:
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", code):
        await answer.answer(i18n("setup.currency_invalid", value=html.escape(value)))
        return
    await team.update_workspace(workspace_id, base_currency=code)
    await team.session.commit()
    settings.workspace.base_currency = code  # this process answers in the new currency from now on
    await state.set_state(Onboarding.timezone)
    await answer.answer(i18n("setup.timezone", currency=code), reply_markup=_buttons("tz", TIMEZONES, 2))


@router.callback_query(SetupCB.filter(F.step == "cur"), Onboarding.currency, flags={"role": "owner"})
async def setup_currency_button(query: CallbackQuery, callback_data: SetupCB, team: TeamRepository,
                                workspace_id: int, i18n: I18n, state: FSMContext, settings: Settings) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _save_currency(query.message, callback_data.value, team, workspace_id, i18n, state, settings)


@router.message(Onboarding.currency, F.text, flags={"role": "owner"})
async def setup_currency_text(message: Message, team: TeamRepository, workspace_id: int, i18n: I18n,
                              state: FSMContext, settings: Settings) -> None:
    await _save_currency(message, message.text or "", team, workspace_id, i18n, state, settings)


async def _save_timezone(answer: Message, value: str, team: TeamRepository, workspace_id: int, i18n: I18n,
                         state: FSMContext, settings: Settings, scheduler: Any = None) -> None:
    value = value.strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        await answer.answer(i18n("setup.timezone_invalid", value=html.escape(value)))
        return
    await team.update_workspace(workspace_id, timezone=value)
    await team.session.commit()
    settings.workspace.timezone = value
    if scheduler is not None:  # the daily scan and the digests follow the new local time at once
        await scheduler.refresh_recurring_jobs()
    await state.set_state(Onboarding.stores)
    kb = InlineKeyboardBuilder()
    kb.button(text=i18n("setup.skip"), callback_data=SetupCB(step="stores", value="-"))
    await answer.answer(i18n("setup.stores", timezone=value), reply_markup=kb.as_markup())


@router.callback_query(SetupCB.filter(F.step == "tz"), Onboarding.timezone, flags={"role": "owner"})
async def setup_timezone_button(query: CallbackQuery, callback_data: SetupCB, team: TeamRepository,
                                workspace_id: int, i18n: I18n, state: FSMContext, settings: Settings,
                                scheduler: Any = None) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _save_timezone(query.message, callback_data.value, team, workspace_id, i18n, state, settings,
                             scheduler)


@router.message(Onboarding.timezone, F.text, flags={"role": "owner"})
async def setup_timezone_text(message: Message, team: TeamRepository, workspace_id: int, i18n: I18n,
                              state: FSMContext, settings: Settings, scheduler: Any = None) -> None:
    await _save_timezone(message, message.text or "", team, workspace_id, i18n, state, settings, scheduler)


async def _finish(answer: Message, stores: list[str], team: TeamRepository, workspace_id: int, i18n: I18n,
                  state: FSMContext) -> None:
    ws = await team.update_workspace(workspace_id, stores=stores, onboarded=True)
    await team.session.commit()
    await state.clear()
    await answer.answer(i18n("setup.done", currency=ws.base_currency, timezone=ws.timezone,
                             stores=html.escape(", ".join(stores)) or "—") + "\n\n" + i18n("help.text"))


@router.callback_query(SetupCB.filter(F.step == "stores"), Onboarding.stores, flags={"role": "owner"})
async def setup_skip_stores(query: CallbackQuery, team: TeamRepository, workspace_id: int, i18n: I18n,
                            state: FSMContext) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _finish(query.message, [], team, workspace_id, i18n, state)


@router.message(Onboarding.stores, F.text, flags={"role": "owner"})
async def setup_stores_text(message: Message, team: TeamRepository, workspace_id: int, i18n: I18n,
                            state: FSMContext) -> None:
    stores = [s.strip() for s in re.split(r"[,\n，、]", message.text or "") if s.strip()][:20]
    await _finish(message, stores, team, workspace_id, i18n, state)


@router.message(Command("help"))
async def help_command(message: Message, i18n: I18n) -> None:
    await message.answer(i18n("help.text"))


@router.message(Command("language"))
async def language_command(message: Message, i18n: I18n) -> None:
    await message.answer(i18n("language.choose"), reply_markup=language_keyboard("setlang"))


@router.callback_query(SetupCB.filter(F.step == "setlang"))
async def language_chosen(query: CallbackQuery, callback_data: SetupCB, team: TeamRepository,
                          member: TeamMember) -> None:
    await team.set_language(member, callback_data.value)
    await team.session.commit()
    i18n = I18n(callback_data.value)
    await query.answer()
    if query.message is not None:
        await query.message.answer(i18n("language.set"))
