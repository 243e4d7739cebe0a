"""Import benchmark: SellerMate's importer versus pandas read_csv + to_sql on the same big export.

    python bench/bench_import.py [--lines N] [--format shopify|tiktok|both] [--workdir DIR] [--check]
                                 [--rounds N] [--json FILE] [--timeout SECONDS]

Writes a Shopify-style `orders_export.csv` (or a TikTok Shop-style CSV) with N order lines (default
1,000,000; orders of 1-4 lines, buyers who come back, masked and unmasked contacts), then imports it in a
fresh child process twice, each into a fresh SQLite file:

- ours:     `crm.importing.service.import_file` (detect, normalise, merge identities, upsert orders + lines);
- baseline: the naive route, `pandas.read_csv(file)` + `DataFrame.to_sql(...)` into one table of the same
            database: a fresh SellerMate database (WAL journal), written with SellerMate's connection settings.

It does so in rounds (default 3), the two taking turns to go first. For each it prints wall time, lines/s
and peak memory (the child's RSS high-water mark, VmHWM, and all its processes sampled), then the median of
the rounds' time ratios. Targets: ours no slower than 1.5x the baseline, peak memory under 400 MB. `--check` exits 1 when
a target is missed. Generated files are cached in the work folder (default: a folder in the system temp).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_SLOWDOWN = 1.5
TARGET_PEAK_MB = 400.0
RATES = {"SGD": 1.0, "USD": 1.34, "MYR": 0.30}


# ---------------------------------------------------------------- big export files


def _products(rng: random.Random) -> list[tuple[str, str, int]]:
    from crm.importing.demo import CATALOGUE

    out = [(sku, name, round(price / RATES["USD"] * 100)) for sku, name, _, price, _ in CATALOGUE]
    rng.shuffle(out)
    return out


def _orders(lines: int, seed: int):  # type: ignore[no-untyped-def]
    """Yield (order_no, buyer_no, created, status, [(sku, name, unit_minor, qty)]) until `lines` lines."""
    rng = random.Random(seed)
    products = _products(rng)
    buyers = max(lines // 7, 10)
    start = datetime(2024, 1, 1, tzinfo=timezone(timedelta(hours=8)))
    span = 2 * 365 * 86400
    done = 0
    order_no = 100000
    while done < lines:
        n = min(rng.choices((1, 2, 3, 4), weights=(60, 25, 10, 5))[0], lines - done)
        order_no += 1
        # Skewed: a few buyers order often, most once or twice.
        buyer = int(buyers * rng.random() ** 2.5)
        created = start + timedelta(seconds=int(span * (order_no - 100000) / (lines / 1.6)) % span)
        status = rng.choices(("paid", "pending", "voided", "refunded"), weights=(92, 2, 4, 2))[0]
        items = []
        for sku, name, price in rng.sample(products, n):
            items.append((sku, name, price, rng.choices((1, 2, 3), weights=(80, 15, 5))[0]))
        done += n
        yield order_no, buyer, created, status, items


def write_shopify(path: Path, lines: int, seed: int = 1) -> None:
    from crm.importing.demo import SHOPIFY_HEADER

    col = {h: i for i, h in enumerate(SHOPIFY_HEADER)}
    blank = [""] * len(SHOPIFY_HEADER)
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(SHOPIFY_HEADER)
        for order_no, buyer, created, status, items in _orders(lines, seed):
            when = created.strftime("%Y-%m-%d %H:%M:%S %z")
            email = f"buyer{buyer}@example.com"
            subtotal = sum(p * q for _, _, p, q in items)
            shipping = 0 if subtotal >= 3000 else 599
            for i, (sku, name, price, qty) in enumerate(items):
                row = blank.copy()
                row[col["Name"]] = f"#{order_no}"
                row[col["Email"]] = email
                row[col["Created at"]] = when
                row[col["Lineitem quantity"]] = str(qty)
                row[col["Lineitem name"]] = name
                row[col["Lineitem price"]] = f"{price / 100:.2f}"
                row[col["Lineitem sku"]] = sku
                row[col["Lineitem requires shipping"]] = "true"
                row[col["Lineitem taxable"]] = "true"
                row[col["Lineitem fulfillment status"]] = "fulfilled"
                row[col["Vendor"]] = "Bench"
                row[col["Lineitem discount"]] = "0.00"
                if i == 0:
                    row[col["Financial Status"]] = status
                    row[col["Paid at"]] = when if status == "paid" else ""
                    row[col["Fulfillment Status"]] = "fulfilled" if status == "paid" else "unfulfilled"
                    row[col["Accepts Marketing"]] = "yes" if buyer % 3 else "no"
                    row[col["Currency"]] = "USD"
                    row[col["Subtotal"]] = f"{subtotal / 100:.2f}"
                    row[col["Shipping"]] = f"{shipping / 100:.2f}"
                    row[col["Taxes"]] = "0.00"
                    row[col["Total"]] = f"{(subtotal + shipping) / 100:.2f}"
                    row[col["Discount Amount"]] = "0.00"
                    row[col["Billing Name"]] = row[col["Shipping Name"]] = f"Buyer {buyer}"
                    row[col["Billing Country"]] = row[col["Shipping Country"]] = "SG"
                    if buyer % 4 == 0:
                        phone = f"+65 9{buyer % 1000:03d} {buyer // 1000 % 10000:04d}"
                        row[col["Phone"]] = row[col["Billing Phone"]] = phone
                    row[col["Refunded Amount"]] = "0.00"
                    row[col["Id"]] = str(5_000_000_000_000 + order_no)
                    row[col["Source"]] = "web"
                w.writerow(row)


def write_tiktok(path: Path, lines: int, seed: int = 1) -> None:
    from crm.importing.demo import TIKTOK_HEADER

    col = {h: i for i, h in enumerate(TIKTOK_HEADER)}
    blank = [""] * len(TIKTOK_HEADER)
    status_names = {"paid": "Completed", "pending": "Unpaid", "voided": "Cancelled", "refunded": "Completed"}
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(TIKTOK_HEADER)
        for order_no, buyer, created, status, items in _orders(lines, seed):
            when = created.strftime("%d/%m/%Y %H:%M:%S") + "\t"
            subtotal = sum(p * q for _, _, p, q in items)
            total = f"{subtotal / 100:.2f}"
            for sku, name, price, qty in items:
                row = blank.copy()
                row[col["Order ID"]] = f"{576000000000000000 + order_no}\t"
                row[col["Order Status"]] = status_names[status]
                row[col["SKU ID"]] = f"{1729000000000000000 + zlib.crc32(sku.encode()) % 10**9}\t"
                row[col["Seller SKU"]] = sku
                row[col["Product Name"]] = name
                row[col["Quantity"]] = str(qty)
                row[col["SKU Unit Original Price"]] = f"{price / 100:.2f}"
                row[col["SKU Subtotal Before Discount"]] = row[col["SKU Subtotal After Discount"]] = (
                    f"{price * qty / 100:.2f}"
                )
                row[col["Order Amount"]] = total
                row[col["Order Refund Amount"]] = total if status == "refunded" else "0"
                row[col["Created Time"]] = when
                row[col["Paid Time"]] = when if status != "pending" else ""
                row[col["Buyer Username"]] = f"buyer{buyer}"
                row[col["Recipient"]] = f"Buyer {buyer}"
                row[col["Phone #"]] = f"(+60)1{buyer % 10}*****{buyer % 100:02d}"
                row[col["Country"]] = "Malaysia"
                w.writerow(row)


# ---------------------------------------------------------------- the two contestants (run in a child)


def _peak_mb() -> float:
    """The process's RSS high-water mark (VmHWM), in MB."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child_ours(path: Path, db_path: Path) -> dict[str, object]:
    import asyncio

    from bot.settings import WorkspaceSettings
    from crm.importing.service import import_file
    from storage.db import open_database
    from storage.repositories.workspaces import get_or_create_workspace

    async def go() -> dict[str, object]:
        db = await open_database(f"sqlite+aiosqlite:///{db_path}")
        async with db.sessions() as s:
            ws = await get_or_create_workspace(
                s, name="bench", base_currency="SGD", timezone="Asia/Singapore"
            )
            await s.commit()
            ws_id = ws.id
        ready_mb = _peak_mb()
        started = time.perf_counter()
        report = await import_file(db, ws_id, path, settings=WorkspaceSettings(fx_rates=RATES))
        took = time.perf_counter() - started
        await db.dispose()
        return {
            "seconds": took,
            "rows": report.rows,
            "orders": report.orders_new,
            "customers": report.customers_new,
            "rejected": report.rows_rejected,
            "ready_mb": ready_mb,
        }

    return asyncio.run(go())


