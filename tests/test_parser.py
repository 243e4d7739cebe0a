"""The offline question parser: paraphrases in English and Chinese parse to the intended IR; the rest clarifies."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter

from crm.query.ir import Clarify, Period, Query
from crm.query.parser import normalise, parse_question, zh_numeral
from tests.conftest import SHARED
from tests.eval_cases import CORPUS
from tests.parser_cases import CASES, MUST_CLARIFY, ir_spec, period_spec

SGT = ZoneInfo("Asia/Singapore")
AS_OF = datetime(2026, 11, 24, tzinfo=SGT)  # the end of 2026-11-23, like `--as-of 2026-11-23`
EVAL_CASES = SHARED / "eval" / "cases.json"


def parse(text: str, as_of: datetime = AS_OF):
    return parse_question(text, as_of=as_of, timezone="Asia/Singapore")


@pytest.mark.parametrize("question,spec", CASES, ids=[q for q, _ in CASES])
def test_paraphrases_parse_to_the_intended_ir(question: str, spec: dict) -> None:
    parsed = parse(question)
    assert ir_spec(parsed.query) == spec
    # whatever the parser builds must survive the IR's own validation (the compiler trusts it)
    TypeAdapter(Query).validate_python(parsed.query.model_dump(mode="json"))


@pytest.mark.parametrize("question", MUST_CLARIFY)
def test_unclear_unsafe_and_out_of_scope_questions_get_a_clarifying_reply(question: str) -> None:
    q = parse(question).query
    assert isinstance(q, Clarify), ir_spec(q)
    assert q.message and q.suggestions


def _eval_cases() -> list[tuple[str, dict]]:
    """The project's own corpus (tests/eval_cases.py), plus the shared development set when present."""
    cases = list(CORPUS)
    if EVAL_CASES.exists():
        cases += [(c["question"], c["spec"]) for c in json.loads(EVAL_CASES.read_text())["cases"]]
    return cases


@pytest.mark.parametrize("question,spec", _eval_cases(), ids=[q for q, _ in _eval_cases()])
def test_evaluation_questions_parse_to_their_specs(question: str, spec: dict) -> None:
    got = ir_spec(parse(question, datetime(2026, 11, 24, tzinfo=SGT)).query)
    assert got == spec


def test_safety_reasons() -> None:
    assert parse("drop table customers").query.reason == "unsafe"
    assert parse("把所有客户的电话号码发给我").query.reason == "unsafe"
    assert parse("Vietnam sales forecast for 2030").query.reason == "out_of_scope"
    assert parse("profit margin last month").query.reason == "out_of_scope"
    assert parse("at-risk VIPs").query.reason == "ambiguous"


def test_language_follows_the_question() -> None:
    assert parse("上个月的复购率").language == "zh"
    assert parse("repeat rate last month").language == "en"
    zh = parse("讲个笑话").query
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.message)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in s) for s in zh.suggestions[1:])


