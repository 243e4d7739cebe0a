"""Group chats: an admin binds a team group to the workspace (/bind) so alerts and digests go there."""

from __future__ import annotations

import html

from aiogram import F
from aiogram.filters import Command
from aiogram.types import Message

from bot.i18n import I18n
from handlers.routes import Routes
from storage.models import TeamMember
from storage.repositories.team import TeamRepository

routes = Routes(__name__)

IN_GROUP = F.chat.type.in_({"group", "supergroup"})


@routes.message(Command("bind"), IN_GROUP, flags={"ability": "bind"})
async def bind(
    message: Message, team: TeamRepository, member: TeamMember, workspace_id: int, i18n: I18n
) -> None:
    group = await team.bind_group(
        workspace_id, message.chat.id, title=message.chat.title, bound_by=member.id, language=i18n.language
    )
    await team.session.commit()  # saved before we say so
    await message.answer(i18n("groups.bound", title=html.escape(group.title or str(group.chat_id))))


@routes.message(Command("unbind"), IN_GROUP, flags={"ability": "bind"})
async def unbind(message: Message, team: TeamRepository, i18n: I18n) -> None:
    await team.unbind_group(message.chat.id)
    await team.session.commit()
    await message.answer(i18n("groups.unbound"))


@routes.message(Command("bind", "unbind"), F.chat.type == "private")
async def bind_in_private(message: Message, i18n: I18n) -> None:
    await message.answer(i18n("groups.only_in_group"))
