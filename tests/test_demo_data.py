"""Demo data: real platform layouts, determinism, and a full import with cross-platform merging."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import phonenumbers
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import func, select

from bot.settings import WorkspaceSettings
from crm.importing.demo import (
    EVENTS_HEADER,
    INTERACTIONS_HEADER,
    STORES,
    build_demo_dataset,
    demo_file_store,
    generate_demo_exports,
    phone_variants,
    write_demo_exports,
)
from crm.importing.service import import_file, import_rates
from storage.db import Database
from storage.models import BehaviourEvent, BuyerIdentity, Customer, Interaction, Order

AS_OF = date(2026, 11, 23)
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "exports"
# The header rows of the platforms' real exports, recorded in the repository.
REAL_HEADERS: dict[str, list[str]] = json.loads(
    (FIXTURES / "platform_headers.json").read_text(encoding="utf-8")
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    dataset = build_demo_dataset(seed=11, customers=300, as_of=AS_OF)
    files = write_demo_exports(dataset, tmp_path_factory.mktemp("demo"), seed=11)
    return dataset, {f.name: f for f in files}


def xlsx(path: Path) -> tuple[list[str], list[list[object]], list[str]]:
    wb = CalamineWorkbook.from_path(str(path))
    rows = wb.get_sheet_by_index(0).to_python()
    return [str(h) for h in rows[0]], rows[1:], wb.sheet_names


def text_rows(path: Path, delimiter: str = ",", skip: int = 0) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh, delimiter=delimiter))
    return lines[skip:]


def named(header: list[str], rows: list[list[object]]) -> list[dict[str, object]]:
    return [dict(zip(header, r, strict=False)) for r in rows]


def records(rows: list[list[str]], trailer: int = 0) -> list[dict[str, object]]:
    """Rows of a text export as dicts by header, leaving out `trailer` lines at the end."""
    return named(list(rows[0]), list(rows[1 : len(rows) - trailer]))


# ---------------------------------------------------------------- layouts


def test_headers_are_the_platforms_real_ones(demo) -> None:  # type: ignore[no-untyped-def]
    _, files = demo
    shopee = [n for n in files if n.startswith("Order.all.")]
    assert len(shopee) == 4
    for name in shopee:
        currency = STORES[demo_file_store(files[name]) or ""].currency
        real = [h.replace("{currency}", currency) for h in REAL_HEADERS["shopee"]]
        assert xlsx(files[name])[0] == real
    for name in ("lazada-sg-orders.xlsx", "lazada-my-orders.xlsx", "lazada-id-orders.xlsx"):
        header, _, sheets = xlsx(files[name])
        assert header == REAL_HEADERS["lazada"]
        assert sheets == ["sheet1"]
    for name in ("tiktok-sg-orders.csv", "tiktok-my-orders.csv", "tiktok-th-orders.csv"):
        assert text_rows(files[name])[0] == REAL_HEADERS["tiktok"]
    for name in ("amazon-us-order-report.txt", "amazon-uk-order-report.txt"):
        assert text_rows(files[name], "\t")[0] == REAL_HEADERS["amazon"]
    assert text_rows(files["ebay-us-orders.csv"], skip=1)[0] == REAL_HEADERS["ebay"]
    shopify = text_rows(files["orders_export.csv"])[0]
    assert shopify == text_rows(FIXTURES / "shopify-orders_export.csv")[0]
    assert len(shopify) == 79


def test_text_exports_keep_the_platforms_quirks(demo) -> None:  # type: ignore[no-untyped-def]
    dataset, files = demo
    tiktok = files["tiktok-my-orders.csv"].read_bytes()
    assert tiktok.startswith(b"\xef\xbb\xbfOrder ID,")
    rows = records(text_rows(files["tiktok-my-orders.csv"]))
    assert rows and all(
        str(r["Order ID"]).endswith("\t") and str(r["Created Time"]).endswith("\t") for r in rows
    )
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d:\d\d\t", str(r["Created Time"])) for r in rows)
    # Most TikTok phones are masked the platform's way.
    assert any(re.fullmatch(r"\(\+60\)\d\d\*{5}\d\d", str(r["Phone #"])) for r in rows)

    ebay = files["ebay-us-orders.csv"].read_text(encoding="utf-8").splitlines()
    assert set(ebay[0]) == {","}
    assert re.match(r"\d+ record\(s\) downloaded,", ebay[-2]) and ebay[-1].startswith("Seller ID : ")
    body = records(text_rows(files["ebay-us-orders.csv"], skip=1), trailer=2)
    assert all(re.fullmatch(r"[A-Z][a-z]{2}-\d\d-\d\d", str(r["Sale Date"])) for r in body)
    assert all(re.fullmatch(r"\$\d+\.\d\d", str(r["Total Price"])) for r in body)
    assert any("***@" in str(r["Buyer Email"]) for r in body)

    amazon = records(text_rows(files["amazon-us-order-report.txt"], "\t"))
    assert all(str(r["buyer-email"]).endswith("@marketplace.amazon.com") for r in amazon)
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", str(r["purchase-date"])) for r in amazon
    )

    shopify = records(text_rows(files["orders_export.csv"]))
    by_order: dict[str, list[dict[str, object]]] = {}
    for r in shopify:
        by_order.setdefault(str(r["Name"]), []).append(r)
    multi = [rs for rs in by_order.values() if len(rs) > 1]
    assert multi, "some Shopify orders have several line items"
    for rs in multi:
        assert rs[0]["Financial Status"] and rs[0]["Total"]
        assert all(
            not r["Financial Status"] and not r["Total"] and r["Email"] == rs[0]["Email"] for r in rs[1:]
        )
    assert all(
        re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}", str(r["Created at"])) for r in shopify
    )

    customers = records(text_rows(files["customers_export.csv"]))
    assert all(str(r["Customer ID"]).startswith("'") for r in customers)
    assert len(customers) > len({o.person.pid for o in dataset.orders if o.store == "shopify"})  # + prospects


def test_spreadsheet_exports_look_like_the_platforms(demo) -> None:  # type: ignore[no-untyped-def]
    _, files = demo
    header, rows, _ = xlsx(files[next(n for n in files if n.endswith(".shopee-sg.xlsx"))])
    shopee = named(header, rows)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", str(r["Order Creation Date"])) for r in shopee)
    statuses = Counter(str(r["Order Status"]) for r in shopee)
    assert statuses["Completed"] > statuses["Cancelled"] > 0
    phones = [str(r["Phone Number"]) for r in shopee]
    assert any(p.startswith("******") for p in phones)
    styles = {
        (
            "+ "
            if p.startswith("+") and " " in p
            else "+"
            if p.startswith("+")
            else "65"
            if p.startswith("65") and len(p) == 10
            else "local"
        )
        for p in phones
        if "*" not in p
    }
    assert len(styles) >= 3, f"phones written in several styles, got {styles}"
    # One row per line item with the order-level columns repeated.
    by_order = Counter(str(r["Order ID"]) for r in shopee)
    multi = [ref for ref, n in by_order.items() if n > 1]
    assert multi
    same = [r for r in shopee if r["Order ID"] == multi[0]]
    assert len({(r["Grand Total"], r["Username (Buyer)"], r["Order Creation Date"]) for r in same}) == 1

    header, rows, _ = xlsx(files["lazada-my-orders.xlsx"])
    lazada = named(header, rows)
    assert all(re.fullmatch(r"\d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d", str(r["createTime"])) for r in lazada)
    assert any(isinstance(r["shippingPhone"], float) for r in lazada), "some phones stored as numbers"


def test_contacts_are_realistic_and_consistent(demo) -> None:  # type: ignore[no-untyped-def]
    dataset, _ = demo
    countries = Counter(p.country for p in dataset.persons)
    assert {"SG", "MY", "TH", "PH", "US", "GB"} <= set(countries)
    assert len({p.email for p in dataset.persons + dataset.prospects}) == len(dataset.persons) + len(
        dataset.prospects
    )
    assert len({p.phone for p in dataset.persons + dataset.prospects}) == len(dataset.persons) + len(
        dataset.prospects
    )
    for variant in phone_variants("+6591234567", "SG"):
        number = phonenumbers.parse(variant, "SG")
        assert phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164) == "+6591234567"
    assert {"+65 9123 4567", "6591234567", "9123 4567"} <= set(phone_variants("+6591234567", "SG"))
    assert dataset.cross_platform_customers() > 0


def test_orders_tell_a_story_for_rfm_and_clv(demo) -> None:  # type: ignore[no-untyped-def]
    dataset, _ = demo
    per_person = Counter(o.person.pid for o in dataset.orders if o.status in {"paid", "shipped", "completed"})
    one_off = sum(1 for n in per_person.values() if n == 1)
    loyal = sum(1 for n in per_person.values() if n >= 5)
    assert one_off > len(per_person) / 3 and loyal > 0
    statuses = Counter(o.status for o in dataset.orders)
    assert statuses["cancelled"] > 0 and statuses["returned"] > 0
    cutoff = datetime.combine(AS_OF, time(0), tzinfo=ZoneInfo("Asia/Singapore"))
    assert all(o.created < cutoff for o in dataset.orders)
    assert max(o.created for o in dataset.orders) > cutoff - timedelta(days=3)
    # Double days are busier than an ordinary day of the same month.
    days = Counter(
        o.created.astimezone(ZoneInfo(STORES[o.store].tz)).date().replace(year=2000)
        for o in dataset.orders
        if STORES[o.store].platform in {"shopee", "lazada", "tiktok"}
    )
    assert days[date(2000, 11, 11)] + days[date(2000, 11, 12)] > 2 * (
        days[date(2000, 11, 4)] + days[date(2000, 11, 5)]
    )


def test_same_seed_same_files_other_seed_other_files(tmp_path: Path) -> None:
    a = generate_demo_exports(tmp_path / "a", seed=3, customers=60, as_of=AS_OF)
    b = generate_demo_exports(tmp_path / "b", seed=3, customers=60, as_of=AS_OF)
    c = generate_demo_exports(tmp_path / "c", seed=4, customers=60, as_of=AS_OF)
    assert [p.name for p in a] == [p.name for p in b] == [p.name for p in c]
    for pa, pb, _pc in zip(a, b, c, strict=False):
        if pa.suffix == ".xlsx":  # XLSX zips carry a creation time: compare the cells
            assert xlsx(pa)[1] == xlsx(pb)[1]
        else:
            assert pa.read_bytes() == pb.read_bytes()
    differs = [
        pa.name
        for pa, pc in zip(a, c, strict=False)
        if pa.name != "rates.csv"
        and (xlsx(pa)[1] if pa.suffix == ".xlsx" else pa.read_bytes())
        != (xlsx(pc)[1] if pc.suffix == ".xlsx" else pc.read_bytes())
    ]
    # (a small population may leave a store empty in both: header only)
    assert {"orders_export.csv", "customers_export.csv", "interactions.csv"} <= set(differs)
    assert len(differs) >= len(a) // 2


def test_interactions_and_events_follow_the_documented_layout(demo) -> None:  # type: ignore[no-untyped-def]
    _, files = demo
    rows = text_rows(files["interactions.csv"])
    assert rows[0] == INTERACTIONS_HEADER
    kinds = Counter(r[2] for r in rows[1:])
    assert {"chat", "review", "return", "complaint", "nps"} <= set(kinds)
    for r in rows[1:]:
        when = datetime.fromisoformat(r[3])
        assert when.utcoffset() is not None
        assert (r[4] != "") == (r[2] in ("review", "nps"))
        assert r[4] == "" or (0 if r[2] == "nps" else 1) <= int(r[4]) <= (10 if r[2] == "nps" else 5)
        assert (r[8] != "") == (r[2] in ("complaint", "return"))  # a reason for each complaint and return
    events = text_rows(files["behaviour_events.csv"])
    assert events[0] == EVENTS_HEADER
    assert {"view", "add_to_cart", "abandoned_cart"} <= {r[2] for r in events[1:]}
    assert all(datetime.fromisoformat(r[7]).utcoffset() is not None and Decimal(r[5]) > 0 for r in events[1:])


# ---------------------------------------------------------------- through the real importer


async def _import_all(db: Database, workspace_id: int, files: dict[str, Path], *, rates: bool = True) -> list:  # type: ignore[type-arg]
    settings = WorkspaceSettings()
    if rates:
        await import_rates(db, workspace_id, files["rates.csv"], base_currency="SGD")
    reports = []
    for path in files.values():
        if path.name == "rates.csv":
            continue
        # As `sellermate demo-data` and `sellermate import FILE` do: the importer's own store naming.
        reports.append(await import_file(db, workspace_id, path, settings=settings))
    return reports


# The importer names a store platform-country: the demo's Amazon UK marketplace becomes `amazon-gb`.
IMPORTED_STORE = {key: "amazon-gb" if key == "amazon-uk" else key for key in STORES}


async def test_whole_demo_imports_cleanly_and_merges_buyers(db: Database, workspace_id: int, demo) -> None:  # type: ignore[no-untyped-def]
    dataset, files = demo
    reports = await _import_all(db, workspace_id, files)
    assert [(r.file, r.rejected[:3]) for r in reports if r.rejected] == []
    assert {r.store for r in reports if r.platform != "sellermate"} == set(IMPORTED_STORE.values())
    for r in reports:  # each file's orders land in the store its name says (Amazon UK: country code GB)
        key = demo_file_store(files[r.file])
        if key:
            assert r.store == IMPORTED_STORE[key], r.file
    activity = {r.file: r for r in reports if r.platform == "sellermate"}
    assert set(activity) == {"interactions.csv", "behaviour_events.csv"}
    async with db.sessions() as s:
        orders = {(o.platform, o.platform_order_id): o for o in (await s.execute(select(Order))).scalars()}
        live = (
            await s.execute(
                select(func.count()).select_from(Customer).where(Customer.merged_into_id.is_(None))
            )
        ).scalar()
        spans = (
            await s.execute(
                select(BuyerIdentity.customer_id)
                .group_by(BuyerIdentity.customer_id)
                .having(func.count(func.distinct(BuyerIdentity.platform)) > 1)
            )
        ).all()
    assert len(orders) == len(dataset.orders)
    # Every order's value and status are what the simulation decided (values in the order's currency).
    digits = {"IDR": 0}
    for o in dataset.orders:
        got = orders[(STORES[o.store].platform, o.order_id)]
        want = Decimal(o.total) / (10 ** digits.get(o.currency, 2))
        assert got.order_value == want, (o.store, o.order_id)
        assert got.value_base is not None
        platform = STORES[o.store].platform
        if platform in {"amazon", "ebay"}:  # those reports carry no status: every order is valid
            assert got.status in {"paid", "shipped", "completed"}
        elif platform == "shopify" and o.status == "completed":  # Shopify says fulfilled, not delivered
            assert got.status == "shipped"
        else:
            assert got.status == o.status, (o.store, o.order_id, got.raw_status)
    assert live == dataset.expected_customers()
    assert len(spans) == dataset.cross_platform_customers() > 0
    # Every chat, review and browsing event belongs to a buyer the order exports introduced.
    # The review apps' exports add their reviews (every row but the spam, the visitor's and the anonymous one).
    reviews = [r for r in reports if r.kind == "reviews"]
    assert sorted(r.file for r in reviews) == ["judgeme-reviews.csv", "shopify-product-reviews.csv"]
    for r in reviews:
        assert r.orders_new == r.rows - sum(r.left_out.values()) > 0
    for name, model in (("interactions.csv", Interaction), ("behaviour_events.csv", BehaviourEvent)):
        written = len(text_rows(files[name])) - 1
        assert activity[name].rows == written > 0
        kept = written + (sum(r.orders_new for r in reviews) if model is Interaction else 0)
        async with db.sessions() as s:
            assert (await s.execute(select(func.count()).select_from(model))).scalar() == kept

    again = await _import_all(db, workspace_id, files, rates=False)
    assert sum(r.orders_new + r.orders_updated for r in again) == 0


async def test_reimporting_the_same_rates_and_export_changes_nothing(  # type: ignore[no-untyped-def]
    db: Database, workspace_id: int, demo
) -> None:
    _, files = demo
    shopify = {"rates.csv": files["rates.csv"], "orders_export.csv": files["orders_export.csv"]}
    await _import_all(db, workspace_id, shopify)
    again = await _import_all(db, workspace_id, shopify)
    assert [(r.orders_new, r.orders_updated) for r in again] == [(0, 0)]


def test_demo_data_command_writes_and_imports(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SELLERMATE_")}
    env["SELLERMATE_CONFIG"] = str(tmp_path / "none.yaml")
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bot.cli",
            "demo-data",
            "--out",
            str(tmp_path / "files"),
            "--customers",
            "40",
            "--seed",
            "5",
            "--as-of",
            "2026-11-23",
            "--db",
            url,
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "orders_export.csv: shopify store 'shopify'" in out.stdout
    assert re.search(r"imported 19 files: \d+ rows, \d+ orders", out.stdout)
    assert "0 rows rejected" in out.stdout
    assert (tmp_path / "files" / "rates.csv").exists()

    # Importing the very same files again (as the README promises) changes nothing: same stores, same orders.
    import sqlite3

    def counts() -> tuple[int, int, list[str]]:
        with sqlite3.connect(tmp_path / "demo.db") as con:
            n, distinct = con.execute(
                "SELECT count(*), count(DISTINCT platform || ':' || platform_order_id) FROM orders"
            ).fetchone()
            stores = [r[0] for r in con.execute("SELECT platform || '/' || name FROM stores ORDER BY 1")]
        return n, distinct, stores

    before = counts()
    assert before[0] == before[1] > 0
    files = sorted((tmp_path / "files").iterdir())
    again = subprocess.run(
        [sys.executable, "-m", "bot.cli", "import", *map(str, files), "--db", url, "-q"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
        check=False,
    )
    assert counts() == before
    assert "amazon-uk-order-report.txt: amazon store 'amazon-gb'" in again.stdout
    assert re.findall(r"orders (\d+) new, (\d+) updated", again.stdout) and all(
        m == ("0", "0") for m in re.findall(r"orders (\d+) new, (\d+) updated", again.stdout)
    )
    # rates.csv goes in as exchange rates (the same ones: nothing re-priced differently), and first.
    assert (
        again.stdout.splitlines()[0].startswith("rates.csv: ") and "exchange rates imported" in again.stdout
    )
    assert again.returncode == 0 and "not imported" not in again.stderr
    assert "0 rows rejected" in again.stdout.split("interactions.csv:")[1].splitlines()[0]

    bad = subprocess.run(
        [sys.executable, "-m", "bot.cli", "demo-data", "--customers", "0", "--no-import"],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        check=False,
    )
    assert bad.returncode == 2 and "--customers" in bad.stderr


@pytest.mark.parametrize("fmt", ["shopify", "tiktok"])
async def test_benchmark_files_import_without_rejections(  # type: ignore[no-untyped-def]
    db: Database, workspace_id: int, tmp_path: Path, fmt: str
) -> None:
    """The import benchmark measures real work: its generated exports import cleanly, line for line."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "bench_import", Path(__file__).resolve().parents[1] / "bench" / "bench_import.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    path = tmp_path / f"{fmt}.csv"
    (bench.write_shopify if fmt == "shopify" else bench.write_tiktok)(path, 400)
    orders = {o[0] for o in bench._orders(400, 1)}
    report = await import_file(db, workspace_id, path, settings=WorkspaceSettings(fx_rates=bench.RATES))
    assert (report.platform, report.rows, report.rows_rejected) == (fmt, 400, 0)
    assert report.orders_new == len(orders)
    async with db.sessions() as s:
        unpriced = (
            await s.execute(select(func.count()).select_from(Order).where(Order.value_base.is_(None)))
        ).scalar()
    assert unpriced == 0
