"""Changing the base currency converts every amount with cross rates (or is refused and changes nothing), and
answers say how many orders have no rate and are left out."""

from __future__ import annotations

import csv
import logging
import os
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from sqlalchemy import func, select

from bot.alert_jobs import send_digest
from bot.i18n import I18n
from bot.settings import Settings, WorkspaceSettings
from crm.currency import CurrencyChangeRefused, change_base_currency, cross_rates, rate_on
from crm.importing.errors import ImportFileError
from crm.importing.service import import_file, import_rates
from crm.query.result import Result
from crm.query.service import ask
from storage.db import Database
from storage.models import CustomerOrderStats, FxRate, LoyaltyEntry, Order, Workspace
from storage.repositories.imports import load_rates
from tests.cli_runner import run_main
from tests.fakes.telegram_server import FakeTelegramServer
from tests.scheduling_fixtures import add_group, bot, make_service, tg  # noqa: F401

AS_OF = datetime(2026, 11, 23, 23, 0, tzinfo=ZoneInfo("Asia/Singapore"))
HEADER = [
    "Name",
    "Email",
    "Financial Status",
    "Fulfillment Status",
    "Currency",
    "Subtotal",
    "Total",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem sku",
    "Billing Name",
    "Billing Country",
]
# Rates into SGD: MYR and USD change in October; THB has none.
RATES = [
    ("MYR", "0.30", ""),
    ("MYR", "0.32", "2026-10-15"),
    ("USD", "1.34", ""),
    ("USD", "1.30", "2026-10-01"),
]
# (order, buyer, currency, total, created at, status), all in October 2026 but the last.
ORDERS = [
    ("#S1", "ann", "SGD", "100.00", "2026-10-05 12:00:00 +0800", "paid"),
    ("#S2", "ann", "SGD", "50.25", "2026-10-20 12:00:00 +0800", "paid"),
    ("#M1", "bob", "MYR", "300.00", "2026-10-10 12:00:00 +0800", "paid"),
    ("#M2", "bob", "MYR", "123.45", "2026-10-25 12:00:00 +0800", "paid"),
    ("#U1", "cat", "USD", "10.00", "2026-10-02 12:00:00 +0800", "paid"),
    ("#T1", "dan", "THB", "500.00", "2026-10-12 12:00:00 +0800", "paid"),
    ("#S3", "ann", "SGD", "70.00", "2026-09-03 12:00:00 +0800", "paid"),
]


def orders_csv(path: Path, orders: list[tuple[str, str, str, str, str, str]]) -> Path:
    """A Shopify orders export, one line per order, each in its own currency."""
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        for name, buyer, currency, total, created, status in orders:
            writer.writerow(
                [
                    name,
                    f"{buyer}@example.com",
                    status,
                    "fulfilled",
                    currency,
                    total,
                    total,
                    created,
                    "1",
                    "Serum",
                    total,
                    "SER",
                    buyer.title(),
                    "SG",
                ]
            )
    return path


def rates_csv(path: Path, rates: list[tuple[str, str, str]]) -> Path:
    path.write_text("currency,rate,date\n" + "".join(f"{c},{r},{d}\n" for c, r, d in rates), encoding="utf-8")
    return path


def sgd_rate(currency: str, day: date) -> float | None:
    """The rate into SGD in force on `day`, straight from RATES (the importer's rule, written out)."""
    if currency == "SGD":
        return 1.0
    rate = None
    for cur, r, d in RATES:
        if cur == currency and (not d or date.fromisoformat(d) <= day):
            rate = float(r)
    return rate


async def snapshot(db: Database) -> tuple[object, ...]:
    async with db.sessions() as s:
        orders = sorted(
            (o.platform_order_id, o.value_base) for o in (await s.execute(select(Order))).scalars()
        )
        rates = sorted(
            (r.currency, r.valid_from or date.min, r.rate)
            for r in (await s.execute(select(FxRate))).scalars()
        )
        stats = sorted(
            (c.customer_id, c.value) for c in (await s.execute(select(CustomerOrderStats))).scalars()
        )
        points = (await s.execute(select(func.sum(LoyaltyEntry.points)))).scalar()
        base = (await s.execute(select(Workspace.base_currency))).scalar()
    return orders, rates, stats, points, base


