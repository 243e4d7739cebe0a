"""Questions: any text is a question for crm.query.service.ask; answers as text, paged tables and charts.

Also the shortcuts /kpi, /top, /segments, /cohort. This router is included LAST: its catch-all takes every
private text message no other handler wanted.
"""

from __future__ import annotations

import html
import logging
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Literal

from aiogram import Bot, Dispatcher, F
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, Message, Update

from bot import answer_view as view
from bot.answer_view import CsvCB, PageCB, SuggestCB, WhyCB, render_page
from bot.answer_view import format_table as format_table  # still importable from here, as it always was
from bot.i18n import I18n
from bot.settings import Settings
from crm.query import shortcuts
from crm.query.cache import ResultCache
from crm.query.ir import ParsedQuestion
from crm.query.reading import MessageReading
from crm.query.result import Result
from crm.query.service import answer, ask
from crm.rights import Actor, record_act
from handlers.routes import Routes
from storage.db import Database
from storage.repositories.workspaces import has_orders

log = logging.getLogger(__name__)
routes = Routes(__name__)


class AnswerCache:
    """Recent answers by a short token, so page and "why" buttons work without re-running the query."""

    def __init__(self, size: int = 1000) -> None:
        self.size = size
        self._items: OrderedDict[str, Result] = OrderedDict()

    def put(self, result: Result) -> str:
        token = secrets.token_urlsafe(6)
        self._items[token] = result
        while len(self._items) > self.size:
            self._items.popitem(last=False)
        return token

    def get(self, token: str) -> Result | None:
        return self._items.get(token)


# --- sending ----------------------------------------------------------------------------------------
async def send_result(bot: Bot, chat_id: int, result: Result, answers: AnswerCache, i18n: I18n) -> None:
    token = answers.put(result)
    text, markup = render_page(result, token, 0, i18n)
    await bot.send_message(chat_id, text, reply_markup=markup)
    if result.export and result.rows:  # "export … as csv": the file with the answer
        await bot.send_document(chat_id, view.result_csv(result))
    if result.chart is not None:
        png = view.chart_png(result)
        if png is not None:
            await bot.send_photo(
                chat_id,
                BufferedInputFile(png, filename="chart.png"),
                caption=html.escape(result.chart.title[:1000]),
            )


class Asking:
    """Answering questions in a chat: what it needs from the dispatcher (the database, the workspace, settings,
    clock, LLM and the answer caches), injected once as the workflow data `asking`."""

    def __init__(
        self,
        *,
        db: Database,
        workspace_id: int,
        settings: Settings,
        clock: Callable[[], datetime],
        llm: Any,
        answers: AnswerCache,
        results: ResultCache | None,
    ) -> None:
        self.db = db
        self.workspace_id = workspace_id
        self.settings = settings
        self.clock = clock
        self.llm = llm
        self.answers = answers
        self.results = results
        self._orders_seen: tuple[tuple[int, int], float] | None = (
            None  # (data version, when) orders were seen
        )

    async def question(
        self, bot: Bot, chat_id: int, text: str, i18n: I18n, *, reading: MessageReading | None = None
    ) -> Result:
        """Ask the domain one question and send the answer to `chat_id`; `reading` is the message's offline
        reading when the bot has it already (it is not parsed again)."""
        as_of = reading.as_of if reading is not None else self.clock()
        result = await ask(
            text,
            db=self.db,
            workspace_id=self.workspace_id,
            settings=self.settings,
            as_of=as_of,
            llm=self.llm,
            cache=self.results,
            offline=reading.parsed if reading is not None else None,
        )
        return await self._send(bot, chat_id, result, i18n)

    async def shortcut(self, bot: Bot, chat_id: int, parsed: ParsedQuestion, i18n: I18n) -> Result:
        """Answer a query the bot built itself (a shortcut command) and send it to `chat_id`."""
        result = await answer(
            parsed,
            db=self.db,
            workspace_id=self.workspace_id,
            settings=self.settings,
            as_of=self.clock(),
            cache=self.results,
        )
        return await self._send(bot, chat_id, result, i18n)

    async def key_numbers(self, bot: Bot, chat_id: int, i18n: I18n) -> None:
        """/kpi: the key numbers in one message, one line each."""
        as_of = self.clock()
        results = [
            await answer(
                parsed,
                db=self.db,
                workspace_id=self.workspace_id,
                settings=self.settings,
                as_of=as_of,
                cache=self.results,
            )
            for parsed in shortcuts.kpi_questions(_language(i18n))
        ]
        card = Result(
            intent="kpi",
            language=i18n.language,
            text="\n".join(f"• {r.text.strip()}" for r in results),
            explanation="\n\n".join(r.explanation for r in results if r.explanation) or None,
        )
        await send_result(bot, chat_id, card, self.answers, i18n)

    async def _send(self, bot: Bot, chat_id: int, result: Result, i18n: I18n) -> Result:
        if result.intent not in ("clarify", "reminder", "draft") and not await self._has_orders():
            # An empty workspace answers "no data": say why, in chat terms (the command line has its own note).
            result = result.model_copy(update={"text": f"{result.text.strip()}\n\n{i18n('ask.no_orders')}"})
        await send_result(bot, chat_id, result, self.answers, i18n)
        shown = result.shown_customer()  # one customer's data was shown: a figure about them, or their card
        if shown is not None:
            await record_act(
                self.db,
                self.workspace_id,
                "viewed",
                Actor("telegram", telegram_user_id=chat_id),
                f"customer:{shown}",
            )
        return result

    async def _has_orders(self) -> bool:
        # Once the workspace has orders, it keeps them: "yes" is reused while this process writes no customer
        # data and for as long as a shared answer is (a deletion by another process is seen as late as the
        # answers see it). "No" is asked again every time: the first import must show at once.
        now = time.monotonic()
        version = (self.db.serial, self.db.data_version)
        ttl = self.results.ttl if self.results is not None else 0.0
        if (
            self._orders_seen is not None
            and self._orders_seen[0] == version
            and now - self._orders_seen[1] <= ttl
        ):
            return True
        # A read of its own, like the answer's queries (crm.query.service.ask takes the database, not a session):
        # the update's session would keep a connection while the answer is sent, and answers are the bulk of
        # the traffic (DeskMiddleware releases its connection before the handler for the same reason).
        async with self.db.sessions() as session:
            found = await has_orders(session, self.workspace_id)
        self._orders_seen = (version, now) if found else None
        return found