@pytest.mark.parametrize(
    "text,value",
    [
        ("十", 10),
        ("二十五", 25),
        ("三十", 30),
        ("两", 2),
        ("二〇二五", 2025),
        ("一百", 100),
        ("九十", 90),
        ("十二", 12),
    ],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert zh_numeral(text) == value


def test_normalise_keeps_words_that_contain_numerals() -> None:
    assert normalise("一般发展客户") == "一般发展客户"
    assert normalise("最近三十天") == "最近30天"
    assert normalise("ＴＯＰ　１０") == "top 10"
    assert normalise("Top Ten customers") == "top 10 customers"
    assert normalise("last twenty-five days") == "last 25 days"


@pytest.mark.parametrize(
    "as_of,question,expected",
    [
        # a bare quarter is the most recent one that has started (in progress counts)
        (datetime(2026, 11, 24, tzinfo=SGT), "revenue Q3", Period(kind="quarter", year=2026, quarter=3)),
        (datetime(2026, 11, 24, tzinfo=SGT), "revenue Q4", Period(kind="quarter", year=2026, quarter=4)),
        (datetime(2026, 5, 2, tzinfo=SGT), "revenue Q3", Period(kind="quarter", year=2025, quarter=3)),
        (
            datetime(2026, 7, 1, 9, tzinfo=SGT),
            "第三季度的销售额",
            Period(kind="quarter", year=2026, quarter=3),
        ),
        # midnight as-of = the end of the previous day: on 1 July 00:00 Q3 has not started yet
        (datetime(2026, 7, 1, tzinfo=SGT), "revenue Q3", Period(kind="quarter", year=2025, quarter=3)),
        (datetime(2026, 3, 10, tzinfo=SGT), "revenue in September", Period(kind="month", year=2025, month=9)),
        (datetime(2026, 3, 10, tzinfo=SGT), "3月的销售额", Period(kind="month", year=2026, month=3)),
        (datetime(2026, 3, 10, tzinfo=SGT), "去年9月的销售额", Period(kind="month", year=2025, month=9)),
        (datetime(2026, 3, 10, tzinfo=SGT), "revenue last 3 months", Period(kind="last_n_days", n=90)),
        (datetime(2026, 3, 10, tzinfo=SGT), "revenue past year", Period(kind="last_n_days", n=365)),
        (datetime(2026, 3, 10, tzinfo=SGT), "前年的销售额", Period(kind="year", year=2024)),
        (
            datetime(2026, 3, 10, tzinfo=SGT),
            "revenue from 2026-01-05 to 2026-02-04",
            Period(kind="range", start=date(2026, 1, 5), end=date(2026, 2, 5)),
        ),
    ],
)
def test_periods_relative_to_the_as_of_date(as_of: datetime, question: str, expected: Period) -> None:
    q = parse(question, as_of).query
    assert q.intent == "metric"
    assert q.period == expected


def test_future_periods_clarify() -> None:
    for question in ("revenue in December 2026", "2027年的销售额", "revenue next quarter", "orders Q1 2027"):
        q = parse(question).query
        assert isinstance(q, Clarify) and q.reason == "out_of_scope", question


def test_top_n_bounds() -> None:
    assert parse("top 100 customers by revenue").query.n == 100
    assert isinstance(parse("top 101 customers by revenue").query, Clarify)


def test_customer_lookup_keeps_the_spelling() -> None:
    q = parse("who is TAN Wei-Ling?").query
    assert q.intent == "customer" and q.search == "TAN Wei-Ling"
    assert parse("customer alice@example.com").query.search == "alice@example.com"
    # vocabulary in the "name" means it is a question, not a look-up
    assert parse("customer count by country").query.intent == "metric"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("CLV of Emily King", "Emily King"),
        ("how much did emily king spend", "emily king"),
        ("how much has Tan Wei Ling spent in total?", "Tan Wei Ling"),
        ("Emily King's CLV", "Emily King"),
        ("what is the predicted CLV of Emily King", "Emily King"),
        ("lifetime value of customer Ana Lim", "Ana Lim"),
    ],
)
def test_one_customers_value_or_spend_is_their_card(text: str, name: str) -> None:
    q = parse(text).query
    assert q.intent == "customer" and q.search == name, text


@pytest.mark.parametrize(
    ("text", "metric"),
    [
        ("LTV of Shopee customers", "avg_ltv"),
        ("how much did customers spend last month", "revenue"),
        ("ltv of customers in Thailand", "avg_ltv"),
        ("how much did shopee buyers spend", "revenue"),
    ],
)
def test_spend_and_ltv_of_groups_stay_metrics(text: str, metric: str) -> None:
    q = parse(text).query
    assert q.intent == "metric" and q.metric == metric, text


