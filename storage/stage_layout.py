"""The layout of an import's staged order lines, shared by the importer (crm.importing.staging), its worker
process and the repository that turns them into orders. Plain constants: the worker imports no database code."""

# Columns of a staged row, in order.
STAGE_COLUMNS = ("file_line", "order_ref", "status", "raw_status", "created_at", "paid_at", "currency",
                 "order_total", "line_value", "item_valid", "country", "buyer_key", "sku", "product_name",
                 "variation", "quantity", "unit_price", "line_discount", "line_total")
# UTC, the text SQLite stores for UTCDateTime columns.
STAGE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
