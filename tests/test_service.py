"""Service history (docs/service.md): reviews, NPS answers, complaints and returns imported from interactions.csv,
the figures asked about (each checked against a direct computation from the rows written), the card's timeline
and the service-recovery rule. Every test runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.settings import Settings
from crm.importing.service import import_file
from crm.query.compiler import customer_profile
from crm.query.service import ask
from crm.scheduling.service_alerts import due_service_alerts
from storage.db import Database
from storage.models import Interaction
from tests.test_importing import SHOPIFY_HEADER, shopify_row, write_csv

SG = ZoneInfo("Asia/Singapore")
AS_OF = datetime(2026, 11, 24, tzinfo=SG)  # the end of Monday 23 November 2026
SETTINGS = Settings(workspace={"timezone": "Asia/Singapore"})
INTERACTIONS_HEADER = [
    "platform",
    "buyer_key",
    "kind",
    "occurred_at",
    "rating",
    "body",
    "language",
    "order_id",
    "reason",
]

# (order, buyer, created, total, item): Ann spends the most by far; the others are small buyers.
ORDERS = [
    ("#1", "ann@example.com", "2026-10-05 10:00:00 +0800", "500.00", "Serum"),
    ("#2", "ann@example.com", "2026-11-02 10:00:00 +0800", "600.00", "Cream"),
    ("#3", "ann@example.com", "2026-07-10 10:00:00 +0800", "300.00", "Serum"),
    ("#4", "bob@example.com", "2026-10-10 10:00:00 +0800", "20.00", "Serum"),
    ("#5", "cat@example.com", "2026-10-20 10:00:00 +0800", "25.00", "Cream"),
    ("#6", "dan@example.com", "2026-11-05 10:00:00 +0800", "30.00", "Serum"),
]
# The good rows of interactions.csv (lines 2-12), then bad ones (lines 13-17).
GOOD = [
    ["shopify", "ann@example.com", "review", "2026-10-08T10:00:00+08:00", "4", "Nice", "en", "#1", ""],
    [
        "shopify",
        "bob@example.com",
        "review",
        "2026-10-12T10:00:00+08:00",
        "1",
        "Broke in a day",
        "en",
        "#4",
        "",
    ],
    ["shopify", "cat@example.com", "review", "2026-10-25T10:00:00+08:00", "5", "很好", "zh", "#5", ""],
    ["shopify", "ann@example.com", "review", "2026-07-15T10:00:00+08:00", "2", "Meh", "en", "#3", ""],
    ["shopify", "ann@example.com", "nps", "2026-11-10T10:00:00+08:00", "10", "", "en", "", ""],
    ["shopify", "bob@example.com", "nps", "2026-11-11T10:00:00+08:00", "3", "", "en", "", ""],
    ["shopify", "cat@example.com", "nps", "2026-11-12T10:00:00+08:00", "8", "", "zh", "", ""],
    [
        "shopify",
        "ann@example.com",
        "complaint",
        "2026-10-09T10:00:00+08:00",
        "",
        "Parcel came a week late\u202e and the box was " + "crushed " * 40,
        "en",
        "#1",
        "late delivery",
    ],
    ["shopify", "cat@example.com", "return", "2026-10-28T10:00:00+08:00", "", "", "zh", "#5", "Wrong size"],
    ["shopify", "bob@example.com", "return", "2026-11-03T10:00:00+08:00", "", "", "en", "#4", "wrong size "],
    ["shopify", "dan@example.com", "return", "2026-11-07T10:00:00+08:00", "", "", "en", "#6", ""],
]
BAD = [
    ["shopify", "dan@example.com", "review", "2026-11-08T10:00:00+08:00", "6", "", "en", "", ""],
    ["shopify", "dan@example.com", "nps", "2026-11-08T11:00:00+08:00", "11", "", "en", "", ""],
    ["shopify", "dan@example.com", "review", "2026-11-08T12:00:00+08:00", "4.5", "", "en", "", ""],
    ["shopify", "dan@example.com", "complaint", "2026-11-08T13:00:00+08:00", "", "", "en", "#999", ""],
    ["shopify", "dan@example.com", "nps", "2026-11-08T14:00:00+08:00", "", "", "en", "", ""],
]


async def service_shop(db: Database, workspace_id: int, tmp_path: Path) -> object:
    orders = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [shopify_row(n, e, "paid", t, c, item=i) for n, e, c, t, i in ORDERS],
    )
    await import_file(db, workspace_id, orders, settings=SETTINGS.workspace)
    path = write_csv(tmp_path / "interactions.csv", INTERACTIONS_HEADER, [*GOOD, *BAD])
    return await import_file(db, workspace_id, path, settings=SETTINGS.workspace)


def _in(row: list[str], start: str, end: str) -> bool:
    return start <= row[3][:10] < end


def rows_of(kind: str, start: str, end: str) -> list[list[str]]:
    return [r for r in GOOD if r[2] == kind and _in(r, start, end)]


def orders_in(start: str, end: str) -> int:
    return sum(1 for o in ORDERS if start <= o[2][:10] < end)


async def ask_en(db: Database, workspace_id: int, question: str):  # type: ignore[no-untyped-def]
    return await ask(question, db=db, workspace_id=workspace_id, settings=SETTINGS, as_of=AS_OF)


async def test_bad_rows_are_rejected_with_their_lines(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    report = await service_shop(db, workspace_id, tmp_path)
    assert report.kind == "interactions" and report.orders_new == len(GOOD)  # type: ignore[attr-defined]
    rejected = {r.line_no: r.reason for r in report.rejected}  # type: ignore[attr-defined]
    assert sorted(rejected) == [13, 14, 15, 16, 17]
    assert "review must be 1 to 5" in rejected[13] and "nps must be 0 to 10" in rejected[14]
    assert "whole number" in rejected[15] and "unknown order shopify/#999" in rejected[16]
    assert "needs its score" in rejected[17]
    async with db.sessions() as s:
        stored = (
            await s.execute(
                select(Interaction.kind, Interaction.reason, Interaction.order_id).order_by(Interaction.id)
            )
        ).all()
    assert [(k, r) for k, r, _ in stored if k == "return"] == [
        ("return", "Wrong size"),
        ("return", "wrong size"),
        ("return", None),
    ]
    assert all(o is not None for k, _, o in stored if k == "review")  # each review linked to its order


async def test_each_figure_is_its_rows_computed_directly(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await service_shop(db, workspace_id, tmp_path)
    # Average rating this quarter (1 October to 23 November).
    reviews = [int(r[4]) for r in rows_of("review", "2026-10-01", "2026-11-24")]
    got = await ask_en(db, workspace_id, "average rating this quarter")
    assert got.value == round(sum(reviews) / len(reviews), 2) and got.rows == [[got.value, len(reviews)]]
    assert f"(n = {len(reviews)})" in got.text and "too few to rely on" in got.text
    zh = await ask_en(db, workspace_id, "本季度平均评分")
    assert zh.value == got.value and "平均评分" in zh.text and f"n = {len(reviews)}" in zh.text
    assert "样本太少" in zh.text
    # NPS this year: % of 9-10 minus % of 0-6.
    scores = [int(r[4]) for r in rows_of("nps", "2026-01-01", "2026-11-24")]
    nps = (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) * 100 / len(scores)
    got = await ask_en(db, workspace_id, "NPS this year")
    assert got.value == round(nps, 1) and got.rows == [[got.value, len(scores)]]
    assert "NPS" in got.text and "净推荐值" in (await ask_en(db, workspace_id, "今年的净推荐值")).text
    # Complaint rate last month (October): complaints / valid orders.
    complaints = len(rows_of("complaint", "2026-10-01", "2026-11-01"))
    orders = orders_in("2026-10-01", "2026-11-01")
    got = await ask_en(db, workspace_id, "complaint rate last month")
    assert got.value == round(complaints / orders, 6) and got.rows == [[got.value, orders]]
    assert f"{complaints} complaint{'' if complaints == 1 else 's'} / {orders} valid orders" in got.text
    assert "投诉率" in (await ask_en(db, workspace_id, "上个月的投诉率")).text
    # Return reasons this quarter: reasons written alike are one; an empty reason is said so.
    got = await ask_en(db, workspace_id, "return reasons this quarter")
    returns = rows_of("return", "2026-10-01", "2026-11-24")
    assert got.value == len(returns)
    assert got.rows == [["wrong size", 2, round(2 / 3, 4)], ["no reason given", 1, round(1 / 3, 4)]]
    zh = await ask_en(db, workspace_id, "本季度退货原因")
    assert "退货原因" in zh.text and "未填写原因" in zh.text


async def test_average_rating_by_product_follows_the_orders_named(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await service_shop(db, workspace_id, tmp_path)
    item = {o[0]: o[4] for o in ORDERS}
    by: dict[str, list[int]] = {}
    for r in rows_of("review", "2026-01-01", "2026-11-24"):
        by.setdefault(item[r[7]], []).append(int(r[4]))
    want = sorted(
        ([p, round(sum(v) / len(v), 2), len(v)] for p, v in by.items()), key=lambda row: (-row[1], -row[2])
    )
    got = await ask_en(db, workspace_id, "average rating by product this year")
    assert got.columns == ["product", "avg_rating", "n"] and got.rows == want
    zh = await ask_en(db, workspace_id, "今年按产品的平均评分")
    assert zh.rows == want and "产品" in zh.text
    # Order figures are not kept per product: said, not guessed.
    assert (await ask_en(db, workspace_id, "revenue by product")).intent == "clarify"


async def test_an_empty_period_and_a_large_enough_sample(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await service_shop(db, workspace_id, tmp_path)
    empty = await ask_en(db, workspace_id, "average rating last year")
    assert empty.value is None and "no reviews in that window" in empty.text
    assert "没有评价" in (await ask_en(db, workspace_id, "去年的平均评分")).text
    # 30 more reviews this quarter: the figure rests on enough of them, so it carries no mark.
    more = [
        [
            "shopify",
            "dan@example.com",
            "review",
            f"2026-11-{10 + i // 10:02d}T{10 + i % 10:02d}:00:00+08:00",
            str(1 + i % 5),
            "",
            "en",
            "",
            "",
        ]
        for i in range(30)
    ]
    await import_file(
        db,
        workspace_id,
        write_csv(tmp_path / "more.csv", INTERACTIONS_HEADER, more),
        settings=SETTINGS.workspace,
    )
    reviews = [int(r[4]) for r in [*rows_of("review", "2026-10-01", "2026-11-24"), *more]]
    got = await ask_en(db, workspace_id, "average rating this quarter")
    assert got.value == round(sum(reviews) / len(reviews), 2) and f"(n = {len(reviews)})" in got.text
    assert "too few" not in got.text


async def test_the_card_lists_the_service_history_latest_first(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await service_shop(db, workspace_id, tmp_path)
    async with db.sessions() as s:  # Ann: the one who complained
        ann = (
            await s.execute(select(Interaction.customer_id).where(Interaction.kind == "complaint"))
        ).scalar()
    assert ann is not None
    card = await customer_profile(
        db=db, workspace_id=workspace_id, customer_id=ann, settings=SETTINGS, as_of=AS_OF
    )
    lines = card.text.split("Service history (latest first):")[1].strip().splitlines()
    assert lines[0].startswith("• 2026-11-10 · NPS 10/10")
    assert lines[1].startswith(
        "• 2026-10-09 · complaint · order #1 · late delivery · “Parcel came a week late"
    )
    assert "\u202e" not in card.text and lines[1].endswith("…”") and len(lines[1]) < 160
    assert lines[2].startswith("• 2026-10-08 · review 4/5 · order #1")
    zh = await customer_profile(
        db=db, workspace_id=workspace_id, customer_id=ann, settings=SETTINGS, as_of=AS_OF, language="zh"
    )
    assert "售后记录（最新在前）：" in zh.text and "投诉 · 订单 #1" in zh.text


async def test_service_recovery_names_valuable_customers_only(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await service_shop(db, workspace_id, tmp_path)
    now = datetime(2026, 11, 15, 9, 0, tzinfo=SG)  # the look-back reaches back to 16 October
    async with db.sessions() as s:
        due = await due_service_alerts(s, workspace_id, now, SG)
    # Bob's NPS 3/10 (11 November) is a small buyer's; Ann's complaint (9 October) is older than 30 days.
    assert [(a.kind, a.rating) for a in due] == []
    later = datetime(2026, 11, 8, 9, 0, tzinfo=SG)  # 9 October is inside the 30 days
    async with db.sessions() as s:
        due = await due_service_alerts(s, workspace_id, later, SG)
    assert [(a.kind, a.why, a.reason) for a in due] == [("complaint", "segment", "late delivery")]
    assert due[0].order_number == "#1"  # Bob's 1-star review (12 October) is a small buyer's: no alert


async def test_small_sample_mark_follows_the_workspace_min_sample(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """The service answers use the product-wide small-sample rule with the workspace's `min_sample`: at exactly
    min_sample reviews no mark, one below it the mark naming the threshold (en and zh)."""
    await service_shop(db, workspace_id, tmp_path)
    n = len(rows_of("review", "2026-10-01", "2026-11-24"))
    for min_sample, small in ((n, False), (n + 1, True)):
        settings = Settings(workspace={"timezone": "Asia/Singapore", "min_sample": min_sample})
        en = await ask(
            "average rating this quarter", db=db, workspace_id=workspace_id, settings=settings, as_of=AS_OF
        )
        zh = await ask("本季度平均评分", db=db, workspace_id=workspace_id, settings=settings, as_of=AS_OF)
        assert en.rows[0][1] == n and zh.rows[0][1] == n
        assert ("too few to rely on" in en.text) is small and ("样本太少" in zh.text) is small
        assert (f"n < {min_sample}" in en.text) is small
        by_month = await ask(
            "average rating by month this quarter",
            db=db,
            workspace_id=workspace_id,
            settings=settings,
            as_of=AS_OF,
        )
        for label, _, count in by_month.rows:
            line = next(x for x in by_month.text.splitlines() if x.startswith(f"• {label}:"))
            assert ("too few" in line) is (count < min_sample)


async def test_figures_by_month_are_each_months_rows_computed_directly(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """A breakdown by month reads the rows once and splits them by local month: each month's figure is its own
    rows' (the timestamps are written in the workspace's +08:00, so the month is the text's)."""
    await service_shop(db, workspace_id, tmp_path)
    months = [f"2026-{m:02d}" for m in range(1, 12)]
    reviews = {m: [int(r[4]) for r in rows_of("review", m + "-01", m + "-32")] for m in months}
    got = await ask_en(db, workspace_id, "average rating by month this year")
    want = [[m, round(sum(v) / len(v), 2), len(v)] for m, v in reviews.items() if v]
    assert len(want) >= 2 and got.rows == want
    got = await ask_en(db, workspace_id, "complaint rate by month this year")
    want = []
    for m in months:
        orders = orders_in(m + "-01", m + "-32")
        if orders:
            complaints = len(rows_of("complaint", m + "-01", m + "-32"))
            want.append([m, round(complaints / orders, 6), orders])
    assert want and got.rows == want
    nps = await ask_en(db, workspace_id, "NPS by month this year")
    scores = [int(r[4]) for r in rows_of("nps", "2026-11-01", "2026-12-01")]
    value = (sum(s >= 9 for s in scores) - sum(s <= 6 for s in scores)) * 100 / len(scores)
    assert nps.rows == [["2026-11", round(value, 1), len(scores)]]


