"""What every entry point needs: settings, the database and the workspace, built in one place."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.settings import Settings, load_settings
from storage.db import Database, migrate, open_database
from storage.repositories.workspaces import get_or_create_workspace


@dataclass
class AppContext:
    settings: Settings
    db: Database
    workspace_id: int

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.settings.workspace.timezone)

    @property
    def base_currency(self) -> str:
        return self.settings.workspace.base_currency

    def as_of(self, day: date | None = None) -> datetime:
        """The as-of moment: the end of `day` in the workspace time zone (now when no day is given)."""
        if day is None:
            return datetime.now(self.tz)
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)

    async def close(self) -> None:
        await self.db.dispose()


async def open_app(settings: Settings | None = None, *, db_url: str | None = None,
                   before_migrations: Callable[[Database], Awaitable[None]] | None = None,
                   **overrides: Any) -> AppContext:
    """Settings, the database (migrated) and the workspace. `before_migrations` gets the database before its
    schema is brought up to date (a process that must not start at all is turned away without changing it)."""
    if settings is None:
        if db_url:
            overrides.setdefault("database", {})["url"] = db_url
        settings = load_settings(**overrides)
    elif db_url:
        settings = settings.model_copy(update={"database": settings.database.model_copy(update={"url": db_url})})
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
        ws = await get_or_create_workspace(
            session, name=settings.workspace.name, base_currency=settings.workspace.base_currency,
            timezone=settings.workspace.timezone, override=explicit,
        )
        await session.commit()
        workspace_id = ws.id
        # The workspace row holds the owner's onboarding choices; the process works with those.
        settings = settings.model_copy(update={"workspace": settings.workspace.model_copy(
            update={"base_currency": ws.base_currency, "timezone": ws.timezone})})
    return AppContext(settings=settings, db=db, workspace_id=workspace_id)
