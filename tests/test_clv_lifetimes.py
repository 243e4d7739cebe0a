"""CLV stated and reproducible (docs/metrics.md, "Predicted value (CLV)"): the BG/NBD fit equals `lifetimes`'
BetaGeoFitter on the same summary, unpenalised and with the penalty on lifetimes' scale; the features fitted
(x, t_x, T) are built from the database on both backends exactly as the stated rule says (a purchase is a
local calendar day with a valid order) and as lifetimes' summary_data_from_transaction_data builds them."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from crm.analytics.clv import _BGNBDData, fit_bgnbd
from crm.analytics.metrics import BGNBD_PENALTY, customer_scores
from storage.db import Database
from storage.models import Customer, Order, Store
from storage.repositories.analytics import refresh_order_stats

lifetimes = pytest.importorskip("lifetimes", reason="lifetimes (test extra) is the reference fit")
pd = pytest.importorskip("pandas", reason="lifetimes' summaries are pandas frames")

SGT = ZoneInfo("Asia/Singapore")
NEW_YORK = ZoneInfo("America/New_York")  # 25-hour day on 2025-11-02
VALID = {"paid", "shipped", "completed"}


def simulated_summary(customers: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) in whole days of a BG/NBD population observed for up to two years: gamma purchase rates,
    beta dropout after each purchase, purchases on the same day counted once (as the rule says)."""
    rng = np.random.default_rng(seed)
    T = rng.integers(1, 730, customers)
    rate = rng.gamma(0.7, 1 / 25, customers)
    drop = rng.beta(0.9, 3.0, customers)
    x, t_x = np.zeros(customers), np.zeros(customers)
    for i in range(customers):
        t, days = 0.0, set()
        while True:
            t += rng.exponential(1 / rate[i])
            if t > T[i]:
                break
            days.add(int(t))
            if rng.uniform() < drop[i]:
                break
        days.discard(0)
        x[i], t_x[i] = len(days), max(days, default=0)
    return x, t_x, T.astype(float)


@pytest.fixture(scope="module")
def summary() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return simulated_summary(4000, seed=11)


@pytest.mark.parametrize("penalty", [0.0, BGNBD_PENALTY, 0.1])
def test_bgnbd_fit_equals_lifetimes_on_the_same_summary(
    summary: tuple[np.ndarray, np.ndarray, np.ndarray], penalty: float
) -> None:
    x, t_x, T = summary
    assert (x > 0).sum() > 1000  # enough repeat buyers for a well-determined fit
    ours = fit_bgnbd(x, t_x, T, penalty=penalty)
    ref = lifetimes.BetaGeoFitter(penalizer_coef=penalty).fit(x, t_x, T).params_
    for name in ("r", "alpha", "a", "b"):
        assert getattr(ours, name) == pytest.approx(float(ref[name]), rel=0.01), (name, ours, dict(ref))


