"""How an answer looks in chat: the text with its paged monospace table, and its buttons (pages, the customers'
cards, suggestions, "why"), and its chart. The question handlers (handlers/ask.py) call the domain and send
what this module composes.

Callback data: `pg:<token>:<page>` a page of an answer, `why:<token>` its explanation, `sug:<token>:<index>`
one of its suggestions; the token names the answer in the handlers' AnswerCache. `sdr:<stage>:<intent>` (a
journey answer's buttons) drafts for a lifecycle stage's customers (handlers/outreach.py).
"""

from __future__ import annotations

import html
from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.i18n import I18n
from bot.outreach_view import StageDraftCB
from bot.render import shows_table
from crm.display import displayable
from crm.query import texts
from crm.query.result import Result
from handlers.customers import OpenCustomerCB

# A button's label at most: a longer one is cut at a word break with an ellipsis (its tap sends the whole text).
BUTTON = 60

PAGE_ROWS = 15
MAX_CELL = 24
MAX_MESSAGE = 4000  # Telegram allows 4096 characters; keep a margin for the HTML tags


class PageCB(CallbackData, prefix="pg"):
    token: str
    page: int


class WhyCB(CallbackData, prefix="why"):
    token: str


class CsvCB(CallbackData, prefix="csv"):
    token: str


# Answers that are lists of customers: the chat offers them as a CSV file too (the rows as the table shows).
CSV_INTENTS = frozenset({"customer_list", "top_customers"})


class SuggestCB(CallbackData, prefix="sug"):
    token: str
    index: int


# --- texts and keyboards (pure functions) ---------------------------------------------------------------------
def format_table(result: Result, rows: list[list[Any]]) -> str:
    """The shared monospace table (display width counted, so Chinese names line up), cells cut for phones."""
    from bot.render import result_table

    return result_table(result, rows, max_cell=MAX_CELL)


def rows_per_page(result: Result, intro_len: int) -> int:
    sample = format_table(result, result.rows[:PAGE_ROWS])
    line_len = max((len(x) for x in sample.splitlines()), default=1) + 1
    fit = (MAX_MESSAGE - intro_len - 2 * line_len - 40) // line_len
    return max(1, min(PAGE_ROWS, fit))


def page_count(result: Result, per_page: int) -> int:
    return max(1, -(-len(result.rows) // per_page))


def _card_buttons(result: Result, chunk: list[list[Any]], i18n: I18n) -> list[tuple[str, int]]:
    """(label, customer id) of the cards an answer offers to open: one customer's, or one per customer row of
    the page shown ("#1382 Tan Wei Ling"), so same-name customers in a list are opened by their #id."""
    if not result.card_ids:
        return []
    if "id" not in result.columns:
        return [(i18n("ask.open_card", id=cid), cid) for cid in result.card_ids[:1]]
    at, name_at = result.columns.index("id"), result.columns.index("customer")
    return [(f"👤 #{row[at]} {row[name_at] or ''}"[:40], int(row[at])) for row in chunk[:MAX_CARD_BUTTONS]]


MAX_CARD_BUTTONS = 10


def render_page(result: Result, token: str, page: int, i18n: I18n) -> tuple[str, InlineKeyboardMarkup | None]:
    """The message text and buttons for one page of an answer (page 0 = the first), the buttons in the answer's
    language: a question asked in Chinese by a member whose setting is English is answered in Chinese, and its
    buttons read Chinese too."""
    if result.language != i18n.language:
        i18n = I18n(result.language)
    intro = html.escape(result.text.strip())
    kb = InlineKeyboardBuilder()
    widths: list[int] = []  # buttons per row: the page navigation on one row, then one per row
    text = intro
    chunk: list[list[Any]] = []
    if shows_table(result):
        per_page = rows_per_page(result, len(intro))
        pages = page_count(result, per_page)
        page = min(max(page, 0), pages - 1)
        chunk = result.rows[page * per_page : (page + 1) * per_page]
        table = html.escape(format_table(result, chunk))
        text = f"{intro}\n\n<pre>{table}</pre>" if intro else f"<pre>{table}</pre>"
        if pages > 1:
            nav: list[tuple[str, str]] = []
            if page > 0:
                nav.append(("◀", PageCB(token=token, page=page - 1).pack()))
            nav.append((i18n("ask.page", page=page + 1, pages=pages), PageCB(token=token, page=page).pack()))
            if page < pages - 1:
                nav.append(("▶", PageCB(token=token, page=page + 1).pack()))
            for label, data in nav:
                kb.button(text=label, callback_data=data)
            widths.append(len(nav))
    for label, customer_id in _card_buttons(result, chunk, i18n):
        kb.button(text=label, callback_data=OpenCustomerCB(customer_id=customer_id))
        widths.append(1)
    for action in result.actions:  # a journey answer: a draft for each stage, one tap away
        stage = texts.LIFECYCLE_NAMES[i18n.language if i18n.language == "zh" else "en"].get(
            action.stage, action.stage
        )
        kb.button(
            text=displayable(
                i18n(f"ask.stage_draft_{action.intent}", stage=stage, n=action.customers), BUTTON
            ),
            callback_data=StageDraftCB(stage=action.stage, intent=action.intent),
        )
        widths.append(1)
    for i, suggestion in enumerate(result.suggestions[:4]):
        kb.button(text=displayable(suggestion, BUTTON), callback_data=SuggestCB(token=token, index=i))
        widths.append(1)
    if result.intent in CSV_INTENTS and result.rows:
        kb.button(text=i18n("ask.csv"), callback_data=CsvCB(token=token))
        widths.append(1)
    if result.explanation:
        kb.button(text=i18n("ask.why"), callback_data=WhyCB(token=token))
        widths.append(1)
    if widths:
        kb.adjust(*widths)
    return text or i18n("ask.empty"), (kb.as_markup() if widths else None)


def chart_png(result: Result) -> bytes | None:
    if result.chart is None:
        return None
    try:
        from bot.render import chart_png
    except ModuleNotFoundError:
        return None
    return chart_png(result.chart)


def result_csv(result: Result) -> BufferedInputFile:
    """An answer's rows as a CSV file through the project's one CSV writer (headers in the answer's language;
    platforms and countries by name, as the table shows them)."""
    from bot.render import readable_rows
    from crm.spreadsheet import csv_bytes

    header = result.headers()
    rows = readable_rows(result, result.rows)
    return BufferedInputFile(csv_bytes(header, rows), filename=f"{result.intent}.csv")
