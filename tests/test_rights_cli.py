"""The command line's data-rights, audit and points commands: one clear line for bad input (never a traceback),
the audit trail written only for what happened, and the points reason given the same way to both commands."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.db import Database, create_engine
from storage.models import AuditEvent, ConsentRecord, Customer, LoyaltyEntry, Workspace
from tests.cli_runner import run_main

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def cli(
    tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:

    shutil.copy(sqlite_template, tmp_path / "shop.db")
    for name in [k for k in os.environ if k.startswith("SELLERMATE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    monkeypatch.setenv("SELLERMATE_TIMEZONE", "Asia/Singapore")
    monkeypatch.setenv("SELLERMATE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")

    def run(*args: str) -> tuple[int, str, str]:
        code, out, err = run_main(capsys, *args)
        assert "Traceback" not in err + out, err
        return code, out, err

    return run


def _db(tmp_path: Path) -> Database:
    return Database(create_engine(f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"))


def _seed(cli: Cli, tmp_path: Path) -> int:
    """The workspace (made by a first command) with one customer holding 100 points; their number."""
    assert cli("audit")[0] == 0

    async def go() -> int:
        db = _db(tmp_path)
        try:
            async with db.sessions() as s:
                ws = (await s.scalars(select(Workspace.id))).one()
                c = Customer(workspace_id=ws, display_name="Tan Wei Ling", country="SG")
                s.add(c)
                await s.flush()
                s.add(
                    LoyaltyEntry(workspace_id=ws, customer_id=c.id, points=100, reason="adjust", note="gift")
                )
                await s.commit()
                return c.id
        finally:
            await db.dispose()

    return asyncio.run(go())


def _events(tmp_path: Path) -> list[tuple[str, str | None, str]]:
    async def go() -> list[tuple[str, str | None, str]]:
        db = _db(tmp_path)
        try:
            async with db.sessions() as s:
                rows = await s.execute(
                    select(AuditEvent.action, AuditEvent.subject, AuditEvent.actor).order_by(AuditEvent.id)
                )
                return [tuple(r) for r in rows.all()]  # type: ignore[misc]
        finally:
            await db.dispose()

    return asyncio.run(go())


def _notes(tmp_path: Path) -> list[tuple[int, str | None]]:
    async def go() -> list[tuple[int, str | None]]:
        db = _db(tmp_path)
        try:
            async with db.sessions() as s:
                rows = await s.execute(
                    select(LoyaltyEntry.points, LoyaltyEntry.note).order_by(LoyaltyEntry.id)
                )
                return [tuple(r) for r in rows.all()]  # type: ignore[misc]
        finally:
            await db.dispose()

    return asyncio.run(go())


def test_export_to_a_bad_folder_is_one_line_and_not_recorded_as_exported(cli: Cli, tmp_path: Path) -> None:
    cid = _seed(cli, tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    code, _, err = cli("customers", "export", str(cid), "--out", str(blocker / "x"))
    assert code == 2 and err.count("error:") == 1 and "--out" in err and "a-file" in err, err
    assert [e for e in _events(tmp_path) if e[0] == "exported"] == []  # nothing was written

    code, _out, err = cli("customers", "export", str(cid), "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert (tmp_path / "out" / f"customer-{cid}.json").exists()
    assert ("exported", f"customer:{cid}", "cli") in _events(tmp_path)


def test_a_cli_card_view_is_audited_and_the_export_holds_the_audit_events(cli: Cli, tmp_path: Path) -> None:
    cid = _seed(cli, tmp_path)
    code, out, err = cli("customer", f"#{cid}")
    assert code == 0 and "Tan Wei Ling" in out, err
    assert ("viewed", f"customer:{cid}", "cli") in _events(tmp_path)
    code, _, err = cli("customers", "export", str(cid), "--out", str(tmp_path))
    assert code == 0, err
    tables = json.loads((tmp_path / f"customer-{cid}.json").read_text())["tables"]
    assert [(e["action"], e["actor"]) for e in tables["audit_events"]] == [("viewed", "cli")]
    assert tables["rule_firings"] == []


def test_the_audit_list_refuses_an_unknown_action_and_a_bad_limit(cli: Cli, tmp_path: Path) -> None:
    _seed(cli, tmp_path)
    code, out, err = cli("audit", "--action", "bogus")
    assert code == 2 and err.count("error:") == 1 and "'bogus'" in err, err
    assert "viewed" in err and "exported" in err and "erased" in err  # the known kinds are listed
    assert "no audit events yet" not in out
    for bad in ("-1", "0"):
        code, _, err = cli("audit", "--limit", bad)
        assert code == 2 and err.count("error:") == 1 and "--limit" in err, err
    code, out, err = cli("audit", "--action", "erased")
    assert code == 0 and "no audit events yet" in out, err


@pytest.mark.parametrize(
    "args,note",
    [
        (("adjust", "50", "--reason", "goodwill"), "goodwill"),
        (("adjust", "50", "goodwill", "correction"), "goodwill correction"),
        (("adjust", "--reason", "late parcel", "-50"), "late parcel"),
        (("adjust", "-50", "late", "parcel"), "late parcel"),
        (("redeem", "30", "--reason", "voucher"), "voucher"),
        (("redeem", "30", "voucher"), "voucher"),
    ],
)
def test_both_points_commands_take_the_reason_after_the_points_or_with_reason(
    cli: Cli, tmp_path: Path, args: tuple[str, ...], note: str
) -> None:
    cid = _seed(cli, tmp_path)
    kind, *rest = args
    code, _out, err = cli("points", kind, str(cid), *rest)
    assert code == 0, err
    points = int(next(a for a in rest if a.lstrip("-").isdigit()))
    assert _notes(tmp_path)[-1] == (-points if kind == "redeem" else points, note)


@pytest.mark.parametrize("kind", ["adjust", "redeem"])
def test_a_missing_reason_says_how_on_the_command_line(cli: Cli, tmp_path: Path, kind: str) -> None:
    cid = _seed(cli, tmp_path)
    for rest in ((), ("",), ("--reason", " ")):
        code, _, err = cli("points", kind, str(cid), "10", *rest)
        assert code == 2 and err.count("error:") == 1, err
        assert "<code>" not in err and "/redeem" not in err and f"sellermate points {kind}" in err, err
        assert "--reason" in err
    code, _, err = cli("points", kind, str(cid), "10", "--lang", "zh")
    assert code == 2 and "原因" in err, err
    code, _out, err = cli("points", kind, str(cid), "10", "twice", "--reason", "once")
    assert code == 2 and "once" in err and "twice" in err, err
    assert len(_notes(tmp_path)) == 1  # nothing changed


@pytest.mark.parametrize("points", ["999999999999", "-1000001"])
def test_too_many_rule_points_name_the_allowed_range(cli: Cli, tmp_path: Path, points: str) -> None:
    _seed(cli, tmp_path)
    code, _, err = cli("rules", "add", "t2", "--when", "first_order", "--points", points)
    assert code == 2 and err.count("error:") == 1, err
    assert "between -1000000 and 1000000" in err and "other than 0" not in err, err
    code, _, err = cli("rules", "add", "t3", "--when", "first_order", "--points", "0")
    assert code == 2 and "other than 0" in err, err


def _add(tmp_path: Path, *rows: object) -> None:
    async def go() -> None:
        db = _db(tmp_path)
        try:
            async with db.sessions() as s:
                s.add_all(rows)  # type: ignore[arg-type]
                await s.commit()
        finally:
            await db.dispose()

    asyncio.run(go())


def test_the_cli_card_lists_the_consent_history_newest_first(cli: Cli, tmp_path: Path) -> None:
    cid = _seed(cli, tmp_path)
    records = [
        ConsentRecord(
            workspace_id=1,
            customer_id=cid,
            purpose="marketing",
            granted=day != 2,
            channel="email",
            source="chat" if day == 2 else "shopify",
            recorded_at=datetime(2026, 11, day, 4, tzinfo=UTC),
        )
        for day in range(1, 9)
    ]
    _add(tmp_path, *records, Customer(workspace_id=1, display_name="黄美璇", country="SG"))
    code, out, err = cli("customer", f"#{cid}")
    assert code == 0, err
    lines = out.splitlines()
    at = lines.index("Consent history (newest first):")
    assert lines[at + 1] == "• 2026-11-08 · marketing · granted · channel email · source shopify"
    assert lines[at + 5] == "• 2026-11-04 · marketing · granted · channel email · source shopify"
    assert lines[at + 6] == "…and 3 earlier"
    code, out, err = cli("customer", f"#{cid}", "--json")
    assert code == 0 and json.loads(out)["intent"] == "customer", err  # the JSON stays JSON
    _add(
        tmp_path,
        ConsentRecord(
            workspace_id=1,
            customer_id=cid + 1,
            purpose="marketing",
            granted=False,
            channel="wechat",
            source="chat",
            recorded_at=datetime(2026, 11, 9, 4, tzinfo=UTC),
        ),
    )
    code, out, err = cli("customer", "黄美璇")  # asked in Chinese, answered in Chinese
    assert code == 0, err
    assert "许可记录（最新在前）：\n• 2026-11-09 · 营销 · 撤回 · 渠道 wechat · 来源 chat" in out, out


def test_a_card_shown_by_ask_is_audited_as_viewed(cli: Cli, tmp_path: Path) -> None:
    """`sellermate ask "who is Tan Wei Ling"` shows the same card as `sellermate customer`: recorded alike; a
    figure is not a view of anyone."""
    cid = _seed(cli, tmp_path)
    code, out, err = cli("ask", "who is Tan Wei Ling")
    assert code == 0 and "Tan Wei Ling" in out, err
    assert ("viewed", f"customer:{cid}", "cli") in _events(tmp_path)
    before = len(_events(tmp_path))
    code, _, err = cli("ask", "revenue last month")
    assert code == 0, err
    assert len(_events(tmp_path)) == before
