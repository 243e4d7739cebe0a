"""Automation repository: rules, their firings (claimed once per rule, customer and event), the triggering events
they read, and the changes their actions make (tags, points)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AutomationRule,
    BehaviourEvent,
    Customer,
    CustomerOrderStats,
    CustomerTag,
    Interaction,
    LoyaltyEntry,
    Order,
    OutreachDraft,
    Reminder,
    RuleFiring,
    Tag,
    TeamMember,
)
from storage.statuses import VALID_ORDER_STATUSES

CANCELLED_STATUSES = ("cancelled", "returned")


# A deleted rule keeps its row (source "deleted", off) so its firings stay: the audit and the statistics keep
# their history, and a rule saved again under the name takes the row back with them, so it never fires again
# for an event the deleted rule already fired for. Only `save_rule` sees deleted rules.
DELETED = "deleted"
_LIVE = AutomationRule.source != DELETED


async def rules(session: AsyncSession, workspace_id: int) -> Sequence[AutomationRule]:
    stmt = (
        select(AutomationRule)
        .where(AutomationRule.workspace_id == workspace_id, _LIVE)
        .order_by(AutomationRule.id)
    )
    return (await session.scalars(stmt)).all()


async def rule_by_name(
    session: AsyncSession, workspace_id: int, name: str, *, deleted: bool = False
) -> AutomationRule | None:
    stmt = select(AutomationRule).where(
        AutomationRule.workspace_id == workspace_id, AutomationRule.name == name
    )
    if not deleted:
        stmt = stmt.where(_LIVE)
    return (await session.scalars(stmt)).first()


async def rule_by_id(session: AsyncSession, workspace_id: int, rule_id: int) -> AutomationRule | None:
    stmt = select(AutomationRule).where(
        AutomationRule.workspace_id == workspace_id, AutomationRule.id == rule_id, _LIVE
    )
    return (await session.scalars(stmt)).first()


async def save_rule(
    session: AsyncSession,
    workspace_id: int,
    name: str,
    spec: dict[str, Any],
    *,
    source: str,
    enabled: bool | None = None,
    created_by: int | None = None,
    at: datetime,
) -> AutomationRule:
    """Insert or update the rule called `name`; `enabled` None keeps a stored rule's state (new rules: off). A
    deleted rule of that name comes back (off unless `enabled`), with its firings."""
    rule = await rule_by_name(session, workspace_id, name, deleted=True)
    if rule is None:
        rule = AutomationRule(
            workspace_id=workspace_id,
            name=name,
            spec=spec,
            source=source,
            enabled=bool(enabled),
            created_by=created_by,
            created_at=at,
            updated_at=at,
        )
        session.add(rule)
    else:
        if rule.source == DELETED:
            rule.enabled, rule.created_by, rule.created_at = bool(enabled), created_by, at
        if rule.spec != spec or rule.source == DELETED:
            rule.spec, rule.updated_at = spec, at
        rule.source = source
        if enabled is not None:
            rule.enabled = enabled
    await session.flush()
    return rule


async def delete_rule(session: AsyncSession, rule: AutomationRule, at: datetime) -> tuple[int, int, int]:
    """Delete a rule: its pending steps stop as when it is disabled (`cancel_pending`, whose counts come back)
    and its row stays, marked deleted, with its firings (see DELETED)."""
    stopped = await cancel_pending(session, rule.id, reason="the automation rule was deleted")
    rule.enabled, rule.source, rule.updated_at = False, DELETED, at
    await session.flush()
    return stopped


async def tag_names(session: AsyncSession, workspace_id: int) -> set[str]:
    return set((await session.scalars(select(Tag.name).where(Tag.workspace_id == workspace_id))).all())


# ------------------------------------------------------------------------------------------------ events
async def orders_in(
    session: AsyncSession, workspace_id: int, since: datetime, until: datetime, *, cancelled: bool
) -> list[tuple[int, int, str, datetime | None]]:
    """(customer, order, status, previous valid order) of the orders placed in [since, until]; with
    `cancelled`, the cancelled or returned orders placed or changed then."""
    when: Any = Order.created_at.between(since, until)
    if cancelled:
        when = or_(when, Order.updated_at.between(since, until))
        status = Order.status.in_(CANCELLED_STATUSES)
    else:
        status = Order.status.in_(VALID_ORDER_STATUSES)
    stmt = (
        select(Order.customer_id, Order.id, Order.status, Order.previous_order_at)
        .where(Order.workspace_id == workspace_id, Order.customer_id.is_not(None), status, when)
        .order_by(Order.created_at, Order.id)
    )
    return [(int(c or 0), int(o), s, p) for c, o, s, p in await session.execute(stmt)]


async def abandoned_carts(
    session: AsyncSession, workspace_id: int, since: datetime, until: datetime
) -> list[tuple[int, int]]:
    stmt = (
        select(BehaviourEvent.customer_id, BehaviourEvent.id)
        .where(
            BehaviourEvent.workspace_id == workspace_id,
            BehaviourEvent.kind == "abandoned_cart",
            BehaviourEvent.customer_id.is_not(None),
            BehaviourEvent.occurred_at.between(since, until),
        )
        .order_by(BehaviourEvent.occurred_at, BehaviourEvent.id)
    )
    return [(int(c or 0), int(e)) for c, e in await session.execute(stmt)]


async def last_orders(session: AsyncSession, workspace_id: int) -> dict[int, int]:
    """Each customer's last valid order (UTC epoch seconds)."""
    stmt = select(CustomerOrderStats.customer_id, CustomerOrderStats.last_order).where(
        CustomerOrderStats.workspace_id == workspace_id
    )
    return {int(c): int(t) for c, t in await session.execute(stmt)}


