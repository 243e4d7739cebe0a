"""Data rights (PDPA / GDPR) and the audit trail: export everything held about one customer, erase a customer
on request, and record who did what. The bot and the command line both call these; only owners may."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from crm.spreadsheet import csv_bytes
from storage.db import Database
from storage.repositories import audit
from storage.repositories.customer_data import Erasure, customer_record, erase_customer
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


async def export_customer(
    db: Database, workspace_id: int, customer_id: int, actor: Actor
) -> CustomerExport | None:
    """Everything held about one customer as JSON (tables of rows) and CSV (one line per field: table, row,
    field, value); None when there is no such customer. The export itself is recorded in the audit trail."""
    async with db.sessions() as session:
        record = await customer_record(session, workspace_id, customer_id)
        if record is None:
            return None
        rows = sum(len(v) for v in record.values())
        await audit.record(
            session,
            workspace_id,
            "exported",
            actor=actor.kind,
            member_id=actor.member_id,
            subject=f"customer:{customer_id}",
            detail={"rows": rows},
        )
        await session.commit()
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
