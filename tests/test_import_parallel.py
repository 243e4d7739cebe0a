"""Large imports: a text file read in two parts by two processes, and indexes built after a large load.

Both are speed-ups only: every test here checks that the database ends up exactly as the plain one-process
import leaves it, including rejected rows, buyers whose details change between the halves, files a stray quote
makes hard to cut, and failures (nothing is kept, no worker or temporary folder is left behind).
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
import threading
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.settings import WorkspaceSettings
from crm.importing import service
from crm.importing.errors import ImportFileError
from crm.importing.part_worker import PartWorker
from crm.importing.reader import read_table, split_point
from storage.db import Database, create_engine
from storage.models import (
    BuyerIdentity,
    ConsentRecord,
    Customer,
    CustomerOrderStats,
    ImportRejection,
    LoyaltyEntry,
    Order,
    OrderLine,
    Product,
)
from storage.repositories import imports as repo
from storage.repositories.workspaces import get_or_create_workspace
from tests.test_importing import SHOPIFY_HEADER, shopify_row

WS = WorkspaceSettings(fx_rates={"USD": 1.34})
REAL_RECORD_CONSENTS = service._record_consents
ORDERS = 400


def big_shopify(path: Path, *, stray_quote: bool = False, huge_cell_in_second_half: bool = False) -> Path:
    """A Shopify export of ORDERS orders (1-3 lines each, ≈ 800 rows): quoted cells with commas and line
    breaks, buyers who come back with other details in the second half, a bad row in each half."""
    rows: list[list[object]] = []
    for n in range(ORDERS):
        buyer = n % 97
        late = n >= ORDERS // 2
        email = f"buyer{buyer}@example.com"
        when = f"2026-0{1 + n % 9}-{1 + n % 27:02d} 10:{n % 60:02d}:00 +0800"
        status = ("paid", "paid", "refunded", "voided", "pending")[n % 5]
        total = f"{10 + n % 50}.50"
        first = shopify_row(
            f"#{1000 + n}",
            email,
            status,
            total,
            when,
            item=f"Serum, size {n % 3}",
            marketing="yes" if late else "no",
            phone="+65 9123 4567" if late and buyer % 4 == 0 else "",
        )
        if late:
            first[SHOPIFY_HEADER.index("Billing Name")] = f"Late name {buyer}"
        rows.append(first)
        for k in range(n % 3):
            item = "Gift\nwrap" if k else 'Toner "big"'
            rows.append(shopify_row(f"#{1000 + n}", email, "", "", when, item=item, first=False))
        if n in (50, 300):  # a bad row: its whole order is rejected
            rows.append(shopify_row(f"#{1000 + n}", email, "", "", when, price="abc", first=False))
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(SHOPIFY_HEADER)
        for i, r in enumerate(rows):
            if stray_quote and i == 10:
                # A quote inside an unquoted cell: legal for CSV readers, but it upsets quote counting.
                r[SHOPIFY_HEADER.index("Lineitem name")] = "Serum 5QQQ tube"
                one = io.StringIO()
                csv.writer(one, lineterminator="\r\n").writerow(r)
                fh.write(one.getvalue().replace("QQQ", '"'))
                continue
            w.writerow(r)
    if huge_cell_in_second_half:  # more than a CSV cell may hold (16 MB), in the part a worker reads
        data = path.read_bytes()
        cut = data.rfind(b"\r\n", 0, len(data) // 10)
        # Two long but valid cells of a column no mapping reads keep the middle of the file before it.
        method = SHOPIFY_HEADER.index("Shipping Method")
        padding = b"".join(b"\r\n#8" + b"," * method + b"x" * (10 << 20) for _ in range(2))
        path.write_bytes(data[:cut] + padding + data[cut:] + b'#9,"' + b"x" * (17 << 20) + b'"\r\n')
    return path


async def snapshot(db: Database) -> dict[str, list[tuple[object, ...]]]:
    """Everything an import writes, without its own timestamps."""
    queries = {
        "orders": select(
            Order.platform_order_id,
            Order.identity_id,
            Order.customer_id,
            Order.status,
            Order.raw_status,
            Order.currency,
            Order.order_value,
            Order.value_base,
            Order.country,
            Order.created_at,
            Order.paid_at,
            Order.previous_order_at,
        ).order_by(Order.id),
        "lines": select(
            OrderLine.order_id,
            OrderLine.line_no,
            OrderLine.sku,
            OrderLine.product_name,
            OrderLine.quantity,
            OrderLine.unit_price,
            OrderLine.line_total,
        ).order_by(OrderLine.id),
        "identities": select(
            BuyerIdentity.id,
            BuyerIdentity.buyer_key,
            BuyerIdentity.name,
            BuyerIdentity.email,
            BuyerIdentity.phone_norm,
            BuyerIdentity.country,
            BuyerIdentity.accepts_marketing,
            BuyerIdentity.customer_id,
        ).order_by(BuyerIdentity.id),
        "customers": select(
            Customer.id, Customer.display_name, Customer.country, Customer.merged_into_id
        ).order_by(Customer.id),
        "stats": select(
            CustomerOrderStats.customer_id, CustomerOrderStats.orders, CustomerOrderStats.value
        ).order_by(CustomerOrderStats.customer_id),
        "loyalty": select(LoyaltyEntry.order_id, LoyaltyEntry.points, LoyaltyEntry.reason).order_by(
            LoyaltyEntry.id
        ),
        "consent": select(ConsentRecord.customer_id, ConsentRecord.granted).order_by(ConsentRecord.id),
        "products": select(Product.sku, Product.name).order_by(Product.id),
        "rejections": select(
            ImportRejection.line_no, ImportRejection.order_ref, ImportRejection.reason
        ).order_by(ImportRejection.id),
    }
    async with db.sessions() as s:
        return {name: [tuple(r) for r in (await s.execute(q)).all()] for name, q in queries.items()}


async def fresh_db(path: Path) -> tuple[Database, int]:
    """A migrated SQLite database of its own (to compare two imports of the same file side by side)."""
    from storage.db import migrate

    database = Database(create_engine(f"sqlite+aiosqlite:///{path}"))
    await migrate(database.engine)
    async with database.sessions() as s:
        ws = await get_or_create_workspace(s, name="Shop", base_currency="SGD", timezone="Asia/Singapore")
        await s.commit()
        return database, ws.id


@pytest.fixture
def workers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[PartWorker]:
    """Files of a few hundred rows are read in two parts; the workers started are recorded, and their
    temporary folders go under the test's own folder."""
    started: list[PartWorker] = []
    real_start = PartWorker.start.__func__  # type: ignore[attr-defined]

    async def start(cls, *args, **kwargs):  # type: ignore[no-untyped-def]
        worker = await real_start(cls, *args, **kwargs)
        started.append(worker)
        return worker

    monkeypatch.setattr(PartWorker, "start", classmethod(start))
    monkeypatch.setattr(service, "PARALLEL_MIN_ROWS", 100)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    return started


