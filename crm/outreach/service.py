"""Outreach drafting: one personal message for a customer, or a template per language for a segment.

The LLM (LangChain over an OpenAI-compatible endpoint) writes 2–3 variants from an allow-listed context;
each is checked (language, length, placeholders, coupon, no invented discount) with one retry, and the
templates in crm/outreach/templates.py take over when there is no LLM or its answer does not pass. Consent is
checked before anything is written: promotional intents are refused for customers who withdrew marketing
consent or opted out, and the refusal is logged like every draft and approval.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from crm import loyalty
from crm.display import DRAFT_TEXT_MAX, displayable
from crm.outreach import experiments
from crm.outreach.checks import check_draft, draft_problems
from crm.outreach.context import (
    DraftContext,
    build_context,
    customer_segment,
    first_name,
    pick_language,
    redact_brief,
)
from crm.outreach.festivals import FestivalDay, UnknownFestival, festival_day, upcoming
from crm.outreach.intents import INTENTS, LANGUAGE_NAMES, LANGUAGES, PROMOTIONAL, normalise_language
from crm.outreach.offer import discount_problem
from crm.outreach.templates import (
    MERGE_FIELDS,
    TemplateInput,
    generic_item,
    neutral_name,
    render,
    sign_off_line,
)
from crm.settings import DraftSettings, lifecycle_days, workspace_of
from crm.spreadsheet import csv_bytes
from crm.text import Msg, text_of
from storage.db import Database
from storage.repositories import outreach as repo

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.models import OutreachDraft

__all__ = [
    "ACTIONS",
    "INTENTS",
    "LANGUAGES",
    "PROMOTIONAL",
    "Draft",
    "DraftError",
    "Offer",
    "SegmentDraft",
    "approve",
    "draft_for_customer",
    "draft_for_segment",
    "edit",
    "revise",
]

log = logging.getLogger(__name__)

ACTIONS = ("regenerate", "shorter", "formal", "translate")

INTENT_GUIDE = {
    "welcome": "welcome a new customer after their first order and invite questions.",
    "thank_you": "thank a valued (VIP) customer for their loyalty; mention their points balance if they have any.",
    "abandoned_cart": "gently remind them of the item left in their cart, without pressure.",
    "replenishment": "remind them it may be time to reorder what they bought before (their usual cycle).",
    "winback": "win back a customer who has not ordered for a while; warm, no guilt.",
    "review_request": "ask politely for a product review of what they bought.",
    "service_recovery": "apologise sincerely for a problem with their order and offer to make it right.",
    "festival": "greet them for the festival named in `festival` (a sale message if `festival_kind` is sale).",
    "custom": "follow the seller's `brief`.",
}


class DraftError(ValueError):
    """A request that cannot be drafted (unknown customer, intent, language or festival; wrong draft state)."""


@dataclass
class Offer:
    coupon: str | None = None
    discount: str | None = None
    expires: date | None = None

    def describe(self) -> str:
        """The seller's offer as text: the only source of figures a draft may mention."""
        return " ".join(
            x for x in (self.coupon, self.discount, self.expires.isoformat() if self.expires else None) if x
        )


@dataclass
class Draft:
    id: int | None
    customer_id: int | None
    customer_name: str | None
    intent: str
    language: str
    text: str
    variants: list[str]
    source: str  # llm | template | refused
    refused_reason: str | None = None
    notes: list[str | Msg] = field(default_factory=list)  # to read before sending; messages, or checks' texts
    status: str = "draft"  # draft | approved | refused
    experiment: str | None = None  # an experiment draft's name (docs/experiments.md)
    variant: str | None = None  # the variant this customer gets (A, B, C)
    labels: list[str] = field(default_factory=list)  # the experiment's variants
    split: dict[str, int] = field(default_factory=dict)  # variant -> recipients (a segment experiment)

    @property
    def warnings(self) -> list[str]:
        """The notes in English (logs, the command line)."""
        return self.notes_in("en")

    def notes_in(self, language: str) -> list[str]:
        return [text_of(language, note) for note in self.notes]


@dataclass
class SegmentDraft:
    templates: dict[str, str]  # language -> template with merge fields {first_name} and {last_item}
    recipients_csv: bytes
    count: int
    skipped: dict[str, int]  # reason -> customers left out
    segment: str = ""
    draft_ids: dict[str, int] = field(default_factory=dict)  # language -> outreach_drafts row
    experiment: str | None = None  # the experiment's name when the templates come in variants
    variants: dict[str, list[str]] = field(default_factory=dict)  # language -> the variants' templates
    split: dict[str, int] = field(default_factory=dict)  # variant -> recipients


