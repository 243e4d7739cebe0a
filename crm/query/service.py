"""`ask`: one question in, one Result out; parsing (offline or LLM) then the compiler, for every front end."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from crm.query import texts
from crm.query.cache import UNCACHED, ResultCache
from crm.query.ir import Clarify, ParsedQuestion
from crm.query.names import NameIndex, load_name_index
from crm.query.parser import parse_question
from crm.query.result import Result
from crm.settings import LLMConfig, QuerySettings, WorkspaceConfig, workspace_of

log = logging.getLogger(__name__)

# Offline answers that are final even when an LLM is configured: safety refusals and out-of-scope requests
# must not be "rescued" by a model, and look-ups, drafts and reminders carry names the LLM need not see.
_OFFLINE_FINAL_REASONS = frozenset({"unsafe", "out_of_scope", "ambiguous"})
# Built on first use, one per LLM configuration and event loop: a model's HTTP client belongs to the loop it
# first ran on, and one reused on a later loop (a second asyncio.run in one process) failed with "Event loop
# is closed", so the question fell back to the offline parser. A closed loop's models are let go on the next
# call (their clients hold the loop, so a weak mapping would never drop them).
_chat_models: dict[Any, dict[tuple[Any, ...], Any]] = {}


def chat_model_for(llm_settings: LLMConfig | None) -> Any | None:
    """The LangChain chat model for these LLM settings (built once and reused), or None without an LLM."""
    if llm_settings is None or not getattr(llm_settings, "enabled", False):
        return None
    key = (
        llm_settings.base_url,
        llm_settings.model,
        llm_settings.timeout_seconds,
        llm_settings.api_key.get_secret_value() if llm_settings.api_key else None,
    )
    try:
        loop: Any = asyncio.get_running_loop()
    except RuntimeError:  # not on a loop: built for this call only
        loop = None
    for closed in [other for other in _chat_models if other.is_closed()]:
        del _chat_models[closed]
    models = _chat_models.setdefault(loop, {}) if loop is not None else {}
    if key not in models:
        from crm.query.llm import build_chat_model

        models[key] = build_chat_model(llm_settings)
    return models[key]


def _settings_parts(settings: QuerySettings | WorkspaceConfig) -> tuple[str, LLMConfig | None]:
    """(time zone, LLM settings) from the full Settings or a bare WorkspaceSettings."""
    workspace = workspace_of(settings)
    return getattr(workspace, "timezone", "Asia/Singapore"), getattr(settings, "llm", None)


async def parse(
    text: str,
    *,
    settings: QuerySettings | WorkspaceConfig,
    as_of: datetime,
    llm: Any = None,
    offline: ParsedQuestion | None = None,
    names: NameIndex | None = None,
) -> ParsedQuestion:
    """Parse a question: the offline parser first; the LLM (when configured) for what it did not understand.

    `offline` is the offline parser's reading when the caller already has it (the bot parses a message once
    to route it): it is not parsed again.

    The offline parser is exact on the questions it recognises, so those never depend on a model. A question
    it could not read (Clarify with reason "unknown") goes to the LLM when one is configured or passed in; a
    timeout, HTTP error or malformed/invalid reply falls back to the offline answer, with a log line saying so.
    """
    timezone, llm_settings = _settings_parts(settings)
    if offline is None or (names is not None and isinstance(offline.query, Clarify)):
        # `names` (the workspace's customer names) may make a question not understood without them a look-up
        offline = parse_question(text, as_of=as_of, timezone=timezone, names=names)
    q = offline.query
    if not isinstance(q, Clarify) or q.reason in _OFFLINE_FINAL_REASONS:
        return offline
    chat_model = llm if llm is not None else chat_model_for(llm_settings)
    if chat_model is None:
        return offline
    from crm.query.llm import LLMParseError, parse_with_llm

    timeout = getattr(llm_settings, "timeout_seconds", None) if llm_settings is not None else None
    try:
        parsed = await parse_with_llm(
            text,
            chat_model=chat_model,
            as_of=as_of.astimezone(ZoneInfo(timezone)),
            timezone=timezone,
            language=offline.language,
            timeout=(timeout + 2) if timeout else None,
        )
    except LLMParseError as exc:
        log.warning("LLM question parser failed (%s); using the offline parser", exc)
        return offline
    if isinstance(parsed.query, Clarify):
        # keep the offline suggestions (tested, in the user's language) with the model's message
        merged = q.model_copy(
            update={"message": parsed.query.message or q.message, "reason": parsed.query.reason}
        )
        return offline.model_copy(update={"query": merged, "parser": "llm"})
    return parsed


def clarify_result(parsed: ParsedQuestion) -> Result:
    """The reply to a question we will not answer: why, and examples of questions we can answer."""
    q = parsed.query
    assert isinstance(q, Clarify)
    zh = parsed.language == "zh"
    text = texts.clarify_text(
        "zh" if zh else "en",
        q.message or texts.t("zh" if zh else "en", "rephrase"),
        list(q.suggestions),
    )
    return Result(
        intent="clarify",
        query=q.model_dump(mode="json"),
        value=None,
        text=text,
        language=parsed.language,
        suggestions=list(q.suggestions),
    )


async def ask(
    text: str,
    *,
    db: Any,
    workspace_id: int,
    settings: QuerySettings | WorkspaceConfig,
    as_of: datetime,
    llm: Any = None,
    cache: ResultCache | None = None,
    offline: ParsedQuestion | None = None,
) -> Result:
    """Answer one question as of `as_of` (an aware datetime): parse, then run it through the compiler.

    With a `cache` (the bot keeps one), an answer to the same question on unchanged data is shared. `offline`:
    the offline parser's reading of `text`, when the caller has it already."""
    if offline is None:
        offline = parse_question(text, as_of=as_of, timezone=_settings_parts(settings)[0])
    # Only a question not understood as written may be a customer's name with no trigger words ("Tan Wei Ling
    # 一共花了多少钱"): the workspace's names are read for those alone, as the bot does with its one reading.
    names = await load_name_index(db, workspace_id) if isinstance(offline.query, Clarify) else None
    parsed = await parse(text, settings=settings, as_of=as_of, llm=llm, offline=offline, names=names)
    return await answer(
        parsed, text, db=db, workspace_id=workspace_id, settings=settings, as_of=as_of, cache=cache
    )


