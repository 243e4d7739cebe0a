"""Importer input edges: UTF-16 text exports (Excel's "Unicode Text"), and spreadsheets that would unpack to
more than an import may hold in memory (decompression bombs)."""

from __future__ import annotations

import codecs
import random
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import chain
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.settings import WorkspaceSettings
from crm.importing.errors import ImportFileError
from crm.importing.service import file_kind, import_file
from storage.db import Database
from storage.models import Customer, Order
from tests.test_importing import WOO_HEADER

WS = WorkspaceSettings(fx_rates={"PHP": 0.024})

# Names outside ASCII, one with U+4E0A (上), whose UTF-16 LE bytes hold a line-end byte (0A 4E).
WOO_ROWS = [
    [
        "501",
        "completed",
        "2026-05-01 12:00",
        "Ána",
        "Reyes",
        "ana@example.com",
        "09171234567",
        "PH",
        "PHP",
        "50",
        "1050",
        "TSH",
        'T-shirt, "large"',
        "2",
        "500",
    ],
    [
        "501",
        "completed",
        "2026-05-01 12:00",
        "Ána",
        "Reyes",
        "ana@example.com",
        "09171234567",
        "PH",
        "PHP",
        "50",
        "1050",
        "CAP",
        "Cap\twith a tab",
        "1",
        "0",
    ],
    [
        "502",
        "cancelled",
        "2026-05-02 12:00",
        "上官",
        "陈",
        "chen@example.com",
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
async def test_utf16_unicode_text_export_imports(
    db: Database, workspace_id: int, tmp_path: Path, variant: str
) -> None:
    path = tmp_path / "orders.txt"
    path.write_bytes(UTF16_VARIANTS[variant](unicode_text(WOO_ROWS)))
    report = await import_file(db, workspace_id, path, settings=WS)
    assert (report.platform, report.rows, report.orders_new, report.rejected) == ("woocommerce", 3, 2, [])
    orders = await orders_of(db)
    assert (orders["501"].order_value, orders["501"].status, orders["502"].status) == (
        Decimal(1050),
        "completed",
        "cancelled",
    )
    assert orders["501"].created_at == datetime(2026, 5, 1, 4, 0, tzinfo=UTC)  # Manila UTC+8
    async with db.sessions() as s:
        names = set((await s.execute(select(Customer.display_name))).scalars())
    assert any("Ána" in (n or "") for n in names) and any("上官" in (n or "") for n in names)

    # The same rows as UTF-8 CSV are the same orders: nothing new, nothing changed.
    utf8 = tmp_path / "orders.csv"
    utf8.write_text(
        "".join(
            ",".join('"' + v.replace('"', '""') + '"' for v in row) + "\r\n"
            for row in [WOO_HEADER, *WOO_ROWS]
        ),
        encoding="utf-8",
    )
    again = await import_file(db, workspace_id, utf8, settings=WS)
    assert (again.orders_new, again.orders_updated, again.orders_unchanged, again.rejected) == (0, 0, 2, [])


async def test_utf16_file_without_final_line_end_keeps_its_last_row(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
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


# ---------------------------------------------------------------- spreadsheets: what a workbook may unpack to

ROOT = Path(__file__).resolve().parents[1]
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships'
    '+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><{p}workbook xmlns{q}="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<{p}sheets><{p}sheet name="orders" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def _xml_text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def column_letters(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(
        f'<c r="{column_letters(i + 1)}{number}" t="inlineStr"><is><t>{_xml_text(v)}</t></is></c>'
        for i, v in enumerate(values)
        if v != ""
    )
    return f'<row r="{number}">{cells}</row>'


def write_workbook(
    path: Path,
    rows: Iterable[str],
    shared: list[str] | None = None,
    *,
    prefix: str = "",
    before_rows: str = "",
    level: int = 6,
) -> Path:
    """A minimal XLSX written part by part (rows as <row> XML, streamed: a bomb is small on disk only)."""
    import zipfile

    p, q = (f"{prefix}:", f":{prefix}") if prefix else ("", "")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK.format(p=p, q=q))
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if shared is not None:
            archive.writestr(
                "xl/sharedStrings.xml",
                (
                    '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/'
                    f'spreadsheetml/2006/main" count="{len(shared)}" uniqueCount="{len(shared)}">'
                    + "".join(f"<si><t>{_xml_text(s)}</t></si>" for s in shared)
                    + "</sst>"
                ),
            )
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(
                f'<?xml version="1.0" encoding="UTF-8"?><{p}worksheet xmlns{q}="http://schemas.'
                f'openxmlformats.org/spreadsheetml/2006/main">{before_rows}<{p}sheetData>'.encode()
            )
            for row in rows:
                fh.write(row.encode())
            fh.write(f"</{p}sheetData></{p}worksheet>".encode())
    return path


def woo_rows(first: int, count: int, memo: str) -> Iterator[str]:
    """WooCommerce order lines as inline-string rows, with an extra column the importer does not read."""
    for n in range(count):
        yield inline_row(
            first + n,
            [
                str(5000 + n),
                "completed",
                "2026-05-01 12:00",
                "Ana",
                "Reyes",
                f"buyer{n % 50}@example.com",
                "",
                "PH",
                "PHP",
                "0",
                "300",
                "CAP",
                "Cap",
                "1",
                "300",
                memo,
            ],
        )


def inline_bomb(path: Path, megabytes: int) -> Path:
    """The issue's bomb: rows of 30,000-character inline strings, which deflate packs hundreds of times."""
    cell = "x" * 30_000
    rows_needed = megabytes * 1_000_000 // (10 * 30_000)
    header = inline_row(1, WOO_HEADER)
    return write_workbook(
        path, chain([header], (inline_row(n + 2, [cell] * 10) for n in range(rows_needed))), level=1
    )


def shared_string_bomb(path: Path, rows: int) -> Path:
    """A small, honestly compressed sheet whose every row refers to one 32,000-character shared string: a
    reader that copies the string into each cell holds rows x 32 KB (python-calamine: twice)."""
    memo = '<c r="P{n}" t="s"><v>0</v></c>'
    lines = (
        r.replace("</row>", memo.format(n=2 + i) + "</row>") for i, r in enumerate(woo_rows(2, rows, ""))
    )
    return write_workbook(
        path, chain([inline_row(1, [*WOO_HEADER, "Internal memo"])], lines), shared=["m" * 32_000]
    )


MEMORY_CHILD = """
import asyncio, json, resource, sys
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from bot.settings import WorkspaceSettings
from crm.importing.errors import ImportFileError
from crm.importing.service import import_file
from storage.db import open_database
from storage.repositories.workspaces import get_or_create_workspace

async def main():
    db = await open_database("sqlite+aiosqlite:///" + sys.argv[2])
    async with db.sessions() as s:
        ws = await get_or_create_workspace(s, name="t", base_currency="SGD", timezone="Asia/Singapore")
        await s.commit()
        ws_id = ws.id
    try:
        report = await import_file(db, ws_id, Path(sys.argv[1]), settings=WorkspaceSettings(fx_rates={"PHP": 0.024}))
        outcome = {"rows": report.rows, "orders": report.orders_new, "rejected": report.rows_rejected}
    except ImportFileError as exc:
        outcome = {"error": str(exc)}
    await db.dispose()
    return outcome

outcome = asyncio.run(main())
try:  # this process's own high-water mark (ru_maxrss would also count what the parent had when it forked)
    with open("/proc/self/status", encoding="ascii") as fh:
        outcome["peak_mb"] = next(int(line.split()[1]) for line in fh if line.startswith("VmHWM:")) / 1024
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcome["peak_mb"] = peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
from crm.importing import whole_read  # a workbook read whole: its reading child's own peak
if whole_read.last_child_peak_kb is not None:
    outcome["reader_peak_mb"] = whole_read.last_child_peak_kb / 1024
print(json.dumps(outcome))
"""


def import_in_child(path: Path) -> dict[str, object]:
    """Import a file in a fresh process; what came of it and the process's peak resident memory (MB)."""
    import json
    import subprocess
    import sys

    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(path), str(path.with_suffix(".db"))],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


