"""A customer's consent history on the cards (Telegram and command line): every record, newest first, capped with
"…and N earlier", in English and Chinese; and the export holds their rule firings and audit events, no one
else's."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.i18n import I18n
from bot.settings import Settings
from crm.rights import CLI, consent_lines, export_customer, record_act
from handlers.customers import card_text
from storage.db import Database
from storage.models import AutomationRule, ConsentRecord, Customer, RuleFiring

NOW = datetime(2026, 11, 30, 4, tzinfo=UTC)
SETTINGS = Settings(workspace={"timezone": "Asia/Singapore", "base_currency": "SGD"})  # type: ignore[arg-type]


async def _customer(db: Database, workspace_id: int, name: str = "Nguyen Thi Lan") -> int:
    async with db.sessions() as s:
        c = Customer(workspace_id=workspace_id, display_name=name, country="VN")
        s.add(c)
        await s.commit()
        return c.id


async def _consents(db: Database, workspace_id: int, cid: int, *records: tuple[int, bool, str, str]) -> None:
    """Records of (day of November, granted, channel, source), marketing."""
    async with db.sessions() as s:
        for day, granted, channel, source in records:
            s.add(
                ConsentRecord(
                    workspace_id=workspace_id,
                    customer_id=cid,
                    purpose="marketing",
                    granted=granted,
                    channel=channel,
                    source=source,
                    # 20:00 UTC is the next morning in Singapore: the date shown is the shop's.
                    recorded_at=datetime(2026, 11, day, 20, tzinfo=UTC),
                )
            )
        await s.commit()


async def _card(db: Database, workspace_id: int, cid: int, language: str) -> str:
    async with db.sessions() as s:
        text = await card_text(
            s, workspace_id, cid, I18n(language), db=db, settings=SETTINGS, clock=lambda: NOW
        )
    assert text is not None
    return text


async def test_withdrawn_then_granted_shows_both_newest_first(db: Database, workspace_id: int) -> None:
    cid = await _customer(db, workspace_id)
    await _consents(db, workspace_id, cid, (2, False, "whatsapp", "chat"), (10, True, "email", "shopify"))
    card = await _card(db, workspace_id, cid, "en")
    lines = card.splitlines()
    at = lines.index("Consent history (newest first):")
    assert lines[at + 1 : at + 3] == [
        "• 2026-11-11 · marketing · granted · channel email · source shopify",
        "• 2026-11-03 · marketing · withdrawn · channel whatsapp · source chat",
    ]
    assert "earlier" not in card
    zh = await _card(db, workspace_id, cid, "zh")
    lines = zh.splitlines()
    at = lines.index("许可记录（最新在前）：")
    assert lines[at + 1 : at + 3] == [
        "• 2026-11-11 · 营销 · 同意 · 渠道 email · 来源 shopify",
        "• 2026-11-03 · 营销 · 撤回 · 渠道 whatsapp · 来源 chat",
    ]


async def test_a_long_history_is_capped_with_the_count_of_earlier_ones(
    db: Database, workspace_id: int
) -> None:
    cid = await _customer(db, workspace_id)
    other = await _customer(db, workspace_id, "Someone Else")
    await _consents(db, workspace_id, cid, *((day, day % 2 == 0, "email", "import") for day in range(1, 9)))
    await _consents(db, workspace_id, other, (20, True, "sms", "import"))
    card = await _card(db, workspace_id, cid, "en")
    rows = [line for line in card.splitlines() if " · marketing · " in line]
    assert len(rows) == 5 and rows[0].startswith("• 2026-11-09 ") and rows[-1].startswith("• 2026-11-05 ")
    assert "…and 3 earlier" in card and "sms" not in card  # someone else's record is not theirs
    async with db.sessions() as s:
        zh = await consent_lines(s, workspace_id, cid, "zh", "Asia/Singapore")
        assert zh[-1] == "…以及更早的 3 条" and len(zh) == 7
        assert await consent_lines(s, workspace_id, other, "en", "UTC", limit=5) == [
            "Consent history (newest first):",
            "• 2026-11-20 · marketing · granted · channel sms · source import",
        ]


async def test_no_consent_record_means_no_history_lines(db: Database, workspace_id: int) -> None:
    cid = await _customer(db, workspace_id)
    assert "Consent history" not in await _card(db, workspace_id, cid, "en")


async def test_the_export_holds_the_rule_firings_and_audit_events_about_the_customer_only(
    db: Database, workspace_id: int
) -> None:
    cid = await _customer(db, workspace_id)
    other = await _customer(db, workspace_id, "Someone Else")
    async with db.sessions() as s:
        rule = AutomationRule(workspace_id=workspace_id, name="welcome", spec={"trigger": "first_order"})
        s.add(rule)
        await s.flush()
        for who, key in ((cid, "order:41"), (other, "order:42")):
            s.add(
                RuleFiring(
                    workspace_id=workspace_id, rule_id=rule.id, customer_id=who, event_key=key, fired_at=NOW
                )
            )
        await s.commit()
    await record_act(db, workspace_id, "viewed", CLI, f"customer:{cid}")
    await record_act(db, workspace_id, "viewed", CLI, f"customer:{other}")
    await record_act(db, workspace_id, "viewed", CLI, f"customer:{cid}0")  # another number that starts alike
    done = await export_customer(db, workspace_id, cid)
    assert done is not None
    tables = json.loads(done.json)["tables"]
    (firing,) = tables["rule_firings"]
    assert (firing["rule"], firing["event_key"], firing["customer_id"]) == ("welcome", "order:41", cid)
    assert firing["fired_at"].startswith("2026-11-30")
    assert [(e["action"], e["subject"], e["actor"]) for e in tables["audit_events"]] == [
        ("viewed", f"customer:{cid}", "cli")
    ]
    assert b"order:42" not in done.csv and b"rule_firings" in done.csv


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_an_erasure_is_its_own_consent_line(db: Database, workspace_id: int, language: str) -> None:
    from crm.rights import erase

    cid = await _customer(db, workspace_id)
    await _consents(db, workspace_id, cid, (2, True, "email", "shopify"))
    await erase(db, workspace_id, cid, CLI)
    async with db.sessions() as s:
        lines = await consent_lines(s, workspace_id, cid, language, "UTC")
    assert ("erasure on request" if language == "en" else "应要求删除") in lines[1]
    assert ("withdrawn" if language == "en" else "撤回") in lines[1] and len(lines) == 3
