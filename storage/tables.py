"""The seller's customer database as SQLAlchemy Core tables: one schema for SQLite and PostgreSQL.

The ORM classes of storage.models are mapped onto these tables (storage.models_later declares the tables of the
models no answer reads itself). What only reads with SQL expressions (the answers' queries, opening the
workspace) uses the tables here and never imports the ORM models: `sellermate ask` then declares no mapper
(about 35 ms of its start) and configures none at its first query (about 9 ms); these tables take 10-15 ms.
A column may hold NULL only where it is declared without `nullable=False` (`Mapped[X | None]` on its model;
tests/test_storage.py checks that the two agree).
"""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
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

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _now() -> Any:
    return func.now()


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


workspaces = Table(
    "workspaces",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("base_currency", String(3), default="SGD", nullable=False),
    Column("timezone", String(64), default="Asia/Singapore", nullable=False),
    Column("language", String(8), default="en", nullable=False),
    Column("settings", JSON, default=dict, nullable=False),
    Column("created_at", UTCDateTime, server_default=_now(), nullable=False),
)


stores = Table(
    "stores",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("name", String(200), nullable=False),
    Column("country", String(2)),
    Column("currency", String(3)),
    Column("timezone", String(64)),
    UniqueConstraint("workspace_id", "platform", "name"),
)


customers = Table(
    "customers",
    metadata,
    Column("id", BigId, primary_key=True),
    Column(
        "workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
    ),
    Column("display_name", String(200)),
    Column("country", String(2)),
    Column("language", String(8)),
    # Set when this customer was merged into another (kept so merges can be undone).
    Column("merged_into_id", BigId, ForeignKey("customers.id"), index=True),
    Column("note", Text),
    Column("created_at", UTCDateTime, server_default=_now(), nullable=False),
)


buyer_identities = Table(
    "buyer_identities",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id"), index=True),
    Column("platform", String(32), nullable=False),
    Column("buyer_key", String(255), nullable=False),
    Column("username", String(255)),
    Column("name", String(255)),
    Column("email", String(255)),
    Column("email_norm", String(255)),
    Column("phone", String(64)),
    Column("phone_norm", String(32)),
    Column("country", String(2)),
    Column("accepts_marketing", Boolean),
    # A seller's manual split pins an identity to its customer: automatic merging then leaves it alone.
    Column("pinned", Boolean, default=False, nullable=False),
    Column("created_at", UTCDateTime, server_default=_now(), nullable=False),
    UniqueConstraint("workspace_id", "platform", "buyer_key"),
    Index("ix_buyer_identities_email_norm", "workspace_id", "email_norm"),
    Index("ix_buyer_identities_phone_norm", "workspace_id", "phone_norm"),
)