PEAK_LIMIT_MB = 400  # the import benchmark's memory target


def test_xlsx_bomb_is_refused_in_one_line_within_the_memory_target(tmp_path: Path) -> None:
    """A megabyte that unpacks to 200 MB of long inline strings (the issue's 633 KB file took 1.27 GB)."""
    bomb = inline_bomb(tmp_path / "orders.xlsx", 200)
    assert bomb.stat().st_size < 1_500_000
    got = import_in_child(bomb)
    assert float(got["peak_mb"]) < PEAK_LIMIT_MB, got  # type: ignore[arg-type]
    assert "error" in got, got
    assert "\n" not in str(got["error"]) and "more than 100 times its packed size" in str(got["error"])
    assert str(got["error"]).startswith("orders.xlsx: ")


def test_ods_bomb_is_refused_in_one_line_within_the_memory_target(tmp_path: Path) -> None:
    """The issue's ODS: under a kilobyte of rows and cells repeated to 20 million cells of 100 characters
    (python-calamine took 2.4 GB, then aborted the process with a Rust backtrace)."""
    from tests.test_bad_files import ods_bomb

    bomb = tmp_path / "orders.ods"
    bomb.write_bytes(ods_bomb())
    assert bomb.stat().st_size < 1_500
    got = import_in_child(bomb)
    assert float(got["peak_mb"]) < PEAK_LIMIT_MB, got  # type: ignore[arg-type]
    assert "error" in got, got
    assert "\n" not in str(got["error"]) and "expands to more than 1,000,000 cells" in str(got["error"])
    assert str(got["error"]).startswith("orders.ods: ")


