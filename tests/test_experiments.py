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
from crm.outreach.experiments import (
    ExperimentResult,
    VariantResult,
    assign,
    assign_one,
    experiment_report,
    read_experiment,
)
from crm.outreach.service import approve, draft_for_customer, draft_for_segment
from storage.models import Customer, Order, OutreachDraft, Store
from tests.cli_runner import run_main
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


# --- what a seller reads, in English and Chinese ------------------------------------------------------------------
def _result(a: tuple[int, int], b: tuple[int, int], open_b: int = 0) -> ExperimentResult:
    stats = [VariantStats("A", a[0], a[1]), VariantStats("B", b[0], b[1])]
    r = ExperimentResult(
        "winback-2026-11-01",
        "winback",
        datetime(2026, 11, 1, tzinfo=UTC),
        [VariantResult(stats[0]), VariantResult(stats[1], open_b)],
    )
    r.verdict = verdict(stats)
    return r


def test_the_report_reads_well_in_english_and_chinese() -> None:
    from bot.i18n import get_i18n
    from bot.outreach_view import experiments_text

    en, zh = get_i18n("en"), get_i18n("zh")
    ahead = [_result((40, 8), (40, 12), open_b=3)]
    text = experiments_text(ahead, 14, en)
    assert "within 14 days" in text and "<b>winback-2026-11-01</b> · 🔙 Win-back" in text
    assert "A: 8/40 = 20.0% (95% CI 10.5%–34.8%)" in text
    assert "B: 12/40 = 30.0% (95% CI 18.1%–45.4%), 3 still in their window" in text
    p = two_proportion_p(12, 40, 8, 40)
    assert f"No winner yet: B is ahead but p = {p:.2f}" in text  # p = 0.30
    won = experiments_text([_result((100, 30), (100, 45))], 14, en)
    assert "🏆 Winner: B (p = 0.028 against every other variant)" in won
    assert "尚无胜出版本：B 领先，但 p = 0.30" in experiments_text(ahead, 14, zh)
    assert "🏆 胜出：B" in experiments_text([_result((100, 30), (100, 45))], 7, zh)
    assert "批准后 7 天内" in experiments_text([_result((100, 30), (100, 45))], 7, zh)
    assert "No experiment yet" in experiments_text([], 14, en) and "还没有实验" in experiments_text(
        [], 14, zh
    )


def test_the_command_line_reports_experiments_as_text_and_json(tmp_path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    import json
    import os

    from storage.db import open_database
    from tests.conftest import run_isolated
    from tests.test_importing import SHOPIFY_HEADER, shopify_row, write_csv

    def cli(*args: str) -> tuple[int, str, str]:
        return run_main(capsys, *args)

    for name in [k for k in os.environ if k.startswith("SELLERMATE_")]:
        monkeypatch.delenv(name)
    url = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    monkeypatch.setenv("SELLERMATE_DATABASE_URL", url)
    export = write_csv(
        tmp_path / "orders_export.csv",
        SHOPIFY_HEADER,
        [
            shopify_row("#1", "tan@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800"),
            shopify_row("#2", "lee@example.com", "paid", "10.00", "2026-01-01 10:00:00 +0800"),
            shopify_row("#3", "tan@example.com", "paid", "12.00", "2026-11-05 10:00:00 +0800"),
        ],
    )
    assert cli("import", "-q", str(export))[0] == 0

    async def setup() -> None:
        db = await open_database(url)
        try:
            async with db.sessions() as s:
                ids = [c.id for c in (await s.execute(select(Customer).order_by(Customer.id))).scalars()]
                ws = (await s.execute(select(Customer.workspace_id))).scalar()
                s.add(
                    OutreachDraft(
                        workspace_id=ws,
                        segment="important_winback",
                        intent="winback",
                        language="en",
                        text="x",
                        variants=["x", "y"],
                        source="template",
                        status="approved",
                        approved_at=datetime(2026, 11, 1, tzinfo=UTC),
                        request={
                            "experiment": {"name": "nov", "labels": ["A", "B"]},
                            "assignments": {str(ids[0]): "A", str(ids[1]): "B"},
                        },
                    )
                )
                await s.commit()
        finally:
            await db.dispose()

    run_isolated(setup)
    code, out, err = cli("experiments", "--as-of", "2026-11-20", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["window_days"] == 14
    (exp,) = data["experiments"]
    assert exp["experiment"] == "nov" and exp["winner"] is None
    a, b = exp["variants"]
    assert (a["label"], a["n"], a["conversions"]) == ("A", 1, 1) and (b["n"], b["conversions"]) == (1, 0)
    assert a["ci95"] == pytest.approx(list(wilson_interval(1, 1) or ()))
    code, out, _ = cli("experiments", "--as-of", "2026-11-20", "--window", "3")
    assert code == 0 and "A: 0/1 = 0.0%" in out and "<b>" not in out
    code, out, _ = cli("experiments", "--as-of", "2026-11-20", "--lang", "zh", "--period", "2026-10")
    assert code == 0 and "还没有实验" in out
    code, _, err = cli("experiments", "--window", "0")
    assert code == 2 and "--window" in err


def test_draft_commands_and_plain_words_carry_the_experiment() -> None:
    from crm.outreach.chat import read_draft_command, read_draft_query
    from crm.query.parser import parse_question

    seg = read_draft_command("segment important_winback winback TH ab", now=AS_OF, timezone="Asia/Singapore")
    assert (seg.kind, seg.segment, seg.country, seg.variants, seg.experiment) == (
        "segment",
        "important_winback",
        "TH",
        2,
        None,
    )
    one = read_draft_command("Tan winback abc experiment:nov-test", now=AS_OF, timezone="Asia/Singapore")
    assert (one.customer_query, one.intent, one.variants, one.experiment) == ("Tan", "winback", 3, "nov-test")
    plain = read_draft_command("Tan winback", now=AS_OF, timezone="Asia/Singapore")
    assert plain.variants == 1 and plain.experiment is None
    for text, kind, who in [
        ("draft a winback for Tan Wei Ling with 2 variants", "customer", "Tan Wei Ling"),
        ("给所有重要挽留客户写一条挽回消息，两个版本", "segment", None),
    ]:
        q = parse_question(text, as_of=AS_OF).query
        request = read_draft_query(q, text)  # type: ignore[arg-type]
        assert (request.kind, request.variants) == (kind, 2)
        if who:
            assert request.customer_query == who
