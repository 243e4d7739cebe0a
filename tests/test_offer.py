"""The seller's offer read from a draft request (crm.outreach.offer) and carried by the parsed DraftQuery."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from crm.outreach.offer import find_offer
from crm.query.ir import DraftQuery
from crm.query.parser import parse_question

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Singapore"))  # a Monday


@pytest.mark.parametrize(
    ("text", "coupon", "discount", "expires", "rest"),
    [
        (
            "draft a thank-you for Tan Wei Ling with code VIP10, 10% off until 30 Nov",
            "VIP10",
            "10% off",
            date(2026, 11, 30),
            "draft a thank-you for Tan Wei Ling",
        ),
        (
            "draft a VIP thank-you for Tan with coupon: THANKS5 RM5 off valid until Sunday",
            "THANKS5",
            "RM5 off",
            date(2026, 11, 29),
            "draft a VIP thank-you for Tan",
        ),
        (
            "write a win-back message for Alice in Thai with a coupon for 15% discount, expires 2026-12-31",
            None,
            "15% off",
            date(2026, 12, 31),
            "write a win-back message for Alice in Thai",
        ),
        (
            "draft an abandoned cart nudge for Siti in Bahasa with free shipping till Friday",
            None,
            "free shipping",
            date(2026, 11, 27),
            "draft an abandoned cart nudge for Siti in Bahasa",
        ),
        (
            "win-back for Budi, promo code HEMAT-20 Rp20.000 off",
            "HEMAT-20",
            "Rp20.000 off",
            None,
            "win-back for Budi",
        ),
        (
            "给王小明写一条感谢信，优惠码VIP10，9折，截止12月31日",
            "VIP10",
            "9折",
            date(2026, 12, 31),
            "给王小明写一条感谢信",
        ),
        (
            "给王小明写一条挽回消息，满200减30，有效期至12月15日",
            None,
            "满200减30",
            date(2026, 12, 15),
            "给王小明写一条挽回消息",
        ),
        # nothing that looks like an offer: the request is left as it is
        (
            "draft a thank-you for Tan with a coupon",
            None,
            None,
            None,
            "draft a thank-you for Tan with a coupon",
        ),
        ("draft a win-back for Tan in Thai", None, None, None, "draft a win-back for Tan in Thai"),
        ("draft a thank you for Ms Code", None, None, None, "draft a thank you for Ms Code"),
    ],
)
def test_find_offer(
    text: str, coupon: str | None, discount: str | None, expires: date | None, rest: str
) -> None:
    found = find_offer(text, now=NOW, timezone="Asia/Singapore")
    assert (found.coupon, found.discount, found.expires, found.rest) == (coupon, discount, expires, rest)
    assert bool(found) == any((coupon, discount, expires))


def test_an_expiry_that_is_not_a_date_is_not_an_expiry() -> None:
    found = find_offer("thank-you for Tan until she replies", now=NOW, timezone="Asia/Singapore")
    assert found.expires is None and found.rest == "thank-you for Tan until she replies"


@pytest.mark.parametrize(
    ("text", "customer", "segment"),
    [
        ("draft a thank-you for Tan Wei Ling with code VIP10, 10% off until 30 Nov", "Tan Wei Ling", None),
        ("给王小明写一条感谢信，优惠码VIP10，10% off，截止11月30日", "王小明", None),
        (
            "draft a win-back for all important_winback customers in Thailand, code VIP10 10% off until 30 Nov",
            None,
            "important_winback",
        ),
    ],
)
def test_parsed_draft_request_carries_the_offer(text: str, customer: str | None, segment: str | None) -> None:
    q = parse_question(text, as_of=NOW, timezone="Asia/Singapore").query
    assert isinstance(q, DraftQuery)
    assert (q.customer, q.segment, q.coupon, q.discount, q.expires) == (
        customer,
        segment,
        "VIP10",
        "10% off",
        date(2026, 11, 30),
    )
    assert q.brief == text  # the brief keeps the whole request


@pytest.mark.parametrize(
    ("discount", "expected"),
    [
        (
            "10% off",
            {
                "en": "for 10% off",
                "zh": "可享9折优惠",
                "ms": "untuk diskaun 10%",
                "th": "รับส่วนลด 10%",
                "id": "untuk diskon 10%",
                "vi": "để được giảm 10%",
            },
        ),
        ("9折", {"en": "for 10% off", "zh": "可享9折优惠"}),
        ("RM5 off", {"en": "for RM5 off", "zh": "可享立减RM5优惠", "ms": "untuk diskaun RM5"}),
        ("满200减30", {"en": "for 30 off orders of 200 or more", "zh": "可享满200减30优惠"}),
        (
            "free shipping",
            {
                "en": "for free shipping",
                "zh": "可享包邮优惠",
                "ms": "untuk penghantaran percuma",
                "th": "รับส่งฟรี",
                "id": "untuk gratis ongkir",
                "vi": "để được miễn phí vận chuyển",
            },
        ),
        ("包邮", {"en": "for free shipping"}),
    ],
)
def test_the_discount_is_written_in_the_message_language(discount: str, expected: dict[str, str]) -> None:
    """The seller writes the discount once, in their words; each message says it in its own language, never
    "10% off off" or "9折 off", and the draft checks accept the translation but not another figure."""
    from crm.outreach.checks import check_draft
    from crm.outreach.templates import offer_sentence

    for language, phrase in expected.items():
        sentence = offer_sentence(language, "VIP10", discount, None)
        assert phrase in sentence, (language, sentence)
        assert "off off" not in sentence and (language == "zh" or "折" not in sentence), sentence
        problems = check_draft(
            sentence, language=language, max_chars=600, coupon="VIP10", offer_text=f"VIP10 {discount}"
        )
        assert not [p for p in problems if "discount" in p], (sentence, problems)
    offered_zh = offer_sentence("zh", "VIP10", "10% off", None)
    assert not [
        p
        for p in check_draft(
            offered_zh, language="zh", max_chars=600, coupon="VIP10", offer_text="VIP10 10% off"
        )
        if "discount" in p
    ]
    assert [
        p
        for p in check_draft(
            offered_zh.replace("9折", "8折"),
            language="zh",
            max_chars=600,
            coupon="VIP10",
            offer_text="VIP10 10% off",
        )
        if "discount" in p
    ]


@pytest.mark.parametrize("written", ["150%", "100%", "0%", "-20%", "150% off"])
def test_an_impossible_percentage_is_kept_as_written_and_named_a_problem(written: str) -> None:
    """150% was read as "50%" (the last two digits) and -20% as "20%": a discount is never turned into another
    figure; out of range, it is kept as written and named as a problem (the command line refuses it, a chat
    draft carries a note)."""
    from crm.outreach.offer import discount_phrase, discount_problem

    number = written.split("%")[0]
    for language in ("en", "zh"):
        phrase = discount_phrase(written, language)
        assert number in phrase and "折" not in phrase, phrase
    assert discount_problem(written) is not None
    found = find_offer(f"draft a win-back for Tan with {written}", now=datetime(2026, 12, 7), timezone="UTC")
    assert found.discount is not None and found.discount.startswith(number), found.discount
    assert discount_problem("10% off") is None and discount_problem("RM5 off") is None


def test_the_command_line_refuses_an_impossible_percentage(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sqlite_template: Path, tmp_path: Path
) -> None:
    from tests.cli_runner import run_main

    shutil.copy(sqlite_template, tmp_path / "shop.db")
    monkeypatch.setenv("SELLERMATE_CONFIG", os.devnull)
    db = f"sqlite+aiosqlite:///{tmp_path / 'shop.db'}"
    code, _, err = run_main(capsys, "draft", "Tan", "--intent", "winback", "--discount", "150%", "--db", db)
    assert code == 2, err
    assert err.strip() == (
        "error: --discount: a percentage discount must be more than 0% and less than 100%, got '150%'"
    ), err
