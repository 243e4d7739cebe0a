"""Replacing and deleting retention rules (issue 24): a replaced rule keeps its name and its firings and is left
off; a deleted rule's pending steps stop as when it is disabled, and a rule saved again under its name does not
fire again for the events it already fired for; the command line refuses to overwrite a rule silently."""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crm.automation.engine import (
    RuleExists,
    delete_rule,
    dry_run,
    evaluate,
    list_rules,
    replace_rule,
    save_rule,
    set_enabled,
    spec_of,
)
from crm.automation.rules import RuleError
from storage.db import Database
from storage.models import AutomationRule, LoyaltyEntry, OutreachDraft, RuleFiring
from storage.repositories import audit
from tests.cli_runner import run_cli
from tests.test_automation import LIFECYCLE, NOW, SETTINGS, TZ, add_on, cfg, count, load

WELCOME = {"trigger": "first_order", "actions": [{"draft": "welcome"}]}


async def drafts(db: Database) -> list[str]:
    async with db.sessions() as session:
        return sorted((await session.scalars(select(OutreachDraft.status))).all())


async def test_deleting_a_rule_stops_its_drafts_and_saving_it_again_does_not_fire_old_events(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    await add_on(db, workspace_id, "welcome", WELCOME)
    done = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
    assert done.fired == {"welcome": 2} and await drafts(db) == ["draft", "draft"]

    rule, stopped = await delete_rule(db, workspace_id, "welcome", at=NOW, actor="telegram")
    assert stopped == (2, 0, 0) and await drafts(db) == ["refused", "refused"]
    assert await list_rules(db, workspace_id, cfg(), NOW) == []
    with pytest.raises(RuleError, match="no rule called 'welcome'"):
        await set_enabled(db, workspace_id, "welcome", True)
    with pytest.raises(RuleError, match="no rule called 'welcome'"):
        await delete_rule(db, workspace_id, "welcome", at=NOW)
    async with db.sessions() as session:
        deleted = await audit.recent(session, workspace_id, action="deleted")
    assert [(e.subject, e.detail["name"], e.detail["drafts_stopped"]) for e in deleted] == [  # type: ignore[index]
        (f"rule:{rule.id}", "welcome", 2)
    ]
    again = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
    assert again.fired == {}  # a deleted rule does not run

    # saved again under the name (no --replace needed: nothing is there), it takes the old row and firings back
    await save_rule(db, workspace_id, "welcome", WELCOME, at=NOW)
    rows = await list_rules(db, workspace_id, cfg(), NOW)
    assert [(r.rule.name, r.rule.id, r.rule.enabled) for r in rows] == [("welcome", rule.id, False)]
    assert (await dry_run(db, workspace_id, spec_of(rows[0].rule), NOW, TZ, 30, LIFECYCLE)).count == 0
    await set_enabled(db, workspace_id, "welcome", True)
    later = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
    assert later.fired == {"welcome": 0} and await count(db, RuleFiring) == 2
    assert await drafts(db) == ["refused", "refused"]
    # the same events are still there for any other rule: a new name fires for them
    await add_on(db, workspace_id, "hello", WELCOME)
    other = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW, only="hello")
    assert other.fired == {"hello": 2}


async def test_replacing_a_rule_is_asked_for_keeps_its_name_and_firings_and_leaves_it_off(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await load(db, workspace_id, tmp_path)
    steps = {"trigger": "repeat_order", "actions": [{"wait": 5}, {"points": 9}]}
    await add_on(db, workspace_id, "later", steps)
    done = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)
    assert done.fired == {"later": 1}  # Bob; his points wait five days
    with pytest.raises(RuleExists, match="rule 'later' exists already"):
        await save_rule(
            db, workspace_id, "later", {"trigger": "repeat_order", "actions": [{"tag": "x"}]}, at=NOW
        )

    new = {"trigger": "repeat_order", "actions": [{"wait": 5}, {"points": 50}]}
    rule, stopped = await replace_rule(db, workspace_id, "later", new, at=NOW, actor="telegram")
    assert stopped == (0, 0, 1) and not rule.enabled and rule.spec["actions"][1] == {"points": 50}
    rows = await list_rules(db, workspace_id, cfg(), NOW)
    assert [(r.rule.name, r.rule.id) for r in rows] == [("later", rule.id)]
    assert (
        await dry_run(db, workspace_id, spec_of(rule), NOW, TZ, 30, LIFECYCLE)
    ).count == 0  # Bob's event is done
    await set_enabled(db, workspace_id, "later", True)
    due = await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW + timedelta(days=6))
    assert due.fired == {"later": 0}
    async with db.sessions() as session:
        assert (
            await session.scalars(select(LoyaltyEntry.points).where(LoyaltyEntry.points.in_([9, 50])))
        ).all() == []
        changed = await audit.recent(session, workspace_id, action="changed", limit=50)
    assert any(e.detail and e.detail.get("replaced") and e.detail["waiting_stopped"] == 1 for e in changed)


