"""SQLAlchemy 2 models: the seller's customer database (one schema for SQLite and PostgreSQL), as ORM classes.

The tables themselves, with their columns, keys, indexes and what they mean, are storage.tables (SQLAlchemy
Core): each class here is mapped onto its table (`__table__`), its `Mapped[...]` annotations typing the
attributes for type checkers. Code that only reads with SQL expressions can use storage.tables without importing
this module (declaring the mappers is about 35 ms of a command's start); storage.models_later declares the
models no answer reads, with their tables, when they are first named.
"""

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import JSON, Table
from sqlalchemy.orm import DeclarativeBase, Mapped

from storage import tables
from storage.tables import CLOSE_REPEAT_POSTGRESQL as CLOSE_REPEAT_POSTGRESQL
from storage.tables import CLOSE_REPEAT_SQLITE as CLOSE_REPEAT_SQLITE
from storage.tables import MONEY_PRECISION as MONEY_PRECISION
from storage.tables import MONEY_SCALE as MONEY_SCALE
from storage.tables import NAMING_CONVENTION as NAMING_CONVENTION
from storage.tables import BigId as BigId
from storage.tables import Money as Money
from storage.tables import UTCDateTime as UTCDateTime
from storage.tables import _now as _now


class Base(DeclarativeBase):
    metadata = tables.metadata
    type_annotation_map = {dict[str, Any]: JSON, Decimal: Money, datetime: UTCDateTime}  # noqa: RUF012

    if TYPE_CHECKING:
        # Declarative types it as any FromClause; every model here is mapped to a Table of its own
        # (`__tablename__`), which the bulk statements (insert, update, delete) need.
        __table__: ClassVar[Table]


class Workspace(Base):
    __tablename__ = "workspaces"
    __table__ = tables.workspaces
    id: Mapped[int]
    name: Mapped[str]
    base_currency: Mapped[str]
    timezone: Mapped[str]
    language: Mapped[str]
    settings: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]


class Store(Base):
    __tablename__ = "stores"
    __table__ = tables.stores
    id: Mapped[int]
    workspace_id: Mapped[int]
    platform: Mapped[str]
    name: Mapped[str]
    country: Mapped[str | None]
    currency: Mapped[str | None]
    timezone: Mapped[str | None]


class Customer(Base):
    """One real buyer across platforms; buyer identities point here."""

    __tablename__ = "customers"
    __table__ = tables.customers
    id: Mapped[int]
    workspace_id: Mapped[int]
    display_name: Mapped[str | None]
    country: Mapped[str | None]
    language: Mapped[str | None]
    merged_into_id: Mapped[int | None]
    note: Mapped[str | None]
    created_at: Mapped[datetime]


class BuyerIdentity(Base):
    """A buyer as one platform knows them (keyed by the platform's buyer identity)."""

    __tablename__ = "buyer_identities"
    __table__ = tables.buyer_identities
    id: Mapped[int]
    workspace_id: Mapped[int]
    customer_id: Mapped[int | None]
    platform: Mapped[str]
    buyer_key: Mapped[str]
    username: Mapped[str | None]
    name: Mapped[str | None]
    email: Mapped[str | None]
    email_norm: Mapped[str | None]
    phone: Mapped[str | None]
    phone_norm: Mapped[str | None]
    country: Mapped[str | None]
    accepts_marketing: Mapped[bool | None]
    pinned: Mapped[bool]
    created_at: Mapped[datetime]


class Order(Base):
    __tablename__ = "orders"
    __table__ = tables.orders
    id: Mapped[int]
    workspace_id: Mapped[int]
    store_id: Mapped[int]
    platform: Mapped[str]
    platform_order_id: Mapped[str]
    identity_id: Mapped[int | None]
    customer_id: Mapped[int | None]
    status: Mapped[str]
    raw_status: Mapped[str | None]
    currency: Mapped[str]
    order_value: Mapped[Decimal]
    value_base: Mapped[Decimal | None]
    country: Mapped[str | None]
    customer_country: Mapped[str | None]
    created_at: Mapped[datetime]
    previous_order_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    import_id: Mapped[int | None]
    updated_at: Mapped[datetime]


class CustomerOrderStats(Base):
    """Each customer's valid orders summed up: first, second and last order (UTC epoch seconds), how many, their
    value in the base currency. Kept by the repositories that move or change orders (`refresh_order_stats`), so RFM
    and CLV read one row per customer instead of aggregating every order."""

    __tablename__ = "customer_order_stats"
    __table__ = tables.customer_order_stats
    customer_id: Mapped[int]
    workspace_id: Mapped[int]
    first_order: Mapped[int]
    last_order: Mapped[int]
    orders: Mapped[int]
    value: Mapped[Decimal]
    country: Mapped[str | None]
    second_order: Mapped[int | None]


