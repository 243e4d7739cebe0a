"""End to end through the fake Bot API: a rule the bot reads but cannot save is refused with the reason in the
writer's language (a Chinese-speaking member reads it in Chinese, an English-speaking one in English)."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import AutomationRule
from tests.e2e.conftest import OWNER, Desk
from tests.fakes.telegram_server import parse_html

OWNER_ZH = 7007


async def test_a_chinese_speaking_member_reads_why_a_rule_is_refused_in_chinese(desk: Desk) -> None:
    await desk.add_member(OWNER, "owner")
    await desk.add_member(OWNER_ZH, "owner", language="zh")
    refused = parse_html(
        (await desk.say(OWNER_ZH, "/rules 5000天没有下单时打标签“x”")).text
    )  # as Telegram shows it
    reason = "规则 'days_since_last_order-tag-x'：days 必须在 1 到 3650 之间，收到的是 5000"
    assert refused == f"无法保存该规则：{reason}", refused
    english = parse_html((await desk.say(OWNER, "/rules 5000 days after the last order, tag them 'x'")).text)
    assert english.endswith("days must be between 1 and 3650, got 5000"), english
    async with desk.db.sessions() as session:
        assert (await session.scalars(select(AutomationRule))).all() == []
