"""The models no answer to a question reads: team and access, outreach and automation, reminders, audit and
data rights, import rejections, process leases, the product catalogue and behaviour events.

They are declared when one of them is first named (`from storage.models import AuditEvent` or
`storage.models.AuditEvent`: storage.models' module `__getattr__` imports this module), not with storage.models:
declaring a model costs SQLAlchemy about 0.2 ms a column, and a `sellermate ask` needs none of these ~120 columns.
Whatever reads the whole schema (Base.metadata: migrations, tests) calls storage.models.declare_all() first.
Every table the models of storage.models refer to by foreign key is declared there (a flush sorts tables by
their foreign keys); tests/test_storage.py checks it. Like storage.models, no `from __future__ import annotations`.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, BigId, Money, UTCDateTime, _now


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("workspace_id", "sku"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(128))
    name: Mapped[str | None] = mapped_column(String(500))
    category: Mapped[str | None] = mapped_column(String(200))
    # Typical days between repeat purchases, for replenishment reminders.
    replenish_days: Mapped[int | None] = mapped_column(Integer)


class BehaviourEvent(Base):
    __tablename__ = "behaviour_events"
    __table_args__ = (Index("ix_behaviour_events_customer_time", "customer_id", "occurred_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("buyer_identities.id"))
    kind: Mapped[str] = mapped_column(String(32))  # view | add_to_cart | abandoned_cart
    sku: Mapped[str | None] = mapped_column(String(128))
    product_name: Mapped[str | None] = mapped_column(String(500))
    value: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Invite(Base):
    __tablename__ = "invites"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    used_by: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AccessAttempt(Base):
    """Refused users, logged so an owner can see who knocked."""

    __tablename__ = "access_attempts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    username: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(String(500))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class ImportRejection(Base):
    __tablename__ = "import_rejections"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("import_logs.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    order_ref: Mapped[str | None] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)


class Reminder(Base):
    __tablename__ = "reminders"
    __table_args__ = (Index("ix_reminders_status_due", "status", "due_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(
        String(16), default="pending"
    )  # pending | fired | done | missed | deleted
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    fired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())
    # reminder | assignment (a churn alert's customer someone took: one pending assignment per customer)
    kind: Mapped[str] = mapped_column(String(16), default="reminder", server_default="reminder")


class OutreachDraft(Base):
    __tablename__ = "outreach_drafts"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(
        ForeignKey("customers.id", ondelete="SET NULL"), index=True
    )
    segment: Mapped[str | None] = mapped_column(String(64))
    intent: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    variants: Mapped[list[str] | None] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(String(16))  # llm | template
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | approved | refused
    reason: Mapped[str | None] = mapped_column(Text)  # why a refused draft was refused
    # What was asked for (brief, festival, offer, parent draft, warnings), so a revision repeats the request.
    request: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConversationState(Base):
    """Where a person's conversation with the bot stands (aiogram FSM state and data), one row per chat and user.

    Kept in the product's own database when no Redis is configured, so an open prompt survives a restart.
    `key` is aiogram's storage key (bot, chat, user, ...); a row exists only while a state or data is set.
    """

    __tablename__ = "fsm_states"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class ProcessLease(Base):
    """A role on this database that one process at a time may hold ("bot": the Telegram bot that is not a
    replica; "scheduler": whoever runs the scheduled jobs), claimed until `expires_at` and renewed while the
    process runs (storage.repositories.leases)."""

    __tablename__ = "process_leases"
    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))  # a random id per process start
    command: Mapped[str] = mapped_column(String(32))  # run | worker
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    # Names the holding process exactly on its machine (boot, pid namespace, pid, start time), so that a process
    # there can tell at once that it died; None where the system does not tell.
    process_key: Mapped[str | None] = mapped_column(String(255))
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AuditEvent(Base):
    """Who viewed, exported, changed, merged, erased, approved or ran what, and when (`/audit`, `sellermate
    audit`). Written in the same transaction as the act it records; never holds a customer's personal data,
    only ids and counts."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_ws_at", "workspace_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(64))  # "telegram" (with member_id), "cli", "scheduler"
    action: Mapped[str] = mapped_column(String(32))  # crm.audit.ACTIONS
    subject: Mapped[str | None] = mapped_column(String(128))  # "customer:12", "draft:7", "import:3", ...
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class AutomationRule(Base):
    """A retention rule: a trigger, an optional condition over the tag-rule fields and its actions
    (crm.automation). Rules from config.yaml are kept here too (`source` "config"), so their firings have a row
    to point at; a rule starts disabled until a dry run was seen and it is enabled."""

    __tablename__ = "automation_rules"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    # crm.automation.rules.RuleSpec as data: trigger, its parameter, condition, actions.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16), default="db")  # db | config
    created_by: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class RuleFiring(Base):
    """One rule fired for one customer on one triggering event: the unique key makes evaluation idempotent
    across restarts and concurrent processes. `status`: done | capped (a promotional draft held back by the
    frequency cap) | waiting (steps after a wait are due at `resume_at`) | running (those steps taken by a
    process) | cancelled (the rule was disabled while its steps were pending) | failed (a remind named a team
    member no longer on the team: none of the step's actions were done)."""

    __tablename__ = "rule_firings"
    __table_args__ = (
        UniqueConstraint("rule_id", "customer_id", "event_key"),
        Index("ix_rule_firings_customer", "customer_id", "fired_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    rule_id: Mapped[int] = mapped_column(ForeignKey("automation_rules.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"))
    event_key: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16), default="done")
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("outreach_drafts.id", ondelete="SET NULL"))
    reminder_ids: Mapped[list[int] | None] = mapped_column(JSON)
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The steps after a wait: the first of them, and when they are due (NULL: nothing waiting).
    next_step: Mapped[int | None] = mapped_column(Integer)
    resume_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ErasedBuyer(Base):
    """A keyed digest (HMAC-SHA256 with the workspace's own random key) of one identity of an erased buyer:
    platform and buyer id, normalised email or normalised phone. Nothing in it names the person; an import
    skips the rows whose buyer matches one, so an old export does not bring an erased customer back."""

    __tablename__ = "erased_buyers"
    __table_args__ = (UniqueConstraint("workspace_id", "digest"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())
