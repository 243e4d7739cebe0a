"""`sellermate run` twice on one database: the second is refused with one line; the first, stopped, frees it
(and on start it removed what killed imports had left in the temporary folder).

The first bot runs in this process (the real `serve`, long polling the fake Bot API server, its scheduler
running); the second is the real command line in a process of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
from pathlib import Path

import pytest

from bot.cli import CLIError
from bot.cli_bot import serve
from storage.db import open_database
from storage.repositories import leases
from tests.e2e.conftest import TOKEN
from tests.fakes.telegram_server import FakeTelegramServer

REPO = Path(__file__).resolve().parents[2]


async def test_a_second_run_on_the_same_database_is_refused_in_one_line(
    tmp_path: Path, tg: FakeTelegramServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    env.update(
        SELLERMATE_DATABASE_URL=url,
        SELLERMATE_TELEGRAM_TOKEN=TOKEN,
        SELLERMATE_TELEGRAM_API_URL=tg.base_url,
        SELLERMATE_CONFIG=str(tmp_path / "none.yaml"),
        PYTHONPATH=str(REPO),
        TMPDIR=str(tmp_path),
    )
    for name in [k for k in os.environ if k.startswith("SELLERMATE_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        if name.startswith("SELLERMATE_"):
            monkeypatch.setenv(name, value)

    # A scratch folder an import killed long ago left behind (an older version's, without a lock file).
    scratch = tmp_path / "tmp"
    leftover = scratch / "sellermate-import-killed"
    leftover.mkdir(parents=True)
    os.utime(leftover, (time.time() - 7200, time.time() - 7200))
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))

    first = asyncio.create_task(serve())
    polling = False
    try:
        await tg.wait_call("setMyCommands", timeout=60)  # started: polling, with the scheduler running
        polling = True
        assert not leftover.exists()  # removed on start

        second = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "run",
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            _, err = await asyncio.wait_for(second.communicate(), timeout=60)
        finally:
            if second.returncode is None:  # not refused: it runs as a second bot
                second.kill()
                await second.wait()
        lines = err.decode().strip().splitlines()
        assert second.returncode == 2, err.decode()
        assert len(lines) == 1, lines
        assert lines[0].startswith(
            f"error: another SellerMate bot is running on this database (`sellermate run`, "
            f"pid {os.getpid()} on host "
        )
        assert lines[0].endswith(
            "or set telegram.replica: true (SELLERMATE_TELEGRAM__REPLICA=true) for a webhook replica"
        )
        assert len(tg.calls_of("deleteWebhook")) == 1  # the second never reached polling

        monkeypatch.setenv("SELLERMATE_TELEGRAM__REPLICA", "true")  # a replica must serve a webhook
        with pytest.raises(CLIError, match="telegram.mode: webhook"):  # noqa: RUF043
            await serve()
    finally:
        if polling and not first.done():
            os.kill(os.getpid(), signal.SIGTERM)  # as systemd stops it: aiogram's handler ends the polling
            await asyncio.wait_for(first, timeout=60)
        elif not first.done():  # it never got as far as polling (and as handling SIGTERM)
            first.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await first

    db = await open_database(url)  # stopped cleanly: its leases are given back at once
    try:
        async with db.sessions() as s:
            assert await leases.current(s, "bot") is None and await leases.current(s, "scheduler") is None
    finally:
        await db.dispose()
