"""Customer desk repository: finding a customer from what a seller types, and the card's tag and note actions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import BuyerIdentity, Customer, CustomerTag, Interaction, Order, Tag
from storage.statuses import VALID_ORDER_STATUSES


@dataclass(frozen=True)
class CustomerHit:
    """A customer found by a search, with what tells same-name customers apart: their first buyer identity
    (platform and username or buyer name), country, valid orders, spend and last order."""

    id: int
    name: str
    country: str | None
    platform: str | None = None
    handle: str | None = None
    orders: int = 0
    spend: float | None = None
    last_order: datetime | None = None


def escape_like(text: str) -> str:
    """`text` lower-cased, with LIKE's wildcards and escape character escaped (for `ESCAPE '\\'`)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_").lower()


def _has_cjk(text: str) -> bool:
    """Whether `text` holds a Chinese character (U+3400-U+9FFF); a character test, as compiling the regex class
    takes over a millisecond of every command that imports this module."""
    return any("\u3400" <= c <= "\u9fff" for c in text)


async def search_customers(
    session: AsyncSession, workspace_id: int, text: str, *, limit: int = 10
) -> list[CustomerHit]:
    """Customers matching what a seller typed: `#id`, e-mail, platform username or buyer id, phone in any
    format (+65 9123 4567, 6591234567, 9123 4567), order id — exact matches only, when there are any — else
    names: a word of the name starting with the text ("Tan" finds Tan Wei Ling, not Rattanakorn); Chinese
    names match anywhere, spaces ignored ("王小明" finds "王 小明")."""
    text = text.strip()
    bare = text.lstrip("@#")
    if not bare:
        return []
    live = [Customer.workspace_id == workspace_id, Customer.merged_into_id.is_(None)]
    if text.startswith("#") and bare.isdigit():
        # "#1382" as the bot shows customers (name (#id)): that customer, when there is one, before any Shopify
        # order named "#1382".
        hits = await _hits(
            session,
            select(Customer.id, Customer.display_name, Customer.country).where(
                *live, Customer.id == int(bare)
            ),
            limit,
        )
        if hits:
            return hits
    low = bare.lower()
    forms = sorted({low, text.lower()})  # "#1003" is a Shopify order name, "@tanwl" a username
    exact = [
        func.lower(BuyerIdentity.email) == low,
        BuyerIdentity.email_norm == low,
        func.lower(BuyerIdentity.username).in_(forms),
        func.lower(BuyerIdentity.buyer_key).in_(forms),
    ]
    digits = re.sub(r"\D", "", bare)
    if len(digits) >= 7 and re.fullmatch(r"[\d\s()+.-]+", bare):
        exact.append(BuyerIdentity.phone_norm.like(f"%{digits}"))  # E.164 ends with the local digits
    by_identity = select(BuyerIdentity.customer_id).where(
        BuyerIdentity.workspace_id == workspace_id, or_(*exact)
    )
    by_order = select(Order.customer_id).where(
        Order.workspace_id == workspace_id, Order.platform_order_id.in_(sorted({text, bare}))
    )
    exact_ids = or_(Customer.id.in_(by_identity), Customer.id.in_(by_order))
    if bare.isdigit():
        exact_ids = or_(exact_ids, Customer.id == int(bare))
    hits = await _hits(
        session, select(Customer.id, Customer.display_name, Customer.country).where(*live, exact_ids), limit
    )
    if hits:
        return hits
    name = func.lower(Customer.display_name)
    ident_name = func.lower(BuyerIdentity.name)
    if _has_cjk(bare):
        squeezed = "%" + escape_like(re.sub(r"\s+", "", bare)) + "%"
        by_name = or_(
            func.replace(name, " ", "").like(squeezed, escape="\\"),
            Customer.id.in_(
                select(BuyerIdentity.customer_id).where(
                    BuyerIdentity.workspace_id == workspace_id,
                    func.replace(ident_name, " ", "").like(squeezed, escape="\\"),
                )
            ),
        )
    else:
        word = escape_like(bare)
        by_name = or_(
            name.like(f"{word}%", escape="\\"),
            name.like(f"% {word}%", escape="\\"),
            Customer.id.in_(
                select(BuyerIdentity.customer_id).where(
                    BuyerIdentity.workspace_id == workspace_id,
                    or_(
                        ident_name.like(f"{word}%", escape="\\"),
                        ident_name.like(f"% {word}%", escape="\\"),
                        func.lower(BuyerIdentity.username).like(f"{word}%", escape="\\"),
                    ),
                )
            ),
        )
    return await _hits(
        session, select(Customer.id, Customer.display_name, Customer.country).where(*live, by_name), limit
    )