class CustomerPlatformStats(Base):
    """`customer_order_stats` per platform: each customer's valid orders on one platform summed up (first and
    last order in UTC epoch seconds, how many, their value in the base currency). docs/metrics.md's "first
    order" and "two orders" on a platform are then one row per customer and platform instead of a probe of
    the customer's earlier orders: new customers, repeat purchase rate and LTV by platform, or on one. Kept
    with customer_order_stats by `refresh_order_stats`."""

    __tablename__ = "customer_platform_stats"
    __table__ = tables.customer_platform_stats
    customer_id: Mapped[int]
    platform: Mapped[str]
    workspace_id: Mapped[int]
    first_order: Mapped[int]
    last_order: Mapped[int]
    orders: Mapped[int]
    value: Mapped[Decimal]
    country: Mapped[str | None]


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table__ = tables.order_lines
    id: Mapped[int]
    order_id: Mapped[int]
    line_no: Mapped[int]
    sku: Mapped[str | None]
    product_name: Mapped[str | None]
    variation: Mapped[str | None]
    quantity: Mapped[int]
    unit_price: Mapped[Decimal | None]
    line_discount: Mapped[Decimal | None]
    line_total: Mapped[Decimal | None]


class OrderProduct(Base):
    """One row per product of each valid or returned order that has a customer: the order's lines of that product
    (docs/metrics.md, "Products": its SKU, else its normalised name) summed up, beside the order's own columns.
    Every product figure reads these rows instead of joining every line of a period to its order and working out
    its product and base-currency value per line (1.5-7 s at 1,000,000 orders). Kept by `refresh_order_stats`
    with the customer statistics, so every path that adds, changes, moves or re-prices orders keeps it.

    The primary key is the table's only index and its order (SQLite: no rowid): a product's rows of a period
    are one range of it, already grouped. Any other index would be written in random order by every import,
    as this one is unless a whole workspace is rewritten in its order (storage.repositories.order_products).
    No foreign key to the order either: orders are never deleted but with their workspace, which this table
    follows."""

    __tablename__ = "order_products"
    __table__ = tables.order_products
    workspace_id: Mapped[int]
    product: Mapped[str]
    created_at: Mapped[datetime]
    order_id: Mapped[int]
    customer_id: Mapped[int]
    status: Mapped[str]
    platform: Mapped[str]
    units: Mapped[int]
    value: Mapped[float | None]
    name: Mapped[str | None]


class ProductMonth(Base):
    """`order_products` summed per (product, UTC calendar month, status, platform): a best-seller list of a long
    period reads its whole months here and only the days at either end from `order_products` (a year at
    1,000,000 orders: 6,000 rows instead of 850,000). Kept by `write_order_products`, which rewrites the months
    of the rows it deletes and writes."""

    __tablename__ = "product_months"
    __table__ = tables.product_months
    workspace_id: Mapped[int]
    product: Mapped[str]
    month: Mapped[datetime]
    status: Mapped[str]
    platform: Mapped[str]
    units: Mapped[int]
    value: Mapped[float]
    orders: Mapped[int]
    unpriced: Mapped[int]
    name: Mapped[str | None]
    min_name: Mapped[str | None]


class ProductBlock(Base):
    """One UTC calendar month of a workspace's `order_products` rows as packed NumPy columns
    (storage.repositories.product_blocks): a product figure over a year or all time reads a dozen or a few dozen
    of these instead of up to 1.5 million rows (at 1,000,000 orders the rows alone cost 0.4-1.5 s to read and
    decode). A row exists for every month that has rows; `write_order_products` bumps `generation` and clears
    the data of each month whose rows it changed, and the first read after that packs them again and stores
    them only if the generation it started from is still current."""

    __tablename__ = "product_blocks"
    __table__ = tables.product_blocks
    workspace_id: Mapped[int]
    month: Mapped[datetime]
    generation: Mapped[int]
    header: Mapped[str | None]
    data: Mapped[bytes | None]


class Interaction(Base):
    """Chats, reviews, complaints, returns, notes and outreach sent: everything that counts as contact."""

    __tablename__ = "interactions"
    __table__ = tables.interactions
    id: Mapped[int]
    workspace_id: Mapped[int]
    customer_id: Mapped[int]
    kind: Mapped[str]
    channel: Mapped[str | None]
    rating: Mapped[int | None]
    body: Mapped[str | None]
    language: Mapped[str | None]
    reason: Mapped[str | None]
    order_id: Mapped[int | None]
    product: Mapped[str | None]
    created_by: Mapped[int | None]
    occurred_at: Mapped[datetime]


class Tag(Base):
    __tablename__ = "tags"
    __table__ = tables.tags
    id: Mapped[int]
    workspace_id: Mapped[int]
    name: Mapped[str]
    rule: Mapped[str | None]


class CustomerTag(Base):
    __tablename__ = "customer_tags"
    __table__ = tables.customer_tags
    customer_id: Mapped[int]
    tag_id: Mapped[int]
    source: Mapped[str]
    created_at: Mapped[datetime]


