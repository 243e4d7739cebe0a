"""End to end through the fake Bot API: a segment draft in two variants, approved, orders arriving for some
recipients, and /experiments reporting both variants with n and 95% intervals, in English and Chinese."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path

from bot.app import build_bot, build_dispatcher
from storage.db import Database
from tests.e2e.conftest import NOW, OWNER, Desk, make_settings
from tests.e2e.test_outreach_e2e import SEGMENT_ORDERS, load, orders_csv
from tests.fakes.telegram_server import FakeTelegramServer
from tests.scheduling_fixtures import tg  # noqa: F401

ZH_AGENT = 7007


async def test_a_segment_experiment_is_approved_and_reported(
    db: Database,
    workspace_id: int,
    tg: FakeTelegramServer,  # noqa: F811
    tmp_path: Path,
) -> None:
    now = [NOW]
    settings = make_settings(tg)
    bot = build_bot(settings)
    dp = build_dispatcher(settings, db, workspace_id=workspace_id, clock=lambda: now[0])
    mark = tg.mark()
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=1))
    await tg.wait_call("setMyCommands", after=mark)
    desk = Desk(tg, bot, dp, db, workspace_id, settings)
    try:
        await desk.add_member(OWNER, "owner")
        await desk.add_member(ZH_AGENT, "agent", language="zh")
        await load(desk, orders_csv(tmp_path / "orders_export.csv", SEGMENT_ORDERS))

        empty = await desk.say(OWNER, "/experiments")
        assert "No experiment yet" in empty.text

        mark = tg.mark()
        tg.send_text(OWNER, "draft a win-back for all important_winback customers with 2 variants")
        doc = await tg.wait_call("sendDocument", chat_id=OWNER, after=mark)
        texts = tg.sent_texts(OWNER, after=mark)
        assert sum("variant A" in t for t in texts) == 2 and sum("variant B" in t for t in texts) == 2
        assert "winback-2026-11-23" in doc.params.get("caption", "")
        ((_, content),) = doc.files.values()
        rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
        variant_of = {r["name"]: r["variant"] for r in rows}
        assert sorted(variant_of) == ["Malee Srisuk", "Siti Rahman", "Somchai Thongdee"]
        assert sorted(variant_of.values()) in (["A", "A", "B"], ["A", "B", "B"])

        approvals = [
            (c.message_id, data)
            for c in tg.calls_of("sendMessage")[0:]
            if c.chat_id == OWNER
            for _, data in c.buttons()
            if data.startswith("drb:approve:")
        ]
        assert len(approvals) == 2  # Thai and Malay
        for message_id, data in approvals:
            mark = tg.mark()
            tg.press(OWNER, data, message_id=message_id, chat_id=OWNER)
            done = await tg.wait_call(
                "sendMessage", chat_id=OWNER, after=mark, where=lambda c: "Approved" in c.text
            )
            assert "winback-2026-11-23" in done.text

        # Ten days later: Somchai and Siti have ordered.
        now[0] = NOW + timedelta(days=10)
        somchai, siti = variant_of["Somchai Thongdee"], variant_of["Siti Rahman"]
        later = [
            (
                "#4001",
                "Somchai Thongdee",
                "somchai@example.com",
                "90.00",
                "2026-11-26 10:00:00 +0700",
                "TH",
                "yes",
            ),
            ("#4002", "Siti Rahman", "siti@example.com", "70.00", "2026-11-28 10:00:00 +0800", "MY", "yes"),
        ]
        await load(desk, orders_csv(tmp_path / "orders_export_2.csv", later))

        report = await desk.say(OWNER, "/experiments")
        text = report.text
        assert "winback-2026-11-23" in text and "within 14 days" in text
        conversions = {"A": 0, "B": 0}
        for label in (somchai, siti):
            conversions[label] += 1
        for label in ("A", "B"):
            n = sorted(variant_of.values()).count(label)
            assert f"{label}: {conversions[label]}/{n} = " in text, text
        assert "95% CI" in text and "No winner yet" in text

        zh = await desk.say(ZH_AGENT, "/experiments")
        assert "实验" in zh.text and "95% 区间" in zh.text and "尚无胜出版本" in zh.text

        single = await desk.say(OWNER, "/draft Somchai Thongdee winback ab experiment:dec-test")
        assert "🧪 Experiment <b>dec-test</b>: this customer gets variant" in single.text
        assert "of A/B" in single.text and any(d.startswith("drb:approve:") for _, d in single.buttons())

        bad = await desk.say(OWNER, "/experiments soon")
        assert "/experiments 30" in bad.text
    finally:
        await dp.stop_polling()
        await polling