def _language(i18n: I18n) -> Literal["en", "zh"]:
    return "zh" if i18n.language == "zh" else "en"


# --- shortcuts ----------------------------------------------------------------------------------------
@routes.message(Command("kpi"), flags={"ability": "ask"})
async def kpi(message: Message, command: CommandObject, bot: Bot, i18n: I18n, asking: Asking) -> None:
    """`/kpi` = the key numbers in one message; `/kpi <question>` = that question."""
    if command.args:
        await asking.question(bot, message.chat.id, command.args, i18n)
    else:
        await asking.key_numbers(bot, message.chat.id, i18n)


@routes.message(Command("top"), flags={"ability": "ask"})
async def top(message: Message, command: CommandObject, bot: Bot, i18n: I18n, asking: Asking) -> None:
    """`/top [N]` = the N best customers by revenue; `/top <question>` = that question."""
    args = (command.args or "").strip()
    if args and not args.isdigit():
        await asking.question(bot, message.chat.id, args, i18n)
        return
    parsed = shortcuts.top_customers(int(args) if args else None, _language(i18n))
    await asking.shortcut(bot, message.chat.id, parsed, i18n)


@routes.message(Command("products"), flags={"ability": "ask"})
async def products(message: Message, command: CommandObject, bot: Bot, i18n: I18n, asking: Asking) -> None:
    """`/products` = the best sellers of the last 30 days (buttons: by revenue, by buyers); `/products <question>`
    = that question."""
    args = (command.args or "").strip()
    if args:
        await asking.question(bot, message.chat.id, args, i18n)
        return
    await asking.shortcut(bot, message.chat.id, shortcuts.best_sellers(_language(i18n)), i18n)


@routes.message(Command("segments"), flags={"ability": "ask"})
async def segments(message: Message, bot: Bot, i18n: I18n, asking: Asking) -> None:
    await asking.shortcut(bot, message.chat.id, shortcuts.segments(_language(i18n)), i18n)


@routes.message(Command("cohort"), flags={"ability": "ask"})
async def cohort(message: Message, bot: Bot, i18n: I18n, asking: Asking) -> None:
    await asking.shortcut(bot, message.chat.id, shortcuts.cohort(_language(i18n)), i18n)


# --- buttons under an answer ------------------------------------------------------------------------
@routes.callback_query(PageCB.filter())
async def turn_page(query: CallbackQuery, callback_data: PageCB, answers: AnswerCache, i18n: I18n) -> None:
    result = answers.get(callback_data.token)
    if result is None or not isinstance(query.message, Message):
        await query.answer(i18n("ask.expired"), show_alert=True)
        return
    text, markup = render_page(result, callback_data.token, callback_data.page, i18n)
    try:
        await query.message.edit_text(text, reply_markup=markup)
    except TelegramBadRequest as exc:  # the current page's own button: nothing changes
        if "not modified" not in str(exc):
            raise
    await query.answer()


