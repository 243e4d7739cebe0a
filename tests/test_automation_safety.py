"""Safety of retention rules: the per-customer draft cap holds with two processes evaluating at once (on SQLite
and PostgreSQL), a remind naming nobody on the team is refused when saved and never recorded done without its
reminder, and the audit trail names who ran the rules."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from crm.automation.engine import (
    _cap_guard,
    _Capped,
    check_words,
    evaluate,
    list_rules,
    save_rule,
    sync_config_rules,
)
from crm.automation.rules import RuleError
from crm.importing.service import import_file
from crm.outreach.intents import PROMOTIONAL
from crm.outreach.service import draft_for_customer
from storage.db import Database, create_engine
from storage.models import AuditEvent, Customer, CustomerTag, OutreachDraft, Reminder, RuleFiring
from storage.repositories import automation as repo
from storage.repositories.team import TeamRepository
from tests.cli_runner import Ran, run_command
from tests.e2e.conftest import shopify_csv
from tests.test_automation import NOW, SETTINGS, add_on, cfg, count, load

CUSTOMERS = 40


async def many_customers(db: Database, workspace_id: int, tmp_path: Path) -> None:
    """Customers whose only order (in the lookback window) makes first_order, days_since_last_order and
    days_since_last_interaction fire for each."""
    orders = [
        (f"#{i}", f"Buyer {i}", f"b{i}@example.com", "20.00", f"2026-11-10 10:{i:02d}:00 +0800", "paid")
        for i in range(CUSTOMERS)
    ]
    await import_file(
        db, workspace_id, shopify_csv(tmp_path / "many.csv", orders), settings=SETTINGS.workspace.for_import()
    )


async def test_two_processes_never_write_two_promotional_drafts_for_a_customer_within_the_cap(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await many_customers(db, workspace_id, tmp_path)
    rules = {
        "welcome": {"trigger": "first_order", "actions": [{"draft": "welcome"}]},
        "lapsed": {"trigger": "days_since_last_order", "days": 1, "actions": [{"draft": "winback"}]},
        "quiet": {
            "trigger": "days_since_last_interaction",
            "days": 1,
            "actions": [{"draft": "replenishment"}],
        },
    }
    for name, data in rules.items():
        await add_on(db, workspace_id, name, data)
    settings = cfg(draft_cap_days=7)
    for _ in range(3):
        other = Database(create_engine(db.url))  # type: ignore[attr-defined]
        try:
            a, b = await asyncio.gather(
                evaluate(db, workspace_id, cfg=settings, settings=SETTINGS, as_of=NOW),
                evaluate(other, workspace_id, cfg=settings, settings=SETTINGS, as_of=NOW),
            )
        finally:
            await other.dispose()
        async with db.sessions() as session:
            drafts = (
                await session.execute(
                    select(OutreachDraft.customer_id).where(
                        OutreachDraft.intent.in_(sorted(PROMOTIONAL)), OutreachDraft.status == "draft"
                    )
                )
            ).all()
            statuses = Counter((await session.scalars(select(RuleFiring.status))).all())
        per_customer = Counter(c for (c,) in drafts)
        assert len(per_customer) == CUSTOMERS  # everyone got one
        assert max(per_customer.values()) == 1, "two promotional drafts for one customer within the cap"
        # every firing counted: one draft per customer, the other rules' firings held back by the cap
        assert sum(a.fired.values()) + sum(b.fired.values()) == 3 * CUSTOMERS
        assert a.drafts + b.drafts == CUSTOMERS and a.capped + b.capped == 2 * CUSTOMERS
        assert statuses == {"done": CUSTOMERS, "capped": 2 * CUSTOMERS}
        assert not a.problems and not b.problems
        async with db.sessions() as session:  # the next round starts afresh
            await session.execute(delete(RuleFiring))
            await session.execute(delete(OutreachDraft))
            await session.commit()


async def _try_lock(db: Database, session: Any, workspace_id: int, customer_id: int) -> None:
    """Take the customer's draft lock without waiting for it (an error if another transaction holds it)."""
    if db.url.startswith("postgresql"):  # type: ignore[attr-defined]
        await session.execute(text("SET LOCAL lock_timeout = '1ms'"))
    else:
        await (await session.connection()).exec_driver_sql("PRAGMA busy_timeout=0")
    await repo.lock_customer_drafts(session, workspace_id, customer_id)