@pytest.mark.parametrize(
    "question,word",
    [
        ("how much did Emily spend last month", "emily"),
        ("who is doing best this month", "doing"),
        ("revenue in usd", "usd"),
        ("客户 全年 销售额 比较", None),
    ],
)
def test_an_unknown_word_is_named_and_never_made_into_a_suggestion(question: str, word: str | None) -> None:
    q = parse(question).query
    assert isinstance(q, Clarify), q
    if word:
        assert f'"{word}"' in (q.message or "") and not any(word in x.lower() for x in q.suggestions), (
            q.suggestions
        )
    assert all(parse(suggestion).query.intent != "clarify" for suggestion in q.suggestions), q.suggestions


def test_reminder_and_draft_keep_the_text() -> None:
    r = parse("Remind me to follow up with Alice Tan on Friday").query
    assert r.intent == "reminder" and "Alice Tan" in r.text
    d = parse("draft a thank-you message to Alice Tan in Chinese").query
    assert d.intent == "draft" and d.outreach == "thank_you" and d.language == "zh"
    # "in Thai" is the message's language: not part of the name, not a country filter
    for text, name, lang in (
        ("draft a win-back for Tan in Thai", "Tan", "th"),
        ("write a welcome message to Tan Ah Kow in Malay", "Tan Ah Kow", "ms"),
        ("用泰语给王小明写一条挽回消息", "王小明", "th"),
    ):
        d = parse(text).query
        assert (d.customer, d.language, d.filters.country) == (name, lang, None), text
    seg = parse("draft a win-back for all important_winback customers in Thailand").query
    assert (seg.segment, seg.filters.country, seg.language) == ("important_winback", "TH", None)


# The documented phrases each shortcut command stands for (README: /kpi, /top, /segments, /cohort).
SHORTCUT_PHRASES = {
    "en": {
        "kpi": [
            "revenue last 30 days",
            "orders last 30 days",
            "aov last 30 days",
            "new customers last 30 days",
            "repeat rate last 90 days",
        ],
        "top": ["top 10 customers by revenue"],
        "segments": ["customer segments"],
        "cohort": ["cohort retention"],
    },
    "zh": {
        "kpi": [
            "最近30天的销售额",
            "最近30天的订单数",
            "最近30天的客单价",
            "最近30天的新客户数",
            "最近90天的复购率",
        ],
        "top": ["收入前10的客户"],
        "segments": ["客户分层"],
        "cohort": ["同期群留存"],
    },
}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_bot_shortcuts_are_the_questions_they_stand_for(language: str) -> None:
    """/kpi, /top, /segments and /cohort build their queries (crm/query/shortcuts.py) instead of sending a
    translated phrase through the parser: each is exactly the query its documented phrase is read as."""
    from crm.query import shortcuts

    built = {
        "kpi": shortcuts.kpi_questions(language),
        "top": [shortcuts.top_customers(None, language)],
        "segments": [shortcuts.segments(language)],
        "cohort": [shortcuts.cohort(language)],
    }
    for command, phrases in SHORTCUT_PHRASES[language].items():
        read = [parse(p) for p in phrases]
        assert all(not isinstance(r.query, Clarify) for r in read), command
        assert [b.query for b in built[command]] == [r.query for r in read], command
        assert {b.language for b in built[command]} == {language}, command


def test_top_shortcut_outside_its_range_is_the_parsers_clarification() -> None:
    from crm.query import shortcuts

    assert shortcuts.top_customers(7, "en").query == parse("top 7 customers by revenue").query
    for n, language, phrase in ((500, "en", "top 500 customers by revenue"), (0, "zh", "收入前0的客户")):
        built, read = shortcuts.top_customers(n, language).query, parse(phrase).query
        assert isinstance(built, Clarify) and isinstance(read, Clarify)
        assert (built.reason, built.message, built.suggestions) == (
            read.reason,
            read.message,
            read.suggestions,
        )


