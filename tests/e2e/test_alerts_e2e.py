"""End to end through the fake Bot API: a bound team group gets a capped, ranked churn alert with a stale-data
line, and its "show more" button works on a restarted bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.alert_jobs import churn_scan
from bot.app import build_bot
from storage.db import Database
from tests.e2e.conftest import OWNER, start_desk, stop_desk
from tests.fakes.telegram_server import FakeTelegramServer
from tests.scheduling_fixtures import Shop, make_service

SG = ZoneInfo("Asia/Singapore")
SCAN = datetime(2026, 11, 23, 9, 0, tzinfo=SG)
GROUP = -100555


def days_ago(n: float) -> datetime:
    return (SCAN - timedelta(days=n)).astimezone(UTC)


async def test_group_gets_a_capped_ranked_churn_alert_and_shows_more(
    db: Database, workspace_id: int, tg: FakeTelegramServer
) -> None:
    shop = Shop(db, workspace_id)
    # Twelve important customers quiet for 61-72 days (value at risk = their spend: one order each, within a
    # year), added out of rank order; one big spender gone 300 days; small buyers, the newest 14 days ago.
    spend = {f"Cust{k:02d}": 1000 + 37 * k for k in range(12)}
    ids = {}
    for k in (5, 11, 0, 7, 3, 9, 1, 10, 6, 2, 8, 4):
        ids[f"Cust{k:02d}"] = await shop.customer(f"Cust{k:02d}", [(days_ago(61 + k), spend[f"Cust{k:02d}"])])
    await shop.customer("Lost", [(days_ago(300), 3000)])
    for i in range(6):
        await shop.customer(f"Small{i}", [(days_ago(14 + i), 20)])
    ranked = sorted(spend, key=lambda n: -spend[n])

    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        await desk.add_member(OWNER, "owner")
        bound = await desk.say(OWNER, "/bind", chat_id=GROUP, chat_type="supergroup", title="Team")
        assert "Team" in bound.text
        settings = desk.settings
    finally:
        await stop_desk(desk, polling)

    # The daily scan (the scheduler's job) posts into the bound group while the bot is down.
    bot = build_bot(settings)
    try:
        service = make_service(settings, db, bot, workspace_id)
        service.clock = lambda: SCAN  # type: ignore[method-assign]
        mark = tg.mark()
        await churn_scan(service, workspace_id)
    finally:
        await bot.session.close()
    [alert] = [c for c in tg.calls_of("sendMessage", after=mark) if "slipping away" in c.text]
    assert alert.chat_id == GROUP
    text = alert.text
    assert "12 important customers may be slipping away" in text
    assert "⏳ Your newest order is from 9 Nov: send fresh exports." in text
    assert "Also 1 valuable customers long lost" in text and "Lost" not in text.replace("long lost", "")
    named = [n for n in ranked if n in text]
    assert named == ranked[:10]  # capped at 10 lines ...
    assert [text.index(n) for n in named] == sorted(text.index(n) for n in named)  # ... by value at risk
    assert "… and 2 more: tap below." in text
    more = [(label, data) for label, data in alert.buttons() if data.startswith("chm:")]
    assert more == [("⬇️ Show 2 more", f"chm:{int(SCAN.timestamp())}:10")]

    # A restarted bot (nothing in memory) answers the tap with the next page.
    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        mark = tg.mark()
        tg.press(OWNER, more[0][1], message_id=alert.message_id, chat_id=GROUP, chat_type="supergroup")
        page = await tg.wait_call("sendMessage", chat_id=GROUP, after=mark)
        edited = await tg.wait_call("editMessageReplyMarkup", chat_id=GROUP, after=mark)
    finally:
        await stop_desk(desk, polling)
    assert "Slipping away: 11–12 of 12" in page.text
    assert [n for n in ranked if n in page.text] == ranked[10:]
    assert page.text.index(ranked[10]) < page.text.index(ranked[11])
    assert [label for label, d in page.buttons() if d.startswith("assign:")] == [
        f"🙋 {n} #{ids[n]}: assign to me" for n in ranked[10:]
    ]
    assert [d for _, d in page.buttons() if d.startswith("cust:")] == [f"cust:{ids[n]}" for n in ranked[10:]]
    # The tapped button is gone from the alert; its 'assign' buttons stay.
    assert int(edited.params["message_id"]) == alert.message_id
    assert [d for _, d in edited.buttons()] == [d for _, d in alert.buttons() if not d.startswith("chm:")]


async def test_same_name_customers_in_a_churn_alert_are_told_apart_and_open_their_own_card(
    db: Database, workspace_id: int, tg: FakeTelegramServer
) -> None:
    shop = Shop(db, workspace_id)
    tiktok = await shop.customer("Tan Wei Ling", [(days_ago(65), 1500)], country="TH", platform="tiktok")
    shopee = await shop.customer("Tan Wei Ling", [(days_ago(70), 1200)], country="MY", platform="shopee")
    for i in range(6):
        await shop.customer(f"Small{i}", [(days_ago(14 + i), 20)])

    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        await desk.add_member(OWNER, "owner")
        await desk.say(OWNER, "/bind", chat_id=GROUP, chat_type="supergroup", title="Team")
        settings = desk.settings
    finally:
        await stop_desk(desk, polling)
    bot = build_bot(settings)
    try:
        service = make_service(settings, db, bot, workspace_id)
        service.clock = lambda: SCAN  # type: ignore[method-assign]
        mark = tg.mark()
        await churn_scan(service, workspace_id)
    finally:
        await bot.session.close()
    [alert] = [c for c in tg.calls_of("sendMessage", after=mark) if "slipping away" in c.text]
    lines = [x for x in alert.text.splitlines() if "Tan Wei Ling" in x]
    assert len(lines) == 2, alert.text
    assert f"Tan Wei Ling</b> #{tiktok} · TikTok Shop · TH · " in lines[0]  # the higher value at risk first
    assert f"Tan Wei Ling</b> #{shopee} · Shopee · MY · " in lines[1]
    opens = [(label, d) for label, d in alert.buttons() if d.startswith("cust:")]
    assert opens == [
        (f"👤 #{tiktok} Tan Wei Ling", f"cust:{tiktok}"),
        (f"👤 #{shopee} Tan Wei Ling", f"cust:{shopee}"),
    ]
    assigns = [label for label, d in alert.buttons() if d.startswith("assign:")]
    assert assigns == [f"🙋 Tan Wei Ling #{tiktok}: assign to me", f"🙋 Tan Wei Ling #{shopee}: assign to me"]

    desk, polling = await start_desk(db, workspace_id, tg)
    try:
        card = await desk.press(OWNER, opens[1][1], alert.message_id, chat_id=GROUP, chat_type="supergroup")
    finally:
        await stop_desk(desk, polling)
    assert card.chat_id == GROUP
    assert "Tan Wei Ling" in card.text and f"#{shopee}" in card.text, card.text
    assert "Shopee" in card.text and "TikTok" not in card.text
