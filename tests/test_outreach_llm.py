"""LLM drafting over real HTTP (LangChain ChatOpenAI against the scripted OpenAI-compatible server): good
replies, wrong language, invented discounts, timeouts, malformed replies, and no PII in the request."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.settings import Settings
from crm.outreach.service import Offer, draft_for_customer, draft_for_segment, revise
from tests.fakes.openai_server import Reply, ScriptedOpenAI
from tests.test_outreach import add_customer

AS_OF = datetime(2026, 11, 24, tzinfo=UTC)
THAI_A = "สวัสดีค่ะ คุณWei Ling คิดถึงคุณนะคะ ใช้โค้ด BACK10 รับส่วนลด 10% ได้เลยค่ะ\nMei"
THAI_B = "สวัสดีค่ะ คุณWei Ling ร้านเรามีสินค้าใหม่ ใช้โค้ด BACK10 ลด 10% นะคะ\nMei"


def settings_for(server: ScriptedOpenAI, timeout: float = 5.0) -> Settings:
    return Settings(
        llm={
            "base_url": server.base_url,
            "model": "scripted-model",
            "api_key": "test-key",
            "timeout_seconds": timeout,
        },
        outreach={"brand_name": "Kopi House", "sign_off": "Mei", "max_chars": 600},
    )


OFFER = Offer(coupon="BACK10", discount="10%")


async def test_a_good_reply_gives_checked_variants(server: ScriptedOpenAI, db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, consent=True)
    server.queue_json({"variants": [THAI_A, THAI_B]})
    d = await draft_for_customer(
        db, workspace_id, cid, intent="winback", settings=settings_for(server), as_of=AS_OF, offer=OFFER
    )
    assert d.source == "llm" and d.language == "th" and d.variants == [THAI_A, THAI_B] and d.text == THAI_A
    assert not [w for w in d.warnings if "LLM" in w]
    body = server.requests[0]
    assert body["model"] == "scripted-model"
    system, human = body["messages"][0]["content"], json.loads(body["messages"][1]["content"])
    assert "Thai" in system and "winback" in system and "Mei" in system
    ctx = human["context"]
    assert (
        ctx["first_name"] == "Wei Ling"
        and ctx["points_balance"] == 120
        and ctx["offer"]["coupon"] == "BACK10"
    )
    assert ctx["last_items"] == ["Blue Linen Dress"] and ctx["platform"] == "shopee"
    assert ctx["days_since_last_order"] > 100


async def test_the_request_carries_no_contacts_or_last_name(
    server: ScriptedOpenAI, db, workspace_id: int
) -> None:
    cid = await add_customer(
        db,
        workspace_id,
        consent=True,
        name="Tan Wei Ling",
        email="weiling.tan@example.com",
        phone="+66 81 234 5678",
    )
    server.default = Reply(content=json.dumps({"variants": [THAI_A]}))
    settings = settings_for(server)
    d = await draft_for_customer(
        db,
        workspace_id,
        cid,
        intent="custom",
        settings=settings,
        as_of=AS_OF,
        brief="tell Tan Wei Ling (weiling.tan@example.com, +66 81 234 5678) the blue one is back",
        offer=OFFER,
    )
    await revise(db, workspace_id, d.id, action="shorter", settings=settings, as_of=AS_OF)
    await draft_for_segment(
        db, workspace_id, segment="important_value", intent="winback", settings=settings, as_of=AS_OF
    )
    sent = server.request_text()
    assert server.requests and "Wei Ling" in sent and "the blue one is back" in sent
    for secret in ("weiling.tan@example.com", "234 5678", "66812345678", "Tan Wei", "Tan ", f"buyer{cid}"):
        assert secret not in sent, secret


async def test_a_wrong_language_reply_is_retried_then_falls_back(
    server: ScriptedOpenAI, db, workspace_id: int
) -> None:
    cid = await add_customer(db, workspace_id, consent=True)
    english = {"variants": ["Hi Wei Ling, we miss you! Use BACK10 for 10% off.\nMei"]}
    server.default = Reply(content=json.dumps(english))
    d = await draft_for_customer(
        db, workspace_id, cid, intent="winback", settings=settings_for(server), as_of=AS_OF, offer=OFFER
    )
    assert len(server.requests) == 2  # one retry, with the problem explained
    assert "not in the requested language" in server.requests[1]["messages"][-1]["content"]
    assert d.source == "template" and d.language == "th" and "BACK10" in d.text
    assert any("template used instead" in w for w in d.warnings)


async def test_a_retry_that_fixes_the_problem_is_used(server: ScriptedOpenAI, db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, consent=True)
    server.queue_json({"variants": ["Hi Wei Ling, we miss you!\nMei"]})
    server.queue_json({"variants": [THAI_A]})
    d = await draft_for_customer(
        db, workspace_id, cid, intent="winback", settings=settings_for(server), as_of=AS_OF, offer=OFFER
    )
    assert d.source == "llm" and d.text == THAI_A and any("retried" in w for w in d.warnings)


async def test_an_invented_discount_is_rejected(server: ScriptedOpenAI, db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, consent=True)
    invented = THAI_A.replace("10%", "30%")
    server.queue_json({"variants": [invented, THAI_B.replace("10%", "50%")]})
    server.queue_json({"variants": [invented]})
    d = await draft_for_customer(
        db, workspace_id, cid, intent="winback", settings=settings_for(server), as_of=AS_OF, offer=OFFER
    )
    assert d.source == "template" and "30%" not in d.text and "10%" in d.text
    assert "not offered" in server.requests[1]["messages"][-1]["content"]
    # one good variant among bad ones is enough; the bad ones are dropped
    server.queue_json({"variants": [invented, THAI_B]})
    d = await draft_for_customer(
        db, workspace_id, cid, intent="winback", settings=settings_for(server), as_of=AS_OF, offer=OFFER
    )
    assert d.source == "llm" and d.variants == [THAI_B]


async def test_a_slow_llm_times_out_to_the_template(server: ScriptedOpenAI, db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, consent=True)
    server.default = Reply(content=json.dumps({"variants": [THAI_A]}), delay=1.5)
    d = await draft_for_customer(
        db,
        workspace_id,
        cid,
        intent="winback",
        settings=settings_for(server, timeout=0.3),
        as_of=AS_OF,
        offer=OFFER,
    )
    assert d.source == "template" and any("in time" in w for w in d.warnings) and server.requests


async def test_malformed_replies_fall_back(server: ScriptedOpenAI, db, workspace_id: int) -> None:
    cid = await add_customer(db, workspace_id, consent=True)
    for reply in (
        Reply(content="{not json"),
        Reply(content="Sure! Here is a message."),
        Reply(content=json.dumps({"variants": "one string"})),
        Reply(raw_body='{"id": "x", "choices": [ broken'),
        Reply(status=500),
    ):
        server.default = reply
        d = await draft_for_customer(
            db, workspace_id, cid, intent="thank_you", settings=settings_for(server), as_of=AS_OF
        )
        assert d.source == "template" and d.text.startswith("สวัสดีค่ะ") and d.warnings


async def test_segment_templates_keep_merge_fields(server: ScriptedOpenAI, db, workspace_id: int) -> None:
    await add_customer(db, workspace_id, consent=True, country="SG", name="Ana Silva")
    server.default = Reply(
        content=json.dumps(
            {
                "variants": [
                    "Hi {first_name}, we miss you! Your {last_item} is waiting. Use BACK10 for 10% off.\nMei"
                ]
            }
        )
    )
    from crm.analytics.metrics import SEGMENT_RULES

    for segment in SEGMENT_RULES.values():
        seg = await draft_for_segment(
            db,
            workspace_id,
            segment=segment,
            intent="winback",
            settings=settings_for(server),
            as_of=AS_OF,
            offer=OFFER,
        )
        if seg.count:
            assert seg.templates["en"].startswith("Hi {first_name}, we miss you!")
            return
    raise AssertionError("the customer is in no segment")