orders = Table(
    "orders",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("store_id", BigId, ForeignKey("stores.id", ondelete="CASCADE"), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("platform_order_id", String(128), nullable=False),
    Column("identity_id", BigId, ForeignKey("buyer_identities.id"), index=True),
    Column("customer_id", BigId, ForeignKey("customers.id")),
    Column("status", String(16), nullable=False),
    Column("raw_status", String(64)),
    Column("currency", String(3), nullable=False),
    Column("order_value", Money, nullable=False),
    # order_value converted to the workspace base currency; NULL while no rate is known.
    Column("value_base", Money),
    Column("country", String(2)),
    # The country of the order's customer (`analytics.customer_country`, as in customer_order_stats), so a
    # breakdown by country reads the covering index like one by platform instead of looking every order's
    # customer up. Kept by `refresh_order_stats`; the importer writes the order's own country first.
    Column("customer_country", String(2)),
    Column("created_at", UTCDateTime, nullable=False),
    # When this customer's previous valid order was placed: NULL for the first one and for orders that are not
    # valid. Kept by `refresh_order_stats`; turns "distinct customers of a window" into a count of the
    # window's orders whose previous order lies before it.
    Column("previous_order_at", UTCDateTime),
    Column("paid_at", UTCDateTime),
    Column("import_id", BigId, ForeignKey("import_logs.id", ondelete="SET NULL")),
    Column("updated_at", UTCDateTime, server_default=_now(), nullable=False),
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


customer_order_stats = Table(
    "customer_order_stats",
    metadata,
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("first_order", BigInteger, nullable=False),
    Column("last_order", BigInteger, nullable=False),
    Column("orders", Integer, nullable=False),
    Column("value", Money, nullable=False),
    # The customer's country as docs/metrics.md reads it (analytics.customer_country), kept with the rest: every
    # change of it (the importer's refresh of customers) is followed by a refresh of these statistics.
    Column("country", String(2)),
    # The second valid order (UTC epoch seconds, floored; NULL with one): a customer new in a window repeats
    # within it when this is before its end (repeat purchase rate by month without a pass per customer).
    Column("second_order", BigInteger),
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


customer_platform_stats = Table(
    "customer_platform_stats",
    metadata,
    Column(
        "customer_id",
        BigId,
        ForeignKey("customers.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("platform", String(32), primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("first_order", BigInteger, nullable=False),
    Column("last_order", BigInteger, nullable=False),
    Column("orders", Integer, nullable=False),
    Column("value", Money, nullable=False),
    Column("country", String(2)),  # the customer's, as in customer_order_stats
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


order_lines = Table(
    "order_lines",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("order_id", BigId, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("line_no", Integer, nullable=False),
    Column("sku", String(128), index=True),
    Column("product_name", String(500)),
    Column("variation", String(255)),
    Column("quantity", Integer, default=1, nullable=False),
    Column("unit_price", Money),
    Column("line_discount", Money),
    Column("line_total", Money),
    UniqueConstraint("order_id", "line_no"),
)


order_products = Table(
    "order_products",
    metadata,
    Column(
        "workspace_id",
        BigId,
        ForeignKey("workspaces.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("product", String(640), primary_key=True),  # the key; "name:" + name without a SKU
    Column("created_at", UTCDateTime, primary_key=True),  # the order's
    Column("order_id", BigId, primary_key=True, autoincrement=False),
    Column("customer_id", BigId, nullable=False),
    Column("status", String(16), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("units", Integer, nullable=False),
    # Its lines' value in the base currency at the order's rate; NULL while the order has no rate.
    Column("value", Float),
    Column("name", String(500)),  # max() of its lines' names
    sqlite_with_rowid=False,
)


product_months = Table(
    "product_months",
    metadata,
    Column(
        "workspace_id",
        BigId,
        ForeignKey("workspaces.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("product", String(640), primary_key=True),
    Column("month", UTCDateTime, primary_key=True),  # its first instant (UTC)
    Column("status", String(16), primary_key=True),
    Column("platform", String(32), primary_key=True),
    Column("units", Integer, nullable=False),
    Column("value", Float, nullable=False),  # of the rows with a value
    Column("orders", Integer, nullable=False),  # rows: orders containing the product
    Column("unpriced", Integer, nullable=False),  # of them without a value
    Column("name", String(500)),  # max() of the rows' names
    Column("min_name", String(500)),  # min() of the rows' names
    sqlite_with_rowid=False,
)


product_blocks = Table(
    "product_blocks",
    metadata,
    Column(
        "workspace_id",
        BigId,
        ForeignKey("workspaces.id", ondelete="CASCADE"),
        primary_key=True,
        autoincrement=False,
    ),
    Column("month", UTCDateTime, primary_key=True),  # its first instant (UTC)
    Column("generation", Integer, default=0, nullable=False),
    Column("header", Text),  # JSON: row count, dtypes, keys, names, platforms
    Column("data", LargeBinary),
    sqlite_with_rowid=False,
)


interactions = Table(
    "interactions",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id"), nullable=False),
    # chat | review | nps (a 0-10 survey answer) | complaint | return | outreach | note
    Column("kind", String(32), nullable=False),
    Column("channel", String(32)),
    Column("rating", Integer),
    Column("body", Text),
    Column("language", String(8)),
    Column("reason", String(64)),  # a return's or complaint's reason (migration 0013)
    Column("order_id", BigId, ForeignKey("orders.id", ondelete="SET NULL")),
    # The product a review is of, as the order lines name it (platform review exports name a product, not an
    # order; migration 0016); NULL: the products of `order_id`, if any.
    Column("product", String(500)),
    Column("created_by", BigId, ForeignKey("team_members.id", ondelete="SET NULL")),
    Column("occurred_at", UTCDateTime, nullable=False),
    Index("ix_interactions_customer_time", "customer_id", "occurred_at"),
    # The service figures: a workspace's reviews or complaints in a period (migration 0013_service.py).
    Index("ix_interactions_ws_kind_time", "workspace_id", "kind", "occurred_at"),
)


tags = Table(
    "tags",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(64), nullable=False),
    Column("rule", Text),  # NULL for manual tags
    UniqueConstraint("workspace_id", "name"),
)


customer_tags = Table(
    "customer_tags",
    metadata,
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", BigId, ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
    Column("source", String(16), default="manual", nullable=False),  # manual | rule
    Column("created_at", UTCDateTime, server_default=_now(), nullable=False),
)


loyalty_ledger = Table(
    "loyalty_ledger",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id"), nullable=False),
    Column("order_id", BigId, ForeignKey("orders.id", ondelete="SET NULL")),
    Column("points", Integer, nullable=False),
    Column("reason", String(16), nullable=False),  # earn | reverse | redeem | adjust
    Column("note", Text),
    Column("created_by", BigId, ForeignKey("team_members.id", ondelete="SET NULL")),
    Column("created_at", UTCDateTime, server_default=_now(), nullable=False),
    UniqueConstraint("order_id", "reason"),
    Index("ix_loyalty_ledger_customer", "customer_id"),
)


consent_records = Table(
    "consent_records",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("customer_id", BigId, ForeignKey("customers.id"), nullable=False),
    Column("purpose", String(32), default="marketing", nullable=False),
    Column("channel", String(32)),
    Column("granted", Boolean, nullable=False),
    Column("source", String(64)),
    Column("recorded_at", UTCDateTime, nullable=False),
    Index("ix_consent_records_customer", "customer_id", "purpose", "recorded_at"),
)


fx_rates = Table(
    "fx_rates",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("currency", String(3), nullable=False),
    Column("rate", Numeric(24, 12), nullable=False),
    Column("valid_from", Date),
    UniqueConstraint("workspace_id", "currency", "valid_from"),
)


team_members = Table(
    "team_members",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("telegram_user_id", BigInteger, index=True, nullable=False),
    Column("name", String(200)),
    Column("role", String(16), nullable=False),  # owner | admin | agent | viewer
    Column("language", String(8), default="en", nullable=False),
    Column("timezone", String(64)),
    Column("active", Boolean, default=True, nullable=False),
    Column("created_at", UTCDateTime, server_default=_now(), nullable=False),
    UniqueConstraint("workspace_id", "telegram_user_id"),
)


group_chats = Table(
    "group_chats",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("chat_id", BigInteger, unique=True, nullable=False),
    Column("title", String(255)),
    Column("language", String(8), default="en", nullable=False),
    Column("alerts_enabled", Boolean, default=True, nullable=False),
    Column("weekly_digest", Boolean, default=False, nullable=False),
    Column("monthly_review", Boolean, default=False, nullable=False),
    Column("bound_by", BigId, ForeignKey("team_members.id", ondelete="SET NULL")),
    Column("bound_at", UTCDateTime, server_default=_now(), nullable=False),
)


# Why two customers became one (or were split again); undoable. Every shared answer checks the newest merge
# (`analytics._marks`).
merge_events = Table(
    "merge_events",
    metadata,
    Column("id", BigId, primary_key=True),
    Column(
        "workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False, index=True
    ),
    Column("survivor_id", BigId, ForeignKey("customers.id"), nullable=False),
    Column("merged_id", BigId, ForeignKey("customers.id"), nullable=False),
    Column("reason", String(16), nullable=False),  # email | phone | manual | split
    Column("matched_on", String(255)),
    Column("import_id", BigId, ForeignKey("import_logs.id", ondelete="SET NULL")),
    # Identities that moved, so the merge can be undone exactly.
    Column("identity_ids", JSON, default=list, nullable=False),
    Column("created_at", UTCDateTime, server_default=_now(), nullable=False),
    Column("undone_at", UTCDateTime),
)

import_logs = Table(
    "import_logs",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("file_name", String(500), nullable=False),
    Column("file_sha256", String(64)),
    Column("platform", String(32)),
    Column("store_name", String(200)),
    Column("status", String(16), default="running", nullable=False),  # running | done | failed
    Column("rows", Integer, default=0, nullable=False),
    Column("orders_new", Integer, default=0, nullable=False),
    Column("orders_updated", Integer, default=0, nullable=False),
    Column("orders_unchanged", Integer, default=0, nullable=False),
    Column("customers_new", Integer, default=0, nullable=False),
    Column("customers_merged", Integer, default=0, nullable=False),
    Column("rows_rejected", Integer, default=0, nullable=False),
    Column("error", Text),
    Column("started_at", UTCDateTime, server_default=_now(), nullable=False),
    Column("finished_at", UTCDateTime),
)


alert_records = Table(
    "alert_records",
    metadata,
    Column("id", BigId, primary_key=True),
    Column("workspace_id", BigId, ForeignKey("workspaces.id", ondelete="CASCADE"), nullable=False),
    Column("group_chat_id", BigId, ForeignKey("group_chats.id", ondelete="SET NULL")),
    Column("kind", String(32), nullable=False),  # churn | kpi | digest_weekly | digest_monthly
    Column("subject", String(128), nullable=False),  # customer id, KPI name or period
    Column("customer_id", BigId, ForeignKey("customers.id", ondelete="SET NULL")),
    Column("detail", JSON),
    Column("sent_at", UTCDateTime, nullable=False),
    Index("ix_alert_records_lookup", "workspace_id", "kind", "subject", "sent_at"),
)