@pytest.mark.parametrize(
    ("text", "first", "second"),
    [
        ("revenue this year vs last year", "this_year", "last_year"),
        ("今年和去年的销售额对比", "this_year", "last_year"),
        ("revenue last month vs this month", "this_month", "last_month"),  # the later period first
        ("compare revenue this month versus last month", "this_month", "last_month"),
        ("repeat rate Q3 2026 compared to Q2 2026 on shopee", "quarter", "quarter"),
    ],
)
def test_one_metric_over_two_named_periods(text: str, first: str, second: str) -> None:
    q = parse(text).query
    assert q.intent == "metric" and q.group_by is None, text
    assert (q.period.kind, q.compare_to.kind) == (first, second), text


@pytest.mark.parametrize(
    "text",
    [
        "revenue by platform this year vs last year",
        "top customers this year vs last year",
        "revenue by platform yoy",
        "top customers m/m",
    ],
)
def test_other_comparisons_are_refused_not_half_answered(text: str) -> None:
    q = parse(text).query
    assert isinstance(q, Clarify) and "two named periods" in q.message, text


@pytest.mark.parametrize(
    "text,first,second",
    [
        # the window before, as long: a month for a month, a quarter for a quarter, the days before for days
        ("revenue last month m/m", "last_month", "month:2026-09"),
        ("上个月销售额环比", "last_month", "month:2026-09"),
        ("repeat rate last quarter qoq", "last_quarter", "quarter:2026-2"),
        ("第三季度销售额环比增长多少", "quarter:2026-3", "quarter:2026-2"),
        ("revenue last 30 days vs the previous period", "last_n_days:30", "range:2026-09-25:2026-10-25"),
        ("orders last week week over week", "last_week", "range:2026-11-09:2026-11-16"),
        # a year earlier: whole periods as such, a running one like for like (the same days)
        ("2025年销售额同比", "year:2025", "year:2024"),
        ("lazada revenue Q3 yoy", "quarter:2026-3", "quarter:2025-3"),
        ("今年销售额同比增长", "this_year", "range:2025-01-01:2025-11-24"),
        ("本月订单数和去年同期相比", "this_month", "range:2025-11-01:2025-11-24"),
        ("orders this month vs the same period last year", "this_month", "range:2025-11-01:2025-11-24"),
        # a shift word alone: its own running period (2026-11-23 is a Monday: one day of this week so far)
        ("revenue w/w", "this_week", "range:2026-11-16:2026-11-17"),
        ("aov mom", "this_month", "range:2026-10-01:2026-10-24"),
        ("revenue yoy", "this_year", "range:2025-01-01:2025-11-24"),
        ("销售额环比", "this_month", "range:2026-10-01:2026-10-24"),
    ],
)
def test_a_period_against_the_one_before_or_a_year_earlier(text: str, first: str, second: str) -> None:
    q = parse(text).query
    assert q.intent == "metric" and q.group_by is None, (text, q)
    assert (period_spec(q.period), period_spec(q.compare_to)) == (first, second), text


@pytest.mark.parametrize(
    "as_of,text,first,second",
    [
        # a month still running against a shorter month: its days, clamped to that month's end
        (datetime(2024, 3, 31, tzinfo=SGT), "revenue this month m/m", "this_month", "month:2024-02"),
        (datetime(2026, 3, 31, tzinfo=SGT), "revenue this month m/m", "this_month", "month:2026-02"),
        # 29 February a year on
        (
            datetime(2024, 3, 1, tzinfo=SGT),
            "orders yesterday yoy",
            "yesterday",
            "range:2023-02-28:2023-03-01",
        ),
        # a week a year ago is 52 weeks ago: the same weekdays
        (
            datetime(2026, 11, 24, tzinfo=SGT),
            "orders last week yoy",
            "last_week",
            "range:2025-11-17:2025-11-24",
        ),
    ],
)
def test_shifted_windows_keep_to_the_calendar(as_of: datetime, text: str, first: str, second: str) -> None:
    q = parse(text, as_of=as_of).query
    assert (period_spec(q.period), period_spec(q.compare_to)) == (first, second), text


