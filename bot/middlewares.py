"""Update middlewares: per-user throttling, DB session + repositories + team member + language, access control.

`DeskMiddleware` is the one outer middleware per update. It injects into handler data:
`session` (AsyncSession), `team` (TeamRepository), `member` (TeamMember | None), `i18n` (I18n), `lang` ("en"/"zh"),
`group` (GroupChat | None, in group chats). It commits when the handler returns and rolls back when it raises.
`RoleMiddleware` is an inner middleware that enforces a handler's `flags={"ability": "imports"}` (the lowest
role comes from bot.roles.ABILITIES, the table /help is built from) or a fixed `flags={"role": "owner"}`.
`CommandEndsPrompt` lets a command typed while a prompt waits for text end the prompt and still be executed.
`ReadsTextOnce` gives a private text message its offline reading (`reading`), parsed at most once, which routes it
(reminder, draft, question) and answers it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.dispatcher.flags import get_flag
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.methods import GetUpdates
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, Update, User

from bot.fsm_storage import DatabaseStorage
from bot.i18n import I18n, pick_language
from bot.roles import needed_role
from crm.query.reading import MessageReading
from storage.db import Database
from storage.repositories.team import TeamRepository, role_at_least

log = logging.getLogger(__name__)

GROUP_TYPES = frozenset({"group", "supergroup"})
# Commands a stranger may send: they are how people join (the handlers check the code or the empty team).
STRANGER_COMMANDS = frozenset({"start", "join"})
# The only command an unbound group listens to.
UNBOUND_GROUP_COMMANDS = frozenset({"bind"})


def command_of(event: Update) -> str | None:
    """`/start@my_bot payload` -> "start"; None for anything that is not a command message."""
    return command_in(event.message)


def command_in(message: Message | None) -> str | None:
    """The command a message starts with (as `command_of`), or None."""
    if message is None or not message.text or not message.text.startswith("/"):
        return None
    return message.text[1:].split(maxsplit=1)[0].split("@", 1)[0].lower() or None


class Throttle:
    """A token bucket per user: `rate` updates per second with a small burst; surplus updates are dropped."""

    def __init__(self, rate: float, burst: float | None = None) -> None:
        self.rate = max(rate, 0.001)
        self.burst = burst if burst is not None else max(5.0, self.rate * 3)
        self._buckets: dict[int, tuple[float, float]] = {}
        self._warned: set[int] = set()

    def allow(self, user_id: int, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        tokens, last = self._buckets.get(user_id, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            self._buckets[user_id] = (tokens - 1.0, now)
            self._warned.discard(user_id)
            return True
        self._buckets[user_id] = (tokens, now)
        return False

    def first_refusal(self, user_id: int) -> bool:
        """True once per throttled burst, so the user is told to slow down once, not once per message."""
        if user_id in self._warned:
            return False
        self._warned.add(user_id)
        return True


class DeskMiddleware(BaseMiddleware):
    """Opens the DB session for an update, resolves who is asking, and refuses strangers (logging them)."""

    def __init__(
        self,
        db: Database,
        workspace_id: int,
        throttle: Throttle,
        conversations: tuple[FSMContextMiddleware, DatabaseStorage] | None = None,
    ) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self.throttle = throttle
        # When the conversation state is in the database and this middleware runs before aiogram's FSM
        # middleware (bot.app), the state is read in this middleware's session, with the member.
        self.conversations = conversations

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        assert isinstance(event, Update)
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        bot: Bot = data["bot"]
        if user is None or user.is_bot:
            return None  # channel posts, service updates without a person: nothing to answer
        in_group = chat is not None and chat.type in GROUP_TYPES
        command = command_of(event)

        async with self.db.sessions() as session:
            team = TeamRepository(session)
            member = await team.member(self.workspace_id, user.id)
            if member is not None and not member.active:
                member = None
            i18n = I18n(pick_language(member.language if member else None, user.language_code))
            group = await team.group(chat.id) if in_group and chat is not None else None
            if group is not None and group.workspace_id != self.workspace_id:
                group = None
            if self.conversations is not None and (member is not None or not in_group):
                fsm, storage = self.conversations
                context = fsm.resolve_event_context(bot, data)
                if context is not None:
                    await storage.read_with(session, context.key)
            # Release the connection before the handler runs: answers open their own sessions, and
            # holding one per waiting update would exhaust the pool under load.
            await session.commit()

            if in_group:
                if group is None and command not in UNBOUND_GROUP_COMMANDS:
                    return None  # unbound groups are ignored entirely
                if member is None:
                    return None  # strangers in groups are ignored, not answered in front of everyone
            if not self.throttle.allow(user.id):
                if self.throttle.first_refusal(user.id) and chat is not None:
                    await bot.send_message(chat.id, i18n("common.slow_down"))
                return None
            if member is None and not in_group and command not in STRANGER_COMMANDS:
                await self._refuse(bot, event, user, chat, team, i18n)
                return None

            data.update(session=session, team=team, member=member, i18n=i18n, lang=i18n.language, group=group)
            try:
                result = await handler(event, data)
            except Exception:
                await session.rollback()
                raise
            await session.commit()
            return result

    async def _refuse(
        self, bot: Bot, event: Update, user: User, chat: Chat | None, team: TeamRepository, i18n: I18n
    ) -> None:
        text = event.message.text if event.message and event.message.text else None
        if text is None and event.callback_query is not None:
            text = f"[button] {event.callback_query.data}"
        if text is None and event.message is not None and event.message.document is not None:
            text = f"[file] {event.message.document.file_name}"
        await team.log_access_attempt(user.id, username=user.username, text=text)
        await team.session.commit()
        log.warning("refused telegram user %s (@%s)", user.id, user.username)
        if event.callback_query is not None:
            await event.callback_query.answer(i18n("access.refused_short"), show_alert=True)
        elif chat is not None:
            await bot.send_message(chat.id, i18n("access.refused", user_id=user.id))


class RoleMiddleware(BaseMiddleware):
    """Refuses handlers flagged with an ability (`flags={"ability": "reminders"}`) or a minimum role
    (`flags={"role": "owner"}`) to members below it, politely and pointing to /help."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        ability = get_flag(data, "ability")
        needed = needed_role(ability) if ability is not None else get_flag(data, "role")
        if needed is None:
            return await handler(event, data)
        member = data.get("member")
        if role_at_least(member.role if member is not None else None, needed):
            return await handler(event, data)
        i18n: I18n = data["i18n"]
        text = i18n("access.role_needed", role=i18n(f"roles.{needed}"))
        if member is not None:
            text += " " + i18n("access.your_role", role=i18n(f"roles.{member.role}"))
        if isinstance(event, CallbackQuery):
            await event.answer(text, show_alert=True)
        elif isinstance(event, Message):
            await event.answer(text)
        return None


