"""Data rights and the audit trail, for owners: /export N (everything held about customer N, as JSON and CSV
documents), /erase N (after a confirmation button), /audit (who did what, newest first)."""

from __future__ import annotations

from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.i18n import I18n
from bot.render import shown
from crm.display import customer_number
from crm.rights import Actor, erase, export_customer, record_export
from handlers.routes import Routes
from storage.db import Database
from storage.models import TeamMember
from storage.repositories import audit

routes = Routes(__name__)


class EraseCB(CallbackData, prefix="erase"):
    customer_id: int
    go: bool


@routes.message(Command("export"), flags={"ability": "data_rights"})
async def export_command(
    message: Message, command: CommandObject, db: Database, workspace_id: int, member: TeamMember, i18n: I18n
) -> None:
    customer_id = customer_number(command.args or "")
    if customer_id is None:
        await message.answer(i18n("rights.export_usage"))
        return
    done = await export_customer(db, workspace_id, customer_id)
    if done is None:
        await message.answer(i18n("rights.no_customer", id=customer_id))
        return
    await message.answer_document(
        BufferedInputFile(done.json, filename=done.json_name),
        caption=i18n("rights.exported", id=customer_id, rows=done.rows),
    )
    await message.answer_document(BufferedInputFile(done.csv, filename=done.csv_name))
    # Recorded once the files were sent: a failed send leaves no "exported" in the audit trail.
    await record_export(db, workspace_id, done, Actor("telegram", member.id))


@routes.message(Command("erase"), flags={"ability": "data_rights"})
async def erase_command(message: Message, command: CommandObject, i18n: I18n) -> None:
    customer_id = customer_number(command.args or "")
    if customer_id is None:
        await message.answer(i18n("rights.erase_usage"))
        return
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=i18n("rights.erase_yes"),
                    callback_data=EraseCB(customer_id=customer_id, go=True).pack(),
                ),
                InlineKeyboardButton(
                    text=i18n("rights.erase_no"),
                    callback_data=EraseCB(customer_id=customer_id, go=False).pack(),
                ),
            ]
        ]
    )
    await message.answer(i18n("rights.erase_confirm", id=customer_id), reply_markup=keyboard)


@routes.callback_query(EraseCB.filter(), flags={"ability": "data_rights"})
async def erase_pressed(
    query: CallbackQuery,
    callback_data: EraseCB,
    db: Database,
    workspace_id: int,
    member: TeamMember,
    i18n: I18n,
) -> None:
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await query.message.edit_reply_markup(reply_markup=None)  # one answer per question
    if not callback_data.go:
        await query.message.answer(i18n("rights.erase_cancelled", id=callback_data.customer_id))
        return
    done = await erase(db, workspace_id, callback_data.customer_id, Actor("telegram", member.id))
    if done is None:
        await query.message.answer(i18n("rights.no_customer", id=callback_data.customer_id))
        return
    await query.message.answer(
        i18n(
            "rights.erased",
            ids=", ".join(f"#{i}" for i in done.customer_ids),
            mentions=sum(done.mentions.values()),
        )
    )


@routes.message(Command("audit"), flags={"ability": "audit"})
async def audit_command(
    message: Message, command: CommandObject, db: Database, workspace_id: int, i18n: I18n
) -> None:
    args = (command.args or "").strip()
    limit = min(int(args), 100) if args.isdigit() and args != "0" else 20
    async with db.sessions() as session:
        events = await audit.recent(session, workspace_id, limit=limit)
    if not events:
        await message.answer(i18n("audit.empty"))
        return
    lines = [i18n("audit.title", n=len(events))]
    for e in events:
        lines.append(
            i18n(
                "audit.line",
                at=f"{e.at:%Y-%m-%d %H:%M}",
                who=shown(e.member, 32) if e.member else i18n(f"audit.actor_{e.actor}"),
                action=i18n(f"audit.action_{e.action}"),
                subject=shown(e.subject or "", 64),
            )
        )
    await message.answer("\n".join(lines))
