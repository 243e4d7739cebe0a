"""A customer's data rights (PDPA / GDPR): everything held about one customer, and its erasure.

Erasure anonymises rather than deletes: orders, lines, points and consent stay (so every figure stays what it
was, and an opt-out keeps being honoured), while every field that names or reaches the person is cleared, and
free text elsewhere that mentions them (a reminder, a draft, a rejected import row, a conversation's state) is
cleaned too. A buyer identity keeps a one-way hash of its platform key so identities stay unique."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import String, cast, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AlertRecord,
    AuditEvent,
    AutomationRule,
    BehaviourEvent,
    BuyerIdentity,
    ConsentRecord,
    ConversationState,
    Customer,
    CustomerTag,
    ImportLog,
    ImportRejection,
    Interaction,
    LoyaltyEntry,
    MergeEvent,
    Order,
    OrderLine,
    OutreachDraft,
    Reminder,
    RuleFiring,
    Tag,
)
from storage.repositories import erased
from storage.repositories.customer_desk import escape_like

ERASED = "[erased]"
# Free text elsewhere is searched for the person's words of at least this length (a shorter name such as "Li"
# would match unrelated words); emails and phone numbers are always long enough.
MIN_MENTION = 5


# The consent record an erasure leaves: its source marks the customer as erased on request (erased_customers).
ERASURE_SOURCE = "erasure"


async def erased_customers(session: AsyncSession, workspace_id: int) -> set[int]:
    """Customers erased on request: the ones with the erasure's own consent record (no rule acts on them)."""
    stmt = select(ConsentRecord.customer_id).where(
        ConsentRecord.workspace_id == workspace_id, ConsentRecord.source == ERASURE_SOURCE
    )
    return {int(c) for c in await session.scalars(stmt) if c is not None}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: _plain(getattr(obj, c.key)) for c in obj.__table__.columns}


async def _customer_ids(session: AsyncSession, workspace_id: int, customer_id: int) -> list[int]:
    """The customer and every record merged into them (the same person)."""
    ids = [customer_id]
    frontier = [customer_id]
    while frontier:
        found = (
            await session.scalars(
                select(Customer.id).where(
                    Customer.workspace_id == workspace_id, Customer.merged_into_id.in_(frontier)
                )
            )
        ).all()
        frontier = [i for i in found if i not in ids]
        ids += frontier
    return ids


async def customer_record(
    session: AsyncSession, workspace_id: int, customer_id: int
) -> dict[str, Any] | None:
    """Everything held about one customer, table by table (None when there is no such customer)."""
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.workspace_id != workspace_id:
        return None
    ids = await _customer_ids(session, workspace_id, customer_id)

    async def rows(model: Any, *where: Any) -> list[dict[str, Any]]:
        return [_row(o) for o in (await session.scalars(select(model).where(*where))).all()]

    orders = await rows(Order, Order.customer_id.in_(ids))
    order_ids = [o["id"] for o in orders]
    tags = (
        await session.execute(
            select(Tag.name, CustomerTag.source, CustomerTag.created_at)
            .join(CustomerTag, CustomerTag.tag_id == Tag.id)
            .where(CustomerTag.customer_id.in_(ids))
        )
    ).all()
    firings = (
        await session.execute(
            select(RuleFiring, AutomationRule.name)
            .join(AutomationRule, AutomationRule.id == RuleFiring.rule_id)
            .where(RuleFiring.workspace_id == workspace_id, RuleFiring.customer_id.in_(ids))
            .order_by(RuleFiring.fired_at, RuleFiring.id)
        )
    ).all()
    merges = (
        await session.scalars(
            select(MergeEvent).where(
                MergeEvent.workspace_id == workspace_id,
                or_(MergeEvent.survivor_id.in_(ids), MergeEvent.merged_id.in_(ids)),
            )
        )
    ).all()
    # Audit events about them: their card viewed, their data exported, their points changed, their merges.
    subjects = [f"customer:{i}" for i in ids] + [f"merge:{m.merged_id}>{m.survivor_id}" for m in merges]
    events = (
        await session.scalars(
            select(AuditEvent)
            .where(AuditEvent.workspace_id == workspace_id, AuditEvent.subject.in_(subjects))
            .order_by(AuditEvent.at, AuditEvent.id)
        )
    ).all()
    return {
        "customer": await rows(Customer, Customer.id.in_(ids)),
        "buyer_identities": await rows(BuyerIdentity, BuyerIdentity.customer_id.in_(ids)),
        "orders": orders,
        "order_lines": await rows(OrderLine, OrderLine.order_id.in_(order_ids)) if order_ids else [],
        "interactions": await rows(Interaction, Interaction.customer_id.in_(ids)),
        "tags": [{"tag": n, "source": s, "created_at": _plain(at)} for n, s, at in tags],
        "loyalty_ledger": await rows(LoyaltyEntry, LoyaltyEntry.customer_id.in_(ids)),
        "consent_records": await rows(ConsentRecord, ConsentRecord.customer_id.in_(ids)),
        "outreach_drafts": await rows(OutreachDraft, OutreachDraft.customer_id.in_(ids)),
        "reminders": await rows(Reminder, Reminder.customer_id.in_(ids)),
        "behaviour_events": await rows(BehaviourEvent, BehaviourEvent.customer_id.in_(ids)),
        "merge_events": await rows(
            MergeEvent, or_(MergeEvent.survivor_id.in_(ids), MergeEvent.merged_id.in_(ids))
        ),
        "alert_records": await rows(AlertRecord, AlertRecord.customer_id.in_(ids)),
        "rule_firings": [
            {
                "id": f.id,
                "rule_id": f.rule_id,
                "rule": name,
                "customer_id": f.customer_id,
                "event_key": f.event_key,
                "status": f.status,
                "fired_at": _plain(f.fired_at),
                "resume_at": _plain(f.resume_at),
                "draft_id": f.draft_id,
                "reminder_ids": f.reminder_ids,
            }
            for f, name in firings
        ],
        "audit_events": [
            {
                "id": e.id,
                "at": _plain(e.at),
                "actor": e.actor,
                "member_id": e.member_id,
                "action": e.action,
                "subject": e.subject,
                "detail": e.detail,
            }
            for e in events
        ],
    }


