"""Onboarding and basics: /start (first user becomes owner, invite deep links), the setup wizard, /help, /language,
/currency (the base currency, amounts converted).

Every message during the set-up gets a reply: a step's answer moves on, a question is answered (or, while the
workspace has no orders, told what to do first) and the step is asked again, anything else re-asks the step.
Commands run as usual and leave the set-up where it was.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Protocol

from aiogram import Bot, F
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot import setup_view as view
from bot.i18n import I18n
from bot.roles import help_text
from bot.settings import Settings
from bot.setup_view import SetupCB
from crm import setup
from crm.query.reading import MessageReading
from crm.rights import Actor, record_act
from handlers.routes import Routes
from storage.db import Database
from storage.models import TeamMember
from storage.repositories.team import TeamRepository
from storage.repositories.workspaces import has_orders

if TYPE_CHECKING:
    from crm.currency import BaseCurrencyChange
    from handlers.ask import Asking  # a type only: the question router is included last, after this one

routes = Routes(__name__)


class RecurringJobs(Protocol):
    """The scheduler as the set-up sees it: the daily scan and the digests follow a new workspace time zone."""

    async def refresh_recurring_jobs(self) -> None: ...


INVITE_PREFIX = "inv_"


class Onboarding(StatesGroup):
    language = State()
    currency = State()
    timezone = State()
    stores = State()


def step_prompt(step: str | None, i18n: I18n, settings: Settings) -> tuple[str, InlineKeyboardMarkup]:
    """The question and buttons of a set-up step (a state name of `Onboarding`)."""
    if step == Onboarding.currency.state:
        return i18n("setup.currency"), view.currency_keyboard()
    if step == Onboarding.timezone.state:
        return i18n("setup.timezone", currency=settings.workspace.base_currency), view.timezone_keyboard()
    if step == Onboarding.stores.state:
        return i18n("setup.stores", timezone=settings.workspace.timezone), view.skip_stores_keyboard(i18n)
    return i18n("setup.language"), view.language_keyboard()


def _answers_step(step: str | None, text: str) -> bool:
    """Text that is a plausible answer to the step itself: never taken for a question."""
    value = text.strip()
    if step == Onboarding.language.state:
        return view.typed_language(value) is not None
    if step == Onboarding.currency.state:
        return setup.looks_like_currency(value)
    if step == Onboarding.timezone.state:
        return setup.is_timezone(value)
    return setup.is_skip(value)


def question_during_setup(
    message: Message, raw_state: str | None, settings: Settings, reading: MessageReading | None = None
) -> bool:
    """Filter: a set-up step got a question ("revenue last month?") instead of its answer."""
    from crm.query.ir import Clarify
    from crm.query.parser import parse_question

    text = (message.text or "").strip()
    if not text or _answers_step(raw_state, text):
        return False
    if "?" in text or "？" in text:
        return True
    parsed = (
        reading.parsed if reading is not None else parse_question(text, timezone=settings.workspace.timezone)
    )
    return not isinstance(parsed.query, Clarify)


async def redeem(
    message: Message, code: str, team: TeamRepository, member: TeamMember | None, i18n: I18n
) -> None:
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
    await message.answer(
        i18n("team.joined", role=i18n(f"roles.{joined.role}")) + "\n\n" + help_text(i18n, joined.role)
    )


@routes.message(
    CommandStart(deep_link=True, magic=F.args.startswith(INVITE_PREFIX)), F.chat.type == "private"
)
async def start_with_invite(
    message: Message, command: CommandObject, team: TeamRepository, member: TeamMember | None, i18n: I18n
) -> None:
    await redeem(message, (command.args or "")[len(INVITE_PREFIX) :], team, member, i18n)


@routes.message(CommandStart(), F.chat.type == "private")
async def start(
    message: Message,
    team: TeamRepository,
    member: TeamMember | None,
    workspace_id: int,
    i18n: I18n,
    state: FSMContext,
    settings: Settings,
    raw_state: str | None = None,
) -> None:
    user = message.from_user
    assert user is not None
    if member is not None and raw_state in Onboarding.__all_states_names__:
        text, markup = step_prompt(raw_state, i18n, settings)
        await message.answer(text, reply_markup=markup)
        return
    if member is not None:
        await message.answer(
            i18n("start.welcome_back", name=html.escape(user.first_name))
            + "\n\n"
            + help_text(i18n, member.role)
        )
        return
    owner = await team.claim_first_owner(workspace_id, user.id, name=user.full_name, language=i18n.language)
    await team.session.commit()
    if owner is None:  # the team exists and this person has no invite
        await team.log_access_attempt(user.id, username=user.username, text=message.text)
        await team.session.commit()
        await message.answer(i18n("access.refused", user_id=user.id))
        return
    await state.set_state(Onboarding.language)
    await message.answer(
        i18n("start.first_owner", name=html.escape(user.first_name)) + "\n\n" + i18n("setup.language"),
        reply_markup=view.language_keyboard(),
    )


async def _save_language(
    answer: Message,
    code: str,
    team: TeamRepository,
    member: TeamMember,
    workspace_id: int,
    state: FSMContext,
    settings: Settings,
) -> None:
    await team.set_language(member, code)
    await team.update_workspace(workspace_id, language=code)
    await team.session.commit()
    await state.set_state(Onboarding.currency)
    text, markup = step_prompt(Onboarding.currency.state, I18n(code), settings)
    await answer.answer(text, reply_markup=markup)


@routes.callback_query(SetupCB.filter(F.step == "lang"), Onboarding.language, flags={"role": "owner"})
async def setup_language(
    query: CallbackQuery,
    callback_data: SetupCB,
    team: TeamRepository,
    member: TeamMember,
    workspace_id: int,
    state: FSMContext,
    settings: Settings,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _save_language(query.message, callback_data.value, team, member, workspace_id, state, settings)


@routes.message(
    StateFilter(Onboarding), F.text, ~F.text.startswith("/"), question_during_setup, flags={"role": "owner"}
)
async def setup_question(
    message: Message,
    bot: Bot,
    session: AsyncSession,
    workspace_id: int,
    i18n: I18n,
    settings: Settings,
    asking: Asking,
    raw_state: str | None = None,
    reading: MessageReading | None = None,
) -> None:
    """A question in the middle of the set-up: answered when there are orders to answer from, else what to do
    first; then the step is asked again."""
    if await has_orders(session, workspace_id):
        await asking.question(bot, message.chat.id, message.text or "", i18n, reading=reading)
    else:
        await message.answer(i18n("setup.question_later"))
    text, markup = step_prompt(raw_state, i18n, settings)
    await message.answer(text, reply_markup=markup)


@routes.message(Onboarding.language, F.text, ~F.text.startswith("/"), flags={"role": "owner"})
async def setup_language_text(
    message: Message,
    team: TeamRepository,
    member: TeamMember,
    workspace_id: int,
    i18n: I18n,
    state: FSMContext,
    settings: Settings,
) -> None:
    code = view.typed_language(message.text or "")
    if code is None:  # neither a language nor a question: the step again, with its buttons
        text, markup = step_prompt(Onboarding.language.state, i18n, settings)
        await message.answer(text, reply_markup=markup)
        return
    await _save_language(message, code, team, member, workspace_id, state, settings)


async def change_currency(
    db: Database, workspace_id: int, code: str, settings: Settings, i18n: I18n, who: int | None = None
) -> tuple[BaseCurrencyChange | None, str]:
    """Make `code` the base currency with every amount converted (crm.currency): the change (None when
    refused) and what to tell the owner."""
    from crm.currency import CurrencyChangeRefused, change_base_currency

    try:
        change = await change_base_currency(db, workspace_id, code, fx_rates=settings.workspace.fx_rates)
    except CurrencyChangeRefused as exc:
        if exc.reason == "invalid_code":
            return None, i18n("setup.currency_invalid", value=html.escape(exc.currency))
        return None, i18n("currency.no_rate", currency=exc.currency, base=exc.base)
    # This process's default from now on; every label is read from the workspace row anyway (another process
    # sees the change there).
    settings.workspace.base_currency = change.new
    if not change.changed:
        return change, i18n("currency.same", currency=change.new)
    await record_act(
        db,
        workspace_id,
        "changed",
        Actor("telegram", telegram_user_id=who),
        f"currency:{change.new}",
        {"from": change.old, "orders": change.orders, "rates": change.rates},
    )
    text = i18n("currency.changed", old=change.old, new=change.new, rates=change.rates, orders=change.orders)
    if change.unpriced:
        text += "\n" + i18n("currency.unpriced", n=change.unpriced)
    return change, text


async def _save_currency(
    answer: Message,
    value: str,
    db: Database,
    workspace_id: int,
    i18n: I18n,
    state: FSMContext,
    settings: Settings,
) -> None:
    code = setup.currency_code(value)
    if code is None:
        await answer.answer(i18n("setup.currency_invalid", value=html.escape(value)))
        return
    who = answer.chat.id if answer.chat.type == "private" else None
    change, said = await change_currency(db, workspace_id, code, settings, i18n, who)
    if change is None:  # refused: the step stays open, with its buttons
        await answer.answer(said, reply_markup=step_prompt(Onboarding.currency.state, i18n, settings)[1])
        return
    await state.set_state(Onboarding.timezone)
    text, markup = step_prompt(Onboarding.timezone.state, i18n, settings)
    if change.changed and (change.orders or change.rates):  # something was converted: said with the next step
        text = said + "\n\n" + text
    await answer.answer(text, reply_markup=markup)


@routes.callback_query(SetupCB.filter(F.step == "cur"), Onboarding.currency, flags={"role": "owner"})
async def setup_currency_button(
    query: CallbackQuery,
    callback_data: SetupCB,
    db: Database,
    workspace_id: int,
    i18n: I18n,
    state: FSMContext,
    settings: Settings,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _save_currency(query.message, callback_data.value, db, workspace_id, i18n, state, settings)


@routes.message(Onboarding.currency, F.text, ~F.text.startswith("/"), flags={"role": "owner"})
async def setup_currency_text(
    message: Message, db: Database, workspace_id: int, i18n: I18n, state: FSMContext, settings: Settings
) -> None:
    await _save_currency(message, message.text or "", db, workspace_id, i18n, state, settings)


async def _save_timezone(
    answer: Message,
    value: str,
    team: TeamRepository,
    workspace_id: int,
    i18n: I18n,
    state: FSMContext,
    settings: Settings,
    scheduler: RecurringJobs | None = None,
) -> None:
    value = value.strip()
    if not setup.is_timezone(value):
        await answer.answer(i18n("setup.timezone_invalid", value=html.escape(value)))
        return
    await team.update_workspace(workspace_id, timezone=value)
    await team.session.commit()
    settings.workspace.timezone = value
    if scheduler is not None:  # the daily scan and the digests follow the new local time at once
        await scheduler.refresh_recurring_jobs()
    await state.set_state(Onboarding.stores)
    text, markup = step_prompt(Onboarding.stores.state, i18n, settings)
    await answer.answer(text, reply_markup=markup)


@routes.callback_query(SetupCB.filter(F.step == "tz"), Onboarding.timezone, flags={"role": "owner"})
async def setup_timezone_button(
    query: CallbackQuery,
    callback_data: SetupCB,
    team: TeamRepository,
    workspace_id: int,
    i18n: I18n,
    state: FSMContext,
    settings: Settings,
    scheduler: RecurringJobs | None = None,
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _save_timezone(
            query.message, callback_data.value, team, workspace_id, i18n, state, settings, scheduler
        )


@routes.message(Onboarding.timezone, F.text, ~F.text.startswith("/"), flags={"role": "owner"})
async def setup_timezone_text(
    message: Message,
    team: TeamRepository,
    workspace_id: int,
    i18n: I18n,
    state: FSMContext,
    settings: Settings,
    scheduler: RecurringJobs | None = None,
) -> None:
    await _save_timezone(message, message.text or "", team, workspace_id, i18n, state, settings, scheduler)


async def _finish(
    answer: Message, stores: list[str], team: TeamRepository, workspace_id: int, i18n: I18n, state: FSMContext
) -> None:
    ws = await team.update_workspace(workspace_id, stores=stores, onboarded=True)
    await team.session.commit()
    await state.clear()
    # Skipped: the stores the seller's imports already brought, rather than a dash beside them.
    shown = stores or await team.imported_stores(workspace_id)
    await answer.answer(
        i18n(
            "setup.done",
            currency=ws.base_currency,
            timezone=ws.timezone,
            stores=html.escape(", ".join(shown)) or "—",
            orders="yes" if await has_orders(team.session, workspace_id) else "no",  # then: ask, not send
        )
        + "\n\n"
        + help_text(i18n, "owner")
    )


@routes.callback_query(SetupCB.filter(F.step == "stores"), Onboarding.stores, flags={"role": "owner"})
async def setup_skip_stores(
    query: CallbackQuery, team: TeamRepository, workspace_id: int, i18n: I18n, state: FSMContext
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _finish(query.message, [], team, workspace_id, i18n, state)


@routes.message(Onboarding.stores, F.text, ~F.text.startswith("/"), flags={"role": "owner"})
async def setup_stores_text(
    message: Message, team: TeamRepository, workspace_id: int, i18n: I18n, state: FSMContext
) -> None:
    await _finish(message, setup.store_names(message.text or ""), team, workspace_id, i18n, state)


@routes.message(StateFilter(Onboarding), ~F.text, ~F.document, flags={"role": "owner"})
async def setup_other(message: Message, i18n: I18n, settings: Settings, raw_state: str | None = None) -> None:
    """A sticker, a photo, a voice note during the set-up: the step again (files go on to the import)."""
    text, markup = step_prompt(raw_state, i18n, settings)
    await message.answer(text, reply_markup=markup)


@routes.message(Command("help"))
async def help_command(message: Message, i18n: I18n, member: TeamMember | None = None) -> None:
    """What this member's role may do, from the same table the role checks use (bot.roles)."""
    await message.answer(help_text(i18n, member.role if member is not None else None))