def _child_baseline(path: Path, db_path: Path) -> dict[str, object]:
    """pandas into the same database: a SellerMate database, created (schema, WAL journal) before the clock
    starts as for SellerMate, written through a connection with the settings SellerMate's connections have."""
    import asyncio
    import sqlite3

    import pandas as pd

    from storage.db import open_database

    async def create() -> None:
        db = await open_database(f"sqlite+aiosqlite:///{db_path}")
        await db.dispose()

    asyncio.run(create())
    ready_mb = _peak_mb()
    started = time.perf_counter()
    frame = pd.read_csv(path)
    with sqlite3.connect(db_path) as con:
        con.execute("PRAGMA synchronous=NORMAL")  # as storage.db sets it (the WAL journal is the file's)
        frame.to_sql("orders_export", con, index=False)
    took = time.perf_counter() - started
    return {"seconds": took, "rows": len(frame), "ready_mb": ready_mb}


def _tree_rss_mb(pid: int) -> float:
    """Resident memory of a process and all its descendants (Linux /proc), in MB; 0 when it is gone."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status", encoding="ascii") as fh:
                total += next((int(line.split()[1]) for line in fh if line.startswith("VmRSS:")), 0)
            with open(f"/proc/{p}/task/{p}/children", encoding="ascii") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except (OSError, ValueError):
            continue
    return total / 1024


def _run_child(kind: str, path: Path, db_path: Path, timeout: float | None) -> dict[str, object] | None:
    """Run one contestant in a fresh process; None when it did not finish within `timeout` seconds. Besides
    the child's own high-water mark (VmHWM) it samples, every 20 ms, the memory of the child and every process
    it started (SellerMate reads a large file's second half in a worker): `all_peak_mb`."""
    if db_path.exists():
        db_path.unlink()
    proc = subprocess.Popen(
        [
            sys.executable,
            str(Path(__file__).resolve()),
            "--child",
            kind,
            "--file",
            str(path),
            "--db",
            str(db_path),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            peak[0] = max(peak[0], _tree_rss_mb(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return None
    finally:
        done.set()
        sampler.join()
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{stderr[-4000:]}")
    result = json.loads(stdout.strip().splitlines()[-1])
    result["all_peak_mb"] = max(peak[0], float(result["peak_mb"]))
    return result  # type: ignore[no-any-return]


def bench(
    fmt: str, lines: int, workdir: Path, timeout: float | None = None, rounds: int = 3
) -> dict[str, object]:
    """`rounds` pairs of runs, the two contestants taking turns to go first (a shared machine's speed drifts
    within minutes); the figures are each contestant's median time and the median of the rounds' ratios."""
    from statistics import median

    path = workdir / (f"orders_export-{lines}.csv" if fmt == "shopify" else f"tiktok-my-orders-{lines}.csv")
    if not path.exists():
        started = time.perf_counter()
        tmp = path.with_suffix(".part")
        (write_shopify if fmt == "shopify" else write_tiktok)(tmp, lines)
        tmp.rename(path)
        print(
            f"wrote {path.name} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.1f}s"
        )
    print(
        f"\n{fmt}-style export, {lines:,} order lines ({path.stat().st_size / 1e6:.0f} MB), {rounds} round(s)"
    )
    runs: list[tuple[dict[str, object], dict[str, object]]] = []
    for n in range(rounds):
        order = ("ours", "baseline") if n % 2 == 0 else ("baseline", "ours")
        got = {kind: _run_child(kind, path, workdir / f"{kind}-{fmt}.db", timeout) for kind in order}
        ours, base = got["ours"], got["baseline"]
        if ours is None or base is None:
            late = "sellermate" if ours is None else "pandas"
            print(f"  {late} did not finish within {timeout:.0f}s\n  MISS")
            return {
                "format": fmt,
                "lines": lines,
                "rounds": runs,
                "slowdown": None,
                "ok": False,
                "timeout": timeout,
            }
        runs.append((ours, base))
        print(
            f"  round {n + 1} ({' first, '.join('sellermate' if k == 'ours' else 'pandas' for k in order)} second): "
            f"sellermate {float(ours['seconds']):.1f}s, pandas {float(base['seconds']):.1f}s, "  # type: ignore[arg-type]
            f"ratio {float(ours['seconds']) / float(base['seconds']):.2f}x",
            flush=True,
        )  # type: ignore[arg-type]
    ratios = [float(o["seconds"]) / float(b["seconds"]) for o, b in runs]  # type: ignore[arg-type]
    slowdown = median(ratios)
    summary = {}
    for name, i in (("sellermate", 0), ("pandas", 1)):
        seconds = median(float(r[i]["seconds"]) for r in runs)  # type: ignore[arg-type]
        summary[name] = {
            "seconds": seconds,
            "peak_mb": max(float(r[i]["peak_mb"]) for r in runs),  # type: ignore[arg-type]
            "ready_mb": max(float(r[i]["ready_mb"]) for r in runs),  # type: ignore[arg-type]
            "all_peak_mb": max(float(r[i]["all_peak_mb"]) for r in runs),
        }  # type: ignore[arg-type]
    print(
        f"  {'median':10} {'seconds':>8} {'lines/s':>9} {'peak MB':>8} {'(before)':>9} {'all processes':>14}"
    )
    for name, r in summary.items():
        print(
            f"  {name:10} {r['seconds']:8.1f} {lines / r['seconds']:9,.0f} {r['peak_mb']:8.0f} "
            f"{r['ready_mb']:9.0f} {r['all_peak_mb']:14.0f}"
        )
    ours = runs[-1][0]
    print(
        f"  sellermate: {ours['orders']} orders, {ours['customers']} customers, {ours['rejected']} rows rejected"
    )
    print(
        f"  time ratio sellermate/pandas = {slowdown:.2f}x, median of {', '.join(f'{r:.2f}' for r in ratios)} "
        f"(target <= {TARGET_SLOWDOWN}x); peak memory (highest of the rounds) = "
        f"{summary['sellermate']['all_peak_mb']:.0f} MB, {summary['sellermate']['all_peak_mb'] / summary['pandas']['all_peak_mb']:.2f}x pandas "
        f"(target: sellermate < {TARGET_PEAK_MB:.0f} MB, all its processes at once)"
    )
    ok = slowdown <= TARGET_SLOWDOWN and summary["sellermate"]["all_peak_mb"] < TARGET_PEAK_MB
    print(f"  {'PASS' if ok else 'MISS'}")
    return {
        "format": fmt,
        "lines": lines,
        "rounds": runs,
        "ratios": ratios,
        "median": summary,
        "slowdown": slowdown,
        "ok": ok,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument(
        "--lines", type=int, default=1_000_000, help="order lines in the export (default 1,000,000)"
    )
    ap.add_argument("--format", choices=("shopify", "tiktok", "both"), default="shopify")
    ap.add_argument("--workdir", type=Path, default=None, help="where to keep generated files and databases")
    ap.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="pairs of runs, taking turns to go first; the ratio is their median (default 3)",
    )
    ap.add_argument(
        "--timeout",
        type=float,
        default=3600.0,
        help="give up on an import after this many seconds (default 3600)",
    )
    ap.add_argument("--child", choices=("ours", "baseline"), help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        result = (_child_ours if args.child == "ours" else _child_baseline)(args.file, args.db)
        result["peak_mb"] = _peak_mb()
        print(json.dumps(result))
        return 0
    workdir = args.workdir or Path(tempfile.gettempdir()) / "sellermate-bench-import"
    workdir.mkdir(parents=True, exist_ok=True)
    formats = ("shopify", "tiktok") if args.format == "both" else (args.format,)
    results = [bench(fmt, args.lines, workdir, args.timeout, max(1, args.rounds)) for fmt in formats]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=str))
    return 0 if not args.check or all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
