"""End to end through the fake Bot API: service history sent to the bot as files, "average rating this quarter"
answered with its n, and a service-recovery alert posted once in the bound group after a valuable customer's
low rating is imported, with buttons that open the card and draft a service-recovery message."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path
from typing import Any

from bot.alert_jobs import service_scan
from bot.app import build_bot, build_dispatcher
from bot.scheduler import SchedulerService
from storage.db import Database
from tests.e2e.conftest import NOW, OWNER, Desk, make_settings, shopify_csv
from tests.fakes.telegram_server import FakeTelegramServer
from tests.scheduling_fixtures import make_service

GROUP = -100777
HEADER = ["platform", "buyer_key", "kind", "occurred_at", "rating", "body", "language", "order_id", "reason"]


class ScanOnImport:
    """Stands in for the running scheduler: after an import of interactions the bot asks it for the
    service-recovery scan (bot.scheduler.SchedulerService.service_scan_now)."""

    running = True

    def __init__(self, service: SchedulerService) -> None:
        self.service = service
        self.scans = 0

    async def service_scan_now(self, workspace_id: int) -> int:
        self.scans += 1
        return await service_scan(self.service, workspace_id)

    async def stop(self) -> None:
        return None


def interactions(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


async def send_file(desk: Desk, name: str, data: bytes) -> str:
    mark = desk.server.mark()
    desk.server.send_document(OWNER, name, data)
    final = await desk.server.wait_call(
        "editMessageText",
        chat_id=OWNER,
        after=mark,
        where=lambda c: c.text.startswith(("✅", "❌")),
        timeout=60,
    )
    return final.text


async def test_rating_answered_and_a_low_rating_alerts_the_group_once(
    db: Database, workspace_id: int, tg: FakeTelegramServer, tmp_path: Path
) -> None:
    settings = make_settings(tg)
    bot = build_bot(settings)
    service = make_service(settings, db, bot, workspace_id)
    service.clock = lambda: NOW  # type: ignore[method-assign]
    scheduler = ScanOnImport(service)
    dp = build_dispatcher(settings, db, workspace_id=workspace_id, clock=lambda: NOW, scheduler=scheduler)
    mark = tg.mark()
    polling: asyncio.Task[Any] = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    await tg.wait_call("setMyCommands", after=mark)
    desk = Desk(tg, bot, dp, db, workspace_id, settings)
    try:
        await desk.add_member(OWNER, "owner")
        bound = await desk.say(OWNER, "/bind", chat_id=GROUP, chat_type="supergroup", title="Team")
        assert "Team" in bound.text
        orders = shopify_csv(
            tmp_path / "orders_export.csv",
            [
                ("#1", "Ann Lim", "ann@example.com", "900.00", "2026-11-01 10:00:00 +0800", "paid"),
                ("#2", "Ann Lim", "ann@example.com", "700.00", "2026-10-03 10:00:00 +0800", "paid"),
                *[
                    (
                        f"#{10 + i}",
                        f"Small {i}",
                        f"s{i}@example.com",
                        "20.00",
                        f"2026-10-{10 + i} 10:00:00 +0800",
                        "paid",
                    )
                    for i in range(8)
                ],
            ],
        )
        assert (await send_file(desk, "orders_export.csv", orders.read_bytes())).startswith("✅")
        first = interactions(
            [
                [
                    "shopify",
                    "s1@example.com",
                    "review",
                    "2026-10-20T10:00:00+08:00",
                    "5",
                    "Good",
                    "en",
                    "#11",
                    "",
                ],
                [
                    "shopify",
                    "s2@example.com",
                    "review",
                    "2026-10-21T10:00:00+08:00",
                    "4",
                    "",
                    "en",
                    "#12",
                    "",
                ],
                [
                    "shopify",
                    "s3@example.com",
                    "review",
                    "2026-10-22T10:00:00+08:00",
                    "1",
                    "Bad",
                    "en",
                    "#13",
                    "",
                ],
            ]
        )
        assert (await send_file(desk, "interactions.csv", first)).startswith("✅")
        # A small buyer's 1-star review is no service-recovery alert.
        assert tg.sent_texts(GROUP) == [bound.text]

        answer = await desk.say(OWNER, "average rating this quarter")
        assert (
            "average rating this quarter: 3.33 (n = 3)" in answer.text and "too few to rely on" in answer.text
        )
        answer = await desk.say(OWNER, "本季度平均评分")
        assert "平均评分：3.33（n = 3）" in answer.text

        # Ann, the top spender, leaves 2 stars on order #1: the group is told at once, after the import.
        mark = tg.mark()
        low = interactions(
            [
                [
                    "shopify",
                    "ann@example.com",
                    "review",
                    "2026-11-20T10:00:00+08:00",
                    "2",
                    "Zip broke <b>twice</b>",
                    "en",
                    "#1",
                    "",
                ]
            ]
        )
        assert (await send_file(desk, "interactions-2.csv", low)).startswith("✅")
        alert = await tg.wait_call("sendMessage", chat_id=GROUP, after=mark)
        assert "Ann Lim" in alert.text and "a low rating: <b>2/5</b>" in alert.text
        assert "order #1" in alert.text and "&lt;b&gt;twice&lt;/b&gt;" in alert.text
        labels = [label for label, _ in alert.buttons()]
        data = [d for _, d in alert.buttons()]
        assert labels == ["👤 Open Ann Lim", "✍️ Draft a service-recovery message"]
        assert data[0].startswith("cust:") and data[1].endswith(":service_recovery:-")

        # Sent once per interaction: the hourly scan, the same file again or a restart send nothing more.
        again = tg.mark()
        assert await service_scan(service, workspace_id) == 0
        assert (await send_file(desk, "interactions-2.csv", low)).startswith("✅")
        await tg.wait_idle()
        assert tg.sent_texts(GROUP, after=again) == [] and scheduler.scans == 2

        # The buttons work: the card shows the review, and the draft is a service-recovery one.
        card = await desk.press(
            OWNER, data[0], message_id=alert.message_id, chat_id=GROUP, chat_type="supergroup"
        )
        assert "Service history (latest first):" in card.text and "review 2/5 · order #1" in card.text
        draft = await desk.press(
            OWNER,
            data[1],
            message_id=alert.message_id,
            chat_id=GROUP,
            chat_type="supergroup",
            method=("sendMessage", "editMessageText"),
        )
        await tg.wait_idle()
        texts = [c.text for c in tg.calls_of("sendMessage", after=mark)] + [draft.text]
        assert any("sorry about the problem with Serum" in t for t in texts), texts[-3:]
    finally:
        await dp.stop_polling()
        await polling
        await bot.session.close()


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


async def test_a_judge_me_export_sent_as_a_document_then_asked_about(
    db: Database, workspace_id: int, tg: FakeTelegramServer, tmp_path: Path
) -> None:
    """The owner sends Judge.me's review export: the summary says what was kept and what was not (an anonymous
    review, a reviewer who never ordered, a bad rating with its line); the rating asked next is those rows'."""
    settings = make_settings(tg)
    bot = build_bot(settings)
    dp = build_dispatcher(settings, db, workspace_id=workspace_id, clock=lambda: NOW)
    mark = tg.mark()
    polling: asyncio.Task[Any] = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1)
    )
    await tg.wait_call("setMyCommands", after=mark)
    desk = Desk(tg, bot, dp, db, workspace_id, settings)
    try:
        await desk.add_member(OWNER, "owner")
        orders = shopify_csv(
            tmp_path / "orders_export.csv",
            [
                ("#1", "Ann Lim", "ann@example.com", "90.00", "2026-10-01 10:00:00 +0800", "paid"),
                ("#2", "Bob Tan", "bob@example.com", "30.00", "2026-10-02 10:00:00 +0800", "paid"),
            ],
        )
        assert (await send_file(desk, "orders_export.csv", orders.read_bytes())).startswith("✅")
        rows = [
            [
                "serum",
                "Great",
                "Skin glows",
                "Ann L.",
                "ann@example.com",
                "5",
                "2026-10-10",
                "",
                "",
                "false",
                "true",
                "false",
            ],
            [
                "serum",
                "Meh",
                "Sticky",
                "Bob T.",
                "BOB@example.com",
                "2",
                "2026-11-02",
                "",
                "",
                "false",
                "true",
                "true",
            ],
            ["serum", "", "Nice", "Anonymous", "", "5", "2026-11-03", "", "", "false", "false", "false"],
            [
                "serum",
                "",
                "Fine",
                "Zed",
                "zed@example.com",
                "4",
                "2026-11-04",
                "",
                "",
                "false",
                "false",
                "false",
            ],
            [
                "serum",
                "",
                "",
                "Ann L.",
                "ann@example.com",
                "7",
                "2026-11-05",
                "",
                "",
                "false",
                "true",
                "false",
            ],
        ]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(JUDGEME_HEADER)
        writer.writerows(rows)
        summary = await send_file(desk, "judgeme-reviews.csv", out.getvalue().encode("utf-8"))
        assert summary.startswith("✅") and "judgeme-reviews.csv" in summary
        assert "1 review has no e-mail (anonymous): not kept." in summary
        assert "1 review is by reviewers with no order imported: not kept" in summary
        assert "Rows: 5\nReviews: 2 added, 0 already there" in summary
        assert "• line 6: rating of a review must be 1 to 5, got &#x27;7&#x27;" in summary
        assert "@" not in summary  # no reviewer's e-mail is repeated back

        kept = [5, 2]  # Ann's and Bob's (his e-mail written otherwise, his hidden review kept)
        answer = await desk.say(OWNER, "average rating this quarter")
        mean = f"{sum(kept) / len(kept):.2f}"
        assert f"average rating this quarter: {mean} (n = {len(kept)})" in answer.text
        assert "too few to rely on" in answer.text
        answer = await desk.say(OWNER, "这个季度的平均评分")
        assert f"平均评分：{mean}（n = {len(kept)}）" in answer.text
    finally:
        await dp.stop_polling()
        await polling
        await bot.session.close()