@routes.message(Command("cancel"))
async def cancel_command(
    message: Message, i18n: I18n, settings: Settings, raw_state: str | None = None
) -> None:
    """An open prompt was already ended by bot.middlewares.CommandEndsPrompt; the set-up is not cancelled."""
    if raw_state in Onboarding.__all_states_names__:
        text, markup = step_prompt(raw_state, i18n, settings)
        await message.answer(text, reply_markup=markup)
        return
    await message.answer(i18n("common.nothing_to_cancel"))


@routes.message(Command("language"))
async def language_command(message: Message, i18n: I18n) -> None:
    await message.answer(i18n("language.choose"), reply_markup=view.language_keyboard("setlang"))


@routes.callback_query(SetupCB.filter(F.step == "setlang"))
async def language_chosen(
    query: CallbackQuery, callback_data: SetupCB, team: TeamRepository, member: TeamMember
) -> None:
    await team.set_language(member, callback_data.value)
    await team.session.commit()
    i18n = I18n(callback_data.value)
    await query.answer()
    if query.message is not None:
        await query.message.answer(i18n("language.set"))


@routes.message(Command("currency"), flags={"ability": "currency"})
async def currency_command(
    message: Message, command: CommandObject, db: Database, workspace_id: int, i18n: I18n, settings: Settings
) -> None:
    """/currency shows the base currency; /currency MYR changes it, every amount converted (or refused)."""
    code = (command.args or "").strip()
    if not code:
        from crm.currency import workspace_currency

        current = await workspace_currency(db, workspace_id, settings.workspace.base_currency)
        await message.answer(i18n("currency.show", currency=current))
        return
    if not setup.looks_like_currency(code):
        await message.answer(i18n("currency.usage"))
        return
    who = message.from_user.id if message.from_user else None
    _, said = await change_currency(db, workspace_id, code.upper(), settings, i18n, who)
    await message.answer(said)
