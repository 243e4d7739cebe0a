"""Importer: every platform layout, identity merging, idempotence, bad files and bad rows, on both databases."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.settings import Settings, WorkspaceSettings
from crm.importing.errors import ImportFileError
from crm.importing.service import import_file, import_rates
from storage.db import Database
from storage.models import (
    BuyerIdentity,
    ConsentRecord,
    Customer,
    CustomerTag,
    ImportLog,
    ImportRejection,
    LoyaltyEntry,
    MergeEvent,
    Order,
    OrderLine,
    Store,
    Tag,
)
from tests.conftest import SHARED

EVAL = SHARED / "eval" / "data"
WS = WorkspaceSettings(fx_rates={"MYR": 0.3, "USD": 1.34, "GBP": 1.7, "THB": 0.038})
VALID = ("paid", "shipped", "completed")

# A small Shopify orders export in the real 79-column layout (multi-line orders, a multi-line note).
SHOPIFY_SAMPLE = Path(__file__).resolve().parent / "fixtures" / "exports" / "shopify-orders_export.csv"


async def scalar(db: Database, stmt):  # type: ignore[no-untyped-def]
    async with db.sessions() as s:
        return (await s.execute(stmt)).scalar()


async def orders_of(db: Database) -> dict[str, Order]:
    async with db.sessions() as s:
        return {o.platform_order_id: o for o in (await s.execute(select(Order))).scalars()}


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[object]],
    *,
    bom: bool = False,
    delimiter: str = ",",
    before: list[str] | None = None,
    after: list[str] | None = None,
) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
        for line in before or []:
            fh.write(line + "\r\n")
        w = csv.writer(fh, delimiter=delimiter, lineterminator="\r\n")
        w.writerow(header)
        w.writerows(rows)
        for line in after or []:
            fh.write(line + "\r\n")
    return path


def write_xlsx(path: Path, header: list[str], rows: list[list[object]], sheet: str = "orders") -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


# ---------------------------------------------------------------- exports in the platforms' real layouts
# The project's own demo exports (tests/conftest.py, demo_exports) are always there: the tests below read
# them, and tests/test_demo_data.py imports all of them and checks every order against the simulation. The
# shared evaluation exports beside the repository add their known counts when present.


def demo_file(files: dict[str, Path], ending: str) -> Path:
    return next(path for name, path in files.items() if name.endswith(ending))


def sheet_rows(path: Path) -> list[dict[str, object]]:
    """An XLSX export's first sheet as dicts by header, as the platform wrote it."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return [dict(zip([str(h) for h in rows[0]], r, strict=False)) for r in rows[1:]]


def text_records(
    path: Path, *, delimiter: str = ",", skip: int = 0, trailer: int = 0
) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh, delimiter=delimiter))[skip:]
    return [dict(zip(rows[0], r, strict=False)) for r in rows[1 : len(rows) - trailer]]


def local_to_utc(text: str, fmt: str, tz: str) -> datetime:
    from zoneinfo import ZoneInfo

    return datetime.strptime(text.strip(), fmt).replace(tzinfo=ZoneInfo(tz)).astimezone(UTC)


if EVAL.is_dir():  # an extra, defined only when the shared folder is there

    async def test_shared_exports_import_cleanly_and_match_known_counts(
        db: Database, workspace_id: int
    ) -> None:
        """The shared exports import with no rejected rows and give the counts an independent implementation
        of the metrics computed (cases.json)."""
        await import_rates(db, workspace_id, EVAL / "rates.csv", base_currency="SGD")
        platforms = set()
        for path in sorted(EVAL.iterdir()):
            if path.name == "rates.csv":
                continue
            report = await import_file(db, workspace_id, path, settings=WorkspaceSettings())
            assert report.rejected == [], (path.name, report.rejected[:3])
            assert report.orders_new > 0
            platforms.add(report.platform)
        assert platforms == {"shopee", "lazada", "tiktok", "amazon", "ebay", "shopify"}
        cases = {c["question"]: c for c in json.loads((SHARED / "eval" / "cases.json").read_text())["cases"]}
        start = datetime(2025, 12, 31, 16, 0, tzinfo=UTC)  # 1 Jan 2026 in Singapore
        async with db.sessions() as s:
            rows = (
                await s.execute(
                    select(Order.platform, func.count())
                    .where(Order.status.in_(VALID), Order.created_at >= start)
                    .group_by(Order.platform)
                )
            ).all()
            total, customers = (
                await s.execute(
                    select(func.sum(Order.value_base), func.count(func.distinct(Order.customer_id))).where(
                        Order.status.in_(VALID)
                    )
                )
            ).one()
        assert dict(rows) == cases["orders by platform this year"]["expected"]["groups"]
        # avg LTV over all time: revenue of valid orders / customers with a valid order
        assert float(total) / customers == pytest.approx(
            cases["客户平均终身价值"]["expected"]["value"], rel=1e-6
        )


async def test_reimport_changes_nothing(
    db: Database, workspace_id: int, demo_exports: dict[str, Path]
) -> None:
    path = demo_file(demo_exports, ".shopee-sg.xlsx")
    first = await import_file(db, workspace_id, path, settings=WS)
    async with db.sessions() as s:
        before = [
            tuple(r)
            for r in (
                await s.execute(
                    select(
                        Order.platform_order_id, Order.status, Order.order_value, Order.customer_id
                    ).order_by(Order.platform_order_id)
                )
            ).all()
        ]
        lines_before = (await s.execute(select(func.count()).select_from(OrderLine))).scalar()
        customers_before = (await s.execute(select(func.count()).select_from(Customer))).scalar()
    again = await import_file(db, workspace_id, path, settings=WS)
    assert first.orders_new > 0
    assert (again.orders_new, again.orders_updated, again.customers_new) == (0, 0, 0)
    assert again.orders_unchanged == first.orders_new
    async with db.sessions() as s:
        after = [
            tuple(r)
            for r in (
                await s.execute(
                    select(
                        Order.platform_order_id, Order.status, Order.order_value, Order.customer_id
                    ).order_by(Order.platform_order_id)
                )
            ).all()
        ]
        assert after == before
        assert (await s.execute(select(func.count()).select_from(OrderLine))).scalar() == lines_before
        assert (await s.execute(select(func.count()).select_from(Customer))).scalar() == customers_before


SHOPEE_STATUS = {"Completed": "completed", "Cancelled": "cancelled", "Unpaid": "pending", "To ship": "paid"}


async def test_shopee_mapping_values_status_and_local_time(
    db: Database, workspace_id: int, demo_exports: dict[str, Path]
) -> None:
    path = demo_file(demo_exports, ".shopee-my.xlsx")
    await import_file(db, workspace_id, path, settings=WS)
    orders = await orders_of(db)
    rows = sheet_rows(path)
    assert {str(r["Order ID"]) for r in rows} == set(orders)
    for r in rows:  # order-level columns repeat on every line row: any row of the order gives them
        o = orders[str(r["Order ID"])]
        assert o.order_value == Decimal(str(r["Grand Total"])), r["Order ID"]
        assert (o.currency, o.country) == ("MYR", "MY")
        assert o.value_base == (o.order_value * Decimal("0.3")).quantize(o.value_base)
        # "yyyy-MM-dd HH:mm" in the store's local time; Kuala Lumpur is UTC+8
        assert o.created_at == local_to_utc(
            str(r["Order Creation Date"]), "%Y-%m-%d %H:%M", "Asia/Kuala_Lumpur"
        )
        if str(r["Order Status"]) in SHOPEE_STATUS and not r["Return / Refund Status"]:
            assert o.status == SHOPEE_STATUS[str(r["Order Status"])], r["Order ID"]
    statuses = {x.status for x in orders.values()}
    assert statuses <= {"completed", "cancelled", "paid", "shipped", "pending", "returned"}
    assert {"completed", "cancelled"} <= statuses
    refunded = [r for r in rows if r["Return / Refund Status"]]
    assert all(orders[str(r["Order ID"])].status == "returned" for r in refunded)


