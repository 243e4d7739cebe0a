"""/rules: retention rules (crm.automation) for admins and owners.

`/rules` lists the rules with their counts and a dry-run and an enable/disable button each (`rule:<action>:<id>`).
`/rules <plain words>` reads the common shapes ("when a customer's first order is cancelled, tag them
'cancel-1st' and draft an apology"), saves the rule disabled and shows it with its dry run: it is enabled only
when Enable is pressed. Anything not understood gets an example.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.i18n import I18n
from bot.settings import Settings
from crm.automation.engine import RuleRow, dry_run, list_rules, save_rule, set_enabled, spec_of
from crm.automation.rules import RuleError
from crm.automation.words import name_for, parse_words
from handlers.routes import Routes
from storage.db import Database
from storage.models import TeamMember
from storage.repositories import automation as repo

routes = Routes(__name__)


class RuleCB(CallbackData, prefix="rule"):
    """A rule's buttons: dry (its dry run), on (enable), off (disable)."""

    action: str
    rule_id: int


def _buttons(rule_id: int, enabled: bool, i18n: I18n, *, dry: bool = True) -> list[InlineKeyboardButton]:
    row = []
    if dry:
        row.append(
            InlineKeyboardButton(
                text=i18n("rules.dry_button"), callback_data=RuleCB(action="dry", rule_id=rule_id).pack()
            )
        )
    action, label = ("off", "rules.disable_button") if enabled else ("on", "rules.enable_button")
    row.append(
        InlineKeyboardButton(text=i18n(label), callback_data=RuleCB(action=action, rule_id=rule_id).pack())
    )
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
) -> None:
    now = clock()
    words = (command.args or "").strip()
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
    keyboard = InlineKeyboardMarkup(inline_keyboard=[_buttons(r.rule.id, r.rule.enabled, i18n) for r in rows])
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
        taken = {r.name for r in await repo.rules(session, workspace_id)}
    base, n = name, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    try:
        rule = await save_rule(
            db, workspace_id, name, data, at=now, actor="telegram", member_id=member.id if member else None
        )
    except RuleError as exc:
        await message.answer(i18n("rules.refused", reason=html.escape(str(exc))))
        return
    spec = spec_of(rule)
    tz = ZoneInfo(settings.workspace.timezone)
    dry = await dry_run(db, workspace_id, spec, now, tz, settings.automation.lookback_days)
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
        dry = await dry_run(db, workspace_id, spec, now, tz, settings.automation.lookback_days)
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
    on = callback_data.action == "on"
    _, stopped = await set_enabled(
        db, workspace_id, rule.name, on, actor="telegram", member_id=member.id if member else None
    )
    key = "rules.enabled" if on else "rules.disabled"
    await message.answer(
        i18n(key, name=html.escape(rule.name), drafts=stopped[0], reminders=stopped[1], waiting=stopped[2])
    )
