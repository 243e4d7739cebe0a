"""Customer desk repository: finding a customer from what a seller types, and the card's tag and note actions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import tables
from storage.statuses import VALID_ORDER_STATUSES

if TYPE_CHECKING:
    from storage.models import Customer, Interaction


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
    live = [tables.customers.c.workspace_id == workspace_id, tables.customers.c.merged_into_id.is_(None)]
    if text.startswith("#") and bare.isdigit():
        # "#1382" as the bot shows customers (name (#id)): that customer, when there is one, before any Shopify
        # order named "#1382".
        hits = await _hits(
            session,
            select(tables.customers.c.id, tables.customers.c.display_name, tables.customers.c.country).where(
                *live, tables.customers.c.id == int(bare)
            ),
            limit,
        )
        if hits:
            return hits
    low = bare.lower()
    forms = sorted({low, text.lower()})  # "#1003" is a Shopify order name, "@tanwl" a username
    exact = [
        func.lower(tables.buyer_identities.c.email) == low,
        tables.buyer_identities.c.email_norm == low,
        func.lower(tables.buyer_identities.c.username).in_(forms),
        func.lower(tables.buyer_identities.c.buyer_key).in_(forms),
    ]
    digits = re.sub(r"\D", "", bare)
    if len(digits) >= 7 and re.fullmatch(r"[\d\s()+.-]+", bare):
        exact.append(
            tables.buyer_identities.c.phone_norm.like(f"%{digits}")
        )  # E.164 ends with the local digits
    by_identity = select(tables.buyer_identities.c.customer_id).where(
        tables.buyer_identities.c.workspace_id == workspace_id, or_(*exact)
    )
    by_order = select(tables.orders.c.customer_id).where(
        tables.orders.c.workspace_id == workspace_id,
        tables.orders.c.platform_order_id.in_(sorted({text, bare})),
    )
    exact_ids = or_(tables.customers.c.id.in_(by_identity), tables.customers.c.id.in_(by_order))
    if bare.isdigit():
        exact_ids = or_(exact_ids, tables.customers.c.id == int(bare))
    hits = await _hits(
        session,
        select(tables.customers.c.id, tables.customers.c.display_name, tables.customers.c.country).where(
            *live, exact_ids
        ),
        limit,
    )
    if hits:
        return hits
    name = func.lower(tables.customers.c.display_name)
    ident_name = func.lower(tables.buyer_identities.c.name)
    if _has_cjk(bare):
        squeezed = "%" + escape_like(re.sub(r"\s+", "", bare)) + "%"
        by_name = or_(
            func.replace(name, " ", "").like(squeezed, escape="\\"),
            tables.customers.c.id.in_(
                select(tables.buyer_identities.c.customer_id).where(
                    tables.buyer_identities.c.workspace_id == workspace_id,
                    func.replace(ident_name, " ", "").like(squeezed, escape="\\"),
                )
            ),
        )
    else:
        word = escape_like(bare)
        by_name = or_(
            name.like(f"{word}%", escape="\\"),
            name.like(f"% {word}%", escape="\\"),
            tables.customers.c.id.in_(
                select(tables.buyer_identities.c.customer_id).where(
                    tables.buyer_identities.c.workspace_id == workspace_id,
                    or_(
                        ident_name.like(f"{word}%", escape="\\"),
                        ident_name.like(f"% {word}%", escape="\\"),
                        func.lower(tables.buyer_identities.c.username).like(f"{word}%", escape="\\"),
                    ),
                )
            ),
        )
    return await _hits(
        session,
        select(tables.customers.c.id, tables.customers.c.display_name, tables.customers.c.country).where(
            *live, by_name
        ),
        limit,
    )


async def _hits(session: AsyncSession, stmt: Any, limit: int) -> list[CustomerHit]:
    """The customers `stmt` selects (id, display name, country), with what tells same-name customers apart:
    their first buyer identity and their valid orders (two small queries for any number of hits)."""
    rows = (
        await session.execute(
            stmt.order_by(tables.customers.c.display_name, tables.customers.c.id).limit(limit)
        )
    ).all()
    if not rows:
        return []
    ids = [r.id for r in rows]
    first_identity: dict[int, tuple[str, str | None]] = {}
    for cid, identity_platform, username, name in (
        await session.execute(
            select(
                tables.buyer_identities.c.customer_id,
                tables.buyer_identities.c.platform,
                tables.buyer_identities.c.username,
                tables.buyer_identities.c.name,
            )
            .where(tables.buyer_identities.c.customer_id.in_(ids))
            .order_by(tables.buyer_identities.c.id)
        )
    ).all():
        if cid is not None:  # always: the query selects identities of these customers
            first_identity.setdefault(cid, (identity_platform, username or name))
    stats = {
        r[0]: r[1:]
        for r in (
            await session.execute(
                select(
                    tables.orders.c.customer_id,
                    func.count(tables.orders.c.id),
                    func.sum(tables.orders.c.value_base),
                    func.max(tables.orders.c.created_at),
                )
                .where(tables.orders.c.customer_id.in_(ids), tables.orders.c.status.in_(VALID_STATUSES))
                .group_by(tables.orders.c.customer_id)
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
    # The card's objects and actions keep the ORM; finding a customer reads the tables (no mappers to declare).
    from storage.models import Customer

    customer = await session.get(Customer, customer_id)
    if customer is None or customer.workspace_id != workspace_id:
        return None
    return customer


async def add_note(
    session: AsyncSession, workspace_id: int, customer_id: int, body: str, *, member_id: int | None
) -> Interaction:
    from storage.models import Interaction

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
    from storage.models import CustomerTag, Tag

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
        select(tables.tags.c.name)
        .join(tables.customer_tags, tables.customer_tags.c.tag_id == tables.tags.c.id)
        .where(tables.customer_tags.c.customer_id == customer_id)
        .order_by(tables.tags.c.name)
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
            select(
                tables.buyer_identities.c.platform,
                tables.buyer_identities.c.username,
                tables.buyer_identities.c.accepts_marketing,
            )
            .where(tables.buyer_identities.c.customer_id == customer_id)
            .order_by(tables.buyer_identities.c.id)
        )
    ).all()
    stats = (
        await session.execute(
            select(
                func.count(tables.orders.c.id),
                func.sum(tables.orders.c.value_base),
                func.min(tables.orders.c.created_at),
                func.max(tables.orders.c.created_at),
            ).where(tables.orders.c.customer_id == customer_id, tables.orders.c.status.in_(VALID_STATUSES))
        )
    ).one()
    notes = (
        (
            await session.execute(
                select(tables.interactions.c.body)
                .where(tables.interactions.c.customer_id == customer_id, tables.interactions.c.kind == "note")
                .order_by(tables.interactions.c.occurred_at.desc(), tables.interactions.c.id.desc())
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