async def test_lazada_sums_paid_price_and_shipping_over_items(
    db: Database, workspace_id: int, demo_exports: dict[str, Path]
) -> None:
    path = demo_file(demo_exports, "lazada-id-orders.xlsx")
    await import_file(db, workspace_id, path, settings=WorkspaceSettings(fx_rates={"IDR": 0.000084}))
    by_order: dict[str, list[dict[str, object]]] = {}
    for r in sheet_rows(path):
        number = r["orderNumber"]  # Lazada may store the number as a number
        by_order.setdefault(str(int(number)) if isinstance(number, float) else str(number), []).append(r)
    orders = await orders_of(db)
    assert set(orders) == set(by_order)
    assert any(len(items) > 1 for items in by_order.values()), "some orders have several item rows"
    for number, items in by_order.items():
        # each item (each unit) is its own row: value = Σ paidPrice + Σ shippingFee over the order's rows
        want = sum(Decimal(str(r["paidPrice"])) + Decimal(str(r["shippingFee"] or 0)) for r in items)
        assert orders[number].order_value == want and orders[number].currency == "IDR", number


async def test_tiktok_bom_trailing_tabs_and_day_first_dates(
    db: Database, workspace_id: int, demo_exports: dict[str, Path]
) -> None:
    path = demo_exports["tiktok-my-orders.csv"]
    report = await import_file(db, workspace_id, path, settings=WS)
    assert report.platform == "tiktok" and report.store == "tiktok-my" and report.rejected == []
    orders = await orders_of(db)
    rows = text_records(path)
    assert rows and {r["Order ID"].strip() for r in rows} == set(orders)
    for r in rows:
        assert r["Order ID"].endswith("\t")  # ids and times as TikTok writes them
        o = orders[r["Order ID"].strip()]
        assert o.order_value == Decimal(r["Order Amount"]) and o.currency == "MYR"
        # "DD/MM/YYYY HH:mm:ss" in Malaysian time
        assert o.created_at == local_to_utc(r["Created Time"], "%d/%m/%Y %H:%M:%S", "Asia/Kuala_Lumpur")


async def test_amazon_relay_email_keys_buyer_but_never_merges(
    db: Database, workspace_id: int, demo_exports: dict[str, Path]
) -> None:
    path = demo_exports["amazon-us-order-report.txt"]
    report = await import_file(db, workspace_id, path, settings=WS)
    assert report.platform == "amazon" and report.store == "amazon-us"
    async with db.sessions() as s:
        idents = (
            (await s.execute(select(BuyerIdentity).where(BuyerIdentity.platform == "amazon"))).scalars().all()
        )
    assert idents and all(i.email_norm is None for i in idents)
    assert all(i.buyer_key.endswith("@marketplace.amazon.com") for i in idents)
    by_order: dict[str, list[dict[str, str]]] = {}
    for r in text_records(path, delimiter="\t"):
        by_order.setdefault(r["order-id"], []).append(r)
    orders = await orders_of(db)
    assert set(orders) == set(by_order)

    def money(r: dict[str, str], name: str) -> Decimal:
        return Decimal(r.get(name) or "0")

    for number, items in by_order.items():
        # item-price is the line total; plus tax and shipping, less the promotions
        want = sum(
            money(r, "item-price")
            + money(r, "item-tax")
            + money(r, "shipping-price")
            + money(r, "shipping-tax")
            - abs(money(r, "item-promotion-discount"))
            - abs(money(r, "ship-promotion-discount"))
            for r in items
        )
        assert orders[number].order_value == want, number


async def test_ebay_blank_first_line_trailer_and_dollar_amounts(
    db: Database, workspace_id: int, demo_exports: dict[str, Path]
) -> None:
    path = demo_exports["ebay-us-orders.csv"]
    rows = text_records(path, skip=1, trailer=2)  # a line of bare commas first; two trailer lines
    report = await import_file(db, workspace_id, path, settings=WS)
    assert report.rejected == [] and report.rows == len(rows) > 0
    orders = await orders_of(db)
    for r in rows:
        o = orders[r["Order Number"]]
        assert (o.order_value, o.currency) == (Decimal(r["Total Price"].lstrip("$")), "USD")
        # no status column: pending without a payment date, shipped with a ship date, else paid
        want = "pending" if not r["Paid On Date"] else "shipped" if r["Shipped On Date"] else "paid"
        assert o.status == want, r["Order Number"]


async def test_shopify_sample_export_multiline_orders(db: Database, workspace_id: int) -> None:
    report = await import_file(db, workspace_id, SHOPIFY_SAMPLE, settings=WS)
    assert report.platform == "shopify" and report.rejected == []
    with SHOPIFY_SAMPLE.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    firsts = {r["Name"]: r for r in rows if r["Financial Status"]}
    orders = await orders_of(db)
    assert set(orders) == set(firsts) == {"#2001", "#2002", "#2003"}
    for name, r in firsts.items():
        assert orders[name].order_value == Decimal(r["Total"])
    assert orders["#2001"].order_value == Decimal("57.70")  # 2 × 16.90 + 24.00 − 5.00 + 4.90 shipping
    assert {n: o.status for n, o in orders.items()} == {
        "#2001": "shipped",
        "#2002": "returned",
        "#2003": "pending",
    }
    async with db.sessions() as s:
        n_lines = (await s.execute(select(func.count()).select_from(OrderLine))).scalar()
    assert n_lines == len(rows) == 4


# ---------------------------------------------------------------- small files in the platforms' layouts
SHOPIFY_HEADER = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Phone",
    "Billing Country",
    "Shipping Country",
    "Cancelled at",
    "Refunded Amount",
    "Phone",
]


def shopify_row(
    name: str,
    email: str,
    status: str,
    total: str,
    created: str,
    qty: int = 1,
    item: str = "Serum",
    price: str | None = None,
    first: bool = True,
    marketing: str = "yes",
    phone: str = "",
    country: str = "SG",
    cancelled: str = "",
) -> list[object]:
    r = dict.fromkeys(SHOPIFY_HEADER, "")
    r.update(
        {
            "Name": name,
            "Email": email,
            "Lineitem quantity": qty,
            "Lineitem name": item,
            "Lineitem price": price or total,
            "Created at": created,
            "Lineitem sku": item[:3].upper(),
        }
    )
    if first:
        r.update(
            {
                "Financial Status": status,
                "Fulfillment Status": "fulfilled",
                "Currency": "SGD",
                "Total": total,
                "Accepts Marketing": marketing,
                "Billing Name": name + " buyer",
                "Billing Phone": phone,
                "Billing Country": country,
                "Shipping Country": country,
                "Cancelled at": cancelled,
            }
        )
    return [r[h] for h in SHOPIFY_HEADER]


