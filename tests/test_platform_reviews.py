"""Platform review exports (docs/service.md, "Platform review exports"): Shopify's Product Reviews CSV and
Judge.me's, imported as reviews of the Shopify buyers with those e-mails, linked to the product their handle
names; each figure checked against the mean of the files' rows computed here. Every test runs on SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from bot.cli_import import format_report
from bot.settings import Settings
from crm.importing.platforms import handle_of
from crm.importing.service import file_kind, import_file
from crm.query.service import ask
from storage.db import Database
from storage.models import Interaction
from tests.test_importing import SHOPIFY_HEADER, shopify_row, write_csv

SG = ZoneInfo("Asia/Singapore")
AS_OF = datetime(2026, 11, 24, tzinfo=SG)  # the end of Monday 23 November 2026
SETTINGS = Settings(workspace={"timezone": "Asia/Singapore"})

# (order, buyer, created, total, item): Ann spends the most; Dan bought the other variant of the shirt.
ORDERS = [
    ("#1", "ann@example.com", "2026-09-20 10:00:00 +0800", "900.00", "Serum"),
    ("#2", "ann@example.com", "2026-10-25 10:00:00 +0800", "800.00", "Cream"),
    ("#3", "bob@example.com", "2026-10-01 10:00:00 +0800", "45.00", "Linen Shirt - M"),
    ("#4", "bob@example.com", "2026-10-02 10:00:00 +0800", "20.00", "Serum"),
    ("#5", "cat@example.com", "2026-10-30 10:00:00 +0800", "25.00", "Cream"),
    ("#6", "dan@example.com", "2026-10-03 10:00:00 +0800", "45.00", "Linen Shirt - L"),
]
KNOWN = {o[1] for o in ORDERS}

SHOPIFY_REVIEWS_HEADER = [
    "product_handle",
    "state",
    "rating",
    "title",
    "author",
    "email",
    "location",
    "body",
    "reply",
    "created_at",
    "replied_at",
]
# The rows kept or left out (lines 2-9), then the rows with bad values (lines 10-14).
SHOPIFY_GOOD = [
    [
        "serum",
        "published",
        "5",
        "Love it",
        "Ann L.",
        "ann@example.com",
        "Singapore",
        "Glows",
        "",
        "2026-10-08 10:00:00 UTC",
        "",
    ],
    [
        "linen-shirt",
        "published",
        "2",
        "Too small",
        "Bob T.",
        "BOB@example.com",
        "",
        "Runs small",
        "Sorry!",
        "2026-10-15 09:00:00 +0800",
        "2026-10-16 09:00:00 +0800",
    ],
    [
        "cream",
        "unpublished",
        "4",
        "",
        "Cat W.",
        "cat@example.com",
        "",
        "Nice, write me at cat.w@example.org",
        "",
        "2026-11-02 12:00:00",
        "",
    ],
    [
        "serum",
        "spam",
        "1",
        "Cheap pills",
        "x",
        "spam@example.net",
        "",
        "Visit my site",
        "",
        "2026-11-03 12:00:00",
        "",
    ],
    ["serum", "published", "3", "", "Zed", "zed@example.com", "", "Okay", "", "2026-11-04 12:00:00", ""],
    ["serum", "published", "4", "", "Guest", "", "", "Fine", "", "2026-11-04 13:00:00", ""],
    [
        "mystery-box",
        "published",
        "5",
        "Surprise",
        "Ann L.",
        "ann@example.com",
        "",
        "",
        "",
        "2026-11-05 12:00:00",
        "",
    ],
    [
        "linen-shirt",
        "published",
        "3",
        "",
        "Cat W.",
        "cat@example.com",
        "",
        "Thin",
        "",
        "2026-07-05 12:00:00",
        "",
    ],
]
SHOPIFY_BAD = [
    ["serum", "published", "6", "", "Ann L.", "ann@example.com", "", "", "", "2026-11-06 12:00:00", ""],
    ["serum", "published", "4", "", "Ann L.", "ann@example.com", "", "", "", "yesterday", ""],
    ["serum", "published", "", "", "Ann L.", "ann@example.com", "", "", "", "2026-11-06 13:00:00", ""],
    ["serum", "archived", "4", "", "Ann L.", "ann@example.com", "", "", "", "2026-11-06 14:00:00", ""],
    ["serum", "published", "4.5", "", "Ann L.", "ann@example.com", "", "", "", "2026-11-06 15:00:00", ""],
]

JUDGEME_HEADER = [
    "product_handle",
    "review_title",
    "body",
    "reviewer_name",
    "reviewer_email",
    "rating",
    "review_date",
    "reply",
    "reply_date",
    "featured",
    "verified",
    "hidden",
]
JUDGEME_GOOD = [  # lines 2-5
    [
        "serum",
        "Works",
        "Skin feels great",
        "Bob T.",
        "bob@example.com",
        "5",
        "2026-10-20",
        "",
        "",
        "false",
        "verified-purchase",
        "false",
    ],
    [
        "cream",
        "Sticky",
        "Not for me",
        "Ann L.",
        "ann@example.com",
        "1",
        "2026-11-10",
        "",
        "",
        "false",
        "verified-purchase",
        "true",
    ],
    ["linen-shirt", "", "Lovely", "Anonymous", "", "5", "2026-10-21", "", "", "false", "", "false"],
    [
        "cream",
        "",
        "Good",
        "Cat W.",
        "Cat@Example.com",
        "4",
        "2026-11-11",
        "",
        "",
        "true",
        "verified-purchase",
        "false",
    ],
]
JUDGEME_BAD = [  # lines 6-7
    ["serum", "", "", "Bob T.", "bob@example.com", "5", "32/13/2026", "", "", "false", "", "false"],
    ["serum", "", "", "Bob T.", "bob@example.com", "0", "2026-11-12", "", "", "false", "", "false"],
]
# The product each handle is of, as the order lines name it: Bob's own shirt is the M he bought; Cat bought
# no shirt, so hers is the product both variants are of; no order line names the mystery box.
PRODUCT = {
    ("linen-shirt", "bob@example.com"): "Linen Shirt - M",
    ("linen-shirt", "cat@example.com"): "Linen Shirt",
    ("serum", None): "Serum",
    ("cream", None): "Cream",
}


def kept() -> list[tuple[str, str, int, str]]:
    """(handle, buyer, rating, local date) of the review rows a correct import keeps: not spam, by a buyer
    whose orders were imported."""
    out = []
    for r in SHOPIFY_GOOD:
        if r[1] != "spam" and r[5].lower() in KNOWN:
            out.append((r[0], r[5].lower(), int(r[2]), r[9][:10]))
    for r in JUDGEME_GOOD:
        if r[4].lower() in KNOWN:
            out.append((r[0], r[4].lower(), int(r[5]), r[6]))
    return out


def ratings_in(start: str, end: str) -> list[int]:
    return [rating for _, _, rating, day in kept() if start <= day < end]


async def shop(db: Database, workspace_id: int, tmp_path: Path) -> tuple[object, object]:
    orders = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [shopify_row(n, e, "paid", t, c, item=i) for n, e, c, t, i in ORDERS],
    )
    await import_file(db, workspace_id, orders, settings=SETTINGS.workspace)
    shopify = write_csv(
        tmp_path / "reviews_export.csv", SHOPIFY_REVIEWS_HEADER, [*SHOPIFY_GOOD, *SHOPIFY_BAD]
    )
    judgeme = write_csv(tmp_path / "judgeme_reviews.csv", JUDGEME_HEADER, [*JUDGEME_GOOD, *JUDGEME_BAD])
    assert file_kind(shopify) == "reviews" and file_kind(judgeme) == "reviews"
    first = await import_file(db, workspace_id, shopify, settings=SETTINGS.workspace)
    second = await import_file(db, workspace_id, judgeme, settings=SETTINGS.workspace)
    return first, second


async def ask_at(db: Database, workspace_id: int, question: str):  # type: ignore[no-untyped-def]
    return await ask(question, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF)


def test_handles_as_shopify_makes_them() -> None:
    assert handle_of("Sheet Mask Set (10 pcs)") == "sheet-mask-set-10-pcs"
    assert handle_of("Bird's Nest Drink 6x75ml") == "bird-s-nest-drink-6x75ml"
    assert handle_of("  Linen Shirt ") == "linen-shirt"


async def test_rows_kept_left_out_and_rejected(db: Database, workspace_id: int, tmp_path: Path) -> None:
    first, second = await shop(db, workspace_id, tmp_path)
    assert first.kind == "reviews" and first.platform == "shopify"  # type: ignore[attr-defined]
    assert first.rows == len(SHOPIFY_GOOD) + len(SHOPIFY_BAD)  # type: ignore[attr-defined]
    # Kept: Ann's serum and mystery box, Bob's shirt, Cat's cream (unpublished) and July shirt.
    assert first.orders_new == 5 and first.left_out == {"spam": 1, "unknown_buyer": 1, "anonymous": 1}  # type: ignore[attr-defined]
    assert first.products_unlinked == 1  # type: ignore[attr-defined]
    rejected = {r.line_no: r.reason for r in first.rejected}  # type: ignore[attr-defined]
    assert sorted(rejected) == [10, 11, 12, 13, 14]
    assert "must be 1 to 5, got '6'" in rejected[10] and "not a date: 'yesterday'" in rejected[11]
    assert "no rating" in rejected[12] and "unknown state 'archived'" in rejected[13]
    assert "whole number" in rejected[14]
    assert second.orders_new == 3 and second.left_out == {"anonymous": 1}  # type: ignore[attr-defined]
    assert sorted(r.line_no for r in second.rejected) == [6, 7]  # type: ignore[attr-defined]
    lines = format_report(first)[1:]
    assert lines == [
        "  1 review has no e-mail (anonymous): not kept.",
        "  1 review is by reviewers with no order imported: not kept (import their orders first, then this "
        "file again).",
        "  1 review is marked spam: not kept.",
        "  1 review names a product no imported order line has: kept, without a product.",
        *[f"  line {r.line_no}: {r.reason}" for r in first.rejected],  # type: ignore[attr-defined]
    ]
    async with db.sessions() as s:
        stored = (
            await s.execute(
                select(Interaction.kind, Interaction.rating, Interaction.body, Interaction.product).order_by(
                    Interaction.occurred_at
                )
            )
        ).all()
    assert len(stored) == len(kept()) and all(k == "review" for k, *_ in stored)
    bodies = " ".join(b or "" for _, _, b, _ in stored)
    assert "Love it — Glows" in bodies and "@" not in bodies  # title and words; no e-mail kept
    want = sorted(PRODUCT.get((h, b), PRODUCT.get((h, None))) or "" for h, b, _, _ in kept())
    assert sorted(p or "" for *_, p in stored) == want


async def test_importing_the_same_files_again_adds_nothing(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await shop(db, workspace_id, tmp_path)
    again = await import_file(db, workspace_id, tmp_path / "judgeme_reviews.csv", settings=SETTINGS.workspace)
    once_more = await import_file(
        db, workspace_id, tmp_path / "reviews_export.csv", settings=SETTINGS.workspace
    )
    assert again.orders_new == 0 and again.orders_unchanged == 3
    assert once_more.orders_new == 0 and once_more.orders_unchanged == 5
    async with db.sessions() as s:
        assert (await s.execute(select(func.count(Interaction.id)))).scalar() == len(kept())


async def test_average_rating_by_period_and_product_is_the_rows_mean(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await shop(db, workspace_id, tmp_path)
    quarter = ratings_in("2026-10-01", "2026-11-24")
    got = await ask_at(db, workspace_id, "average rating this quarter")
    assert got.value == round(sum(quarter) / len(quarter), 2) and got.rows == [[got.value, len(quarter)]]
    assert f"(n = {len(quarter)})" in got.text and "too few to rely on" in got.text
    zh = await ask_at(db, workspace_id, "这个季度的平均评分")
    assert zh.value == got.value and "平均评分" in zh.text and f"n = {len(quarter)}" in zh.text
    assert "样本太少" in zh.text
    # By month this year: July's one review, October's and November's.
    by_month = await ask_at(db, workspace_id, "average rating by month this year")
    want_months = []
    for label, start, end in (
        ("2026-07", "2026-07-01", "2026-08-01"),
        ("2026-10", "2026-10-01", "2026-11-01"),
        ("2026-11", "2026-11-01", "2026-12-01"),
    ):
        r = ratings_in(start, end)
        want_months.append((label, round(sum(r) / len(r), 2), len(r)))
    assert [(str(row[0])[:7], row[1], row[2]) for row in by_month.rows] == want_months
    # By product: each review counts for the product its handle names; the mystery box for none.
    per: dict[str, list[int]] = {}
    for handle, buyer, rating, day in kept():
        product = PRODUCT.get((handle, buyer)) or PRODUCT.get((handle, None))
        if product and "2026-01-01" <= day < "2026-11-24":
            per.setdefault(product, []).append(rating)
    want = sorted(
        ([p, round(sum(v) / len(v), 2), len(v)] for p, v in per.items()), key=lambda row: (-row[1], -row[2])
    )
    got = await ask_at(db, workspace_id, "average rating by product this year")
    assert got.rows == want
    assert (await ask_at(db, workspace_id, "今年按产品的平均评分")).rows == want


async def test_an_empty_period_is_said_in_words(db: Database, workspace_id: int, tmp_path: Path) -> None:
    await shop(db, workspace_id, tmp_path)
    assert ratings_in("2025-01-01", "2026-01-01") == []
    empty = await ask_at(db, workspace_id, "average rating last year")
    assert empty.value is None and "no reviews in that window" in empty.text
    assert "没有评价" in (await ask_at(db, workspace_id, "去年的平均评分")).text


async def test_the_buyer_known_by_the_customers_export_only(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Shopify's customers export keys a buyer by customer id: their review is found by their e-mail."""
    await shop(db, workspace_id, tmp_path)
    customers = write_csv(
        tmp_path / "customers_export.csv",
        [
            "Customer ID",
            "First Name",
            "Last Name",
            "Email",
            "Accepts Email Marketing",
            "Total Spent",
            "Total Orders",
            "Tags",
        ],
        [["'9001", "Zed", "Ong", "zed@example.com", "no", "0.00", "0", ""]],
    )
    await import_file(db, workspace_id, customers, settings=SETTINGS.workspace)
    again = await import_file(db, workspace_id, tmp_path / "reviews_export.csv", settings=SETTINGS.workspace)
    assert again.orders_new == 1 and again.left_out == {"spam": 1, "anonymous": 1}


