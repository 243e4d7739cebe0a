"""Data rights (PDPA / GDPR) and the audit trail: export everything held about one customer, erase a customer
on request, and record who did what. The bot and the command line both call these; only owners may."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from crm.spreadsheet import csv_bytes
from crm.text import render
from storage.db import Database
from storage.repositories import audit
from storage.repositories.customer_data import (
    ERASURE_SOURCE,
    Erasure,
    consent_history,
    customer_record,
    erase_customer,
)
from storage.repositories.team import TeamRepository

# What the audit trail records (storage.models.AuditEvent.action).
ACTIONS = (
    "viewed",  # a customer card was opened
    "exported",  # a customer's data was exported
    "erased",  # a customer was erased
    "changed",  # a tag, note or setting changed
    "merged",  # customers merged or split
    "approved",  # an outreach draft approved
    "imported",  # an export file imported
    "ran",  # a command or scheduled job that changes data
    "redeemed",  # loyalty points redeemed for a customer
    "adjusted",  # loyalty points adjusted by hand
)


@dataclass(frozen=True)
class Actor:
    """Who acts: "telegram" with the team member's id (or their Telegram user id, looked up when recorded),
    "cli", or "scheduler"."""

    kind: str
    member_id: int | None = None
    telegram_user_id: int | None = None


CLI = Actor("cli")


@dataclass(frozen=True)
class CustomerExport:
    customer_id: int
    json: bytes
    csv: bytes
    rows: int  # rows over all tables

    @property
    def json_name(self) -> str:
        return f"customer-{self.customer_id}.json"

    @property
    def csv_name(self) -> str:
        return f"customer-{self.customer_id}.csv"


async def export_customer(db: Database, workspace_id: int, customer_id: int) -> CustomerExport | None:
    """Everything held about one customer as JSON (tables of rows) and CSV (one line per field: table, row,
    field, value); None when there is no such customer. Nothing is recorded yet: the caller delivers the files
    and then calls `record_export`, so the audit trail never says "exported" when nothing was."""
    async with db.sessions() as session:
        record = await customer_record(session, workspace_id, customer_id)
        if record is None:
            return None
    rows = sum(len(v) for v in record.values())
    body = {"customer_id": customer_id, "tables": record}
    lines: list[list[Any]] = []
    for table, table_rows in record.items():
        for i, row in enumerate(table_rows, start=1):
            for key, value in row.items():
                shown = json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value
                lines.append([table, i, key, "" if shown is None else shown])
    return CustomerExport(
        customer_id=customer_id,
        json=json.dumps(body, ensure_ascii=False, indent=1, default=str).encode(),
        csv=csv_bytes(["table", "row", "field", "value"], lines),
        rows=rows,
    )


async def record_export(db: Database, workspace_id: int, export: CustomerExport, actor: Actor) -> None:
    """Record a delivered export in the audit trail (after its files were written or sent)."""
    await record_act(
        db,
        workspace_id,
        "exported",
        actor,
        subject=f"customer:{export.customer_id}",
        detail={"rows": export.rows},
    )


async def erase(db: Database, workspace_id: int, customer_id: int, actor: Actor) -> Erasure | None:
    """Erase one customer (anonymise: their figures stay, nothing names or reaches them): the rows cleared
    and mentions removed per table, or None when there is no such customer. Recorded in the audit trail by id
    and counts only."""
    async with db.sessions() as session:
        report = await erase_customer(session, workspace_id, customer_id)
        if report is None:
            return None
        await audit.record(
            session,
            workspace_id,
            "erased",
            actor=actor.kind,
            member_id=actor.member_id,
            subject=f"customer:{customer_id}",
            detail={"records": report.customer_ids, "cleared": report.cleared, "mentions": report.mentions},
        )
        await session.commit()
    return report


async def record_act(
    db: Database,
    workspace_id: int,
    action: str,
    actor: Actor,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record one act in the audit trail in its own transaction (for acts whose code commits elsewhere); an
    actor known by their Telegram user id is recorded as the team member they are."""
    async with db.sessions() as session:
        member_id = actor.member_id
        if member_id is None and actor.telegram_user_id is not None:
            member = await TeamRepository(session).member(workspace_id, actor.telegram_user_id)
            member_id = member.id if member is not None else None
        await audit.record(
            session,
            workspace_id,
            action,
            actor=actor.kind,
            member_id=member_id,
            subject=subject,
            detail=detail,
        )
        await session.commit()


def import_counts(report: Any) -> dict[str, Any]:
    """What the audit trail keeps of an import (crm.importing.service.ImportReport): counts, no file content."""
    return {
        "kind": report.kind,
        "rows": report.rows,
        "orders_new": report.orders_new,
        "orders_updated": report.orders_updated,
        "customers_new": report.customers_new,
        "customers_merged": report.customers_merged,
        "rejected": len(report.rejected),
        "erased_rows_skipped": getattr(report, "erased_rows", 0),
    }


# The consent records a card shows (newest first); older ones are counted ("…and 3 earlier").
CONSENT_LINES = 5
CONSENT_SOURCES = (
    ERASURE_SOURCE,
)  # sources with a text of their own; an import's source is its platform's name
CONSENT_PURPOSES = ("marketing",)


async def consent_lines(
    session: Any, workspace_id: int, customer_id: int, language: str, tz: str, limit: int = CONSENT_LINES
) -> list[str]:
    """The customer's consent history as plain lines for a card (a heading, one line per record: date, purpose,
    granted or withdrawn, channel, source), newest first; no lines when nothing was ever recorded."""
    entries, total = await consent_history(session, workspace_id, customer_id, limit)
    if not entries:
        return []
    zone = ZoneInfo(tz)

    def known(kind: str, value: str | None, texts: tuple[str, ...]) -> str:
        if value is None or not value.strip():
            return "—"
        return render(language, f"answer.consent_{kind}_{value}") if value in texts else value[:40]

    lines = [render(language, "answer.consent_history")]
    for e in entries:
        lines.append(
            render(
                language,
                "answer.consent_row",
                date=e.recorded_at.astimezone(zone).date().isoformat(),
                purpose=known("purpose", e.purpose, CONSENT_PURPOSES),
                state=render(language, "answer.consent_granted" if e.granted else "answer.consent_withdrawn"),
                channel=(e.channel or "—")[:32],
                source=known("source", e.source, CONSENT_SOURCES),
            )
        )
    if total > len(entries):
        lines.append(render(language, "answer.consent_more", n=total - len(entries)))
    return lines
