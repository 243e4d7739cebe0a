"""Why a retention rule is refused, in the reader's language: check_rule's reasons are messages of
crm/text/locales/<lang>/rules.ftl; str() of the RuleError stays the English line config.yaml problems and logs
show, and `say(language)` gives it in the language of whoever wrote the rule (the bot and the command line)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from crm.automation.engine import RuleExists
from crm.automation.rules import RuleError, check_rule
from crm.text import Msg
from tests.cli_runner import run_cli

CJK = re.compile(r"[\u4e00-\u9fff]")
TAG = {"tag": "x"}

CASES: list[tuple[dict[str, Any], dict[str, Any], str, str]] = [
    # (rule, check_rule's keywords, English reason, the offending value as the reason quotes it)
    (
        {"trigger": "birthday", "actions": [TAG]},
        {},
        "rule 'r': unknown trigger 'birthday'; triggers: first_order, repeat_order, order_cancelled, "
        "abandoned_cart, tag_added, entered_segment, entered_stage, days_since_last_order, "
        "days_since_last_interaction, points_reached, festival",
        "'birthday'",
    ),
    (
        {"trigger": "days_since_last_order", "days": 0, "actions": [TAG]},
        {},
        "rule 'r': days must be between 1 and 3650, got 0",
        "3650",
    ),
    (
        {"trigger": "festival", "festival": "xmas2", "actions": [TAG]},
        {},
        "rule 'r': unknown festival 'xmas2'; festivals: any, cny, tet, hari_raya, deepavali, songkran, "
        "mid_autumn, new_year, double_11, double_12, black_friday, christmas",
        "'xmas2'",
    ),
    (
        {"trigger": "tag_added", "tag": "ghost", "actions": [TAG]},
        {"known_tags": set()},
        "rule 'r': unknown tag 'ghost'; tags: none yet",
        "'ghost'",
    ),
    (
        {"trigger": "first_order", "actions": [{"remind": "bob", "text": "call"}]},
        {"known_members": {"Mei", "Raj"}},
        "rule 'r': action remind: no team member 'bob'; team members: Mei, Raj",
        "'bob'",
    ),
    (
        {"trigger": "first_order", "actions": [{"points": 0}]},
        {},
        "rule 'r': action points: a whole number other than 0",
        "0",
    ),
    # The condition ("if"): crm.tags' reasons, shared with the tag rules of config.yaml.
    (
        {"trigger": "first_order", "if": "spend > 3", "actions": [TAG]},
        {},
        "rule 'r': unknown field 'spend'; fields: ltv, orders, aov, days_since_last_order, "
        "days_since_first_order, segment, lifecycle, country, r_score, f_score, m_score",
        "'spend'",
    ),
    (
        {"trigger": "first_order", "if": "ltv >", "actions": [TAG]},
        {},
        "rule 'r': cannot read 'ltv >' (invalid syntax)",
        "'ltv >'",
    ),
    (
        {"trigger": "first_order", "if": "ltv is 3", "actions": [TAG]},
        {},
        "rule 'r': comparison Is is not allowed",
        "Is",
    ),
    (
        {"trigger": "first_order", "if": "country in ['SG', ltv]", "actions": [TAG]},
        {},
        "rule 'r': lists may hold only numbers and strings",
        "",
    ),
    (
        {"trigger": "first_order", "if": "__import__('os')", "actions": [TAG]},
        {},
        "rule 'r': Call is not allowed in \"__import__('os')\"",
        "Call",
    ),
    (
        {"trigger": "first_order", "actions": [TAG, {"wait": 3}]},
        {},
        "rule 'r': a wait needs a step after it",
        "wait",
    ),
]


@pytest.mark.parametrize(("data", "known", "english", "value"), CASES)
def test_a_refused_rule_says_why_in_english_and_in_chinese(
    data: dict[str, Any], known: dict[str, Any], english: str, value: str
) -> None:
    with pytest.raises(RuleError) as err:
        check_rule("r", data, **known)
    assert str(err.value) == english  # what config.yaml problems and the logs show, unchanged
    assert err.value.say("en") == english
    chinese = err.value.say("zh")
    assert chinese != english and CJK.search(chinese), chinese
    assert chinese.startswith("规则 'r'：") and value in chinese, chinese
    assert "\n" not in chinese
    assert err.value.say("th") == english  # a language without these texts reads English


def test_none_yet_is_said_in_the_reader_language() -> None:
    with pytest.raises(RuleError) as err:
        check_rule(
            "r", {"trigger": "first_order", "actions": [{"remind": "bob", "text": "t"}]}, known_members=[]
        )
    assert str(err.value).endswith("team members: none yet")
    assert err.value.say("zh").endswith("团队成员：暂无")


def test_a_rule_without_a_name_has_no_name_to_show() -> None:
    with pytest.raises(RuleError) as err:
        check_rule(" ", {"trigger": "first_order", "actions": [TAG]})
    assert str(err.value) == "a rule needs a name"
    assert err.value.say("zh") == "规则需要一个名称"


def test_a_rule_error_raised_with_a_text_only_says_that_text() -> None:
    plain = RuleError("rule 'r': something else")
    assert plain.say("zh") == str(plain) == "rule 'r': something else"
    exists = RuleExists(msg=Msg("rule.error.exists", {"name": repr("r")}))
    assert isinstance(exists, RuleError) and str(exists) == "rule 'r' exists already"
    assert exists.say("zh") == "规则 'r' 已存在"


# --- the command line speaks the configured language ----------------------------------------------------------


def _cli(monkeypatch: pytest.MonkeyPatch, db: str, *args: str, **env: str) -> tuple[int, str]:
    result = run_cli(monkeypatch, db, *args, **env)
    return result.exit_code, result.stderr


def test_the_command_line_refuses_a_rule_in_the_configured_language(
    monkeypatch: pytest.MonkeyPatch, sqlite_template: Path, tmp_path: Path
) -> None:
    shutil.copy(sqlite_template, tmp_path / "shop.db")
    db = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    add = ("rules", "add", "late", "--when", "days_since_last_order", "--days", "5000", "--tag", "x")
    code, err = _cli(monkeypatch, db, *add, SELLERMATE_LANGUAGE="zh")
    assert code == 2 and "规则 'late'：days 必须在 1 到 3650 之间，收到的是 5000" in err, err
    code, err = _cli(monkeypatch, db, *add)
    assert code == 2 and "rule 'late': days must be between 1 and 3650, got 5000" in err, err
