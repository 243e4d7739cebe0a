"""Outreach repository: the facts a draft is built from, consent, and the outreach_drafts log (the only SQL for them).

A draft row keeps its request (brief, festival, offer, parent draft, warnings) as JSON in `request`, so a
revision can be made from the same request; `reason` says why a refused draft was refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    BehaviourEvent,
    BuyerIdentity,
    ConsentRecord,
    Customer,
    Interaction,
    LoyaltyEntry,
    Order,
    OrderLine,
    OutreachDraft,
    Product,
)
from storage.statuses import VALID_ORDER_STATUSES

VALID = VALID_ORDER_STATUSES
_CHUNK = 500


@dataclass
class CustomerFacts:
    """A customer's history as a draft needs it. Contacts (e-mail, phone, address) are deliberately absent."""

    id: int
    display_name: str | None
    country: str | None
    language: str | None
    chat_language: str | None = None
    platform: str | None = None
    orders: int = 0
    last_order_at: datetime | None = None
    last_items: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    replenish_days: int | None = None
    cart_item: str | None = None
    complaint_item: str | None = None
    points: int = 0
    points_expiring: int = 0  # the next points to expire (crm/loyalty.py), and their day
    points_expire_on: date | None = None
    marketing_consent: bool | None = None  # latest marketing ConsentRecord; None when there is none
    platform_opt_out: bool = False  # every identity that says anything says no to marketing


async def customer_facts(
    session: AsyncSession, workspace_id: int, customer_id: int, as_of: datetime
) -> CustomerFacts | None:
    c = (
        await session.execute(
            select(
                Customer.id,
                Customer.display_name,
                Customer.country,
                Customer.language,
                Customer.merged_into_id,
            ).where(Customer.id == customer_id, Customer.workspace_id == workspace_id)
        )
    ).first()
    if c is None:
        return None
    facts = CustomerFacts(id=c.id, display_name=c.display_name, country=c.country, language=c.language)
    orders = (
        await session.execute(
            select(Order.id, Order.platform, Order.created_at, Order.country)
            .where(Order.customer_id == customer_id, Order.status.in_(VALID), Order.created_at < as_of)
            .order_by(Order.created_at.desc(), Order.id.desc())
        )
    ).all()
    facts.orders = len(orders)
    if orders:
        facts.platform, facts.last_order_at = orders[0].platform, orders[0].created_at
        facts.country = facts.country or next((o.country for o in orders if o.country), None)
        recent = [o.id for o in orders[:3]]
        lines = (
            await session.execute(
                select(
                    OrderLine.order_id,
                    OrderLine.product_name,
                    Product.name,
                    Product.category,
                    Product.replenish_days,
                )
                .outerjoin(Product, (Product.sku == OrderLine.sku) & (Product.workspace_id == workspace_id))
                .where(OrderLine.order_id.in_(recent))
                .order_by(OrderLine.order_id.desc(), OrderLine.line_no)
            )
        ).all()
        rank = {oid: i for i, oid in enumerate(recent)}
        for line in sorted(lines, key=lambda r: rank[r.order_id]):
            name = line.product_name or line[2]
            if name and name not in facts.last_items and len(facts.last_items) < 3:
                facts.last_items.append(name)
            if line.category and line.category not in facts.categories:
                facts.categories.append(line.category)
            if line.replenish_days and facts.replenish_days is None:
                facts.replenish_days = line.replenish_days
    facts.points = int(
        (
            await session.execute(
                select(func.coalesce(func.sum(LoyaltyEntry.points), 0)).where(
                    LoyaltyEntry.customer_id == customer_id
                )
            )
        ).scalar()
        or 0
    )
    consent = (
        await session.execute(
            select(ConsentRecord.granted)
            .where(ConsentRecord.customer_id == customer_id, ConsentRecord.purpose == "marketing")
            .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
            .limit(1)
        )
    ).scalar()
    facts.marketing_consent = consent
    flags = [
        r[0]
        for r in await session.execute(
            select(BuyerIdentity.accepts_marketing).where(
                BuyerIdentity.customer_id == customer_id, BuyerIdentity.accepts_marketing.is_not(None)
            )
        )
    ]
    facts.platform_opt_out = bool(flags) and not any(flags)
    if facts.platform is None:
        facts.platform = (
            await session.execute(
                select(BuyerIdentity.platform)
                .where(BuyerIdentity.customer_id == customer_id)
                .order_by(BuyerIdentity.id)
                .limit(1)
            )
        ).scalar()
    facts.chat_language = (
        await session.execute(
            select(Interaction.language)
            .where(
                Interaction.customer_id == customer_id,
                Interaction.language.is_not(None),
                Interaction.kind.in_(("chat", "review", "complaint")),
            )
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(1)
        )
    ).scalar()
    facts.cart_item = (
        await session.execute(
            select(BehaviourEvent.product_name)
            .where(
                BehaviourEvent.customer_id == customer_id,
                BehaviourEvent.kind.in_(("abandoned_cart", "add_to_cart")),
                BehaviourEvent.product_name.is_not(None),
                BehaviourEvent.occurred_at < as_of,
            )
            .order_by(BehaviourEvent.occurred_at.desc(), BehaviourEvent.id.desc())
            .limit(1)
        )
    ).scalar()
    complaint_order = (
        await session.execute(
            select(Interaction.order_id)
            .where(
                Interaction.customer_id == customer_id,
                # What a service-recovery message is about: a complaint, a return, or a low review (2 stars or
                # fewer) or NPS answer (6 or less) on an order (crm/scheduling/service_alerts.py).
                or_(
                    Interaction.kind.in_(("complaint", "return")),
                    and_(Interaction.kind == "review", Interaction.rating <= 2),
                    and_(Interaction.kind == "nps", Interaction.rating <= 6),
                ),
                Interaction.order_id.is_not(None),
            )
            .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
            .limit(1)
        )
    ).scalar()
    if complaint_order is not None:
        facts.complaint_item = (
            await session.execute(
                select(OrderLine.product_name)
                .where(OrderLine.order_id == complaint_order)
                .order_by(OrderLine.line_no)
                .limit(1)
            )
        ).scalar()
    return facts


