"""What a draft request in chat asks for (crm.outreach.chat), decided without Telegram: the /draft arguments,
a parsed plain-language request, and the offer kept in the chat's state between buttons."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from crm.display import BRIEF_MAX
from crm.outreach.chat import (
    DraftRequest,
    needs_brief,
    offer_data,
    offer_from,
    read_draft_command,
    read_draft_query,
)
from crm.outreach.service import Offer
from crm.query.ir import DraftQuery, Filters

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Singapore"))


def command(args: str) -> DraftRequest:
    return read_draft_command(args, now=NOW, timezone="Asia/Singapore")


def test_empty_or_incomplete_draft_command_asks_for_usage() -> None:
    assert command("  ") == DraftRequest(kind="problem", problem="usage")
    assert command("segment at_risk") == DraftRequest(kind="problem", problem="usage")


def test_draft_command_for_a_customer_reads_intent_language_and_offer() -> None:
    assert command("Tan winback th") == DraftRequest(
        kind="customer", customer_query="Tan", intent="winback", language="th"
    )
    request = command("Tan winback th code VIP10 10% off")
    assert (request.kind, request.customer_query, request.intent, request.language) == (
        "customer",
        "Tan",
        "winback",
        "th",
    )
    assert request.offer == Offer(coupon="VIP10", discount="10% off")


def test_draft_command_for_a_segment() -> None:
    assert command("segment at_risk winback MY ms") == DraftRequest(
        kind="segment", segment="at_risk", intent="winback", country="MY", language="ms"
    )


def test_plain_request_for_a_segment_needs_an_intent() -> None:
    q = DraftQuery(outreach="custom", segment="important_winback")
    assert read_draft_query(q, "draft something for at risk customers") == DraftRequest(
        kind="problem", problem="segment_need_intent"
    )
    q = DraftQuery(
        outreach="winback", filters=Filters(segment="important_winback", country="MY"), coupon="BACK5"
    )
    assert read_draft_query(q, "draft a win-back for at risk customers in MY") == DraftRequest(
        kind="segment",
        segment="important_winback",
        intent="winback",
        country="MY",
        offer=Offer(coupon="BACK5"),
    )


def test_plain_custom_request_without_a_brief_asks_for_the_intent() -> None:
    request = read_draft_query(DraftQuery(outreach="custom"), "write a message for Tan")
    assert request == DraftRequest(kind="customer", customer_query="Tan", intent=None)


def test_plain_custom_request_keeps_its_brief_within_the_limit() -> None:
    text = "tell Tan that the blue one is back"
    q = DraftQuery(outreach="custom", customer="Tan", brief="the blue one is back")
    assert read_draft_query(q, text) == DraftRequest(
        kind="customer", customer_query="Tan", intent="custom", brief="the blue one is back"
    )
    long = "x" * (BRIEF_MAX + 1)
    q = DraftQuery(outreach="custom", customer="Tan", brief=long)
    assert read_draft_query(q, text) == DraftRequest(kind="problem", problem="brief_too_long", brief=long)


def test_only_a_custom_message_needs_a_brief() -> None:
    assert needs_brief("custom", None) and needs_brief("custom", "")
    assert not needs_brief("custom", "the blue one is back") and not needs_brief("winback", None)


def test_an_offer_waits_in_the_chat_state_for_its_customer() -> None:
    offer = Offer(coupon="VIP10", discount="10% off", expires=date(2026, 11, 30))
    assert offer_data(None) is None and offer_from(None, 7) is None
    anyone = offer_data(offer)
    assert offer_from(anyone, 7) == offer and offer_from(anyone, 8) == offer
    bound = offer_data(offer, customer_id=7)
    assert offer_from(bound, 7) == offer
    assert offer_from(bound, 8) is None
