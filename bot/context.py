"""What every entry point needs: settings, the database and the workspace, built in one place."""

from __future__ import annotations

import logging
import shutil
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.settings import Settings, load_settings
from storage.db import Database, migrate, open_database
from storage.repositories.workspaces import get_or_create_workspace

log = logging.getLogger(__name__)


@dataclass
class AppContext:
    settings: Settings
    db: Database
    workspace_id: int
    # A read-only command asked about a SQLite file that does not exist reads an empty database in a temporary
    # folder instead of creating the file (bot/cli.py::open_app): the file asked for, and that folder.
    missing_database: Path | None = None
    scratch: Path | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.workspace.timezone)

    @property
    def base_currency(self) -> str:
        """The workspace's base currency as this context was opened (fine for a command that runs once); a
        process that keeps running reads it when it uses it (`current_base_currency`), since another process
        may change it."""
        return self.settings.workspace.base_currency

    async def current_base_currency(self) -> str:
        """The workspace's base currency now, from its row (the one source of truth)."""
        from crm.currency import workspace_currency

        return await workspace_currency(self.db, self.workspace_id, self.settings.workspace.base_currency)

    def as_of(self, day: date | None = None) -> datetime:
        """The as-of moment: the end of `day` in the workspace time zone (now when no day is given)."""
        if day is None:
            return datetime.now(self.tz)
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)

    async def close(self) -> None:
        await self.db.dispose()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)


async def open_app(
    settings: Settings | None = None,
    *,
    db_url: str | None = None,
    before_migrations: Callable[[Database], Awaitable[None]] | None = None,
    persist: bool = True,
    **overrides: Any,
) -> AppContext:
    """Settings, the database (migrated) and the workspace. `before_migrations` gets the database before its
    schema is brought up to date (a process that must not start at all is turned away without changing it).
    A time zone set in config or environment becomes the workspace's; with `persist` False (a command that
    only reads) it applies to this process alone and the workspace row keeps its own."""
    if settings is None:
        if db_url:
            overrides.setdefault("database", {})["url"] = db_url
        settings = load_settings(**overrides)
    elif db_url:
        settings = settings.model_copy(
            update={"database": settings.database.model_copy(update={"url": db_url})}
        )
    if before_migrations is None:
        db = await open_database(settings.database.url, echo=settings.database.echo)
    else:
        db = await open_database(settings.database.url, echo=settings.database.echo, run_migrations=False)
        try:
            await before_migrations(db)
            await migrate(db.engine)
        except BaseException:
            await db.dispose()
            raise
    explicit = frozenset(settings.workspace.model_fields_set)
    async with db.sessions() as session:
        # The base currency only seeds a new workspace: from then on the workspace row is the one source of
        # truth (the amounts are stored in it), changed by `sellermate currency set` or /currency only.
        ws = await get_or_create_workspace(
            session,
            name=settings.workspace.name,
            base_currency=settings.workspace.base_currency,
            timezone=settings.workspace.timezone,
            override=explicit - {"base_currency"} if persist else frozenset(),
        )
        await session.commit()
        workspace_id, base_currency, timezone = ws.id, ws.base_currency, ws.timezone
    if not persist and "timezone" in explicit:
        timezone = settings.workspace.timezone
    if "base_currency" in explicit and settings.workspace.base_currency != base_currency:
        log.warning(
            "workspace.base_currency (SELLERMATE_BASE_CURRENCY) is %s, but the workspace's base currency is %s "
            "and stays so: the setting only seeds a new workspace. To change the currency, converting every "
            "amount, run `sellermate currency set %s` (or /currency %s in Telegram); otherwise remove the "
            "setting or set it to %s",
            settings.workspace.base_currency,
            base_currency,
            settings.workspace.base_currency,
            settings.workspace.base_currency,
            base_currency,
        )
    # The workspace row holds the owner's onboarding choices; the process starts with those. The currency can
    # change while it runs (another process): whatever labels amounts reads it again (crm.currency).
    settings = settings.model_copy(
        update={
            "workspace": settings.workspace.model_copy(
                update={"base_currency": base_currency, "timezone": timezone}
            )
        }
    )
    return AppContext(settings=settings, db=db, workspace_id=workspace_id)
