"""A Bot whose session records every Bot API call and answers it with a prepared result (no network).

The middle test level (docs/architecture.md): handlers run in the real Dispatcher through
`Dispatcher.feed_update`, and the tests read what the user would have seen from the recorded calls. The
technique is aiogram's own (its test suite's MockedBot); this is a small version of it for SellerMate.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import (
    CallbackQuery,
    Chat,
    Document,
    File,
    InlineKeyboardMarkup,
    Message,
    Update,
    User,
)

BOT_USER = User(id=42, is_bot=True, first_name="SellerMate", username="sellermate_test_bot")


class RecordingSession(BaseSession):
    """Records each TelegramMethod; returns a queued result for its type, else a plausible default."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.prepared: dict[type[TelegramMethod[Any]], deque[Any]] = {}
        self.files: dict[str, bytes] = {}  # file path -> content, for downloads
        self._message_ids = itertools.count(1000)

    def prepare(self, method: type[TelegramMethod[Any]], result: Any) -> None:
        """The next call of `method` returns `result` (or raises it, when it is an exception)."""
        self.prepared.setdefault(method, deque()).append(result)

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        self.calls.append(method)
        queue = self.prepared.get(type(method))
        result = queue.popleft() if queue else self._default(method)
        if isinstance(result, BaseException):  # a prepared failure (e.g. Telegram unreachable)
            raise result
        return result.as_(bot) if hasattr(result, "as_") else result

    def _default(self, method: TelegramMethod[Any]) -> Any:
        returning = getattr(method, "__returning__", None)
        if returning is Message or returning == Message | bool:
            chat_id = getattr(method, "chat_id", None)
            return Message(
                message_id=getattr(method, "message_id", None) or next(self._message_ids),
                date=datetime.now(UTC),
                chat=Chat(id=int(chat_id) if chat_id is not None else 0, type="private"),
                from_user=BOT_USER,
                text=getattr(method, "text", None) or getattr(method, "caption", None),
                reply_markup=getattr(method, "reply_markup", None)
                if isinstance(getattr(method, "reply_markup", None), InlineKeyboardMarkup)
                else None,
            )
        if returning is User:
            return BOT_USER
        if returning is File:
            file_id = method.file_id  # type: ignore[attr-defined]
            return File(file_id=file_id, file_unique_id=file_id, file_path=f"documents/{file_id}")
        if returning is bool:
            return True
        origin = getattr(returning, "__origin__", None)
        if origin is list:
            return []
        raise AssertionError(f"prepare a result for {type(method).__name__} (returns {returning})")

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        path = url.split("/file/bot", 1)[-1].split("/", 1)[-1]
        yield self.files[path]

    async def close(self) -> None:
        pass


class RecordingBot(Bot):
    def __init__(self) -> None:
        super().__init__("42:TEST-recording-bot", session=RecordingSession())
        self._me = BOT_USER

    @property
    def recording(self) -> RecordingSession:
        return self.session  # type: ignore[return-value]

    @property
    def calls(self) -> list[TelegramMethod[Any]]:
        return self.recording.calls

    def sent(self, name: str | None = None, chat_id: int | None = None) -> list[TelegramMethod[Any]]:
        """The calls made, by method name (e.g. "SendMessage") and chat."""
        return [
            c
            for c in self.calls
            if (name is None or type(c).__name__ == name)
            and (chat_id is None or getattr(c, "chat_id", None) == chat_id)
        ]


def sent_texts(calls: list[TelegramMethod[Any]]) -> list[str]:
    """The texts and captions a user read in these calls (messages sent or edited)."""
    out = []
    for c in calls:
        if type(c).__name__ in {"SendMessage", "EditMessageText", "SendPhoto", "SendDocument"}:
            text = getattr(c, "text", None) or getattr(c, "caption", None)
            if text:
                out.append(str(text))
    return out


def buttons(method: TelegramMethod[Any]) -> dict[str, str]:
    """The inline buttons of a sent message: callback data (or URL) -> label."""
    markup = getattr(method, "reply_markup", None)
    if not isinstance(markup, InlineKeyboardMarkup):
        return {}
    return {(b.callback_data or b.url or ""): b.text for row in markup.inline_keyboard for b in row}


# ---------------------------------------------------------------- updates a user sends

_update_ids = itertools.count(1)
_message_ids = itertools.count(1)


def user(user_id: int, language: str = "en") -> User:
    return User(id=user_id, is_bot=False, first_name=f"User{user_id}", language_code=language)


def chat_of(user_id: int, chat_id: int | None = None) -> Chat:
    if chat_id is None or chat_id == user_id:
        return Chat(id=user_id, type="private", first_name=f"User{user_id}")
    return Chat(id=chat_id, type="group", title="Sellers")


def message(
    user_id: int,
    text: str | None = None,
    *,
    chat_id: int | None = None,
    language: str = "en",
    document: Document | None = None,
    caption: str | None = None,
) -> Update:
    return Update(
        update_id=next(_update_ids),
        message=Message(
            message_id=next(_message_ids),
            date=datetime.now(UTC),
            chat=chat_of(user_id, chat_id),
            from_user=user(user_id, language),
            text=text,
            document=document,
            caption=caption,
        ),
    )


def press(
    user_id: int, data: str, *, message_id: int = 1, chat_id: int | None = None, language: str = "en"
) -> Update:
    return Update(
        update_id=next(_update_ids),
        callback_query=CallbackQuery(
            id=str(next(_update_ids)),
            from_user=user(user_id, language),
            chat_instance="ci",
            data=data,
            message=Message(
                message_id=message_id,
                date=datetime.now(UTC),
                chat=chat_of(user_id, chat_id),
                from_user=BOT_USER,
                text="…",
            ),
        ),
    )