def test_ods_with_empty_rows_repeated_to_the_last_row_imports(tmp_path: Path) -> None:
    """LibreOffice ends a sheet with empty rows and cells repeated to its last row and column: not a bomb."""
    from tests.test_bad_files import ODS_EMPTY_TAIL, SHOPIFY, ods, order

    path = tmp_path / "orders_export.ods"
    path.write_bytes(ods(SHOPIFY, [order(1), order(2)], ODS_EMPTY_TAIL))
    got = import_in_child(path)
    assert float(got["peak_mb"]) < PEAK_LIMIT_MB, got  # type: ignore[arg-type]
    assert (got.get("rows"), got.get("orders"), got.get("rejected")) == (2, 2, 0), got


def test_shared_string_bomb_imports_within_the_memory_target(tmp_path: Path) -> None:
    """6,000 rows that each refer to one 32,000-character shared string: nothing in the archive is out of
    bounds, and the rows import (they are order lines) while memory stays under the target."""
    bomb = shared_string_bomb(tmp_path / "orders.xlsx", 6_000)
    assert bomb.stat().st_size < 1_000_000
    got = import_in_child(bomb)
    assert float(got["peak_mb"]) < PEAK_LIMIT_MB, got  # type: ignore[arg-type]
    assert (got.get("rows"), got.get("orders"), got.get("rejected")) == (6_000, 6_000, 0), got


def test_xlsb_shared_string_bomb_is_refused_in_one_line_within_the_memory_target(tmp_path: Path) -> None:
    """The README's gap: a 130 KB XLSB whose 60,000 rows each refer to one 32,000-character shared string
    (python-calamine would copy it into every cell: 1.9 GB of text, then as many Python strings, then abort).
    Its reading child hits its address-space limit; the importer says so in one line. The import's memory is
    its own peak plus what the child may take at most (its limit): both under the target."""
    from crm.importing.whole_read import READ_BUDGET_BYTES
    from tests.test_bad_files import xlsb_shared_string_bomb

    bomb = tmp_path / "orders.xlsb"
    bomb.write_bytes(xlsb_shared_string_bomb())
    assert bomb.stat().st_size < 200_000
    got = import_in_child(bomb)
    assert float(got["peak_mb"]) + READ_BUDGET_BYTES / 2**20 < PEAK_LIMIT_MB, got  # type: ignore[arg-type]
    assert "error" in got, got
    error = str(got["error"])
    assert "\n" not in error and error.startswith("orders.xlsb: "), error
    assert "the workbook expands to more than 300 MB when read; save it as XLSX or CSV" in error


