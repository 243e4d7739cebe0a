"""Importer input edges: UTF-16 text exports (Excel's "Unicode Text"), and spreadsheets that would unpack to
more than an import may hold in memory (decompression bombs)."""
from __future__ import annotations

import codecs
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.settings import WorkspaceSettings
from crm.importing.errors import ImportFileError
from crm.importing.service import file_kind, import_file
from storage.db import Database
from storage.models import Customer, Order

WS = WorkspaceSettings(fx_rates={"PHP": 0.024})

WOO_HEADER = ["Order Number", "Order Status", "Order Date", "First Name (Billing)", "Last Name (Billing)",
              "Email (Billing)", "Phone (Billing)", "Country Code (Billing)", "Currency", "Order Shipping Amount",
              "Order Total Amount", "SKU", "Item Name", "Quantity", "Item Cost"]
# Names outside ASCII, one with U+4E0A (上), whose UTF-16 LE bytes hold a line-end byte (0A 4E).
WOO_ROWS = [
    ["501", "completed", "2026-05-01 12:00", "Ána", "Reyes", "ana@example.com", "09171234567", "PH", "PHP",
     "50", "1050", "TSH", "T-shirt, \"large\"", "2", "500"],
    ["501", "completed", "2026-05-01 12:00", "Ána", "Reyes", "ana@example.com", "09171234567", "PH", "PHP",
     "50", "1050", "CAP", "Cap\twith a tab", "1", "0"],
    ["502", "cancelled", "2026-05-02 12:00", "上官", "陈", "chen@example.com", "", "PH", "PHP", "0", "300",
     "CAP", "Cap", "1", "300"],
]


def unicode_text(rows: list[list[str]], header: list[str] = WOO_HEADER) -> str:
    """Rows as Excel's "Unicode Text" export writes them: tab-separated, CRLF, quoted only where needed."""
    def cell(value: str) -> str:
        return '"' + value.replace('"', '""') + '"' if any(c in value for c in '\t"\r\n') else value

    return "".join("\t".join(cell(v) for v in row) + "\r\n" for row in [header, *rows])


UTF16_VARIANTS = {
    "le-bom": lambda text: codecs.BOM_UTF16_LE + text.encode("utf-16-le"),  # what Excel writes
    "le": lambda text: text.encode("utf-16-le"),
    "be-bom": lambda text: codecs.BOM_UTF16_BE + text.encode("utf-16-be"),
    "be": lambda text: text.encode("utf-16-be"),
}


async def orders_of(db: Database) -> dict[str, Order]:
    async with db.sessions() as s:
        return {o.platform_order_id: o for o in (await s.execute(select(Order))).scalars()}


@pytest.mark.parametrize("variant", list(UTF16_VARIANTS))
async def test_utf16_unicode_text_export_imports(db: Database, workspace_id: int, tmp_path: Path,
                                                 variant: str) -> None:
    path = tmp_path / "orders.txt"
    path.write_bytes(UTF16_VARIANTS[variant](unicode_text(WOO_ROWS)))
    report = await import_file(db, workspace_id, path, settings=WS)
    assert (report.platform, report.rows, report.orders_new, report.rejected) == ("woocommerce", 3, 2, [])
    orders = await orders_of(db)
    assert (orders["501"].order_value, orders["501"].status, orders["502"].status) == (
        Decimal(1050), "completed", "cancelled")
    assert orders["501"].created_at == datetime(2026, 5, 1, 4, 0, tzinfo=UTC)  # Manila UTC+8
    async with db.sessions() as s:
        names = set((await s.execute(select(Customer.display_name))).scalars())
    assert any("Ána" in (n or "") for n in names) and any("上官" in (n or "") for n in names)

    # The same rows as UTF-8 CSV are the same orders: nothing new, nothing changed.
    utf8 = tmp_path / "orders.csv"
    utf8.write_text("".join(",".join('"' + v.replace('"', '""') + '"' for v in row) + "\r\n"
                            for row in [WOO_HEADER, *WOO_ROWS]), encoding="utf-8")
    again = await import_file(db, workspace_id, utf8, settings=WS)
    assert (again.orders_new, again.orders_updated, again.orders_unchanged, again.rejected) == (0, 0, 2, [])


async def test_utf16_file_without_final_line_end_keeps_its_last_row(db: Database, workspace_id: int,
                                                                    tmp_path: Path) -> None:
    """A whole last row without a line end imports; one that stops short is rejected as cut short."""
    text = unicode_text(WOO_ROWS).rstrip("\r\n")
    path = tmp_path / "orders.txt"
    path.write_bytes(UTF16_VARIANTS["le-bom"](text))
    report = await import_file(db, workspace_id, path, settings=WS)
    assert (report.orders_new, report.rejected) == (2, [])

    cut = tmp_path / "cut.txt"
    cut.write_bytes(UTF16_VARIANTS["le-bom"](text.rsplit("\t", 3)[0]))
    async with db.sessions() as s:
        await s.execute(Order.__table__.delete().where(Order.platform_order_id == "502"))
        await s.commit()
    report = await import_file(db, workspace_id, cut, settings=WS)
    assert [(r.line_no, r.order_ref) for r in report.rejected] == [(4, "502")]
    assert "cut short" in report.rejected[0].reason


def test_utf16_rates_file_is_recognised_before_importing(tmp_path: Path) -> None:
    path = tmp_path / "rates.txt"
    path.write_bytes(UTF16_VARIANTS["le-bom"]("currency\trate\r\nPHP\t0.024\r\n"))
    assert file_kind(path) == "rates"


async def test_binary_file_is_still_not_a_csv(db: Database, workspace_id: int, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(bytes(range(256)) * 4)
    with pytest.raises(ImportFileError, match="not a CSV"):
        await import_file(db, workspace_id, path, settings=WS)
    async with db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Order))).scalar() == 0
