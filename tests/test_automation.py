"""Retention rules on imported history: triggers fire once per event (across restarts and two processes at
once), a dry run's count is what enabling then does, the draft cap holds across rules, bad rules are refused."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from bot.settings import AutomationSettings, Settings
from crm import loyalty
from crm.automation.engine import dry_run, evaluate, list_rules, save_rule, set_enabled, spec_of
from crm.automation.rules import RuleError, check_rule
from crm.automation.words import parse_words
from crm.importing.service import import_file
from crm.settings import DEFAULT_LIFECYCLE_DAYS as LIFECYCLE
from crm.settings import lifecycle_days
from crm.tags import refresh_rule_tags
from storage.db import Database, create_engine
from storage.models import (
    AutomationRule,
    Customer,
    CustomerTag,
    Interaction,
    LoyaltyEntry,
    OutreachDraft,
    RuleFiring,
    Tag,
)
from tests.cli_runner import run_cli
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
        dry[name] = (await dry_run(db, workspace_id, spec_of(rule), NOW, TZ, 30, LIFECYCLE)).count
        await set_enabled(db, workspace_id, name, True)
    assert dry["first"] == expected["first"]  # Bob #2 and Dan #5 (Carol's first order is before the window)
    assert dry["cancel-first"] == 1  # Alice: her only order was cancelled
    assert dry["cancelled"] == 2  # Alice, and Dan's returned order
    shown = await dry_run(
        db, workspace_id, check_rule("cancel-first", rules["cancel-first"]), NOW, TZ, 30, LIFECYCLE
    )
    assert "would have fired for 1 customer: Alice Tan" in shown.describe()
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
    lapsed = await dry_run(db, workspace_id, check_rule("lapsed", rules["lapsed"]), NOW, TZ, 30, LIFECYCLE)
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
    assert stopped == (2, 0, 0)
    async with db.sessions() as session:
        assert set((await session.scalars(select(OutreachDraft.status))).all()) == {"refused"}


# ------------------------------------------------------------------ points, festival and quiet-customer triggers
async def customer_ids(db: Database) -> dict[str, int]:
    async with db.sessions() as session:
        rows = (await session.execute(select(Customer.display_name, Customer.id))).all()
    return {str(n).split()[0]: int(i) for n, i in rows}


async def fires_once_everywhere(
    db: Database,
    workspace_id: int,
    name: str,
    data: dict[str, Any],
    as_of: datetime,
    settings: Settings = SETTINGS,
) -> tuple[int, list[int]]:
    """Save the rule, dry-run it, enable it, evaluate it in two processes at once, then again after a restart:
    (the dry run's count, the customers it fired for). Asserts the firings equal the dry run and happen once."""
    await save_rule(db, workspace_id, name, data, at=as_of)
    async with db.sessions() as session:
        from storage.repositories.automation import rule_by_name

        rule = await rule_by_name(session, workspace_id, name)
        assert rule is not None
    lifecycle = lifecycle_days(settings.workspace)
    dry = await dry_run(db, workspace_id, spec_of(rule), as_of, TZ, 30, lifecycle)
    await set_enabled(db, workspace_id, name, True)
    other = Database(create_engine(db.url))  # type: ignore[attr-defined]
    try:
        a, b = await asyncio.gather(
            evaluate(db, workspace_id, cfg=cfg(), settings=settings, as_of=as_of, only=name),
            evaluate(other, workspace_id, cfg=cfg(), settings=settings, as_of=as_of, only=name),
        )
    finally:
        await other.dispose()
    assert a.fired[name] + b.fired[name] == dry.count == len(dry.customers)  # one event per customer here
    restarted = Database(create_engine(db.url))  # type: ignore[attr-defined]
    try:
        again = await evaluate(restarted, workspace_id, cfg=cfg(), settings=settings, as_of=as_of, only=name)
    finally:
        await restarted.dispose()
    assert again.fired[name] == 0
    async with db.sessions() as session:
        fired = (
            await session.scalars(
                select(RuleFiring.customer_id)
                .join(AutomationRule, AutomationRule.id == RuleFiring.rule_id)
                .where(AutomationRule.name == name)
            )
        ).all()
    assert len(fired) == len(set(fired)) == dry.count
    return dry.count, sorted(fired)


async def test_the_points_threshold_fires_once_per_crossing(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)  # Bob 80 + 60 = 140 points (reaches 100 on 15 Nov), Dan 90
    ids = await customer_ids(db)
    rule = {"trigger": "points_reached", "points": 100, "actions": [{"tag": "hundred"}]}
    n, fired = await fires_once_everywhere(db, workspace_id, "hundred", rule, NOW)
    assert (n, fired) == (1, [ids["Bob"]])
    # Dan's next order takes him from 90 to 120: a new crossing, once; Bob, already above, does not cross again
    more = [("#7", "Dan Wong", "dan@example.com", "30.00", "2026-11-23 09:00:00 +0800", "paid")]
    await import_file(
        db, workspace_id, shopify_csv(tmp_path / "more.csv", more), settings=SETTINGS.workspace.for_import()
    )
    for _ in range(2):
        done = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
        assert done.fired["hundred"] == (1 if _ == 0 else 0)
    # Bob redeems 100 (down to 40) and is given 70 (110): he crosses again, a new event
    async with db.sessions() as session:
        for reason, points in (("redeem", 100), ("adjust", 70)):
            await loyalty.change(
                session,
                workspace_id,
                ids["Bob"],
                points,
                reason,
                "test",
                expiry_days=None,
                tz="Asia/Singapore",
                now=NOW,
                member_id=None,
                actor="cli",
            )
        await session.commit()
    later = NOW + timedelta(hours=1)
    assert (await dry_run(db, workspace_id, check_rule("hundred", rule), later, TZ, 30, LIFECYCLE)).count == 1
    done = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=later)
    assert done.fired["hundred"] == 1 and await count(db, RuleFiring) == 3


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"trigger": "points_reached", "points": 0, "actions": [{"tag": "x"}]}, "points must be between"),
        ({"trigger": "points_reached", "points": "lots", "actions": [{"tag": "x"}]}, "a whole number"),
        ({"trigger": "points_reached", "actions": [{"tag": "x"}]}, "needs points"),
        ({"trigger": "festival", "festival": "festivus", "actions": [{"tag": "x"}]}, "unknown festival"),
        (
            {"trigger": "festival", "festival": "cny", "days_before": 90, "actions": [{"tag": "x"}]},
            "days_before must be between 0 and 60",
        ),
        (
            {"trigger": "first_order", "days_before": 3, "actions": [{"tag": "x"}]},
            "days_before belongs to the festival trigger",
        ),
        (
            {"trigger": "days_since_last_interaction", "days": 0, "actions": [{"tag": "x"}]},
            "days must be between",
        ),
    ],
)
async def test_bad_thresholds_and_unknown_festivals_are_refused_when_saved(
    db: Database, workspace_id: int, data: dict[str, Any], reason: str
) -> None:
    with pytest.raises(RuleError) as err:
        await save_rule(db, workspace_id, "r", data, at=NOW)
    assert reason in str(err.value) and "\n" not in str(err.value)
    assert await list_rules(db, workspace_id, cfg(), NOW) == []


