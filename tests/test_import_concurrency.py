"""Imports into one workspace at the same time give exactly the result of importing one file after the other.

The races are real: each import runs on its own engine and connection (as two processes would), both started
at once, in rounds, each in a fresh workspace; customers (which buyer records are one customer), merges and
orders are compared with importing the same files in turn, in either order. The command line, run as a
separate process while another import holds the workspace, waits and says so instead of failing; two
processes starting together on a new database share one schema and one workspace.
"""

from __future__ import annotations

import asyncio
import csv
import os
import sqlite3
import sys
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url

from bot.settings import WorkspaceSettings
from crm.importing.service import ImportReport, import_file
from storage.db import Database, create_engine
from storage.models import BuyerIdentity, Customer, MergeEvent, Order, Store, Workspace
from storage.repositories.imports import IMPORT_LOCK_KEY

WS = WorkspaceSettings()
# Three imports at once, this many times: without the lock every round (of ten tried) lost merges or crashed
# with two; three at once meet in more orders. A round costs about a second of the file's ~20 s.
ROUNDS = 4
BUYERS = 5
ROOT = Path(__file__).resolve().parents[1]
on_postgres = pytest.mark.parametrize("backend", [pytest.param("postgres", marks=pytest.mark.postgres)])
on_sqlite = pytest.mark.parametrize("backend", ["sqlite"])

SHOPIFY = [
    "Name",
    "Email",
    "Financial Status",
    "Fulfillment Status",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Total",
    "Created at",
    "Currency",
    "Phone",
    "Billing Country",
]
SHOPEE = [
    "Order ID",
    "Order Status",
    "Username (Buyer)",
    "Order Creation Date",
    "Grand Total",
    "Product Name",
    "SKU Reference No.",
    "Quantity",
    "Deal Price",
    "Phone Number",
    "Country",
]
LAZADA = [
    "orderItemId",
    "orderNumber",
    "customerName",
    "customerEmail",
    "createTime",
    "paidPrice",
    "unitPrice",
    "shippingFee",
    "status",
    "lazadaSku",
    "itemName",
    "shippingPhone",
    "shippingCountry",
]


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def exports(folder: Path) -> dict[str, Path]:
    """One seller's exports. Imported first (shopify): buyers known by email only (f) and by email and phone
    (h). Then shopee-sg and lazada-sg: BUYERS buyers on both platforms who share only a phone, written
    differently (one customer each); Shopee buyers with an h buyer's phone (they join that customer); Lazada
    buyers with an f buyer's email and the h buyer's phone (the f and h customers merge)."""
    shopify = [
        [
            f"#{100 + j}",
            f"f{j}@example.com",
            "paid",
            "fulfilled",
            1,
            "Serum",
            "30.00",
            "30.00",
            "2026-06-01 10:00:00 +0800",
            "SGD",
            "",
            "SG",
        ]
        for j in range(BUYERS)
    ]
    shopify += [
        [
            f"#{200 + j}",
            f"h{j}@example.com",
            "paid",
            "fulfilled",
            1,
            "Toner",
            "25.00",
            "25.00",
            "2026-06-02 10:00:00 +0800",
            "SGD",
            f"+65 8{j:03d} 1111",
            "SG",
        ]
        for j in range(BUYERS)
    ]
    shopee = [
        [
            f"2607{i:04d}SHA",
            "Completed",
            f"sh_buyer_{i}",
            "2026-07-04 11:46",
            "20.00",
            "Serum",
            "SKN-1",
            1,
            "20.00",
            f"+65 9{i:03d} 4567",
            "Singapore",
        ]
        for i in range(BUYERS)
    ]
    shopee += [
        [
            f"2607{j:04d}SHB",
            "Completed",
            f"sh_known_{j}",
            "2026-07-05 09:00",
            "15.00",
            "Toner",
            "TNR-1",
            1,
            "15.00",
            f"+65 8{j:03d} 1111",
            "Singapore",
        ]
        for j in range(BUYERS)
    ]
    lazada = [
        [
            i + 1,
            900100 + i,
            f"lz_buyer_{i}",
            "",
            "06 Jul 2026 11:46",
            "18.00",
            "18.00",
            "0.00",
            "delivered",
            "L-1",
            "Serum",
            f"659{i:03d}4567",
            "Singapore",
        ]
        for i in range(BUYERS)
    ]
    lazada += [
        [
            BUYERS + j + 1,
            900200 + j,
            f"lz_bridge_{j}",
            f"F{j}@Example.com ",
            "07 Jul 2026 10:00",
            "22.00",
            "22.00",
            "0.00",
            "delivered",
            "L-2",
            "Toner",
            f"658{j:03d}1111",
            "Singapore",
        ]
        for j in range(BUYERS)
    ]
    return {
        "shopify": _write(folder / "orders_export.csv", SHOPIFY, shopify),
        "shopee": _write(folder / "shopee-sg.csv", SHOPEE, shopee),
        "lazada": _write(folder / "lazada-sg.csv", LAZADA, lazada),
    }