def test_honest_xlsb_imports_in_the_reading_child_within_the_memory_target(tmp_path: Path) -> None:
    """The same file with its shared string in 300 rows (10 MB once read) imports: the child's limit is for
    bombs, not for long notes. The importer and its child together stay under the target."""
    from tests.test_bad_files import xlsb_shared_string_bomb

    path = tmp_path / "orders.xlsb"
    path.write_bytes(xlsb_shared_string_bomb(refs=300))
    got = import_in_child(path)
    assert "error" not in got, got
    assert float(got["peak_mb"]) + float(got["reader_peak_mb"]) < PEAK_LIMIT_MB, got  # type: ignore[arg-type]
    assert (got.get("orders"), got.get("rejected")) == (1, 300), got  # memo-only rows: no order id


def _calamine_rows(path: Path) -> tuple[str, list[tuple[int, list[object]]]]:
    """What the previous reader gave (python-calamine in the importing process): the best sheet's header and
    data rows. The workbooks here have one sheet whose header is its first row."""
    from python_calamine import CalamineWorkbook

    from crm.importing.reader import cell_text

    book = CalamineWorkbook.from_path(str(path))
    name = book.sheet_names[0]
    grid = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    rows = [(i + 2, list(r)) for i, r in enumerate(grid[1:]) if any(cell_text(c) for c in r)]
    return name, rows


def test_whole_read_workbooks_give_the_rows_calamine_gives(tmp_path: Path) -> None:
    """XLSB, ODS (and XLS when xlwt is there to write one) read through the child give the very rows, cell
    values and line numbers python-calamine gave in the importing process, typed cells included."""
    from crm.importing.reader import read_table
    from tests.test_bad_files import ODS_EMPTY_TAIL, SHOPIFY, ods, order, xlsb

    orders = [order(n, Lineitem_name=f"Serum {n}") for n in range(1, 2_500)]
    paths = [tmp_path / "orders.xlsb", tmp_path / "orders.ods"]
    paths[0].write_bytes(xlsb(SHOPIFY, orders))
    paths[1].write_bytes(ods(SHOPIFY, orders[:50], ODS_EMPTY_TAIL))
    try:
        import xlwt  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        pass
    else:
        book = xlwt.Workbook()
        sheet = book.add_sheet("Orders")
        values: list[object] = ["Name", "Total", "Created at", "Paid"]
        for col, value in enumerate(values):
            sheet.write(2, col + 1, value)  # the header on row 3, from column B: an empty area first
        for n in range(3, 40):
            sheet.write(n, 1, f"#{n}")
            sheet.write(n, 2, n * 1.5)
            sheet.write(n, 3, datetime(2026, 3, n % 28 + 1), xlwt.easyxf(num_format_str="yyyy-mm-dd"))
            sheet.write(n, 4, n % 2 == 0)
        paths.append(tmp_path / "orders.xls")
        book.save(str(paths[-1]))
    for path in paths:
        table = read_table(path)
        name, rows = _calamine_rows(path)
        got = list(table.rows)
        if path.suffix == ".xls":  # header on row 3: calamine's grid from row 1, its rows numbered so
            rows = [(n, r) for n, r in rows if n > 3]
        assert (table.sheet, got) == (name, rows), path.name
        assert table.total_rows is not None and table.total_rows >= len(got)


def woo_workbook(path: Path, extra: list[str] | None = None, *, rows: int = 2, **kwargs: object) -> Path:
    """A WooCommerce export as XLSX, each line with `extra` cells after the known columns."""
    lines = (
        inline_row(
            2 + n,
            [
                str(5000 + n),
                "completed",
                "2026-05-01 12:00",
                "Ana",
                "Reyes",
                f"buyer{n}@example.com",
                "",
                "PH",
                "PHP",
                "0",
                "300",
                "CAP",
                "Cap",
                "1",
                "300",
                *(extra or []),
            ],
        )
        for n in range(rows)
    )
    return write_workbook(path, chain([inline_row(1, WOO_HEADER)], lines), **kwargs)  # type: ignore[arg-type]


