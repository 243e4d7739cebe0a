"""Fixtures for the scheduler, alert and reminder-handler tests: the fake Telegram server, a bot on it, a
virtual clock for pacing, settings for the test database, and a clean APScheduler job table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest_asyncio
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.scheduler import SchedulerService
from bot.sender import Sender
from bot.settings import Settings
from storage.db import Database
from storage.models import BuyerIdentity, Customer, GroupChat, Interaction, Order, Store, TeamMember
from storage.repositories.analytics import refresh_order_stats
from tests.fakes.telegram_server import FakeTelegramServer, close_bot_session

TOKEN = "123456:TEST-token"


class VirtualTime:
    """A monotonic clock that sleeping advances instantly (pacing is checked on virtual seconds)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        # Sleepers overlap as they would in real time: the clock moves to the latest wake-up time, it does
        # not add every sleep up.
        wake = self.t + max(0.0, seconds)
        await asyncio.sleep(0)
        self.t = max(self.t, wake)


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    server = await FakeTelegramServer().start()
    try:
        yield server
    finally:
        await server.stop()


@pytest_asyncio.fixture
async def bot(tg: FakeTelegramServer) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(tg.base_url))
    b = Bot(token=TOKEN, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))
    try:
        yield b
    finally:
        await close_bot_session(b)


@pytest_asyncio.fixture
async def jobs_clean(db: Database) -> Database:
    """APScheduler's table is not one of ours, so the PostgreSQL fixture does not empty it: we do."""
    async with db.engine.begin() as conn:
        try:
            async with conn.begin_nested():
                await conn.execute(text("DELETE FROM apscheduler_jobs"))
        except DBAPIError:
            pass  # not created yet
    return db


def make_settings(db: Database, *, timezone: str = "Asia/Singapore", **scheduler: Any) -> Settings:
    return Settings(
        database={"url": db.url},
        workspace={"timezone": timezone},  # type: ignore[attr-defined]
        scheduler=scheduler,
        language="en",
    )


def make_service(
    settings: Settings,
    db: Database,
    bot: Bot,
    workspace_id: int,
    vt: VirtualTime | None = None,
    **kwargs: Any,
) -> SchedulerService:
    vt = vt or VirtualTime()
    sender = Sender.from_settings(bot, settings.scheduler, now=vt.now, sleep=vt.sleep)
    return SchedulerService(settings, db, bot, workspace_id=workspace_id, sender=sender, **kwargs)


async def add_member(
    db: Database,
    workspace_id: int,
    telegram_user_id: int,
    *,
    role: str = "owner",
    language: str = "en",
    timezone: str | None = None,
) -> int:
    async with db.sessions() as s:
        m = TeamMember(
            workspace_id=workspace_id,
            telegram_user_id=telegram_user_id,
            name=f"M{telegram_user_id}",
            role=role,
            language=language,
            timezone=timezone,
            active=True,
        )
        s.add(m)
        await s.commit()
        return m.id


async def add_group(
    db: Database,
    workspace_id: int,
    chat_id: int,
    *,
    language: str = "en",
    alerts: bool = True,
    weekly: bool = False,
    monthly: bool = False,
) -> int:
    async with db.sessions() as s:
        g = GroupChat(
            workspace_id=workspace_id,
            chat_id=chat_id,
            title=f"G{chat_id}",
            language=language,
            alerts_enabled=alerts,
            weekly_digest=weekly,
            monthly_review=monthly,
            bound_at=datetime(2026, 1, 1, tzinfo=UTC),
        )
        s.add(g)
        await s.commit()
        return g.id


class Shop:
    """Builds customers and orders as ORM rows."""

    def __init__(self, db: Database, workspace_id: int) -> None:
        self.db = db
        self.ws = workspace_id
        self.store_id: int | None = None
        self.n = 0

    async def customer(
        self,
        name: str,
        orders: list[tuple[datetime, float]],
        *,
        status: str = "completed",
        country: str = "SG",
        platform: str | None = None,
    ) -> int:
        """A customer with `orders`; with `platform`, a buyer identity there (what pickers and lists show)."""
        async with self.db.sessions() as s:
            if self.store_id is None:
                store = Store(
                    workspace_id=self.ws, platform="shopee", name="shopee-sg", country="SG", currency="SGD"
                )
                s.add(store)
                await s.flush()
                self.store_id = store.id
            c = Customer(workspace_id=self.ws, display_name=name, country=country)
            s.add(c)
            await s.flush()
            if platform is not None:
                s.add(
                    BuyerIdentity(
                        workspace_id=self.ws,
                        customer_id=c.id,
                        platform=platform,
                        buyer_key=f"{platform}-{c.id}",
                        name=name,
                        country=country,
                    )
                )
            for at, value in orders:
                self.n += 1
                s.add(
                    Order(
                        workspace_id=self.ws,
                        store_id=self.store_id,
                        platform="shopee",
                        platform_order_id=f"O{self.n}",
                        customer_id=c.id,
                        status=status,
                        currency="SGD",
                        order_value=Decimal(str(value)),
                        value_base=Decimal(str(value)),
                        country="SG",
                        created_at=at,
                    )
                )
            await s.flush()
            await refresh_order_stats(s, [c.id])
            await s.commit()
            return c.id

    async def interaction(self, customer_id: int, kind: str, at: datetime) -> None:
        async with self.db.sessions() as s:
            s.add(Interaction(workspace_id=self.ws, customer_id=customer_id, kind=kind, occurred_at=at))
            await s.commit()
