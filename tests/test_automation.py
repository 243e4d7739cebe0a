"""Retention rules on imported history: triggers fire once per event (across restarts and two processes at
once), a dry run's count is what enabling then does, the draft cap holds across rules, bad rules are refused."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.settings import AutomationSettings, Settings
from crm.automation.engine import dry_run, evaluate, list_rules, save_rule, set_enabled, spec_of
from crm.automation.rules import RuleError, check_rule
from crm.importing.service import import_file
from storage.db import Database, create_engine
from storage.models import CustomerTag, LoyaltyEntry, OutreachDraft, RuleFiring
from tests.e2e.conftest import shopify_csv

TZ = ZoneInfo("Asia/Singapore")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=TZ)
SETTINGS = Settings(workspace={"name": "Test shop", "base_currency": "SGD", "timezone": "Asia/Singapore"})
ORDERS = [
    # (order, buyer, email, total, created at, status)
    ("#1", "Alice Tan", "alice@example.com", "50.00", "2026-11-10 10:00:00 +0800", "refunded"),
    ("#2", "Bob Lim", "bob@example.com", "80.00", "2026-11-01 10:00:00 +0800", "paid"),
    ("#3", "Bob Lim", "bob@example.com", "60.00", "2026-11-15 10:00:00 +0800", "paid"),
    ("#4", "Carol Ng", "carol@example.com", "40.00", "2026-10-02 10:00:00 +0800", "paid"),
    ("#5", "Dan Wong", "dan@example.com", "90.00", "2026-11-20 10:00:00 +0800", "paid"),
    ("#6", "Dan Wong", "dan@example.com", "30.00", "2026-11-21 10:00:00 +0800", "refunded"),
]


def cfg(**kw: Any) -> AutomationSettings:
    return AutomationSettings(**kw)


async def load(db: Database, workspace_id: int, tmp_path: Path) -> None:
    path = shopify_csv(tmp_path / "orders.csv", ORDERS)
    await import_file(db, workspace_id, path, settings=SETTINGS.workspace.for_import())


async def count(db: Database, model: Any) -> int:
    async with db.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def add_on(db: Database, workspace_id: int, name: str, data: dict[str, Any]) -> None:
    await save_rule(db, workspace_id, name, data, at=NOW)
    await set_enabled(db, workspace_id, name, True)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"trigger": "first_order", "if": "spend > 3", "actions": [{"tag": "x"}]}, "unknown field 'spend'"),
        ({"trigger": "birthday", "actions": [{"tag": "x"}]}, "unknown trigger 'birthday'"),
        (
            {"trigger": "entered_segment", "segment": "vip", "actions": [{"tag": "x"}]},
            "unknown segment 'vip'",
        ),
        (
            {"trigger": "entered_stage", "stage": "sleepy", "actions": [{"tag": "x"}]},
            "unknown lifecycle stage",
        ),
        ({"trigger": "first_order", "actions": [{"draft": "poem"}]}, "unknown intent 'poem'"),
        ({"trigger": "tag_added", "tag": "nope", "actions": [{"points": 5}]}, "unknown tag 'nope'"),
        ({"trigger": "first_order", "actions": []}, "at least one action"),
    ],
)
def test_a_rule_naming_something_unknown_is_refused_with_the_reason(
    data: dict[str, Any], reason: str
) -> None:
    with pytest.raises(RuleError) as err:
        check_rule("r", data, known_tags={"vip"})
    assert reason in str(err.value) and "\n" not in str(err.value)


async def test_an_unknown_field_is_refused_when_saved(db: Database, workspace_id: int) -> None:
    with pytest.raises(RuleError, match="unknown field 'spend'"):
        await save_rule(
            db,
            workspace_id,
            "r",
            {"trigger": "first_order", "if": "spend > 3", "actions": [{"tag": "x"}]},
            at=NOW,
        )
    assert await list_rules(db, workspace_id, cfg(), NOW) == []


async def test_each_trigger_fires_once_per_event_and_the_dry_run_counts_what_enabling_does(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    rules = {
        "first": {"trigger": "first_order", "actions": [{"tag": "first"}]},
        "repeat": {"trigger": "repeat_order", "actions": [{"points": 20}]},
        "cancel-first": {
            "trigger": "order_cancelled",
            "if": "orders == 0",
            "actions": [{"tag": "cancel-1st"}],
        },
        "cancelled": {"trigger": "order_cancelled", "actions": [{"tag": "had-cancel"}]},
        "lapsed": {"trigger": "days_since_last_order", "days": 30, "actions": [{"tag": "lapsed"}]},
        "stage-new": {"trigger": "entered_stage", "stage": "new", "actions": [{"tag": "newbie"}]},
    }
    expected = {"first": 2, "repeat": 1, "cancel-first": 1, "cancelled": 2, "lapsed": 0, "stage-new": 0}
    dry: dict[str, int] = {}
    for name, data in rules.items():
        await save_rule(db, workspace_id, name, data, at=NOW)
        async with db.sessions() as session:
            from storage.repositories.automation import rule_by_name

            rule = await rule_by_name(session, workspace_id, name)
            assert rule is not None
        dry[name] = (await dry_run(db, workspace_id, spec_of(rule), NOW, TZ, 30)).count
        await set_enabled(db, workspace_id, name, True)
    assert dry["first"] == expected["first"]  # Bob #2 and Dan #5 (Carol's first order is before the window)
    assert dry["cancel-first"] == 1  # Alice: her only order was cancelled
    assert dry["cancelled"] == 2  # Alice, and Dan's returned order
    shown = await dry_run(db, workspace_id, check_rule("cancel-first", rules["cancel-first"]), NOW, TZ, 30)
    assert "would have fired for 1 customers: Alice Tan" in shown.describe()
    done = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
    assert {k: v for k, v in done.fired.items() if k in dry} == {k: dry[k] for k in done.fired if k in dry}
    firings = await count(db, RuleFiring)
    # Again, and after a "restart" (a new engine on the same database): nothing fires twice.
    again = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
    assert sum(again.fired.values()) == 0
    restarted = Database(create_engine(db.url))  # type: ignore[attr-defined]
    try:
        third = await evaluate(restarted, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
    finally:
        await restarted.dispose()
    assert sum(third.fired.values()) == 0 and await count(db, RuleFiring) == firings
    async with db.sessions() as session:
        points = (
            await session.execute(
                select(LoyaltyEntry.points, LoyaltyEntry.reason, LoyaltyEntry.note).where(
                    LoyaltyEntry.reason == "adjust"
                )
            )
        ).all()
    assert points == [(20, "adjust", "rule repeat")]
    # the 30-day lapse: Carol's last order (2 Oct) reaches 30 days on 1 Nov, inside the window at 23 Nov
    lapsed = await dry_run(db, workspace_id, check_rule("lapsed", rules["lapsed"]), NOW, TZ, 30)
    assert dry["lapsed"] == 1 and done.fired["lapsed"] == 1 and lapsed.count == 0  # Carol, once


async def test_two_evaluations_at_once_fire_each_event_once(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    await add_on(
        db,
        workspace_id,
        "first",
        {"trigger": "first_order", "actions": [{"draft": "welcome"}, {"tag": "first"}]},
    )
    other = Database(create_engine(db.url))  # type: ignore[attr-defined]
    try:
        a, b = await asyncio.gather(
            evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW),
            evaluate(other, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW),
        )
    finally:
        await other.dispose()
    assert a.fired["first"] + b.fired["first"] == 2
    assert await count(db, RuleFiring) == 2
    async with db.sessions() as session:
        drafts = (await session.execute(select(OutreachDraft.customer_id, OutreachDraft.status))).all()
    assert len(drafts) == 2 and {s for _, s in drafts} == {"draft"}  # waiting for approval, never sent
    assert await count(db, CustomerTag) == 2


async def test_the_draft_cap_holds_across_rules_and_disabling_stops_waiting_drafts(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    await add_on(db, workspace_id, "welcome", {"trigger": "first_order", "actions": [{"draft": "welcome"}]})
    await add_on(db, workspace_id, "thanks", {"trigger": "repeat_order", "actions": [{"draft": "thank_you"}]})
    done = await evaluate(db, workspace_id, cfg=cfg(draft_cap_days=7), settings=SETTINGS, as_of=NOW)
    assert done.fired == {"welcome": 2, "thanks": 1}
    assert done.drafts == 2 and done.capped == 1  # Bob got the welcome; his thank-you waits out the cap
    rows = {r.rule.name: r for r in await list_rules(db, workspace_id, cfg(), NOW)}
    assert rows["welcome"].stats is not None and rows["welcome"].stats.customers == 2
    assert rows["thanks"].stats is not None and rows["thanks"].stats.capped == 1
    _, stopped = await set_enabled(db, workspace_id, "welcome", False)
    assert stopped == (2, 0)
    async with db.sessions() as session:
        assert set((await session.scalars(select(OutreachDraft.status))).all()) == {"refused"}