async def workspace_with(db: Database, files: list[Path]) -> int:
    """A fresh workspace with `files` imported one after the other."""
    async with db.sessions() as session:
        ws = Workspace(name="race", base_currency="SGD", timezone="Asia/Singapore", settings={})
        session.add(ws)
        await session.commit()
    for f in files:
        await import_file(db, ws.id, f, settings=WS)
    return ws.id


async def outcome(db: Database, workspace_id: int) -> dict[str, object]:
    """What the imports left, without ids (each round has its own): every live customer as the buyer records it
    holds, the merges, and every order with its status, value and the buyer records of its customer."""
    async with db.sessions() as s:
        owners: dict[int | None, list[str]] = {}
        for customer_id, platform, key in await s.execute(
            select(BuyerIdentity.customer_id, BuyerIdentity.platform, BuyerIdentity.buyer_key).where(
                BuyerIdentity.workspace_id == workspace_id
            )
        ):
            owners.setdefault(customer_id, []).append(f"{platform}:{key}")
        live = set(
            (
                await s.execute(
                    select(Customer.id).where(
                        Customer.workspace_id == workspace_id, Customer.merged_into_id.is_(None)
                    )
                )
            ).scalars()
        )
        merges = (
            await s.execute(
                select(MergeEvent.reason, MergeEvent.matched_on).where(
                    MergeEvent.workspace_id == workspace_id
                )
            )
        ).all()
        orders = (
            await s.execute(
                select(Store.name, Order.platform_order_id, Order.status, Order.value_base, Order.customer_id)
                .join(Store, Store.id == Order.store_id)
                .where(Order.workspace_id == workspace_id)
            )
        ).all()
    return {
        "customers": sorted(sorted(owners.get(c, [])) for c in live),
        "buyers of no live customer": sorted(k for c, keys in owners.items() if c not in live for k in keys),
        "merges": sorted((reason, matched or "") for reason, matched in merges),
        "orders": sorted(
            (store, ref, status, float(value or 0), sorted(owners.get(cid, [])))
            for store, ref, status, value, cid in orders
        ),
    }


@pytest.fixture
async def second_db(db: Database) -> AsyncIterator[Database]:
    """Another engine on the same database: its own connections, as another process would have."""
    other = Database(create_engine(db.url))  # type: ignore[attr-defined]
    yield other
    await other.dispose()


@pytest.fixture
async def engines(db: Database, second_db: Database) -> AsyncIterator[tuple[Database, ...]]:
    """Three engines on the same database, as three processes importing at once would have."""
    third = Database(create_engine(db.url))  # type: ignore[attr-defined]
    yield db, second_db, third
    await third.dispose()


async def race(dbs: tuple[Database, ...], workspace_id: int, *files: Path) -> list[ImportReport]:
    """Import `files` at the same time, each on an engine of its own."""
    return list(
        await asyncio.gather(
            *(
                import_file(engine, workspace_id, path, settings=WS)
                for engine, path in zip(dbs, files, strict=True)
            )
        )
    )


@on_postgres
async def test_concurrent_imports_of_shared_buyers_equal_the_sequential_result(
    db: Database, engines: tuple[Database, ...], tmp_path: Path
) -> None:
    files = exports(tmp_path)
    expected = await outcome(
        db, await workspace_with(db, [files["shopify"], files["shopee"], files["lazada"]])
    )
    # The files are made so that their order does not matter: said, not assumed.
    assert (
        await outcome(db, await workspace_with(db, [files["shopify"], files["lazada"], files["shopee"]]))
        == expected
    )
    assert len(expected["customers"]) == 2 * BUYERS  # type: ignore[arg-type]
    assert len(expected["merges"]) == BUYERS and len(expected["orders"]) == 6 * BUYERS  # type: ignore[arg-type]
    for round_no in range(1, ROUNDS + 1):
        ws = await workspace_with(db, [files["shopify"]])
        # Shopee twice: the second finds the first's orders (or waits for them), and merges nothing twice.
        await race(engines, ws, files["shopee"], files["lazada"], files["shopee"])
        assert await outcome(db, ws) == expected, f"round {round_no}"


@on_postgres
async def test_the_same_file_three_times_at_once_is_imported_once(
    db: Database, engines: tuple[Database, ...], tmp_path: Path
) -> None:
    lazada = exports(tmp_path)["lazada"]
    expected = await outcome(db, await workspace_with(db, [lazada]))
    for round_no in range(1, ROUNDS + 1):
        ws = await workspace_with(db, [])
        first, *others = sorted(
            await race(engines, ws, lazada, lazada, lazada), key=lambda r: r.orders_unchanged
        )
        assert await outcome(db, ws) == expected, f"round {round_no}"
        # As one after the other: the later imports find everything there already.
        assert (first.orders_new, first.customers_new) == (2 * BUYERS, 2 * BUYERS), f"round {round_no}"
        for other in others:
            assert (other.orders_new, other.orders_unchanged, other.customers_new) == (0, 2 * BUYERS, 0), (
                f"round {round_no}"
            )


