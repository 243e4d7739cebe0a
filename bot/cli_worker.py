"""`sellermate worker`: run the scheduled jobs (reminders, churn/KPI alerts, digests) in their own process.

Use it when several bot replicas serve Telegram (`scheduler.run_in_bot: false` in their config): exactly one
worker runs the jobs, so each fires once. The bot replicas only write reminders to the database; the worker's
minute sync gives them a job. `--once` processes what is due now and exits (a cron job, or a check).
"""
from __future__ import annotations

import asyncio
import logging
import signal
from contextlib import suppress
from typing import Any

import typer

from bot.cli import DB_OPTION_HELP, CLIError, run_async

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        db: str | None = typer.Option(None, "--db", help=DB_OPTION_HELP),
        once: bool = typer.Option(False, "--once", help="Process the jobs due now, then exit."),
        log_level: str = typer.Option("INFO", "--log-level", help="Logging level (DEBUG, INFO, WARNING)."),
    ) -> None:
        """Run reminders, alerts and digests (one worker next to several bot replicas)."""
        logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        run_async(lambda: work(db_url=db, once=once))


async def work(*, db_url: str | None = None, once: bool = False, settings: Any = None,
               stop: asyncio.Event | None = None) -> None:
    """Start the scheduler as the worker and run until SIGINT/SIGTERM (or `stop` is set); with `once`, only
    process the jobs due now. `settings` defaults to config.yaml and SELLERMATE_* variables."""
    from bot.settings import load_settings

    settings = settings if settings is not None else load_settings()
    from bot.app import MissingTokenError, build_bot

    try:  # refused before the database is touched, with the same message as `sellermate run`
        bot = build_bot(settings)
    except MissingTokenError as exc:
        raise CLIError(str(exc)) from None

    from bot.cli import open_app
    from bot.scheduler import build_scheduler

    ctx = None
    service = None
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []
    try:
        ctx = await open_app(settings, db_url=db_url)
        if not once:
            for sig in (signal.SIGINT, signal.SIGTERM):
                with suppress(NotImplementedError, RuntimeError):
                    loop.add_signal_handler(sig, stop.set)
                    installed.append(sig)
        service = build_scheduler(ctx, bot=bot, worker=True)
        service.start()
        await service.started()
        if once:
            await service.run_due()
        else:
            log.info("worker running; stop with Ctrl+C or SIGTERM")
            await stop.wait()
            log.info("stopping: letting running jobs finish")
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)
        if service is not None:
            await service.stop()
        with suppress(Exception):
            await bot.session.close()
        if ctx is not None:
            await ctx.close()