async def test_later_export_updates_status_amount_and_reverses_points(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    f1 = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1001", "ann@example.com", "paid", "120.50", "2026-03-01 10:00:00 +0800"),
            shopify_row("#1002", "bob@example.com", "paid", "80.00", "2026-03-02 10:00:00 +0800"),
        ],
    )
    await import_file(db, workspace_id, f1, settings=WS)
    f2 = write_csv(
        tmp_path / "orders_export2.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1001", "ann@example.com", "refunded", "120.50", "2026-03-01 10:00:00 +0800"),
            shopify_row("#1002", "bob@example.com", "paid", "85.00", "2026-03-02 10:00:00 +0800"),
        ],
    )
    report = await import_file(db, workspace_id, f2, settings=WS)
    assert (report.orders_new, report.orders_updated) == (0, 2)
    orders = await orders_of(db)
    assert orders["#1001"].status == "returned" and orders["#1002"].order_value == Decimal(85)
    async with db.sessions() as s:
        ledger = (
            await s.execute(
                select(LoyaltyEntry.order_id, LoyaltyEntry.reason, LoyaltyEntry.points).order_by(
                    LoyaltyEntry.id
                )
            )
        ).all()
    by_order: dict[int, int] = {}
    for oid, _reason, pts in ledger:
        by_order[oid] = by_order.get(oid, 0) + pts
    assert by_order[orders["#1001"].id] == 0  # 120 earned, then reversed
    assert by_order[orders["#1002"].id] == 80  # earned once on the first import (floor of 80.00)


async def test_bad_rows_rejected_with_line_numbers_and_whole_order(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    f = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "ann@example.com", "paid", "10.00", "2026-03-01 10:00:00 +0800"),
            shopify_row("#2", "bob@example.com", "paid", "30.00", "2026-03-02 10:00:00 +0800", item="Toner"),
            shopify_row(
                "#2", "bob@example.com", "", "", "2026-03-02 10:00:00 +0800", price="abc", first=False
            ),
            shopify_row("#3", "cat@example.com", "paid", "12.00", "not a date"),
            shopify_row("#4", "dan@example.com", "weird_status", "5.00", "2026-03-04 10:00:00 +0800"),
        ],
    )
    report = await import_file(db, workspace_id, f, settings=WS)
    assert set(await orders_of(db)) == {"#1"}
    assert [r.line_no for r in report.rejected] == [4, 5, 6]  # header is line 1
    assert "#2" in {r.order_ref for r in report.rejected}
    async with db.sessions() as s:
        logged = (
            await s.execute(
                select(ImportRejection.line_no, ImportRejection.reason).order_by(ImportRejection.line_no)
            )
        ).all()
        status = (await s.execute(select(ImportLog.status, ImportLog.rows_rejected))).one()
    assert [n for n, _ in logged] == [4, 5, 6] and "date" in logged[1][1] and "weird_status" in logged[2][1]
    assert tuple(status) == ("done", 3)


async def test_file_cut_short_rejects_the_cut_row_and_its_order(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    f = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "ann@example.com", "paid", "10.00", "2026-03-01 10:00:00 +0800"),
            shopify_row("#2", "bob@example.com", "paid", "30.00", "2026-03-02 10:00:00 +0800", item="Toner"),
            shopify_row(
                "#2", "bob@example.com", "", "", "2026-03-02 10:00:00 +0800", item="Serum", first=False
            ),
        ],
    )
    whole = f.read_bytes()
    # An interrupted download: the last line stops after a few of its columns.
    f.write_bytes(whole[: whole.rstrip(b"\r\n").rfind(b"\n") + 1] + b"#2,bob@example.com,paid,pa")
    report = await import_file(db, workspace_id, f, settings=WS)
    assert set(await orders_of(db)) == {"#1"}  # #2 lost a line: rejected whole, never half-applied
    assert [(r.line_no, r.order_ref) for r in report.rejected] == [(4, "#2")]
    assert "cut short" in report.rejected[0].reason

    # Without the final line end but with every column, the last row is whole and imports.
    f.write_bytes(whole.rstrip(b"\r\n"))
    report = await import_file(db, workspace_id, f, settings=WS)
    assert report.rejected == [] and set(await orders_of(db)) == {"#1", "#2"}


@pytest.mark.parametrize(
    "content,needle",
    [
        (b"just,some,columns\n1,2,3\n", "unknown file layout"),
        (b"PK\x03\x04garbage that is not a zip", "cannot open the spreadsheet"),
        (b"", "empty"),
        (b"\x00\x01\x02\x03binary", "not a CSV"),
    ],
)
async def test_unreadable_or_unknown_files_change_nothing(
    db: Database, workspace_id: int, tmp_path: Path, content: bytes, needle: str
) -> None:
    suffix = ".xlsx" if content.startswith(b"PK") else ".csv"
    path = tmp_path / f"export{suffix}"
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=needle):
        await import_file(db, workspace_id, path, settings=WS)
    assert await scalar(db, select(func.count()).select_from(Order)) == 0
    assert await scalar(db, select(func.count()).select_from(ImportLog)) == 0


async def test_forced_platform_that_does_not_fit_is_refused(db: Database, workspace_id: int) -> None:
    with pytest.raises(ImportFileError, match="does not look like a Lazada export"):
        await import_file(db, workspace_id, SHOPIFY_SAMPLE, settings=WS, platform="lazada")


async def test_forced_platform_names_the_layout_the_file_has(
    db: Database, workspace_id: int, demo_exports: dict[str, Path]
) -> None:
    # TikTok Shop's columns share enough names with Shopee's to pass a loose check: the message must not
    # send the seller looking for "missing" Shopee columns.
    with pytest.raises(
        ImportFileError,
        match=r"does not look like a Shopee export: it looks like a TikTok Shop "
        r"one; import it without --platform",
    ):
        await import_file(
            db, workspace_id, demo_exports["tiktok-my-orders.csv"], settings=WS, platform="shopee"
        )
    assert await scalar(db, select(func.count()).select_from(Order)) == 0


LAZADA_HEADER = [
    "orderItemId",
    "orderType",
    "lazadaId",
    "sellerSku",
    "lazadaSku",
    "createTime",
    "updateTime",
    "orderNumber",
    "customerName",
    "customerEmail",
    "shippingName",
    "shippingAddress",
    "shippingPhone",
    "shippingCountry",
    "billingName",
    "billingPhone",
    "billingCountry",
    "payMethod",
    "paidPrice",
    "unitPrice",
    "sellerDiscountTotal",
    "shippingFee",
    "itemName",
    "variation",
    "status",
    "refundAmount",
]


def lazada_row(
    item: int,
    order: int,
    buyer: str,
    phone: object,
    status: str = "delivered",
    email: str = "",
    price: str = "20.00",
    when: str = "04 Jul 2026 11:46",
) -> list[object]:
    return [
        item,
        "Normal",
        "",
        "SKN-1",
        "",
        when,
        when,
        order,
        buyer,
        email,
        buyer.title(),
        "1 Road",
        phone,
        "Singapore",
        buyer.title(),
        "",
        "Singapore",
        "card",
        price,
        price,
        "0.00",
        "0.00",
        "Serum",
        "",
        status,
        "0",
    ]


