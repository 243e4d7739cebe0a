"""/rules: retention rules (crm.automation) for admins and owners.

`/rules` lists the rules with their counts and a dry-run, an enable/disable, an edit and a delete button each
(`rule:<action>:<id>`). `/rules <plain words>` reads the common shapes ("when a customer's first order is
cancelled, tag them 'cancel-1st' and draft an apology"), saves the rule disabled and shows it with its dry run: it
is enabled only when Enable is pressed. Anything not understood gets an example.

Edit (the button, which asks for the new words in a prompt kept in the FSM storage, or `/rules edit NAME
<words>`) shows the new rule and its dry run; Replace saves it under the same name, off, since what it does
changed. Delete (the button or `/rules delete NAME`) asks first, then stops the rule's pending steps as disabling
does (crm.automation.engine.delete_rule).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram import F
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, User

from bot.i18n import I18n
from bot.prompting import ask_for_text
from bot.settings import Settings
from crm.automation.engine import (
    RuleRow,
    check_words,
    delete_rule,
    dry_run,
    list_rules,
    replace_rule,
    save_rule,
    set_enabled,
    spec_of,
)
from crm.automation.rules import RuleError
from crm.automation.words import name_for, parse_words
from crm.settings import lifecycle_days
from handlers.routes import Routes
from storage.db import Database
from storage.models import TeamMember
from storage.repositories import automation as repo

routes = Routes(__name__)


class RuleCB(CallbackData, prefix="rule"):
    """A rule's buttons: dry (its dry run), on (enable), off (disable), edit (ask for new words), put (replace
    it with the words shown), del (ask before deleting), gone (delete it), keep (do not)."""

    action: str
    rule_id: int


class RuleInput(StatesGroup):
    words = State()  # waiting for a rule's new words (data: rule_id)


def _button(i18n: I18n, label: str, action: str, rule_id: int) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=i18n(label), callback_data=RuleCB(action=action, rule_id=rule_id).pack())


def _buttons(
    rule_id: int, enabled: bool, i18n: I18n, *, dry: bool = True, change: bool = False
) -> list[InlineKeyboardButton]:
    row = []
    if dry:
        row.append(
            InlineKeyboardButton(
                text=i18n("rules.dry_button"), callback_data=RuleCB(action="dry", rule_id=rule_id).pack()
            )
        )
    action, label = ("off", "rules.disable_button") if enabled else ("on", "rules.enable_button")
    row.append(_button(i18n, label, action, rule_id))
    if change:
        row += [
            _button(i18n, "rules.edit_button", "edit", rule_id),
            _button(i18n, "rules.delete_button", "del", rule_id),
        ]
    return row


def _line(row: RuleRow, i18n: I18n, outcome_days: int) -> str:
    what = html.escape(row.spec.describe(i18n.language)) if row.spec is not None else "?"
    s = row.stats
    counts = (
        i18n(
            "rules.counts",
            customers=s.customers,
            drafts=s.drafts,
            approved=s.approved,
            ordered=s.ordered,
            days=outcome_days,
        )
        if s is not None
        else i18n("rules.never")
    )
    state = "🟢" if row.rule.enabled else "⚪"
    return f"{state} <b>{html.escape(row.rule.name)}</b>: {what}\n    {counts}"


@routes.message(Command("rules"), flags={"ability": "rules"})
async def rules_command(
    message: Message,
    command: CommandObject,
    db: Database,
    workspace_id: int,
    settings: Settings,
    member: TeamMember | None,
    i18n: I18n,
    clock: Callable[[], datetime],
    state: FSMContext,
) -> None:
    now = clock()
    words = (command.args or "").strip()
    verb, _, rest = words.partition(" ")
    if verb.lower() in ("edit", "delete"):
        name, _, new_words = rest.strip().partition(" ")
        async with db.sessions() as session:
            rule = await repo.rule_by_name(session, workspace_id, name) if name else None
        if rule is None:
            await message.answer(i18n("rules.no_such", name=html.escape(name), verb=verb.lower()))
        elif rule.source == "config":
            await message.answer(i18n("rules.from_config", name=html.escape(rule.name)))
        elif verb.lower() == "delete":
            await _ask_delete(message, rule.id, rule.name, i18n)
        elif not new_words.strip():
            await _ask_words(message, state, rule.id, rule.name, i18n, message.from_user)
        else:
            await _preview(
                message, state, rule.id, rule.name, new_words.strip(), db, workspace_id, settings, i18n, now
            )
        return
    if words:
        await _from_words(message, words, db, workspace_id, settings, member, i18n, now)
        return
    rows = await list_rules(db, workspace_id, settings.automation, now)
    if not rows:
        await message.answer(i18n("rules.none"))
        return
    text = "\n\n".join(
        [i18n("rules.title"), *(_line(r, i18n, settings.automation.outcome_days) for r in rows)]
    )
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            _buttons(r.rule.id, r.rule.enabled, i18n, change=r.rule.source != "config") for r in rows
        ]
    )
    await message.answer(text, reply_markup=keyboard)


async def _from_words(
    message: Message,
    words: str,
    db: Database,
    workspace_id: int,
    settings: Settings,
    member: TeamMember | None,
    i18n: I18n,
    now: datetime,
) -> None:
    data = parse_words(words)
    if data is None:
        await message.answer(i18n("rules.not_understood"))
        return
    name = name_for(data)
    async with db.sessions() as session:
        live = await repo.rules(session, workspace_id)
    try:
        wanted = (await check_words(db, workspace_id, name, data)).as_data()
    except RuleError as exc:
        await message.answer(i18n("rules.refused", reason=html.escape(exc.say(i18n.language))))
        return
    same = next((r for r in live if r.spec == wanted), None)
    if same is not None:  # the same words again: point at the rule rather than make a copy of it
        await message.answer(
            i18n("rules.same", name=html.escape(same.name)),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[_buttons(same.id, same.enabled, i18n, change=True)]
            ),
        )
        return
    taken = {r.name for r in live}
    base, n = name, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    try:
        rule = await save_rule(
            db, workspace_id, name, data, at=now, actor="telegram", member_id=member.id if member else None
        )
    except RuleError as exc:
        await message.answer(i18n("rules.refused", reason=html.escape(exc.say(i18n.language))))
        return
    spec = spec_of(rule)
    tz = ZoneInfo(settings.workspace.timezone)
    dry = await dry_run(
        db, workspace_id, spec, now, tz, settings.automation.lookback_days, lifecycle_days(settings.workspace)
    )
    await message.answer(
        i18n(
            "rules.parsed",
            name=html.escape(rule.name),
            rule=html.escape(spec.describe(i18n.language)),
            dry=html.escape(dry.describe(i18n.language)),
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[_buttons(rule.id, False, i18n, dry=False)]),
    )


@routes.callback_query(RuleCB.filter(), flags={"ability": "rules"})
async def rule_button(
    query: CallbackQuery,
    callback_data: RuleCB,
    db: Database,
    workspace_id: int,
    settings: Settings,
    member: TeamMember | None,
    i18n: I18n,
    clock: Callable[[], datetime],
    state: FSMContext,
) -> None:
    now = clock()
    async with db.sessions() as session:
        rule = await repo.rule_by_id(session, workspace_id, callback_data.rule_id)
    message = query.message if isinstance(query.message, Message) else None
    await query.answer()
    if rule is None or message is None:
        if message is not None:
            await message.answer(i18n("rules.gone"))
        return
    if callback_data.action == "dry":
        spec = spec_of(rule)
        tz = ZoneInfo(settings.workspace.timezone)
        dry = await dry_run(
            db,
            workspace_id,
            spec,
            now,
            tz,
            settings.automation.lookback_days,
            lifecycle_days(settings.workspace),
        )
        await message.answer(
            i18n(
                "rules.dry",
                name=html.escape(rule.name),
                rule=html.escape(spec.describe(i18n.language)),
                dry=html.escape(dry.describe(i18n.language)),
            ),
            reply_markup=InlineKeyboardMarkup(
                inline_keyboard=[_buttons(rule.id, rule.enabled, i18n, dry=False)]
            ),
        )
        return
    who = member.id if member else None
    if callback_data.action in ("edit", "put", "del", "gone") and rule.source == "config":
        await message.answer(i18n("rules.from_config", name=html.escape(rule.name)))
        return
    if callback_data.action == "edit":
        await _ask_words(message, state, rule.id, rule.name, i18n, query.from_user)
        return
    if callback_data.action == "put":
        data = await state.get_data()
        if data.get("rule_id") != rule.id or not data.get("rule_words"):
            await message.answer(i18n("rules.edit_expired", name=html.escape(rule.name)))
            return
        await state.clear()
        parsed = parse_words(str(data["rule_words"]))
        if parsed is None:  # read once already; only a changed reader could refuse it now
            await message.answer(i18n("rules.not_understood"))
            return
        try:
            saved, stopped = await replace_rule(
                db, workspace_id, rule.name, parsed, at=now, actor="telegram", member_id=who
            )
        except RuleError as exc:
            await message.answer(i18n("rules.refused", reason=html.escape(exc.say(i18n.language))))
            return
        await message.answer(
            i18n(
                "rules.replaced",
                name=html.escape(saved.name),
                rule=html.escape(spec_of(saved).describe(i18n.language)),
                drafts=stopped[0],
                reminders=stopped[1],
                waiting=stopped[2],
            ),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[_buttons(saved.id, False, i18n)]),
        )
        return
    if callback_data.action == "del":
        await _ask_delete(message, rule.id, rule.name, i18n)
        return
    if callback_data.action == "keep":
        await message.answer(i18n("rules.kept", name=html.escape(rule.name)))
        return
    if callback_data.action == "gone":
        try:
            _, stopped = await delete_rule(
                db, workspace_id, rule.name, at=now, actor="telegram", member_id=who
            )
        except RuleError as exc:
            await message.answer(i18n("rules.refused_delete", reason=html.escape(exc.say(i18n.language))))
            return
        await message.answer(
            i18n(
                "rules.deleted",
                name=html.escape(rule.name),
                drafts=stopped[0],
                reminders=stopped[1],
                waiting=stopped[2],
            )
        )
        return
    on = callback_data.action == "on"
    _, stopped = await set_enabled(db, workspace_id, rule.name, on, actor="telegram", member_id=who)
    key = "rules.enabled" if on else "rules.disabled"
    await message.answer(
        i18n(key, name=html.escape(rule.name), drafts=stopped[0], reminders=stopped[1], waiting=stopped[2])
    )


async def _ask_words(
    message: Message, state: FSMContext, rule_id: int, name: str, i18n: I18n, user: User | None
) -> None:
    await state.set_state(RuleInput.words)
    await state.update_data(rule_id=rule_id, rule_words=None)
    await ask_for_text(message, i18n("rules.ask_words", name=html.escape(name)), user=user)


async def _ask_delete(message: Message, rule_id: int, name: str, i18n: I18n) -> None:
    await message.answer(
        i18n("rules.ask_delete", name=html.escape(name)),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    _button(i18n, "rules.delete_yes_button", "gone", rule_id),
                    _button(i18n, "rules.keep_button", "keep", rule_id),
                ]
            ]
        ),
    )


async def _preview(
    message: Message,
    state: FSMContext,
    rule_id: int,
    name: str,
    words: str,
    db: Database,
    workspace_id: int,
    settings: Settings,
    i18n: I18n,
    now: datetime,
) -> bool:
    """Show the rule `words` would make under `name` and its dry run, with Replace; False if not understood
    (the question stays open)."""
    data = parse_words(words)
    if data is None:
        await message.answer(i18n("rules.not_understood"))
        return False
    try:
        spec = await check_words(db, workspace_id, name, data)
    except RuleError as exc:
        await message.answer(i18n("rules.refused", reason=html.escape(exc.say(i18n.language))))
        return False
    await state.set_state(None)
    await state.update_data(rule_id=rule_id, rule_words=words)
    tz = ZoneInfo(settings.workspace.timezone)
    dry = await dry_run(
        db, workspace_id, spec, now, tz, settings.automation.lookback_days, lifecycle_days(settings.workspace)
    )
    await message.answer(
        i18n(
            "rules.edit_preview",
            name=html.escape(name),
            rule=html.escape(spec.describe(i18n.language)),
            dry=html.escape(dry.describe(i18n.language)),
        ),
        reply_markup=InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    _button(i18n, "rules.replace_button", "put", rule_id),
                    _button(i18n, "rules.keep_button", "keep", rule_id),
                ]
            ]
        ),
    )
    return True


@routes.message(RuleInput.words, F.text, ~F.text.startswith("/"), flags={"ability": "rules"})
async def words_entered(
    message: Message,
    state: FSMContext,
    db: Database,
    workspace_id: int,
    settings: Settings,
    i18n: I18n,
    clock: Callable[[], datetime],
) -> None:
    rule_id = int((await state.get_data()).get("rule_id") or 0)
    async with db.sessions() as session:
        rule = await repo.rule_by_id(session, workspace_id, rule_id)
    if rule is None:
        await state.clear()
        await message.answer(i18n("rules.gone"))
        return
    words = (message.text or "").strip()
    await _preview(message, state, rule.id, rule.name, words, db, workspace_id, settings, i18n, clock())
