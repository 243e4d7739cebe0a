"""Unit tests of the bot's pure parts: texts, language choice, table paging, throttling, upload checks."""

from __future__ import annotations

import re

import pytest

from bot.i18n import LANGUAGES, I18n, pick_language
from bot.middlewares import Throttle
from bot.settings import Settings
from crm.query.result import Result
from crm.text import message_ids, variables
from handlers.ask import AnswerCache, PageCB, format_table, render_page
from handlers.imports import refusal


def test_every_text_exists_in_every_language_with_the_same_placeholders() -> None:
    en = message_ids("en")
    for language in LANGUAGES:
        assert message_ids(language) == en, language
        for key in en:
            # A clarifying reply may leave out a word its language does not need ("one platform" -> 平台或国家);
            # the outreach templates have their own test (tests/test_texts.py).
            if not key.startswith(("clarify-", "outreach-")):
                assert variables(language, key) == variables("en", key), (language, key)


def test_unknown_text_keys_fail_loudly() -> None:
    with pytest.raises(KeyError):
        I18n("en")("no.such.key")


@pytest.mark.parametrize(
    ("member", "telegram", "expected"),
    [
        ("zh", "en", "zh"),
        ("en", "zh-hans", "en"),
        (None, "zh-hant", "zh"),
        (None, "ZH", "zh"),
        (None, "ms", "en"),
        (None, None, "en"),
        ("xx", "zh", "zh"),
    ],
)
def test_the_member_language_wins_then_telegram_language(
    member: str | None, telegram: str | None, expected: str
) -> None:
    assert pick_language(member, telegram) == expected


def long_result(n: int) -> Result:
    return Result(
        intent="top_customers",
        text="Top customers by revenue",
        columns=["customer", "orders", "revenue"],
        rows=[[f"Customer {i:03d}", i, 1000.5 - i] for i in range(n)],
        explanation="Revenue = ...",
    )


def test_a_long_table_is_paged_and_every_row_appears_exactly_once() -> None:
    result = long_result(40)
    cache = AnswerCache()
    token = cache.put(result)
    seen: list[str] = []
    page, pages_seen = 0, 0
    while True:
        text, markup = render_page(result, token, page, I18n("en"))
        assert len(text) <= 4096 and text.startswith("Top customers by revenue")
        seen += re.findall(r"Customer \d{3}", text)
        buttons = [b for row in markup.inline_keyboard for b in row]  # type: ignore[union-attr]
        assert buttons[-1].callback_data == f"why:{token}"
        nxt = [b for b in buttons if b.text == "▶"]
        pages_seen += 1
        if not nxt:
            break
        page = PageCB.unpack(nxt[0].callback_data or "").page
    assert seen == [f"Customer {i:03d}" for i in range(40)] and pages_seen == 3
    assert cache.get(token) is result and cache.get("nope") is None


def test_a_short_table_has_no_page_buttons_and_numbers_align_right() -> None:
    result = Result(
        intent="metric",
        text="Revenue by platform",
        columns=["platform", "revenue"],
        rows=[["shopee", 1234.5], ["lazada", 99.0]],
    )
    _text, markup = render_page(result, "t", 0, I18n("en"))
    assert markup is None
    table = format_table(result, result.rows)
    assert table.splitlines()[2:] == ["Shopee    1,234.50", "Lazada       99.00"]  # platforms by name


def test_tables_show_shares_as_percentages_and_chinese_headers() -> None:
    cohort = Result(
        intent="cohort",
        text="留存",
        language="zh",
        columns=["cohort", "customers", "m0", "m1"],
        rows=[["2025-01", 39, 1.0, 0.0256]],
    )
    assert format_table(cohort, cohort.rows).splitlines() == [
        "首单月份  客户数      m0    m1",
        "--------  ------  ------  ----",
        "2025-01       39  100.0%  2.6%",
    ]
    rate = Result(
        intent="metric", text="", columns=["country", "repeat_rate"], rows=[["MY", 0.4], ["SG", 0.25]]
    )
    assert format_table(rate, rate.rows).splitlines()[2:] == [
        "Malaysia         40.0%",
        "Singapore        25.0%",
    ]


