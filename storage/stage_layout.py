"""The layout of an import's staged order lines, and the stage file they are written to on SQLite; shared by the
importer (crm.importing.staging), its worker process and the repository that turns them into orders. No
SQLAlchemy here: the worker imports no database code."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

# Columns of a staged row, in order, with their SQLite types (a stage file's; the stage tables PostgreSQL holds
# are storage.repositories.imports.session_stage).
STAGE_LAYOUT = (
    ("file_line", "INTEGER"),
    ("order_ref", "TEXT"),
    ("status", "TEXT"),
    ("raw_status", "TEXT"),
    ("created_at", "TEXT"),
    ("paid_at", "TEXT"),
    ("currency", "TEXT"),
    ("order_total", "REAL"),
    ("line_value", "REAL"),
    ("item_valid", "INTEGER"),
    ("country", "TEXT"),
    ("buyer_key", "TEXT"),
    ("sku", "TEXT"),
    ("product_name", "TEXT"),
    ("variation", "TEXT"),
    ("quantity", "INTEGER"),
    ("unit_price", "REAL"),
    ("line_discount", "REAL"),
    ("line_total", "REAL"),
    ("category", "TEXT"),
)
STAGE_COLUMNS = tuple(name for name, _ in STAGE_LAYOUT)
# UTC, the text SQLite stores for UTCDateTime columns.
STAGE_TIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
# The staged lines' table in a stage file.
STAGE_TABLE = "stage"
# A row rejected while staging or preparing: line number, order id, reason.
BadRow = tuple[int, "str | None", str]


def connect_stage_file(path: Path) -> sqlite3.Connection:
    """A connection to a stage file. Scratch space, not customer data: no journal and no syncing (the import's
    own transaction is what must survive a crash). Autocommit unless a transaction is begun; usable from one
    thread at a time, which need not be the one that connected."""
    con = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    return con


class StageFile:
    """A stage file being written: staged rows (STAGE_LAYOUT) in table STAGE_TABLE of a SQLite file of its own
    (`connect_stage_file`). Rows are appended in batches by one thread at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path
        con = connect_stage_file(path)
        con.execute(f"CREATE TABLE {STAGE_TABLE} ({', '.join(f'{n} {t}' for n, t in STAGE_LAYOUT)})")
        self._insert = f"INSERT INTO {STAGE_TABLE} VALUES ({', '.join('?' for _ in STAGE_COLUMNS)})"
        con.execute("BEGIN")
        self._con: sqlite3.Connection | None = con  # None once closed

    def append(self, rows: Sequence[tuple[object, ...]]) -> None:
        assert self._con is not None, "rows appended to a closed stage file"
        self._con.executemany(self._insert, rows)

    def close(self) -> None:
        """Commit what was written and close the file (again: nothing)."""
        if self._con is None:
            return
        con, self._con = self._con, None
        try:
            if con.in_transaction:
                con.execute("COMMIT")
        finally:
            con.close()


def buyers_only_of(paths: Sequence[Path], refs: Iterable[str]) -> set[str]:
    """The buyers on the staged lines of the orders `refs` who are on the lines of no other order, over the
    stage files `paths` (written and closed): the buyers an import must not bring in when it rejects those
    orders. Two scans of each file; for the few orders a file rejects while it is read."""
    cons = [connect_stage_file(p) for p in paths]
    try:
        for con in cons:
            con.execute("CREATE TEMP TABLE gone (ref TEXT PRIMARY KEY)")
            con.executemany("INSERT OR IGNORE INTO gone VALUES (?)", ((r,) for r in refs))
        candidates: set[str] = set()
        for con in cons:
            candidates.update(
                k
                for (k,) in con.execute(
                    f"SELECT DISTINCT buyer_key FROM {STAGE_TABLE} WHERE buyer_key IS NOT NULL "
                    "AND order_ref IN (SELECT ref FROM gone)"
                )
            )
        if not candidates:
            return set()
        kept: set[str] = set()
        for con in cons:
            con.execute("CREATE TEMP TABLE candidate (key TEXT PRIMARY KEY)")
            con.executemany("INSERT INTO candidate VALUES (?)", ((k,) for k in candidates))
            kept.update(
                k
                for (k,) in con.execute(
                    f"SELECT DISTINCT buyer_key FROM {STAGE_TABLE} WHERE buyer_key IN (SELECT key FROM candidate) "
                    "AND order_ref NOT IN (SELECT ref FROM gone)"
                )
            )
        return candidates - kept
    finally:
        for con in cons:
            con.close()