@dataclass(frozen=True)
class ConsentEntry:
    purpose: str
    granted: bool
    channel: str | None
    source: str | None  # an import's platform, "erasure", ...
    recorded_at: datetime


async def consent_history(
    session: AsyncSession, workspace_id: int, customer_id: int, limit: int
) -> tuple[list[ConsentEntry], int]:
    """The customer's consent records (and those of the records merged into them), newest first, at most
    `limit` of them, and how many there are in all."""
    ids = await _customer_ids(session, workspace_id, customer_id)
    where = (ConsentRecord.workspace_id == workspace_id, ConsentRecord.customer_id.in_(ids))
    total = (await session.execute(select(func.count()).select_from(ConsentRecord).where(*where))).scalar()
    rows = (
        await session.scalars(
            select(ConsentRecord)
            .where(*where)
            .order_by(ConsentRecord.recorded_at.desc(), ConsentRecord.id.desc())
            .limit(limit)
        )
    ).all()
    entries = [ConsentEntry(r.purpose, r.granted, r.channel, r.source, r.recorded_at) for r in rows]
    return entries, int(total or 0)


@dataclass
class Erasure:
    customer_ids: list[int]
    cleared: dict[str, int] = field(default_factory=dict)  # table -> the person's own rows cleared
    mentions: dict[str, int] = field(default_factory=dict)  # table -> other rows whose text mentioned them

    def count(self, table: str, n: int, *, mention: bool = False) -> None:
        if n:
            counts = self.mentions if mention else self.cleared
            counts[table] = counts.get(table, 0) + n


def _hashed_key(platform: str, key: str) -> str:
    return "erased:" + hashlib.sha256(f"{platform}:{key}".encode()).hexdigest()[:40]


def _is_hashed(buyer_key: str) -> bool:
    return buyer_key.startswith("erased:")


def _clean(text: str | None, words: list[str]) -> str | None:
    if text is None:
        return None
    for word in words:
        text = _replace_folded(text, word)
    return text


def _replace_folded(text: str, word: str) -> str:
    low, w = text.lower(), word.lower()
    out, i = [], 0
    while (j := low.find(w, i)) >= 0:
        out.append(text[i:j] + ERASED)
        i = j + len(w)
    out.append(text[i:])
    return "".join(out)


def _like(word: str) -> str:
    return "%" + escape_like(word) + "%"