@routes.callback_query(WhyCB.filter())
async def why(query: CallbackQuery, callback_data: WhyCB, bot: Bot, answers: AnswerCache, i18n: I18n) -> None:
    result = answers.get(callback_data.token)
    await query.answer()
    if result is None or not result.explanation or query.message is None:
        if query.message is not None:
            await bot.send_message(query.message.chat.id, i18n("ask.expired"))
        return
    title = I18n(result.language)("ask.why_title")  # the explanation's own language, as the answer's
    await bot.send_message(query.message.chat.id, title + "\n" + html.escape(result.explanation))


@routes.callback_query(CsvCB.filter())
async def send_csv(
    query: CallbackQuery, callback_data: CsvCB, bot: Bot, answers: AnswerCache, i18n: I18n
) -> None:
    result = answers.get(callback_data.token)
    await query.answer()
    if query.message is None:
        return
    if result is None or not result.rows:
        await bot.send_message(query.message.chat.id, i18n("ask.expired"))
        return
    await bot.send_document(query.message.chat.id, view.result_csv(result))


@routes.callback_query(SuggestCB.filter(), flags={"ability": "ask"})
async def suggestion(
    query: CallbackQuery,
    callback_data: SuggestCB,
    bot: Bot,
    i18n: I18n,
    asking: Asking,
    dispatcher: Dispatcher | None = None,
    state: FSMContext | None = None,
) -> None:
    result = asking.answers.get(callback_data.token)
    await query.answer()
    if result is None or callback_data.index >= len(result.suggestions) or query.message is None:
        return
    text = result.suggestions[callback_data.index]
    prompt_open = state is not None and await state.get_state() is not None
    if query.message.chat.type == "private" and dispatcher is not None and not prompt_open:
        # As if the person had typed it: a draft or a reminder suggested under an answer ("draft a
        # replenishment message for #620", "remind me ... to follow up ...") reaches the drafting and reminder
        # handlers, with the same roles, instead of the question path, which only answers questions. Not while
        # a prompt waits for the person's words (a note, a tag, a draft's edit): they would be taken as those.
        typed = Message(
            message_id=query.message.message_id,
            date=datetime.now(UTC),
            chat=query.message.chat,
            from_user=query.from_user,
            text=text,
        ).as_(bot)
        await dispatcher.feed_update(bot, Update(update_id=0, message=typed).as_(bot))
        return
    await asking.question(bot, query.message.chat.id, text, i18n)


@routes.callback_query()
async def unknown_button(query: CallbackQuery, i18n: I18n) -> None:
    """Buttons whose area is not installed (or whose message is too old) get a polite answer, not a spinner."""
    await query.answer(i18n("common.not_available"), show_alert=True)


# --- the catch-all ----------------------------------------------------------------------------------
@routes.message(F.text.startswith("/"), F.chat.type == "private")
async def unknown_command(message: Message, i18n: I18n) -> None:
    await message.answer(i18n("common.unknown_command"))


@routes.message(F.text, StateFilter(None), F.chat.type == "private", flags={"ability": "ask"})
async def question(
    message: Message, bot: Bot, i18n: I18n, asking: Asking, reading: MessageReading | None = None
) -> None:
    await asking.question(bot, message.chat.id, message.text or "", i18n, reading=reading)


@routes.message()
async def anything_else(
    message: Message,
    bot: Bot,
    i18n: I18n,
    state: FSMContext,
    asking: Asking,
    raw_state: str | None = None,
    reading: MessageReading | None = None,
) -> None:
    """What no handler above took: never silence towards a person who wrote to the bot.

    Private chat: a sticker, photo, voice note... gets what the bot reads (or, while a prompt waits, that it
    waits for text); text in a state no handler knows (left by an older version) closes it and is a question.
    Group: only what is addressed to the bot (a reply to it, an @mention, /command@bot) is answered.
    """
    private = message.chat.type == "private"
    if not private and not await _addressed_to_bot(message, bot):
        return  # group chatter
    if raw_state is not None and message.text is None:
        await message.answer(i18n("common.waiting_for_text"))
        return
    if raw_state is not None:
        await state.clear()
    if private and message.text is not None:
        await asking.question(bot, message.chat.id, message.text, i18n, reading=reading)
    elif not private and (message.text or "").startswith("/"):
        await message.answer(i18n("common.unknown_command"))
    elif not private:
        me = await bot.me()
        await message.answer(i18n("common.ask_in_private", bot=me.username or ""))
    else:
        await message.answer(i18n("common.unsupported_message"))


async def _addressed_to_bot(message: Message, bot: Bot) -> bool:
    me = await bot.me()
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == me.id:
        return True
    text = message.text or message.caption or ""
    return bool(me.username) and f"@{me.username}".lower() in text.lower()
