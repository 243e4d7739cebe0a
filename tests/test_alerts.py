"""Churn/KPI alerts and digests: the rules on real data, the daily scan's cool-down, pacing and 429 retries.

Messages go through the fake Telegram Bot API server; pacing is checked on the sender's virtual clock (the
sender sleeps on it), so nothing here waits for real time.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from sqlalchemy import select

from bot.alert_jobs import churn_page, churn_scan, localise_chart, send_digest
from bot.i18n import I18n
from bot.sender import Sender, SlidingWindow
from crm.analytics.metrics import customer_scores
from crm.scheduling import rules
from storage.models import AlertRecord
from tests.fakes.telegram_server import FakeTelegramServer
from tests.scheduling_fixtures import (  # noqa: F401
    Shop,
    VirtualTime,
    add_group,
    add_member,
    bot,
    jobs_clean,
    make_service,
    make_settings,
    tg,
)

SG = ZoneInfo("Asia/Singapore")
# Monday 23 November 2026, 09:00 in Singapore: the daily scan's hour.
SCAN = datetime(2026, 11, 23, 9, 0, tzinfo=SG)
GROUP = -100123


def days_ago(n: float) -> datetime:
    return (SCAN - timedelta(days=n)).astimezone(UTC)


async def at_risk_shop(db, workspace_id) -> dict[str, int]:
    """Three big spenders who have gone quiet (one of them chatted recently) and small recent buyers."""
    shop = Shop(db, workspace_id)
    ids = {
        "Alice": await shop.customer("Alice", [(days_ago(200), 500), (days_ago(100), 500)]),
        "Bob": await shop.customer("Bob", [(days_ago(120), 800)]),
        "Grace": await shop.customer("Grace", [(days_ago(95), 700)]),
    }
    for i, name in enumerate(["Chen", "Dewi", "Eko", "Farah"]):
        ids[name] = await shop.customer(name, [(days_ago(3 + i), 20)])
    await shop.interaction(ids["Alice"], "chat", days_ago(10))  # a recent chat: Alice is not slipping away
    await shop.interaction(ids["Bob"], "note", days_ago(5))  # the seller's own note is not contact
    return ids


async def test_churn_rule_counts_interactions_and_uses_segments(db, workspace_id) -> None:
    ids = await at_risk_shop(db, workspace_id)
    settings = make_settings(db)
    async with db.sessions() as s:
        found = await rules.churn_candidates(s, workspace_id, settings.scheduler, SCAN, SG)
    by_id = {a.customer_id: a for a in found}
    assert set(by_id) == {ids["Bob"], ids["Grace"]}  # Alice chatted 10 days ago; small buyers are general_*
    assert by_id[ids["Bob"]].days_inactive == 120 and by_id[ids["Bob"]].segment == "important_winback"
    assert by_id[ids["Grace"]].days_inactive == 95 and "inactive" in by_id[ids["Grace"]].reasons
    assert [a.customer_id for a in found] == [ids["Bob"], ids["Grace"]]  # biggest spender first
    # A longer inactivity threshold drops Grace (95 days) but keeps Bob (120 days).
    stricter = settings.scheduler.model_copy(update={"churn_inactive_days": 100})
    async with db.sessions() as s:
        assert [a.customer_id for a in await rules.churn_candidates(s, workspace_id, stricter, SCAN, SG)] == [
            ids["Bob"]
        ]


async def test_kpi_breaches_follow_the_thresholds(db, workspace_id) -> None:
    await at_risk_shop(db, workspace_id)
    settings = make_settings(db)
    async with db.sessions() as s:
        breaches = {b.metric: b for b in await rules.kpi_breaches(s, workspace_id, settings.scheduler, SCAN)}
    # Last 90 days: Chen, Dewi, Eko and Farah bought once each -> repeat rate 0 < 35%.
    assert breaches["repeat_rate"].value == 0.0 and breaches["repeat_rate"].direction == "below"
    assert "aov" not in breaches  # no AOV threshold configured
    with_aov = settings.scheduler.model_copy(update={"aov_below": 50.0, "repeat_rate_below": 0.0})
    async with db.sessions() as s:
        breaches = {b.metric: b for b in await rules.kpi_breaches(s, workspace_id, with_aov, SCAN)}
    assert breaches["aov"].value == 20.0 and "repeat_rate" not in breaches


async def test_daily_scan_alerts_a_group_once_within_the_cooldown(
    db,
    jobs_clean,
    workspace_id,
    tg,  # noqa: F811
    bot,
) -> None:  # noqa: F811
    ids = await at_risk_shop(db, workspace_id)
    await add_member(db, workspace_id, 1001)
    group_id = await add_group(db, workspace_id, GROUP)
    settings = make_settings(db, alert_cooldown_days=14)
    with time_machine.travel(SCAN - timedelta(minutes=5), tick=False) as clock:
        service = make_service(settings, db, bot, workspace_id)
        service.start()
        try:
            await service.run_due()
            assert tg.sent_texts(GROUP) == []  # 08:55: not yet
            clock.move_to(SCAN)
            await service.run_due()
            first = tg.sent_texts(GROUP)
            clock.move_to(SCAN + timedelta(days=1))  # the next day's scan: inside the cool-down
            await service.run_due()
            second = tg.sent_texts(GROUP)
        finally:
            await service.stop()
    churn_texts = [t for t in first if "slipping away" in t]
    assert len(churn_texts) == 1
    assert "Bob" in churn_texts[0] and "Grace" in churn_texts[0] and "Alice" not in churn_texts[0]
    assert "120 days since last contact" in churn_texts[0]
    kpi_texts = [t for t in first if "KPI alert" in t]
    assert len(kpi_texts) == 1 and "repeat purchase rate is <b>0.0%</b>" in kpi_texts[0]
    assert "churn rate is <b>100.0%</b>, above your threshold 15.0%" in kpi_texts[0]
    assert second == first  # nothing new the next day
    buttons = next(
        c for c in tg.calls_of("sendMessage") if c.chat_id == GROUP and "slipping" in c.text
    ).buttons()
    assert [d for _, d in buttons] == [
        f"assign:{ids['Bob']}",
        f"cust:{ids['Bob']}",
        f"assign:{ids['Grace']}",
        f"cust:{ids['Grace']}",
    ]
    async with db.sessions() as s:
        records = (await s.execute(select(AlertRecord).order_by(AlertRecord.id))).scalars().all()
    # Churn rate: Alice, Bob and Grace bought in the 90 days before the window and not in it -> 100% > 15%.
    assert sorted((r.kind, r.subject) for r in records) == sorted(
        [
            ("churn", str(ids["Bob"])),
            ("churn", str(ids["Grace"])),
            ("kpi", "repeat_rate"),
            ("kpi", "churn_rate"),
        ]
    )
    assert all(r.group_chat_id == group_id and r.sent_at == SCAN.astimezone(UTC) for r in records)


async def test_scan_alerts_again_after_the_cooldown(db, workspace_id, tg, bot) -> None:  # noqa: F811
    await at_risk_shop(db, workspace_id)
    await add_group(db, workspace_id, GROUP)
    settings = make_settings(db, alert_cooldown_days=14)
    service = make_service(settings, db, bot, workspace_id)
    for day, expect_churn in ((0, True), (13, False), (15, True)):
        service.clock = lambda d=day: SCAN + timedelta(days=d)  # type: ignore[misc]
        mark = tg.mark()
        await churn_scan(service, workspace_id)
        got = [t for t in tg.sent_texts(GROUP, after=mark) if "slipping away" in t]
        assert bool(got) == expect_churn, day


async def test_no_group_bound_alerts_go_to_the_owners(db, workspace_id, tg, bot) -> None:  # noqa: F811
    await at_risk_shop(db, workspace_id)
    await add_member(db, workspace_id, 1001, role="owner", language="zh")
    await add_member(db, workspace_id, 1002, role="agent")
    service = make_service(make_settings(db), db, bot, workspace_id)
    service.clock = lambda: SCAN  # type: ignore[method-assign]
    await churn_scan(service, workspace_id)
    owner = tg.sent_texts(1001)
    assert any(
        "位重要客户可能正在流失" in t and "重要挽留客户" in t for t in owner
    )  # in the owner's language
    assert tg.sent_texts(1002) == []


async def test_weekly_digest_with_week_over_week_change_and_chart(db, workspace_id, tg, bot) -> None:  # noqa: F811
    shop = Shop(db, workspace_id)
    # Last week (Mon 16 - Sun 22 Nov): 3 orders, 300.00; the week before: 2 orders, 200.00.
    await shop.customer(
        "Ann", [(datetime(2026, 11, 17, 12, tzinfo=SG), 100), (datetime(2026, 11, 10, 12, tzinfo=SG), 150)]
    )
    await shop.customer(
        "Ben", [(datetime(2026, 11, 18, 12, tzinfo=SG), 120), (datetime(2026, 11, 11, 12, tzinfo=SG), 50)]
    )
    await shop.customer("Cat", [(datetime(2026, 11, 22, 23, 30, tzinfo=SG), 80)])  # Sunday night local time
    await add_group(db, workspace_id, GROUP, alerts=False, weekly=True)
    await add_group(db, workspace_id, GROUP - 1, alerts=True, weekly=False)
    service = make_service(make_settings(db), db, bot, workspace_id)
    service.clock = lambda: SCAN  # type: ignore[method-assign]
    assert await send_digest(service, workspace_id, "weekly") == 1
    texts = tg.sent_texts(GROUP)
    assert len(texts) == 1
    digest = texts[0]
    assert "Weekly digest" in digest and "2026-11-16 to 2026-11-22" in digest
    assert "revenue: <b>SGD 300.00</b> (+50% vs SGD 200.00)" in digest
    assert "orders: <b>3</b> (+50% vs 2)" in digest
    photos = [c for c in tg.calls_of("sendPhoto") if c.chat_id == GROUP]
    assert len(photos) == 1 and photos[0].files and next(iter(photos[0].files.values()))[1][:4] == b"\x89PNG"
    assert tg.sent_texts(GROUP - 1) == []  # that group did not ask for digests
    # The same week is never sent twice.
    assert await send_digest(service, workspace_id, "weekly") == 0
    assert len(tg.sent_texts(GROUP)) == 1
    async with db.sessions() as s:
        built = await rules.build_digest(s, workspace_id, "weekly", SCAN, SG)
    assert built.label == "2026-W47"
    assert sum(v or 0 for v in built.chart.series["this period"]) == 300.0
    assert sum(v or 0 for v in built.chart.series["previous period"]) == 200.0
    zh = localise_chart(built.chart, I18n("zh"), "weekly", "SGD")
    assert zh.title.endswith("（SGD）") and list(zh.series) == ["本周", "上周"]


async def test_monthly_review_on_the_first(db, workspace_id, tg, bot) -> None:  # noqa: F811
    shop = Shop(db, workspace_id)
    await shop.customer(
        "Ann", [(datetime(2026, 10, 5, 12, tzinfo=SG), 100), (datetime(2026, 9, 5, 12, tzinfo=SG), 400)]
    )
    await add_group(db, workspace_id, GROUP, monthly=True)
    service = make_service(make_settings(db), db, bot, workspace_id)
    service.clock = lambda: datetime(2026, 11, 1, 9, 0, tzinfo=SG)  # type: ignore[method-assign]
    assert await send_digest(service, workspace_id, "monthly") == 1
    text = tg.sent_texts(GROUP)[0]
    assert "Monthly review" in text and "2026-10" in text and "SGD 100.00" in text and "-75%" in text


class RequestLog:
    """An aiogram request middleware noting, on the virtual clock, when each sendMessage left and how it ended."""

    def __init__(self, vt: VirtualTime) -> None:
        self.vt = vt
        self.sent: list[tuple[float, int, bool]] = []  # (virtual time, chat id, accepted)

    async def __call__(self, make_request, bot, method):  # type: ignore[no-untyped-def]
        at = self.vt.now()
        try:
            result = await make_request(bot, method)
        except Exception:
            self.sent.append((at, int(method.chat_id), False))
            raise
        self.sent.append((at, int(method.chat_id), True))
        return result


async def test_burst_to_many_groups_is_paced_and_429_is_retried(tg: FakeTelegramServer, bot) -> None:  # noqa: F811
    import asyncio

    vt = VirtualTime()
    log = RequestLog(vt)
    bot.session.middleware(log)
    sender = Sender(bot, messages_per_second=30, group_messages_per_minute=20, now=vt.now, sleep=vt.sleep)
    groups = [-1000 - i for i in range(40)]
    tg.fail_next("sendMessage", times=3, retry_after=7)
    results = await asyncio.gather(
        *(sender.send_message(g, f"alert {g} #{k}") for g in groups for k in range(25))
    )
    assert all(r.ok for r in results)
    # Nothing lost, nothing doubled: every group got its 25 messages exactly once.
    for g in groups:
        assert sorted(tg.sent_texts(g)) == sorted(f"alert {g} #{k}" for k in range(25))
    assert len(tg.calls_of("sendMessage")) == 40 * 25 + 3  # the three 429s, then their retries
    per_chat: dict[int, list[float]] = defaultdict(list)
    for at, chat, _ in log.sent:
        per_chat[chat].append(at)
    for g in groups:  # at most 20 requests in any minute into one group (refused ones count too)
        ts = sorted(per_chat[g])
        assert all(ts[i + 20] - ts[i] >= 60 for i in range(len(ts) - 20)), g
    everything = sorted(at for at, _, _ in log.sent)
    assert all(everything[i + 30] - everything[i] >= 1.0 for i in range(len(everything) - 30))  # 30/s overall
    assert everything[-1] - everything[0] >= 60  # 25 messages into one group cannot all go within a minute
    failed = [(at, chat) for at, chat, ok in log.sent if not ok]
    assert len(failed) == 3
    for at, chat in failed:  # the flood-waited chat was left alone for retry_after seconds
        assert min(x for x, c, _ in log.sent if c == chat and x > at) >= at + 7


async def test_network_errors_are_retried_and_permanent_refusals_are_not(tg: FakeTelegramServer, bot) -> None:  # noqa: F811
    vt = VirtualTime()
    sender = Sender(bot, now=vt.now, sleep=vt.sleep, max_attempts=4)
    tg.fail_next("sendMessage", times=2, status=502)
    result = await sender.send_message(5, "after two server errors")
    assert result.ok and result.attempts == 3
    tg.fail_next("sendMessage", times=1, status=403)
    refused = await sender.send_message(6, "blocked")
    assert not refused.ok and refused.permanent and refused.attempts == 1
    tg.fail_next("sendMessage", times=10, status=502)
    gave_up = await sender.send_message(7, "server down")
    assert not gave_up.ok and not gave_up.permanent and gave_up.attempts == 4


async def test_sliding_window_on_virtual_time() -> None:
    vt = VirtualTime()
    window = SlidingWindow(3, 10.0, now=vt.now, sleep=vt.sleep)
    stamps = []
    for _ in range(7):
        await window.acquire()
        stamps.append(vt.now() - 1000.0)
    assert stamps == [0.0, 0.0, 0.0, 10.0, 10.0, 10.0, 20.0]
    window.block(5.0)
    await window.acquire()
    assert vt.now() - 1000.0 == 25.0  # blocked until 25; the window itself had room


# --- value at risk, long-lost customers, capped pages, stale data, empty digests ----------------------------
async def ranked_shop(db, workspace_id) -> dict[str, int]:
    """Too few customers to fit the model: value at risk is the historical spend per year.

    Spend puts Hana (900) before Jon (800) before Ivan (700); per year it is the other way round: Ivan
    spent 700 within the last 90 days, Hana 900 over 500 days, Jon 800 over 700 days. Old spent most and is
    long lost (400 days). The newest order is from 9 Nov, two weeks before the scan.
    """
    shop = Shop(db, workspace_id)
    ids = {
        "Old": await shop.customer("Old", [(days_ago(400), 1500)]),
        "Hana": await shop.customer("Hana", [(days_ago(500), 450), (days_ago(100), 450)]),
        "Ivan": await shop.customer("Ivan", [(days_ago(90), 700)]),
        "Jon": await shop.customer("Jon", [(days_ago(700), 400), (days_ago(70), 400)]),
    }
    for i, name in enumerate(["Kai", "Lin", "Mei", "Nur", "Oli"]):
        ids[name] = await shop.customer(name, [(days_ago(14 + i), 20)])
    return ids


async def test_slipping_away_is_ranked_by_value_at_risk_without_the_long_lost(db, workspace_id) -> None:
    ids = await ranked_shop(db, workspace_id)
    settings = make_settings(db)
    async with db.sessions() as s:
        review = await rules.churn_review(s, workspace_id, settings.scheduler, SCAN, SG)
        stale = await rules.stale_since(s, workspace_id, settings.scheduler, SCAN, SG)
        lenient = await rules.stale_since(
            s, workspace_id, settings.scheduler.model_copy(update={"stale_data_days": 14}), SCAN, SG
        )
    assert [a.customer_id for a in review.slipping] == [ids["Ivan"], ids["Hana"], ids["Jon"]]
    values = {a.customer_id: round(a.value_at_risk, 2) for a in review.slipping}
    assert values == {
        ids["Ivan"]: 700.0,
        ids["Hana"]: round(900 * 365 / 501, 2),
        ids["Jon"]: round(800 * 365 / 701, 2),
    }
    assert all(a.p_alive is None for a in review.slipping)  # no model fitted: no made-up P(alive)
    assert [(a.customer_id, a.days_inactive) for a in review.long_lost] == [(ids["Old"], 400)]
    # A contact brings a long-lost customer back among those worth a call; a longer limit does too.
    longer = settings.scheduler.model_copy(update={"churn_long_lost_days": 400})
    async with db.sessions() as s:
        candidates = await rules.churn_candidates(s, workspace_id, longer, SCAN, SG)
    assert ids["Old"] in {a.customer_id for a in candidates}
    await Shop(db, workspace_id).interaction(ids["Old"], "chat", days_ago(75))
    async with db.sessions() as s:
        review = await rules.churn_review(s, workspace_id, settings.scheduler, SCAN, SG)
    # Old: 1,500 over 401 days = 1,365 a year, the most at risk now.
    assert [a.customer_id for a in review.slipping] == [ids["Old"], ids["Ivan"], ids["Hana"], ids["Jon"]]
    assert review.long_lost == []
    assert stale == date(2026, 11, 9) and lenient is None  # 14 days old: stale after 7 days, not after 14


async def test_value_at_risk_is_predicted_clv_and_p_alive_floor_marks_the_long_lost(db, workspace_id) -> None:
    shop = Shop(db, workspace_id)
    for k in range(8):  # regular small buyers: enough repeat purchases to fit BG/NBD and Gamma-Gamma
        await shop.customer(f"G{k}", [(days_ago(5 + k + 30 * j), 30) for j in range(4)])
    # Freq bought every week for 200 days, then nothing for 100 days.
    freq = await shop.customer("Freq", [(days_ago(100 + 7 * j), 50) for j in range(29)])
    steady = await shop.customer("Steady", [(days_ago(d), 300) for d in (250, 160, 70)])
    single = await shop.customer("Single", [(days_ago(80), 800)])
    ancient = await shop.customer("Ancient", [(days_ago(d), 1000) for d in (600, 400)])
    settings = make_settings(db)
    async with db.sessions() as s:
        scores = await customer_scores(s, workspace_id, SCAN, SG, with_clv=True)
        review = await rules.churn_review(s, workspace_id, settings.scheduler, SCAN, SG)
    assert scores.model_fitted
    clv = {int(c): float(v) for c, v in zip(scores.ids, scores.predicted_clv, strict=True)}
    slipping = review.slipping
    assert {a.customer_id for a in slipping} == {steady, single}
    assert [a.customer_id for a in slipping] == sorted([steady, single], key=lambda c: -clv[c])
    assert all(a.value_at_risk == clv[a.customer_id] for a in slipping)
    # Freq spent the most of those still within 180 days, but after weekly buying a 100-day silence leaves
    # P(alive) under the 5% floor: long lost, next to Ancient (400 days).
    lost = {a.customer_id: a for a in review.long_lost}
    assert set(lost) == {freq, ancient}
    assert lost[freq].days_inactive == 100 and lost[freq].p_alive is not None and lost[freq].p_alive < 0.05
    no_floor = settings.scheduler.model_copy(update={"churn_p_alive_floor": 0.0})
    async with db.sessions() as s:
        review = await rules.churn_review(s, workspace_id, no_floor, SCAN, SG)
    assert freq in {a.customer_id for a in review.slipping} and "p_alive" in review.slipping[-1].reasons


async def test_scan_names_the_top_customers_and_pages_through_the_rest(
    db,
    workspace_id,
    tg,  # noqa: F811
    bot,
) -> None:  # noqa: F811
    ids = await ranked_shop(db, workspace_id)
    group_id = await add_group(db, workspace_id, GROUP)
    settings = make_settings(db, alert_max_lines=2, repeat_rate_below=0.0, churn_rate_above=1.0)
    service = make_service(settings, db, bot, workspace_id)
    service.clock = lambda: SCAN  # type: ignore[method-assign]
    assert await churn_scan(service, workspace_id) == 1
    [call] = [c for c in tg.calls_of("sendMessage") if c.chat_id == GROUP]
    text = call.text
    assert "3 important customers may be slipping away" in text
    assert text.index("Ivan") < text.index("Hana") and "Jon" not in text and "Old" not in text
    assert "at risk <b>SGD 700.00</b>/yr · spent SGD 700.00" in text
    assert "Your newest order is from 9 Nov: send fresh exports" in text
    assert "Also 1 valuable customers long lost (no contact for over 180 days)" in text
    more = f"chm:{int(SCAN.timestamp())}:2"
    assert call.buttons() == [
        (f"🙋 Ivan #{ids['Ivan']}: assign to me", f"assign:{ids['Ivan']}"),
        (f"👤 #{ids['Ivan']} Ivan", f"cust:{ids['Ivan']}"),
        (f"🙋 Hana #{ids['Hana']}: assign to me", f"assign:{ids['Hana']}"),
        (f"👤 #{ids['Hana']} Hana", f"cust:{ids['Hana']}"),
        ("⬇️ Show 1 more", more),
    ]
    assert [len(row) for row in call.params["reply_markup"]["inline_keyboard"]] == [
        2,
        2,
        1,
    ]  # a row a customer
    assert len(more.encode()) <= 64
    async with db.sessions() as s:
        records = (await s.execute(select(AlertRecord).where(AlertRecord.kind == "churn"))).scalars().all()
    assert sorted(r.subject for r in records) == sorted([str(ids["Ivan"]), str(ids["Hana"])])
    assert all(r.group_chat_id == group_id for r in records)

    # The next page is derived again from the data, as of the scan: nothing is kept in memory.
    page = await churn_page(db, settings, workspace_id, int(SCAN.timestamp()), 2, I18n("zh"))
    assert page is not None
    page_text, page_markup = page
    assert "第 3–3 位，共 3 位" in page_text and "Jon" in page_text and "Ivan" not in page_text
    assert [[b.callback_data for b in row] for row in page_markup.inline_keyboard] == [
        [f"assign:{ids['Jon']}", f"cust:{ids['Jon']}"]
    ]
    assert "最新订单" not in page_text  # the warning was on the first page
    assert await churn_page(db, settings, workspace_id, int(SCAN.timestamp()), 3, I18n("en")) is None

    # The next day Ivan and Hana are in the cool-down; Jon, only behind the button yesterday, is named now.
    service.clock = lambda: SCAN + timedelta(days=1)  # type: ignore[method-assign]
    mark = tg.mark()
    await churn_scan(service, workspace_id)
    [again] = [t for t in tg.sent_texts(GROUP, after=mark) if "slipping away" in t]
    assert "1 important customers may be slipping away" in again and "Jon" in again and "Ivan" not in again


async def test_stale_data_is_told_once_per_newest_order(db, workspace_id, tg, bot) -> None:  # noqa: F811
    shop = Shop(db, workspace_id)
    for i, name in enumerate(["Kai", "Lin", "Mei"]):
        await shop.customer(name, [(days_ago(22 + i), 20)])
    await add_group(db, workspace_id, GROUP, language="zh")
    settings = make_settings(db, churn_rate_above=1.0)  # the repeat rate (0%) is the only KPI alert
    service = make_service(settings, db, bot, workspace_id)
    for day in (0, 1):
        service.clock = lambda d=day: SCAN + timedelta(days=d)  # type: ignore[misc]
        await churn_scan(service, workspace_id)
    [kpi] = tg.sent_texts(GROUP)  # day 1: the KPI is in its cool-down and the date was told
    assert "指标预警" in kpi and kpi.endswith("\n⏳ 最新订单是 11月1日 的：请发送新的导出文件。")
    # A newer export, still over a week old: told again, on its own as there is nothing else to alert.
    await shop.customer("Nur", [(days_ago(10), 20)])
    for day in (2, 3):
        service.clock = lambda d=day: SCAN + timedelta(days=d)  # type: ignore[misc]
        await churn_scan(service, workspace_id)
    assert tg.sent_texts(GROUP)[1:] == ["⏳ 最新订单是 11月13日 的：请发送新的导出文件。"]
    await shop.customer("Oli", [(days_ago(-3.5), 20)])  # fresh data: nothing to say
    service.clock = lambda: SCAN + timedelta(days=4)  # type: ignore[method-assign]
    assert await churn_scan(service, workspace_id) == 0
    assert len(tg.sent_texts(GROUP)) == 2


async def test_digest_of_a_week_without_orders_says_so_and_draws_nothing(
    db,
    workspace_id,
    tg,  # noqa: F811
    bot,
) -> None:  # noqa: F811
    await ranked_shop(db, workspace_id)  # nothing in the week of 16-22 Nov; the newest order is from 9 Nov
    await add_group(db, workspace_id, GROUP, alerts=False, weekly=True)
    await add_group(db, workspace_id, GROUP - 1, language="zh", alerts=False, weekly=True)
    service = make_service(make_settings(db), db, bot, workspace_id)
    service.clock = lambda: SCAN  # type: ignore[method-assign]
    assert await send_digest(service, workspace_id, "weekly") == 2
    [en] = tg.sent_texts(GROUP)
    assert "Weekly digest" in en and "No orders from 16 Nov to 22 Nov" in en
    assert "SGD 0.00" not in en and "revenue" not in en
    assert "Your newest order is from 9 Nov: send fresh exports" in en
    assert "at risk of churning: 3" in en and "long lost (no contact for over 180 days): 1" in en
    [zh] = tg.sent_texts(GROUP - 1)
    assert "11月16日 至 11月22日 没有订单" in zh and "最新订单是 11月9日 的" in zh
    assert tg.calls_of("sendPhoto") == []


def test_a_churn_line_with_nothing_priced_shows_no_amount_rather_than_zero() -> None:
    """A customer whose orders all lack a rate has no amount in the base currency: "—", never "SGD 0.00"."""
    from bot.i18n import I18n
    from bot.notifications import churn_alert_message
    from crm.scheduling.rules import ChurnAlert

    alerts = [
        ChurnAlert(7, "important_keep", 70, 0.2, 120.0, ("inactive",), value_at_risk=96.0),
        ChurnAlert(8, "important_keep", 65, 0.2, 0.0, ("inactive",), value_at_risk=0.0),
    ]
    text, _ = churn_alert_message(alerts, {7: "Ana", 8: "Budi"}, I18n("en"), "SGD", scan_at=SCAN, limit=10)
    ana, budi = (line for line in text.splitlines() if "#7" in line or "#8" in line)
    assert "SGD 96.00" in ana and "SGD 120.00" in ana
    assert "SGD" not in budi and "—" in budi
