"""`sellermate worker`: runs the scheduled jobs in their own process, against the fake Telegram Bot API server.

Reminders here are due a few minutes in the past (inside the grace period), so nothing waits for real time:
the worker fires them on start, marked late, exactly once.
"""

from __future__ import annotations

import asyncio
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import CLIError, _register_all, app
from bot.cli_worker import work
from bot.settings import Settings
from storage.db import Database
from storage.repositories import reminders as repo
from tests.fakes.telegram_server import FakeTelegramServer
from tests.scheduling_fixtures import TOKEN, jobs_clean, tg  # noqa: F401

CHAT = 515151


def _settings(db: Database, tg: FakeTelegramServer) -> Settings:  # noqa: F811
    return Settings(
        database={"url": db.url},
        telegram={"token": TOKEN, "api_url": tg.base_url},  # type: ignore[attr-defined]
        workspace={"name": "Test shop", "timezone": "Asia/Singapore"},
        scheduler={"misfire_grace_seconds": 3600},
        language="en",
    )


async def _due_reminder(db: Database, workspace_id: int, text: str, minutes_ago: int) -> int:
    async with db.sessions() as s:
        r = await repo.create_reminder(
            s,
            workspace_id=workspace_id,
            chat_id=CHAT,
            text=text,
            due_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
            timezone="Asia/Singapore",
        )
        await s.commit()
        return r.id


async def test_worker_once_fires_a_due_reminder_once(db, jobs_clean, workspace_id, tg) -> None:  # noqa: F811
    reminder_id = await _due_reminder(db, workspace_id, "call the Shopee VIPs", minutes_ago=10)
    settings = _settings(db, tg)

    await work(settings=settings, once=True)
    sent = tg.sent_texts(CHAT)
    assert len(sent) == 1 and "call the Shopee VIPs" in sent[0] and "late" in sent[0]

    await work(settings=settings, once=True)  # a second run finds nothing left to do
    assert len(tg.sent_texts(CHAT)) == 1
    async with db.sessions() as s:
        r = await repo.get_reminder(s, reminder_id)
        assert r is not None and (r.status, r.late) == ("fired", True)


async def test_worker_runs_until_sigterm_and_stops_gracefully(db, jobs_clean, workspace_id, tg) -> None:  # noqa: F811
    await _due_reminder(db, workspace_id, "send the coupon", minutes_ago=5)
    task = asyncio.create_task(work(settings=_settings(db, tg)))
    # The scheduler's own timer fires it (no run_due here); the signal handler is installed before start.
    call = await tg.wait_call("sendMessage", chat_id=CHAT, timeout=20)
    assert "send the coupon" in call.text
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(task, timeout=20)
    assert len(tg.sent_texts(CHAT)) == 1
    # The handlers are removed again: the event loop no longer intercepts SIGTERM.
    assert asyncio.get_running_loop().remove_signal_handler(signal.SIGTERM) is False


async def test_worker_without_a_token_refuses_before_touching_the_database(tmp_path: Path) -> None:
    settings = Settings(
        database={"url": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"},  # type: ignore[arg-type]
        telegram={"token": None},
    )
    with pytest.raises(CLIError, match="SELLERMATE_TELEGRAM_TOKEN"):
        await work(settings=settings, once=True)
    assert not (tmp_path / "w.db").exists()


def test_worker_command_without_a_token_says_what_to_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("SELLERMATE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no config.yaml here
    monkeypatch.setenv("SELLERMATE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    _register_all()
    result = CliRunner().invoke(app, ["worker", "--once"])
    assert result.exit_code == 2
    assert "SELLERMATE_TELEGRAM_TOKEN" in result.output and "telegram.token" in result.output
    assert not (tmp_path / "w.db").exists()