async def test_a_festival_fires_once_per_customer_and_occurrence_in_their_country(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    ids = await customer_ids(db)
    async with db.sessions() as session:  # Carol now lives where Deepavali is not a holiday
        await session.execute(update(Customer).where(Customer.id == ids["Carol"]).values(country="US"))
        await session.commit()
    # Deepavali (8 Nov 2026), 10 days before: due on 29 Oct; on 1 Nov it fires for the Singapore customers
    early = datetime(2026, 11, 1, 9, 0, tzinfo=TZ)
    deepavali = {
        "trigger": "festival",
        "festival": "deepavali",
        "days_before": 10,
        "actions": [{"tag": "dv"}],
    }
    n, fired = await fires_once_everywhere(db, workspace_id, "deepavali", deepavali, early)
    assert (n, fired) == (3, sorted(ids[k] for k in ("Alice", "Bob", "Dan")))
    # after the festival day nothing is drafted late
    late = datetime(2026, 11, 9, 9, 0, tzinfo=TZ)
    assert (await dry_run(db, workspace_id, check_rule("x", deepavali), late, TZ, 30, LIFECYCLE)).count == 0
    # any festival, 5 days before, with a festival greeting: Black Friday (27 Nov, every country) on 23 Nov,
    # then Double 12 (12 Dec) on 8 Dec: one firing per customer and occurrence, drafts waiting for approval
    anyday = {"trigger": "festival", "festival": "any", "days_before": 5, "actions": [{"draft": "festival"}]}
    n, fired = await fires_once_everywhere(db, workspace_id, "greet", anyday, NOW)
    assert (n, fired) == (4, sorted(ids.values()))
    dec = datetime(2026, 12, 8, 9, 0, tzinfo=TZ)
    assert (await dry_run(db, workspace_id, check_rule("greet", anyday), dec, TZ, 30, LIFECYCLE)).count == 4
    done = await evaluate(db, workspace_id, cfg=cfg(draft_cap_days=0), settings=SETTINGS, as_of=dec)
    assert done.fired["greet"] == 4
    async with db.sessions() as session:
        keys = (await session.scalars(select(RuleFiring.event_key).order_by(RuleFiring.id))).all()
        drafts = (await session.execute(select(OutreachDraft.intent, OutreachDraft.status))).all()
    assert sorted({k for k in keys if k.startswith("festival:")}) == [
        "festival:black_friday:2026-11-27",
        "festival:deepavali:2026-11-08",
        "festival:double_12:2026-12-12",
    ]
    assert drafts and set(drafts) == {("festival", "draft")}  # waiting for approval, never sent


async def test_days_without_an_order_or_interaction_counts_the_last_contact(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    ids = await customer_ids(db)
    # Carol last ordered on 2 Oct but chatted on 5 Nov; Alice (no valid order) complained on 20 Oct
    async with db.sessions() as session:
        for who, kind, at in (("Carol", "chat", "2026-11-05"), ("Alice", "complaint", "2026-10-20")):
            session.add(
                Interaction(
                    workspace_id=workspace_id,
                    customer_id=ids[who],
                    kind=kind,
                    occurred_at=datetime.fromisoformat(at + "T10:00:00+08:00"),
                )
            )
        await session.commit()
    quiet = {"trigger": "days_since_last_interaction", "days": 30, "actions": [{"tag": "quiet"}]}
    # on 23 Nov: Alice's 30 quiet days ended on 19 Nov; Carol's chat on 5 Nov keeps her in touch
    n, fired = await fires_once_everywhere(db, workspace_id, "quiet", quiet, NOW)
    assert (n, fired) == (1, [ids["Alice"]])
    lapsed = {"trigger": "days_since_last_order", "days": 30, "actions": [{"tag": "lapsed"}]}
    assert [
        c
        for c, _ in (
            await dry_run(db, workspace_id, check_rule("l", lapsed), NOW, TZ, 30, LIFECYCLE)
        ).customers
    ] == [ids["Carol"]]
    # on 6 Dec Carol has been quiet 30 days since her chat: she fires then, once
    dec = datetime(2026, 12, 6, 12, 0, tzinfo=TZ)
    done = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=dec)
    assert done.fired["quiet"] == 1


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("when points reach 1000 add tag vip", {"trigger": "points_reached", "points": 1000}),
        ("当积分达到1000时打标签'vip'", {"trigger": "points_reached", "points": 1000}),
        (
            "3 days before a festival draft festival greeting",
            {"trigger": "festival", "festival": "any", "days_before": 3},
        ),
        ("春节前3天写节日祝福", {"trigger": "festival", "festival": "cny", "days_before": 3}),
        ("on christmas, award 20 points", {"trigger": "festival", "festival": "christmas"}),
        (
            "60 days without an order or interaction, alert the team",
            {"trigger": "days_since_last_interaction", "days": 60},
        ),
        ("30天没有下单或互动时通知群组", {"trigger": "days_since_last_interaction", "days": 30}),
    ],
)
def test_the_new_triggers_read_in_plain_words(words: str, expected: dict[str, Any]) -> None:
    data = parse_words(words)
    assert data is not None and {k: v for k, v in data.items() if k != "actions"} == expected
    check_rule("r", data)


