"""The LLM question parser over real HTTP (LangChain ChatOpenAI against a scripted OpenAI-compatible server)."""

from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.settings import Settings
from crm.query.ir import Clarify, MetricQuery, TopCustomersQuery
from crm.query.llm import LLMParseError, build_chat_model, parse_with_llm, redact
from crm.query.service import ask, parse
from storage.models import BuyerIdentity, Customer
from tests.fakes.openai_server import Reply, ScriptedOpenAI

AS_OF = datetime(2026, 11, 24, tzinfo=ZoneInfo("Asia/Singapore"))
# the offline parser does not know "takings from the Shopee shop, the month before this one"
UNKNOWN_TO_OFFLINE = "how did the Shopee shop do in terms of takings the month before this one"
GOOD_IR = {
    "query": {
        "intent": "metric",
        "metric": "revenue",
        "period": {"kind": "last_month"},
        "filters": {"platform": "shopee"},
    }
}


def settings_for(server: ScriptedOpenAI, timeout: float = 5.0) -> Settings:
    return Settings(
        llm={
            "base_url": server.base_url,
            "model": "scripted-model",
            "api_key": "test-key",
            "timeout_seconds": timeout,
        }
    )


def model_for(server: ScriptedOpenAI, timeout: float = 5.0):
    return build_chat_model(settings_for(server, timeout).llm)


async def test_a_structured_tool_call_becomes_the_ir(server: ScriptedOpenAI) -> None:
    server.queue_tool("QuestionIR", GOOD_IR)
    parsed = await parse_with_llm(
        UNKNOWN_TO_OFFLINE, chat_model=model_for(server), as_of=AS_OF, timezone="Asia/Singapore"
    )
    assert parsed.parser == "llm"
    assert parsed.query == MetricQuery(
        metric="revenue", period={"kind": "last_month"}, filters={"platform": "shopee"}
    )
    body = server.requests[0]
    assert body["model"] == "scripted-model"
    assert body["tools"][0]["function"]["name"] == "QuestionIR"
    params = __import__("json").dumps(body["tools"][0]["function"]["parameters"])
    # portable across OpenAI-compatible servers: no oneOf, no discriminator pointing at dropped $defs
    assert "oneOf" not in params and "discriminator" not in params and "$defs" not in params
    assert '"repeat_rate"' in params and '"last_month"' in params
    system = body["messages"][0]["content"]
    assert "2026-11-2" in system and "repeat_rate" in system and "important_value" in system


async def test_a_later_event_loop_gets_a_model_of_its_own(server: ScriptedOpenAI) -> None:
    """One process may run several event loops one after another (the command line's asyncio.run per
    command): a model built on a closed loop is not reused, whose HTTP client failed with "Event loop is
    closed" and sent the question to the offline parser."""
    import asyncio

    for _ in range(3):
        server.queue_tool("QuestionIR", {"query": {"intent": "top_customers", "n": 3, "sort_by": "orders"}})
        question = parse(UNKNOWN_TO_OFFLINE, settings=settings_for(server), as_of=AS_OF)
        parsed = await asyncio.to_thread(asyncio.run, question)
        assert parsed.parser == "llm" and parsed.query == TopCustomersQuery(n=3, sort_by="orders")
    assert len(server.requests) == 3
    # The models of loops that have ended are let go (their HTTP clients hold the loop and its sockets): only
    # the last one's, until the next question.
    from crm.query import service

    assert sum(loop.is_closed() for loop in service._chat_models) <= 1


async def test_service_uses_the_llm_only_for_what_the_offline_parser_cannot_read(
    server: ScriptedOpenAI,
) -> None:
    server.queue_tool("QuestionIR", {"query": {"intent": "top_customers", "n": 3, "sort_by": "orders"}})
    parsed = await parse(UNKNOWN_TO_OFFLINE, settings=settings_for(server), as_of=AS_OF)
    assert parsed.parser == "llm" and parsed.query == TopCustomersQuery(n=3, sort_by="orders")
    # a question the offline parser reads never costs a request
    parsed = await parse("repeat purchase rate last month", settings=settings_for(server), as_of=AS_OF)
    assert parsed.parser == "offline" and len(server.requests) == 1
    # nor does a refusal: the model must not be able to "rescue" an unsafe request
    parsed = await parse("send me all customers' phone numbers", settings=settings_for(server), as_of=AS_OF)
    assert parsed.query.reason == "unsafe" and len(server.requests) == 1


async def test_json_in_the_text_is_accepted(server: ScriptedOpenAI) -> None:
    server.queue(Reply(content="Sure:\n```json\n" + __import__("json").dumps(GOOD_IR) + "\n```"))
    parsed = await parse_with_llm("x", chat_model=model_for(server), as_of=AS_OF, timezone="Asia/Singapore")
    assert parsed.query.metric == "revenue"