async def last_interactions(session: AsyncSession, workspace_id: int) -> dict[int, int]:
    """Each customer's last interaction (chat, review, complaint, return, note, outreach; UTC epoch seconds)."""
    stmt = (
        select(Interaction.customer_id, func.max(Interaction.occurred_at))
        .where(Interaction.workspace_id == workspace_id)
        .group_by(Interaction.customer_id)
    )
    return {int(c): int(t.timestamp()) for c, t in await session.execute(stmt) if t is not None}


async def ledger_until(
    session: AsyncSession, workspace_id: int, until: datetime
) -> list[tuple[int, int, int, datetime]]:
    """(customer, entry, points, at) of the points ledger up to `until`, per customer in time order."""
    stmt = (
        select(LoyaltyEntry.customer_id, LoyaltyEntry.id, LoyaltyEntry.points, LoyaltyEntry.created_at)
        .where(LoyaltyEntry.workspace_id == workspace_id, LoyaltyEntry.created_at <= until)
        .order_by(LoyaltyEntry.customer_id, LoyaltyEntry.created_at, LoyaltyEntry.id)
    )
    return [(int(c), int(e), int(p), t) for c, e, p, t in await session.execute(stmt)]


async def countries(session: AsyncSession, workspace_id: int) -> dict[int, str]:
    """The country of each customer that has one (merged-away records left out)."""
    stmt = select(Customer.id, Customer.country).where(
        Customer.workspace_id == workspace_id,
        Customer.merged_into_id.is_(None),
        Customer.country.is_not(None),
    )
    return {int(c): str(k) for c, k in await session.execute(stmt)}


async def tagged_in(
    session: AsyncSession, workspace_id: int, tag: str, since: datetime, until: datetime
) -> list[tuple[int, datetime]]:
    stmt = (
        select(CustomerTag.customer_id, CustomerTag.created_at)
        .join(Tag, Tag.id == CustomerTag.tag_id)
        .where(
            Tag.workspace_id == workspace_id, Tag.name == tag, CustomerTag.created_at.between(since, until)
        )
        .order_by(CustomerTag.created_at)
    )
    return [(int(c), t) for c, t in await session.execute(stmt)]


