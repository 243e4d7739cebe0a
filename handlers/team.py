"""The seller team: invites with roles (/invite, /join), the member list (/team), /role and /remove."""

from __future__ import annotations

from aiogram import Bot
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.i18n import I18n
from bot.render import shown
from handlers.routes import Routes
from handlers.start import INVITE_PREFIX, redeem
from storage.models import TeamMember
from storage.repositories.team import ROLES, TeamRepository, role_at_least

routes = Routes(__name__)


@routes.message(Command("invite"), flags={"ability": "team"})
async def invite(
    message: Message,
    command: CommandObject,
    bot: Bot,
    team: TeamRepository,
    member: TeamMember,
    workspace_id: int,
    i18n: I18n,
) -> None:
    role = (command.args or "agent").strip().lower()
    if role not in ROLES or role == "owner":
        await message.answer(i18n("team.invite_usage"))
        return
    if role == "admin" and member.role != "owner":
        await message.answer(i18n("access.role_needed", role=i18n("roles.owner")))
        return
    created = await team.create_invite(workspace_id, role=role, created_by=member.id)
    await team.session.commit()  # the link must work the moment it is shown
    me = await bot.me()
    link = f"https://t.me/{me.username}?start={INVITE_PREFIX}{created.code}"
    await message.answer(
        i18n("team.invite_created", role=i18n(f"roles.{role}"), link=link, code=created.code)
    )


@routes.message(Command("join"))
async def join(
    message: Message, command: CommandObject, team: TeamRepository, member: TeamMember | None, i18n: I18n
) -> None:
    code = (command.args or "").strip().removeprefix(INVITE_PREFIX)
    if not code:
        await message.answer(i18n("team.join_usage"))
        return
    await redeem(message, code, team, member, i18n)


@routes.message(Command("team"), flags={"ability": "ask"})
async def team_list(
    message: Message, team: TeamRepository, member: TeamMember, workspace_id: int, i18n: I18n
) -> None:
    lines = [i18n("team.title")]
    for m in await team.members(workspace_id):
        status = "" if m.active else " " + i18n("team.inactive")
        lines.append(
            f"• {shown(m.name) or m.telegram_user_id} — {i18n(f'roles.{m.role}')} "
            f"(<code>{m.telegram_user_id}</code>){status}"
        )
    if role_at_least(member.role, "admin"):
        attempts = await team.recent_access_attempts(5)
        if attempts:
            lines += ["", i18n("team.attempts_title")]
            for a in attempts:
                who = f"@{a.username}" if a.username else str(a.telegram_user_id)
                lines.append(f"• {shown(who)} (<code>{a.telegram_user_id}</code>): {shown(a.text, 60)}")
    lines += ["", i18n("team.help")]
    await message.answer("\n".join(lines))


def _target(command: CommandObject) -> tuple[int | None, str | None]:
    parts = (command.args or "").split()
    if not parts or not parts[0].lstrip("-").isdigit():
        return None, None
    return int(parts[0]), (parts[1].lower() if len(parts) > 1 else None)


@routes.message(Command("role"), flags={"ability": "roles"})
async def set_role(
    message: Message,
    command: CommandObject,
    team: TeamRepository,
    member: TeamMember,
    workspace_id: int,
    i18n: I18n,
) -> None:
    user_id, role = _target(command)
    if user_id is None or role not in ROLES or user_id == member.telegram_user_id:
        await message.answer(i18n("team.role_usage"))
        return
    changed = await team.set_role(workspace_id, user_id, role)
    await team.session.commit()
    await message.answer(
        i18n("team.role_set", user_id=user_id, role=i18n(f"roles.{role}"))
        if changed
        else i18n("team.no_such_member", user_id=user_id)
    )


@routes.message(Command("remove"), flags={"ability": "team"})
async def remove(
    message: Message,
    command: CommandObject,
    team: TeamRepository,
    member: TeamMember,
    workspace_id: int,
    i18n: I18n,
) -> None:
    user_id, _ = _target(command)
    if user_id is None or user_id == member.telegram_user_id:
        await message.answer(i18n("team.remove_usage"))
        return
    target = await team.member(workspace_id, user_id)
    if target is None:
        await message.answer(i18n("team.no_such_member", user_id=user_id))
        return
    if target.role == "owner" or (target.role == "admin" and member.role != "owner"):
        await message.answer(i18n("access.role_needed", role=i18n("roles.owner")))
        return
    await team.deactivate(workspace_id, user_id)
    await team.session.commit()
    await message.answer(i18n("team.removed", user_id=user_id))
