"""Tag repository: rule tags kept in step with their rule's selection (manual tags left alone)."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CustomerTag, Tag
from storage.repositories.imports import bulk_insert


async def sync_rule_tag(
    session: AsyncSession, workspace_id: int, name: str, rule: str, customers: set[int]
) -> tuple[int, int]:
    """Make the rule-sourced holders of tag `name` exactly `customers`; returns (added, removed)."""
    tag = (
        await session.execute(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == name))
    ).scalar()
    if tag is None:
        tag = Tag(workspace_id=workspace_id, name=name, rule=rule)
        session.add(tag)
        await session.flush()
    else:
        tag.rule = rule
    rows = await session.execute(
        select(CustomerTag.customer_id, CustomerTag.source).where(CustomerTag.tag_id == tag.id)
    )
    holders = {customer_id: source for customer_id, source in rows}  # noqa: C416 - a Result is not a mapping
    add = sorted(c for c in customers if c not in holders)
    remove = sorted(c for c, source in holders.items() if source == "rule" and c not in customers)
    await bulk_insert(
        session,
        CustomerTag.__table__,
        ("customer_id", "tag_id", "source"),
        [(c, tag.id, "rule") for c in add],
    )
    for i in range(0, len(remove), 500):
        await session.execute(
            delete(CustomerTag).where(
                CustomerTag.tag_id == tag.id, CustomerTag.customer_id.in_(remove[i : i + 500])
            )
        )
    return len(add), len(remove)