def test_the_answer_cache_forgets_the_oldest() -> None:
    cache = AnswerCache(size=2)
    a, b, c = (cache.put(long_result(1)) for _ in range(3))
    assert cache.get(a) is None and cache.get(b) is not None and cache.get(c) is not None


def test_throttle_allows_a_burst_then_refills_at_the_rate() -> None:
    throttle = Throttle(rate=2.0, burst=3)
    assert [throttle.allow(1, now=0.0) for _ in range(4)] == [True, True, True, False]
    assert throttle.first_refusal(1) and not throttle.first_refusal(1)
    assert throttle.allow(2, now=0.0)  # per user
    assert throttle.allow(1, now=0.5) and not throttle.allow(1, now=0.5)


def test_uploads_are_checked_for_size_and_type() -> None:
    settings = Settings(telegram={"max_upload_mb": 5})
    i18n = I18n("en")
    assert refusal("orders.xlsx", 4 * 1024 * 1024, settings, i18n) is None
    assert "5 MB" in (refusal("orders.csv", 6 * 1024 * 1024, settings, i18n) or "")
    assert "photo.jpg" in (refusal("photo.jpg", 100, settings, i18n) or "")
    assert refusal(None, 100, settings, i18n) is not None


def test_each_dispatcher_gets_fresh_routers_of_every_area() -> None:
    """Routers come from each area's routes (no module-level Router re-parented through aiogram's private
    attributes): two dispatchers in one process each have their own, with the same handlers in the same order,
    the question catch-all last."""
    from aiogram import Dispatcher

    from bot.app import build_dispatcher
    from storage.db import Database, create_engine

    def routers(dp: Dispatcher) -> list[tuple[str, int, int]]:
        return [(r.name, len(r.message.handlers), len(r.callback_query.handlers)) for r in dp.sub_routers]

    db = Database(create_engine("sqlite+aiosqlite://"))  # kept by the factories, never connected here
    settings = Settings()
    first = build_dispatcher(settings, db, workspace_id=1, storage=_memory_storage())
    second = build_dispatcher(settings, db, workspace_id=1, storage=_memory_storage())
    assert routers(first) == routers(second)
    assert [name for name, _, _ in routers(first)][-1] == "handlers.ask"
    assert {id(r) for r in first.sub_routers}.isdisjoint(id(r) for r in second.sub_routers)
    assert all(r.parent_router is first for r in first.sub_routers)


def _memory_storage():  # type: ignore[no-untyped-def]
    from aiogram.fsm.storage.memory import MemoryStorage

    return MemoryStorage()