def test_a_rule_reads_in_the_reader_language() -> None:
    spec = check_rule("r", parse_words("3 days before chinese new year, draft a festival greeting") or {})
    assert spec.describe("en") == "when it is 3 days before Chinese New Year: draft festival (for approval)"
    assert spec.describe("zh") == "当春节前 3 天时：写 festival 草稿（待批准）"
    points = check_rule("p", {"trigger": "points_reached", "points": 500, "actions": [{"points": 50}]})
    assert "积分达到 500" in points.describe("zh") and "赠送 50 积分" in points.describe("zh")


async def test_the_new_triggers_work_from_config_yaml(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    rules = [
        {
            "name": "vip",
            "trigger": "points_reached",
            "points": 100,
            "actions": [{"tag": "vip"}],
            "enabled": True,
        },
        {
            "name": "bf",
            "trigger": "festival",
            "festival": "Black Friday",
            "days_before": 5,
            "actions": [{"tag": "bf"}],
            "enabled": True,
        },
        {"name": "quiet", "trigger": "days_since_last_interaction", "days": 30, "actions": [{"tag": "q"}]},
    ]
    conf = cfg(rules=rules)
    done = await evaluate(db, workspace_id, cfg=conf, settings=SETTINGS, as_of=NOW)
    assert done.problems == [] and done.fired == {"vip": 1, "bf": 4}  # quiet starts off
    rows = {r.rule.name: r for r in await list_rules(db, workspace_id, conf, NOW)}
    assert rows["bf"].rule.spec["festival"] == "black_friday" and not rows["quiet"].rule.enabled
    with pytest.raises(ValueError, match="unknown festival 'festivus'"):  # refused when config.yaml loads
        cfg(rules=[{"name": "x", "trigger": "festival", "festival": "festivus", "actions": [{"tag": "x"}]}])


async def test_waits_between_steps_run_once_when_due_and_disabling_drops_them(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    steps = {"trigger": "first_order", "actions": [{"tag": "first"}, {"wait": 3}, {"draft": "welcome"}]}
    await add_on(db, workspace_id, "welcome-later", steps)
    done = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
    assert done.fired == {"welcome-later": 2} and done.drafts == 0  # Bob and Dan tagged; the drafts wait
    assert await count(db, CustomerTag) == 2 and await count(db, OutreachDraft) == 0
    early = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW + timedelta(days=2))
    assert early.drafts == 0 and await count(db, OutreachDraft) == 0
    # on the day, two processes at once: each waiting step runs once
    due = NOW + timedelta(days=3, hours=1)
    other = Database(create_engine(db.url))  # type: ignore[attr-defined]
    try:
        a, b = await asyncio.gather(
            evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=due),
            evaluate(other, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=due),
        )
    finally:
        await other.dispose()
    assert a.drafts + b.drafts == 2 and await count(db, OutreachDraft) == 2
    again = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=due + timedelta(days=1))
    assert again.drafts == 0 and await count(db, OutreachDraft) == 2
    async with db.sessions() as session:
        rows = (await session.execute(select(RuleFiring.status, RuleFiring.draft_id))).all()
    assert {s for s, _ in rows} == {"done"} and all(d for _, d in rows)
    # a second rule whose wait has not ended when it is disabled: its later steps never run
    await add_on(
        db, workspace_id, "points-later", {"trigger": "repeat_order", "actions": [{"wait": 5}, {"points": 9}]}
    )
    await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=due, only="points-later")
    _, stopped = await set_enabled(db, workspace_id, "points-later", False)
    assert stopped == (0, 0, 1)
    await set_enabled(db, workspace_id, "points-later", True)
    await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=due + timedelta(days=10))
    async with db.sessions() as session:
        assert (await session.scalars(select(LoyaltyEntry).where(LoyaltyEntry.points == 9))).all() == []