# ----------------------------------------------------------------------------------------------- firings
async def fired_keys(session: AsyncSession, rule_id: int) -> set[tuple[int, str]]:
    stmt = select(RuleFiring.customer_id, RuleFiring.event_key).where(RuleFiring.rule_id == rule_id)
    return {(int(c), k) for c, k in await session.execute(stmt)}


async def claim(
    session: AsyncSession, workspace_id: int, rule_id: int, items: Sequence[tuple[int, str]], at: datetime
) -> list[tuple[int, int, str]]:
    """Insert a firing per (customer, event key) unless one is there; only those inserted here come back as
    (firing id, customer, event key): a second process claiming the same events gets nothing."""
    if not items:
        return []
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    out: list[tuple[int, int, str]] = []
    for i in range(0, len(items), 500):
        chunk = items[i : i + 500]
        stmt = (
            insert(RuleFiring)
            .values(
                [
                    {
                        "workspace_id": workspace_id,
                        "rule_id": rule_id,
                        "customer_id": c,
                        "event_key": k,
                        "status": "done",
                        "fired_at": at,
                    }
                    for c, k in chunk
                ]
            )
            .on_conflict_do_nothing(index_elements=["rule_id", "customer_id", "event_key"])
            .returning(RuleFiring.id, RuleFiring.customer_id, RuleFiring.event_key)
        )
        out += [(int(f), int(c), k) for f, c, k in await session.execute(stmt)]
    return out


async def set_outcome(
    session: AsyncSession,
    firing_id: int,
    *,
    status: str,
    draft_id: int | None,
    reminder_ids: list[int],
    next_step: int | None = None,
    resume_at: datetime | None = None,
) -> None:
    """What a firing's steps did (a resumed firing adds to what its earlier steps did); with `next_step`, the
    steps after a wait, due at `resume_at`."""
    firing = await session.get(RuleFiring, firing_id)
    if firing is None:
        return
    firing.status = status
    firing.draft_id = draft_id or firing.draft_id
    firing.reminder_ids = [*(firing.reminder_ids or []), *reminder_ids] or None
    firing.next_step, firing.resume_at = next_step, resume_at


async def take_due_steps(
    session: AsyncSession, rule_id: int, as_of: datetime
) -> list[tuple[int, int, int, datetime]]:
    """(firing, customer, step, resume at) of the rule's firings whose wait has ended, each taken by this
    process only: a compare-and-set on `next_step`, so two processes never run the same steps twice."""
    rows = (
        await session.execute(
            select(RuleFiring.id, RuleFiring.customer_id, RuleFiring.next_step, RuleFiring.resume_at).where(
                RuleFiring.rule_id == rule_id,
                RuleFiring.next_step.is_not(None),
                RuleFiring.resume_at <= as_of,
            )
        )
    ).all()
    taken: list[tuple[int, int, int, datetime]] = []
    for firing_id, customer_id, step, resume_at in rows:
        result = await session.execute(
            update(RuleFiring)
            .where(RuleFiring.id == firing_id, RuleFiring.next_step == step)
            .values(next_step=None, status="running")
        )
        if getattr(result, "rowcount", 0) == 1 and step is not None and resume_at is not None:
            taken.append((int(firing_id), int(customer_id), int(step), resume_at))
    return taken


async def promotional_draft_since(
    session: AsyncSession, customer_id: int, intents: Sequence[str], since: datetime
) -> bool:
    """Whether the customer has a promotional draft (waiting or approved) written since `since`."""
    stmt = select(func.count(OutreachDraft.id)).where(
        OutreachDraft.customer_id == customer_id,
        OutreachDraft.intent.in_(list(intents)),
        OutreachDraft.status.in_(("draft", "approved")),
        OutreachDraft.created_at >= since,
    )
    return bool(await session.scalar(stmt))


@dataclass(frozen=True)
class RuleStats:
    customers: int
    firings: int
    capped: int
    cancelled: int
    drafts: int
    approved: int
    ordered: int  # firings followed by a valid order of the customer within the outcome window


