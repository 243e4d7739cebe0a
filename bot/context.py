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
        return self.settings.workspace.base_currency

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
    **overrides: Any,
) -> AppContext:
    """Settings, the database (migrated) and the workspace. `before_migrations` gets the database before its
    schema is brought up to date (a process that must not start at all is turned away without changing it)."""
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
        # The base currency is never simply overwritten: the amounts are in it (see below).
        ws = await get_or_create_workspace(
            session,
            name=settings.workspace.name,
            base_currency=settings.workspace.base_currency,
            timezone=settings.workspace.timezone,
            override=explicit - {"base_currency"},
        )
        await session.commit()
        workspace_id, base_currency, timezone = ws.id, ws.base_currency, ws.timezone
    if "base_currency" in explicit and settings.workspace.base_currency != base_currency:
        base_currency = await _configured_base_currency(db, workspace_id, settings, base_currency)
    # The workspace row holds the owner's onboarding choices; the process works with those.
    settings = settings.model_copy(
        update={
            "workspace": settings.workspace.model_copy(
                update={"base_currency": base_currency, "timezone": timezone}
            )
        }
    )
    return AppContext(settings=settings, db=db, workspace_id=workspace_id)


async def _configured_base_currency(db: Database, workspace_id: int, settings: Settings, current: str) -> str:
    """A base currency set in the configuration that differs from the workspace's: the amounts are converted
    into it, or, without a rate to do so, the workspace keeps its own (and the log says why)."""
    from crm.currency import CurrencyChangeRefused, change_base_currency

    wanted = settings.workspace.base_currency
    try:
        change = await change_base_currency(db, workspace_id, wanted, fx_rates=settings.workspace.fx_rates)
    except CurrencyChangeRefused as exc:
        log.warning(
            "workspace.base_currency (SELLERMATE_BASE_CURRENCY) is %s, but the amounts stay in %s: %s",
            wanted,
            current,
            exc,
        )
        return current
    log.info(
        "base currency changed from %s to %s as configured: %s orders re-priced",
        change.old,
        change.new,
        change.orders,
    )
    return change.new
