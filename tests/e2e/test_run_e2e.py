"""`sellermate run`: clear refusals without a token, and webhook mode serving real HTTP updates."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp

from bot.app import build_bot, build_dispatcher, start_webhook
from storage.db import Database
from storage.repositories.team import TeamRepository
from tests.e2e.conftest import NOW, OWNER, make_settings
from tests.fakes.telegram_server import FakeTelegramServer

REPO = Path(__file__).resolve().parents[2]


def run_cli(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    clean.update(
        env, SELLERMATE_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", PYTHONPATH=str(REPO)
    )
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        check=False,
        cwd=tmp_path,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_without_a_token_says_which_setting_to_fill(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "run")
    assert done.returncode == 2
    assert "SELLERMATE_TELEGRAM_TOKEN" in done.stderr and "telegram.token" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "bot.db").exists()  # refused before touching anything


def test_webhook_mode_without_a_public_url_is_refused(tmp_path: Path) -> None:
    done = run_cli(tmp_path, "run", "--mode", "webhook", SELLERMATE_TELEGRAM_TOKEN="123:abc")
    assert done.returncode == 2 and "SELLERMATE_TELEGRAM__WEBHOOK_URL" in done.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_mode_checks_the_secret_and_answers(
    db: Database, workspace_id: int, tg: FakeTelegramServer
) -> None:
    port = _free_port()
    settings = make_settings(tg, mode="webhook", webhook_url="https://bot.example.com", listen_port=port)
    async with db.sessions() as session:
        await TeamRepository(session).add_member(workspace_id, OWNER, role="owner")
        await session.commit()
    bot = build_bot(settings)
    dp = build_dispatcher(settings, db, workspace_id=workspace_id, clock=lambda: NOW)
    runner = await start_webhook(bot, dp, settings, secret="s3cret-token")
    try:
        registered = tg.calls_of("setWebhook")[-1].params
        assert registered["url"] == "https://bot.example.com/telegram/webhook"
        assert registered["secret_token"] == "s3cret-token"
        update = {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": tg.chat(OWNER),
                "from": tg.user(OWNER),
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        url = f"http://127.0.0.1:{port}/telegram/webhook"
        async with aiohttp.ClientSession() as http:
            async with http.post(url, json=update) as forged:
                assert forged.status == 401
            mark = tg.mark()
            async with http.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret-token"}
            ) as ok:
                assert ok.status == 200
        reply = await tg.wait_call("sendMessage", chat_id=OWNER, after=mark)
        assert "/kpi" in reply.text
    finally:
        await runner.cleanup()
