"""Every failure of a handler: logged with context and a reference id, answered with a short apology."""

from __future__ import annotations

import logging
import secrets

from aiogram import Bot
from aiogram.types import ErrorEvent

from bot.i18n import I18n, pick_language
from handlers.routes import Routes

log = logging.getLogger(__name__)
routes = Routes(__name__)


@routes.errors()
async def on_error(event: ErrorEvent, bot: Bot, i18n: I18n | None = None) -> bool:
    update = event.update
    ref = secrets.token_hex(4)
    chat_id: int | None = None
    user = None
    if update.message is not None:
        chat_id, user = update.message.chat.id, update.message.from_user
    elif update.callback_query is not None:
        user = update.callback_query.from_user
        if update.callback_query.message is not None:
            chat_id = update.callback_query.message.chat.id
    log.error(
        "update %s failed [ref %s] user=%s chat=%s type=%s: %r",
        update.update_id,
        ref,
        user.id if user else None,
        chat_id,
        update.event_type,
        event.exception,
        exc_info=(type(event.exception), event.exception, event.exception.__traceback__),
    )
    if i18n is None:
        i18n = I18n(pick_language(None, user.language_code if user else None))
    if chat_id is not None:
        try:
            await bot.send_message(chat_id, i18n("errors.apology", ref=ref))
        except Exception:  # the apology itself failed (Telegram down?): the log line above is what remains
            log.exception("could not send the apology for ref %s", ref)
    return True