async def test_phone_formats_merge_one_customer_across_platforms(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """+65 9123 4567, 6591234567 and 9123 4567 (country SG) are one number: one customer, transitively
    joined with an email shared with Shopify."""
    lz = write_xlsx(
        tmp_path / "lazada.xlsx",
        LAZADA_HEADER,
        [
            lazada_row(1, 9001, "alice1", "+65 9123 4567"),
            lazada_row(2, 9002, "alice2", 6591234567.0),  # Lazada stores phones as numbers sometimes
            lazada_row(3, 9003, "alice3", "9123 4567", email="alice@example.com"),
            lazada_row(4, 9004, "masked", "******67"),
            lazada_row(5, 9005, "shortnum", "123"),
        ],
        sheet="sheet1",
    )
    await import_file(db, workspace_id, lz, settings=WS)
    sh = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#7", "  Alice@Example.com ", "paid", "50.00", "2026-07-05 10:00:00 +0800"),
            shopify_row("#8", "a***@example.com", "paid", "50.00", "2026-07-05 10:00:00 +0800"),
        ],
    )
    await import_file(db, workspace_id, sh, settings=WS)
    orders = await orders_of(db)
    alice = {orders[k].customer_id for k in ("9001", "9002", "9003", "#7")}
    assert len(alice) == 1
    others = {orders[k].customer_id for k in ("9004", "9005", "#8")}
    assert len(others) == 3 and not (others & alice)
    async with db.sessions() as s:
        phones = (
            await s.execute(
                select(BuyerIdentity.buyer_key, BuyerIdentity.phone_norm).where(
                    BuyerIdentity.platform == "lazada"
                )
            )
        ).all()
    assert dict(phones) == {
        "alice1": "+6591234567",
        "alice2": "+6591234567",
        "alice3": "+6591234567",
        "masked": None,
        "shortnum": None,
    }


async def test_later_import_merges_existing_customers_and_records_why(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    a = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row(
                "#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800", phone="+65 8123 4567"
            ),
        ],
    )
    await import_file(db, workspace_id, a, settings=WS)
    b = write_xlsx(tmp_path / "lazada.xlsx", LAZADA_HEADER, [lazada_row(1, 77, "tanwl", "")], sheet="sheet1")
    await import_file(db, workspace_id, b, settings=WS)
    orders = await orders_of(db)
    assert orders["#1"].customer_id != orders["77"].customer_id
    # A later Lazada export reveals the buyer's phone: the two customers become one, the older survives.
    c = write_xlsx(
        tmp_path / "lazada2.xlsx", LAZADA_HEADER, [lazada_row(1, 77, "tanwl", "81234567")], sheet="sheet1"
    )
    report = await import_file(db, workspace_id, c, settings=WS)
    assert report.customers_merged == 1
    orders = await orders_of(db)
    assert orders["#1"].customer_id == orders["77"].customer_id
    async with db.sessions() as s:
        ev = (await s.execute(select(MergeEvent))).scalar_one()
        merged = await s.get(Customer, ev.merged_id)
    assert (ev.reason, ev.matched_on, ev.survivor_id) == ("phone", "+6581234567", orders["#1"].customer_id)
    assert merged is not None and merged.merged_into_id == ev.survivor_id


async def test_same_name_is_suggested_never_merged(db: Database, workspace_id: int, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "siti1@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800"),
            shopify_row("#2", "siti2@example.com", "paid", "10.00", "2026-01-02 10:00:00 +0800"),
        ],
    )
    rows = list(csv.reader(f.open(encoding="utf-8")))
    rows[1][SHOPIFY_HEADER.index("Billing Name")] = rows[2][SHOPIFY_HEADER.index("Billing Name")] = "Siti Koh"
    write_csv(f, rows[0], rows[1:])
    report = await import_file(db, workspace_id, f, settings=WS)
    orders = await orders_of(db)
    assert orders["#1"].customer_id != orders["#2"].customer_id
    # Both customers are new in this import: the pair is suggested once, not once from each side.
    assert [(a, an, b) for a, an, b, _ in report.suggestions] == [
        (orders["#1"].customer_id, "Siti Koh", orders["#2"].customer_id)
    ]


async def test_shopify_customers_export_consent_and_tags(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    header = [
        "Customer ID",
        "First Name",
        "Last Name",
        "Email",
        "Accepts Email Marketing",
        "Default Address Company",
        "Default Address Address1",
        "Default Address Country Code",
        "Default Address Phone",
        "Phone",
        "Accepts SMS Marketing",
        "Total Spent",
        "Total Orders",
        "Note",
        "Tax Exempt",
        "Tags",
    ]
    f = write_csv(
        tmp_path / "customers_export.csv",
        header,
        [
            [
                "'7001",
                "Mei",
                "Lin",
                "mei@example.com",
                "no",
                "",
                "",
                "SG",
                "",
                "'+6598765432",
                "no",
                "0",
                "0",
                "",
                "no",
                "VIP, wholesale",
            ],
            [
                "'7002",
                "Raj",
                "Kumar",
                "raj@example.com",
                "yes",
                "",
                "",
                "MY",
                "",
                "",
                "no",
                "0",
                "0",
                "",
                "no",
                "",
            ],
        ],
    )
    report = await import_file(db, workspace_id, f, settings=WS)
    assert report.platform == "shopify" and report.rows == 2 and report.customers_new == 2
    orders = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row(
                "#5", "MEI@example.com", "paid", "42.00", "2026-02-01 10:00:00 +0800", marketing="no"
            ),
        ],
    )
    await import_file(db, workspace_id, orders, settings=WS)
    async with db.sessions() as s:
        mei = (
            await s.execute(select(BuyerIdentity).where(BuyerIdentity.buyer_key == "id:7001"))
        ).scalar_one()
        assert (await orders_of(db))["#5"].customer_id == mei.customer_id
        consent = (
            (
                await s.execute(
                    select(ConsentRecord.granted).where(ConsentRecord.customer_id == mei.customer_id)
                )
            )
            .scalars()
            .all()
        )
        tags = (
            (
                await s.execute(
                    select(Tag.name).join(CustomerTag).where(CustomerTag.customer_id == mei.customer_id)
                )
            )
            .scalars()
            .all()
        )
    assert consent == [False]  # recorded once: the order export said the same again
    assert sorted(tags) == ["VIP", "wholesale"]


WOO_HEADER = [
    "Order Number",
    "Order Status",
    "Order Date",
    "First Name (Billing)",
    "Last Name (Billing)",
    "Email (Billing)",
    "Phone (Billing)",
    "Country Code (Billing)",
    "Currency",
    "Order Shipping Amount",
    "Order Total Amount",
    "SKU",
    "Item Name",
    "Quantity",
    "Item Cost",
]