async def test_the_cap_check_holds_the_customer_lock_until_the_draft_is_written(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    async with db.sessions() as session:
        customer_id = int(await session.scalar(select(Customer.id).order_by(Customer.id).limit(1)) or 0)
    since = NOW.replace(year=2025)
    other = Database(create_engine(db.url))  # type: ignore[attr-defined]
    other.url = db.url  # type: ignore[attr-defined]
    try:
        async with db.sessions() as first:
            await _cap_guard(workspace_id, customer_id, since)(first)  # locked, nothing drafted yet
            async with other.sessions() as second:
                with pytest.raises(DBAPIError):  # a second process cannot check the cap meanwhile
                    await _try_lock(other, second, workspace_id, customer_id)
                await second.rollback()
            await first.rollback()
        # once the first transaction wrote its draft, the second sees it under the lock: capped
        draft = await draft_for_customer(
            db,
            workspace_id,
            customer_id,
            intent="welcome",
            settings=SETTINGS,
            as_of=NOW,
            guard=_cap_guard(workspace_id, customer_id, since),
        )
        assert draft.status == "draft"
        with pytest.raises(_Capped):
            await draft_for_customer(
                other,
                workspace_id,
                customer_id,
                intent="winback",
                settings=SETTINGS,
                as_of=NOW,
                guard=_cap_guard(workspace_id, customer_id, since),
            )
    finally:
        await other.dispose()
    assert await count(db, OutreachDraft) == 1


# ------------------------------------------------------------------ remind: a team member who exists


async def add_member(db: Database, workspace_id: int, user_id: int, name: str, role: str = "agent") -> None:
    async with db.sessions() as session:
        await TeamRepository(session).add_member(workspace_id, user_id, role=role, name=name)
        await session.commit()


async def test_a_remind_naming_nobody_on_the_team_is_refused_when_saved(
    db: Database, workspace_id: int
) -> None:
    await add_member(db, workspace_id, 501, "Mei", role="owner")
    await add_member(db, workspace_id, 502, "Raj")
    rule = {"trigger": "first_order", "actions": [{"remind": "nobody", "text": "call them"}]}
    with pytest.raises(RuleError) as err:
        await save_rule(db, workspace_id, "rem", rule, at=NOW)
    reason = str(err.value)
    assert "no team member 'nobody'" in reason and "Mei" in reason and "Raj" in reason and "\n" not in reason
    assert await list_rules(db, workspace_id, cfg(), NOW) == []
    with pytest.raises(RuleError, match="no team member 'nobody'"):  # the check chat runs before it saves
        await check_words(db, workspace_id, "rem", rule)
    # by name, role or Telegram id: accepted
    for i, who in enumerate(("Raj", "owner", "502")):
        await save_rule(
            db, workspace_id, f"ok{i}", {**rule, "actions": [{"remind": who, "text": "x"}]}, at=NOW
        )
    # the same from config.yaml: refused with the reason, the others kept
    problems = await sync_config_rules(
        db, workspace_id, cfg(rules=[{"name": "from-file", **rule, "enabled": True}]), NOW
    )
    assert len(problems) == 1 and "no team member 'nobody'" in problems[0]
    assert {r.rule.name for r in await list_rules(db, workspace_id, cfg(), NOW)} == {"ok0", "ok1", "ok2"}


async def test_a_firing_whose_team_member_left_is_recorded_failed_not_done(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    await add_member(db, workspace_id, 502, "Raj")
    await add_on(
        db,
        workspace_id,
        "rem",
        {"trigger": "first_order", "actions": [{"tag": "first"}, {"remind": "Raj", "text": "call them"}]},
    )
    async with db.sessions() as session:  # Raj leaves the team after the rule was saved
        await TeamRepository(session).deactivate(workspace_id, 502)
        await session.commit()
    done = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
    assert done.fired["rem"] == 2
    assert len(done.problems) == 2 and all("no team member 'Raj'" in p for p in done.problems)
    async with db.sessions() as session:
        statuses = (await session.scalars(select(RuleFiring.status))).all()
    assert statuses == ["failed", "failed"]  # not "done" without the reminder
    assert await count(db, Reminder) == 0
    assert await count(db, CustomerTag) == 0  # nothing of the step was done


# ------------------------------------------------------------------ who ran the rules


@pytest.mark.parametrize("actor", ["cli", "scheduler"])
async def test_the_audit_trail_names_who_ran_the_rules(
    db: Database, workspace_id: int, tmp_path: Path, actor: str
) -> None:
    await load(db, workspace_id, tmp_path)
    await add_on(db, workspace_id, "first", {"trigger": "first_order", "actions": [{"tag": "first"}]})
    await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW, actor=actor)
    async with db.sessions() as session:
        ran = (await session.scalars(select(AuditEvent.actor).where(AuditEvent.action == "ran"))).all()
    assert ran == [actor]


def test_the_command_line_refuses_an_unknown_member_and_its_run_is_audited_as_cli(
    sqlite_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def cli(*args: str, db: str) -> Ran:  # the entry point (bot.cli.main), in this process
        return run_command(monkeypatch, capsys, *args, db=db)

    shutil.copy(sqlite_template, tmp_path / "t.db")
    url = f"sqlite+aiosqlite:///{tmp_path / 't.db'}"
    day = (datetime.now(UTC) - timedelta(days=3)).strftime("%Y-%m-%d 10:00:00 +0000")
    orders = [("#1", "Ann Lee", "ann@example.com", "20.00", day, "paid")]
    assert cli("import", str(shopify_csv(tmp_path / "o.csv", orders)), db=url).returncode == 0
    refused = cli("rules", "add", "rem", "--when", "first_order", "--remind", "nobody", db=url)
    assert refused.returncode != 0
    assert "no team member 'nobody'" in refused.stderr + refused.stdout and "Traceback" not in refused.stderr
    assert cli("rules", "add", "first", "--when", "first_order", "--tag", "new", db=url).returncode == 0
    assert cli("rules", "enable", "first", db=url).returncode == 0
    ran = cli("rules", "run", db=url)
    assert ran.returncode == 0 and "first 1" in ran.stdout, ran.stdout + ran.stderr
    with sqlite3.connect(tmp_path / "t.db") as con:
        actors = [r[0] for r in con.execute("SELECT actor FROM audit_events WHERE action = 'ran'")]
    assert actors == ["cli"]
