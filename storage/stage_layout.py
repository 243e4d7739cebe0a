"""The layout of an import's staged order lines, shared by the importer (crm.importing.staging), its worker
process and the repository that turns them into orders. Plain constants: the worker imports no database code."""

# Columns of a staged row, in order, with their SQLite types (a worker's stage file; the importer's own stage
# table, which PostgreSQL holds too, is storage.repositories.imports.stage_table).
STAGE_LAYOUT = (
    ("file_line", "INTEGER"), ("order_ref", "TEXT"), ("status", "TEXT"), ("raw_status", "TEXT"),
    ("created_at", "TEXT"), ("paid_at", "TEXT"), ("currency", "TEXT"), ("order_total", "REAL"),
    ("line_value", "REAL"), ("item_valid", "INTEGER"), ("country", "TEXT"), ("buyer_key", "TEXT"), ("sku", "TEXT"),
    ("product_name", "TEXT"), ("variation", "TEXT"), ("quantity", "INTEGER"), ("unit_price", "REAL"),
    ("line_discount", "REAL"), ("line_total", "REAL"),
)
STAGE_COLUMNS = tuple(name for name, _ in STAGE_LAYOUT)
# UTC, the text SQLite stores for UTCDateTime columns.
STAGE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