async def import_both_ways(tmp_path: Path, export: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Import `export` into two fresh databases: in one process, then (PARALLEL_MIN_ROWS as the fixture set
    it) in two; return both reports and snapshots."""
    out = []
    for name, threshold in (("one", 10**9), ("two", service.PARALLEL_MIN_ROWS)):
        monkeypatch.setattr(service, "PARALLEL_MIN_ROWS", threshold)
        database, ws_id = await fresh_db(tmp_path / f"{name}.db")
        try:
            report = await service.import_file(database, ws_id, export, settings=WS)
            out.append((report, await snapshot(database)))
            async with database.sessions() as s:  # the worker's stage file was detached with the import
                schemas = [r[1] for r in (await s.execute(text("PRAGMA database_list"))).all()]
            assert schemas == ["main", "temp"] or schemas == ["main"]
        finally:
            await database.dispose()
    return out


async def test_two_parts_import_exactly_what_one_reader_imports(
    tmp_path: Path, workers: list[PartWorker], monkeypatch: pytest.MonkeyPatch
) -> None:
    export = big_shopify(tmp_path / "orders_export.csv")
    (one, one_db), (two, two_db) = await import_both_ways(tmp_path, export, monkeypatch)
    assert len(workers) == 1 and workers[0].proc.returncode == 0  # the second part was read by a worker
    assert two_db == one_db
    assert (two.rows, two.orders_new, two.customers_new, two.identities_new) == (
        one.rows,
        one.orders_new,
        one.customers_new,
        one.identities_new,
    )
    assert [(r.line_no, r.order_ref, r.reason) for r in two.rejected] == [
        (r.line_no, r.order_ref, r.reason) for r in one.rejected
    ]
    # One bad row in each half, found at its line in the file, and each rejects its whole order.
    assert {r.order_ref for r in two.rejected} == {"#1050", "#1300"}
    lines = export.read_bytes().split(b"\n")  # line numbers count physical lines
    assert [lines[r.line_no - 1].split(b",")[0] for r in two.rejected if "not an amount" in r.reason] == [
        b"#1050",
        b"#1300",
    ]
    assert all(b"abc" in lines[r.line_no - 1] for r in two.rejected if "not an amount" in r.reason)
    assert two.orders_new == ORDERS - 2
    # Buyers seen again in the second half with a name and consent keep the later details.
    names = {n for _, _, n, *_ in two_db["identities"]}
    assert "Late name 3" in names and "#1000 buyer" not in names
    assert not list((tmp_path / "tmp").iterdir())  # the worker's folder is gone


async def test_a_stray_quote_that_fools_the_cut_falls_back_to_one_reader(
    tmp_path: Path, workers: list[PartWorker], monkeypatch: pytest.MonkeyPatch
) -> None:
    export = big_shopify(tmp_path / "orders_export.csv", stray_quote=True)
    table = read_table(export)
    offset, _ = split_point(table.text)  # type: ignore[arg-type, misc]
    # The cut lands inside a quoted cell that spans two lines ("Gift\nwrap"): not a row start.
    assert export.read_bytes()[offset:].startswith(b'wrap"')
    table.rows.close()
    (one, one_db), (two, two_db) = await import_both_ways(tmp_path, export, monkeypatch)
    assert len(workers) == 1  # tried, noticed the misaligned cut, stopped, read again in one process
    assert workers[0].proc.returncode is not None
    assert two_db == one_db and two.rows == one.rows and two.orders_new == ORDERS - 2
    assert 'Serum 5" tube' in {p for _, p in two_db["products"]} | {l[3] for l in two_db["lines"]}  # noqa: E741
    assert not list((tmp_path / "tmp").iterdir())


async def test_an_unreadable_second_half_changes_nothing(
    tmp_path: Path, workers: list[PartWorker], monkeypatch: pytest.MonkeyPatch
) -> None:
    export = big_shopify(tmp_path / "orders_export.csv", huge_cell_in_second_half=True)
    for threshold in (10**9, 100):  # the same clear error from one reader and from the worker
        monkeypatch.setattr(service, "PARALLEL_MIN_ROWS", threshold)
        database, ws_id = await fresh_db(tmp_path / f"db{threshold}.db")
        try:
            with pytest.raises(ImportFileError, match=r"orders_export.csv: .*not valid CSV"):
                await service.import_file(database, ws_id, export, settings=WS)
            assert (await snapshot(database))["orders"] == []
        finally:
            await database.dispose()
    assert len(workers) == 1 and workers[0].proc.returncode == 3
    assert not list((tmp_path / "tmp").iterdir())


def test_split_point_is_a_row_start_near_the_middle(tmp_path: Path) -> None:
    export = big_shopify(tmp_path / "orders_export.csv")
    table = read_table(export)
    offset, line = split_point(table.text)  # type: ignore[arg-type, misc]
    data = export.read_bytes()
    assert abs(offset - len(data) / 2) < len(data) / 10
    assert data[offset - 2 : offset] == b"\r\n" and data[offset:].startswith(b"#1")
    assert data[:offset].count(b"\n") + 1 == line  # its line number in the file
    table.rows.close()
    # A file that ends a line with a bare carriage return is not cut (its line numbers would differ).
    (tmp_path / "cr.csv").write_bytes(data.replace(b"\r\n", b"\r"))
    assert split_point(read_table(tmp_path / "cr.csv").text) is None  # type: ignore[arg-type]


# Indexes are deferred on SQLite only.
@pytest.mark.parametrize("backend", ["sqlite"])
async def test_indexes_built_after_a_large_load_are_the_same_and_survive_a_failure(
    db: Database, workspace_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:

    async def indexes() -> list[tuple[str, str]]:
        async with db.sessions() as s:
            return [
                tuple(r)
                for r in (
                    await s.execute(
                        text("SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name")
                    )
                ).all()
            ]

    before = await indexes()
    monkeypatch.setattr(repo, "DEFER_INDEXES_MIN_ROWS", 10)
    export = big_shopify(tmp_path / "orders_export.csv")

    async with db.sessions() as s:  # a large load into an empty table defers the table's non-unique indexes
        async with repo.indexes_deferred(s, "orders", 1000) as deferred:
            inside = {
                r[0]
                for r in (
                    await s.execute(
                        text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'orders'")
                    )
                ).all()
            }
        await s.rollback()
    assert deferred and "sqlite_autoindex_orders_1" in inside  # unique: kept
    assert not {"ix_orders_ws_created", "ix_orders_customer_created", "ix_orders_identity_id"} & inside
    assert await indexes() == before

    async def failing_consents(*args, **kwargs):  # type: ignore[no-untyped-def]
        # By now the orders, lines and ledger were loaded with their indexes deferred and built again.
        raise RuntimeError("disk full")

    monkeypatch.setattr(service, "_record_consents", failing_consents)
    with pytest.raises(RuntimeError, match="disk full"):
        await service.import_file(db, workspace_id, export, settings=WS)
    assert await indexes() == before
    assert (await snapshot(db))["orders"] == []
    monkeypatch.setattr(service, "_record_consents", REAL_RECORD_CONSENTS)

    report = await service.import_file(db, workspace_id, export, settings=WS)
    assert report.orders_new == ORDERS - 2 and await indexes() == before
    # A load into a table holding more rows than it brings leaves the indexes alone.
    async with db.sessions() as s, repo.indexes_deferred(s, "orders", 20) as deferred:
        pass
    assert deferred is False


async def test_a_worker_that_cannot_start_leaves_the_import_to_one_process(
    tmp_path: Path, workers: list[PartWorker], monkeypatch: pytest.MonkeyPatch
) -> None:
    from crm.importing import part_worker

    async def cannot_start(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("Resource temporarily unavailable")  # what a machine out of processes says

    export = big_shopify(tmp_path / "orders_export.csv")
    (one, one_db), _ = await import_both_ways(tmp_path, export, monkeypatch)
    monkeypatch.setattr(part_worker.asyncio, "create_subprocess_exec", cannot_start)
    monkeypatch.setattr(service, "PARALLEL_MIN_ROWS", 100)
    database, ws_id = await fresh_db(tmp_path / "fallback.db")
    try:
        report = await service.import_file(database, ws_id, export, settings=WS)
        assert await snapshot(database) == one_db and report.orders_new == one.orders_new
    finally:
        await database.dispose()
    assert not list((tmp_path / "tmp").iterdir())


async def test_rows_read_before_the_cut_are_never_read_twice(
    tmp_path: Path, workers: list[PartWorker], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ten rows of 30-line cells: the middle of the file lies among the rows read to guess the store's country.
    rows = [
        shopify_row(
            f"#{2000 + n}",
            f"c{n}@example.com",
            "paid",
            "10.00",
            "2026-03-01 10:00:00 +0800",
            item="Long\n" * 30 + "end",
        )
        for n in range(10)
    ]
    export = tmp_path / "orders_export.csv"
    with export.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows([SHOPIFY_HEADER, *rows])
    (one, one_db), (two, two_db) = await import_both_ways(tmp_path, export, monkeypatch)
    assert two_db == one_db and two.rows == one.rows == 10 and len(two_db["lines"]) == 10
    assert workers == []  # no cut behind the reader


def after_worker_starts(monkeypatch: pytest.MonkeyPatch, act) -> None:  # type: ignore[no-untyped-def]
    """Every import worker, once started, is handed to `act` before the import goes on."""
    real_start = PartWorker.start

    async def start(*args, **kwargs):  # type: ignore[no-untyped-def]
        worker = await real_start(*args, **kwargs)
        act(worker)
        return worker

    monkeypatch.setattr(PartWorker, "start", start)


async def test_a_worker_that_dies_leaves_its_part_to_the_importer(
    tmp_path: Path, workers: list[PartWorker], monkeypatch: pytest.MonkeyPatch
) -> None:
    export = big_shopify(tmp_path / "orders_export.csv")
    after_worker_starts(monkeypatch, lambda worker: worker.proc.kill())  # as the out-of-memory killer would
    (one, one_db), (two, two_db) = await import_both_ways(tmp_path, export, monkeypatch)
    assert len(workers) == 1 and workers[0].proc.returncode == -9
    assert two_db == one_db and two.rows == one.rows and two.rejected == one.rejected
    assert not list((tmp_path / "tmp").iterdir())


async def test_a_cancelled_import_ends_its_worker_and_keeps_nothing(
    tmp_path: Path, workers: list[PartWorker], monkeypatch: pytest.MonkeyPatch
) -> None:
    export = big_shopify(tmp_path / "orders_export.csv")
    # The import's task is cancelled once its worker runs, e.g. the bot shutting down mid-import.
    after_worker_starts(monkeypatch, lambda worker: asyncio.current_task().cancel())  # type: ignore[union-attr]
    database, ws_id = await fresh_db(tmp_path / "cancelled.db")
    try:
        with pytest.raises(asyncio.CancelledError):
            await service.import_file(database, ws_id, export, settings=WS)
        assert (await snapshot(database))["orders"] == []
    finally:
        await database.dispose()
    assert len(workers) == 1 and workers[0].proc.returncode is not None  # killed, not left running
    assert not list((tmp_path / "tmp").iterdir())


@pytest.mark.parametrize("how", ["fails", "is cancelled"])
def test_an_import_that_stops_while_its_stage_is_prepared_stops_the_preparation_and_keeps_nothing(
    tmp_path: Path, workers: list[PartWorker], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """On SQLite another thread indexes and aggregates the staged rows while the import resolves the buyers.
    Should the import fail or be cancelled meanwhile, that thread's statement is interrupted (here one that
    would never end by itself), the stage file goes, and the database is as before."""
    export = big_shopify(tmp_path / "orders_export.csv")
    preparing = threading.Event()

    def endless_preparation(conn, stage, rejected, bounds=None):  # type: ignore[no-untyped-def]
        preparing.set()
        conn.exec_driver_sql(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"
        )

    async def identities_then_stop(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert await asyncio.to_thread(preparing.wait, 30)
        await asyncio.sleep(0.3)  # the endless statement runs by now
        if how == "fails":
            raise RuntimeError("disk full")
        asyncio.current_task().cancel()  # type: ignore[union-attr]
        await asyncio.sleep(30)

    monkeypatch.setattr(repo, "prepare_stage", endless_preparation)
    monkeypatch.setattr(service, "_upsert_identities", identities_then_stop)
    outcome: list[object] = []

    async def run() -> None:
        database, ws_id = await fresh_db(tmp_path / "stopped.db")
        try:
            await service.import_file(database, ws_id, export, settings=WS)
        except (RuntimeError, asyncio.CancelledError) as exc:
            outcome.append(exc)
        outcome.append((await snapshot(database))["orders"])
        await database.dispose()

    # In a thread of its own, so that a preparation that is not stopped fails the test instead of hanging it.
    runner = threading.Thread(target=asyncio.run, args=(run(),), daemon=True)
    runner.start()
    runner.join(60)
    assert not runner.is_alive(), "the import never ended: its stage preparation was not stopped"
    error, orders = outcome
    assert isinstance(error, RuntimeError if how == "fails" else asyncio.CancelledError)
    assert orders == []
    assert not [t for t in threading.enumerate() if t.name.startswith("sellermate-stage")]
    assert not list((tmp_path / "tmp").iterdir())