async def _hits(session: AsyncSession, stmt: Any, limit: int) -> list[CustomerHit]:
    """The customers `stmt` selects (id, display name, country), with what tells same-name customers apart:
    their first buyer identity and their valid orders (two small queries for any number of hits)."""
    rows = (await session.execute(stmt.order_by(Customer.display_name, Customer.id).limit(limit))).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    first_identity: dict[int, tuple[str, str | None]] = {}
    for cid, identity_platform, username, name in (
        await session.execute(
            select(
                BuyerIdentity.customer_id, BuyerIdentity.platform, BuyerIdentity.username, BuyerIdentity.name
            )
            .where(BuyerIdentity.customer_id.in_(ids))
            .order_by(BuyerIdentity.id)
        )
    ).all():
        if cid is not None:  # always: the query selects identities of these customers
            first_identity.setdefault(cid, (identity_platform, username or name))
    stats = {
        r[0]: r[1:]
        for r in (
            await session.execute(
                select(
                    Order.customer_id,
                    func.count(Order.id),
                    func.sum(Order.value_base),
                    func.max(Order.created_at),
                )
                .where(Order.customer_id.in_(ids), Order.status.in_(VALID_STATUSES))
                .group_by(Order.customer_id)
            )
        ).all()
    }
    hits = []
    for r in rows:
        platform, handle = first_identity.get(r.id, (None, None))
        orders, spend, last = stats.get(r.id, (0, None, None))
        hits.append(
            CustomerHit(
                id=r.id,
                name=r.display_name or f"#{r.id}",
                country=r.country,
                platform=platform,
                handle=handle,
                orders=int(orders or 0),
                spend=float(spend) if spend is not None else None,
                last_order=last,
            )
        )
    return hits


async def get_customer(session: AsyncSession, workspace_id: int, customer_id: int) -> Customer | None:
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.workspace_id != workspace_id:
        return None
    return customer


async def add_note(
    session: AsyncSession, workspace_id: int, customer_id: int, body: str, *, member_id: int | None
) -> Interaction:
    note = Interaction(
        workspace_id=workspace_id,
        customer_id=customer_id,
        kind="note",
        channel="telegram",
        body=body,
        created_by=member_id,
        occurred_at=datetime.now(UTC),
    )
    session.add(note)
    await session.flush()
    return note


async def add_tag(session: AsyncSession, workspace_id: int, customer_id: int, name: str) -> bool:
    """Tag a customer by hand (creating the tag if new); False when it already had the tag."""
    name = name.strip().lower()[:64]
    tag = (
        await session.execute(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == name))
    ).scalar_one_or_none()
    if tag is None:
        tag = Tag(workspace_id=workspace_id, name=name, rule=None)
        session.add(tag)
        await session.flush()
    if await session.get(CustomerTag, (customer_id, tag.id)) is not None:
        return False
    session.add(CustomerTag(customer_id=customer_id, tag_id=tag.id, source="manual"))
    await session.flush()
    return True


async def customer_tags(session: AsyncSession, customer_id: int) -> list[str]:
    rows = await session.execute(
        select(Tag.name)
        .join(CustomerTag, CustomerTag.tag_id == Tag.id)
        .where(CustomerTag.customer_id == customer_id)
        .order_by(Tag.name)
    )
    return [r[0] for r in rows]


VALID_STATUSES = VALID_ORDER_STATUSES


@dataclass(frozen=True)
class CustomerSummary:
    """What the card shows when the analytics profile is not available: no e-mails, phones or addresses."""

    id: int
    name: str
    country: str | None
    platforms: list[str]
    usernames: list[str]
    orders: int
    revenue: float | None
    first_order: datetime | None
    last_order: datetime | None
    tags: list[str]
    notes: list[str]
    accepts_marketing: bool | None


async def customer_summary(
    session: AsyncSession, workspace_id: int, customer_id: int
) -> CustomerSummary | None:
    customer = await get_customer(session, workspace_id, customer_id)
    if customer is None:
        return None
    identities = (
        await session.execute(
            select(BuyerIdentity.platform, BuyerIdentity.username, BuyerIdentity.accepts_marketing)
            .where(BuyerIdentity.customer_id == customer_id)
            .order_by(BuyerIdentity.id)
        )
    ).all()
    stats = (
        await session.execute(
            select(
                func.count(Order.id),
                func.sum(Order.value_base),
                func.min(Order.created_at),
                func.max(Order.created_at),
            ).where(Order.customer_id == customer_id, Order.status.in_(VALID_STATUSES))
        )
    ).one()
    notes = (
        (
            await session.execute(
                select(Interaction.body)
                .where(Interaction.customer_id == customer_id, Interaction.kind == "note")
                .order_by(Interaction.occurred_at.desc(), Interaction.id.desc())
                .limit(3)
            )
        )
        .scalars()
        .all()
    )
    marketing = [i.accepts_marketing for i in identities if i.accepts_marketing is not None]
    return CustomerSummary(
        id=customer.id,
        name=customer.display_name or f"#{customer.id}",
        country=customer.country,
        platforms=sorted({i.platform for i in identities}),
        usernames=[i.username for i in identities if i.username],
        orders=int(stats[0] or 0),
        revenue=float(stats[1]) if stats[1] is not None else None,
        first_order=stats[2],
        last_order=stats[3],
        tags=await customer_tags(session, customer_id),
        notes=[n for n in notes if n],
        accepts_marketing=any(marketing) if marketing else None,
    )