async def test_woocommerce_export(db: Database, workspace_id: int, tmp_path: Path) -> None:
    header = WOO_HEADER
    f = write_csv(
        tmp_path / "woo.csv",
        header,
        [
            [
                "501",
                "completed",
                "2026-05-01 12:00",
                "Ana",
                "Reyes",
                "ana@example.com",
                "09171234567",
                "PH",
                "PHP",
                "50",
                "1050",
                "TSH",
                "T-shirt",
                "2",
                "500",
            ],
            [
                "501",
                "completed",
                "2026-05-01 12:00",
                "Ana",
                "Reyes",
                "ana@example.com",
                "09171234567",
                "PH",
                "PHP",
                "50",
                "1050",
                "CAP",
                "Cap",
                "1",
                "0",
            ],
            [
                "502",
                "cancelled",
                "2026-05-02 12:00",
                "Ben",
                "Cruz",
                "ben@example.com",
                "",
                "PH",
                "PHP",
                "0",
                "300",
                "CAP",
                "Cap",
                "1",
                "300",
            ],
        ],
    )
    report = await import_file(db, workspace_id, f, settings=WS)
    assert report.platform == "woocommerce" and report.rejected == []
    orders = await orders_of(db)
    assert (orders["501"].order_value, orders["501"].status, orders["502"].status) == (
        Decimal(1050),
        "completed",
        "cancelled",
    )
    assert orders["501"].created_at == datetime(2026, 5, 1, 4, 0, tzinfo=UTC)  # Manila UTC+8
    async with db.sessions() as s:
        phone = (
            await s.execute(
                select(BuyerIdentity.phone_norm).where(BuyerIdentity.buyer_key == "ana@example.com")
            )
        ).scalar()
    assert phone == "+639171234567"


async def test_amazon_all_orders_report_has_no_customer(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    header = [
        "amazon-order-id",
        "merchant-order-id",
        "purchase-date",
        "last-updated-date",
        "order-status",
        "fulfillment-channel",
        "sales-channel",
        "order-channel",
        "url",
        "ship-service-level",
        "product-name",
        "sku",
        "asin",
        "item-status",
        "quantity",
        "currency",
        "item-price",
        "item-tax",
        "shipping-price",
        "shipping-tax",
        "gift-wrap-price",
        "gift-wrap-tax",
        "item-promotion-discount",
        "ship-promotion-discount",
        "ship-city",
        "ship-state",
        "ship-postal-code",
        "ship-country",
        "promotion-ids",
        "",
    ]
    rows = [
        [
            "114-1",
            "",
            "2026-06-17T08:04:21+00:00",
            "2026-06-18T08:04:21+00:00",
            "Shipped",
            "Amazon",
            "Amazon.co.uk",
            "",
            "",
            "Standard",
            "Serum",
            "SKN-1",
            "B0001",
            "Shipped",
            "2",
            "GBP",
            "20.00",
            "4.00",
            "2.00",
            "0.40",
            "",
            "",
            "-1.00",
            "",
            "London",
            "",
            "E1",
            "GB",
            "",
            "",
        ],
        [
            "114-2",
            "",
            "2026-06-18T08:04:21+00:00",
            "2026-06-18T08:04:21+00:00",
            "Cancelled",
            "Amazon",
            "Amazon.co.uk",
            "",
            "",
            "Standard",
            "Serum",
            "SKN-1",
            "B0001",
            "Cancelled",
            "1",
            "GBP",
            "10.00",
            "0",
            "0",
            "0",
            "",
            "",
            "",
            "",
            "London",
            "",
            "E1",
            "GB",
            "",
            "",
        ],
    ]
    f = write_csv(tmp_path / "all-orders.txt", header, rows, delimiter="\t")
    report = await import_file(db, workspace_id, f, settings=WS)
    assert report.platform == "amazon" and report.store == "amazon-gb" and report.rejected == []
    orders = await orders_of(db)
    assert orders["114-1"].order_value == Decimal("25.4") and orders["114-1"].customer_id is None
    assert orders["114-2"].status == "cancelled"


async def test_tiktok_us_layout_with_am_pm_pacific_times(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    header = [
        "Order ID",
        "Order Status",
        "Order Substatus",
        "Cancelation/Return Type",
        "Normal or Pre-order",
        "SKU ID",
        "Seller SKU",
        "Product Name",
        "Variation",
        "Quantity",
        "SKU Unit Original Price",
        "SKU Subtotal After Discount",
        "Order Amount",
        "Order Refund Amount",
        "Created Time",
        "Paid Time",
        "Buyer Username",
        "Recipient",
        "Phone #",
        "Country",
    ]
    f = write_csv(
        tmp_path / "tiktok-us.csv",
        header,
        [
            [
                "5760001\t",
                "Delivered",
                "",
                "",
                "Normal",
                "1",
                "SKU1",
                "Lamp",
                "",
                "1",
                "$25.00",
                "$25.00",
                "$27.50",
                "$0.00",
                "07/04/2026 11:30:00 PM\t",
                "07/04/2026 11:31:00 PM\t",
                "joe",
                "Joe D",
                "(+1)415****12",
                "United States",
            ],
            [
                "5760002\t",
                "Completed",
                "",
                "Return/Refund",
                "Normal",
                "1",
                "SKU1",
                "Lamp",
                "",
                "1",
                "$25.00",
                "$25.00",
                "$25.00",
                "$25.00",
                "07/05/2026 09:00:00 AM\t",
                "",
                "amy",
                "Amy",
                "",
                "United States",
            ],
        ],
        bom=True,
    )
    report = await import_file(db, workspace_id, f, settings=WS)
    assert report.store == "tiktok-us"
    orders = await orders_of(db)
    assert orders["5760001"].currency == "USD" and orders["5760001"].order_value == Decimal("27.5")
    assert orders["5760001"].created_at == datetime(2026, 7, 5, 6, 30, tzinfo=UTC)  # PDT = UTC-7
    assert orders["5760002"].status == "returned"


async def test_shopee_traditional_chinese_headers(db: Database, workspace_id: int, tmp_path: Path) -> None:
    header = [
        "訂單編號 (單)",
        "訂單狀態 (單)",
        "取消原因",
        "買家帳號 (單)",
        "訂單成立時間 (單)",
        "訂單小計 (單)",
        "買家支付的運費 (單)",
        "訂單總金額 (單)",
        "商品名稱 (品)",
        "商品原價 (品)",
        "數量",
        "收件者姓名 (單)",
        "收件者電話 (單)",
        "國家",
    ]
    f = write_xlsx(
        tmp_path / "Order.all.20260101_20260131.xlsx",
        header,
        [
            [
                "2601TW1",
                "已完成",
                "",
                "lin_tw",
                "2026-01-10 20:00",
                "300",
                "60",
                "360",
                "杯子",
                "300",
                "1",
                "林小姐",
                "0912345678",
                "台灣",
            ],
            [
                "2601TW2",
                "已取消",
                "買家取消",
                "lin_tw",
                "2026-01-11 20:00",
                "100",
                "0",
                "100",
                "盤子",
                "100",
                "1",
                "林小姐",
                "0912345678",
                "台灣",
            ],
        ],
    )
    report = await import_file(db, workspace_id, f, settings=WorkspaceSettings(fx_rates={"TWD": 0.042}))
    assert report.platform == "shopee" and report.store == "shopee-tw" and report.rejected == []
    orders = await orders_of(db)
    assert (orders["2601TW1"].status, orders["2601TW1"].order_value, orders["2601TW1"].currency) == (
        "completed",
        Decimal(360),
        "TWD",
    )
    assert orders["2601TW2"].status == "cancelled"


async def test_generic_csv_with_configured_mapping(db: Database, workspace_id: int, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "mystore.csv",
        ["Ref", "When", "Who", "Mail", "Amount", "Cur"],
        [
            ["G1", "2026-04-01 09:00", "u1", "u1@example.com", "15.5", "SGD"],
            ["G2", "2026-04-02 09:00", "u1", "u1@example.com", "4.5", "SGD"],
        ],
    )
    with pytest.raises(ImportFileError, match="column mapping"):
        await import_file(db, workspace_id, f, settings=WS, platform="generic")
    ws = WorkspaceSettings(
        generic_columns={
            "order_id": "Ref",
            "created_at": "When",
            "buyer_key": "Who",
            "email": "Mail",
            "order_total": "Amount",
            "currency": "Cur",
        }
    )
    report = await import_file(db, workspace_id, f, settings=ws, platform="generic", store="web")
    assert report.store == "web" and report.orders_new == 2
    orders = await orders_of(db)
    assert orders["G1"].customer_id == orders["G2"].customer_id and orders["G1"].value_base == Decimal("15.5")


async def test_dated_rates_reprice_orders(db: Database, workspace_id: int, tmp_path: Path) -> None:
    f = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "a@example.com", "paid", "100.00", "2026-01-15 10:00:00 +0800"),
            shopify_row("#2", "b@example.com", "paid", "100.00", "2026-03-15 10:00:00 +0800"),
        ],
    )
    rows = list(csv.reader(f.open(encoding="utf-8")))
    for r in rows[1:]:
        r[SHOPIFY_HEADER.index("Currency")] = "USD"
    write_csv(f, rows[0], rows[1:])
    report = await import_file(db, workspace_id, f, settings=WorkspaceSettings())
    assert report.missing_rates == ["USD"]
    assert (await orders_of(db))["#1"].value_base is None
    rates = write_csv(
        tmp_path / "rates.csv",
        ["currency", "rate", "date"],
        [["USD", "1.30", ""], ["USD", "1.40", "2026-03-01"]],
    )
    assert await import_rates(db, workspace_id, rates, base_currency="SGD") == 2
    orders = await orders_of(db)
    assert orders["#1"].value_base == Decimal(130) and orders["#2"].value_base == Decimal(140)
    bad = write_csv(tmp_path / "bad.csv", ["currency", "rate"], [["USD", "-1"]])
    with pytest.raises(ImportFileError, match="positive rate"):
        await import_rates(db, workspace_id, bad, base_currency="SGD")