@dataclass(frozen=True)
class Recipient:
    """One row of a segment's recipient list (no e-mail or phone: the seller joins those in their own tool)."""

    id: int
    display_name: str | None
    country: str | None
    language: str | None
    platform: str | None
    username: str | None
    last_item: str | None
    points: int
    marketing_consent: bool | None
    platform_opt_out: bool


async def recipients(
    session: AsyncSession, workspace_id: int, customer_ids: Sequence[int], as_of: datetime
) -> list[Recipient]:
    """Recipient facts for many customers at once, in chunks (set-based, a few queries per 500 customers)."""
    out: list[Recipient] = []
    ids = sorted(int(i) for i in customer_ids)
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        base = {
            r.id: r
            for r in await session.execute(
                select(Customer.id, Customer.display_name, Customer.country, Customer.language).where(
                    Customer.workspace_id == workspace_id, Customer.id.in_(chunk)
                )
            )
        }
        latest: dict[int, tuple[int, str, str | None]] = {}
        for order in await session.execute(
            select(Order.customer_id, Order.id, Order.platform, Order.country)
            .where(Order.customer_id.in_(chunk), Order.status.in_(VALID), Order.created_at < as_of)
            .order_by(Order.customer_id, Order.created_at, Order.id)
        ):
            latest[order.customer_id] = (order.id, order.platform, order.country)
        items: dict[int, str] = {}
        order_ids = [v[0] for v in latest.values()]
        for line in await session.execute(
            select(OrderLine.order_id, OrderLine.product_name)
            .where(OrderLine.order_id.in_(order_ids), OrderLine.product_name.is_not(None))
            .order_by(OrderLine.order_id, OrderLine.line_no.desc())
        ):
            items[line.order_id] = line.product_name
        points = {
            r[0]: int(r[1] or 0)
            for r in await session.execute(
                select(LoyaltyEntry.customer_id, func.sum(LoyaltyEntry.points))
                .where(LoyaltyEntry.customer_id.in_(chunk))
                .group_by(LoyaltyEntry.customer_id)
            )
        }
        consent: dict[int, bool] = {}
        for record in await session.execute(
            select(ConsentRecord.customer_id, ConsentRecord.granted)
            .where(ConsentRecord.customer_id.in_(chunk), ConsentRecord.purpose == "marketing")
            .order_by(ConsentRecord.customer_id, ConsentRecord.recorded_at, ConsentRecord.id)
        ):
            consent[record.customer_id] = record.granted
        flags: dict[int, list[bool]] = {}
        usernames: dict[int, tuple[str, str | None]] = {}
        for identity in await session.execute(
            select(
                BuyerIdentity.customer_id,
                BuyerIdentity.platform,
                BuyerIdentity.username,
                BuyerIdentity.accepts_marketing,
            )
            .where(BuyerIdentity.customer_id.in_(chunk))
            .order_by(BuyerIdentity.id)
        ):
            if identity.accepts_marketing is not None:
                flags.setdefault(identity.customer_id, []).append(identity.accepts_marketing)
            usernames.setdefault(identity.customer_id, (identity.platform, identity.username))
        for cid in chunk:
            c = base.get(cid)
            if c is None:
                continue
            last = latest.get(cid)
            platform = last[1] if last else usernames.get(cid, (None, None))[0]
            username = next((u for p, u in [usernames.get(cid, (None, None))] if p == platform), None)
            f = flags.get(cid, [])
            out.append(
                Recipient(
                    id=cid,
                    display_name=c.display_name,
                    country=c.country or (last[2] if last else None),
                    language=c.language,
                    platform=platform,
                    username=username,
                    last_item=items.get(last[0]) if last else None,
                    points=points.get(cid, 0),
                    marketing_consent=consent.get(cid),
                    platform_opt_out=bool(f) and not any(f),
                )
            )
    return out