def test_a_customer_list_offers_its_rows_as_a_csv_file() -> None:
    from bot.answer_view import CsvCB, result_csv

    result = Result(
        intent="customer_list",
        language="zh",
        text="泰国重要挽留客户共 2 位",
        columns=["customer", "id", "platform", "country", "recency_days", "orders", "revenue"],
        rows=[["=HYPERLINK(1)", 7, "tiktok", "TH", 120, 1, 99.5], ["Somchai", 8, None, None, 200, 2, 50.0]],
    )
    _text, markup = render_page(result, "tok", 0, I18n("zh"))
    buttons = [b for row in markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert CsvCB(token="tok").pack() in [b.callback_data for b in buttons]
    body = result_csv(result).data.decode("utf-8").splitlines()
    # headers in the answer's language; a name that looks like a formula stays text (crm/spreadsheet.py)
    assert body[0].startswith('"客户"') and body[1].startswith(
        '"\'=HYPERLINK(1)",7,"TikTok Shop","泰国",120,1,99.5'
    )
    assert body[2].startswith(
        '"Somchai",8,"","",200'
    )  # platforms and countries by name, as the table shows them
    metric = Result(intent="metric", text="x", columns=["platform", "revenue"], rows=[["shopee", 1.0]])
    _text, markup = render_page(metric, "t", 0, I18n("en"))
    assert markup is None  # a breakdown is not a customer list


def test_an_answers_buttons_are_in_the_answers_language() -> None:
    """A member whose setting is English asks in Chinese: the answer is Chinese, and so are its buttons (the
    "why" button read "Why this number" under a Chinese answer)."""
    result = Result(
        intent="metric", language="zh", text="上个月销售额：SGD 1.00", value=1.0, explanation="定义：收入。"
    )
    _text, markup = render_page(result, "t", 0, I18n("en"))
    labels = [b.text for row in markup.inline_keyboard for b in row]  # type: ignore[union-attr]
    assert labels == [I18n("zh")("ask.why")] and "Why" not in labels[0]


def test_a_long_suggestion_button_is_cut_at_a_word_with_an_ellipsis() -> None:
    """A suggestion longer than a button shows whole words and "…" (found in a Telegram trial: "... customers
    feat"); the tap still sends the whole suggestion (the button carries its index)."""
    from bot.answer_view import BUTTON, SuggestCB, render_page
    from bot.i18n import I18n
    from crm.query.result import Result

    long = "draft a winback message for important winback customers featuring Minimalist Watch"
    result = Result(intent="products", text="Best sellers", language="en", suggestions=[long])
    _, kb = render_page(result, "tok", 0, I18n("en"))
    assert kb is not None
    (button,) = [
        b for row in kb.inline_keyboard for b in row if b.callback_data.startswith(SuggestCB.__prefix__)
    ]
    assert button.text.endswith("…") and len(button.text) <= BUTTON
    assert long.startswith(button.text[:-1]) and long[len(button.text) - 1] == " "  # whole words
    assert SuggestCB.unpack(button.callback_data).index == 0


def test_a_title_ending_in_brackets_gets_its_currency_inside_them() -> None:
    """Found in a Telegram trial: "Best sellers by revenue this year (top 10 of 51 products) (SGD)"."""
    from crm.query.texts import chart_title, with_currency

    assert with_currency("en", "revenue", "SGD") == "revenue (SGD)"
    assert with_currency("zh", "销售额", "SGD") == "销售额（SGD）"
    title = chart_title("en", "SGD", "Best sellers by revenue this year (top 10 of 51 products):", "money")
    assert title == "Best sellers by revenue this year (top 10 of 51 products, SGD)"
    zh = chart_title("zh", "SGD", "今年按销售额排名的畅销商品（共 51 个商品中的前 10 个）：", "money")
    assert zh == "今年按销售额排名的畅销商品（共 51 个商品中的前 10 个，SGD）"
    assert (
        chart_title("en", "SGD", "Best sellers by units (top 10):", "count")
        == "Best sellers by units (top 10)"
    )


def test_the_bot_token_never_reaches_the_log() -> None:
    """aiogram names the request URL (which holds the token) in a network error, in the message and in the
    traceback; `sellermate run` and `worker` redact it from every line their handlers write."""
    import io
    import logging

    from bot.cli import redact_in_logs

    token = "123456:FAKE-token-abcdefghijklmnopqrstuvwxyz"
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        redact_in_logs(token)
        redact_in_logs(token)  # once per handler, however often it is called
        assert sum(1 for f in handler.filters if getattr(f, "secret", None) == token) == 1
        log = logging.getLogger("aiogram.dispatcher")
        log.error(
            "Failed to fetch updates - %s", f"Cannot connect to http://127.0.0.1:1/bot{token}/getUpdates"
        )
        try:
            raise ConnectionError(f"http://127.0.0.1:1/bot{token}/sendMessage")
        except ConnectionError:
            log.exception("Cause exception while process update")
    finally:
        root.removeHandler(handler)
    written = out.getvalue()
    assert token not in written and written.count("<token>") == 2, written
    assert "ConnectionError" in written and "getUpdates" in written  # the rest of the line is kept
