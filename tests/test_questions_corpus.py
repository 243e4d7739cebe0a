"""Sellers' own wordings (tests/data/questions.yaml): each parses to the IR it means, in English and Chinese."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from pydantic import TypeAdapter

from crm.query.ir import Query
from crm.query.names import NameIndex
from crm.query.parser import parse_question
from tests.parser_cases import ir_spec

CORPUS = yaml.safe_load((Path(__file__).parent / "data" / "questions.yaml").read_text(encoding="utf-8"))
QUESTIONS = CORPUS["questions"]
NAMES = NameIndex.of(CORPUS["customers"])
AS_OF = datetime(2026, 11, 24, tzinfo=ZoneInfo("Asia/Singapore"))  # the end of 2026-11-23


@pytest.mark.parametrize("case", QUESTIONS, ids=[c["q"] for c in QUESTIONS])
def test_a_sellers_wording_parses_to_what_it_means(case: dict) -> None:
    parsed = parse_question(case["q"], as_of=AS_OF, timezone="Asia/Singapore", names=NAMES)
    assert parsed.language == case["lang"]
    assert ir_spec(parsed.query) == case["expect"]
    TypeAdapter(Query).validate_python(parsed.query.model_dump(mode="json"))  # what the compiler trusts
    if "read" in case:  # a date that reads either way is read day first, and the answer says how
        assert [list(r) for r in parsed.corrections] == case["read"]


def test_every_wording_and_answer_kind_is_covered_in_both_languages() -> None:
    kinds = {c["kind"] for c in QUESTIONS}
    assert {
        "date",
        "shorthand",
        "function_words",
        "names",
        "side_by_side",
        "cohort_cell",
        "list",
        "export",
    } <= kinds
    for kind in kinds - {"function_words"}:  # Chinese function words are Chinese only
        assert {c["lang"] for c in QUESTIONS if c["kind"] == kind} == {"en", "zh"}, kind


def test_without_the_names_a_bare_name_is_not_guessed() -> None:
    """The parser reads a name with no look-up words only when the workspace's names say it is one."""
    q = parse_question("ho pei shan", as_of=AS_OF).query
    assert q.intent == "clarify"


def test_a_customer_named_like_a_word_is_not_read_into_questions() -> None:
    names = NameIndex.of(["Me", "Revenue", "Shopee", "Jordan"])
    for question, intent in [
        ("show me top customers", "top_customers"),
        ("revenue", "metric"),
        ("jordan", "clarify"),
    ]:
        assert parse_question(question, as_of=AS_OF, names=names).query.intent == intent, question


def test_an_unambiguous_dotted_date_needs_no_note() -> None:
    assert parse_question("revenue on 11.11", as_of=AS_OF).corrections == []
    assert parse_question("orders on 13/10", as_of=AS_OF).corrections == []  # 13 cannot be a month