def test_the_penalty_is_applied_on_lifetimes_scale(
    summary: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """The unit of time does not change the fit, penalised or not: in weeks α is the fit in days / 7, which
    holds only because the penalty sees time in units of the oldest customer's age (as lifetimes does)."""
    x, t_x, T = summary
    for penalty in (0.0, 0.1):
        days = fit_bgnbd(x, t_x, T, penalty=penalty)
        weeks = fit_bgnbd(x, t_x / 7, T / 7, penalty=penalty)
        assert (weeks.r, weeks.alpha * 7, weeks.a, weeks.b) == pytest.approx(
            (days.r, days.alpha, days.a, days.b), rel=0.01
        )
    # And the penalty does something: a strong one pulls the parameters in.
    free, held = fit_bgnbd(x, t_x, T), fit_bgnbd(x, t_x, T, penalty=0.1)
    assert held.r**2 + held.a**2 + held.b**2 < free.r**2 + free.a**2 + free.b**2


def test_the_likelihood_equals_lifetimes_likelihood(
    summary: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    """The objective itself (mean negative log-likelihood plus penalty) at arbitrary parameters, and its
    analytic gradient against central differences."""
    x, t_x, T = summary
    scale = 1 / T.max()
    data = _BGNBDData(x, t_x * scale, T * scale)
    rng = np.random.default_rng(3)
    for _ in range(5):
        log_params = rng.normal(0, 1, 4)
        for penalty in (0.0, 0.01):
            value, grad = data.negll(log_params, penalty)
            ref = lifetimes.BetaGeoFitter._negative_log_likelihood(
                log_params, x.astype(int), t_x * scale, T * scale, np.ones(len(x)), penalty
            )
            assert value == pytest.approx(float(ref), rel=1e-9)
            h = 1e-6
            numeric = [
                (data.negll(log_params + h * e, penalty)[0] - data.negll(log_params - h * e, penalty)[0])
                / (2 * h)
                for e in np.eye(4)
            ]
            assert grad == pytest.approx(numeric, rel=1e-4, abs=1e-7)


def _orders(seed: int) -> list[tuple[int, datetime, str, float]]:
    """(customer number, time, status, value): hand-picked cases first, then a random shop."""
    at = datetime
    cases = [
        # 0: two orders on one Singapore day (one purchase), one a week later: 2 purchases.
        (0, at(2025, 3, 1, 2, 0, tzinfo=UTC), "paid", 10.0),  # 10:00 SGT
        (0, at(2025, 3, 1, 14, 0, tzinfo=UTC), "completed", 20.0),  # 22:00 SGT, same day
        (0, at(2025, 3, 8, 3, 0, tzinfo=UTC), "shipped", 30.0),
        # 1: 30 minutes apart across Singapore midnight: two days. Same UTC day.
        (1, at(2025, 4, 1, 15, 45, tzinfo=UTC), "paid", 10.0),  # 23:45 SGT
        (1, at(2025, 4, 1, 16, 15, tzinfo=UTC), "paid", 10.0),  # 00:15 SGT next day
        # 2: different UTC days, one Singapore day.
        (2, at(2025, 5, 1, 17, 0, tzinfo=UTC), "paid", 10.0),  # 01:00 SGT 2 May
        (2, at(2025, 5, 2, 9, 0, tzinfo=UTC), "paid", 10.0),  # 17:00 SGT 2 May
        # 3: three orders in a day, a cancelled one between them; only valid orders count.
        (3, at(2025, 6, 1, 1, 0, tzinfo=UTC), "paid", 10.0),
        (3, at(2025, 6, 1, 2, 0, tzinfo=UTC), "cancelled", 10.0),
        (3, at(2025, 6, 1, 3, 0, tzinfo=UTC), "paid", 10.0),
        (3, at(2025, 6, 1, 4, 0, tzinfo=UTC), "completed", 10.0),
        # 4: New York's 25-hour day (2025-11-02): 00:05 and 23:55 local are 24 h 50 min apart, one day there.
        (4, at(2025, 11, 2, 4, 5, tzinfo=UTC), "paid", 10.0),
        (4, at(2025, 11, 3, 4, 55, tzinfo=UTC), "paid", 10.0),
        # 5: two orders at the very same moment.
        (5, at(2025, 7, 7, 7, 7, tzinfo=UTC), "paid", 10.0),
        (5, at(2025, 7, 7, 7, 7, tzinfo=UTC), "paid", 15.0),
        # 6: a single order.
        (6, at(2025, 8, 1, 8, 0, tzinfo=UTC), "paid", 50.0),
    ]
    rnd = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for c in range(7, 160):
        t = start + timedelta(days=rnd.uniform(0, 400))
        for _ in range(rnd.choice([1, 1, 2, 3, 4, 6])):
            status = rnd.choice(["paid", "completed", "shipped", "completed", "cancelled", "pending"])
            cases.append((c, t, status, round(rnd.uniform(5, 80), 2)))
            # Often a second order within hours (the same day or the next), else weeks later.
            t += (
                timedelta(hours=rnd.uniform(0.1, 30))
                if rnd.random() < 0.5
                else timedelta(days=rnd.expovariate(1 / 40))
            )
    return cases


def expected_features(
    orders: list[tuple[int, datetime, str, float]], as_of: datetime, tz: ZoneInfo
) -> dict[int, tuple[int, int, int, float]]:
    """Per customer number, straight from the orders: (purchase days, t_x, T, value), days in `tz`."""
    as_of_day = (as_of.astimezone(tz) - timedelta(microseconds=1)).date()  # the as-of moment ends that day
    per: dict[int, list[tuple[date, float]]] = {}
    for c, t, status, value in orders:
        if status in VALID and t < as_of:
            per.setdefault(c, []).append((t.astimezone(tz).date(), value))
    out = {}
    for c, rows in per.items():
        days = {d for d, _ in rows}
        first, last = min(days), max(days)
        out[c] = (len(days), (last - first).days, (as_of_day - first).days, sum(v for _, v in rows))
    return out


def lifetimes_summary(
    orders: list[tuple[int, datetime, str, float]], as_of: datetime, tz: ZoneInfo
) -> dict[int, tuple[int, int, int]]:
    """The same orders through lifetimes' summary_data_from_transaction_data (daily periods, local time)."""
    valid = [(c, t.astimezone(tz).replace(tzinfo=None)) for c, t, s, _ in orders if s in VALID and t < as_of]
    df = pd.DataFrame(valid, columns=["customer", "at"])
    end = (as_of.astimezone(tz) - timedelta(microseconds=1)).replace(tzinfo=None)
    s = lifetimes.utils.summary_data_from_transaction_data(
        df, "customer", "at", observation_period_end=pd.Timestamp(end.date()), freq="D"
    )
    return {int(c): (int(r["frequency"]) + 1, int(r["recency"]), int(r["T"])) for c, r in s.iterrows()}


async def _load(
    db: Database, workspace_id: int, orders: list[tuple[int, datetime, str, float]]
) -> dict[int, int]:
    async with db.sessions() as s:
        store = Store(workspace_id=workspace_id, platform="shopee", name="shopee")
        s.add(store)
        people = {c: Customer(workspace_id=workspace_id, display_name=f"Buyer {c}") for c, *_ in orders}
        s.add_all(people.values())
        await s.flush()
        for k, (c, t, status, value) in enumerate(orders):
            s.add(
                Order(
                    workspace_id=workspace_id,
                    store_id=store.id,
                    platform="shopee",
                    platform_order_id=f"o{k}",
                    customer_id=people[c].id,
                    status=status,
                    currency="SGD",
                    order_value=Decimal(str(value)),
                    value_base=Decimal(str(value)),
                    created_at=t,
                )
            )
        await s.flush()
        await refresh_order_stats(s, workspace_id=workspace_id)
        await s.commit()
        return {c: p.id for c, p in people.items()}


@pytest.mark.parametrize("tz", [SGT, NEW_YORK], ids=["Singapore", "New York"])
async def test_clv_features_from_the_database_follow_the_stated_rule(
    db: Database, workspace_id: int, tz: ZoneInfo
) -> None:
    orders = _orders(seed=5)
    ids = await _load(db, workspace_id, orders)
    # As of the end of the data (read from customer_order_stats), and in the middle of it (from the orders).
    for as_of in (datetime(2026, 3, 1, tzinfo=tz), datetime(2025, 7, 1, 12, 30, tzinfo=tz)):
        async with db.sessions() as s:
            scores = await customer_scores(s, workspace_id, as_of, tz, with_clv=True)
        assert scores.purchase_days is not None and scores.model_fitted
        got = {
            int(cid): (int(n), int(first - rec), int(first), float(v))
            for cid, n, first, rec, v in zip(
                scores.ids,
                scores.purchase_days,
                scores.first_days_ago,
                scores.recency_days,
                scores.monetary,
                strict=True,
            )
        }
        want = {ids[c]: f for c, f in expected_features(orders, as_of, tz).items()}
        assert got.keys() == want.keys()
        for cid, (n, t_x, T, value) in want.items():
            assert got[cid][:3] == (n, t_x, T), (cid, got[cid], want[cid])
            assert got[cid][3] == pytest.approx(value)
        # lifetimes builds the same summary from the same orders.
        ref = {ids[c]: f for c, f in lifetimes_summary(orders, as_of, tz).items()}
        assert {c: f[:3] for c, f in got.items()} == ref
        # The hand-picked cases, as the rule reads them.
        if as_of.year == 2026:
            expected_days = (
                {0: 2, 1: 2, 2: 1, 3: 1, 4: 2, 5: 1, 6: 1}
                if tz is SGT
                else {0: 3, 1: 1, 2: 2, 3: 2, 4: 1, 5: 1, 6: 1}  # customer 3 spans New York's midnight
            )
            for c, n in expected_days.items():
                assert got[ids[c]][0] == n, (c, tz)
        # And the model is fitted on exactly those features.
        x = np.array([want[c][0] - 1 for c in sorted(want)], dtype=float)
        T = np.array([want[c][2] for c in sorted(want)], dtype=float)
        t_x = np.array([want[c][1] for c in sorted(want)], dtype=float)
        model = fit_bgnbd(x, t_x, T, penalty=BGNBD_PENALTY)
        assert scores.p_alive == pytest.approx(model.p_alive(x, t_x, T), rel=1e-6)


async def test_answers_say_that_orders_on_one_day_are_one_purchase(db: Database, workspace_id: int) -> None:
    """A customer whose orders all fall on one day has no repeat purchase: no reassuring churn risk, in
    either language; the CLV list says how purchases are counted."""
    from bot.settings import Settings
    from crm.query.compiler import execute
    from crm.query.ir import CLVQuery, CustomerQuery

    one_day = [
        (999, datetime(2025, 9, 1, 1, 0, tzinfo=UTC), "paid", 30.0),
        (999, datetime(2025, 9, 1, 9, 0, tzinfo=UTC), "paid", 40.0),  # 17:00 in Singapore, the same day
    ]
    await _load(db, workspace_id, _orders(seed=5) + one_day)
    as_of = datetime(2026, 3, 1, tzinfo=SGT)

    async def ask(query, language: str):  # type: ignore[no-untyped-def]
        return await execute(
            query, db=db, workspace_id=workspace_id, settings=Settings(), as_of=as_of, language=language
        )

    for lang, risk_words, card_words, list_words in (
        (
            "en",
            "has 2 orders, all on one day",
            "P(alive) not estimated (every order on one day)",
            "count as one purchase",
        ),
        ("zh", "的 2 笔订单都在同一天", "存活概率：所有订单都在同一天", "同一天的订单算一次购买"),
    ):
        risk = await ask(CustomerQuery(search="Buyer 999", aspect="churn_risk"), lang)
        assert risk.value is None and risk_words in risk.text, risk.text
        card = await ask(CustomerQuery(search="Buyer 999"), lang)
        assert card_words in card.text, card.text
        listed = await ask(CLVQuery(), lang)
        assert list_words in listed.text, listed.text
    # A customer with purchases on two days gets a number.
    two_days = await ask(CustomerQuery(search="Buyer 0", aspect="churn_risk"), "en")
    assert two_days.value is not None and 0 < two_days.value < 1


async def test_close_repeat_orders_are_read_through_their_partial_index(
    db: Database, workspace_id: int
) -> None:
    """The planner can use ix_orders_close_repeat for the query (its predicate is matched as written): on
    PostgreSQL with sequential scans off, on SQLite as it stands."""
    from sqlalchemy import event, text

    from storage.repositories.analytics import close_repeat_orders

    await _load(db, workspace_id, _orders(seed=5))
    sent: list[tuple[str, object]] = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):  # type: ignore[no-untyped-def]
        sent.append((statement, parameters))

    async with db.sessions() as s:
        conn = await s.connection()
        sqlite = conn.dialect.name == "sqlite"
        event.listen(conn.sync_engine, "before_cursor_execute", capture)
        try:
            found = await close_repeat_orders(s, workspace_id, datetime(2026, 3, 1, tzinfo=UTC))
        finally:
            event.remove(conn.sync_engine, "before_cursor_execute", capture)
        assert len(found["id"]) > 0 and len(sent) == 1
        statement, parameters = sent[0]
        if not sqlite:
            await s.execute(text("SET LOCAL enable_seqscan = off"))
        explain = "EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN "
        rows = await conn.run_sync(
            lambda sync: sync.exec_driver_sql(explain + statement, parameters).fetchall()
        )
    plan = " ".join(str(row) for row in rows)
    assert "ix_orders_close_repeat" in plan, plan
