"""The LLM question parser: LangChain structured output (tool calling) into the same validated IR as the offline one.

The model sees only the question (with e-mail addresses and phone numbers masked), the as-of date and the lists
of metrics, platforms and segments; never customer data. Its reply is validated against the IR; any timeout,
HTTP error, malformed or invalid reply raises `LLMParseError`, and `crm.query.service.ask` falls back to the
offline parser.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from crm import catalog
from crm.query.ir import ParsedQuestion, Query
from crm.settings import LLMConfig

log = logging.getLogger(__name__)

_QUERY: TypeAdapter[Any] = TypeAdapter(Query)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_RE = re.compile(r"(?<![\w])\+?\d[\d\s().-]{6,}\d(?![\w])")


class LLMParseError(RuntimeError):
    """The LLM did not produce a usable IR (timeout, HTTP error, malformed or invalid output)."""


class QuestionIR(BaseModel):
    """The parsed question. Fill `query` with exactly one intent object."""

    model_config = ConfigDict(extra="forbid")
    query: Query = Field(description="the question as one typed query object, discriminated by `intent`")


def _portable(node: Any) -> Any:
    """A JSON schema every OpenAI-compatible server accepts: no `discriminator` (its mapping points at `$defs`
    the tool format drops) and `anyOf` instead of `oneOf` (some providers reject `oneOf` in tool parameters)."""
    if isinstance(node, dict):
        return {
            ("anyOf" if k == "oneOf" else k): _portable(v) for k, v in node.items() if k != "discriminator"
        }
    if isinstance(node, list):
        return [_portable(v) for v in node]
    return node


def tool_schema() -> dict[str, Any]:
    """The `QuestionIR` tool (OpenAI function format) the model is asked to call."""
    from langchain_core.utils.function_calling import convert_to_openai_tool

    schema: dict[str, Any] = _portable(convert_to_openai_tool(QuestionIR))
    return schema


def build_chat_model(llm_settings: LLMConfig | None) -> Any | None:
    """A LangChain ChatOpenAI for any OpenAI-compatible endpoint, or None when no LLM is configured."""
    if llm_settings is None or not llm_settings.enabled:
        return None
    import httpx
    from langchain_openai import ChatOpenAI

    key = llm_settings.api_key.get_secret_value() if llm_settings.api_key else "not-needed"
    return ChatOpenAI(
        base_url=llm_settings.base_url,
        api_key=key,
        model=llm_settings.model,
        temperature=0,
        timeout=llm_settings.timeout_seconds,
        max_retries=1,
        # Its own HTTP client: LangChain's default one is shared process-wide per endpoint and bound to the
        # event loop it first ran on, so a later loop (a second asyncio.run) failed with "Event loop is closed".
        http_async_client=httpx.AsyncClient(timeout=llm_settings.timeout_seconds),
    )


def redact(text: str) -> str:
    """Mask e-mail addresses and phone numbers a user may have typed, so they never reach the LLM."""
    return _PHONE_RE.sub("<phone>", _EMAIL_RE.sub("<email>", text))


def metric_list() -> str:
    """The metrics as the prompt lists them: each id with its definition and a few of its words (the
    catalogue's), one a line."""
    lines = []
    for m in catalog.METRICS:
        words = [p for p in m.phrases if p.isascii()][:4] + [p for p in m.phrases if not p.isascii()][:2]
        lines.append(f"\n  - {m.id}: {m.definition_en} ({', '.join(words)})")
    return "".join(lines)


def system_prompt(as_of: datetime, timezone: str) -> str:
    from prompts import render_prompt

    return render_prompt(
        "question_parser",
        as_of=as_of.date().isoformat(),
        timezone=timezone,
        metrics=metric_list(),
        platforms=", ".join(catalog.PLATFORM_IDS),
        segments=", ".join(catalog.SEGMENT_IDS),
        period_kinds=", ".join(catalog.PERIOD_KINDS),
    )


def _json_from_text(text: str) -> Any:
    """Models without tool calling sometimes answer with JSON in the text (maybe in a ``` fence)."""
    m = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    body = m.group(1) if m else text
    start = body.find("{")
    end = body.rfind("}")
    if start < 0 or end <= start:
        raise LLMParseError("the reply holds no JSON object")
    try:
        return json.loads(body[start : end + 1])
    except json.JSONDecodeError as exc:
        raise LLMParseError(f"malformed JSON in the reply: {exc.msg}") from None


def _validate(args: Any) -> Any:
    if isinstance(args, dict) and "query" not in args and "intent" in args:
        args = {"query": args}  # some models drop the wrapper
    if not isinstance(args, dict):
        raise LLMParseError("the reply is not an object")
    try:
        return _QUERY.validate_python(args.get("query"))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        raise LLMParseError(f"the reply is not a valid question IR ({where}: {first.get('msg')})") from None


async def parse_with_llm(
    text: str,
    *,
    chat_model: Any,
    as_of: datetime,
    timezone: str,
    language: str = "en",
    timeout: float | None = None,
) -> ParsedQuestion:
    """Ask the model to fill the IR; raise LLMParseError on any failure (the caller falls back offline).

    Structured output uses `method="function_calling"`: the one mechanism OpenAI, DeepSeek, Qwen (DashScope),
    vLLM and Ollama's OpenAI-compatible endpoints all implement. A reply with JSON in its text instead of a
    tool call is accepted too; either way the result is validated against the IR before anything runs.
    """
    from langchain_core.messages import HumanMessage, SystemMessage

    structured = chat_model.with_structured_output(tool_schema(), method="function_calling", include_raw=True)
    messages = [SystemMessage(content=system_prompt(as_of, timezone)), HumanMessage(content=redact(text))]
    try:
        coro = structured.ainvoke(messages)
        out = await (asyncio.wait_for(coro, timeout) if timeout else coro)
    except TimeoutError as exc:
        raise LLMParseError("the LLM did not answer in time") from exc
    except Exception as exc:  # openai.APIError, httpx errors, parser errors: all mean "no usable answer"
        raise LLMParseError(f"LLM request failed: {exc.__class__.__name__}: {str(exc)[:200]}") from exc
    raw = out.get("raw") if isinstance(out, dict) else None
    parsed = out.get("parsed") if isinstance(out, dict) else None
    if isinstance(parsed, dict):
        query = _validate(parsed)
    elif raw is not None and getattr(raw, "tool_calls", None):
        query = _validate(raw.tool_calls[0].get("args"))
    elif raw is not None and getattr(raw, "invalid_tool_calls", None):
        raise LLMParseError("the LLM's tool call arguments are malformed")
    elif raw is not None and isinstance(getattr(raw, "content", None), str) and raw.content.strip():
        query = _validate(_json_from_text(raw.content))
    else:
        raise LLMParseError("empty reply")
    return ParsedQuestion(query=query, language=language, parser="llm")
