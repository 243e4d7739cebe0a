"""Composition root of the Telegram bot: factories for the Bot, the Dispatcher and the webhook server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import PRODUCTION, TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.base import BaseStorage
from aiogram.fsm.storage.memory import DisabledEventIsolation
from aiogram.types import BotCommand, BotCommandScopeDefault
from aiohttp import web

from bot.cli_bot import TOKEN_HINT, WEBHOOK_URL_HINT
from bot.fsm_storage import DatabaseStorage
from bot.i18n import LANGUAGES, I18n
from bot.limits import FitToTelegram
from bot.middlewares import (
    CommandEndsPrompt,
    DeskMiddleware,
    ReadsTextOnce,
    RetryRequestMiddleware,
    RoleMiddleware,
    Throttle,
)
from bot.settings import Settings
from crm.query.cache import ResultCache
from storage.db import Database

log = logging.getLogger(__name__)

# Commands shown in Telegram's menu, in this order; descriptions come from the catalogue (commands.<name>).
MENU_COMMANDS: tuple[str, ...] = (
    "start",
    "help",
    "kpi",
    "top",
    "products",
    "segments",
    "cohort",
    "customer",
    "draft",
    "experiments",
    "points",
    "reminders",
    "team",
    "invite",
    "bind",
    "language",
    "currency",
    "rules",
)


class MissingTokenError(RuntimeError):
    """No bot token is configured; the message says which setting to fill in."""


# aiogram reads every Bot API answer as `Response[<the method's result type>]`, a pydantic generic class that
# pydantic keeps only weakly: once the garbage collector frees it, the next answer builds the class again
# (≈ 5-50 ms of schema building each time, several times a minute under load). Holding them here keeps each
# built once per process.
_RESPONSE_TYPES: list[type[Any]] = []


def keep_response_types() -> None:
    """Build (once) and hold the response class of every Bot API method aiogram has."""
    if _RESPONSE_TYPES:
        return
    from aiogram import methods
    from aiogram.methods.base import Response, TelegramMethod
    from pydantic.errors import PydanticSchemaGenerationError

    seen: dict[str, Any] = {}
    for name in methods.__all__:
        method = getattr(methods, name, None)
        returning = getattr(method, "__returning__", None)
        if isinstance(method, type) and issubclass(method, TelegramMethod) and returning is not None:
            seen.setdefault(repr(returning), returning)
    for returning in seen.values():
        try:
            _RESPONSE_TYPES.append(Response[returning])
        except PydanticSchemaGenerationError:  # a result type pydantic cannot read: aiogram cannot either
            log.debug("no response class for %r", returning)


def warm_up() -> None:
    """What the first answer after start would otherwise pay for, done before polling starts (on_startup runs it
    in a thread: it is CPU work): the Bot API response classes, both languages' text catalogues, and the
    question parser's tables (a question of each language parsed). The answer's SQL is not warmed: running it
    costs what answering costs."""
    from crm.query.parser import parse_question
    from crm.text import bundle, render

    keep_response_types()
    for language in LANGUAGES:
        bundle(language)  # every catalogue file parsed (a one-shot command parses only the files it uses)
        render(language, "common.slow_down")
    for question in ("revenue last month", "上个月的销售额"):
        parse_question(question)


def build_bot(settings: Settings) -> Bot:
    """The aiogram Bot: HTML replies, the configured Bot API server, every text within Telegram's limits
    (bot/limits.py: split or shortened before it is sent, each part retried on its own), retries on 429 and
    network errors."""
    token = settings.telegram.token.get_secret_value().strip() if settings.telegram.token else ""
    if not token:
        raise MissingTokenError(f"no Telegram bot token: {TOKEN_HINT}")
    api = TelegramAPIServer.from_base(settings.telegram.api_url) if settings.telegram.api_url else PRODUCTION
    session = AiohttpSession(api=api)
    session.middleware(FitToTelegram())  # outermost: a long text is split once, then each part is retried
    session.middleware(RetryRequestMiddleware())
    return Bot(token=token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML))


def build_fsm_storage(settings: Settings, db: Database) -> BaseStorage:
    """Conversation state: in the product's own database (survives restarts), or Redis when configured."""
    if settings.telegram.redis_url:
        from aiogram.fsm.storage.redis import RedisStorage  # needs the `redis` package

        return RedisStorage.from_url(settings.telegram.redis_url)
    return DatabaseStorage(db)


