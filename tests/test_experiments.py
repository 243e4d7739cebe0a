"""Outreach experiments: the statistics against known values and a direct computation, the variant
assignment, reading a request's variants, and conversion counting on real SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import math
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from scipy.stats import chi2_contingency
from sqlalchemy import select

from bot.settings import Settings
from crm.analytics.experiments import VariantStats, two_proportion_p, verdict, wilson_interval
from crm.analytics.metrics import customer_scores
from crm.outreach.experiments import assign, assign_one, experiment_report, read_experiment
from crm.outreach.service import approve, draft_for_customer, draft_for_segment
from storage.models import Order, OutreachDraft, Store
from tests.test_outreach import add_customer

AS_OF = datetime(2026, 11, 24, tzinfo=UTC)
SETTINGS = Settings(outreach={"brand_name": "Kopi House", "sign_off": "Mei", "max_chars": 600})


# --- statistics ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    [
        (81, 263, 0.2553, 0.3662),  # Newcombe (1998), Statistics in Medicine 17, example (i)
        (15, 148, 0.0624, 0.1605),  # example (ii)
        (0, 20, 0.0, 0.1611),  # example (iii)
        (1, 29, 0.0061, 0.1718),  # example (iv)
    ],
)
def test_wilson_interval_matches_the_textbook(k: int, n: int, low: float, high: float) -> None:
    got = wilson_interval(k, n)
    assert got is not None
    assert got[0] == pytest.approx(low, abs=5e-5) and got[1] == pytest.approx(high, abs=5e-5)


def test_wilson_interval_is_the_formula_and_empty_is_none() -> None:
    k, n, z = 7, 40, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert wilson_interval(k, n) == pytest.approx((centre - half, centre + half))
    assert wilson_interval(0, 0) is None
    with pytest.raises(ValueError):
        wilson_interval(5, 4)


@pytest.mark.parametrize(("k1", "n1", "k2", "n2"), [(45, 100, 30, 100), (12, 50, 10, 55), (3, 9, 1, 12)])
def test_two_proportion_p_equals_the_uncorrected_chi_square(k1: int, n1: int, k2: int, n2: int) -> None:
    table = [[k1, n1 - k1], [k2, n2 - k2]]
    expected = chi2_contingency(table, correction=False)[1]
    assert two_proportion_p(k1, n1, k2, n2) == pytest.approx(expected, rel=1e-9)
    # and the z statistic by hand: 45/100 vs 30/100 gives pooled 0.375, z = 2.1909, p = 0.0285
    if (k1, n1, k2, n2) == (45, 100, 30, 100):
        assert two_proportion_p(k1, n1, k2, n2) == pytest.approx(0.02846, abs=1e-5)


def test_two_proportion_p_edge_cases() -> None:
    assert two_proportion_p(0, 10, 0, 12) == 1.0
    assert two_proportion_p(5, 5, 3, 3) == 1.0
    assert two_proportion_p(1, 0, 1, 3) is None


def test_the_winner_must_beat_every_other_variant() -> None:
    clear = verdict([VariantStats("A", 100, 30), VariantStats("B", 100, 45)])
    assert clear.winner == "B" and clear.leader == "B" and clear.p == pytest.approx(0.02846, abs=1e-5)
    # B beats A but not C: no winner, and p is the comparison that keeps B from winning
    close = verdict([VariantStats("A", 100, 30), VariantStats("B", 100, 45), VariantStats("C", 100, 40)])
    assert close.winner is None and close.leader == "B"
    assert close.p == pytest.approx(two_proportion_p(45, 100, 40, 100))
    assert verdict([VariantStats("A", 10, 2), VariantStats("B", 10, 2)]).leader is None
    assert verdict([VariantStats("A", 10, 2), VariantStats("B", 0, 0)]).winner is None


# --- assignment and requests ----------------------------------------------------------------------------------
def test_assignment_is_deterministic_and_even() -> None:
    ids = list(range(1, 102))
    first = assign(ids, "winback-2026-11-23", ["A", "B"])
    assert first == assign(list(reversed(ids)), "winback-2026-11-23", ["A", "B"])
    counts = sorted(list(first.values()).count(x) for x in "AB")
    assert counts == [50, 51]
    three = assign(ids, "x", ["A", "B", "C"])
    assert sorted(list(three.values()).count(x) for x in "ABC") == [33, 34, 34]
    assert assign(ids, "other", ["A", "B"]) != first  # another experiment, another split
    singles = [assign_one(i, "e", ["A", "B"]) for i in range(1000)]
    assert 430 < singles.count("A") < 570 and assign_one(7, "e", ["A", "B"]) == assign_one(7, "e", ["A", "B"])


@pytest.mark.parametrize(
    ("text", "n", "name", "rest"),
    [
        ("draft a winback for important winback customers with 2 variants", 2, None, None),
        ("draft a winback for Tan with three versions", 3, None, "draft a winback for Tan"),
        ("draft a win-back for all important_winback customers, A/B test", 2, None, None),
        ("给所有重要挽留客户写一条挽回消息，两个版本", 2, None, "给所有重要挽留客户写一条挽回消息"),
        ("给王小明写一条感谢消息，实验：spring", 2, "spring", "给王小明写一条感谢消息"),
        (
            "draft a winback for Tan with 3 variants, experiment: nov-test",
            3,
            "nov-test",
            "draft a winback for Tan",
        ),
        ("draft a winback for Tan", 1, None, "draft a winback for Tan"),
        ("draft a winback for Ab Rahman", 1, None, "draft a winback for Ab Rahman"),
        ("tell her about our experiment with new flavours", 1, None, None),
    ],
)
def test_a_request_says_its_variants_and_a_name_is_not_an_experiment(
    text: str, n: int, name: str | None, rest: str | None
) -> None:
    ask = read_experiment(text)
    assert (ask.variants, ask.name) == (n, name)
    if rest is not None:
        assert ask.rest == rest


# --- drafts and conversions on real databases ---------------------------------------------------------------------
async def _order(db, workspace_id: int, customer_id: int, at: datetime, status: str = "paid") -> None:
    async with db.sessions() as s:
        store = (await s.execute(select(Store).where(Store.workspace_id == workspace_id))).scalars().first()
        assert store is not None
        n = (await s.execute(select(Order.id))).all()
        s.add(
            Order(
                workspace_id=workspace_id,
                store_id=store.id,
                platform="shopee",
                platform_order_id=f"X{customer_id}-{len(n)}",
                customer_id=customer_id,
                status=status,
                currency="THB",
                order_value=Decimal(100),
                value_base=Decimal(4),
                created_at=at,
            )
        )
        await s.commit()


async def test_single_customer_experiment_records_the_variant(db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id)
    draft = await draft_for_customer(
        db, workspace_id, cid, intent="winback", settings=SETTINGS, as_of=AS_OF, variants=2
    )
    assert draft.experiment == "winback-2026-11-24" and draft.labels == ["A", "B"]
    assert draft.variant in ("A", "B") and draft.text == draft.variants[draft.labels.index(draft.variant)]
    assert len(set(draft.variants)) == 2
    assert draft.id is not None
    await approve(db, workspace_id, draft.id, member_id=None, at=AS_OF)
    async with db.sessions() as s:
        row = await s.get(OutreachDraft, draft.id)
        assert row is not None and row.request is not None
        assert row.request["experiment"] == {"name": "winback-2026-11-24", "labels": ["A", "B"]}
        assert row.request["assignments"] == {str(cid): draft.variant}


async def test_segment_experiment_splits_recipients_and_counts_conversions(db, workspace_id: int) -> None:
    ids = [
        await add_customer(db, workspace_id, name=f"Buyer {i}", email=f"b{i}@example.com", orders=1)
        for i in range(8)
    ]
    # The segment rules depend on the whole base: draft for the segment the eight alike customers share.
    async with db.sessions() as s:
        scores = await customer_scores(s, workspace_id, AS_OF, ZoneInfo("Asia/Singapore"))
    segment = str(scores.segment[list(scores.ids).index(ids[0])])
    seg = await draft_for_segment(
        db,
        workspace_id,
        segment=segment,
        intent="winback",
        settings=SETTINGS,
        as_of=AS_OF,
        variants=2,
        experiment="nov-winback",
    )
    assert seg.experiment == "nov-winback" and seg.split == {"A": 4, "B": 4}
    assert all(len(set(v)) == 2 for v in seg.variants.values())
    rows = list(csv.DictReader(io.StringIO(seg.recipients_csv.decode("utf-8"))))
    variant_of = {int(r["customer_id"]): r["variant"] for r in rows}
    assert sorted(variant_of.values()) == ["A"] * 4 + ["B"] * 4
    # the same request again splits the same way
    again = await draft_for_segment(
        db,
        workspace_id,
        segment=segment,
        intent="winback",
        settings=SETTINGS,
        as_of=AS_OF,
        variants=2,
        experiment="nov-winback",
    )
    assert {
        int(r["customer_id"]): r["variant"]
        for r in csv.DictReader(io.StringIO(again.recipients_csv.decode("utf-8")))
    } == variant_of

    approved_at = datetime(2026, 11, 1, 12, tzinfo=UTC)
    for draft_id in seg.draft_ids.values():
        await approve(db, workspace_id, draft_id, member_id=None, at=approved_at)
    a = sorted(c for c, v in variant_of.items() if v == "A")
    b = sorted(c for c, v in variant_of.items() if v == "B")
    await _order(db, workspace_id, a[0], approved_at + timedelta(days=3))  # converts
    await _order(db, workspace_id, a[1], approved_at + timedelta(days=13, hours=23))  # converts (in window)
    await _order(db, workspace_id, a[2], approved_at + timedelta(days=15))  # outside the window
    await _order(db, workspace_id, a[3], approved_at + timedelta(days=2), status="cancelled")  # not valid
    await _order(db, workspace_id, b[0], approved_at + timedelta(days=1), status="completed")  # converts
    await _order(db, workspace_id, b[1], approved_at - timedelta(days=1))  # before the approval

    # b[0] is approved again later in the same variant (a single-customer draft): still one customer of B.
    async with db.sessions() as s:
        s.add(
            OutreachDraft(
                workspace_id=workspace_id,
                customer_id=b[0],
                intent="winback",
                language="en",
                text="x",
                variants=["x", "y"],
                source="template",
                status="approved",
                approved_at=approved_at + timedelta(days=5),
                request={
                    "experiment": {"name": "nov-winback", "labels": ["A", "B"]},
                    "assignments": {str(b[0]): "B"},
                },
            )
        )
        # a[0] approved for B too, in another draft of the experiment: counted once in each variant
        s.add(
            OutreachDraft(
                workspace_id=workspace_id,
                customer_id=a[0],
                intent="winback",
                language="en",
                text="y",
                variants=["x", "y"],
                source="template",
                status="approved",
                approved_at=approved_at + timedelta(days=1),
                request={
                    "experiment": {"name": "nov-winback", "labels": ["A", "B"]},
                    "assignments": {str(a[0]): "B"},
                },
            )
        )
        await s.commit()

    async with db.sessions() as s:
        (report,) = await experiment_report(s, workspace_id, start=None, end=AS_OF, as_of=AS_OF)
        narrow = await experiment_report(s, workspace_id, start=None, end=AS_OF, as_of=AS_OF, window_days=1)
        none = await experiment_report(
            s, workspace_id, start=AS_OF - timedelta(days=3), end=AS_OF, as_of=AS_OF
        )
    assert report.name == "nov-winback" and report.intent == "winback"
    by = {v.stats.label: v.stats for v in report.variants}
    assert (by["A"].n, by["A"].conversions) == (4, 2)
    assert (by["B"].n, by["B"].conversions) == (5, 2)  # four recipients and a[0]; b[0] once
    assert report.verdict.winner is None
    assert report.to_json()["variants"][0]["ci95"] == pytest.approx(list(wilson_interval(2, 4) or ()))
    nb = {v.stats.label: v.stats.conversions for v in narrow[0].variants}
    assert nb == {"A": 0, "B": 1}  # only b[0]'s next-day order is within one day
    assert none == []  # nothing approved in the last three days
