"""`sellermate worker`: run the scheduled jobs (reminders, churn/KPI alerts, digests) in their own process.

Use it when several bot replicas serve Telegram (`scheduler.run_in_bot: false` in their config): exactly one
worker runs the jobs, so each fires once. The bot replicas only write reminders to the database; the worker's
minute sync gives them a job. `--once` processes what is due now and exits (a cron job, or a check).
A worker is refused, in one line, while another process runs the jobs on the same database (the "scheduler"
lease, bot.process_lease): a second worker, or a bot with `scheduler.run_in_bot` left on.
"""

from __future__ import annotations

import logging
from contextlib import suppress
from typing import TYPE_CHECKING, Any

import typer

from bot.cli import DB_OPTION_HELP, CLIError, run_async

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        db: str | None = typer.Option(None, "--db", help=DB_OPTION_HELP),
        once: bool = typer.Option(False, "--once", help="Process the jobs due now, then exit."),
        log_level: str = typer.Option("INFO", "--log-level", help="Logging level (DEBUG, INFO, WARNING)."),
    ) -> None:
        """Run reminders, alerts and digests (one worker next to several bot replicas)."""
        logging.basicConfig(
            level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
        )
        run_async(lambda: work(db_url=db, once=once))


async def work(
    *, db_url: str | None = None, once: bool = False, settings: Any = None, stop: asyncio.Event | None = None
) -> None:
    """Start the scheduler as the worker and run until SIGINT/SIGTERM (or `stop` is set); with `once`, only
    process the jobs due now. `settings` defaults to config.yaml and SELLERMATE_* variables."""
    import asyncio
    import signal

    from bot.settings import load_settings

    settings = settings if settings is not None else load_settings()
    from bot.app import MissingTokenError, build_bot

    try:  # refused before the database is touched, with the same message as `sellermate run`
        bot = build_bot(settings)
    except MissingTokenError as exc:
        raise CLIError(str(exc)) from None

    from bot.cli import open_app, redact_in_logs

    redact_in_logs(bot.token)  # aiogram's errors name the request URL, which holds it
    from bot.process_lease import SCHEDULER, LeaseRefused, ProcessLeases, refusal, taken_over
    from bot.scheduler import build_scheduler

    ctx = None
    service = None
    leases: ProcessLeases | None = None
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: list[signal.Signals] = []

    async def take(db: Any, *, unless_unmigrated: bool = True) -> None:
        # Exactly one process runs the jobs on a database; taken before the schema is migrated when it can be
        # (a refused worker changes nothing), else right after (see bot.cli_bot.serve).
        nonlocal leases
        leases = leases or ProcessLeases(db, "worker")
        try:
            await leases.take_all([SCHEDULER], unless_unmigrated=unless_unmigrated)
        except LeaseRefused as exc:
            raise CLIError(refusal(exc, "worker")) from None

    try:
        ctx = await open_app(settings, db_url=db_url, before_migrations=take)
        await take(ctx.db, unless_unmigrated=False)
        assert leases is not None
        leases.keep(stop.set)
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
        if leases is not None:
            await leases.release()  # once its jobs have finished
        with suppress(Exception):
            await bot.session.close()
        if ctx is not None:
            await ctx.close()
    if leases is not None and leases.taken_over:
        raise CLIError(taken_over(leases))
