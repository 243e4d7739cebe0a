"""`sellermate run`: start the Telegram bot, with long polling (default) or a webhook behind a reverse proxy.

One bot per database: a second `sellermate run` is refused in one line while the first runs, unless it is a
webhook replica (`telegram.replica`); and one process runs the scheduled jobs (bot.process_lease).
"""

from __future__ import annotations

import logging
import re
from contextlib import suppress
from typing import TYPE_CHECKING

import typer

from bot.cli import DB_OPTION_HELP, CLIError, CLIUnavailable, run_async

if TYPE_CHECKING:
    import asyncio

TOKEN_HINT = "set SELLERMATE_TELEGRAM_TOKEN (or telegram.token in config.yaml) to the token from @BotFather"
WEBHOOK_URL_HINT = (
    "webhook mode needs the public HTTPS address: set SELLERMATE_TELEGRAM__WEBHOOK_URL "
    "(or telegram.webhook_url in config.yaml), e.g. https://bot.example.com"
)
MALFORMED_TOKEN = (
    "the Telegram bot token is malformed: a token from @BotFather looks like 123456789:AAF1x-2y_Z… (digits, a colon, "
    "then letters, digits, '-' and '_'); check SELLERMATE_TELEGRAM_TOKEN (or telegram.token in config.yaml)"
)
TOKEN_RE = re.compile(r"\d+:[A-Za-z0-9_-]+")
REPLICA_POLLING = (
    "telegram.replica is for webhook replicas behind a proxy, but this bot would use long polling (Telegram hands "
    "a bot's updates to one polling process only): set telegram.mode: webhook, or telegram.replica: false"
)


def unreachable(settings: object, exc: BaseException) -> CLIUnavailable:
    api = getattr(getattr(settings, "telegram", None), "api_url", None) or "https://api.telegram.org"
    reason = (
        str(getattr(exc, "message", "") or exc).strip().splitlines()[0]
        if str(exc).strip()
        else type(exc).__name__
    )
    return CLIUnavailable(
        f"Telegram cannot be reached at {api} ({reason}); check the network or proxy, "
        "or telegram.api_url (SELLERMATE_TELEGRAM_API_URL) if you use your own Bot API server"
    )


def register(app: typer.Typer) -> None:
    @app.command("run")
    def run(
        db: str | None = typer.Option(None, "--db", help=DB_OPTION_HELP),
        mode: str | None = typer.Option(
            None, "--mode", help="polling (default) or webhook; default from telegram.mode / config.yaml."
        ),
        log_level: str = typer.Option("INFO", "--log-level", help="Logging level (DEBUG, INFO, WARNING)."),
    ) -> None:
        """Start the Telegram bot (needs SELLERMATE_TELEGRAM_TOKEN)."""
        logging.basicConfig(
            level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
        )
        run_async(lambda: serve(db_url=db, mode=mode))