async def test_a_rule_from_config_yaml_is_neither_replaced_nor_deleted_in_chat(
    db: Database, workspace_id: int
) -> None:
    conf = cfg(rules=[{"name": "cfg", "trigger": "first_order", "actions": [{"tag": "x"}]}])
    await list_rules(db, workspace_id, conf, NOW)
    with pytest.raises(RuleError, match=r"comes from config\.yaml; remove it there"):
        await delete_rule(db, workspace_id, "cfg", at=NOW)
    with pytest.raises(RuleError, match=r"comes from config\.yaml; change it there"):
        await replace_rule(db, workspace_id, "cfg", WELCOME, at=NOW)
    async with db.sessions() as session:
        stored = (await session.scalars(select(AutomationRule))).all()
    assert [(r.name, r.source) for r in stored] == [("cfg", "config")]


def _run(monkeypatch: pytest.MonkeyPatch, db_url: str, *args: str, stdin: str | None = None) -> Any:
    return run_cli(monkeypatch, db_url, *args, stdin=stdin)


async def test_the_command_line_replaces_only_when_asked_and_deletes_after_asking(
    db: Database, workspace_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = db.url  # type: ignore[attr-defined]
    await load(db, workspace_id, tmp_path)
    await add_on(db, workspace_id, "welcome", WELCOME)
    await evaluate(db, workspace_id, cfg=cfg(), settings=SETTINGS, as_of=NOW)

    def cli(*args: str, stdin: str | None = None) -> Any:
        return asyncio.to_thread(_run, monkeypatch, url, *args, stdin=stdin)

    refused = await cli("rules", "add", "welcome", "--when", "first_order", "--tag", "new")
    assert refused.exit_code == 2
    assert "a rule called 'welcome' exists already; give --replace" in refused.stderr
    assert (
        "Traceback" not in refused.stdout + refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    )
    rows = await list_rules(db, workspace_id, cfg(), NOW)
    assert rows[0].rule.enabled and rows[0].rule.spec == WELCOME | {"actions": [{"draft": "welcome"}]}

    replaced = await cli("rules", "add", "welcome", "--when", "first_order", "--tag", "new", "--replace")
    assert replaced.exit_code == 0, replaced.stdout + replaced.stderr
    assert "replaced the rule of that name and is off until enabled again" in replaced.stdout
    assert "stopped 2 waiting drafts" in replaced.stdout
    rows = await list_rules(db, workspace_id, cfg(), NOW)
    assert not rows[0].rule.enabled and rows[0].rule.spec["actions"] == [{"tag": "new"}]

    kept = await cli("rules", "delete", "welcome", stdin="n\n")
    assert kept.exit_code == 1 and "nothing deleted" in kept.stdout
    assert len(await list_rules(db, workspace_id, cfg(), NOW)) == 1
    asked = await cli("rules", "delete", "welcome", stdin="y\n")
    assert asked.exit_code == 0 and "rule welcome deleted" in asked.stdout
    assert await list_rules(db, workspace_id, cfg(), NOW) == []
    missing = await cli("rules", "delete", "welcome", "--yes")
    assert missing.exit_code == 2 and "no rule called 'welcome'" in missing.stderr
    assert "Traceback" not in missing.stdout + missing.stderr
    await save_rule(db, workspace_id, "other", WELCOME, at=NOW)
    gone = await cli("rules", "delete", "other", "--yes")
    assert gone.exit_code == 0 and "rule other deleted; stopped 0 waiting drafts" in gone.stdout