# ------------------------------------------------------------------------------------------------------------
# consent
# ------------------------------------------------------------------------------------------------------------
def consent_refusal(intent: str, consent: bool | None, opted_out: bool, platform: str | None) -> str | None:
    """Why a promotional draft may not be written for this customer (None when it may)."""
    if intent not in PROMOTIONAL:
        return None
    if consent is False:
        return "no marketing consent: the customer's latest consent record withdraws it"
    if consent is None and opted_out:
        return f"opted out of marketing{' on ' + platform if platform else ''}"
    return None


# ------------------------------------------------------------------------------------------------------------
# LLM drafting
# ------------------------------------------------------------------------------------------------------------
class _LLMFailed(RuntimeError):
    pass


def _variants_from_reply(content: Any) -> list[str]:
    if not isinstance(content, str) or not content.strip():
        raise _LLMFailed("empty reply")
    m = re.search(r"```(?:json)?\s*(.*?)```", content, re.DOTALL)
    body = m.group(1) if m else content
    start, end = body.find("{"), body.rfind("}")
    try:
        data = json.loads(body[start : end + 1]) if 0 <= start < end else json.loads(body)
    except json.JSONDecodeError:
        raise _LLMFailed("the reply is not valid JSON") from None
    variants = data.get("variants") if isinstance(data, dict) else data
    if not isinstance(variants, list) or not variants or not all(isinstance(v, str) for v in variants):
        raise _LLMFailed('the reply has no "variants" list of strings')
    return [v.strip() for v in variants if v.strip()][:3]


def _with_sign_off(text: str, ctx: DraftContext) -> str:
    if ctx.sign_off and ctx.sign_off.lower() not in text.lower():
        return text.rstrip() + "\n\n" + sign_off_line(ctx.brand_name, ctx.sign_off)
    return text