def test_a_wait_needs_a_step_after_it_and_a_whole_number_of_days() -> None:
    with pytest.raises(RuleError, match="a wait needs a step after it"):
        check_rule("r", {"trigger": "first_order", "actions": [{"tag": "x"}, {"wait": 3}]})
    with pytest.raises(RuleError, match="wait must be between 1 and 365 days"):
        check_rule("r", {"trigger": "first_order", "actions": [{"wait": 0}, {"tag": "x"}]})
    data = parse_words(
        "when a customer's first order is cancelled, draft an apology, then wait 7 days and award 50 points"
    )
    assert data is not None and data["actions"] == [
        {"draft": "service_recovery"},
        {"wait": 7},
        {"points": 50},
    ]
    assert check_rule("r", data).describe("zh").endswith("等待 7 天；赠送 50 积分")


def _cli(monkeypatch: pytest.MonkeyPatch, db_url: str, *args: str, language: str = "en") -> str:
    """`sellermate ARGS` in this process (Typer's runner) on the test database."""
    result = run_cli(monkeypatch, db_url, *args, SELLERMATE_LANGUAGE=language)
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


async def test_the_new_triggers_from_the_command_line_in_the_configured_language(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = db.url  # type: ignore[attr-defined]
    today = datetime.now(TZ)
    recent = [
        (ref, who, email, total, (today - timedelta(days=days)).strftime("%Y-%m-%d %H:%M:%S +0800"), "paid")
        for ref, who, email, total, days in (
            ("#1", "Bob Lim", "bob@example.com", "80.00", 9),
            ("#2", "Bob Lim", "bob@example.com", "60.00", 2),
            ("#3", "Dan Wong", "dan@example.com", "90.00", 1),
        )
    ]
    path = shopify_csv(tmp_path / "orders.csv", recent)
    await asyncio.to_thread(_cli, monkeypatch, url, "import", str(path))
    added = await asyncio.to_thread(
        _cli,
        monkeypatch,
        url,
        "rules",
        "add",
        "vip",
        "--when",
        "points_reached",
        "--points-reach",
        "100",
        "--tag",
        "vip",
    )
    assert "when points reach 100: tag 'vip'" in added
    festival = await asyncio.to_thread(
        _cli,
        monkeypatch,
        url,
        "rules",
        "add",
        "greet",
        "--when",
        "festival",
        "--festival",
        "any",
        "--days-before",
        "60",
        "--tag",
        "greeted",
        language="zh",
    )
    assert "当客户所在国家的任一节日前 60 天时：打标签“greeted”" in festival
    dry = await asyncio.to_thread(_cli, monkeypatch, url, "rules", "dry-run", "vip")
    assert "would have fired for 1 customer: Bob Lim" in dry  # 80 + 60 crossed 100 two days ago
    await asyncio.to_thread(_cli, monkeypatch, url, "rules", "enable", "vip")
    ran = await asyncio.to_thread(_cli, monkeypatch, url, "rules", "run")
    assert "vip 1" in ran
    again = await asyncio.to_thread(_cli, monkeypatch, url, "rules", "run")
    assert "vip 0" in again
    listing = await asyncio.to_thread(_cli, monkeypatch, url, "rules", "list", language="zh")
    assert "当积分达到 100时：打标签“vip”" in listing and "fired for 1 customers" in listing


@pytest.mark.parametrize(
    ("words", "alert"),
    [
        ("when a customer's first order is cancelled, alert the team", "A customer matched this rule."),
        ("首单取消时通知群组", "有客户符合这条规则。"),
    ],
)
def test_an_alert_written_in_chat_reads_in_the_language_of_the_rule(words: str, alert: str) -> None:
    data = parse_words(words)
    assert data is not None, words
    assert {"alert": alert} in data["actions"], data


async def test_no_rule_acts_on_a_customer_erased_on_request(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """An erased customer keeps their orders and country (the figures stay), so a festival would still select
    them: the engine leaves them out of every trigger, in the dry run and when the rule runs."""
    from crm.rights import Actor, erase

    await load(db, workspace_id, tmp_path)
    ids = await customer_ids(db)
    anyday = {"trigger": "festival", "festival": "any", "days_before": 5, "actions": [{"tag": "greeted"}]}
    before = await dry_run(db, workspace_id, check_rule("greet", anyday), NOW, TZ, 30, LIFECYCLE)
    assert ids["Bob"] in {c for c, _ in before.customers}
    assert await erase(db, workspace_id, ids["Bob"], Actor("cli")) is not None
    n, fired = await fires_once_everywhere(db, workspace_id, "greet", anyday, NOW)
    assert n == before.count - 1 and ids["Bob"] not in fired


# ------------------------------------------------- the other triggers, once per event everywhere (issue 24)
WINDOW_START = NOW - timedelta(days=30)
# Older customers (imported on top of `load()` where a test needs them), for the lifecycle and segment triggers:
# Erin dormant since 19 Oct (before the window), Frank churned on 29 Oct (in it), Gina churned long ago, Hana
# back to active on 12 Nov after six quiet months, Ivan active without a break since July, Jack dormant on 31 Oct.
OLDER = [
    ("#8", "Erin Koh", "erin@example.com", "70.00", "2026-07-20 10:00:00 +0800", "paid"),
    ("#9", "Frank Goh", "frank@example.com", "55.00", "2026-05-01 10:00:00 +0800", "paid"),
    ("#10", "Gina Lee", "gina@example.com", "65.00", "2026-03-01 10:00:00 +0800", "paid"),
    ("#11", "Hana Ong", "hana@example.com", "45.00", "2026-05-10 10:00:00 +0800", "paid"),
    ("#12", "Hana Ong", "hana@example.com", "50.00", "2026-11-12 10:00:00 +0800", "paid"),
    ("#13", "Ivan Teo", "ivan@example.com", "35.00", "2026-06-01 10:00:00 +0800", "paid"),
    ("#14", "Ivan Teo", "ivan@example.com", "40.00", "2026-08-15 10:00:00 +0800", "paid"),
    ("#15", "Ivan Teo", "ivan@example.com", "30.00", "2026-11-05 10:00:00 +0800", "paid"),
    ("#16", "Jack Yeo", "jack@example.com", "85.00", "2026-08-01 10:00:00 +0800", "paid"),
]
VALID, CANCELLED = {"paid"}, {"refunded"}


def placed(row: tuple[str, ...]) -> datetime:
    return datetime.strptime(row[4], "%Y-%m-%d %H:%M:%S %z")


def first_names(rows: list[tuple[str, ...]], keep: Any) -> set[str]:
    return {r[1].split()[0] for r in rows if keep(r)}


async def load_older(db: Database, workspace_id: int, tmp_path: Path) -> list[tuple[str, ...]]:
    await load(db, workspace_id, tmp_path)
    path = shopify_csv(tmp_path / "older.csv", OLDER)
    await import_file(db, workspace_id, path, settings=SETTINGS.workspace.for_import())
    return [*ORDERS, *OLDER]


async def test_a_repeat_order_fires_once_per_order_everywhere(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    rows = await load_older(db, workspace_id, tmp_path)
    ids = await customer_ids(db)

    def repeat(r: tuple[str, ...]) -> bool:
        earlier = [o for o in rows if o[2] == r[2] and o[5] in VALID and placed(o) < placed(r)]
        return r[5] in VALID and placed(r) >= WINDOW_START and bool(earlier)

    expected = sorted(ids[n] for n in first_names(rows, repeat))
    n, fired = await fires_once_everywhere(
        db, workspace_id, "again", {"trigger": "repeat_order", "actions": [{"tag": "again"}]}, NOW
    )
    assert n > 0 and fired == expected  # Bob's second order, Hana's return and Ivan's third order


async def test_a_cancelled_order_fires_once_per_order_everywhere(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    rows = await load_older(db, workspace_id, tmp_path)
    ids = await customer_ids(db)
    cancelled = first_names(rows, lambda r: r[5] in CANCELLED and placed(r) >= WINDOW_START)
    rule = {"trigger": "order_cancelled", "actions": [{"tag": "had-cancel"}]}
    n, fired = await fires_once_everywhere(db, workspace_id, "cancelled", rule, NOW)
    assert n > 0 and fired == sorted(ids[c] for c in cancelled)  # Alice and Dan


async def test_days_since_the_last_order_fires_once_per_lapse_everywhere(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    rows = await load_older(db, workspace_id, tmp_path)
    ids = await customer_ids(db)

    def lapsed_in_window(r: tuple[str, ...]) -> bool:
        if r[5] not in VALID:
            return False
        last = max(placed(o) for o in rows if o[2] == r[2] and o[5] in VALID)
        return placed(r) == last and WINDOW_START <= last + timedelta(days=120) <= NOW

    expected = sorted(ids[c] for c in first_names(rows, lapsed_in_window))
    rule = {"trigger": "days_since_last_order", "days": 120, "actions": [{"tag": "lapsed"}]}
    n, fired = await fires_once_everywhere(db, workspace_id, "lapsed", rule, NOW)
    assert n > 0 and fired == expected  # Erin: 120 days after 20 Jul is 17 Nov


async def test_an_abandoned_cart_fires_once_per_cart_everywhere(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    import csv

    await load(db, workspace_id, tmp_path)
    ids = await customer_ids(db)
    carts = [  # (buyer, kind, when): Carol's cart of 1 Oct is before the window, views never fire
        ("carol@example.com", "abandoned_cart", "2026-10-01T12:00:00+08:00"),
        ("carol@example.com", "abandoned_cart", "2026-11-18T12:00:00+08:00"),
        ("bob@example.com", "view", "2026-11-19T12:00:00+08:00"),
        ("alice@example.com", "abandoned_cart", "2026-11-20T12:00:00+08:00"),
    ]
    path = tmp_path / "behaviour_events.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["platform", "buyer_key", "kind", "sku", "product_name", "value", "currency", "occurred_at"]
        )
        for who, kind, at in carts:
            writer.writerow(["shopify", who, kind, "SER", "Serum", "35.00", "SGD", at])
    done = await import_file(db, workspace_id, path, settings=SETTINGS.workspace.for_import())
    assert done.kind == "events"
    expected = sorted(
        ids[who.split("@")[0].title()]
        for who, kind, at in carts
        if kind == "abandoned_cart" and WINDOW_START <= datetime.fromisoformat(at) <= NOW
    )
    rule = {"trigger": "abandoned_cart", "actions": [{"tag": "cart"}]}
    n, fired = await fires_once_everywhere(db, workspace_id, "cart", rule, NOW)
    assert n > 0 and fired == expected  # Alice and Carol's second cart


async def test_a_tag_added_fires_once_per_tagging_everywhere(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    from crm.tags import refresh_rule_tags
    from storage.repositories.customer_desk import add_tag

    await load(db, workspace_id, tmp_path)
    ids = await customer_ids(db)
    now = datetime.now(TZ)
    # By hand (the customer desk's code path): Carol 40 days ago, before the window, and Alice now
    async with db.sessions() as session:
        for who in ("Carol", "Alice"):
            assert await add_tag(session, workspace_id, ids[who], "big")
        await session.execute(
            update(CustomerTag)
            .where(CustomerTag.customer_id == ids["Carol"])
            .values(created_at=now - timedelta(days=40))
        )
        await session.commit()
    # Then through the code that keeps rule tags (it stamps the real time): the big spenders
    async with db.sessions() as session:
        await refresh_rule_tags(session, workspace_id, {"big": "ltv >= 80"}, NOW, TZ, LIFECYCLE)
        await session.commit()
    spend: dict[str, float] = {}
    for r in ORDERS:
        if r[5] in VALID:
            spend[r[1].split()[0]] = spend.get(r[1].split()[0], 0.0) + float(r[3])
    expected = sorted([ids["Alice"], *(ids[c] for c, v in spend.items() if v >= 80)])
    rule = {"trigger": "tag_added", "tag": "big", "actions": [{"points": 10}]}
    n, fired = await fires_once_everywhere(db, workspace_id, "big", rule, datetime.now(TZ))
    assert n > 0 and fired == expected  # Alice, Bob and Dan; not Carol, tagged before the window


def stage_on(day: Any, first: Any, last: Any, lifecycle: tuple[int, int, int] = LIFECYCLE) -> str:
    """docs/metrics.md lifecycle on a local day, with these thresholds (default: new 30, active 90, dormant
    180)."""
    new, active, dormant = lifecycle
    age, recency = (day - first).days, (day - last).days
    return (
        "new"
        if age <= new
        else "active"
        if recency <= active
        else "dormant"
        if recency <= dormant
        else "churned"
    )


def entered_stage_in_window(
    rows: list[tuple[str, ...]], stage: str, lifecycle: tuple[int, int, int] = LIFECYCLE
) -> set[str]:
    """Day by day through each customer's history: the customers in `stage` on NOW's day whose current run in
    it began in the window (at the order that began it, or at the start of the day the rules moved them)."""
    out = set()
    for email in {r[2] for r in rows}:
        mine = sorted(placed(r) for r in rows if r[2] == email and r[5] in VALID)
        if not mine:
            continue
        today = NOW.date()
        day, began, before = mine[0].astimezone(TZ).date(), mine[0], None
        while day <= today:
            done = [o for o in mine if o.astimezone(TZ).date() <= day]
            now = stage_on(day, done[0].astimezone(TZ).date(), done[-1].astimezone(TZ).date(), lifecycle)
            if now != before:
                ordered = [o for o in mine if o.astimezone(TZ).date() == day]
                began = ordered[-1] if ordered else datetime.combine(day, datetime.min.time(), tzinfo=TZ)
            before, day = now, day + timedelta(days=1)
        if before == stage and WINDOW_START <= began <= NOW:
            out.add(next(r[1].split()[0] for r in rows if r[2] == email))
    return out


@pytest.mark.parametrize("stage", ["new", "active", "dormant", "churned"])
async def test_entering_a_lifecycle_stage_fires_once_per_entry_in_the_window(
    db: Database, workspace_id: int, tmp_path: Path, stage: str
) -> None:
    """Not everyone in the stage: the customers whose entry into it (first order, an order after a long gap,
    or the day the thresholds moved them on) lies in the 30-day window."""
    rows = await load_older(db, workspace_id, tmp_path)
    ids = await customer_ids(db)
    expected = sorted(ids[c] for c in entered_stage_in_window(rows, stage))
    rule = {"trigger": "entered_stage", "stage": stage, "actions": [{"tag": f"in-{stage}"}]}
    n, fired = await fires_once_everywhere(db, workspace_id, f"stage-{stage}", rule, NOW)
    assert n > 0 and fired == expected
    # Ivan (active since July), Erin (dormant since 19 Oct) and Gina (churned since August) are in a stage
    # but entered it before the window: none of them fires
    assert not {ids["Ivan"], ids["Erin"], ids["Gina"]} & set(fired)
    assert {"new": {"Bob", "Dan"}, "active": {"Carol", "Hana"}, "dormant": {"Jack"}, "churned": {"Frank"}}[
        stage
    ] == {c for c, i in ids.items() if i in fired}


# A workspace whose stages are shorter than the defaults (workspace.lifecycle_*_days in config.yaml).
SHORT_STAGES = Settings(
    workspace={
        "name": "Test shop",
        "base_currency": "SGD",
        "timezone": "Asia/Singapore",
        "lifecycle_new_days": 14,
        "lifecycle_active_days": 45,
        "lifecycle_dormant_days": 120,
    }
)


@pytest.mark.parametrize("stage", ["new", "active", "dormant", "churned"])
async def test_rules_read_stages_by_the_workspace_thresholds_as_answers_do(
    db: Database, workspace_id: int, tmp_path: Path, stage: str
) -> None:
    """A seller who set their own lifecycle thresholds: entering a stage, and a rule's `lifecycle` condition,
    follow them, as the bot's answers and drafts do (with the defaults they would pick other customers)."""
    from crm.analytics.metrics import customer_scores

    short = lifecycle_days(SHORT_STAGES.workspace)
    rows = await load_older(db, workspace_id, tmp_path)
    ids = await customer_ids(db)
    expected = sorted(ids[c] for c in entered_stage_in_window(rows, stage, short))
    assert expected  # someone entered it in the window
    rule = {"trigger": "entered_stage", "stage": stage, "actions": [{"tag": f"short-{stage}"}]}
    _, fired = await fires_once_everywhere(db, workspace_id, f"short-{stage}", rule, NOW, SHORT_STAGES)
    assert fired == expected
    # A tag rule on the `lifecycle` field (as a rule's condition reads it) tags the customers the answers put
    # in that stage.
    async with db.sessions() as session:
        scores = await customer_scores(session, workspace_id, NOW, TZ, lifecycle_days=short)
        in_stage = {int(c) for c, s in zip(scores.ids, scores.lifecycle, strict=True) if s == stage}
        rules = {f"is-{stage}": f"lifecycle == '{stage}'"}
        await refresh_rule_tags(session, workspace_id, rules, NOW, TZ, short)
        await session.commit()
        tagged = set(
            (
                await session.scalars(
                    select(CustomerTag.customer_id)
                    .join(Tag, Tag.id == CustomerTag.tag_id)
                    .where(Tag.name == f"is-{stage}")
                )
            ).all()
        )
    assert tagged == in_stage and in_stage


def segments_on(rows: list[tuple[str, ...]], at: datetime) -> dict[str, str]:
    """docs/metrics.md RFM segments of the customers with a valid order before `at` (whole local days)."""
    import numpy as np

    from crm.analytics.metrics import segment_of

    valid = [r for r in rows if r[5] in VALID and placed(r) < at]
    names = sorted({r[1].split()[0] for r in valid})
    mine = [[r for r in valid if r[1].split()[0] == n] for n in names]
    day = at.astimezone(TZ).date()
    recency = np.array([float((day - max(placed(r) for r in m).astimezone(TZ).date()).days) for m in mine])
    frequency = np.array([float(len(m)) for m in mine])
    monetary = np.array([sum(float(r[3]) for r in m) for m in mine])
    return dict(zip(names, (str(s) for s in segment_of(recency, frequency, monetary)), strict=True))


async def test_entering_a_segment_fires_for_those_not_in_it_at_the_window_start(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Segments keep no history: a customer entered one in the window when they are in it now and were not
    (or had no valid order yet) at the window's start. Each segment fires once per customer everywhere."""
    rows = await load_older(db, workspace_id, tmp_path)
    ids = await customer_ids(db)
    then, now = segments_on(rows, WINDOW_START), segments_on(rows, NOW)
    stayed = 0
    for segment in sorted(set(now.values())):
        entered = sorted(ids[c] for c, s in now.items() if s == segment and then.get(c) != segment)
        stayed += sum(1 for c, s in now.items() if s == segment and then.get(c) == segment)
        rule = {"trigger": "entered_segment", "segment": segment, "actions": [{"tag": "moved"}]}
        n, fired = await fires_once_everywhere(db, workspace_id, f"seg-{segment}", rule, NOW)
        assert fired == entered and n == len(entered), segment
    assert stayed > 0  # some customers were in their segment all along: they are not "entering" it
    assert await count(db, RuleFiring) == sum(1 for c, s in now.items() if then.get(c) != s) > 0


async def test_a_run_counts_firings_and_the_customers_the_dry_run_counted(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """A dry run names customers; a run makes one firing per event. A customer with two events in the window
    is one customer of the dry run and two firings of the run: the run reports both, each equal to the dry
    run's own figures, so the two numbers a seller sees are never unexplained."""
    await load_older(db, workspace_id, tmp_path)
    # Ivan orders again within the window: his third and fourth orders are two events of one customer
    more = shopify_csv(
        tmp_path / "more.csv",
        [("#17", "Ivan Teo", "ivan@example.com", "25.00", "2026-11-15 10:00:00 +0800", "paid")],
    )
    await import_file(db, workspace_id, more, settings=SETTINGS.workspace.for_import())
    spec = check_rule("orders", {"trigger": "repeat_order", "actions": [{"tag": "again"}]})
    dry = await dry_run(db, workspace_id, spec, NOW, TZ, 30, LIFECYCLE)
    await save_rule(
        db, workspace_id, "orders", {"trigger": "repeat_order", "actions": [{"tag": "again"}]}, at=NOW
    )
    await set_enabled(db, workspace_id, "orders", True)
    done = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW, only="orders")
    assert done.fired["orders"] == dry.events and done.customers["orders"] == dry.count
    assert done.customers["orders"] <= done.fired["orders"]
    assert dry.events == dry.count + 1  # the data has the case this is about