def build_dispatcher(
    settings: Settings,
    db: Database,
    *,
    workspace_id: int,
    clock: Callable[[], datetime] | None = None,
    llm: Any = None,
    scheduler: Any = None,
    storage: BaseStorage | None = None,
    **extra: Any,
) -> Dispatcher:
    """The Dispatcher with its workflow data, middlewares, routers and startup/shutdown hooks.

    Handlers receive by parameter name: `settings`, `db`, `workspace_id`, `clock` (aware "now"), `llm`,
    `scheduler`, `answers` (the paged-answer cache), `asking` (handlers.ask.Asking: answering a question in a
    chat), `drafting` (handlers.outreach.Drafting), plus what the middlewares inject per update
    (DeskMiddleware: the session and who asks; ReadsTextOnce: `reading`, a private text's offline reading).
    """
    # Imported here: bot.notifications (which handlers use) imports handlers.customers in turn.
    from handlers import (
        alerts,
        ask,
        customers,
        errors,
        groups,
        imports,
        outreach,
        points,
        reminders,
        rights,
        rules,
        start,
        team,
    )

    tz = ZoneInfo(settings.workspace.timezone)
    clock = clock or (lambda: datetime.now(tz))
    answers = ask.AnswerCache()
    results = ResultCache(ttl=settings.telegram.answer_cache_seconds)  # answers shared by the team
    dp = Dispatcher(
        storage=storage or build_fsm_storage(settings, db),
        settings=settings,
        db=db,
        workspace_id=workspace_id,
        clock=clock,
        llm=llm,
        scheduler=scheduler,
        answers=answers,
        results=results,
        drafting=outreach.Drafting(db=db, workspace_id=workspace_id, settings=settings, clock=clock, llm=llm),
        asking=ask.Asking(
            db=db,
            workspace_id=workspace_id,
            settings=settings,
            clock=clock,
            llm=llm,
            answers=answers,
            results=results,
        ),
        **extra,
    )
    throttle = Throttle(settings.telegram.throttle_per_second)
    if isinstance(dp.fsm.storage, DatabaseStorage) and isinstance(
        dp.fsm.events_isolation, DisabledEventIsolation
    ):
        # The desk runs before aiogram's FSM middleware and reads the conversation with who is asking, in one
        # session: one database round trip per update fewer. (With events isolation, aiogram reads the state
        # under its lock, so it is left to read it.)
        dp.update.outer_middleware.unregister(dp.fsm)
        dp.update.outer_middleware(DeskMiddleware(db, workspace_id, throttle, (dp.fsm, dp.fsm.storage)))
        dp.update.outer_middleware(dp.fsm)
    else:
        dp.update.outer_middleware(DeskMiddleware(db, workspace_id, throttle))
    # A command ends an open prompt and still runs; the set-up steps stay open.
    dp.message.outer_middleware(CommandEndsPrompt(keep=frozenset({start.Onboarding.__full_group_name__})))
    dp.message.outer_middleware(ReadsTextOnce())
    dp.message.middleware(RoleMiddleware())
    dp.callback_query.middleware(RoleMiddleware())

    # Order matters: the first matching handler wins. Each area's routes give a new Router per Dispatcher.
    dp.include_routers(
        errors.routes.router(),  # error handlers only; catches failures of every router below
        start.routes.router(),  # /start (onboarding, invite deep links), /help, /language
        team.routes.router(),  # /team, /invite, /join, /role, /remove
        groups.routes.router(),  # /bind, /unbind in group chats
        imports.routes.router(),  # documents: in-chat import
        customers.routes.router(),  # /customer, the customer card and its tag/note conversations
        outreach.routes.router(),  # /draft, drafts asked in words, the draft buttons (draft:<id>)
        reminders.routes.router(),  # /reminders, reminders set in words, the reminder buttons (remind:<id>)
        alerts.routes.router(),  # /alerts in groups, "assign to me" and "show more" under churn alerts
        points.routes.router(),  # /points, /redeem, /adjust (loyalty points), for admins
        rights.routes.router(),  # /export, /erase (a customer's data rights) and /audit, for owners
        rules.routes.router(),  # /rules: retention rules, their dry runs and enable/disable buttons
        ask.routes.router(),  # LAST: shortcuts and the catch-all "any text is a question"
    )

    dp.startup.register(on_startup)
    dp.shutdown.register(on_shutdown)
    return dp


async def set_commands(bot: Bot) -> None:
    """The command menu in English (default) and Chinese (users whose Telegram language is zh)."""
    for language in LANGUAGES:
        i18n = I18n(language)
        commands = [BotCommand(command=c, description=i18n(f"commands.{c}")) for c in MENU_COMMANDS]
        await bot.set_my_commands(
            commands, scope=BotCommandScopeDefault(), language_code=None if language == "en" else language
        )


async def on_startup(bot: Bot, settings: Settings, scheduler: Any = None, warm: bool = True) -> None:
    if warm:  # `warm=False` in the dispatcher's data: the benchmark's cold start
        await asyncio.to_thread(warm_up)
    me = await bot.me()
    log.info("SellerMate bot @%s starting (%s mode)", me.username, settings.telegram.mode)
    await set_commands(bot)
    if scheduler is not None and not getattr(scheduler, "running", False):
        scheduler.start()


async def on_shutdown(scheduler: Any = None) -> None:
    if scheduler is not None and getattr(scheduler, "running", False):
        stop = getattr(scheduler, "stop", None)  # bot.scheduler: lets running jobs finish first
        if stop is not None:
            await stop()
        else:
            scheduler.shutdown(wait=False)
    log.info("SellerMate bot stopped")


async def start_webhook(bot: Bot, dp: Dispatcher, settings: Settings, *, secret: str) -> web.AppRunner:
    """Serve the webhook path on listen_host:listen_port (behind a TLS reverse proxy) and register it."""
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application

    tg = settings.telegram
    if not tg.webhook_url:
        raise MissingTokenError(WEBHOOK_URL_HINT)
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(app, path=tg.webhook_path)
    setup_application(app, dp, bot=bot)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, tg.listen_host, tg.listen_port).start()
    url = tg.webhook_url.rstrip("/") + tg.webhook_path
    await bot.set_webhook(
        url=url,
        secret_token=secret,
        allowed_updates=dp.resolve_used_update_types(),
        drop_pending_updates=False,
    )
    log.info("webhook listening on %s:%s%s for %s", tg.listen_host, tg.listen_port, tg.webhook_path, url)
    return runner


async def run_polling(bot: Bot, dp: Dispatcher, *, handle_signals: bool = True) -> None:
    """Long polling: drop any webhook first (Telegram refuses getUpdates while one is set)."""
    await bot.delete_webhook(drop_pending_updates=False)
    await dp.start_polling(bot, handle_signals=handle_signals)


async def wait_forever() -> None:  # pragma: no cover - ended by a signal
    await asyncio.Event().wait()
