"""What every entry point needs: settings, the database and the workspace, built in one place."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.settings import Settings, load_settings
from storage.db import Database, open_database
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


async def open_app(settings: Settings | None = None, *, db_url: str | None = None, **overrides: Any) -> AppContext:
    if settings is None:
        if db_url:
            overrides.setdefault("database", {})["url"] = db_url
        settings = load_settings(**overrides)
    elif db_url:
        settings = settings.model_copy(update={"database": settings.database.model_copy(update={"url": db_url})})
    db = await open_database(settings.database.url, echo=settings.database.echo)
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
