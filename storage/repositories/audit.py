"""Audit trail repository: one row per act (viewed, exported, changed, merged, erased, approved, ran), written in
the caller's transaction so an act and its record commit or roll back together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent, TeamMember


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str  # "telegram", "cli", "scheduler"
    member: str | None  # the team member's name (or their Telegram id) when a member acted
    action: str
    subject: str | None
    detail: dict[str, Any] | None


async def record(
    session: AsyncSession,
    workspace_id: int,
    action: str,
    *,
    actor: str,
    member_id: int | None = None,
    subject: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Add one audit event to the session (the caller commits). `detail` holds ids and counts, never a
    customer's personal data."""
    session.add(
        AuditEvent(
            workspace_id=workspace_id,
            member_id=member_id,
            actor=actor[:64],
            action=action[:32],
            subject=subject[:128] if subject else None,
            detail=detail,
            at=datetime.now(UTC),
        )
    )


async def recent(
    session: AsyncSession, workspace_id: int, *, limit: int = 20, action: str | None = None
) -> list[AuditEntry]:
    """The newest events first, with the acting member's name."""
    stmt = (
        select(AuditEvent, TeamMember.name, TeamMember.telegram_user_id)
        .outerjoin(TeamMember, TeamMember.id == AuditEvent.member_id)
        .where(AuditEvent.workspace_id == workspace_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    if action is not None:
        stmt = stmt.where(AuditEvent.action == action)
    out = []
    for event, name, telegram_id in (await session.execute(stmt)).all():
        member = name or (str(telegram_id) if telegram_id is not None else None)
        out.append(AuditEntry(event.at, event.actor, member, event.action, event.subject, event.detail))
    return out