async def test_interactions_and_events_attach_to_known_buyers_once(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    orders = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [shopify_row("#1", "ann@example.com", "paid", "10.00", "2026-03-01 10:00:00 +0800")],
    )
    await import_file(db, workspace_id, orders, settings=WS)
    inter = write_csv(
        tmp_path / "interactions.csv",
        ["platform", "buyer_key", "kind", "occurred_at", "rating", "body", "language"],
        [
            ["shopify", "ann@example.com", "review", "2026-03-05T10:00:00+08:00", "5", "Love it", "en"],
            ["shopify", "ann@example.com", "chat", "2026-03-06T10:00:00+08:00", "", "Any blue?", "en"],
            ["shopify", "nobody@example.com", "chat", "2026-03-06T10:00:00+08:00", "", "hi", "en"],
            ["shopify", "ann@example.com", "review", "2026-03-07T10:00:00+08:00", "9", "?", "en"],
        ],
    )
    report = await import_file(db, workspace_id, inter, settings=WS)
    assert report.kind == "interactions" and report.orders_new == 2
    assert [(r.line_no, "unknown buyer" in r.reason or "rating" in r.reason) for r in report.rejected] == [
        (4, True),
        (5, True),
    ]
    again = await import_file(db, workspace_id, inter, settings=WS)
    assert (again.orders_new, again.orders_unchanged) == (0, 2)
    events = write_csv(
        tmp_path / "behaviour_events.csv",
        ["platform", "buyer_key", "kind", "sku", "product_name", "value", "currency", "occurred_at"],
        [
            [
                "shopify",
                "ann@example.com",
                "abandoned_cart",
                "SKN-1",
                "Serum",
                "35.00",
                "SGD",
                "2026-04-01T12:00:00+08:00",
            ]
        ],
    )
    ev = await import_file(db, workspace_id, events, settings=WS)
    assert ev.kind == "events" and ev.orders_new == 1
    from storage.models import BehaviourEvent, Interaction

    async with db.sessions() as s:
        kinds = (
            await s.execute(select(Interaction.kind, Interaction.rating).order_by(Interaction.occurred_at))
        ).all()
        cart = (await s.execute(select(BehaviourEvent.kind, BehaviourEvent.value))).one()
    assert [tuple(k) for k in kinds] == [("review", 5), ("chat", None)]
    assert tuple(cart) == ("abandoned_cart", Decimal(35))


async def test_manual_merge_split_and_undo(db: Database, workspace_id: int, tmp_path: Path) -> None:
    from crm.importing.identity import MergeError, merge_by_hand, split_identity, undo_merge

    f = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "wei@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800"),
            shopify_row("#2", "wei.tan@work.example", "paid", "20.00", "2026-01-02 10:00:00 +0800"),
        ],
    )
    await import_file(db, workspace_id, f, settings=WS)
    orders = await orders_of(db)
    a, b = orders["#1"].customer_id, orders["#2"].customer_id
    async with db.sessions() as s:
        ev = await merge_by_hand(s, workspace_id, a, b)
        await s.commit()
    assert {o.customer_id for o in (await orders_of(db)).values()} == {a}
    # A later import of the same buyers does not split what the seller merged.
    await import_file(db, workspace_id, f, settings=WS)
    assert {o.customer_id for o in (await orders_of(db)).values()} == {a}
    async with db.sessions() as s:
        with pytest.raises(MergeError, match="merged into"):
            await merge_by_hand(s, workspace_id, a, b)
        assert await undo_merge(s, workspace_id, ev) == b
        await s.commit()
    orders = await orders_of(db)
    assert (orders["#1"].customer_id, orders["#2"].customer_id) == (a, b)
    async with db.sessions() as s:
        with pytest.raises(MergeError, match="undone already"):
            await undo_merge(s, workspace_id, ev)
        # Split: an identity merged automatically by email goes back to a customer of its own.
    g = write_csv(
        tmp_path / "orders2.csv",
        SHOPIFY_HEADER,
        [
            shopify_row(
                "#3", "lee@example.com", "paid", "10.00", "2026-01-03 10:00:00 +0800", phone="+6590001111"
            ),
            shopify_row(
                "#4", "lee2@example.com", "paid", "10.00", "2026-01-04 10:00:00 +0800", phone="90001111"
            ),
        ],
    )
    await import_file(db, workspace_id, g, settings=WS)
    orders = await orders_of(db)
    assert orders["#3"].customer_id == orders["#4"].customer_id
    # The customer card lists both identities by the number `customers split` takes.
    from crm.query.compiler import customer_profile

    card = await customer_profile(
        db=db,
        workspace_id=workspace_id,
        customer_id=orders["#3"].customer_id,
        settings=Settings(),
        as_of=datetime(2026, 2, 1, tzinfo=UTC),
    )
    ids = sorted({orders["#3"].identity_id, orders["#4"].identity_id})
    assert f"Buyer identities: #{ids[0]} Shopify" in card.text and f", #{ids[1]} Shopify" in card.text
    assert dict(map(tuple, card.rows))["buyer_identities"].startswith(f"#{ids[0]} Shopify")
    async with db.sessions() as s:
        new = await split_identity(s, workspace_id, orders["#4"].identity_id)
        await s.commit()
    await import_file(db, workspace_id, g, settings=WS)
    orders = await orders_of(db)
    assert orders["#4"].customer_id == new != orders["#3"].customer_id


