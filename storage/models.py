"""SQLAlchemy 2 models: the seller's customer database (one schema for SQLite and PostgreSQL).

Without `from __future__ import annotations`, unlike the other modules: the 300-odd `Mapped[...]` annotations are
then types when the classes are declared, which SQLAlchemy reads as they are, instead of strings it evaluates
one by one (about 10 ms of every command's start).
"""

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on every backend.

    SQLite keeps no offset, so values are converted to UTC before they are stored or compared; a naive
    value is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value if dialect.name == "sqlite" else value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


MONEY_PRECISION, MONEY_SCALE = 18, 4  # digits in all, digits after the point
Money = Numeric(MONEY_PRECISION, MONEY_SCALE)
# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL gets BIGINT.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: JSON, Decimal: Money, datetime: UTCDateTime}  # noqa: RUF012

    if TYPE_CHECKING:
        # Declarative types it as any FromClause; every model here is mapped to a Table of its own
        # (`__tablename__`), which the bulk statements (insert, update, delete) need.
        __table__: ClassVar[Table]


def _now() -> Any:
    return func.now()


class Workspace(Base):
    __tablename__ = "workspaces"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    base_currency: Mapped[str] = mapped_column(String(3), default="SGD")
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Singapore")
    language: Mapped[str] = mapped_column(String(8), default="en")
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class Store(Base):
    __tablename__ = "stores"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    currency: Mapped[str | None] = mapped_column(String(3))
    timezone: Mapped[str | None] = mapped_column(String(64))


