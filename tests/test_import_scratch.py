"""What a killed import leaves behind: its worker process ends with it."""
from __future__ import annotations

import asyncio
from pathlib import Path

from crm.importing import part_worker
from crm.importing.platforms import Context, detect
from crm.importing.reader import read_table, split_point
from tests.test_importing import SHOPIFY_HEADER, shopify_row


def big_export(path: Path, rows: int) -> Path:
    """A Shopify export of `rows` one-line orders (written fast: one row rendered, the rest by substitution)."""
    import csv
    import io

    one = io.StringIO()
    csv.writer(one, lineterminator="\n").writerow(
        shopify_row("#ORDER", "buyerBUYER@example.com", "paid", "12.50", "2026-03-01 10:00:00 +0800"))
    template = one.getvalue()
    with path.open("w", encoding="utf-8") as fh:
        fh.write(",".join(SHOPIFY_HEADER) + "\n")
        fh.writelines(template.replace("ORDER", str(10_000 + n)).replace("BUYER", str(n % 5000)) for n in range(rows))
    return path


async def test_a_worker_ends_as_soon_as_its_importer_lets_go_of_it(tmp_path: Path) -> None:
    """The importer dying closes the worker's standard input like this; the worker stops mid-part."""
    export = big_export(tmp_path / "orders_export.csv", 60_000)
    table = read_table(export)
    assert table.text is not None
    offset, line = split_point(table.text)  # type: ignore[misc]
    folder = tmp_path / "part"
    folder.mkdir()
    ctx = Context(store_country="SG", store_currency="SGD", default_tz="Asia/Singapore")
    worker = await part_worker.PartWorker.start(table.text, offset, line, table.header, detect(table.header),
                                                ctx, folder)
    try:
        assert worker.proc.stdin is not None
        worker.proc.stdin.close()
        code = await asyncio.wait_for(worker.proc.wait(), timeout=20)
    finally:
        await worker.stop()
    assert code == part_worker.IMPORTER_GONE_EXIT
    assert worker.rows < 30_000  # it did not read its part to the end