async def test_split_identity_is_not_a_bridge_and_merged_customer_attracts_new_buyers(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    from crm.importing.identity import merge_by_hand, split_identity

    g = write_csv(
        tmp_path / "orders.csv",
        SHOPIFY_HEADER,
        [
            shopify_row(
                "#3", "lee@example.com", "paid", "10.00", "2026-01-03 10:00:00 +0800", phone="+6590001111"
            ),
            shopify_row(
                "#4", "lee2@example.com", "paid", "10.00", "2026-01-04 10:00:00 +0800", phone="90001111"
            ),
            shopify_row("#5", "kim@example.com", "paid", "10.00", "2026-01-05 10:00:00 +0800"),
            shopify_row("#6", "kim.work@example.com", "paid", "10.00", "2026-01-06 10:00:00 +0800"),
        ],
    )
    await import_file(db, workspace_id, g, settings=WS)
    orders = await orders_of(db)
    async with db.sessions() as s:
        new = await split_identity(s, workspace_id, orders["#4"].identity_id)
        await merge_by_hand(s, workspace_id, orders["#5"].customer_id, orders["#6"].customer_id)
        await s.commit()
    kim = orders["#5"].customer_id
    # New buyers: one shares the split number (joins the first customer it is linked to, not a bridge),
    # one shares kim's work email (joins the merged customer).
    h = write_csv(
        tmp_path / "orders2.csv",
        SHOPIFY_HEADER,
        [
            shopify_row(
                "#7", "lee3@example.com", "paid", "10.00", "2026-02-01 10:00:00 +0800", phone="9000 1111"
            ),
            shopify_row("#8", "KIM.WORK@example.com", "paid", "10.00", "2026-02-02 10:00:00 +0800"),
        ],
    )
    await import_file(db, workspace_id, h, settings=WS)
    orders = await orders_of(db)
    assert orders["#4"].customer_id == new
    assert orders["#3"].customer_id == orders["#7"].customer_id != new
    assert orders["#8"].customer_id == kim == orders["#6"].customer_id


async def test_file_broken_halfway_changes_nothing(db: Database, workspace_id: int, tmp_path: Path) -> None:
    """A file that turns out unreadable after thousands of rows (staging batches already sent) rolls back."""
    rows = [
        shopify_row(f"#{i}", f"b{i}@example.com", "paid", "10.00", "2026-03-01 10:00:00 +0800")
        for i in range(12_000)
    ]
    f = write_csv(tmp_path / "orders_export.csv", SHOPIFY_HEADER, rows)
    with f.open("a", encoding="utf-8") as fh:
        fh.write('#x,"never closed quote\n' + "a" * 100 + "\x00\n")
    import csv as csv_module

    old = csv_module.field_size_limit(50)  # make the broken last record fail to parse
    try:
        with pytest.raises(ImportFileError, match="not valid CSV"):
            await import_file(db, workspace_id, f, settings=WS)
    finally:
        csv_module.field_size_limit(old)
    assert await scalar(db, select(func.count()).select_from(Order)) == 0
    assert await scalar(db, select(func.count()).select_from(Customer)) == 0


# ---------------------------------------------------------------- one order, one store, one currency
AMAZON_REPORT_HEADER = [
    "order-id",
    "order-item-id",
    "purchase-date",
    "payments-date",
    "buyer-email",
    "buyer-name",
    "sku",
    "product-name",
    "quantity-purchased",
    "currency",
    "item-price",
    "item-tax",
    "shipping-price",
    "shipping-tax",
    "item-promotion-discount",
    "ship-country",
    "sales-channel",
]


def amazon_row(
    order: str, item: str, price: str, currency: str = "GBP", day: int = 1, promo: str = ""
) -> list[object]:
    return [
        order,
        item,
        f"2026-06-{day:02d}T08:00:00+00:00",
        f"2026-06-{day:02d}T08:05:00+00:00",
        f"{order}@marketplace.amazon.co.uk",
        "Ann",
        "SKN-1",
        "Serum",
        "1",
        currency,
        price,
        "0",
        "0",
        "0",
        promo,
        "GB",
        "Amazon.co.uk",
    ]


async def store_names(db: Database) -> list[tuple[str, str]]:
    async with db.sessions() as s:
        return sorted(tuple(r) for r in (await s.execute(select(Store.platform, Store.name))).all())


async def test_same_orders_never_land_in_a_second_store_of_the_platform(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Re-importing a file into a differently named store would count its orders twice: without --store they
    go to the store that already holds them; with a different --store the file is refused, nothing changes."""
    f = write_csv(
        tmp_path / "amazon-uk-order-report.txt",
        AMAZON_REPORT_HEADER,
        [amazon_row("202-1", "1", "20.00"), amazon_row("202-2", "2", "15.00", day=2)],
        delimiter="\t",
    )
    first = await import_file(db, workspace_id, f, settings=WS, store="amazon-uk")  # e.g. an older demo
    assert (first.store, first.orders_new) == ("amazon-uk", 2)

    again = await import_file(db, workspace_id, f, settings=WS)  # default name would be amazon-gb
    assert again.store == "amazon-uk" and (again.orders_new, again.orders_unchanged) == (0, 2)
    assert any("imported before" in n for n in again.notes)

    with pytest.raises(
        ImportFileError,
        match=r"amazon-uk-order-report.txt: 2 of its orders are already in another "
        r"Amazon store: 'amazon-uk'.*nothing was imported.*--store amazon-uk",
    ):
        await import_file(db, workspace_id, f, settings=WS, store="amazon-gb")
    # A refused file keeps none of its new buyers either (the refusal comes once they have been matched).
    newcomer = write_csv(
        tmp_path / "newcomer.txt",
        AMAZON_REPORT_HEADER,
        [amazon_row("202-1", "1", "20.00"), amazon_row("202-9", "9", "5.00", day=9)],
        delimiter="\t",
    )
    known = [await scalar(db, select(func.count()).select_from(m)) for m in (BuyerIdentity, Customer)]
    with pytest.raises(ImportFileError, match="already in another Amazon store: 'amazon-uk'"):
        await import_file(db, workspace_id, newcomer, settings=WS, store="amazon-gb")
    assert [await scalar(db, select(func.count()).select_from(m)) for m in (BuyerIdentity, Customer)] == known

    # A later export (different file, same orders plus a new one) follows its orders too.
    later = write_csv(
        tmp_path / "later.txt",
        AMAZON_REPORT_HEADER,
        [
            amazon_row("202-1", "1", "20.00"),
            amazon_row("202-2", "2", "15.00", day=2),
            amazon_row("202-3", "3", "9.00", day=3),
        ],
        delimiter="\t",
    )
    report = await import_file(db, workspace_id, later, settings=WS)
    assert report.store == "amazon-uk" and (report.orders_new, report.orders_unchanged) == (1, 2)
    assert any("already in store 'amazon-uk'" in n for n in report.notes)

    async with db.sessions() as s:
        n, distinct = (
            await s.execute(
                select(func.count(), func.count(func.distinct(Order.platform_order_id))).select_from(Order)
            )
        ).one()
    assert n == distinct == 3
    assert await store_names(db) == [("amazon", "amazon-uk")]


async def test_per_store_order_numbers_may_repeat_across_stores(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Shopify numbers orders per store (#1001 in every shop): two shops' different orders both import."""
    a = write_csv(
        tmp_path / "a.csv",
        SHOPIFY_HEADER,
        [shopify_row("#1001", "ann@example.com", "paid", "10.00", "2026-03-01 10:00:00 +0800")],
    )
    b = write_csv(
        tmp_path / "b.csv",
        SHOPIFY_HEADER,
        [shopify_row("#1001", "bob@example.com", "paid", "30.00", "2026-04-07 18:00:00 +0800")],
    )
    await import_file(db, workspace_id, a, settings=WS, store="shop-a")
    report = await import_file(db, workspace_id, b, settings=WS, store="shop-b")
    assert (report.store, report.orders_new) == ("shop-b", 1)
    # ... but the same shop's export under another name is caught (same number, same moment).
    with pytest.raises(ImportFileError, match="already in another Shopify store: 'shop-a'"):
        await import_file(db, workspace_id, a, settings=WS, store="shop-c")
    assert await scalar(db, select(func.count()).select_from(Order)) == 2


async def test_order_with_mixed_currencies_or_negative_price_is_rejected_whole(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    f = write_csv(
        tmp_path / "amazon.txt",
        AMAZON_REPORT_HEADER,
        [
            amazon_row("111-1", "1", "9.99", currency="USD"),
            amazon_row("111-1", "2", "-5", currency="XYZ"),  # the trial's order: was stored as "XYZ 4.99"
            amazon_row("111-2", "3", "12.00", currency="USD", day=2),
            amazon_row("111-2", "4", "3.00", currency="GBP", day=2),
            amazon_row("111-3", "5", "20.00", currency="USD", day=3, promo="-2.50"),  # a promotion is fine
            amazon_row("111-4", "6", "-1.00", currency="USD", day=4),
        ],
        delimiter="\t",
    )
    report = await import_file(db, workspace_id, f, settings=WS)
    orders = await orders_of(db)
    assert set(orders) == {"111-3"} and orders["111-3"].order_value == Decimal("17.5")
    assert orders["111-3"].currency == "USD"
    by_line = {r.line_no: r for r in report.rejected}
    assert sorted(by_line) == [3, 5, 7]  # header is line 1
    assert by_line[3].order_ref == "111-1" and "negative item price -5" in by_line[3].reason
    assert "unknown currency code 'XYZ'" in by_line[3].reason
    assert "currency GBP differs from USD on line 4" in by_line[5].reason
    assert all("whole order is rejected" in r.reason for r in report.rejected)
    assert "negative item price" in by_line[7].reason


async def test_shopify_discounts_and_partial_refunds_still_import(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    row = shopify_row(
        "#7", "ann@example.com", "partially_refunded", "45.00", "2026-03-01 10:00:00 +0800", price="50.00"
    )
    row[SHOPIFY_HEADER.index("Discount Amount")] = "5.00"
    row[SHOPIFY_HEADER.index("Refunded Amount")] = "10.00"
    report = await import_file(
        db, workspace_id, write_csv(tmp_path / "orders_export.csv", SHOPIFY_HEADER, [row]), settings=WS
    )
    assert report.rejected == []
    order = (await orders_of(db))["#7"]
    assert order.status == "shipped" and order.order_value == Decimal(45)  # fulfilled; refund is partial


# ---------------------------------------------------------------- every error names its file
async def test_rates_file_given_to_import_points_to_rates_import(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    f = write_csv(tmp_path / "fx.csv", ["currency", "rate", "date"], [["USD", "1.34", "2026-01-01"]])
    with pytest.raises(
        ImportFileError, match=r"^fx.csv: this is an exchange-rates file.*sellermate rates import fx.csv"
    ):
        await import_file(db, workspace_id, f, settings=WS)
    unknown = write_csv(tmp_path / "mystery.csv", ["a", "b"], [["1", "2"]])
    with pytest.raises(ImportFileError, match=r"^mystery.csv: unknown file layout"):
        await import_file(db, workspace_id, unknown, settings=WS)
    assert await scalar(db, select(func.count()).select_from(ImportLog)) == 0


def test_import_command_reports_each_bad_file_and_imports_the_rest(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    good = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [shopify_row("#1", "ann@example.com", "paid", "10.00", "2026-03-01 10:00:00 +0800")],
    )
    rates = write_csv(tmp_path / "rates.csv", ["currency", "rate"], [["USD", "1.34"]])
    odd = write_csv(tmp_path / "odd.csv", ["currency", "amount", "x"], [["USD", "1", "2"]])
    # Given before the orders it refers to, a chat still finds its buyer: activity files go last.
    chat = write_csv(
        tmp_path / "interactions.csv",
        ["platform", "buyer_key", "kind", "occurred_at", "rating", "body", "language"],
        [["shopify", "ann@example.com", "chat", "2026-03-06T10:00:00+08:00", "", "Any blue?", "en"]],
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    env["SELLERMATE_CONFIG"] = str(tmp_path / "none.yaml")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "import",
            str(chat),
            str(odd),
            str(good),
            str(rates),
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
        check=False,
    )
    assert out.returncode == 1
    # The rates file is imported as rates, first, so the orders after it are priced.
    assert out.stdout.splitlines()[0] == "rates.csv: 1 exchange rates imported"
    assert "importing exchange rates first" in out.stderr
    assert "interactions.csv: 1 interactions: 1 added, 0 already there; 0 rows rejected" in out.stdout
    assert out.stdout.index("orders_export.csv") < out.stdout.index("interactions.csv")
    assert "error: odd.csv: unknown file layout (columns: currency, amount, x)" in out.stderr
    assert "1 of 4 files not imported" in out.stderr
    assert "orders_export.csv: shopify store 'shopify'" in out.stdout and "orders 1 new" in out.stdout


async def test_the_report_says_which_orders_metrics_do_not_count(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """An export of pending or cancelled orders imports fine but adds nothing to the metrics: the report says so
    (command line and chat, in the chat's language) instead of leaving the seller to wonder why sales are 0."""
    from bot.cli_import import format_report
    from bot.i18n import get_i18n
    from handlers.imports import summary

    sh = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "tan@example.com", "paid", "10.00", "2026-01-05 10:00:00 +0800"),
            shopify_row("#2", "wei@example.com", "pending", "20.00", "2026-01-06 10:00:00 +0800"),
            shopify_row("#3", "lee@example.com", "pending", "20.00", "2026-01-07 10:00:00 +0800"),
            shopify_row("#4", "kim@example.com", "voided", "20.00", "2026-01-08 10:00:00 +0800"),
        ],
    )
    report = await import_file(db, workspace_id, sh, settings=WorkspaceSettings())
    assert report.not_counted == {"cancelled": 1, "pending": 2}
    assert any(
        "not counted in sales and customer metrics" in line and "2 pending" in line and "1 cancelled" in line
        for line in format_report(report)
    )
    assert "2 待付款" in summary(report, get_i18n("zh")) and "1 已取消" in summary(report, get_i18n("zh"))
    again = await import_file(db, workspace_id, sh, settings=WorkspaceSettings())  # said again on a re-import
    assert again.not_counted == {"cancelled": 1, "pending": 2}
    paid = await import_file(
        db,
        workspace_id,
        write_csv(
            tmp_path / "paid.csv",
            SHOPIFY_HEADER,
            [shopify_row("#9", "tan@example.com", "paid", "10.00", "2026-01-09 10:00:00 +0800")],
        ),
        settings=WorkspaceSettings(),
    )
    assert paid.not_counted == {} and not any("not counted" in line for line in format_report(paid))