# ---------------------------------------------------------------- the demo's own review exports


def _csv(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _expected_product(handle: str, buyer: str, day: str, lines: list[tuple[str, str, str]]) -> str | None:
    """The product a review is of, computed from orders_export.csv's rows (buyer, local day, line name): the
    buyer's latest order of it up to the day after the review; else the one product of that handle (its
    title when several variants have it); else none."""

    def matches(name: str) -> bool:
        return handle in (handle_of(name), handle_of(name.rsplit(" - ", 1)[0]))

    from datetime import date, timedelta

    until = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    own = sorted((d, name) for b, d, name in lines if b == buyer and d <= until and matches(name))
    if own:
        return own[-1][1]
    names = sorted({name for _, _, name in lines if matches(name)})
    if not names:
        return None
    return names[0] if len(names) == 1 else names[0].rsplit(" - ", 1)[0]


async def test_the_demo_review_exports_against_their_rows(
    db: Database, workspace_id: int, demo_exports: dict[str, Path]
) -> None:
    from crm.importing.service import import_rates
    from crm.scheduling.service_alerts import due_service_alerts

    await import_rates(db, workspace_id, demo_exports["rates.csv"], base_currency="SGD")
    for name in ("orders_export.csv", "customers_export.csv"):
        await import_file(db, workspace_id, demo_exports[name], settings=SETTINGS.workspace)
    reports = [
        await import_file(db, workspace_id, demo_exports[name], settings=SETTINGS.workspace)
        for name in ("shopify-product-reviews.csv", "judgeme-reviews.csv")
    ]
    assert [r.rejected for r in reports] == [[], []]
    orders = _csv(demo_exports["orders_export.csv"])
    known = {r["Email"].lower() for r in orders} | {
        r["Email"].lower() for r in _csv(demo_exports["customers_export.csv"]) if r["Email"]
    }
    lines = [
        (
            r["Email"].lower(),
            datetime.strptime(r["Created at"], "%Y-%m-%d %H:%M:%S %z").astimezone(SG).date().isoformat(),
            r["Lineitem name"],
        )
        for r in orders
    ]
    rows: list[tuple[str, str, int, str]] = []  # (handle, buyer, stars, local day) of the reviews kept
    for r in _csv(demo_exports["shopify-product-reviews.csv"]):
        if r["state"] != "spam" and r["email"].lower() in known:
            at = datetime.strptime(r["created_at"], "%Y-%m-%d %H:%M:%S UTC").replace(tzinfo=ZoneInfo("UTC"))
            rows.append(
                (
                    r["product_handle"],
                    r["email"].lower(),
                    int(r["rating"]),
                    at.astimezone(SG).date().isoformat(),
                )
            )
    for r in _csv(demo_exports["judgeme-reviews.csv"]):
        if r["reviewer_email"] and r["reviewer_email"].lower() in known:
            rows.append(
                (r["product_handle"], r["reviewer_email"].lower(), int(r["rating"]), r["review_date"])
            )
    assert sum(r.orders_new for r in reports) == len(rows) > 0
    assert sum(sum(r.left_out.values()) for r in reports) == 3  # the spam row, the visitor, the anonymous one

    quarter = [stars for _, _, stars, day in rows if "2026-10-01" <= day < "2026-11-24"]
    got = await ask_at(db, workspace_id, "average rating this quarter")
    assert got.value == round(sum(quarter) / len(quarter), 2) and got.rows == [[got.value, len(quarter)]]
    assert ("too few to rely on" in got.text) == (len(quarter) < 30)
    zh = await ask_at(db, workspace_id, "这个季度的平均评分")
    assert zh.value == got.value and f"n = {len(quarter)}" in zh.text

    per: dict[str, list[int]] = {}
    for handle, buyer, stars, day in rows:
        product = _expected_product(handle, buyer, day, lines)
        if product and "2026-01-01" <= day < "2026-11-24":
            per.setdefault(product, []).append(stars)
    want = sorted(
        ([p, round(sum(v) / len(v), 2), len(v)] for p, v in per.items()), key=lambda row: (-row[1], -row[2])
    )
    got = await ask_at(db, workspace_id, "average rating by product this year")
    assert sorted(map(tuple, got.rows)) == sorted(map(tuple, want))  # (ties: in either order)

    # The 1-star review three days before the as-of date is the top Shopify spender's: a service alert.
    async with db.sessions() as s:
        due = await due_service_alerts(s, workspace_id, AS_OF, SG, limit=100)
    low = [a for a in due if a.platform == "shopify" and a.rating == 1]
    assert [a.occurred_at.astimezone(SG).date().isoformat() for a in low][-1:] == ["2026-11-20"]


async def test_the_card_names_the_product_reviewed(db: Database, workspace_id: int, tmp_path: Path) -> None:
    from crm.query.compiler import customer_profile

    await shop(db, workspace_id, tmp_path)
    async with db.sessions() as s:  # Bob: his shirt review names the M he bought (order #3)
        bob = (
            await s.execute(select(Interaction.customer_id).where(Interaction.product == "Linen Shirt - M"))
        ).scalar()
    assert bob is not None
    card = await customer_profile(
        db=db, workspace_id=workspace_id, customer_id=bob, settings=SETTINGS, as_of=AS_OF
    )
    lines = card.text.split("Service history (latest first):")[1].strip().splitlines()
    assert lines[0].startswith("• 2026-10-20 · review 5/5 · order #4 · Serum · “Works — Skin feels great”")
    assert lines[1].startswith(
        "• 2026-10-15 · review 2/5 · order #3 · Linen Shirt - M · “Too small — Runs small”"
    )
    zh = await customer_profile(
        db=db, workspace_id=workspace_id, customer_id=bob, settings=SETTINGS, as_of=AS_OF, language="zh"
    )
    assert "订单 #3 · Linen Shirt - M" in zh.text