class Customer(Base):
    """One real buyer across platforms; buyer identities point here."""

    __tablename__ = "customers"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    country: Mapped[str | None] = mapped_column(String(2))
    language: Mapped[str | None] = mapped_column(String(8))
    # Set when this customer was merged into another (kept so merges can be undone).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class BuyerIdentity(Base):
    """A buyer as one platform knows them (keyed by the platform's buyer identity)."""

    __tablename__ = "buyer_identities"
    __table_args__ = (
        UniqueConstraint("workspace_id", "platform", "buyer_key"),
        Index("ix_buyer_identities_email_norm", "workspace_id", "email_norm"),
        Index("ix_buyer_identities_phone_norm", "workspace_id", "phone_norm"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    platform: Mapped[str] = mapped_column(String(32))
    buyer_key: Mapped[str] = mapped_column(String(255))
    username: Mapped[str | None] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    email_norm: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    phone_norm: Mapped[str | None] = mapped_column(String(32))
    country: Mapped[str | None] = mapped_column(String(2))
    accepts_marketing: Mapped[bool | None] = mapped_column(Boolean)
    # A seller's manual split pins an identity to its customer: automatic merging then leaves it alone.
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


# An order placed within 1.1 days of the same customer's previous valid order (no calendar day is longer than
# 25 hours): the predicate of the partial index ix_orders_close_repeat, per database, in the words a query must
# use for the planner to pick the index.
CLOSE_REPEAT_SQLITE = (
    "previous_order_at IS NOT NULL AND julianday(created_at) - julianday(previous_order_at) < 1.1"
)
CLOSE_REPEAT_POSTGRESQL = (
    "previous_order_at IS NOT NULL AND created_at - previous_order_at < interval '1.1 days'"
)
# The partial indexes below name their SQLite predicate only. Their PostgreSQL predicates (this one and "value_base
# IS NULL") are written by the migrations that create them (0017, 0019, 0021), which is where every table and
# index comes from on both databases; Alembic's comparison of models and database does not read a predicate.
# Naming one here (postgresql_where=) would make SQLAlchemy import its PostgreSQL dialect to check the keyword
# when this module is imported, about 25 ms of every command on SQLite.


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (
        UniqueConstraint("store_id", "platform_order_id"),
        Index("ix_orders_ws_created", "workspace_id", "created_at"),
        # Covering indexes for the metrics: per-customer probes ("an earlier valid order?") and
        # workspace-wide scans of valid orders read no table rows.
        Index(
            "ix_orders_customer_created",
            "customer_id",
            "created_at",
            "status",
            "platform",
            "value_base",
            "workspace_id",
            "previous_order_at",
        ),
        Index(
            "ix_orders_ws_status_created",
            "workspace_id",
            "status",
            "created_at",
            "customer_id",
            "value_base",
            "platform",
            "previous_order_at",
            "customer_country",
        ),
        # The orders an import created or changed: their customers, lines, points and prices (migration 0007).
        Index("ix_orders_import", "import_id"),
        # Valid orders placed within 1.1 days (26.4 h) of the customer's previous one, the only ones that can
        # share its local calendar day: CLV's purchase days (migration 0017). Partial, so a few percent of the
        # orders; the predicate is repeated word for word by `analytics.close_repeat_orders`.
        Index(
            "ix_orders_close_repeat",
            "workspace_id",
            "status",
            "created_at",
            "customer_id",
            "previous_order_at",
            sqlite_where=text(CLOSE_REPEAT_SQLITE),  # PostgreSQL: CLOSE_REPEAT_POSTGRESQL (migration 0021)
        ),
        # The orders without a value in the base currency (no rate for their currency): the note under an
        # answer counts them per currency (`analytics.unpriced_orders`). Partial, so usually empty and free
        # to keep; without it that count read every order of the period again (0.2 s for all time at 1M).
        Index(
            "ix_orders_unpriced",
            "workspace_id",
            "status",
            "created_at",
            "currency",
            "customer_id",
            "platform",
            sqlite_where=text("value_base IS NULL"),  # PostgreSQL: the same (migration 0019)
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    store_id: Mapped[int] = mapped_column(ForeignKey("stores.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    platform_order_id: Mapped[str] = mapped_column(String(128))
    identity_id: Mapped[int | None] = mapped_column(ForeignKey("buyer_identities.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    status: Mapped[str] = mapped_column(String(16))
    raw_status: Mapped[str | None] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    order_value: Mapped[Decimal] = mapped_column(Money)
    # order_value converted to the workspace base currency; NULL while no rate is known.
    value_base: Mapped[Decimal | None] = mapped_column(Money)
    country: Mapped[str | None] = mapped_column(String(2))
    # The country of the order's customer (`analytics.customer_country`, as in customer_order_stats), so a
    # breakdown by country reads the covering index like one by platform instead of looking every order's
    # customer up. Kept by `refresh_order_stats`; the importer writes the order's own country first.
    customer_country: Mapped[str | None] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When this customer's previous valid order was placed: NULL for the first one and for orders that are not
    # valid. Kept by `refresh_order_stats`; turns "distinct customers of a window" into a count of the
    # window's orders whose previous order lies before it.
    previous_order_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("import_logs.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class CustomerOrderStats(Base):
    """Each customer's valid orders summed up: first, second and last order (UTC epoch seconds), how many, their value
    in the base currency. Kept by the repositories that move or change orders (`refresh_order_stats`), so RFM
    and CLV read one row per customer instead of aggregating every order."""

    __tablename__ = "customer_order_stats"
    __table_args__ = (
        # Covering: the per-workspace read touches the index only.
        Index(
            "ix_customer_order_stats_ws",
            "workspace_id",
            "customer_id",
            "first_order",
            "last_order",
            "orders",
            "value",
            "country",
        ),
        # The newest order (are the statistics the history up to an as-of date?) and new customers in a window
        # (with their second order: did they come back within it?).
        Index("ix_customer_order_stats_ws_last", "workspace_id", "last_order"),
        Index("ix_customer_order_stats_ws_first", "workspace_id", "first_order", "second_order"),
    )
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    first_order: Mapped[int] = mapped_column(BigInteger)
    last_order: Mapped[int] = mapped_column(BigInteger)
    orders: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Money)
    # The second valid order (UTC epoch seconds, floored; NULL with one): a customer new in a window repeats
    # within it when this is before its end (repeat purchase rate by month without a pass per customer).
    second_order: Mapped[int | None] = mapped_column(BigInteger)
    # The customer's country as docs/metrics.md reads it (analytics.customer_country), kept with the rest: every
    # change of it (the importer's refresh of customers) is followed by a refresh of these statistics.
    country: Mapped[str | None] = mapped_column(String(2))


class CustomerPlatformStats(Base):
    """`customer_order_stats` per platform: each customer's valid orders on one platform summed up (first and
    last order in UTC epoch seconds, how many, their value in the base currency). docs/metrics.md's "first
    order" and "two orders" on a platform are then one row per customer and platform instead of a probe of
    the customer's earlier orders: new customers, repeat purchase rate and LTV by platform, or on one. Kept
    with customer_order_stats by `refresh_order_stats`."""

    __tablename__ = "customer_platform_stats"
    __table_args__ = (
        # Covering: every figure read from these rows reads this index only (a breakdown by platform in
        # platform order); no other index, each one costing every import its upkeep.
        Index(
            "ix_customer_platform_stats_ws",
            "workspace_id",
            "platform",
            "customer_id",
            "first_order",
            "last_order",
            "orders",
            "value",
            "country",
        ),
    )
    customer_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    first_order: Mapped[int] = mapped_column(BigInteger)
    last_order: Mapped[int] = mapped_column(BigInteger)
    orders: Mapped[int] = mapped_column(Integer)
    value: Mapped[Decimal] = mapped_column(Money)
    country: Mapped[str | None] = mapped_column(String(2))  # the customer's, as in customer_order_stats


class OrderLine(Base):
    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str | None] = mapped_column(String(128), index=True)
    product_name: Mapped[str | None] = mapped_column(String(500))
    variation: Mapped[str | None] = mapped_column(String(255))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    unit_price: Mapped[Decimal | None] = mapped_column(Money)
    line_discount: Mapped[Decimal | None] = mapped_column(Money)
    line_total: Mapped[Decimal | None] = mapped_column(Money)


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
    __table_args__ = ({"sqlite_with_rowid": False},)
    workspace_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    product: Mapped[str] = mapped_column(
        String(640), primary_key=True
    )  # the key; "name:" + name without a SKU
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # the order's
    order_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    customer_id: Mapped[int] = mapped_column(BigId)
    status: Mapped[str] = mapped_column(String(16))
    platform: Mapped[str] = mapped_column(String(32))
    units: Mapped[int] = mapped_column(Integer)
    # Its lines' value in the base currency at the order's rate; NULL while the order has no rate.
    value: Mapped[float | None] = mapped_column(Float)
    name: Mapped[str | None] = mapped_column(String(500))  # max() of its lines' names


class ProductMonth(Base):
    """`order_products` summed per (product, UTC calendar month, status, platform): a best-seller list of a long
    period reads its whole months here and only the days at either end from `order_products` (a year at
    1,000,000 orders: 6,000 rows instead of 850,000). Kept by `write_order_products`, which rewrites the months
    of the rows it deletes and writes."""

    __tablename__ = "product_months"
    __table_args__ = ({"sqlite_with_rowid": False},)
    workspace_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    product: Mapped[str] = mapped_column(String(640), primary_key=True)
    month: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # its first instant (UTC)
    status: Mapped[str] = mapped_column(String(16), primary_key=True)
    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    units: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)  # of the rows with a value
    orders: Mapped[int] = mapped_column(Integer)  # rows: orders containing the product
    unpriced: Mapped[int] = mapped_column(Integer)  # of them without a value
    name: Mapped[str | None] = mapped_column(String(500))  # max() of the rows' names
    min_name: Mapped[str | None] = mapped_column(String(500))  # min() of the rows' names


class ProductBlock(Base):
    """One UTC calendar month of a workspace's `order_products` rows as packed NumPy columns
    (storage.repositories.product_blocks): a product figure over a year or all time reads a dozen or a few dozen
    of these instead of up to 1.5 million rows (at 1,000,000 orders the rows alone cost 0.4-1.5 s to read and
    decode). A row exists for every month that has rows; `write_order_products` bumps `generation` and clears
    the data of each month whose rows it changed, and the first read after that packs them again and stores
    them only if the generation it started from is still current."""

    __tablename__ = "product_blocks"
    __table_args__ = ({"sqlite_with_rowid": False},)
    workspace_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    month: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)  # its first instant (UTC)
    generation: Mapped[int] = mapped_column(Integer, default=0)
    header: Mapped[str | None] = mapped_column(Text)  # JSON: row count, dtypes, keys, names, platforms
    data: Mapped[bytes | None] = mapped_column(LargeBinary)


class Interaction(Base):
    """Chats, reviews, complaints, returns, notes and outreach sent: everything that counts as contact."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_customer_time", "customer_id", "occurred_at"),
        # The service figures: a workspace's reviews or complaints in a period (migration 0013_service.py).
        Index("ix_interactions_ws_kind_time", "workspace_id", "kind", "occurred_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    # chat | review | nps (a 0-10 survey answer) | complaint | return | outreach | note
    kind: Mapped[str] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(32))
    rating: Mapped[int | None] = mapped_column(Integer)
    body: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(
        String(64)
    )  # a return's or complaint's reason (migration 0013)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    # The product a review is of, as the order lines name it (platform review exports name a product, not an
    # order; migration 0016); NULL: the products of `order_id`, if any.
    product: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Tag(Base):
    __tablename__ = "tags"
    __table_args__ = (UniqueConstraint("workspace_id", "name"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    rule: Mapped[str | None] = mapped_column(Text)  # NULL for manual tags


class CustomerTag(Base):
    __tablename__ = "customer_tags"
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(
        ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual | rule
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class LoyaltyEntry(Base):
    """Points ledger: balances are always the sum of entries, so each one can be explained."""

    __tablename__ = "loyalty_ledger"
    __table_args__ = (
        UniqueConstraint("order_id", "reason"),
        Index("ix_loyalty_ledger_customer", "customer_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id", ondelete="SET NULL"))
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))  # earn | reverse | redeem | adjust
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class ConsentRecord(Base):
    """Consent is a history: the latest record per (customer, purpose) wins."""

    __tablename__ = "consent_records"
    __table_args__ = (Index("ix_consent_records_customer", "customer_id", "purpose", "recorded_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    purpose: Mapped[str] = mapped_column(String(32), default="marketing")
    channel: Mapped[str | None] = mapped_column(String(32))
    granted: Mapped[bool] = mapped_column(Boolean)
    source: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FxRate(Base):
    __tablename__ = "fx_rates"
    __table_args__ = (UniqueConstraint("workspace_id", "currency", "valid_from"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(Numeric(24, 12))
    valid_from: Mapped[date | None] = mapped_column(Date)


class TeamMember(Base):
    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("workspace_id", "telegram_user_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    telegram_user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # owner | admin | agent | viewer
    language: Mapped[str] = mapped_column(String(8), default="en")
    timezone: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class GroupChat(Base):
    __tablename__ = "group_chats"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    title: Mapped[str | None] = mapped_column(String(255))
    language: Mapped[str] = mapped_column(String(8), default="en")
    alerts_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    monthly_review: Mapped[bool] = mapped_column(Boolean, default=False)
    bound_by: Mapped[int | None] = mapped_column(ForeignKey("team_members.id", ondelete="SET NULL"))
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())


class ImportLog(Base):
    __tablename__ = "import_logs"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    platform: Mapped[str | None] = mapped_column(String(32))
    store_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="running")  # running | done | failed
    rows: Mapped[int] = mapped_column(Integer, default=0)
    orders_new: Mapped[int] = mapped_column(Integer, default=0)
    orders_updated: Mapped[int] = mapped_column(Integer, default=0)
    orders_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    customers_new: Mapped[int] = mapped_column(Integer, default=0)
    customers_merged: Mapped[int] = mapped_column(Integer, default=0)
    rows_rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, server_default=_now())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AlertRecord(Base):
    __tablename__ = "alert_records"
    __table_args__ = (Index("ix_alert_records_lookup", "workspace_id", "kind", "subject", "sent_at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    group_chat_id: Mapped[int | None] = mapped_column(ForeignKey("group_chats.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(32))  # churn | kpi | digest_weekly | digest_monthly
    subject: Mapped[str] = mapped_column(String(128))  # customer id, KPI name or period
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


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
        "MergeEvent",
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
    from storage.models_later import MergeEvent as MergeEvent
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