async def refused(db: Database, workspace_id: int, path: Path, needle: str) -> str:
    """Import `path`, expecting it refused with one line containing `needle`, and nothing imported."""
    with pytest.raises(ImportFileError) as caught:
        await import_file(db, workspace_id, path, settings=WS)
    message = str(caught.value)
    assert needle in message and "\n" not in message and message.startswith(path.name + ": "), message
    async with db.sessions() as s:
        assert (await s.execute(select(func.count()).select_from(Order))).scalar() == 0
    return message


async def test_a_plain_xlsx_written_part_by_part_imports(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """The workbooks the refusal tests below change by one thing import as they are."""
    report = await import_file(
        db, workspace_id, woo_workbook(tmp_path / "orders.xlsx", ["memo"]), settings=WS
    )
    assert (report.platform, report.orders_new, report.rejected) == ("woocommerce", 2, [])


async def test_cell_longer_than_a_spreadsheet_allows_is_refused(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    path = woo_workbook(tmp_path / "orders.xlsx", ["y" * 32_768])
    await refused(db, workspace_id, path, "cell P2 holds more than 32,767 characters")
    shared = tmp_path / "shared.xlsx"
    write_workbook(
        shared,
        [inline_row(1, WOO_HEADER), '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'],
        shared=["z" * 40_000],
    )
    await refused(db, workspace_id, shared, "holds more than 32,767 characters")


async def test_row_past_the_last_column_or_with_too_much_text_is_refused(
    db: Database, workspace_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crm.importing.workbook as workbook

    wide = write_workbook(
        tmp_path / "wide.xlsx",
        [inline_row(1, WOO_HEADER), '<row r="2"><c r="XFE2" t="inlineStr"><is><t>x</t></is></c></row>'],
    )
    await refused(db, workspace_id, wide, "row 2 has cells past column 16,384")
    monkeypatch.setattr(workbook, "MAX_ROW_CHARS", 1_000)
    await refused(
        db,
        workspace_id,
        woo_workbook(tmp_path / "long.xlsx", ["a" * 600, "b" * 600]),
        "row 2 holds more than 1,000 characters",
    )


def test_rows_of_one_far_cell_stay_small(tmp_path: Path) -> None:
    """A row of one cell at column XFD is ~30 bytes of XML and 16,384 cells once read: rows are handed on a few
    at a time, and cells past the header's columns are not kept."""
    import tracemalloc

    from crm.importing.reader import read_table

    far = (f'<row r="{n}"><c r="XFD{n}"><v>1</v></c></row>' for n in range(2, 30_002))
    path = write_workbook(tmp_path / "far.xlsx", chain([inline_row(1, WOO_HEADER)], far))
    tracemalloc.start()
    try:
        table = read_table(path)
        assert sum(1 for _ in table.rows) == 0  # all blank within the header's columns
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20_000_000, peak


async def test_doctype_huge_tag_and_deep_nesting_are_refused(
    db: Database, workspace_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    import crm.importing.workbook as workbook

    laughs = tmp_path / "laughs.xlsx"
    woo_workbook(laughs)
    with zipfile.ZipFile(laughs) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        "?>", '?><!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>', 1
    ).encode()
    with zipfile.ZipFile(laughs, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    await refused(db, workspace_id, laughs, "damaged or not a real export (a DOCTYPE)")

    monkeypatch.setattr(workbook, "MAX_QUIET_BYTES", 1024 * 1024)
    noise = random.Random(1).randbytes(1_500_000).hex()  # 3 MB that do not compress much
    huge_tag = woo_workbook(tmp_path / "tag.xlsx", rows=1, before_rows=f'<sheetPr codeName="{noise}"/>')
    await refused(db, workspace_id, huge_tag, "an XML element of more than 1 MB")

    deep = woo_workbook(tmp_path / "deep.xlsx", rows=1, before_rows="<x>" * 100 + "</x>" * 100)
    await refused(db, workspace_id, deep, "XML nested more than 64 deep")
    for part in ("xl/workbook.xml", "xl/sharedStrings.xml"):  # the other parts a read goes through
        nested = woo_workbook(tmp_path / f"nested-{part[3:8]}.xlsx", rows=1)
        with zipfile_replace(nested) as parts:
            parts[part] = parts.get(part, b"<sst></sst>").replace(
                b"</", b"<x>" * 100 + b"</x>" * 100 + b"</", 1
            )
        await refused(db, workspace_id, nested, "XML nested more than 64 deep")


async def test_many_small_elements_around_the_data_are_not_a_huge_one(
    db: Database, workspace_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Column widths before the rows and merged cells after them are many small elements, not one huge one."""
    import crm.importing.workbook as workbook

    monkeypatch.setattr(workbook, "MAX_QUIET_BYTES", 512 * 1024)
    rng = random.Random(2)
    cols = "".join(f'<col min="{n}" max="{n}" width="{rng.random() * 40:.6f}"/>' for n in range(1, 40_000))
    path = woo_workbook(tmp_path / "orders.xlsx", before_rows=f"<cols>{cols}</cols>")
    with zipfile_replace(path) as parts:
        merged = "".join(
            f'<mergeCell ref="A{n}:{column_letters(rng.randrange(1, 999))}{n}"/>' for n in range(3, 60_000)
        )
        parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
            b"</sheetData>", f"</sheetData><mergeCells>{merged}</mergeCells>".encode()
        )
    assert len(cols) > 2 * 512 * 1024 and len(merged) > 2 * 512 * 1024
    report = await import_file(db, workspace_id, path, settings=WS)
    assert (report.orders_new, report.rejected) == (2, [])


async def test_workbook_unpacking_past_the_size_limit_is_refused(
    db: Database, workspace_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crm.importing.workbook as workbook

    path = woo_workbook(tmp_path / "orders.xlsx", rows=2_000)
    monkeypatch.setattr(workbook, "MAX_UNPACKED_BYTES", 100_000)
    await refused(
        db, workspace_id, path, "unpacks to 1 MB, more than the 98 KB an import reads; split the export"
    )


def test_shared_strings_moved_to_a_scratch_file_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crm.importing.workbook as workbook

    texts = [f"text {n} {'é' * (n % 7)}{'文' * (n % 3)}" for n in range(3_000)]
    rows = (
        f'<row r="{n + 1}">'
        + "".join(
            f'<c r="{column_letters(c + 1)}{n + 1}" t="s"><v>{(n * 7 + c) % 3_000}</v></c>' for c in range(5)
        )
        + "</row>"
        for n in range(2_000)
    )
    path = write_workbook(tmp_path / "many.xlsx", rows, shared=texts)
    expected = [(n + 1, [texts[(n * 7 + c) % 3_000] for c in range(5)]) for n in range(2_000)]

    def read() -> tuple[list[tuple[int, list[object]]], bool]:
        book = workbook.XlsxWorkbook(path)
        try:
            got = list(book.rows(book.sheets[0]))
            return got, book._strings is not None and book._strings._file is not None
        finally:
            book.close()

    assert read() == (expected, False)
    monkeypatch.setattr(workbook, "SHARED_STRINGS_IN_MEMORY", 10_000)
    assert read() == (expected, True)


def test_prefixed_names_unnumbered_cells_and_phonetic_runs(tmp_path: Path) -> None:
    from crm.importing.reader import read_table
    from crm.importing.workbook import XlsxWorkbook

    rows = [
        '<x:row><x:c t="inlineStr"><x:is><x:t>Order Number</x:t></x:is></x:c>'
        '<x:c t="inlineStr"><x:is><x:r><x:t>Order </x:t></x:r><x:r><x:t>Status</x:t></x:r></x:is></x:c></x:row>',
        '<x:row r="3"><x:c r="A3"><x:v>501</x:v></x:c><x:c t="s"><x:v>0</x:v></x:c>'
        '<x:c r="E3" t="b"><x:v>1</x:v></x:c><x:c t="str"><x:f>A1</x:f><x:v>formula</x:v></x:c>'
        '<x:c t="e"><x:v>#N/A</x:v></x:c></x:row>',
    ]
    path = write_workbook(tmp_path / "prefixed.xlsx", rows, prefix="x")
    with zipfile_replace(path, "xl/sharedStrings.xml") as parts:
        parts["xl/sharedStrings.xml"] = (
            '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><r><t>東京</t></r>'
            '<rPh sb="0" eb="2"><t>トウキョウ</t></rPh></si></sst>'
        ).encode()
    book = XlsxWorkbook(path)
    try:
        assert [r for _, r in book.rows(book.sheets[0])][1] == [501.0, "東京", "", "", True, "formula", ""]
    finally:
        book.close()
    table = read_table(path)  # cells past the header's last column are not read
    assert table.header == ["Order Number", "Order Status"]
    assert list(table.rows) == [(3, [501.0, "東京"])]


class zipfile_replace:  # noqa: N801 - used as a context manager, like the zipfile it rewrites
    """Rewrite some parts of a zip: `with zipfile_replace(path) as parts: parts[name] = data`."""

    def __init__(self, path: Path, *_: str) -> None:
        self.path = path

    def __enter__(self) -> dict[str, bytes]:
        import zipfile

        with zipfile.ZipFile(self.path) as archive:
            self.parts = {name: archive.read(name) for name in archive.namelist()}
        return self.parts

    def __exit__(self, *exc: object) -> None:
        import zipfile

        with zipfile.ZipFile(self.path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in self.parts.items():
                archive.writestr(name, data)


def typed_workbook(path: Path, *, date1904: bool = False) -> Path:
    """Cells of every kind an export may hold: dates and times under many number formats (and the serials
    around Excel's 29 February 1900), durations, booleans, formulas, rich text, far columns, blank rows."""
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    book.add_worksheet("notes").write_row(0, 0, ["just", "notes"])
    sheet = book.add_worksheet("data")
    formats = [
        book.add_format({"num_format": code})
        for code in (
            "yyyy-mm-dd",
            "dd/mm/yyyy hh:mm",
            "h:mm AM/PM",
            "[h]:mm",
            '0.00"d"',
            "[Red]0.00;[Blue]-0.00",
            "mmm-yy",
            '#,##0.00 _M"H"_)',
            "\\d0",
            "ss.0",
        )
    ]
    formats += [book.add_format({"num_format": n}) for n in (14, 22, 45, 46, 47, 10)]
    bold = book.add_format({"bold": True})
    sheet.write_row(1, 1, ["Order ID", "when"])
    serials = [
        0,
        0.25,
        1,
        2,
        59,
        60,
        61,
        45293,
        45293.5,
        45293.0000001,
        2958465.99,
        -1,
        1e-9,
        45293.999999999,
    ]
    for i, serial in enumerate(serials):
        sheet.write_number(2 + i, 1, serial)
        for j, fmt in enumerate(formats):
            sheet.write_number(2 + i, 2 + j, serial, fmt)
    sheet.write_rich_string(20, 1, "plain ", bold, "bold", " tail")
    sheet.write_formula(20, 2, '="a"&"b"', None, "ab")
    sheet.write_formula(20, 3, "=1+1", None, 2)
    sheet.write_boolean(20, 4, False)
    sheet.write_string(20, 5, '  spaced & <escaped> "quotes"  ')
    sheet.write_string(20, 6, "中文 ไทย 😀")
    sheet.write_string(20, 30, "far")
    sheet.write_blank(21, 1, None, bold)
    sheet.write_string(60, 0, "last")
    book.close()
    return path


def test_cell_values_are_those_python_calamine_reads(tmp_path: Path, demo_exports: dict[str, Path]) -> None:
    """The streaming reader gives what python-calamine (the previous reader) gives, on every kind of cell, on
    the demo's Shopee and Lazada exports, and on the shared evaluation exports when present."""
    from python_calamine import CalamineWorkbook

    from crm.importing.workbook import XlsxWorkbook
    from tests.conftest import SHARED

    def trimmed(row: list[object]) -> list[object]:
        row = list(row)
        while row and row[-1] == "":
            row.pop()
        return row

    paths = [
        typed_workbook(tmp_path / "typed.xlsx"),
        typed_workbook(tmp_path / "typed1904.xlsx", date1904=True),
    ]
    paths += sorted(p for p in demo_exports.values() if p.suffix == ".xlsx")
    paths += sorted((SHARED / "eval" / "data").glob("*.xlsx"))
    for path in paths:
        calamine = CalamineWorkbook.from_path(str(path))
        book = XlsxWorkbook(path)
        try:
            assert [s.name for s in book.sheets] == calamine.sheet_names
            for sheet in book.sheets:
                data = calamine.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
                want = {n + 1: trimmed(r) for n, r in enumerate(data) if trimmed(r)}
                got = {n: trimmed(r) for n, r in book.rows(sheet) if trimmed(r)}
                assert got == want, (path.name, sheet.name)
        finally:
            book.close()


async def test_other_spreadsheets_are_read_whole_only_when_small(
    db: Database, workspace_id: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import zipfile

    import crm.importing.reader as reader

    monkeypatch.setattr(reader, "MAX_WHOLE_READ_BYTES", 100_000)
    ods = tmp_path / "orders.ods"
    with zipfile.ZipFile(ods, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr(
            "content.xml", "<office:document-content>" + " " * 200_000 + "</office:document-content>"
        )
    await refused(
        db, workspace_id, ods, "this workbook unpacks to 195 KB; XLS, XLSB and ODS files are read whole"
    )
    xls = tmp_path / "orders.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200_000))
    await refused(
        db, workspace_id, xls, "XLS, XLSB and ODS files are read whole, up to 98 KB: save it as XLSX or CSV"
    )


def test_import_command_refuses_a_bomb_in_one_line(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    bomb = inline_bomb(tmp_path / "orders.xlsx", 30)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    env["SELLERMATE_CONFIG"] = str(tmp_path / "none.yaml")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "import",
            str(bomb),
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            "-q",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    errors = [line for line in out.stderr.splitlines() if "orders.xlsx" in line]
    assert len(errors) == 1 and "more than 100 times its packed size" in errors[0], out.stderr


@pytest.mark.parametrize(
    "code,kind",
    [
        ("DD/MM/YY", "date"),
        ("H:MM:SS;@", "date"),
        ("yyyy-mm-dd hh:mm:ss", "date"),
        ("mmm-yy", "date"),
        ("h:mm AM/PM", "date"),
        ("[$-409]mmmm d, yyyy", "date"),
        ('m"M"d"D";@', "date"),
        ("ha/p\\\\m", "date"),
        ('[$-404]e"\\xfc"m"\\xfc"d"\\xfc"', "date"),
        ("[h]:mm:ss", "duration"),
        ("[h]", "duration"),
        ("[ss]", "duration"),
        ("[s].000", "duration"),
        ("[mm]", "duration"),
        ("[Blue]\\+[h]:mm;[Red]\\-[h]:mm;[Green][h]:mm", "duration"),
        ("[>=100][Magenta][s].00", "duration"),
        ("[h]:mm;[=0]\\-", "duration"),
        ("General", None),
        ("0.00", None),
        ("@", None),
        ("0.00E+00", None),
        ("#,##0\\ [$\\u20bd-46D]", None),
        ('"Y: "0.00"m";"Y: "-0.00"m";"Y: <num>m";@', None),
        ('"$"#,##0_);[Red]("$"#,##0)', None),
        ("0_ ;[Red]\\-0\\ ", None),
        ("\\Y000000", None),
        ('#,##0.0####" YMD"', None),
        ("[>=100][Magenta].00", None),
        ("[>=100][Magenta]General", None),
        ('#,##0.00\\ _M"H"_);[Red]#,##0.00\\ _M"S"_)', None),
        ("#,##0*y", None),
        ("*-yyyy-mm-dd", "date"),
    ],
)
def test_number_formats_that_show_dates(code: str, kind: str | None) -> None:
    from crm.importing.workbook import date_kind

    assert date_kind(code) == kind