async def test_service_counts_by_product_count_each_interaction_once_per_product(
    db: Database, workspace_id: int
) -> None:
    """Per product: an interaction naming an order counts once for each product (name, else SKU) its lines
    name, however many lines name it; a review of a product counts for that product alone; one naming neither
    is left out. Checked against a direct count on random data, NPS promoters and detractors too."""
    import random
    from datetime import UTC, timedelta

    from storage.models import Customer, OrderLine, Store
    from storage.repositories.analytics import Scope
    from storage.repositories.service import service_counts_by_product
    from tests.order_rows import sgd_order

    rng = random.Random(11)
    names = ["Serum", "Scarf", None, ""]  # "" is a name (coalesce keeps it), as before this statement
    skus = ["S-1", "S-2", "S-3", "S-4"]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    end = datetime(2026, 7, 1, tzinfo=UTC)
    want: dict[str, list[int]] = {}
    async with db.sessions() as s:
        store = Store(workspace_id=workspace_id, platform="shopee", name="shop", country="SG")
        customer = Customer(workspace_id=workspace_id, display_name="Buyer")
        s.add_all([store, customer])
        await s.flush()
        for n in range(300):
            at = start + timedelta(hours=rng.randint(-500, 5000))
            status = rng.choice(["completed", "cancelled"])
            o = sgd_order(workspace_id, store.id, customer.id, f"O{n}", status, at)
            s.add(o)
            await s.flush()
            labels = set()
            for line_no in range(1, rng.randint(1, 4) + 1):
                i = rng.randrange(4)
                s.add(
                    OrderLine(order_id=o.id, line_no=line_no, sku=skus[i], product_name=names[i], quantity=1)
                )
                labels.add(skus[i] if names[i] is None else names[i])
            kind = rng.choice(["review", "nps", "complaint"])
            rating = rng.randint(1, 5) if kind == "review" else rng.randint(0, 10) if kind == "nps" else None
            own = rng.choice([None, None, "Gift Box"])
            named = rng.random() < 0.9
            s.add(
                Interaction(
                    workspace_id=workspace_id,
                    customer_id=customer.id,
                    kind=kind,
                    rating=rating,
                    order_id=o.id if named else None,
                    product=own,
                    occurred_at=at,
                )
            )
            if kind in ("review", "nps") and start <= at < end:
                for label in {own} if own else labels if named else set():
                    c = want.setdefault(f"{kind}:{label}", [0, 0, 0, 0, 0])
                    c[0] += 1
                    c[1] += rating is not None
                    c[2] += rating or 0
                    c[3] += rating is not None and rating >= 9
                    c[4] += rating is not None and rating <= 6
        await s.commit()
    got = {}
    async with db.sessions() as s:
        for kind in ("review", "nps"):
            for label, c in (
                await service_counts_by_product(s, Scope(workspace_id), [kind], start, end)
            ).items():
                got[f"{kind}:{label}"] = [c.rows, c.rated, c.rating_sum, c.promoters, c.detractors]
    assert got == want
    assert any(k.endswith(":S-3") for k in got) and any(k.endswith(":Gift Box") for k in got)
    assert any(k.endswith(":") for k in got)  # the empty name


async def test_a_long_breakdown_lists_ten_groups_and_leaves_the_rest_to_its_table(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Found in a Telegram trial: "average rating by product" listed all 51 products as text, unpaged, above
    the same figures as a table. The text lists the first ten; the table has every one."""
    from crm.query.service_kinds import LISTED_GROUPS
    from storage.models import Customer

    async with db.sessions() as s:
        customer = Customer(workspace_id=workspace_id, display_name="Reviewer")
        s.add(customer)
        await s.flush()
        for i in range(14):  # a review of each of 14 products (platform review exports name the product)
            s.add(
                Interaction(
                    workspace_id=workspace_id,
                    customer_id=customer.id,
                    kind="review",
                    rating=1 + i % 5,
                    product=f"Product {i:02d}",
                    occurred_at=datetime(2026, 3, 1 + i, tzinfo=SG),
                )
            )
        await s.commit()
    got = await ask_en(db, workspace_id, "average rating by product this year")
    listed = [line for line in got.text.splitlines() if line.startswith("• ")]
    assert len(listed) == min(len(got.rows), LISTED_GROUPS) and len(got.rows) > LISTED_GROUPS, got.text
    assert f"+{len(got.rows) - LISTED_GROUPS} more" in got.text