async def erase_customer(session: AsyncSession, workspace_id: int, customer_id: int) -> Erasure | None:
    """Anonymise one customer (and the records merged into them) in the caller's transaction; None when there
    is no such customer. Aggregates keep their values: orders, lines and points stay, without a person."""
    customer = await session.get(Customer, customer_id)
    if customer is None or customer.workspace_id != workspace_id:
        return None
    ids = await _customer_ids(session, workspace_id, customer_id)
    report = Erasure(ids)
    customers = (await session.scalars(select(Customer).where(Customer.id.in_(ids)))).all()
    identities = (
        await session.scalars(select(BuyerIdentity).where(BuyerIdentity.customer_id.in_(ids)))
    ).all()
    said: set[str] = set()
    for c in customers:
        said |= {v for v in (c.display_name, c.note) if v}
    for ident in identities:
        said |= {
            v
            for v in (
                ident.buyer_key,
                ident.username,
                ident.name,
                ident.email,
                ident.email_norm,
                ident.phone,
                ident.phone_norm,
            )
            if v
        }
    # Longest first, so "Tan Wei Ling" goes before "Tan Wei" would leave "Ling" behind.
    words = sorted({w.strip() for w in said if len(w.strip()) >= MIN_MENTION}, key=len, reverse=True)

    # Remembered as keyed digests only, so a re-import of an old export skips them (storage.repositories.erased).
    await erased.remember(
        session,
        workspace_id,
        [
            (i.platform, i.buyer_key, i.email_norm, i.phone_norm)
            for i in identities
            if not _is_hashed(i.buyer_key)
        ],
    )
    for c in customers:
        c.display_name, c.note = None, None
    report.count("customers", len(customers))
    for ident in identities:
        ident.buyer_key = _hashed_key(ident.platform, ident.buyer_key)
        ident.username = ident.name = ident.email = ident.email_norm = ident.phone = ident.phone_norm = None
        ident.accepts_marketing = None
    report.count("buyer_identities", len(identities))

    async def clear(model: Any, where: Any, **values: Any) -> None:
        result = await session.execute(update(model).where(where).values(**values))
        report.count(model.__tablename__, int(getattr(result, "rowcount", 0) or 0))

    await clear(Interaction, Interaction.customer_id.in_(ids), body=None, reason=None)
    await clear(
        OutreachDraft, OutreachDraft.customer_id.in_(ids), text="", variants=None, request=None, reason=None
    )
    await clear(Reminder, Reminder.customer_id.in_(ids), text=ERASED)
    await clear(AlertRecord, AlertRecord.customer_id.in_(ids), detail=None)
    await clear(LoyaltyEntry, LoyaltyEntry.customer_id.in_(ids), note=None)
    await clear(
        MergeEvent, or_(MergeEvent.survivor_id.in_(ids), MergeEvent.merged_id.in_(ids)), matched_on=None
    )
    # No more marketing to someone who asked to be forgotten, whatever they had consented to before.
    session.add(
        ConsentRecord(
            workspace_id=workspace_id,
            customer_id=customer_id,
            purpose="marketing",
            granted=False,
            source=ERASURE_SOURCE,
            recorded_at=datetime.now(UTC),
        )
    )
    await session.flush()
    if words:
        await _clean_mentions(session, workspace_id, words, report)
    return report


async def _clean_mentions(
    session: AsyncSession, workspace_id: int, words: list[str], report: Erasure
) -> None:
    """Free text anywhere in the workspace that mentions the person: the words replaced, or the row cleared."""
    texts: list[tuple[Any, list[Any], Any]] = [
        (Customer, [Customer.note], Customer.workspace_id == workspace_id),
        (Interaction, [Interaction.body, Interaction.reason], Interaction.workspace_id == workspace_id),
        (Reminder, [Reminder.text], Reminder.workspace_id == workspace_id),
        (
            OutreachDraft,
            [OutreachDraft.text, OutreachDraft.reason],
            OutreachDraft.workspace_id == workspace_id,
        ),
        (LoyaltyEntry, [LoyaltyEntry.note], LoyaltyEntry.workspace_id == workspace_id),
        (MergeEvent, [MergeEvent.matched_on], MergeEvent.workspace_id == workspace_id),
        (
            ImportRejection,
            [ImportRejection.reason, ImportRejection.order_ref],
            ImportRejection.import_id.in_(select(ImportLog.id).where(ImportLog.workspace_id == workspace_id)),
        ),
    ]
    for model, columns, scope in texts:
        hit = or_(*(col.ilike(_like(w), escape="\\") for col in columns for w in words))
        for obj in (await session.scalars(select(model).where(scope, hit))).all():
            for col in columns:
                setattr(obj, col.key, _clean(getattr(obj, col.key), words))
            report.count(model.__tablename__, 1, mention=True)
    # JSON: a draft's request, an alert's detail, a conversation's state: cleared, not edited.
    json_columns: list[tuple[Any, Any, Any]] = [
        (OutreachDraft, OutreachDraft.request, OutreachDraft.workspace_id == workspace_id),
        (AlertRecord, AlertRecord.detail, AlertRecord.workspace_id == workspace_id),
    ]
    # Stored JSON may spell a non-ASCII name as \\uXXXX escapes: both spellings are looked for.
    spelt = sorted({*words, *(json.dumps(w)[1:-1] for w in words)}, key=len, reverse=True)
    for model, col, scope in json_columns:
        hit = or_(*(cast(col, String).ilike(_like(w), escape="\\") for w in spelt))
        result = await session.execute(update(model).where(scope, hit).values({col.key: None}))
        report.count(model.__tablename__, int(getattr(result, "rowcount", 0) or 0), mention=True)
    hit = or_(*(cast(ConversationState.data, String).ilike(_like(w), escape="\\") for w in spelt))
    result = await session.execute(delete(ConversationState).where(hit))
    report.count("fsm_states", int(getattr(result, "rowcount", 0) or 0), mention=True)