@asynccontextmanager
async def another_import_running(db: Database, workspace_id: int) -> AsyncIterator[None]:
    """Hold what a running import holds: the workspace's import lock (PostgreSQL), the database's write lock
    (SQLite, where any writer holds it)."""
    if db.dialect == "sqlite":
        writer = sqlite3.connect(make_url(db.url).database, isolation_level=None)  # type: ignore[attr-defined, arg-type]
        writer.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            writer.execute("ROLLBACK")
            writer.close()
        return
    async with db.engine.connect() as conn:
        await conn.execute(select(func.pg_advisory_xact_lock(IMPORT_LOCK_KEY, workspace_id)))
        try:
            yield
        finally:
            await conn.rollback()


def cli_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a `sellermate` process: none of this machine's SellerMate settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    env["SELLERMATE_CONFIG"] = str(tmp_path / "none.yaml")
    return env


@on_postgres  # the same line on SQLite (the bot's waiting is tested on both, in tests/e2e)
async def test_the_command_line_waits_for_the_running_import_and_says_so(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    shopee = exports(tmp_path)["shopee"]
    async with another_import_running(db, workspace_id):
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "import",
            str(shopee),
            "--db",
            db.url,
            "-q",  # type: ignore[attr-defined]
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=cli_env(tmp_path),
            cwd=ROOT,
        )
        try:
            said = (await asyncio.wait_for(proc.stderr.readline(), timeout=30)).decode()  # type: ignore[union-attr]
        except BaseException:
            proc.kill()
            await proc.wait()
            raise
        assert said == "shopee-sg.csv: another import is running; waiting for it to finish…\n"
        await asyncio.sleep(0.3)
        assert proc.returncode is None  # waiting, not failed
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert (proc.returncode, err.decode()) == (0, "")
    assert "shopee-sg.csv: shopee store 'shopee-sg': 10 rows; orders 10 new" in out.decode()


@on_sqlite
async def test_on_sqlite_an_import_outwaits_the_busy_timeout(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """A large import holds the database for longer than SQLite's busy timeout (30 s): an import started
    meanwhile waits for it instead of failing with 'database is locked'. Here the timeout is 50 ms."""
    shopee = exports(tmp_path)["shopee"]
    impatient = Database(create_engine(db.url))  # type: ignore[attr-defined]

    @event.listens_for(impatient.engine.sync_engine, "connect")
    def _short_busy_timeout(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA busy_timeout=50")
        cur.close()

    told: list[str] = []

    async def waiting() -> None:
        told.append("waiting")

    importing = None
    try:
        async with another_import_running(db, workspace_id):
            importing = asyncio.ensure_future(
                import_file(impatient, workspace_id, shopee, settings=WS, waiting=waiting)
            )
            await asyncio.sleep(1.0)  # twenty busy timeouts
            assert not importing.done() and told == ["waiting"]
        report = await importing
    finally:
        if importing is not None and not importing.done():
            importing.cancel()
        await asyncio.gather(*[t for t in (importing,) if t is not None], return_exceptions=True)
        await impatient.dispose()
    assert (report.orders_new, report.customers_new) == (2 * BUYERS, 2 * BUYERS)


# What every `sellermate` command does first: bring the schema up to date, find (or create) the workspace.
FIRST_START = """
import asyncio, sys
from bot.context import open_app

async def main():
    app = await open_app(db_url=sys.argv[1])
    print(app.workspace_id)
    await app.close()

asyncio.run(main())
"""


@on_postgres
async def test_two_processes_starting_on_a_new_database_share_one_schema_and_workspace(
    db: Database, tmp_path: Path
) -> None:
    """Two imports started together on a new database: both processes bring its schema up to date and look for
    the workspace. One creates them while the other waits, instead of failing on the tables being created (or
    creating a workspace of its own for its import)."""
    name = f"sellermate_fresh_{uuid.uuid4().hex[:10]}"
    admin = create_engine(db.url).execution_options(isolation_level="AUTOCOMMIT")  # type: ignore[attr-defined]
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(db.url).set(database=name).render_as_string(hide_password=False)  # type: ignore[attr-defined]
    fresh = Database(create_engine(url))
    try:
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-c",
                FIRST_START,
                url,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=cli_env(tmp_path),
                cwd=ROOT,
            )
            for _ in range(2)
        ]
        said = [await asyncio.wait_for(p.communicate(), timeout=120) for p in procs]
        assert [(p.returncode, err.decode()) for p, (_, err) in zip(procs, said, strict=True)] == [
            (0, "")
        ] * 2
        async with fresh.sessions() as s:
            workspaces = (await s.execute(select(Workspace.id))).scalars().all()
        assert [int(out) for out, _ in said] == workspaces * 2
    finally:
        await fresh.dispose()
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
