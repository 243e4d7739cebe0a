"""Handler tests: the Dispatcher the app builds (bot/app.py) fed updates directly, with a recording Bot.

Each test gets a fresh SQLite database copied from the migrated template, a workspace, and `chat`: a helper
that sends a user's message or button press through `Dispatcher.feed_update` and returns the Bot API calls
the update caused (what that user saw)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from aiogram import Dispatcher
from aiogram.methods import TelegramMethod

from bot.app import build_dispatcher
from bot.settings import Settings
from storage.db import Database, create_engine
from storage.repositories.team import TeamRepository
from storage.repositories.workspaces import get_or_create_workspace
from tests.fakes import recording_bot as rb
from tests.fakes.recording_bot import RecordingBot, sent_texts

__all__ = ["Chat", "one_reply", "sent_texts"]

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Asia/Singapore"))
OWNER = 1001
STAFF = 1002
STRANGER = 2002


@dataclass
class Chat:
    """The app's Dispatcher, a recording Bot and the database behind them."""

    dp: Dispatcher
    bot: RecordingBot
    db: Database
    workspace_id: int
    settings: Settings

    async def feed(self, update: Any) -> list[TelegramMethod[Any]]:
        mark = len(self.bot.calls)
        await self.dp.feed_update(self.bot, update)
        return self.bot.calls[mark:]

    async def say(self, user_id: int, text: str, **kw: Any) -> list[TelegramMethod[Any]]:
        return await self.feed(rb.message(user_id, text, **kw))

    async def press(self, user_id: int, data: str, **kw: Any) -> list[TelegramMethod[Any]]:
        return await self.feed(rb.press(user_id, data, **kw))

    async def add_member(self, user_id: int, role: str, language: str = "en") -> None:
        async with self.db.sessions() as session:
            await TeamRepository(session).add_member(
                self.workspace_id, user_id, role=role, name=f"User{user_id}", language=language
            )
            await session.commit()


def one_reply(calls: list[TelegramMethod[Any]], chat_id: int) -> TelegramMethod[Any]:
    """The single message sent to chat_id among these calls."""
    replies = [c for c in calls if type(c).__name__ in {"SendMessage", "SendPhoto", "SendDocument"}]
    assert [getattr(c, "chat_id", None) for c in replies] == [chat_id], [type(c).__name__ for c in calls]
    return replies[0]


@pytest.fixture
def sqlite_db_path(sqlite_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "handlers.db"
    shutil.copy(sqlite_template, path)
    return path


@pytest_asyncio.fixture
async def chat(sqlite_db_path: Path) -> AsyncIterator[Chat]:
    url = f"sqlite+aiosqlite:///{sqlite_db_path}"
    db = Database(create_engine(url))
    async with db.sessions() as session:
        ws = await get_or_create_workspace(
            session, name="Test shop", base_currency="SGD", timezone="Asia/Singapore"
        )
        await session.commit()
        workspace_id = ws.id
    settings = Settings(
        database={"url": url},
        telegram={"token": "42:TEST-recording-bot", "throttle_per_second": 1000.0},
        workspace={
            "name": "Test shop",
            "base_currency": "SGD",
            "timezone": "Asia/Singapore",
            "fx_rates": {"MYR": 0.3, "USD": 1.34},
        },
    )
    dp = build_dispatcher(settings, db, workspace_id=workspace_id, clock=lambda: NOW)
    bot = RecordingBot()
    try:
        yield Chat(dp, bot, db, workspace_id, settings)
    finally:
        await dp.storage.close()
        await bot.session.close()
        await db.dispose()