@pytest.mark.parametrize(
    "reply",
    [
        Reply(content="{not json at all"),
        Reply(raw_body='{"id": "x", "choices": [ this is broken'),
        Reply(content="I think it is revenue."),
    ],
    ids=["malformed-json-content", "malformed-http-body", "prose"],
)
async def test_malformed_replies_fall_back_offline(
    server: ScriptedOpenAI, reply: Reply, caplog: pytest.LogCaptureFixture
) -> None:
    server.default = reply
    with pytest.raises(LLMParseError):
        await parse_with_llm("x", chat_model=model_for(server), as_of=AS_OF, timezone="Asia/Singapore")
    with caplog.at_level(logging.WARNING, logger="crm.query.service"):
        parsed = await parse(UNKNOWN_TO_OFFLINE, settings=settings_for(server), as_of=AS_OF)
    assert parsed.parser == "offline" and isinstance(parsed.query, Clarify)
    assert "using the offline parser" in caplog.text


async def test_an_invalid_ir_is_rejected(server: ScriptedOpenAI, caplog: pytest.LogCaptureFixture) -> None:
    server.responder = lambda body: Reply(
        tool_call={
            "name": "QuestionIR",
            "arguments": {
                "query": {"intent": "metric", "metric": "profit_margin", "period": {"kind": "last_month"}}
            },
        }
    )
    with pytest.raises(LLMParseError, match="not a valid question IR"):
        await parse_with_llm("profit?", chat_model=model_for(server), as_of=AS_OF, timezone="Asia/Singapore")
    with caplog.at_level(logging.WARNING, logger="crm.query.service"):
        parsed = await parse(UNKNOWN_TO_OFFLINE, settings=settings_for(server), as_of=AS_OF)
    assert parsed.parser == "offline" and isinstance(parsed.query, Clarify)
    assert "not a valid question IR" in caplog.text


async def test_http_500_falls_back(server: ScriptedOpenAI) -> None:
    server.default = Reply(status=500)
    with pytest.raises(LLMParseError, match="request failed"):
        await parse_with_llm("x", chat_model=model_for(server), as_of=AS_OF, timezone="Asia/Singapore")
    parsed = await parse(UNKNOWN_TO_OFFLINE, settings=settings_for(server), as_of=AS_OF)
    assert parsed.parser == "offline"


async def test_a_slow_reply_times_out_and_falls_back(server: ScriptedOpenAI) -> None:
    server.default = Reply(tool_call={"name": "QuestionIR", "arguments": GOOD_IR}, delay=1.5)
    parsed = await parse(UNKNOWN_TO_OFFLINE, settings=settings_for(server, timeout=0.2), as_of=AS_OF)
    assert parsed.parser == "offline" and isinstance(parsed.query, Clarify)
    assert server.requests  # it did try


async def test_the_model_never_sees_customer_data(server: ScriptedOpenAI, db, workspace_id: int) -> None:
    async with db.sessions() as session:
        c = Customer(workspace_id=workspace_id, display_name="Tan Wei Ling", country="SG")
        session.add(c)
        await session.flush()
        session.add(
            BuyerIdentity(
                workspace_id=workspace_id,
                customer_id=c.id,
                platform="shopee",
                buyer_key="weiling88",
                username="weiling88",
                name="Tan Wei Ling",
                email="weiling.tan@example.com",
                email_norm="weiling.tan@example.com",
                phone="+65 9123 4567",
                phone_norm="+6591234567",
                country="SG",
            )
        )
        await session.commit()
    server.default = Reply(
        tool_call={
            "name": "QuestionIR",
            "arguments": {
                "query": {"intent": "clarify", "reason": "unknown", "message": "Which shop do you mean?"}
            },
        }
    )
    question = "how is the shop doing for tan.buyer@example.org and +65 8123 9876 lately in terms of takings"
    result = await ask(question, db=db, workspace_id=workspace_id, settings=settings_for(server), as_of=AS_OF)
    assert result.intent == "clarify" and result.value is None and not result.rows
    assert "Which shop do you mean?" in result.text
    sent = server.request_text()
    assert server.requests
    for secret in (
        "weiling.tan@example.com",
        "9123 4567",
        "6591234567",
        "weiling88",
        "Tan Wei Ling",
        "tan.buyer@example.org",
        "8123 9876",
    ):
        assert secret not in sent


def test_redact_masks_contacts_typed_in_a_question() -> None:
    assert redact("mail a@b.co or call +60 12-345 6789") == "mail <email> or call <phone>"
    assert redact("top 10 customers in 2025") == "top 10 customers in 2025"


def test_no_llm_without_a_base_url() -> None:
    assert build_chat_model(Settings().llm.model_copy(update={"base_url": None})) is None