async def answer(
    parsed: ParsedQuestion,
    text: str = "",
    *,
    db: Any,
    workspace_id: int,
    settings: QuerySettings | WorkspaceConfig,
    as_of: datetime,
    cache: ResultCache | None = None,
) -> Result:
    """Answer a question already parsed (or built, as the bot's shortcut commands are): a clarification is
    worded, a query runs through the compiler; corrected words are stated before the answer."""
    if isinstance(parsed.query, Clarify):
        return clarify_result(parsed)
    if parsed.corrections:
        result = await _answer(
            parsed, text, db=db, workspace_id=workspace_id, settings=settings, as_of=as_of, cache=cache
        )
        read = ", ".join(f"“{a}” as “{b}”" for a, b in parsed.corrections)
        note = texts.t(
            parsed.language,
            "read_as",
            read=read.replace(" as ", "理解为") if parsed.language == "zh" else read,
        )
        return result.model_copy(update={"text": note + result.text})
    return await _answer(
        parsed, text, db=db, workspace_id=workspace_id, settings=settings, as_of=as_of, cache=cache
    )


async def _answer(
    parsed: ParsedQuestion,
    text: str,
    *,
    db: Any,
    workspace_id: int,
    settings: QuerySettings | WorkspaceConfig,
    as_of: datetime,
    cache: ResultCache | None,
) -> Result:
    from crm.query.compiler import execute

    def run() -> Awaitable[Result]:
        return execute(
            parsed.query,
            db=db,
            workspace_id=workspace_id,
            settings=settings,
            as_of=as_of,
            language=parsed.language,
        )

    if cache is None or parsed.query.intent in UNCACHED:
        return await run()
    from storage.repositories.analytics import data_token_and_currency

    timezone, _ = _settings_parts(settings)
    async with db.sessions() as session:
        # The amounts are in the base currency, and another process may change it: read where it is kept, in
        # the same round trip as the data's marks.
        token, currency = await data_token_and_currency(db, session, workspace_id)
    key = (
        token,
        workspace_id,
        timezone,
        currency,
        as_of.astimezone(ZoneInfo(timezone)).date(),
        parsed.language,
        parsed.query.model_dump_json(),
    )
    return await cache.get_or_compute(key, run)
