"""The parser is a set of recognisers, one per kind of question, over the same scanned question: a new kind of
question is one registration, and it can claim questions an older recogniser declines."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crm import text
from crm.query import parser
from crm.query.ir import Clarify, MetricQuery
from crm.query.parsing import recognisers
from crm.query.parsing.clarify import CLARIFICATIONS, clarify
from crm.query.parsing.question import Question
from crm.query.parsing.recognisers import RECOGNISERS, recogniser

AS_OF = datetime(2026, 11, 23, tzinfo=ZoneInfo("Asia/Singapore"))


@pytest.fixture
def registry() -> Iterator[None]:
    saved = list(RECOGNISERS)
    yield
    RECOGNISERS[:] = saved


def test_every_kind_has_a_recogniser_and_ranks_do_not_tie() -> None:
    names = [r.name for r in RECOGNISERS]
    for kind in ("guards", "reminder", "draft", "customer", "clv", "cohort", "top", "segment", "lifecycle"):
        assert kind in names
    assert {"metric", "segments_overview", "not_understood", "two_places"} <= set(names)
    assert len(set(names)) == len(names)
    ranks = [r.rank for r in RECOGNISERS]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) == len(ranks)
    assert RECOGNISERS[-1].name == "not_understood"


def test_a_new_kind_is_one_registration(registry: None) -> None:
    """ "Lazada vs Shopee revenue" is declined (one platform at a time) until a recogniser that answers it is
    registered above that decline; nothing else changes. (The built-in side_by_side recogniser answers it, so
    the test takes it out first and registers a minimal one of its own in its place.)"""
    question = "Lazada vs Shopee revenue this year"
    built_in = parser.parse_question(question, as_of=AS_OF).query
    assert isinstance(built_in, MetricQuery) and built_in.only == ["lazada", "shopee"]
    RECOGNISERS[:] = [r for r in RECOGNISERS if r.name != "side_by_side"]
    before = parser.parse_question(question, as_of=AS_OF).query
    assert isinstance(before, Clarify) and "one platform at a time" in (before.message or "")

    @recogniser("platform_vs_platform", rank=535)
    def platform_vs_platform(q: Question) -> MetricQuery | None:
        r = q.reading
        if len(r.platforms) == 2 and q.scan.has("compare_word") and len(r.metrics) == 1:
            return MetricQuery(metric=r.metrics[0], period=r.period, group_by="platform")
        return None

    after = parser.parse_question(question, as_of=AS_OF).query
    assert isinstance(after, MetricQuery) and after.group_by == "platform" and after.metric == "revenue"
    # Questions of other kinds read as before.
    assert (
        parser.parse_question("revenue on Lazada this year", as_of=AS_OF).query.filters.platform == "lazada"
    )
    assert isinstance(parser.parse_question("Lazada and Shopee revenue", as_of=AS_OF).query, Clarify)


def test_a_recogniser_registered_again_is_replaced(registry: None) -> None:
    count = len(RECOGNISERS)
    recogniser("cohort", rank=460)(lambda q: None)
    assert len(RECOGNISERS) == count
    assert parser.parse_question("cohort retention", as_of=AS_OF).query.intent == "clarify"


def test_the_scan_is_read_only_when_a_recogniser_needs_it() -> None:
    """Reminders, drafts, guards and customer look-ups are claimed before any scan of periods and words."""
    seen: list[str] = []

    def scanner(q: Question) -> object:
        seen.append(q.text)
        raise AssertionError("scanned")

    q = Question(raw="remind me to call Tan", text="remind me to call tan", language="en", ref=AS_OF.date(),
                 local=AS_OF, scanner=scanner)  # fmt: skip
    assert recognisers.decide(q).intent == "reminder" and not seen


def test_every_clarification_is_worded_in_both_languages_and_used() -> None:
    sources = "\n".join(p.read_text(encoding="utf-8") for p in Path(parser.__file__).parent.rglob("*.py"))
    fields = {"what": "x", "metric": "profit", "by": "platform", "by_zh": "平台", "dim": "country"}
    fields |= {"segments": "a", "metrics": "b"}
    for key, row in CLARIFICATIONS.items():
        assert row.reason in ("ambiguous", "out_of_scope", "unsafe", "unknown")
        assert len(row.suggestions_en) == len(row.suggestions_zh)
        assert sources.count(f'"{key}"') >= 2, f"{key} is never used"  # its row, and where it is given
        for lang in ("en", "zh"):
            assert text.has(lang, f"clarify.{key}"), (lang, key)
            reply = clarify(key, lang, **fields)
            assert reply.reason == row.reason and reply.message and "{" not in reply.message
            assert all("{" not in x for x in reply.suggestions)