class CommandEndsPrompt(BaseMiddleware):
    """A command while a prompt waits for text (a tag, a note, a reminder) ends the prompt with a short note,
    then runs like any command: `/top 5` typed instead of the tag answers the top 5.

    Message outer middleware, so the handlers' state filters already see the prompt closed. States of the
    groups in `keep` (the onboarding steps) are left open: a command there runs and the set-up goes on.
    `/cancel` only ends the prompt.
    """

    def __init__(self, keep: frozenset[str] = frozenset()) -> None:
        self.keep = keep

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        raw_state: str | None = data.get("raw_state")
        state: FSMContext | None = data.get("state")
        if (
            not isinstance(event, Message)
            or raw_state is None
            or state is None
            or raw_state.split(":", 1)[0] in self.keep
        ):
            return await handler(event, data)
        command = command_in(event)
        if command is None:
            return await handler(event, data)
        await state.clear()
        data["raw_state"] = None
        i18n: I18n = data["i18n"]
        if command == "cancel":
            await event.answer(i18n("common.cancelled"))
            return None
        await event.answer(i18n("common.prompt_cancelled"))
        return await handler(event, data)


class ReadsTextOnce(BaseMiddleware):
    """Message outer middleware: a private text that is not a command gets `reading`, its offline parser
    reading, computed on first use and then shared: the reminder and draft filters route the message by it and
    the question handler answers with it (before, each of the three parsed the text again)."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if (
            isinstance(event, Message)
            and event.chat.type == "private"
            and event.text
            and not event.text.startswith("/")
        ):
            data["reading"] = MessageReading(
                event.text, as_of=data["clock"](), timezone=data["settings"].workspace.timezone
            )
        return await handler(event, data)


class RetryRequestMiddleware(BaseRequestMiddleware):
    """Bot API request middleware: waits out 429 flood-waits (retry_after) and retries brief network errors."""

    def __init__(self, max_retries: int = 3, max_wait: float = 60.0, network_backoff: float = 0.5) -> None:
        self.max_retries = max_retries
        self.max_wait = max_wait
        self.network_backoff = network_backoff

    async def __call__(self, make_request: Any, bot: Bot, method: Any) -> Any:
        attempt = 0
        while True:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as exc:
                if attempt >= self.max_retries or exc.retry_after > self.max_wait:
                    raise
                log.warning(
                    "Telegram flood-wait on %s: retrying in %ss", type(method).__name__, exc.retry_after
                )
                await asyncio.sleep(exc.retry_after)
            except TelegramNetworkError:
                if attempt >= self.max_retries or isinstance(method, GetUpdates):
                    raise  # polling has its own backoff
                await asyncio.sleep(self.network_backoff * (2**attempt))
            attempt += 1