async def _llm_draft(
    llm: Any,
    ctx: DraftContext,
    settings: DraftSettings,
    offer: Offer,
    *,
    rewrite: str | None = None,
    instruction: str | None = None,
    max_chars: int | None = None,
    merge_fields: tuple[str, ...] = (),
) -> tuple[list[str], list[str]]:
    """Checked variants from the LLM (at most one retry) and the warnings; raises _LLMFailed when none pass."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    from prompts import render_prompt

    limit = max_chars or ctx.max_chars
    system = render_prompt(
        "outreach_draft",
        brand_name=ctx.brand_name,
        brand_voice=ctx.brand_voice,
        language_name=LANGUAGE_NAMES[ctx.language],
        intent=ctx.intent,
        intent_guide=INTENT_GUIDE[ctx.intent],
        max_chars=limit,
        sign_off=ctx.sign_off,
    )
    payload: dict[str, Any] = {"context": ctx.for_llm()}
    if merge_fields:
        payload["merge_fields"] = (
            "This is a template for many customers: write {first_name} and {last_item} "
            "literally where the name and item go."
        )
    if rewrite is not None:
        payload["rewrite"] = {
            "message": redact_brief(displayable(rewrite, DRAFT_TEXT_MAX, multiline=True), None, None),
            "instruction": instruction,
        }
    messages: list[Any] = [
        SystemMessage(content=system),
        HumanMessage(content=json.dumps(payload, ensure_ascii=False)),
    ]
    problems: list[str] = []
    for attempt in range(2):
        try:
            reply = await asyncio.wait_for(llm.ainvoke(messages), settings.llm.timeout_seconds)
        except TimeoutError:
            raise _LLMFailed("the LLM did not answer in time") from None
        except Exception as exc:  # noqa: BLE001 (HTTP errors, malformed bodies: no usable answer)
            raise _LLMFailed(f"LLM request failed: {exc.__class__.__name__}") from None
        content = getattr(reply, "content", None)
        try:
            variants = _variants_from_reply(content)
        except _LLMFailed as exc:
            problems = [str(exc)]
        else:
            good, problems = [], []
            for v in variants:
                v = _with_sign_off(v, ctx)
                found = check_draft(
                    v,
                    language=ctx.language,
                    max_chars=limit,
                    coupon=offer.coupon,
                    offer_text=offer.describe(),
                    merge_fields=merge_fields,
                )
                if found:
                    problems.extend(p for p in found if p not in problems)
                else:
                    good.append(v)
            if good:
                return good, ([f"retried: {'; '.join(problems)}"] if attempt else [])
        if attempt == 0:
            messages += [
                AIMessage(content=content if isinstance(content, str) else ""),
                HumanMessage(
                    content="That reply cannot be used: "
                    + "; ".join(problems)
                    + '. Reply again with JSON only: {"variants": [...]}.'
                ),
            ]
    raise _LLMFailed("the LLM's drafts failed the checks twice: " + "; ".join(problems))


def _template(
    ctx: DraftContext, offer: Offer, *, formal: bool = False, short: bool = False, merge: bool = False
) -> str:
    return render(
        TemplateInput(
            language=ctx.language,
            intent=ctx.intent,
            brand=ctx.brand_name,
            sign_off=ctx.sign_off,
            first_name=ctx.first_name,
            item=ctx.focus_item(),
            points=ctx.points_balance,
            points_expiring=ctx.points_expiring,
            points_expire_on=date.fromisoformat(ctx.points_expire_on) if ctx.points_expire_on else None,
            festival=ctx.festival,
            festival_kind=ctx.festival_kind or "holiday",
            coupon=offer.coupon,
            discount=offer.discount,
            expires=offer.expires,
            brief=ctx.brief,
            formal=formal,
            short=short,
            merge_fields=merge,
            orders=None if merge else ctx.orders,
        )
    )


async def _generate(
    ctx: DraftContext,
    offer: Offer,
    settings: DraftSettings,
    llm: Any,
    *,
    formal: bool = False,
    short: bool = False,
    rewrite: str | None = None,
    instruction: str | None = None,
    max_chars: int | None = None,
) -> tuple[str, list[str], str, list[str | Msg]]:
    """(text, variants, source, warnings): the LLM's checked variants, else the template."""
    warnings: list[str | Msg] = []
    if llm is not None:
        try:
            variants, checked = await _llm_draft(
                llm, ctx, settings, offer, rewrite=rewrite, instruction=instruction, max_chars=max_chars
            )
            return variants[0], variants, "llm", list(checked)
        except _LLMFailed as exc:
            log.warning("outreach draft: %s; using the template", exc)
            warnings = [Msg("note.llm_not_used", {"error": str(exc)})]
    text = _template(ctx, offer, formal=formal, short=short)
    if ctx.intent == "custom" and ctx.brief:
        warnings.append(Msg("note.brief_as_written"))
    # The channel's limit; a "shorter" target is what the LLM is asked for, and the short template is as short
    # as the templates go (warning that it misses the target would only blame the seller's button).
    if len(text) > ctx.max_chars:
        warnings.append(Msg("note.too_long", {"length": len(text), "limit": ctx.max_chars}))
    return text, [text], "template", warnings


async def _variant_texts(
    ctx: DraftContext, offer: Offer, settings: DraftSettings, llm: Any, n: int, *, merge: bool = False
) -> tuple[list[str], str, list[str | Msg]]:
    """n different texts for an experiment: the LLM's checked variants, completed (or replaced, without an
    LLM) by the templates' own versions: as written, more formal, shorter."""
    texts: list[str] = []
    source, warnings = "template", []
    if llm is not None:
        try:
            found, checked = await _llm_draft(
                llm, ctx, settings, offer, merge_fields=MERGE_FIELDS if merge else ()
            )
            texts = list(dict.fromkeys(found))[:n]
            source, warnings = "llm", list[str | Msg](checked)
        except _LLMFailed as exc:
            log.warning("outreach experiment: %s; using the templates", exc)
            warnings = [Msg("note.llm_not_used", {"error": str(exc)})]
    for formal, short in ((False, False), (True, False), (False, True)):
        if len(texts) >= n:
            break
        text = _template(ctx, offer, formal=formal, short=short, merge=merge)
        if text not in texts:
            texts.append(text)
    if len(texts) < n:
        raise DraftError(f"only {len(texts)} different texts could be written for {n} variants")
    return texts, source, warnings


