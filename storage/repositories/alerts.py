"""Alerts repository: alert history (for cool-downs), where alerts go, and customers' last interaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, union_all, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AlertRecord, Customer, GroupChat, Interaction, Order, TeamMember

# docs/metrics.md: days since last interaction count orders, messages, reviews, returns and outreach sent.
# Seller's own notes are not contact with the customer, so they do not count.
CONTACT_KINDS = ("chat", "review", "nps", "complaint", "return", "outreach")
GROUP_FLAGS = ("alerts_enabled", "weekly_digest", "monthly_review")


async def record_alert(
    session: AsyncSession,
    *,
    workspace_id: int,
    kind: str,
    subject: str,
    sent_at: datetime,
    group_chat_id: int | None = None,
    customer_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AlertRecord:
    record = AlertRecord(
        workspace_id=workspace_id,
        group_chat_id=group_chat_id,
        kind=kind,
        subject=subject[:128],
        customer_id=customer_id,
        detail=detail,
        sent_at=sent_at,
    )
    session.add(record)
    await session.flush()
    return record


async def alerted_since(
    session: AsyncSession,
    workspace_id: int,
    kind: str,
    since: datetime,
    subjects: Iterable[str] | None = None,
    *,
    until: datetime | None = None,
) -> set[str]:
    """Subjects of `kind` alerted at or after `since` (inside the cool-down), and before `until` if given."""
    stmt = (
        select(AlertRecord.subject)
        .where(
            AlertRecord.workspace_id == workspace_id, AlertRecord.kind == kind, AlertRecord.sent_at >= since
        )
        .distinct()
    )
    if until is not None:
        stmt = stmt.where(AlertRecord.sent_at < until)
    wanted = set(subjects) if subjects is not None else None
    found = {str(s) for s in (await session.execute(stmt)).scalars()}
    return found & wanted if wanted is not None else found


async def alert_history(
    session: AsyncSession, workspace_id: int, *, kind: str | None = None, limit: int = 50
) -> Sequence[AlertRecord]:
    stmt = select(AlertRecord).where(AlertRecord.workspace_id == workspace_id)
    if kind is not None:
        stmt = stmt.where(AlertRecord.kind == kind)
    return (
        (await session.execute(stmt.order_by(AlertRecord.sent_at.desc(), AlertRecord.id.desc()).limit(limit)))
        .scalars()
        .all()
    )


async def groups_with(session: AsyncSession, workspace_id: int, flag: str) -> Sequence[GroupChat]:
    """Bound groups with one of the GROUP_FLAGS switched on."""
    if flag not in GROUP_FLAGS:
        raise ValueError(f"unknown group flag {flag!r}")
    return (
        (
            await session.execute(
                select(GroupChat)
                .where(GroupChat.workspace_id == workspace_id, getattr(GroupChat, flag).is_(True))
                .order_by(GroupChat.id)
            )
        )
        .scalars()
        .all()
    )


async def group_by_chat(session: AsyncSession, chat_id: int) -> GroupChat | None:
    return (
        await session.execute(
            select(GroupChat).where(GroupChat.chat_id == chat_id).execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def set_group_flag(session: AsyncSession, chat_id: int, flag: str, value: bool) -> GroupChat | None:
    if flag not in GROUP_FLAGS:
        raise ValueError(f"unknown group flag {flag!r}")
    await session.execute(update(GroupChat).where(GroupChat.chat_id == chat_id).values({flag: value}))
    return await group_by_chat(session, chat_id)


async def move_group(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> None:
    """A group upgraded to a supergroup gets a new chat id; alerts follow it."""
    await session.execute(
        update(GroupChat).where(GroupChat.chat_id == old_chat_id).values(chat_id=new_chat_id)
    )


async def owners(session: AsyncSession, workspace_id: int) -> Sequence[TeamMember]:
    """Active owners: where alerts go when no group is bound."""
    return (
        (
            await session.execute(
                select(TeamMember)
                .where(
                    TeamMember.workspace_id == workspace_id,
                    TeamMember.role == "owner",
                    TeamMember.active.is_(True),
                )
                .order_by(TeamMember.id)
            )
        )
        .scalars()
        .all()
    )


async def last_interactions(session: AsyncSession, workspace_id: int) -> dict[int, datetime]:
    """Per live customer, the time of the latest order (any status) or contact interaction."""
    contacts = union_all(
        select(Order.customer_id.label("cid"), func.max(Order.created_at).label("at"))
        .where(Order.workspace_id == workspace_id, Order.customer_id.is_not(None))
        .group_by(Order.customer_id),
        select(Interaction.customer_id.label("cid"), func.max(Interaction.occurred_at).label("at"))
        .where(Interaction.workspace_id == workspace_id, Interaction.kind.in_(CONTACT_KINDS))
        .group_by(Interaction.customer_id),
    ).subquery()
    rows = (
        await session.execute(
            select(contacts.c.cid, func.max(contacts.c.at))
            .join(Customer, Customer.id == contacts.c.cid)
            .where(Customer.merged_into_id.is_(None))
            .group_by(contacts.c.cid)
        )
    ).all()
    return {int(cid): _as_utc(at) for cid, at in rows if at is not None}


def _as_utc(value: datetime | str) -> datetime:
    if isinstance(value, str):  # SQLite hands MAX() over a union back as text
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def newest_order_at(session: AsyncSession, workspace_id: int) -> datetime | None:
    """When the newest order of any status was placed: how fresh the imported data is."""
    at = (
        await session.execute(select(func.max(Order.created_at)).where(Order.workspace_id == workspace_id))
    ).scalar_one_or_none()
    return _as_utc(at) if at is not None else None


async def customer_names(session: AsyncSession, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = (
        await session.execute(select(Customer.id, Customer.display_name).where(Customer.id.in_(list(ids))))
    ).all()
    return {int(i): (n or f"#{i}") for i, n in rows}


async def delivered_chats(session: AsyncSession, workspace_id: int, kind: str, subject: str) -> set[int]:
    """Chats that already received this alert (digests are sent once per period and chat)."""
    details = (
        await session.execute(
            select(AlertRecord.detail).where(
                AlertRecord.workspace_id == workspace_id,
                AlertRecord.kind == kind,
                AlertRecord.subject == subject,
            )
        )
    ).scalars()
    return {int(d["chat_id"]) for d in details if isinstance(d, dict) and d.get("chat_id") is not None}