class LoyaltyEntry(Base):
    """Points ledger: balances are always the sum of entries, so each one can be explained."""

    __tablename__ = "loyalty_ledger"
    __table__ = tables.loyalty_ledger
    id: Mapped[int]
    workspace_id: Mapped[int]
    customer_id: Mapped[int]
    order_id: Mapped[int | None]
    points: Mapped[int]
    reason: Mapped[str]
    note: Mapped[str | None]
    created_by: Mapped[int | None]
    created_at: Mapped[datetime]


class ConsentRecord(Base):
    """Consent is a history: the latest record per (customer, purpose) wins."""

    __tablename__ = "consent_records"
    __table__ = tables.consent_records
    id: Mapped[int]
    workspace_id: Mapped[int]
    customer_id: Mapped[int]
    purpose: Mapped[str]
    channel: Mapped[str | None]
    granted: Mapped[bool]
    source: Mapped[str | None]
    recorded_at: Mapped[datetime]


class FxRate(Base):
    __tablename__ = "fx_rates"
    __table__ = tables.fx_rates
    id: Mapped[int]
    workspace_id: Mapped[int]
    currency: Mapped[str]
    rate: Mapped[Decimal]
    valid_from: Mapped[date | None]


class TeamMember(Base):
    __tablename__ = "team_members"
    __table__ = tables.team_members
    id: Mapped[int]
    workspace_id: Mapped[int]
    telegram_user_id: Mapped[int]
    name: Mapped[str | None]
    role: Mapped[str]
    language: Mapped[str]
    timezone: Mapped[str | None]
    active: Mapped[bool]
    created_at: Mapped[datetime]


class GroupChat(Base):
    __tablename__ = "group_chats"
    __table__ = tables.group_chats
    id: Mapped[int]
    workspace_id: Mapped[int]
    chat_id: Mapped[int]
    title: Mapped[str | None]
    language: Mapped[str]
    alerts_enabled: Mapped[bool]
    weekly_digest: Mapped[bool]
    monthly_review: Mapped[bool]
    bound_by: Mapped[int | None]
    bound_at: Mapped[datetime]


class ImportLog(Base):
    __tablename__ = "import_logs"
    __table__ = tables.import_logs
    id: Mapped[int]
    workspace_id: Mapped[int]
    file_name: Mapped[str]
    file_sha256: Mapped[str | None]
    platform: Mapped[str | None]
    store_name: Mapped[str | None]
    status: Mapped[str]
    rows: Mapped[int]
    orders_new: Mapped[int]
    orders_updated: Mapped[int]
    orders_unchanged: Mapped[int]
    customers_new: Mapped[int]
    customers_merged: Mapped[int]
    rows_rejected: Mapped[int]
    error: Mapped[str | None]
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class MergeEvent(Base):
    """Why two customers became one (or were split again); undoable (table: storage/tables.py)."""

    __tablename__ = "merge_events"
    __table__ = tables.merge_events
    id: Mapped[int]
    workspace_id: Mapped[int]
    survivor_id: Mapped[int]
    merged_id: Mapped[int]
    reason: Mapped[str]
    matched_on: Mapped[str | None]
    import_id: Mapped[int | None]
    identity_ids: Mapped[list[int]]
    created_at: Mapped[datetime]
    undone_at: Mapped[datetime | None]


class AlertRecord(Base):
    __tablename__ = "alert_records"
    __table__ = tables.alert_records
    id: Mapped[int]
    workspace_id: Mapped[int]
    group_chat_id: Mapped[int | None]
    kind: Mapped[str]
    subject: Mapped[str]
    customer_id: Mapped[int | None]
    detail: Mapped[dict[str, Any] | None]
    sent_at: Mapped[datetime]


# The models no answer reads are declared when first named (storage/models_later.py says why): these names
# resolve through __getattr__ below. Type checkers see them as if they were declared here.
DECLARED_LATER = frozenset(
    {
        "AccessAttempt",
        "AuditEvent",
        "AutomationRule",
        "BehaviourEvent",
        "ConversationState",
        "ErasedBuyer",
        "ImportRejection",
        "Invite",
        "OutreachDraft",
        "ProcessLease",
        "Product",
        "Reminder",
        "RuleFiring",
    }
)

if TYPE_CHECKING:
    from storage.models_later import AccessAttempt as AccessAttempt
    from storage.models_later import AuditEvent as AuditEvent
    from storage.models_later import AutomationRule as AutomationRule
    from storage.models_later import BehaviourEvent as BehaviourEvent
    from storage.models_later import ConversationState as ConversationState
    from storage.models_later import ErasedBuyer as ErasedBuyer
    from storage.models_later import ImportRejection as ImportRejection
    from storage.models_later import Invite as Invite
    from storage.models_later import OutreachDraft as OutreachDraft
    from storage.models_later import ProcessLease as ProcessLease
    from storage.models_later import Product as Product
    from storage.models_later import Reminder as Reminder
    from storage.models_later import RuleFiring as RuleFiring


def __getattr__(name: str) -> Any:
    if name in DECLARED_LATER:
        from storage import models_later

        return getattr(models_later, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def declare_all() -> None:
    """Declare every model, so that Base.metadata holds every table (for whatever reads the whole schema)."""
    from storage import models_later  # noqa: F401