async def stats(session: AsyncSession, workspace_id: int, outcome_days: int) -> dict[int, RuleStats]:
    base = (
        select(
            RuleFiring.rule_id,
            func.count(func.distinct(RuleFiring.customer_id)),
            func.count(RuleFiring.id),
            func.count(RuleFiring.id).filter(RuleFiring.status == "capped"),
            func.count(RuleFiring.id).filter(RuleFiring.status == "cancelled"),
            func.count(RuleFiring.draft_id),
            func.count(OutreachDraft.id).filter(OutreachDraft.status == "approved"),
        )
        .outerjoin(OutreachDraft, OutreachDraft.id == RuleFiring.draft_id)
        .where(RuleFiring.workspace_id == workspace_id)
        .group_by(RuleFiring.rule_id)
    )
    rows = {int(r[0]): r[1:] for r in await session.execute(base)}
    # Orders within the window: firings with a later valid order, compared in Python (portable date maths).
    firings = await session.execute(
        select(RuleFiring.rule_id, RuleFiring.customer_id, RuleFiring.fired_at).where(
            RuleFiring.workspace_id == workspace_id
        )
    )
    by_customer: dict[int, list[tuple[int, datetime]]] = {}
    for rule_id, customer_id, fired_at in firings:
        by_customer.setdefault(int(customer_id), []).append((int(rule_id), fired_at))
    ordered: dict[int, int] = {}
    if by_customer:
        ids = list(by_customer)
        for i in range(0, len(ids), 500):
            stmt = select(Order.customer_id, Order.created_at).where(
                Order.customer_id.in_(ids[i : i + 500]), Order.status.in_(VALID_ORDER_STATUSES)
            )
            orders: dict[int, list[datetime]] = {}
            for c, t in await session.execute(stmt):
                orders.setdefault(int(c or 0), []).append(t)
            for c in ids[i : i + 500]:
                for rule_id, fired_at in by_customer[c]:
                    end = fired_at + timedelta(days=outcome_days)
                    if any(fired_at < t <= end for t in orders.get(c, ())):
                        ordered[rule_id] = ordered.get(rule_id, 0) + 1
    return {
        rule_id: RuleStats(*(int(x or 0) for x in r), ordered=ordered.get(rule_id, 0))  # type: ignore[misc]
        for rule_id, r in rows.items()
    }


async def cancel_pending(
    session: AsyncSession, rule_id: int, *, reason: str = "the automation rule was disabled"
) -> tuple[int, int, int]:
    """A disabled rule's pending steps stop: its drafts still waiting for approval are refused, its pending
    reminders deleted and its steps waiting for their day dropped; (drafts, reminders, firings waiting)."""
    rows = (
        await session.execute(
            select(RuleFiring.id, RuleFiring.draft_id, RuleFiring.reminder_ids).where(
                RuleFiring.rule_id == rule_id
            )
        )
    ).all()
    draft_ids = [int(d) for _, d, _ in rows if d is not None]
    reminder_ids = [int(r) for _, _, rs in rows for r in (rs or [])]
    drafts = reminders = 0
    stopped: set[int] = set()
    if draft_ids:
        waiting = (
            await session.scalars(
                select(OutreachDraft.id).where(
                    OutreachDraft.id.in_(draft_ids), OutreachDraft.status == "draft"
                )
            )
        ).all()
        if waiting:
            await session.execute(
                update(OutreachDraft)
                .where(OutreachDraft.id.in_(waiting))
                .values(status="refused", reason=reason)
            )
            drafts = len(waiting)
            stopped |= {f for f, d, _ in rows if d in set(waiting)}
    if reminder_ids:
        pending = (
            await session.scalars(
                select(Reminder.id).where(Reminder.id.in_(reminder_ids), Reminder.status == "pending")
            )
        ).all()
        if pending:
            await session.execute(update(Reminder).where(Reminder.id.in_(pending)).values(status="deleted"))
            reminders = len(pending)
            stopped |= {f for f, _, rs in rows if set(rs or []) & set(pending)}
    held = {
        int(f)
        for (f,) in (
            await session.execute(
                select(RuleFiring.id).where(RuleFiring.rule_id == rule_id, RuleFiring.next_step.is_not(None))
            )
        ).all()
    }
    stopped |= held
    if stopped:
        await session.execute(
            update(RuleFiring)
            .where(RuleFiring.id.in_(stopped))
            .values(status="cancelled", next_step=None, resume_at=None)
        )
    return drafts, reminders, len(held)