async def serve(*, db_url: str | None = None, mode: str | None = None) -> None:
    import asyncio

    from bot.settings import load_settings

    settings = load_settings()
    mode = (mode or settings.telegram.mode).lower()
    # Settings are checked before anything heavy is imported or opened.
    if mode not in ("polling", "webhook"):
        raise CLIError(f"--mode must be polling or webhook, got {mode!r}")
    if not settings.telegram.token or not settings.telegram.token.get_secret_value().strip():
        raise CLIError(f"no Telegram bot token: {TOKEN_HINT}")
    if not TOKEN_RE.fullmatch(settings.telegram.token.get_secret_value().strip()):
        raise CLIError(MALFORMED_TOKEN)
    from bot.cli import redact_in_logs

    redact_in_logs(settings.telegram.token.get_secret_value().strip())  # aiogram's errors name the URL
    if mode == "webhook" and not settings.telegram.webhook_url:
        raise CLIError(WEBHOOK_URL_HINT)
    if settings.telegram.replica and mode != "webhook":
        raise CLIError(REPLICA_POLLING)

    from aiogram.exceptions import TelegramNetworkError, TelegramUnauthorizedError

    from bot.app import build_bot, build_dispatcher, run_polling
    from bot.cli import open_app

    bot = build_bot(settings)
    try:
        # One call before anything is opened: a wrong token or no route to Telegram is one clear line.
        await bot.get_me()
    except TelegramUnauthorizedError:
        await bot.session.close()
        raise CLIError(
            "Telegram rejected the bot token (revoked or mistyped): copy it again from @BotFather "
            "into SELLERMATE_TELEGRAM_TOKEN (or telegram.token in config.yaml)"
        ) from None
    except TelegramNetworkError as exc:
        await bot.session.close()
        raise unreachable(settings, exc) from None
    from bot.process_lease import BOT, SCHEDULER, LeaseRefused, ProcessLeases, refusal, taken_over
    from crm.importing.scratch import remove_stale_folders

    # One bot per database (and token), one scheduler: the leases are taken before the schema is migrated (a
    # second bot, maybe a newer version, must not change it under the running one) or, on a database that has
    # no leases yet, right after.
    wanted = ([] if settings.telegram.replica else [BOT]) + (
        [SCHEDULER] if settings.scheduler.run_in_bot else []
    )
    leases: ProcessLeases | None = None

    async def take(db: object, *, unless_unmigrated: bool = True) -> None:
        nonlocal leases
        leases = leases or ProcessLeases(db, "run")  # type: ignore[arg-type]
        try:
            await leases.take_all(wanted, unless_unmigrated=unless_unmigrated)
        except LeaseRefused as exc:
            raise CLIError(refusal(exc, "run")) from None

    try:
        ctx = await open_app(settings, db_url=db_url, before_migrations=take)
    except BaseException:
        if leases is not None:  # taken before a migration that then failed
            await leases.release()
        with suppress(Exception):
            await bot.session.close()
        raise
    assert leases is not None
    try:
        await take(ctx.db, unless_unmigrated=False)
        scheduler = _build_scheduler(ctx, bot)
        # Scratch folders of imports killed with an earlier bot (their own import cannot remove them).
        await asyncio.to_thread(remove_stale_folders)
        dp = build_dispatcher(ctx.settings, ctx.db, workspace_id=ctx.workspace_id, scheduler=scheduler)
        stop = asyncio.Event()
        stopping: list[asyncio.Future[None]] = []

        def lost() -> None:  # another process took a lease over: stop serving, like on SIGTERM
            stop.set()
            if mode == "polling":
                stopping.append(asyncio.ensure_future(_stop_polling(dp)))

        leases.keep(lost)
        if mode == "polling":
            await run_polling(bot, dp)
        else:
            await _serve_webhook(bot, dp, ctx.settings, stop)
    except TelegramNetworkError as exc:  # lost on the way up (deleteWebhook/setWebhook)
        raise unreachable(settings, exc) from None
    finally:
        await leases.release()  # after the dispatcher's shutdown stopped the scheduler
        with suppress(Exception):
            await bot.session.close()
        await ctx.close()
    if leases.taken_over:
        raise CLIError(taken_over(leases))


async def _stop_polling(dp) -> None:  # type: ignore[no-untyped-def]
    with suppress(RuntimeError):  # not polling (yet, or any more)
        await dp.stop_polling()


def _build_scheduler(ctx: object, bot: object) -> object | None:
    # The reminders area provides the scheduler factory; without it the bot runs without scheduled jobs.
    try:
        from bot.scheduler import build_scheduler
    except ModuleNotFoundError:
        return None
    return build_scheduler(ctx, bot=bot)  # type: ignore[arg-type]


async def _serve_webhook(bot, dp, settings, stop: asyncio.Event) -> None:  # type: ignore[no-untyped-def]
    import asyncio
    import secrets
    import signal

    from bot.app import start_webhook

    secret = settings.telegram.webhook_secret.get_secret_value() if settings.telegram.webhook_secret else ""
    secret = secret or secrets.token_urlsafe(32)  # set on every start, so a random one is fine
    runner = await start_webhook(bot, dp, settings, secret=secret)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        with suppress(Exception):
            await bot.delete_webhook()
        await runner.cleanup()
