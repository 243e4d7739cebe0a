"""End to end through the fake Bot API, in Chinese: a points-threshold rule written in Chinese is read, shown
in Chinese with its dry run, enabled, and an import that takes a buyer over the threshold tags them once."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from storage.models import RuleFiring
from tests.e2e.conftest import OWNER, Desk, shopify_csv
from tests.e2e.test_outreach_e2e import load

OWNER_ZH = 7007
HISTORY = [
    ("#5001", "Bob Lim", "bob@example.com", "80.00", "2026-11-01 10:00:00 +0800", "paid"),
    ("#5002", "Bob Lim", "bob@example.com", "60.00", "2026-11-15 10:00:00 +0800", "paid"),
    ("#5003", "Dan Wong", "dan@example.com", "90.00", "2026-11-20 10:00:00 +0800", "paid"),
]
NEW = [("#5004", "Dan Wong", "dan@example.com", "30.00", "2026-11-22 10:00:00 +0800", "paid")]


async def test_a_points_rule_written_in_chinese_reads_in_chinese_and_fires_once(
    desk: Desk, tmp_path: Path
) -> None:
    await desk.add_member(OWNER, "owner")  # who sends the exports
    await desk.add_member(OWNER_ZH, "owner", language="zh")
    await load(desk, shopify_csv(tmp_path / "history.csv", HISTORY))
    parsed = await desk.say(OWNER_ZH, "/rules 当积分达到100时打标签'vip'")
    assert "当积分达到 100时：打标签“vip”" in parsed.text, parsed.text
    assert "这条规则会对 1 位客户触发：Bob Lim" in parsed.text  # Bob crossed 100 on 15 Nov
    enable = next(data for _, data in parsed.buttons() if data.startswith("rule:on:"))
    await desk.press(OWNER_ZH, enable, parsed.message_id or 0, chat_id=OWNER_ZH)
    await load(desk, shopify_csv(tmp_path / "new.csv", NEW))  # Dan: 90 + 30 = 120
    await load(desk, shopify_csv(tmp_path / "new-again.csv", NEW))
    async with desk.db.sessions() as session:
        keys = (await session.scalars(select(RuleFiring.event_key))).all()
    assert len(keys) == 2 and all(k.startswith("points:100:") for k in keys)  # Bob, then Dan, once each
    listing = await desk.say(OWNER_ZH, "/rules")
    assert "当积分达到 100时" in listing.text and "已触发 2 位客户" in listing.text