# ------------------------------------------------------------------------------------------------------------
# request bookkeeping
# ------------------------------------------------------------------------------------------------------------
def _request_data(
    *,
    brief: str | None,
    festival: str | None,
    offer: Offer,
    warnings: list[str | Msg],
    formal: bool = False,
    short: bool = False,
    parent: int | None = None,
    action: str | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What a draft was asked for (kept with it, so a revision is made from the same request)."""
    data: dict[str, Any] = {
        "brief": brief,
        "festival": festival,
        "coupon": offer.coupon,
        "discount": offer.discount,
        "expires": offer.expires.isoformat() if offer.expires else None,
        "formal": formal,
        "short": short,
        "parent": parent,
        "action": action,
        "warnings": [w.to_json() if isinstance(w, Msg) else w for w in warnings],
    }
    data.update(extra or {})
    return {k: v for k, v in data.items() if v not in (None, False, [])}


def _request(row: Any) -> dict[str, Any]:
    return dict(row.request) if isinstance(row.request, dict) else {}


def _draft_from_row(row: Any, customer_name: str | None) -> Draft:
    req = _request(row)
    exp = experiments.experiment_of(req)
    name, variant_labels, assignments = exp if exp else (None, [], {})
    return Draft(
        experiment=name,
        labels=variant_labels,
        variant=assignments.get(row.customer_id) if row.customer_id is not None else None,
        split=dict(Counter(assignments.values())) if row.customer_id is None else {},
        id=row.id,
        customer_id=row.customer_id,
        customer_name=customer_name,
        intent=row.intent,
        language=row.language,
        text=row.text,
        variants=list(row.variants or [row.text]),
        source=row.source,
        refused_reason=row.reason if row.status == "refused" else None,
        notes=[Msg.from_json(w) for w in req.get("warnings", [])],
        status=row.status,
    )


def _check_intent(intent: str) -> None:
    if intent not in INTENTS:
        raise DraftError(f"unknown intent {intent!r}; use one of: {', '.join(INTENTS)}")


def _experiment_labels(variants: int) -> list[str]:
    """The labels of an experiment with `variants` variants ([] for a plain draft)."""
    if variants == 1:
        return []
    try:
        return experiments.labels(variants)
    except ValueError as exc:
        raise DraftError(str(exc)) from None


def _check_language(language: str | None) -> str | None:
    if language is None:
        return None
    code = normalise_language(language)
    if code is None:
        raise DraftError(f"unsupported language {language!r}; use one of: {', '.join(LANGUAGES)}")
    return code


def _resolve_llm(llm: Any, settings: DraftSettings) -> Any:
    if llm is not None:
        return llm
    from crm.query.service import chat_model_for  # built once per LLM configuration

    return chat_model_for(settings.llm)


def _local_day(as_of: datetime, tz: ZoneInfo) -> date:
    from crm.analytics.metrics import as_of_date

    return as_of_date(as_of, tz)


# ------------------------------------------------------------------------------------------------------------
# one customer
# ------------------------------------------------------------------------------------------------------------
async def _load(
    db: Database,
    workspace_id: int,
    customer_id: int,
    *,
    intent: str,
    language: str | None,
    settings: DraftSettings,
    as_of: datetime,
    festival: str | None,
    offer: Offer,
    brief: str | None,
) -> tuple[repo.CustomerFacts, DraftContext | None, str | None]:
    tz = ZoneInfo(settings.workspace.timezone)
    async with db.sessions() as session:
        facts = await repo.customer_facts(session, workspace_id, customer_id, as_of)
        if facts is None:
            raise DraftError(f"no customer #{customer_id} in this workspace")
        lang = pick_language(language, facts)
        refusal = consent_refusal(intent, facts.marketing_consent, facts.platform_opt_out, facts.platform)
        if refusal:
            return (
                facts,
                DraftContext(
                    intent=intent, language=lang, brand_name="", brand_voice="", sign_off="", max_chars=0
                ),
                refusal,
            )
        segment = (
            await customer_segment(db, session, workspace_id, customer_id, as_of, tz)
            if facts.orders
            else None
        )
        await _points_expiry(session, workspace_id, customer_id, facts, settings, as_of)
    fest: FestivalDay | None = None
    if intent == "festival":
        try:
            fest = festival_day(festival, facts.country, _local_day(as_of, tz))
        except UnknownFestival as exc:
            raise DraftError(str(exc)) from None
    ctx = build_context(
        facts,
        intent=intent,
        language=lang,
        settings=settings,
        as_of=as_of,
        tz=tz,
        segment=segment,
        festival=fest,
        coupon=offer.coupon,
        discount=offer.discount,
        expires=offer.expires,
        brief=brief,
    )
    return facts, ctx, None


async def _points_expiry(
    session: Any,
    workspace_id: int,
    customer_id: int,
    facts: repo.CustomerFacts,
    settings: Any,
    as_of: datetime,
) -> None:
    """With expiry on, the balance a customer may still use and the next points to expire (crm/loyalty.py)."""
    ws = settings.workspace
    expiry_days = getattr(ws, "loyalty_expiry_days", None)
    if not expiry_days or facts.points <= 0:
        return
    acc = await loyalty.account(
        session, workspace_id, customer_id, expiry_days=expiry_days, tz=ws.timezone, now=as_of, recent=0
    )
    facts.points = max(acc.position.available, 0)
    soon = acc.position.next_expiry()
    if soon is not None:
        facts.points_expire_on, facts.points_expiring = soon


def fit_notes(
    intent: str,
    consent: bool | None,
    ctx: DraftContext,
    settings: DraftSettings,
    offer: Offer | None = None,
) -> list[str | Msg]:
    """Notes a seller should read before sending, kept on every version of a draft (revised, translated) and so
    in the approved one: consent not on record, an intent that does not fit the customer's history, and a
    percentage discount that cannot be offered (150%, 0%: kept as written, never turned into another figure)."""
    notes: list[str | Msg] = []
    if offer is not None and offer.discount and discount_problem(offer.discount):
        notes.append(Msg("note.bad_discount", {"discount": offer.discount}))
    if intent in PROMOTIONAL and consent is None:
        notes.append(Msg("note.no_consent"))
    days, orders = ctx.days_since_last_order, ctx.orders
    workspace = workspace_of(settings)
    active_days = getattr(workspace, "lifecycle_active_days", 90)
    if intent == "welcome" and orders > 1:
        notes.append(Msg("note.welcome_has_orders", {"orders": orders}))
    elif intent == "winback" and not orders:
        notes.append(Msg("note.winback_no_order"))
    elif intent == "winback" and days is not None and days <= active_days:
        notes.append(Msg("note.winback_active", {"days": days}))
    elif intent in ("thank_you", "review_request", "replenishment") and not orders:
        notes.append(Msg("note.no_order_yet"))
    elif intent == "thank_you" and days is not None and days > active_days:
        notes.append(Msg("note.thank_you_lapsed", {"days": days}))
    return notes


async def draft_for_customer(
    db: Database,
    workspace_id: int,
    customer_id: int,
    *,
    intent: str,
    settings: DraftSettings,
    as_of: datetime,
    language: str | None = None,
    brief: str | None = None,
    festival: str | None = None,
    offer: Offer | None = None,
    llm: Any = None,
    created_by: int | None = None,
    variants: int = 1,
    experiment: str | None = None,
    guard: Callable[[AsyncSession], Awaitable[None]] | None = None,
) -> Draft:
    """A checked, logged draft for one customer (or a logged refusal when consent forbids it). With `variants`
    2 or 3 it is an experiment (named `experiment`, else intent and day): the customer gets the variant a hash
    of the experiment and their id picks, and the draft shows that variant. `guard` runs first in the
    transaction that writes the draft (an automation rule's frequency cap: it takes a lock and may raise to
    write nothing)."""
    _check_intent(intent)
    variant_labels = _experiment_labels(variants)
    language = _check_language(language)
    offer = offer or Offer()
    facts, ctx, refusal = await _load(
        db,
        workspace_id,
        customer_id,
        intent=intent,
        language=language,
        settings=settings,
        as_of=as_of,
        festival=festival,
        offer=offer,
        brief=brief,
    )
    assert ctx is not None
    if refusal:
        async with db.sessions() as session:
            row = await repo.add_draft(
                session,
                workspace_id=workspace_id,
                customer_id=customer_id,
                intent=intent,
                language=ctx.language,
                text="",
                variants=[],
                source="refused",
                status="refused",
                reason=refusal,
                created_by=created_by,
            )
            await session.commit()
            return _draft_from_row(row, facts.display_name)
    extra: dict[str, Any] = {}
    if variant_labels:
        name = experiment or experiments.default_name(
            intent, _local_day(as_of, ZoneInfo(settings.workspace.timezone)).isoformat()
        )
        texts, source, warnings = await _variant_texts(
            ctx, offer, settings, _resolve_llm(llm, settings), len(variant_labels)
        )
        label = experiments.assign_one(customer_id, name, variant_labels)
        text = texts[variant_labels.index(label)]
        extra = experiments.experiment_data(name, variant_labels, {customer_id: label})
    else:
        text, texts, source, warnings = await _generate(ctx, offer, settings, _resolve_llm(llm, settings))
    warnings += fit_notes(intent, facts.marketing_consent, ctx, settings, offer)
    async with db.sessions() as session:
        if guard is not None:
            await guard(session)
        row = await repo.add_draft(
            session,
            workspace_id=workspace_id,
            customer_id=customer_id,
            intent=intent,
            language=ctx.language,
            text=text,
            variants=texts,
            source=source,
            created_by=created_by,
            request=_request_data(
                brief=brief,
                festival=festival,
                offer=offer,
                warnings=warnings,
                extra=extra,
            ),
        )
        await session.commit()
        return _draft_from_row(row, facts.display_name)


async def revise(
    db: Database,
    workspace_id: int,
    draft_id: int,
    *,
    action: str,
    settings: DraftSettings,
    as_of: datetime,
    language: str | None = None,
    llm: Any = None,
    created_by: int | None = None,
) -> Draft:
    """A new draft from an earlier one: regenerate, shorter, more formal, or translated into `language`."""
    if action not in ACTIONS:
        raise DraftError(f"unknown action {action!r}; use one of: {', '.join(ACTIONS)}")
    language = _check_language(language)
    if action == "translate" and language is None:
        raise DraftError("translate needs a language")
    async with db.sessions() as session:
        row = await _usable_draft(session, workspace_id, draft_id, "revised")
        if row.customer_id is None:
            raise DraftError(f"draft #{draft_id} is a segment template; draft the segment again instead")
        parent_text, parent_variants, intent = row.text, list(row.variants or []), row.intent
        parent_language, customer_id = row.language, row.customer_id
        req = _request(row)
    expires = date.fromisoformat(req["expires"]) if req.get("expires") else None
    offer = Offer(coupon=req.get("coupon"), discount=req.get("discount"), expires=expires)
    # (a translation always has its language: checked above)
    target = language if action == "translate" and language is not None else (language or parent_language)
    formal = bool(req.get("formal")) or action == "formal"
    short = bool(req.get("short")) or action == "shorter"
    facts, ctx, refusal = await _load(
        db,
        workspace_id,
        customer_id,
        intent=intent,
        language=target,
        settings=settings,
        as_of=as_of,
        festival=req.get("festival"),
        offer=offer,
        brief=req.get("brief"),
    )
    if refusal or ctx is None:
        raise DraftError(f"cannot revise: {refusal}")
    chat_model = _resolve_llm(llm, settings)
    max_chars = min(ctx.max_chars, max(80, int(len(parent_text) * 0.75))) if action == "shorter" else None
    instruction = {
        "shorter": "Make it noticeably shorter, keep the offer and the sign-off.",
        "formal": "Rewrite it in a more formal, respectful register.",
        "translate": f"Translate it into {LANGUAGE_NAMES[target]}, natural and idiomatic.",
    }.get(action)
    if action == "regenerate" and chat_model is None and len(parent_variants) > 1:
        # Without an LLM, "regenerate" cycles through the variants the first draft already had.
        i = parent_variants.index(parent_text) if parent_text in parent_variants else -1
        text = parent_variants[(i + 1) % len(parent_variants)]
        variants, source = parent_variants, "llm"
        warnings: list[str | Msg] = [Msg("note.next_variant")]
    else:
        text, variants, source, warnings = await _generate(
            ctx,
            offer,
            settings,
            chat_model,
            formal=formal,
            short=short,
            rewrite=None if action == "regenerate" else parent_text,
            instruction=instruction,
            max_chars=max_chars,
        )
        if action == "regenerate" and source == "template" and text == parent_text:
            warnings.append(Msg("note.same_template"))
    warnings = warnings + fit_notes(intent, facts.marketing_consent, ctx, settings, offer)  # every version
    async with db.sessions() as session:
        new = await repo.add_draft(
            session,
            workspace_id=workspace_id,
            customer_id=customer_id,
            intent=intent,
            language=target,
            text=text,
            variants=variants,
            source=source,
            created_by=created_by,
            request=_request_data(
                brief=req.get("brief"),
                festival=req.get("festival"),
                offer=offer,
                warnings=warnings,
                formal=formal,
                short=short,
                parent=draft_id,
                action=action,
            ),
        )
        await session.commit()
        return _draft_from_row(new, facts.display_name)


async def edit(db: Database, workspace_id: int, draft_id: int, text: str) -> Draft:
    """The seller's own wording replaces the draft's text (checks become warnings, never a block)."""
    text = text.strip()
    if not text:
        raise DraftError("the edited text is empty")
    async with db.sessions() as session:
        row = await repo.get_draft(session, workspace_id, draft_id)
        if row is None:
            raise DraftError(f"no draft #{draft_id}")
        if row.status != "draft":
            raise DraftError(f"draft #{draft_id} is {row.status}; only open drafts can be edited")
        req = _request(row)
        problems = draft_problems(
            text,
            language=row.language,
            max_chars=10**6,
            coupon=req.get("coupon"),
            offer_text=" ".join(str(req.get(k) or "") for k in ("coupon", "discount", "expires")),
        )
        req["warnings"] = [problem.to_json() for problem in problems]
        req["edited"] = True
        await repo.update_draft_text(session, row, text, req)
        name = await repo.customer_name(session, row.customer_id) if row.customer_id else None
        await session.commit()
        return _draft_from_row(row, name)


async def _usable_draft(session: AsyncSession, workspace_id: int, draft_id: int, verb: str) -> OutreachDraft:
    """The draft to revise or approve; a missing or refused draft is a DraftError that says why."""
    row = await repo.get_draft(session, workspace_id, draft_id)
    if row is None:
        raise DraftError(f"no draft #{draft_id}")
    if row.status == "refused":
        raise DraftError(f"draft #{draft_id} was refused ({row.reason}); it cannot be {verb}")
    return row


async def approve(
    db: Database, workspace_id: int, draft_id: int, *, member_id: int | None, at: datetime
) -> Draft:
    """Approve a draft: logged with who and when, and recorded as an outreach interaction for the customer."""
    async with db.sessions() as session:
        row = await _usable_draft(session, workspace_id, draft_id, "approved")
        if row.status == "draft":
            await repo.approve_draft(session, row, member_id=member_id, at=at)
        name = await repo.customer_name(session, row.customer_id) if row.customer_id else None
        await session.commit()
        return _draft_from_row(row, name)


# ------------------------------------------------------------------------------------------------------------
# a segment
# ------------------------------------------------------------------------------------------------------------
async def draft_for_segment(
    db: Database,
    workspace_id: int,
    *,
    segment: str,
    intent: str,
    settings: DraftSettings,
    as_of: datetime,
    country: str | None = None,
    language: str | None = None,
    offer: Offer | None = None,
    llm: Any = None,
    festival: str | None = None,
    created_by: int | None = None,
    variants: int = 1,
    experiment: str | None = None,
) -> SegmentDraft:
    """One template per language (merge fields {first_name}, {last_item}) and a CSV of the customers to send
    it to; customers whose consent forbids a promotional message are left out and counted. `segment` is an
    RFM segment or a lifecycle stage (new, active, dormant, churned as at the as-of date). With `variants` 2
    or 3 it is an experiment: each language has that many templates, and the recipients are split between the
    variants deterministically and evenly (experiments.assign); the CSV says each one's variant."""
    from crm.analytics.metrics import SEGMENT_RULES, STAGE_ORDER, customer_scores
    from storage.repositories.analytics import customers_in_country

    _check_intent(intent)
    variant_labels = _experiment_labels(variants)
    language = _check_language(language)
    if segment not in SEGMENT_RULES.values() and segment not in STAGE_ORDER:
        raise DraftError(
            f"unknown segment {segment!r}; use one of: {', '.join(sorted(SEGMENT_RULES.values()))}, "
            f"or a lifecycle stage: {', '.join(STAGE_ORDER)}"
        )
    offer = offer or Offer()
    country = country.upper() if country else None
    tz = ZoneInfo(settings.workspace.timezone)
    ws = settings.workspace
    async with db.sessions() as session:
        scores = await customer_scores(session, workspace_id, as_of, tz, lifecycle_days=lifecycle_days(ws))
        # A segment, or a lifecycle stage as at the as-of date (the drafts a journey answer offers).
        groups = scores.lifecycle if segment in STAGE_ORDER else scores.segment
        ids = {int(c) for c, s in zip(scores.ids, groups, strict=True) if s == segment}
        if country:
            ids &= {int(c) for c in await customers_in_country(session, workspace_id, country)}
        people = await repo.recipients(session, workspace_id, sorted(ids), as_of)
    skipped: Counter[str] = Counter()
    chosen: list[tuple[repo.Recipient, str]] = []
    for p in people:
        refusal = consent_refusal(intent, p.marketing_consent, p.platform_opt_out, p.platform)
        if refusal:
            skipped["no marketing consent" if p.marketing_consent is False else "opted out"] += 1
            continue
        chosen.append((p, language or pick_language(p.language, None, p.country)))
    fest: FestivalDay | None = None
    if intent == "festival":
        commonest = Counter(p.country for p, _ in chosen if p.country).most_common(1)
        where = country or (commonest[0][0] if commonest else None)
        try:
            fest = festival_day(festival, where, _local_day(as_of, tz))
        except UnknownFestival as exc:
            raise DraftError(str(exc)) from None
    chat_model = _resolve_llm(llm, settings)
    templates: dict[str, str] = {}
    texts_of: dict[str, list[str]] = {}
    draft_ids: dict[str, int] = {}
    name = experiment or experiments.default_name(intent, _local_day(as_of, tz).isoformat())
    assigned = experiments.assign([p.id for p, _ in chosen], name, variant_labels) if variant_labels else {}
    out = settings.outreach
    for lang in sorted({lang for _, lang in chosen}):
        ctx = DraftContext(
            intent=intent,
            language=lang,
            brand_name=out.brand_name,
            brand_voice=out.brand_voice,
            sign_off=out.sign_off,
            max_chars=out.max_chars,
            first_name="{first_name}",
            country=country,
            segment=segment,
            festival=fest.festival.name(lang) if fest else None,
            festival_kind=fest.festival.kind if fest else None,
            festival_date=fest.day.isoformat() if fest else None,
        )
        ctx.offer.coupon, ctx.offer.discount = offer.coupon, offer.discount
        ctx.offer.expires = offer.expires.isoformat() if offer.expires else None
        text, source = "", "template"
        warnings: list[str | Msg] = []
        texts: list[str] = []
        extra: dict[str, Any] = {}
        if variant_labels:
            texts, source, warnings = await _variant_texts(
                ctx, offer, settings, chat_model, len(variant_labels), merge=True
            )
            text = texts[0]
            texts_of[lang] = texts
            mine = {p.id: assigned[p.id] for p, x in chosen if x == lang}
            extra = experiments.experiment_data(name, variant_labels, mine)
        elif chat_model is not None:
            try:
                found, checked = await _llm_draft(chat_model, ctx, settings, offer, merge_fields=MERGE_FIELDS)
                warnings = list(checked)
                text, source = found[0], "llm"
            except _LLMFailed as exc:
                warnings = [Msg("note.llm_not_used", {"error": str(exc)})]
        if not text:
            text = _template(ctx, offer, merge=True)
        templates[lang] = text
        async with db.sessions() as session:
            row = await repo.add_draft(
                session,
                workspace_id=workspace_id,
                customer_id=None,
                segment=segment,
                intent=intent,
                language=lang,
                text=text,
                variants=texts or [text],
                source=source,
                created_by=created_by,
                request=_request_data(
                    brief=None,
                    festival=festival,
                    offer=offer,
                    warnings=warnings,
                    extra={
                        "country": country,
                        "recipients": sum(1 for _, x in chosen if x == lang),
                        **extra,
                    },
                ),
            )
            await session.commit()
            draft_ids[lang] = row.id
    # Names, usernames and items are the buyers' own text: csv_bytes keeps them from running as formulas.
    recipients_csv = csv_bytes(
        [
            "customer_id",
            "name",
            "first_name",
            "language",
            "country",
            "platform",
            "username",
            "last_item",
            "points",
            *(["variant"] if variant_labels else []),
        ],
        # Merged rows must read well: an unknown name or item gets the language's neutral wording.
        (
            [
                p.id,
                p.display_name or "",
                first_name(p.display_name) or neutral_name(lang),
                lang,
                p.country or "",
                p.platform or "",
                p.username or "",
                p.last_item or generic_item(lang, intent),
                p.points,
                *([assigned[p.id]] if variant_labels else []),
            ]
            for p, lang in chosen
        ),
    )
    return SegmentDraft(
        templates=templates,
        recipients_csv=recipients_csv,
        count=len(chosen),
        skipped=dict(skipped),
        segment=segment,
        draft_ids=draft_ids,
        experiment=name if variant_labels else None,
        variants=texts_of,
        split=dict(sorted(Counter(assigned.values()).items())),
    )


def upcoming_festivals(country: str | None, on: date, n: int = 5) -> list[FestivalDay]:
    """The next festivals a country celebrates (for a handler's festival picker)."""
    return upcoming(country, on)[:n]
