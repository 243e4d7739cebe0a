"""End-to-end harness: the real aiogram Bot and Dispatcher, long polling a fake Bot API server on loopback."""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest_asyncio
from aiogram import Bot, Dispatcher

from bot.app import build_bot, build_dispatcher
from bot.settings import Settings
from storage.db import Database
from storage.repositories.team import TeamRepository
from tests.fakes.openai_server import ScriptedOpenAI
from tests.fakes.telegram_server import Call, FakeTelegramServer, finish_polling
from tests.scheduling_fixtures import tg  # noqa: F401  (the fake Bot API server fixture)

TOKEN = "123456:TEST-token-for-the-fake-server"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Asia/Singapore"))
OWNER = 1001


def make_settings(server: FakeTelegramServer, **telegram: Any) -> Settings:
    return Settings(
        telegram={"token": TOKEN, "api_url": server.base_url, "throttle_per_second": 1000.0, **telegram},
        workspace={
            "name": "Test shop",
            "base_currency": "SGD",
            "timezone": "Asia/Singapore",
            "fx_rates": {"MYR": 0.3, "USD": 1.34},
        },
    )


@dataclass
class Desk:
    """A running bot plus helpers that talk to it like a Telegram user would."""

    server: FakeTelegramServer
    bot: Bot
    dp: Dispatcher
    db: Database
    workspace_id: int
    settings: Settings

    async def say(
        self, user_id: int, text: str, *, chat_id: int | None = None, method: str = "sendMessage", **kw: Any
    ) -> Call:
        """Send `text` as `user_id` and wait for the bot's first `method` call to that chat."""
        mark = self.server.mark()
        self.server.send_text(user_id, text, chat_id=chat_id, **kw)
        return await self.server.wait_call(
            method, chat_id=user_id if chat_id is None else chat_id, after=mark
        )

    async def press(
        self,
        user_id: int,
        data: str,
        message_id: int,
        *,
        method: str | tuple[str, ...] = "sendMessage",
        **kw: Any,
    ) -> Call:
        mark = self.server.mark()
        self.server.press(user_id, data, message_id=message_id, **kw)
        return await self.server.wait_call(method, after=mark)

    async def add_member(self, user_id: int, role: str, language: str = "en") -> None:
        async with self.db.sessions() as session:
            await TeamRepository(session).add_member(
                self.workspace_id, user_id, role=role, name=f"User{user_id}", language=language
            )
            await session.commit()


async def start_desk(
    db: Database, workspace_id: int, server: FakeTelegramServer, *, llm: Any = None, **telegram: Any
) -> tuple[Desk, asyncio.Task[None]]:
    settings = make_settings(server, **telegram)
    bot = build_bot(settings)
    dp = build_dispatcher(settings, db, workspace_id=workspace_id, clock=lambda: NOW, llm=llm)
    mark = server.mark()
    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=False)
    )
    await server.wait_call("setMyCommands", after=mark)  # startup hook done: polling is about to begin
    return Desk(server, bot, dp, db, workspace_id, settings), polling


async def stop_desk(desk: Desk, polling: asyncio.Task[None]) -> None:
    await finish_polling(desk.dp, polling, desk.bot)


@pytest_asyncio.fixture
async def desk(db: Database, workspace_id: int, tg: FakeTelegramServer) -> AsyncIterator[Desk]:  # noqa: F811
    running, polling = await start_desk(db, workspace_id, tg)
    try:
        yield running
    finally:
        await stop_desk(running, polling)


@pytest_asyncio.fixture
async def llm_desk(
    db: Database, workspace_id: int, tg: FakeTelegramServer
) -> AsyncIterator[tuple[Desk, ScriptedOpenAI]]:  # noqa: F811
    """A running bot whose LLM is the scripted OpenAI-compatible server, with OWNER as its owner."""
    from bot.settings import LLMSettings
    from crm.query.llm import build_chat_model

    llm_server = await ScriptedOpenAI().start()
    llm = build_chat_model(
        LLMSettings(base_url=llm_server.base_url, model="scripted-model", api_key="k", timeout_seconds=5)
    )
    running, polling = await start_desk(db, workspace_id, tg, llm=llm)
    try:
        await running.add_member(OWNER, "owner")
        yield running, llm_server
    finally:
        await stop_desk(running, polling)
        await llm_server.stop()


SHOPIFY_HEADER = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Total",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
    "Billing Name",
    "Billing Phone",
    "Billing Country",
    "Shipping Country",
]


def shopify_csv(path: Path, orders: list[tuple[str, str, str, str, str, str]]) -> Path:
    """A Shopify orders export: (order name, buyer name, email, total, created at, status) per order."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(SHOPIFY_HEADER)
        for name, buyer, email, total, created, status in orders:
            row = dict.fromkeys(SHOPIFY_HEADER, "")
            row.update(
                {
                    "Name": name,
                    "Email": email,
                    "Financial Status": status,
                    "Fulfillment Status": "fulfilled",
                    "Accepts Marketing": "yes",
                    "Currency": "SGD",
                    "Subtotal": total,
                    "Total": total,
                    "Created at": created,
                    "Lineitem quantity": "1",
                    "Lineitem name": "Serum",
                    "Lineitem price": total,
                    "Lineitem sku": "SER",
                    "Billing Name": buyer,
                    "Billing Country": "SG",
                    "Shipping Country": "SG",
                }
            )
            writer.writerow([row[h] for h in SHOPIFY_HEADER])
    return path