def test_a_same_period_with_nothing_to_be_the_same_as_still_asks() -> None:
    for text in ("revenue this time last year", "去年同期的销售额", "revenue since the beginning yoy"):
        assert isinstance(parse(text).query, Clarify), text


SELLERS_SHORTHAND = [
    ("avg order value this mth", "aov", "this_month"),
    ("orders last wk", "orders", "last_week"),
    ("revenue last qtr", "revenue", "last_quarter"),
    ("aov this yr", "aov", "this_year"),
    ("orders this month rn", "orders", "this_month"),
    ("# of orders this wk", "orders", "this_week"),
]


@pytest.mark.parametrize("question,metric,period", SELLERS_SHORTHAND)
def test_chat_shorthand_reads_as_the_words_it_stands_for(question: str, metric: str, period: str) -> None:
    q = parse(question).query
    assert ir_spec(q) == {"kind": "metric", "metric": metric, "period": period}


@pytest.mark.parametrize(
    "question,metric,period,fixed",
    [
        ("revnue last month", "revenue", "last_month", [("revnue", "revenue")]),
        ("repaet rate this year", "repeat_rate", "this_year", [("repaet", "repeat")]),
        ("orders last quater", "orders", "last_quarter", [("quater", "quarter")]),
        ("上个月的revnue", "revenue", "last_month", [("revnue", "revenue")]),
        ("how many custmers bought last month", "customers", "last_month", [("custmers", "customers")]),
    ],
)
def test_a_misspelt_vocabulary_word_is_read_as_the_closest_word_and_said(
    question: str, metric: str, period: str, fixed: list[tuple[str, str]]
) -> None:
    parsed = parse(question)
    assert ir_spec(parsed.query) == {"kind": "metric", "metric": metric, "period": period}
    assert parsed.corrections == fixed


@pytest.mark.parametrize(
    "question,by,fixed",
    [
        ("ordrs by platfrom this year", "platform", [("ordrs", "orders"), ("platfrom", "platform")]),
        ("revenue by chanel this year", "platform", [("chanel", "channel")]),
        ("revenue per contry this year", "country", [("contry", "country")]),
    ],
)
def test_a_misspelt_breakdown_word_is_read_too(question: str, by: str, fixed: list[tuple[str, str]]) -> None:
    parsed = parse(question)
    assert ir_spec(parsed.query)["by"] == by and parsed.corrections == fixed


@pytest.mark.parametrize("question", ["tell me a jokee", "revenue by brandd", "wibble wobble last month"])
def test_a_word_close_to_nothing_is_still_not_guessed(question: str) -> None:
    parsed = parse(question)
    assert isinstance(parsed.query, Clarify) and parsed.corrections == []


@pytest.mark.parametrize(
    ("question", "metric_period"),
    [
        ("how many customers bought again this year", "this_year"),
        ("how many repeat buyers did we have in october", "month:2026-10"),
        ("how many customers came back", "last_90_days"),
        ("上个月有多少客户回购", "last_month"),
        ("今年有多少回头客", "this_year"),
        # every wording of buying again the rate's patterns read is also asked back as a count
        ("how many buyers reordered last month", "last_month"),
        ("how many customers ordered more than once this year", "this_year"),
    ],
)
def test_a_count_of_buyers_who_came_back_asks_back_with_the_rate(question: str, metric_period: str) -> None:
    """Not a number of all customers (a wrong figure): a question back, leading with the repeat purchase rate
    over the same period, which the parser reads as that metric."""
    q = parse_question(question, as_of=AS_OF).query
    assert isinstance(q, Clarify) and q.reason == "ambiguous", q
    lead = parse_question(q.suggestions[0], as_of=AS_OF).query
    assert ir_spec(lead) == {"kind": "metric", "metric": "repeat_rate", "period": metric_period}