async def add_draft(
    session: AsyncSession,
    *,
    workspace_id: int,
    customer_id: int | None,
    intent: str,
    language: str,
    text: str,
    variants: list[str] | None,
    source: str,
    status: str = "draft",
    reason: str | None = None,
    request: dict[str, Any] | None = None,
    segment: str | None = None,
    created_by: int | None = None,
    created_at: datetime | None = None,
) -> OutreachDraft:
    row = OutreachDraft(
        workspace_id=workspace_id,
        customer_id=customer_id,
        segment=segment,
        intent=intent,
        language=language,
        text=text,
        variants=variants,
        source=source,
        status=status,
        reason=reason,
        request=request,
        created_by=created_by,
    )
    if created_at is not None:
        row.created_at = created_at
    session.add(row)
    await session.flush()
    return row


async def get_draft(session: AsyncSession, workspace_id: int, draft_id: int) -> OutreachDraft | None:
    row = await session.get(OutreachDraft, draft_id)
    if row is None or row.workspace_id != workspace_id:
        return None
    return row


async def update_draft_text(
    session: AsyncSession, row: OutreachDraft, text: str, request: dict[str, Any]
) -> None:
    row.text = text
    row.request = request
    await session.flush()


async def approve_draft(
    session: AsyncSession,
    row: OutreachDraft,
    *,
    member_id: int | None,
    at: datetime,
    channel: str | None = None,
) -> Interaction | None:
    """Mark a draft approved and record the outreach as an interaction (so it counts as contact)."""
    row.status, row.approved_by, row.approved_at = "approved", member_id, at
    interaction = None
    if row.customer_id is not None:
        interaction = Interaction(
            workspace_id=row.workspace_id,
            customer_id=row.customer_id,
            kind="outreach",
            channel=channel,
            body=row.text,
            language=row.language,
            created_by=member_id,
            occurred_at=at,
        )
        session.add(interaction)
    await session.flush()
    return interaction


async def customer_drafts(
    session: AsyncSession, workspace_id: int, customer_id: int, limit: int = 20
) -> list[OutreachDraft]:
    rows = await session.execute(
        select(OutreachDraft)
        .where(OutreachDraft.workspace_id == workspace_id, OutreachDraft.customer_id == customer_id)
        .order_by(OutreachDraft.id.desc())
        .limit(limit)
    )
    return list(rows.scalars())


async def customer_name(session: AsyncSession, customer_id: int) -> str | None:
    return (await session.execute(select(Customer.display_name).where(Customer.id == customer_id))).scalar()


async def approved_drafts(
    session: AsyncSession, workspace_id: int, start: datetime | None, end: datetime
) -> list[OutreachDraft]:
    """The drafts approved in [start, end) (all approved before `end` when `start` is None), oldest first."""
    query = select(OutreachDraft).where(
        OutreachDraft.workspace_id == workspace_id,
        OutreachDraft.status == "approved",
        OutreachDraft.approved_at < end,
    )
    if start is not None:
        query = query.where(OutreachDraft.approved_at >= start)
    rows = await session.execute(query.order_by(OutreachDraft.approved_at, OutreachDraft.id))
    return list(rows.scalars())


async def valid_order_times(
    session: AsyncSession, workspace_id: int, customer_ids: Sequence[int]
) -> dict[int, list[datetime]]:
    """customer -> the times of their valid orders (paid, shipped, completed), in chunks."""
    out: dict[int, list[datetime]] = {}
    ids = sorted(int(i) for i in customer_ids)
    for start in range(0, len(ids), _CHUNK):
        rows = await session.execute(
            select(Order.customer_id, Order.created_at).where(
                Order.workspace_id == workspace_id,
                Order.customer_id.in_(ids[start : start + _CHUNK]),
                Order.status.in_(VALID),
            )
        )
        for cid, at in rows:
            if cid is not None:
                out.setdefault(int(cid), []).append(at)
    return out