async def shop(db: Database, workspace_id: int, tmp_path: Path) -> None:
    await import_rates(db, workspace_id, rates_csv(tmp_path / "rates.csv", RATES), base_currency="SGD")
    report = await import_file(
        db, workspace_id, orders_csv(tmp_path / "orders_export.csv", ORDERS), settings=WorkspaceSettings()
    )
    assert report.orders_new == len(ORDERS) and report.missing_rates == ["THB"]


async def test_changing_the_base_currency_converts_every_amount_with_cross_rates(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await shop(db, workspace_id, tmp_path)
    sgd = Settings(workspace={"base_currency": "SGD", "timezone": "Asia/Singapore"})
    before = await ask("revenue last month", db=db, workspace_id=workspace_id, settings=sgd, as_of=AS_OF)
    points_before = (await snapshot(db))[3]

    change = await change_base_currency(db, workspace_id, "myr")
    assert (change.old, change.new, change.orders, change.unpriced) == ("SGD", "MYR", 6, 1)

    # Every order: its own amount × (its currency's rate / MYR's rate), both as in force on the order's day.
    expected: dict[str, float | None] = {}
    for name, _, cur, total, created, _ in ORDERS:
        day = datetime.strptime(created, "%Y-%m-%d %H:%M:%S %z").date()
        rate = sgd_rate(cur, day)
        expected[name] = None if rate is None else float(total) * rate / sgd_rate("MYR", day)  # type: ignore[operator]
    async with db.sessions() as s:
        got = {o.platform_order_id: o.value_base for o in (await s.execute(select(Order))).scalars()}
        stats = (await s.execute(select(func.sum(CustomerOrderStats.value)))).scalar()
        assert (await s.get(Workspace, workspace_id)).base_currency == "MYR"  # type: ignore[union-attr]
    assert got["#T1"] is None and got["#M1"] == Decimal(300) and got["#M2"] == Decimal("123.45")
    for name, value in expected.items():
        if value is not None:
            assert abs(float(got[name]) - value) < 0.0001, name  # type: ignore[arg-type]
    assert float(stats) == pytest.approx(sum(float(v) for v in got.values() if v is not None), abs=1e-6)
    assert (await snapshot(db))[3] == points_before  # points are earned history, not re-priced

    # The rates on file, re-expressed in MYR: each dated rate with MYR's rate of the same day.
    async with db.sessions() as s:
        rates = await load_rates(s, workspace_id)
    assert rates["MYR"] == [(None, 1.0)]
    assert rates["SGD"] == [(None, pytest.approx(1 / 0.30)), (date(2026, 10, 15), pytest.approx(1 / 0.32))]
    assert rates["USD"] == [
        (None, pytest.approx(1.34 / 0.30)),
        (date(2026, 10, 1), pytest.approx(1.30 / 0.30)),
        (date(2026, 10, 15), pytest.approx(1.30 / 0.32)),
    ]

    myr = Settings(workspace={"base_currency": "MYR", "timezone": "Asia/Singapore"})
    after = await ask("revenue last month", db=db, workspace_id=workspace_id, settings=myr, as_of=AS_OF)
    october = sum(v for k, v in expected.items() if v is not None and k != "#S3")
    assert after.value == pytest.approx(october, abs=0.005)
    assert f"MYR {october:,.2f}" in after.text and before.value != pytest.approx(after.value, abs=1)
    assert "1 order has no THB rate and is left out" in after.text
    # A process that still believes in SGD (another replica) labels the amounts as they are stored: MYR.
    stale = await ask("revenue last month", db=db, workspace_id=workspace_id, settings=sgd, as_of=AS_OF)
    assert stale.text == after.text and stale.currency == "MYR"
    zh = await ask("上个月的客单价", db=db, workspace_id=workspace_id, settings=myr, as_of=AS_OF)
    assert zh.value == pytest.approx(october / 5, abs=0.005)  # AOV over the 5 priced orders, not 6
    assert "有 1 笔订单没有 THB 汇率" in zh.text

    # And back: SGD orders are worth exactly their amount again, MYR ones their SGD value.
    await change_base_currency(db, workspace_id, "SGD")
    async with db.sessions() as s:
        back = {o.platform_order_id: o.value_base for o in (await s.execute(select(Order))).scalars()}
    assert back["#S1"] == Decimal(100) and back["#M1"] == Decimal(90) and back["#T1"] is None


async def test_a_change_without_a_rate_is_refused_and_changes_nothing(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    await shop(db, workspace_id, tmp_path)
    before = await snapshot(db)
    for code, reason in (("EUR", "missing_rate"), ("THB", "missing_rate"), ("M1R", "invalid_code")):
        with pytest.raises(CurrencyChangeRefused) as refused:
            await change_base_currency(db, workspace_id, code)
        assert refused.value.reason == reason
    with pytest.raises(CurrencyChangeRefused, match="no exchange rate for EUR .*rates.csv"):  # noqa: RUF043
        await change_base_currency(db, workspace_id, "EUR")
    assert await snapshot(db) == before
    # Rates into another base are refused too: the base currency's own rate is 1.
    with pytest.raises(ImportFileError, match="SGD is the base currency"):
        await import_rates(
            db, workspace_id, rates_csv(tmp_path / "myr.csv", [("SGD", "3.33", "")]), base_currency="SGD"
        )
    assert await snapshot(db) == before


async def test_an_empty_workspace_changes_currency_freely_but_settings_rates_need_one(
    db: Database, workspace_id: int
) -> None:
    change = await change_base_currency(db, workspace_id, "THB")
    assert change.changed and (change.rates, change.orders) == (0, 0)
    # Rates from the settings are in the base currency too: they are converted, or the change is refused.
    with pytest.raises(CurrencyChangeRefused):
        await change_base_currency(db, workspace_id, "SGD", fx_rates={"MYR": 7.9})
    await change_base_currency(db, workspace_id, "MYR", fx_rates={"MYR": 7.9, "USD": 35.0})
    async with db.sessions() as s:
        rates = await load_rates(s, workspace_id)
    assert rates == {
        "MYR": [(None, 1.0)],
        "THB": [(None, pytest.approx(1 / 7.9))],
        "USD": [(None, pytest.approx(35.0 / 7.9))],
    }


def test_cross_rates_follow_both_currencies_dated_rates() -> None:
    # MYR has only dated rates (the earliest applies before them); the pivot changes on its own dates.
    rates = {
        "MYR": [(date(2026, 3, 1), 0.30), (date(2026, 6, 1), 0.31)],
        "USD": [(None, 1.35), (date(2026, 4, 1), 1.30)],
    }
    rows = cross_rates(rates, "SGD", "USD")
    assert rows[0] == ("USD", Decimal(1), None)
    by: dict[str, list[tuple[date | None, float]]] = {}
    for cur, rate, day in rows:
        by.setdefault(cur, []).append((day, float(rate)))
    for day in (date(2026, 1, 1), date(2026, 3, 1), date(2026, 4, 15), date(2026, 6, 2)):
        assert rate_on(by["MYR"], day) == pytest.approx(
            rate_on(rates["MYR"], day) / rate_on(rates["USD"], day)
        )
        assert rate_on(by["SGD"], day) == pytest.approx(1 / rate_on(rates["USD"], day))


def october_in_myr() -> float:
    """October's revenue in MYR by the cross rates (the THB order has no rate and is left out)."""
    total = 0.0
    for _name, _, cur, amount, created, _ in ORDERS:
        day = datetime.strptime(created, "%Y-%m-%d %H:%M:%S %z").date()
        rate = sgd_rate(cur, day)
        if rate is not None and day.month == 10:
            total += float(amount) * rate / sgd_rate("MYR", day)  # type: ignore[operator]
    return round(total, 2)


async def test_a_currency_changed_in_one_process_labels_what_another_sends(
    db: Database,
    workspace_id: int,
    tmp_path: Path,
    tg: FakeTelegramServer,  # noqa: F811
    bot: Bot,  # noqa: F811
) -> None:
    """The worker (alerts, digests) and the bot are two processes: /currency in the bot re-prices the stored
    amounts, and the worker, started in SGD, must label them with the workspace's currency as it is now."""
    from bot.context import open_app
    from handlers.start import change_currency

    await shop(db, workspace_id, tmp_path)
    await add_group(db, workspace_id, -100123, monthly=True)
    url = db.url  # type: ignore[attr-defined]
    worker = await open_app(Settings(), db_url=url)
    chat = await open_app(Settings(), db_url=url)
    try:
        assert worker.base_currency == chat.base_currency == "SGD"
        change, _ = await change_currency(chat.db, chat.workspace_id, "MYR", chat.settings, I18n("en"))
        assert change is not None and change.new == "MYR"
        assert worker.settings.workspace.base_currency == "SGD"  # what it started with, not a label
        assert await worker.current_base_currency() == "MYR"

        service = make_service(worker.settings, worker.db, bot, worker.workspace_id)
        service.clock = lambda: datetime(2026, 11, 1, 9, 0, tzinfo=ZoneInfo("Asia/Singapore"))  # type: ignore[method-assign]
        assert await send_digest(service, worker.workspace_id, "monthly") == 1
        digest = tg.sent_texts(-100123)[0]
        assert f"MYR {october_in_myr():,.2f}" in digest and "SGD" not in digest, digest
        answer = await ask(
            "revenue last month",
            db=worker.db,
            workspace_id=worker.workspace_id,
            settings=worker.settings,
            as_of=AS_OF,
        )
        assert answer.currency == "MYR" and answer.value == pytest.approx(october_in_myr(), abs=0.01)
    finally:
        await worker.close()
        await chat.close()


async def test_a_restart_keeps_the_currency_chosen_in_the_chat_whatever_the_configuration_says(
    db: Database, workspace_id: int, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The workspace row is the one source of truth once the workspace exists: a configured base currency only
    seeds a new workspace, and one that differs is warned about at start, never applied (the owner's choice in
    the chat is not converted back by the next restart of a process with the example configuration)."""
    from bot.context import open_app

    await shop(db, workspace_id, tmp_path)
    url = db.url  # type: ignore[attr-defined]
    await change_base_currency(db, workspace_id, "MYR")  # /currency MYR in the chat
    before = await snapshot(db)
    with caplog.at_level(logging.WARNING, logger="bot.context"):
        ctx = await open_app(Settings(workspace={"base_currency": "SGD"}), db_url=url)
        await ctx.close()
    assert ctx.base_currency == "MYR" and await snapshot(db) == before
    warning = " ".join(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "is SGD" in warning and "stays so" in warning and "sellermate currency set SGD" in warning, warning
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.context"):  # the same currency: nothing to say
        ctx = await open_app(Settings(workspace={"base_currency": "MYR"}), db_url=url)
        await ctx.close()
    assert ctx.base_currency == "MYR" and not caplog.records


async def test_a_configured_base_currency_seeds_a_new_workspace(tmp_path: Path) -> None:
    from bot.context import open_app

    url = f"sqlite+aiosqlite:///{tmp_path / 'new.db'}"
    ctx = await open_app(Settings(workspace={"base_currency": "THB"}), db_url=url)
    try:
        async with ctx.db.sessions() as s:
            assert (await s.execute(select(Workspace.base_currency))).scalar() == "THB"
        assert ctx.base_currency == "THB"
    finally:
        await ctx.close()


def test_the_command_line_changes_the_currency_or_says_why_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:

    def cli(*args: str) -> tuple[int, str, str]:
        return run_main(capsys, *args)

    for name in [k for k in os.environ if k.startswith("SELLERMATE_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    monkeypatch.setenv("SELLERMATE_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}")
    code, _, err = cli(
        "import",
        "-q",
        str(orders_csv(tmp_path / "orders_export.csv", ORDERS)),
        str(rates_csv(tmp_path / "rates.csv", RATES)),
    )
    assert code == 0, err
    code, out, err = cli("currency", "set", "EUR")
    assert code == 2 and err.count("error:") == 1 and "Traceback" not in err, err
    assert "stays SGD" in err and "no exchange rate for EUR" in err and "rates.csv" in err
    code, out, err = cli("currency", "set", "myr")
    assert code == 0 and "SGD -> MYR" in out and "6 orders re-priced" in out, err
    assert "orders without an exchange rate, still left out of amounts: 1" in out
    assert cli("currency", "show")[1].strip() == "MYR"
    # A configuration naming another currency seeds new workspaces only: this one stays in MYR.
    monkeypatch.setenv("SELLERMATE_BASE_CURRENCY", "SGD")
    assert cli("currency", "show")[1].strip() == "MYR"
    code, out, err = cli("currency", "set", "USD")
    assert code == 0 and "MYR -> USD" in out, err
    assert "is SGD in your configuration; it only seeds a new workspace" in err, err
    assert cli("currency", "show")[1].strip() == "USD"


# Dan buys twice in IDR, which has no rate; Eve once in SGD and once in IDR.
RATELESS = [
    ("#A1", "ann", "SGD", "100.00", "2026-10-05 12:00:00 +0800", "paid"),
    ("#D1", "dan", "IDR", "150000.00", "2026-10-21 12:00:00 +0800", "paid"),
    ("#D2", "dan", "IDR", "99000.00", "2026-11-02 12:00:00 +0800", "paid"),
    ("#E1", "eve", "SGD", "40.00", "2026-10-06 12:00:00 +0800", "paid"),
    ("#E2", "eve", "IDR", "80000.00", "2026-10-30 12:00:00 +0800", "paid"),
]


async def test_an_answer_about_one_customer_says_which_of_their_orders_have_no_rate(
    db: Database, workspace_id: int, tmp_path: Path
) -> None:
    """Never a silent "SGD 0.00" about a customer whose orders have no rate: the amount is "—" when none is
    priced, and every amount about them (spend, LTV, CLV, the card, a top table) says what it leaves out."""
    await import_file(
        db, workspace_id, orders_csv(tmp_path / "orders_export.csv", RATELESS), settings=WorkspaceSettings()
    )
    sgd = Settings(workspace={"base_currency": "SGD", "timezone": "Asia/Singapore"})

    async def q(text: str) -> Result:
        return await ask(text, db=db, workspace_id=workspace_id, settings=sgd, as_of=AS_OF)

    note = "2 of Dan's orders (in IDR) have no SGD rate and are left out"
    card = await q("who is dan")
    assert "2 orders, — spent" in card.text and "SGD 0.00" not in card.text, card.text
    assert note in card.text, card.text
    assert dict(card.rows)["revenue"] is None and dict(card.rows)["unpriced_orders"] == 2
    ltv = await q("dan's LTV")
    assert "has spent — over 2 valid orders" in ltv.text and note in ltv.text, ltv.text
    assert ltv.value is None and "0.00" not in ltv.text
    clv = await q("predicted clv of dan")
    assert clv.value is None and note in clv.text and "0.00" not in clv.text, clv.text
    # Eve's spend is her SGD order, and the answer says her IDR one is left out.
    eve = await q("eve's LTV")
    assert eve.value == 40.0 and "1 of Eve's orders (in IDR) has no SGD rate and is left out" in eve.text
    # Ann's orders are all priced: nothing to say.
    assert "rate" not in (await q("ann's LTV")).text
    top = await q("top 3 customers by revenue")
    assert [r[2] for r in top.rows] == [100.0, 40.0, None] and "3 orders have no IDR rate" in top.text
    assert "SGD 0.00" not in top.text

    zh = await ask("Dan的终身价值", db=db, workspace_id=workspace_id, settings=sgd, as_of=AS_OF)
    assert "Dan 有 2 笔订单（IDR）没有 SGD 汇率" in zh.text and "0.00" not in zh.text, zh.text
    zh_card = await ask("客户 Dan", db=db, workspace_id=workspace_id, settings=sgd, as_of=AS_OF)
    assert "Dan 有 2 笔订单（IDR）没有 SGD 汇率" in zh_card.text, zh_card.text