# ----------------------------------------------------------------------------------------------- actions
async def add_tag(session: AsyncSession, workspace_id: int, customer_id: int, name: str) -> bool:
    tag = (
        await session.scalars(select(Tag).where(Tag.workspace_id == workspace_id, Tag.name == name))
    ).first()
    if tag is None:
        tag = Tag(workspace_id=workspace_id, name=name, rule=None)
        session.add(tag)
        await session.flush()
    held = await session.scalar(
        select(func.count()).where(CustomerTag.tag_id == tag.id, CustomerTag.customer_id == customer_id)
    )
    if held:
        return False
    session.add(CustomerTag(customer_id=customer_id, tag_id=tag.id, source="manual"))
    await session.flush()
    return True


async def remove_tag(session: AsyncSession, workspace_id: int, customer_id: int, name: str) -> bool:
    tag_id = await session.scalar(select(Tag.id).where(Tag.workspace_id == workspace_id, Tag.name == name))
    if tag_id is None:
        return False
    result = await session.execute(
        delete(CustomerTag).where(CustomerTag.tag_id == tag_id, CustomerTag.customer_id == customer_id)
    )
    return bool(getattr(result, "rowcount", 0))


async def add_points(
    session: AsyncSession, workspace_id: int, customer_id: int, points: int, note: str, at: datetime
) -> None:
    session.add(
        LoyaltyEntry(
            workspace_id=workspace_id,
            customer_id=customer_id,
            points=points,
            reason="adjust",
            note=note,
            created_at=at,
        )
    )
    await session.flush()


async def member(session: AsyncSession, workspace_id: int, who: str) -> TeamMember | None:
    """The active team member a rule names: a Telegram user id, a name, or a role (the first member with it)."""
    stmt = select(TeamMember).where(TeamMember.workspace_id == workspace_id, TeamMember.active.is_(True))
    if who.isdigit():
        stmt = stmt.where(TeamMember.telegram_user_id == int(who))
    else:
        stmt = stmt.where(
            or_(TeamMember.role == who, and_(TeamMember.name.is_not(None), TeamMember.name == who))
        )
    return (await session.scalars(stmt.order_by(TeamMember.id))).first()


async def member_names(session: AsyncSession, workspace_id: int) -> set[str]:
    """What a rule may name a team member by (see `member`): the active members' names, roles and Telegram
    user ids."""
    rows = (
        await session.execute(
            select(TeamMember.name, TeamMember.role, TeamMember.telegram_user_id).where(
                TeamMember.workspace_id == workspace_id, TeamMember.active.is_(True)
            )
        )
    ).all()
    return {str(v) for row in rows for v in row if v is not None and str(v)}


async def lock_customer_drafts(session: AsyncSession, workspace_id: int, customer_id: int) -> None:
    """Take the customer's write lock for the rest of the session's transaction, so that checking the
    frequency cap and writing the draft are one step no other process can come between. Must be the
    transaction's first statement. PostgreSQL: a row lock on the customer (a second process waits here until
    the first commits, then sees its draft: READ COMMITTED reads afresh each statement). SQLite: a write as the
    first statement makes the transaction take the database's write lock at once (waiting for another writer
    as long as the busy timeout), so the check that follows sees everything committed before it."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            select(Customer.id)
            .where(Customer.id == customer_id, Customer.workspace_id == workspace_id)
            .with_for_update()
        )
        return
    await session.execute(
        update(Customer)
        .where(Customer.id == customer_id, Customer.workspace_id == workspace_id)
        .values(workspace_id=Customer.workspace_id)
        .execution_options(synchronize_session=False)
    )
