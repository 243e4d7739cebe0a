"""The reminder parser: English and Chinese, the user's time zone, DST, relative and absolute times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from crm.scheduling.reminder_parser import ReminderParseError, find_customer_ref, parse_reminder, zh_number

SG = "Asia/Singapore"
# Monday 23 November 2026, 08:15 in Singapore.
NOW_SG = datetime(2026, 11, 23, 8, 15, tzinfo=ZoneInfo(SG))


def local(text: str, now: datetime = NOW_SG, tz: str = SG) -> tuple[str, str, str | None]:
    r = parse_reminder(text, now=now, timezone=tz)
    assert r.due_at.tzinfo is UTC or r.due_at.utcoffset() == timedelta(0)
    assert r.local_due == r.due_at.astimezone(ZoneInfo(tz))
    return r.local_due.strftime("%a %Y-%m-%d %H:%M"), r.text, r.customer_ref


@pytest.mark.parametrize(
    "text, due, what, who",
    [
        (
            "remind me to follow up with Alice in 3 days",
            "Thu 2026-11-26 08:15",
            "follow up with Alice",
            "Alice",
        ),
        ("tomorrow 10am call the Shopee VIPs", "Tue 2026-11-24 10:00", "call the Shopee VIPs", None),
        ("next Monday 9:30 send catalogue to Tan", "Mon 2026-11-30 09:30", "send catalogue to Tan", "Tan"),
        ("in 2 hours check stock", "Mon 2026-11-23 10:15", "check stock", None),
        ("remind me in half an hour to ping Lee", "Mon 2026-11-23 08:45", "ping Lee", "Lee"),
        ("remind me at 3 to call @bob88", "Mon 2026-11-23 15:00", "call @bob88", "@bob88"),
        ("at 11:45pm post promo", "Mon 2026-11-23 23:45", "post promo", None),
        ("on 5 Dec renew ads", "Sat 2026-12-05 09:00", "renew ads", None),
        ("December 24 send Christmas greetings", "Thu 2026-12-24 09:00", "send Christmas greetings", None),
        ("2026-12-05 pay invoice", "Sat 2026-12-05 09:00", "pay invoice", None),
        ("tonight email Sarah Lim", "Mon 2026-11-23 19:00", "email Sarah Lim", "Sarah Lim"),
        ("Friday afternoon review refunds", "Fri 2026-11-27 14:00", "review refunds", None),
        ("this Friday 4.30pm call Ahmad", "Fri 2026-11-27 16:30", "call Ahmad", "Ahmad"),
        ("next week follow up with Mei Ling", "Mon 2026-11-30 09:00", "follow up with Mei Ling", "Mei Ling"),
        ("in a couple of days chase Kumar", "Wed 2026-11-25 08:15", "chase Kumar", "Kumar"),
        ("remind me at noon to lunch with Priya", "Mon 2026-11-23 12:00", "lunch with Priya", "Priya"),
        ("remind me in 1 month to renew", "Wed 2026-12-23 08:15", "renew", None),
        (
            "Monday 8am weekly stock count",
            "Mon 2026-11-30 08:00",
            "weekly stock count",
            None,
        ),  # today is Monday
        ("8am stock count", "Tue 2026-11-24 08:00", "stock count", None),  # 8am has passed today
        ("9am stock count", "Mon 2026-11-23 09:00", "stock count", None),
        ("the day after tomorrow at 17:00 ship samples", "Wed 2026-11-25 17:00", "ship samples", None),
    ],
)
def test_english(text: str, due: str, what: str, who: str | None) -> None:
    assert local(text) == (due, what, who)


@pytest.mark.parametrize(
    "text, due, what, who",
    [
        ("下周一上午提醒我给王小姐发优惠券", "Mon 2026-11-30 09:00", "给王小姐发优惠券", "王小姐"),
        ("3天后提醒我联系张先生", "Thu 2026-11-26 08:15", "联系张先生", "张先生"),
        ("明天下午3点 跟进Shopee大客户", "Tue 2026-11-24 15:00", "跟进Shopee大客户", None),
        ("半小时后提醒我回复李女士", "Mon 2026-11-23 08:45", "回复李女士", "李女士"),
        ("周五晚上8点半给Tan发目录", "Fri 2026-11-27 20:30", "给Tan发目录", "Tan"),
        ("12月5日提醒我续费", "Sat 2026-12-05 09:00", "续费", None),
        ("下个月提醒我对账", "Tue 2026-12-01 09:00", "对账", None),
        ("明早提醒我打电话给陈总", "Tue 2026-11-24 09:00", "打电话给陈总", "陈总"),
        ("两小时后提醒我查库存", "Mon 2026-11-23 10:15", "查库存", None),
        ("十天后提醒我回访欧阳先生", "Thu 2026-12-03 08:15", "回访欧阳先生", "欧阳先生"),
        ("星期三上午十点十五分提醒我开会", "Wed 2026-11-25 10:15", "开会", None),
        ("后天中午12点提醒我给Alice打电话", "Wed 2026-11-25 12:00", "给Alice打电话", "Alice"),
        ("２天后提醒我发货", "Wed 2026-11-25 08:15", "发货", None),  # full-width digits
    ],
)
def test_chinese(text: str, due: str, what: str, who: str | None) -> None:
    assert local(text) == (due, what, who)


def test_language_is_detected() -> None:
    assert parse_reminder("明天提醒我发货", now=NOW_SG, timezone=SG).language == "zh"
    assert parse_reminder("tomorrow ship", now=NOW_SG, timezone=SG).language == "en"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("remind me to call Alice", "no_time"),
        ("remind me tomorrow", "empty"),
        ("today 7am call the bank", "past"),
        ("提醒我联系张先生", "no_time"),
        ("on 31 Feb pay rent", "bad_time"),
        ("at 13pm call", "bad_time"),
    ],
)
def test_errors(text: str, reason: str) -> None:
    with pytest.raises(ReminderParseError) as info:
        parse_reminder(text, now=NOW_SG, timezone=SG)
    assert info.value.reason == reason


def test_same_words_mean_the_same_local_time_in_every_zone() -> None:
    now = datetime(2026, 11, 23, 0, 30, tzinfo=UTC)
    expected_utc = {
        "Asia/Singapore": datetime(2026, 11, 24, 2, 0, tzinfo=UTC),
        "Europe/London": datetime(2026, 11, 24, 10, 0, tzinfo=UTC),
        "America/New_York": datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
    }
    for tz, due in expected_utc.items():
        r = parse_reminder("tomorrow 10am call Tan", now=now, timezone=tz)
        assert r.due_at == due, tz
        assert (r.local_due.hour, r.local_due.minute) == (10, 0)


def test_new_york_spring_forward() -> None:
    ny = ZoneInfo("America/New_York")
    now = datetime(2027, 3, 13, 10, 0, tzinfo=ny)  # Saturday, EST (UTC-5); DST starts Sunday 14 March 02:00
    tomorrow = parse_reminder("tomorrow 10am call", now=now, timezone="America/New_York")
    assert tomorrow.due_at == datetime(2027, 3, 14, 14, 0, tzinfo=UTC)  # 10:00 EDT (UTC-4)
    # "in 1 day" keeps the wall-clock time (23 real hours); "in 24 hours" is a duration.
    one_day = parse_reminder("in 1 day call", now=now, timezone="America/New_York")
    assert one_day.local_due.hour == 10 and one_day.due_at - now == timedelta(hours=23)
    hours = parse_reminder("in 24 hours call", now=now, timezone="America/New_York")
    assert hours.due_at - now == timedelta(hours=24) and hours.local_due.hour == 11
    # 02:30 does not exist that night: it moves forward with the clock to 03:30 EDT.
    gap = parse_reminder("tomorrow 2:30am call", now=now, timezone="America/New_York")
    assert gap.due_at == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)
    assert (gap.local_due.hour, gap.local_due.minute) == (3, 30)


def test_new_york_fall_back_takes_the_first_occurrence() -> None:
    ny = ZoneInfo("America/New_York")
    now = datetime(2026, 10, 31, 12, 0, tzinfo=ny)  # DST ends Sunday 1 November 02:00
    r = parse_reminder("tomorrow 1:30am call", now=now, timezone="America/New_York")
    assert r.due_at == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # 01:30 EDT, the first of the two
    r = parse_reminder("tomorrow 9am call", now=now, timezone="America/New_York")
    assert r.due_at == datetime(2026, 11, 1, 14, 0, tzinfo=UTC)  # 09:00 EST


def test_london_autumn_change() -> None:
    now = datetime(2026, 10, 24, 9, 0, tzinfo=ZoneInfo("Europe/London"))  # BST ends Sunday 25 October
    r = parse_reminder("next Monday 9:30 send catalogue to Tan", now=now, timezone="Europe/London")
    assert r.due_at == datetime(2026, 10, 26, 9, 30, tzinfo=UTC)  # GMT again
    r = parse_reminder("tomorrow 9:30 call", now=now, timezone="Europe/London")
    assert r.due_at == datetime(2026, 10, 25, 9, 30, tzinfo=UTC)


def test_requires_an_aware_now() -> None:
    with pytest.raises(ValueError):
        parse_reminder("tomorrow call", now=datetime(2026, 1, 1), timezone=SG)


def test_chinese_numbers() -> None:
    assert [zh_number(x) for x in ("3", "十", "十二", "二十", "二十五", "两", "九")] == [
        3,
        10,
        12,
        20,
        25,
        2,
        9,
    ]


def test_customer_ref_skips_platforms_and_groups() -> None:
    assert find_customer_ref("call the Shopee VIPs") is None
    assert find_customer_ref("send catalogue to Tan Wei Ling") == "Tan Wei Ling"
    assert find_customer_ref("ship samples") is None
